import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { auditContract } from '../contract/audit.js';
import { auditBatchContract } from '../contract/audit-batches.js';
import { ACCT } from '../contract/fixtures.js';
import type { AuditRecord, AuditRepo } from '../ports.js';
import { MasterKey } from '../sealing.js';
import { fromLine, JournaledAuditRepo, recoverAuditJournal, toLine } from './audit-journal.js';
import { AUDIT_JOURNAL_DIR, openSqliteStore, type SqliteStore } from './index.js';

const key = MasterKey.generate();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'rolecall-journal-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-12-01T00:00:00Z');
let seq = 0;
function record(over: Partial<AuditRecord> = {}): AuditRecord {
  seq++;
  const eventId = randomUUID();
  const at = new Date(T0 + seq);
  return {
    eventId,
    accountId: ACCT,
    eventTime: at,
    eventName: seq % 2 ? 'AssumeRole' : 'GetCallerIdentity',
    eventSource: 'sts.amazonaws.com',
    readOnly: true,
    username: 'alice',
    accessKeyId: 'AKIAALICE00000000001',
    resources: [{ type: 'AWS::IAM::Role', name: `arn:aws:iam::${ACCT}:role/r${seq % 3}` }],
    json: JSON.stringify({ eventID: eventId, seq, text: 'quote " backslash \\ newline \n unicode \u00e9' }),
    uses: [{ kind: 'role', id: 'AROAEXAMPLEROLE00001', date: at, region: 'us-east-1', service: 'sts' }],
    ...over,
  };
}
const records = (n: number) => Array.from({ length: n }, () => record());
const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.journal'));

async function plainStore(): Promise<SqliteStore> {
  return openSqliteStore({ filename: join(tempDir(), 'rolecall.db'), masterKey: key, checkpointWorker: false });
}

/** The store's repo, counting (and optionally failing) the appends that reach the database. */
function counting(inner: AuditRepo, failAt?: number) {
  const appended: string[] = [];
  const got: AuditRecord[] = [];
  let calls = 0;
  const repo: AuditRepo = {
    ...inner,
    lookup: (q) => inner.lookup(q),
    lastUsed: (k, id) => inner.lastUsed(k, id),
    prune: (b, l) => inner.prune(b, l),
    pruneLastUsed: (b) => inner.pruneLastUsed(b),
    append: async (rs) => {
      calls++;
      if (calls === failAt) throw new Error('disk full (injected)');
      await inner.append(rs);
      for (const r of rs) appended.push(r.eventId);
      got.push(...rs);
    },
  };
  return { repo, appended, got, calls: () => calls };
}

