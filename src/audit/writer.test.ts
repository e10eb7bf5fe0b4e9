/**
 * Group commit over a real SQLite store: concurrent events share transactions, a waiter resolves
 * only once its batch committed, a failed batch rejects its own waiters and nothing else, a
 * store transaction open around a record() is never joined. Retention passes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.js';
import type { AuditRepo, Store } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { EVENT_VERSION, type CloudTrailEvent } from './event.js';
import { pruneAudit, startRetention } from './retention.js';
import { GroupCommitAuditTrail } from './writer.js';

const ACCT = '123456789012';
let dir = '';
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-audit-writer-'));
});
after(async () => rm(dir, { recursive: true, force: true }));
const open = () => openSqliteStore({ filename: join(dir, `w-${++n}.db`), masterKey: randomBytes(32) });

function event(i: number, time = new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60))): CloudTrailEvent {
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: { type: 'IAMUser', principalId: 'AIDAWRITERWRITERWRI1', arn: `arn:aws:iam::${ACCT}:user/w`, accountId: ACCT, accessKeyId: 'AKIAWRITERWRITERWRI1', userName: 'w' },
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListRoles',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'test',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${i}`,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCT,
    eventCategory: 'Management',
  };
}

async function count(s: Store): Promise<number> {
  return (await s.audit.lookup({ accountId: ACCT, limit: 100_000 })).length;
}

/** The store's repo with a hook before each append (gating, failing, counting). */
function hooked(repo: AuditRepo, before: (size: number) => Promise<void>): AuditRepo {
  return { ...repo, append: async (records) => (await before(records.length), repo.append(records)) } as AuditRepo;
}

