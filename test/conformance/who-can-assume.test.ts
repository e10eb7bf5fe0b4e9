/**
 * who-can-assume / what-can-assume over a live server's data directory: two accounts built with
 * the JS SDK (users, roles, trust policies with external ids and MFA, a chain
 * across accounts), the `rolecall` binary run against the data dir while the server runs, and
 * the answer checked against what STS actually does with the same principals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { cryptoRandom } from '../../src/domain/random.js';
import { systemClock } from '../../src/domain/clock.js';
import { createAccount } from '../../src/services/accounts/accounts.js';
import { base32Decode, totpCode } from '../../src/services/iam/shared/totp.js';
import { doc, expectError, iamClient, runProcess, startTestServer, stsClient, type Client, type Credentials, type TestServer } from './support/server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

describe('rolecall who-can-assume / what-can-assume against a live data directory', () => {
  let s: TestServer;
  let A: string;
  let B: string;
  let iamA: Client;
  let iamB: Client;
  const keys: Record<string, Credentials> = {};

  async function user(iam: Client, name: string, policy?: string): Promise<Credentials> {
    await iam.call('CreateUser', { UserName: name });
    if (policy) await iam.call('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: policy });
    const k = (await iam.call('CreateAccessKey', { UserName: name })).AccessKey;
    return { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
  }
  const assumeAnything = doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);

  before(async () => {
    s = await startTestServer();
    A = s.accountId;
    const b = await createAccount(s.running.store, cryptoRandom, systemClock);
    B = b.accountId;
    iamA = await iamClient(s.url, s.root);
    iamB = await iamClient(s.url, { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey });
    keys.alice = await user(iamA, 'alice', assumeAnything);
    keys.dave = await user(iamA, 'dave', assumeAnything);
    keys.bob = await user(iamB, 'bob', assumeAnything);
    // alice has an MFA device.
    const d = (await iamA.call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'alice-mfa' })).VirtualMFADevice;
    const seed = base32Decode(Buffer.from(d.Base32StringSeed).toString('ascii'));
    const now = Date.now();
    await iamA.call('EnableMFADevice', { UserName: 'alice', SerialNumber: d.SerialNumber, AuthenticationCode1: totpCode(seed, new Date(now - 30_000)), AuthenticationCode2: totpCode(seed, new Date(now)) });
    const trust = (statements: unknown[]) => doc(statements as Array<Record<string, unknown>>);
    await iamB.call('CreateRole', { RoleName: 'ci', AssumeRolePolicyDocument: trust([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'sts:AssumeRole' }]) });
    await iamB.call('PutRolePolicy', { RoleName: 'ci', PolicyName: 'p', PolicyDocument: assumeAnything });
    await iamA.call('CreateRole', { RoleName: 'deployer', AssumeRolePolicyDocument: trust([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:role/ci` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ci-ext-42' } } }]) });
    await iamA.call('PutRolePolicy', { RoleName: 'deployer', PolicyName: 'p', PolicyDocument: assumeAnything });
    await iamA.call('CreateRole', {
      RoleName: 'prod-admin',
      AssumeRolePolicyDocument: trust([
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/deployer` }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
    });
  });
  after(async () => s?.close());

  const cli = (args: string[]) => runProcess(process.execPath, [MAIN, ...args, '--data-dir', s.dataDir], { env: { ...process.env, ...s.storeEnv, NO_COLOR: '1' } });

  it('who-can-assume: users, roles and services, direct and chained, with the conditions of each hop', async () => {
    const r = await cli(['who-can-assume', `arn:aws:iam::${A}:role/prod-admin`, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const got = Object.fromEntries(j.results.map((x: { id: string; distance: number }) => [x.id, x.distance]));
    assert.deepEqual(got, {
      [`arn:aws:iam::${A}:user/alice`]: 1,
      [`arn:aws:iam::${A}:role/deployer`]: 1,
      'service:ec2.amazonaws.com': 1,
      [`arn:aws:iam::${B}:role/ci`]: 2,
      [`arn:aws:iam::${B}:user/bob`]: 3,
    });
    const alice = j.results.find((x: { id: string }) => x.id.endsWith(':user/alice'));
    assert.deepEqual(alice.paths[0].hops[0].conditions, [{ key: 'aws:MultiFactorAuthPresent', value: 'true', kind: 'mfa', test: { operator: 'Bool', values: ['true'] } }]);
    const bob = j.results.find((x: { id: string }) => x.id.endsWith(':user/bob'));
    assert.equal(bob.crossAccount, true);
    assert.deepEqual(bob.paths[0].hops.map((h: { crossAccount: boolean }) => h.crossAccount), [false, true, false]);
    assert.deepEqual(bob.paths[0].hops[1].conditions, [{ key: 'sts:ExternalId', value: 'ci-ext-42', kind: 'external-id', test: { operator: 'StringEquals', values: ['ci-ext-42'] } }]);
    // A role name works as well as its ARN; text and graphs.
    const text = await cli(['who-can-assume', 'prod-admin']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /via ci → deployer \(3 hops/);
    assert.match((await cli(['who-can-assume', 'prod-admin', '--format', 'mermaid'])).stdout, /^graph LR/);
    assert.match((await cli(['who-can-assume', 'prod-admin', '--format', 'dot'])).stdout, /^digraph assume/);
  });

  it('what STS does agrees: bob reaches prod-admin through ci and deployer with the external id; dave does not', async () => {
    const stsBob = await stsClient(s.url, keys.bob!);
    const ci = (await stsBob.call('AssumeRole', { RoleArn: `arn:aws:iam::${B}:role/ci`, RoleSessionName: 'hop-a' })).Credentials;
    const stsCi = await stsClient(s.url, { accessKeyId: ci.AccessKeyId, secretAccessKey: ci.SecretAccessKey, sessionToken: ci.SessionToken });
    await expectError(stsCi.call('AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'hop-b' }), { name: 'AccessDenied', status: 403 });
    const dep = (await stsCi.call('AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'hop-b', ExternalId: 'ci-ext-42' })).Credentials;
    const stsDep = await stsClient(s.url, { accessKeyId: dep.AccessKeyId, secretAccessKey: dep.SecretAccessKey, sessionToken: dep.SessionToken });
    const admin = await stsDep.call('AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/prod-admin`, RoleSessionName: 'hop-c' });
    assert.match(admin.AssumedRoleUser.Arn, /assumed-role\/prod-admin\/hop-c$/);
    await expectError((await stsClient(s.url, keys.dave!)).call('AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/prod-admin`, RoleSessionName: 'hop-d' }), { name: 'AccessDenied', status: 403 });
    await expectError((await stsClient(s.url, keys.alice!)).call('AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/prod-admin`, RoleSessionName: 'hop-e' }), { name: 'AccessDenied', status: 403 });
  });

  it('what-can-assume: the reverse direction', async () => {
    const r = await cli(['what-can-assume', `arn:aws:iam::${B}:user/bob`, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const got = Object.fromEntries(JSON.parse(r.stdout).results.map((x: { id: string; distance: number }) => [x.id, x.distance]));
    assert.deepEqual(got, { [`arn:aws:iam::${B}:role/ci`]: 1, [`arn:aws:iam::${A}:role/deployer`]: 2, [`arn:aws:iam::${A}:role/prod-admin`]: 3 });
  });

  it('errors: unknown role, ambiguous name, missing data dir, bad usage', async () => {
    assert.equal((await cli(['who-can-assume', 'nope'])).code, 1);
    await iamB.call('CreateRole', { RoleName: 'prod-admin', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]) });
    const amb = await cli(['who-can-assume', 'prod-admin']);
    assert.equal(amb.code, 1);
    assert.match(amb.stderr, /several roles are named prod-admin; give the ARN/);
    const missing = await runProcess(process.execPath, [MAIN, 'who-can-assume', 'x', '--data-dir', '/nonexistent/rolecall'], { env: process.env });
    assert.equal(missing.code, 2);
    assert.equal((await cli(['who-can-assume', 'x', '--format', 'svg'])).code, 252);
  });
});