describe('audit journal', () => {
  it('a line holds the whole record', () => {
    const r = record({ username: undefined as never });
    delete r.username;
    const line = readLine(r);
    assert.deepEqual(fromLine(line), r);
    assert.equal(fromLine(line.slice(0, -20)), undefined, 'a torn line is no record');
    assert.equal(fromLine('[1,2,3]'), undefined);
    assert.equal(fromLine('[1,2,3]\t{}'), undefined);
    // Valid JSON with whitespace between tokens keeps its exact text.
    const pretty = record({ json: JSON.stringify({ a: 1, b: ['x\ty'] }, null, '\t') });
    assert.match(pretty.json, /\n\t/);
    assert.deepEqual(fromLine(readLine(pretty)), pretty);
    assert.equal(readLine(pretty).split('\n').length, 1);
    // A line this process wrote (held in memory until indexed) reads back the same way.
    assert.deepEqual(fromLine(line, true), r);
    assert.deepEqual(fromLine(readLine(pretty), true), pretty);
  });

  it('appends are journaled at once and indexed in large transactions; reads see every append', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const c = counting(store.audit);
    const j = new JournaledAuditRepo({ dir, inner: c.repo, indexAt: 100, indexAfterMs: 60_000, chunk: 40 });
    const all: AuditRecord[] = [];
    for (let i = 0; i < 9; i++) {
      const batch = records(10);
      all.push(...batch);
      await j.append(batch);
    }
    assert.equal(c.calls(), 0, 'nothing reached the database yet');
    assert.equal(j.waiting, 90);
    // The journal holds them (one line each) before any database write.
    const lines = segments(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
    assert.deepEqual(lines.map((l) => fromLine(l)?.eventId), all.map((r) => r.eventId));
    // A read indexes first: it sees all of them.
    const found = await j.lookup({ limit: 1000, order: 'oldest-first' });
    assert.deepEqual(found.map((r) => r.eventId), all.map((r) => r.eventId));
    assert.equal(c.calls(), 3, '90 records in transactions of 40');
    assert.deepEqual(c.got, all, 'the database got the records exactly as appended, in order');
    assert.equal(j.waiting, 0);
    assert.deepEqual(segments(dir), [], 'indexed segments are deleted');
    assert.ok(await j.lastUsed('role', 'AROAEXAMPLEROLE00001'));
    // indexAt: the 100th waiting record starts a pass by itself.
    await j.append(records(100));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(j.waiting, 0);
    assert.equal(c.appended.length, 190);
    await j.close();
    await store.close();
  });

  it('indexes on its own after indexAfterMs', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const c = counting(store.audit);
    const j = new JournaledAuditRepo({ dir, inner: c.repo, indexAfterMs: 20 });
    await j.append(records(3));
    assert.equal(c.appended.length, 0);
    for (let i = 0; i < 100 && c.appended.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.appended.length, 3);
    await j.close();
    await store.close();
  });

  it('a failed transaction keeps its records journaled and retries them, never the committed ones', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const errors: unknown[] = [];
    const c = counting(store.audit, 2); // the second transaction fails
    const j = new JournaledAuditRepo({ dir, inner: c.repo, indexAt: 1000, indexAfterMs: 60_000, chunk: 10, onError: (e) => errors.push(e) });
    const all = records(30);
    await j.append(all);
    // drain: the failing pass, then one retry at once, which commits the rest.
    await j.drain();
    assert.equal(errors.length, 1);
    assert.deepEqual(c.appended, all.map((r) => r.eventId), 'each record committed exactly once');
    assert.deepEqual(segments(dir), []);
    const stored = await store.audit.lookup({ limit: 100 });
    assert.equal(stored.length, 30);
    await j.close();
    await store.close();
  });

  it('a pass that stops part-way through the journaled lines leaves the rest for the next, in order, each committed once', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const errors: unknown[] = [];
    // Transaction 1 commits 5 records; transaction 2 fails, and so does the first one-at-a-time
    // retry (call 3): the pass ends with 2 of its 3 appends' lines unread.
    let calls = 0;
    const c = counting(store.audit);
    const repo: AuditRepo = {
      ...c.repo,
      append: async (rs) => {
        calls++;
        if (calls === 2 || calls === 3) throw new Error('disk full (injected)');
        await c.repo.append(rs);
      },
    };
    const j = new JournaledAuditRepo({ dir, inner: repo, indexAt: 1000, indexAfterMs: 60_000, chunk: 5, onError: (e) => errors.push(e) });
    const all = [records(7), records(7), records(7)];
    for (const batch of all) await j.append(batch);
    assert.equal(j.waiting, 21);
    await j.drain();
    assert.equal(errors.length, 2, 'the chunk, then the pass (its first record failing alone)');
    assert.deepEqual(c.appended, all.flat().map((r) => r.eventId), 'every record committed exactly once, in order');
    assert.deepEqual(c.got.map((r) => r.json), all.flat().map((r) => r.json));
    assert.equal(j.waiting, 0);
    assert.deepEqual(segments(dir), []);
    await j.close();
    await store.close();
  });

  it('refuses a repeated event id as the repository does; one stored behind its back is dropped, not retried forever', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const errors: unknown[] = [];
    const j = new JournaledAuditRepo({ dir, inner: store.audit, indexAfterMs: 60_000, onError: (e) => errors.push(e) });
    const [a, b, c] = records(3);
    await j.append([a!]);
    await assert.rejects(j.append([b!, b!]), /already recorded/, 'repeated within the batch');
    await assert.rejects(j.append([b!, a!]), /already recorded/, 'waiting in the journal');
    await j.drain();
    await assert.rejects(j.append([a!]), /already recorded/, 'stored');
    // None of the refused batches was journaled.
    await j.append([b!, c!]);
    // Someone else stores c directly before the journal indexes it.
    await store.audit.append([c!]);
    await j.drain();
    const ids = (await j.lookup({ limit: 10, order: 'oldest-first' })).map((r) => r.eventId);
    assert.deepEqual(ids, [a!.eventId, b!.eventId, c!.eventId]);
    assert.ok(errors.some((e) => /already stored; its journaled copy is dropped/.test(String(e))));
    assert.deepEqual(segments(dir), []);
    await j.close();
    await store.close();
  });

  it('looks up only the ids at or below the greatest one stored or journaled', async () => {
    const store = await plainStore();
    const asked: string[][] = [];
    const inner: AuditRepo = Object.assign(Object.create(store.audit) as AuditRepo, {
      existingEventIds: (ids: string[]) => {
        asked.push(ids);
        return store.audit.existingEventIds(ids);
      },
    });
    const id = (n: number, hi = '5') => `${hi}0000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const old = record({ eventId: id(1) });
    await store.audit.append([old]);
    const errors: unknown[] = [];
    const j = new JournaledAuditRepo({ dir: join(tempDir(), 'j'), inner, indexAfterMs: 60_000, onError: (e) => errors.push(e) });
    // Above everything stored: no lookup (the server's own ids always are, src/audit/ids.ts).
    await j.append([record({ eventId: id(2) }), record({ eventId: id(3) })]);
    await j.append([record({ eventId: id(4) })]);
    assert.deepEqual(asked, []);
    // Below: looked up, just those.
    await j.append([record({ eventId: id(9, '1') }), record({ eventId: id(5) })]);
    assert.deepEqual(asked, [[id(9, '1')]]);
    await assert.rejects(j.append([record({ eventId: id(1) })]), /already recorded/);
    // Stored behind the journal's back above its maximum: not refused at append, and still
    // stored once (the database refuses the copy when indexing; it is dropped with a warning).
    const sneaky = record({ eventId: id(8) });
    await store.audit.append([sneaky]);
    await j.append([record({ eventId: id(8) })]);
    await j.drain();
    const all = (await j.lookup({ limit: 100, order: 'oldest-first' })).map((r) => r.eventId);
    assert.deepEqual([...all].sort(), [id(1), id(2), id(3), id(4), id(9, '1'), id(5), id(8)].sort());
    assert.ok(errors.some((e) => /already stored; its journaled copy is dropped/.test(String(e))));
    assert.equal(await j.maxEventId(), id(8));
    await j.close();
    await store.close();
  });

  it('a read fails while the database refuses the records, and they stay journaled', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const failing: AuditRepo = { ...store.audit, lookup: (q) => store.audit.lookup(q), append: async () => Promise.reject(new Error('read-only file system (injected)')) };
    const j = new JournaledAuditRepo({ dir, inner: failing, indexAfterMs: 60_000, onError: () => {} });
    const all = records(5);
    await j.append(all);
    await assert.rejects(j.lookup({ limit: 10 }), /read-only file system/);
    assert.equal(j.waiting, 5);
    assert.equal(segments(dir).length, 1);
    // The next server to open the data directory indexes them (this process's pid: an earlier run).
    assert.equal(await recoverAuditJournal(dir, store.audit), 5);
    assert.deepEqual((await store.audit.lookup({ limit: 10, order: 'oldest-first' })).map((r) => r.eventId), all.map((r) => r.eventId));
    assert.deepEqual(segments(dir), []);
    await store.close();
  });

  it('recovery adds what the database lacks, skips what it has, ignores a torn line and leaves a live process alone', async () => {
    const store = await plainStore();
    const dir = join(tempDir(), 'j');
    const j = new JournaledAuditRepo({ dir, inner: store.audit, indexAfterMs: 60_000 });
    const first = records(4);
    const second = records(6);
    await j.append(first);
    await j.drain(); // committed, segment deleted
    await j.append(second);
    // A crash before the next pass: the segment holds `second`. Half of it was committed by a
    // pass that died before deleting the segment.
    await store.audit.append(second.slice(0, 3));
    const [seg] = segments(dir);
    assert.ok(seg);
    appendFileSync(join(dir, seg), readLine(record()).slice(0, 30)); // torn: the crash hit mid-write
    // Another live process's segment (our parent's pid) must not be touched.
    const foreign = `audit-${process.ppid}-1-1.journal`;
    writeFileSync(join(dir, foreign), readLine(record()));
    assert.equal(await recoverAuditJournal(dir, store.audit), 3);
    const ids = (await store.audit.lookup({ limit: 100, order: 'oldest-first' })).map((r) => r.eventId);
    assert.deepEqual(ids, [...first, ...second].map((r) => r.eventId));
    assert.deepEqual(segments(dir), [foreign]);
    await store.close();
  });

  it('the server store: a crash leaves the journal, the next open replays it, a clean close removes it', async () => {
    const dataDir = tempDir();
    const filename = join(dataDir, 'rolecall.db');
    const a = await openSqliteStore({ filename, masterKey: key, auditJournal: true, checkpointWorker: false });
    assert.ok(a.auditJournal);
    const all = records(20);
    await a.audit.append(all);
    const dir = join(dataDir, AUDIT_JOURNAL_DIR);
    assert.equal(segments(dir).length, 1);
    // "Crash": a second store opens the same file while the first never indexed nor closed. Its
    // segment carries this process's pid, as a server restarted in a container would find it.
    const b = await openSqliteStore({ filename, masterKey: key, auditJournal: true, checkpointWorker: false });
    assert.equal((await b.audit.lookup({ limit: 100 })).length, 20);
    assert.deepEqual(segments(dir), []);
    await b.audit.append(records(2));
    await b.close();
    assert.deepEqual(segments(dir), [], 'closed cleanly: indexed, nothing left');
    const c = await openSqliteStore({ filename, masterKey: key });
    assert.equal((await c.audit.lookup({ limit: 100 })).length, 22);
    await c.close();
  });
});

const readLine = (r: AuditRecord): string => toLine(r).trimEnd();

// The audit store contract, through the journal: everything appended is what reads return.
{
  let n = 0;
  const journaled = () => {
    const d = tempDir();
    return openSqliteStore({ filename: join(d, `c-${++n}.db`), masterKey: key, auditJournal: true, checkpointWorker: false });
  };
  auditContract(journaled, async () => {
    const d = tempDir();
    const filename = join(d, 'rolecall.db');
    return {
      open: () => openSqliteStore({ filename, masterKey: key, auditJournal: true }),
      files: () => [filename, `${filename}-wal`, `${filename}-shm`],
      dispose: async () => rmSync(d, { recursive: true, force: true }),
    };
  });
  auditBatchContract(journaled);
}