describe('group commit', () => {
  it('many concurrent events: few transactions, every waiter resolved, every event stored', async () => {
    const s = await open();
    try {
      const sizes: number[] = [];
      const trail = new GroupCommitAuditTrail(hooked(s.audit, async (size) => void sizes.push(size)), { maxBatch: 100 });
      await Promise.all(Array.from({ length: 450 }, (_, i) => trail.record(event(i))));
      assert.equal(await count(s), 450);
      assert.equal(sizes.reduce((a, b) => a + b, 0), 450);
      assert.ok(sizes.length <= 10, `450 events in ${sizes.length} transactions`);
      assert.ok(Math.max(...sizes) <= 100);
      assert.deepEqual({ events: trail.stats.events, batches: trail.stats.batches }, { events: 450, batches: sizes.length });
      // Idle: an event alone is written at once.
      await trail.record(event(1000));
      assert.equal(await count(s), 451);
      await trail.close();
      await assert.rejects(trail.record(event(1001)), /closed/);
    } finally {
      await s.close();
    }
  });

  it('holds: the batch waits for the requests in flight, then one commit covers them all', async () => {
    const s = await open();
    try {
      const sizes: number[] = [];
      const trail = new GroupCommitAuditTrail(hooked(s.audit, async (size) => void sizes.push(size)), { maxWaitMs: 10_000 });
      const holds = [trail.hold(), trail.hold(), trail.hold()];
      let stored = 0;
      const first = trail.record(event(1)).then(() => stored++);
      holds[0]!.release();
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(stored, 0, 'written while two requests were still in flight');
      assert.equal(await count(s), 0);
      const second = trail.record(event(2)).then(() => stored++);
      holds[1]!.release();
      holds[1]!.release(); // a second release of the same hold changes nothing
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(stored, 0);
      holds[2]!.release(); // the last one had no event: the batch goes now
      await Promise.all([first, second]);
      assert.deepEqual(sizes, [2]);
      assert.equal(trail.stats.timedOutWaits, 0);
      // Nothing in flight: an event alone is written at once.
      await trail.record(event(3));
      assert.deepEqual(sizes, [2, 1]);
    } finally {
      await s.close();
    }
  });

  it('holds: a hold never released delays the batch by maxWaitMs at most; flush() does not wait for holds', async () => {
    const s = await open();
    try {
      const trail = new GroupCommitAuditTrail(s.audit, { maxWaitMs: 40 });
      const stuck = trail.hold();
      const t0 = Date.now();
      await trail.record(event(1));
      const waited = Date.now() - t0;
      assert.ok(waited >= 35, `written after ${waited} ms, before maxWaitMs`);
      assert.equal(trail.stats.timedOutWaits, 1);
      assert.equal(await count(s), 1);
      const slow = new GroupCommitAuditTrail(s.audit, { maxWaitMs: 60_000 });
      const stuck2 = slow.hold();
      const p = slow.record(event(2));
      await slow.flush();
      await p;
      assert.equal(await count(s), 2);
      stuck.release();
      stuck2.release();
    } finally {
      await s.close();
    }
  });

  it('a waiter resolves only after its batch committed', async () => {
    const s = await open();
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const trail = new GroupCommitAuditTrail(hooked(s.audit, () => gate));
      let done = false;
      const p = trail.record(event(1)).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(done, false, 'resolved before the write');
      assert.equal(await count(s), 0);
      // Events arriving meanwhile wait for the next batch.
      const later = trail.record(event(2));
      release();
      await p;
      assert.equal(await count(s) >= 1, true);
      await later;
      assert.equal(await count(s), 2);
      assert.equal(trail.stats.batches, 2);
    } finally {
      await s.close();
    }
  });

  it('a failed batch rejects its waiters only; the next batch goes through', async () => {
    const s = await open();
    try {
      let fail = true;
      const trail = new GroupCommitAuditTrail(
        hooked(s.audit, async () => {
          if (fail) {
            fail = false;
            throw new Error('disk full');
          }
        }),
      );
      const first = await Promise.allSettled([trail.record(event(1)), trail.record(event(2))]);
      assert.deepEqual(first.map((r) => r.status), ['rejected', 'rejected']);
      await trail.record(event(3));
      assert.deepEqual((await s.audit.lookup({ accountId: ACCT, limit: 10 })).map((r) => r.eventId), [event(3).eventID]);
      assert.equal(trail.stats.failedBatches, 1);
      // A record the store refuses (duplicate id) fails its own batch, loudly.
      await assert.rejects(trail.record(event(3)));
    } finally {
      await s.close();
    }
  });

  it('does not join a store transaction open in the caller’s async flow', async () => {
    const s = await open();
    try {
      const trail = new GroupCommitAuditTrail(s.audit);
      let pending: Promise<void> | undefined;
      await s
        .transaction(async (tx) => {
          await tx.users.create({ accountId: ACCT, name: 'ghost', path: '/', id: 'AIDAGHOSTGHOSTGHOST1', arn: `arn:aws:iam::${ACCT}:user/ghost`, createdAt: new Date(), tags: [] });
          pending = trail.record(event(7));
          // The flush is due while this transaction is still open (and then rolls back).
          await new Promise((r) => setTimeout(r, 30));
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await pending;
      assert.equal(await s.users.get(ACCT, 'ghost'), undefined);
      assert.equal(await count(s), 1, 'the event survives the rolled-back transaction');
    } finally {
      await s.close();
    }
  });
});

describe('retention', () => {
  it('prunes events past the retention window, keeps them all with 0 days, and forgets last use after 400 days', async () => {
    const s = await open();
    try {
      const now = new Date(Date.UTC(2026, 6, 1));
      const day = 86_400_000;
      const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day);
      const trail = new GroupCommitAuditTrail(s.audit);
      for (const [i, daysAgo] of [100, 91, 89, 1].entries()) await trail.record(event(i, at(daysAgo)), { at: at(daysAgo) });
      await s.audit.append([{ eventId: 'u', accountId: ACCT, eventTime: at(401), eventName: 'x', eventSource: 'sts.amazonaws.com', readOnly: true, resources: [], json: '{}', uses: [{ kind: 'role', id: 'AROAOLDOLDOLDOLDOLD1', date: at(401), region: 'us-east-1', service: 'sts' }] }]);
      assert.deepEqual(await pruneAudit(s.audit, now, 0), { events: 0, lastUsed: 1 });
      assert.equal(await count(s), 5);
      assert.deepEqual(await pruneAudit(s.audit, now, 90), { events: 3, lastUsed: 0 });
      assert.equal(await count(s), 2);
      const clock = new ManualClock(now.getTime() + 30 * day);
      const errors: unknown[] = [];
      const task = startRetention(s.audit, clock, 90, (e) => errors.push(e));
      assert.deepEqual(await task.runNow(), { events: 1, lastUsed: 0 });
      await task.stop();
      assert.deepEqual(errors, []);
      assert.equal(await count(s), 1);
    } finally {
      await s.close();
    }
  });
});
