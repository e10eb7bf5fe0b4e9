/**
 * Durability of the audit trail: an answer the client received implies its event is stored.
 * The real server runs as a child process; concurrent clients note the requestId of every answer
 * they get; the server is SIGKILLed mid-load, restarted on the same data directory, and every
 * acknowledged requestId must have its event (read with `rolecall audit export` while the
 * restarted server runs, and spot-checked with LookupEvents). Also: an answer waits for its
 * event's commit, and a failed audit write turns the answer into InternalFailure.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { CLI_MAIN, startChildServer, type ChildServer } from './support/child-server.js';
import { iamClient, runProcess, startTestServer, stsClient, tempDir, type TestServer } from './support/server.js';

const dirs: string[] = [];
const children: ChildServer[] = [];
after(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function exportedRequestIds(dataDir: string): Promise<Map<string, number>> {
  const r = await runProcess(process.execPath, [CLI_MAIN, 'audit', 'export', '--data-dir', dataDir], { env: { PATH: process.env.PATH ?? '' } });
  assert.equal(r.code, 0, r.stderr);
  const ids = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { requestID: string };
    ids.set(e.requestID, (ids.get(e.requestID) ?? 0) + 1);
  }
  return ids;
}

describe('audit durability', () => {
  it('after kill -9 under load, every acknowledged request has its event', async (t) => {
    const dataDir = tempDir('audit-kill');
    dirs.push(dataDir);
    const server = await startChildServer({ dataDir });
    children.push(server);
    const sts = await stsClient(server.url, server.root);
    const iam = await iamClient(server.url, server.root);
    const acked: string[] = [];
    let failures = 0;
    let stop = false;
    let killed = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const out = i % 3 === 0 ? await iam.call('ListRoles', {}) : await sts.call('GetCallerIdentity', {});
          const id = out.$metadata.requestId as string | undefined;
          assert.ok(id, 'every answer carries a request id');
          acked.push(id);
        } catch (e) {
          if (!killed) throw new Error(`worker ${w} failed before the kill: ${(e as Error).message}`);
          failures++;
          if (failures > 200) stop = true;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const workers = Array.from({ length: 24 }, (_, w) => worker(w));
    // Kill while requests are in flight, once a good number have been answered.
    const deadline = Date.now() + 10_000;
    while (acked.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    killed = true;
    assert.equal(await server.kill('SIGKILL'), 'SIGKILL');
    // Answers already on their way in count as acknowledged too.
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    assert.ok(acked.length >= 100, `only ${acked.length} requests answered before the kill`);
    assert.ok(failures > 0, 'the kill interrupted requests in flight');

    const restarted = await startChildServer({ dataDir, accountId: server.accountId, root: server.root });
    children.push(restarted);
    const stored = await exportedRequestIds(dataDir);
    const missing = acked.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events missing`);
    for (const id of acked) assert.equal(stored.get(id), 1, `one event for ${id}`);
    t.diagnostic(`${acked.length} answers acknowledged before SIGKILL, ${failures} requests cut off, ${stored.size} events stored, 0 acknowledged missing`);

    // The restarted server serves them: the newest acknowledged GetCallerIdentity is found by LookupEvents.
    const ct = await import(String('@aws-sdk/client-cloudtrail'));
    const client = new ct.CloudTrailClient({ endpoint: restarted.url, region: 'us-east-1', credentials: restarted.root, maxAttempts: 1 });
    const found = await client.send(new ct.LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetCallerIdentity' }], MaxResults: 50 }));
    assert.ok(found.Events.length > 0);
    for (const ev of found.Events) assert.ok(stored.has(JSON.parse(ev.CloudTrailEvent).requestID));
    await restarted.kill('SIGTERM');
  });
});

describe('the answer waits for the record', () => {
  let s: TestServer;
  after(async () => s?.close());

  it('is held until the batch commits; a failed write answers InternalFailure / ServiceFailure', async () => {
    s = await startTestServer();
    const repo = s.running.store.audit;
    const append = repo.append.bind(repo);
    let release!: () => void;
    let gate: Promise<void> | undefined = new Promise<void>((r) => (release = r));
    let failNext = false;
    // Instrument the real repository the running trail writes through.
    repo.append = async (records) => {
      if (gate) await gate;
      if (failNext) {
        failNext = false;
        throw new Error('simulated disk failure');
      }
      return append(records);
    };
    try {
      const sts = await stsClient(s.url, s.root);
      let answered = false;
      const p = sts.call('GetCallerIdentity', {}).then((out: any) => {
        answered = true;
        return out;
      });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(answered, false, 'answered before its event was stored');
      assert.deepEqual(await repo.lookup({ accountId: s.accountId, limit: 10 }), []);
      gate = undefined;
      release();
      const out = await p;
      const [stored] = await repo.lookup({ accountId: s.accountId, limit: 10 });
      assert.equal(JSON.parse(stored!.json).requestID, out.$metadata.requestId);

      failNext = true;
      await assert.rejects(sts.call('GetCallerIdentity', {}), (e: any) => e.name === 'InternalFailure' && e.$metadata.httpStatusCode === 500);
      failNext = true;
      const iam = await iamClient(s.url, s.root);
      await assert.rejects(iam.call('CreateUser', { UserName: 'written-but-unrecorded' }), (e: any) => e.name === 'ServiceFailureException' && e.$metadata.httpStatusCode === 500);
    } finally {
      repo.append = append;
    }
  });
});
