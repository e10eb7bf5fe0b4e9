/**
 * The database restarts in the middle of a load (pg_ctl restart -m fast on a private cluster):
 * two nodes answer what they cannot decide with ServiceUnavailable (503), never a wrong allow,
 * and serve normally again once the database is back. Their logs say why, without the password.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pgTestOptions, uniqueSchema } from '../../src/store/postgres/testing.js';
import { iamClient, randomAccountId, rootKeys, stsClient, type Client } from '../conformance/support/server.js';
import { outcome, passwordOf, sleep, startCluster, startNode, type Cluster, type RolecallNode } from './support/nodes.js';

const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('a database restart under load', { ...pgTestOptions(), timeout: 180_000 }, () => {
  let cluster: Cluster;
  let nodes: RolecallNode[] = [];
  const accountId = randomAccountId();
  const root = rootKeys();

  before(async () => {
    cluster = await startCluster();
    const opts = { database: cluster.url, schema: uniqueSchema('restart'), masterKey: randomBytes(32).toString('base64'), accountId, root };
    nodes = await Promise.all([startNode('a', opts), startNode('b', opts)]);
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    await cluster?.stop();
  });

  it('requests fail cleanly with ServiceUnavailable while it is down (no wrong allow), then recover', async (t) => {
    const iam = await iamClient(nodes[0]!.url, root);
    const trusted = `arn:aws:iam::${accountId}:user/trusted`;
    const shunned = `arn:aws:iam::${accountId}:user/shunned`;
    const keys: Record<string, { accessKeyId: string; secretAccessKey: string }> = {};
    for (const name of ['trusted', 'shunned']) {
      await iam.call('CreateUser', { UserName: name });
      await iam.call('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]) });
      const k = (await iam.call('CreateAccessKey', { UserName: name })).AccessKey;
      keys[name] = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
    }
    await iam.call('CreateRole', {
      RoleName: 'guarded',
      AssumeRolePolicyDocument: doc([
        { Effect: 'Allow', Principal: { AWS: [trusted, shunned] }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: shunned }, Action: 'sts:AssumeRole' },
      ]),
    });
    const roleArn = `arn:aws:iam::${accountId}:role/guarded`;

    type Call = { name: string; expectOk: boolean; run(): Promise<unknown> };
    const calls: Call[] = [];
    for (const n of nodes) {
      const rootIam: Client = await iamClient(n.url, root);
      const trustedSts = await stsClient(n.url, keys.trusted!);
      const shunnedSts = await stsClient(n.url, keys.shunned!);
      calls.push(
        { name: `${n.name}:ListRoles`, expectOk: true, run: () => rootIam.call('ListRoles') },
        { name: `${n.name}:AssumeRole(trusted)`, expectOk: true, run: () => trustedSts.call('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'load-session' }) },
        { name: `${n.name}:AssumeRole(shunned)`, expectOk: false, run: () => shunnedSts.call('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'load-session' }) },
        { name: `${n.name}:GetCallerIdentity`, expectOk: true, run: () => trustedSts.call('GetCallerIdentity') },
      );
    }

    const tally = new Map<string, number>();
    const wrong: string[] = [];
    let restarted = false;
    let lastUnavailable = 0;
    const deadline = Date.now() + 60_000;
    const loop = async (c: Call) => {
      while (Date.now() < deadline) {
        const o = await outcome(c.run());
        const key = `${o.kind}${o.status ? ` ${o.status}` : ''}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        if (!c.expectOk && o.kind === 'ok') wrong.push(`${c.name} was allowed`);
        const fine = o.kind === 'ok' ? c.expectOk : (o.kind === 'AccessDenied' && o.status === 403 && !c.expectOk) || (o.kind === 'ServiceUnavailable' && o.status === 503);
        if (!fine) wrong.push(`${c.name}: ${JSON.stringify(o)}`);
        if (o.kind === 'ServiceUnavailable') lastUnavailable = Date.now();
        // Done once the database is back and this call answers as it should again.
        if (restarted && o.kind !== 'ServiceUnavailable' && Date.now() - lastUnavailable > 500) return;
        await sleep(10);
      }
      wrong.push(`${c.name} never recovered`);
    };
    const loops = calls.map(loop);
    await sleep(1000);
    const t0 = Date.now();
    await cluster.restart();
    restarted = true;
    await Promise.all(loops);
    t.diagnostic(`restart took ${Date.now() - t0} ms; outcomes ${JSON.stringify(Object.fromEntries(tally))}`);
    assert.deepEqual(wrong, []);
    assert.ok((tally.get('ServiceUnavailable 503') ?? 0) > 0, 'some requests met the database down');
    // Fully back: every call answers as before.
    for (const c of calls) {
      const o = await outcome(c.run());
      assert.equal(o.kind, c.expectOk ? 'ok' : 'AccessDenied', c.name);
    }
    if (process.env.ROLECALL_TEST_SHOW_LOGS) t.diagnostic(nodes[0]!.output().slice(-3000));
    // The logs explain the 503s without the password.
    const password = passwordOf(cluster.url);
    for (const n of nodes) {
      assert.match(n.output(), /store unavailable/);
      assert.ok(!n.output().includes(password), `node ${n.name} logged the password`);
    }
  });
});
