import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { ACCT } from '../contract/fixtures.js';
import type { AuditRecord } from '../ports.js';
import { MasterKey } from '../sealing.js';
import { Checkpointer, DEFAULT_AUTOCHECKPOINT_PAGES } from './checkpointer.js';
import { openSqliteStore } from './index.js';

const key = MasterKey.generate();
let dir = '';
let n = 0;
const nextFile = () => join(dir, `ckpt-${++n}.db`);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-ckpt-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-12-01T00:00:00Z');
function batch(at: number, size: number): AuditRecord[] {
  return Array.from({ length: size }, (_, i) => {
    const eventId = randomUUID();
    return {
      eventId,
      accountId: ACCT,
      eventTime: new Date(T0 + at * 1000 + i),
      eventName: 'GetCallerIdentity',
      eventSource: 'sts.amazonaws.com',
      readOnly: true,
      username: 'alice',
      accessKeyId: 'AKIAALICE00000000001',
      resources: [],
      // ~1 KB, the size of a real event: batches fill WAL pages.
      json: JSON.stringify({ eventID: eventId, pad: 'x'.repeat(1000) }),
    };
  });
}

describe('SQLite WAL checkpoints on a worker thread', () => {
  it('starts after the configured number of audit batches, checkpoints the WAL, and stops with the store', async () => {
    const filename = nextFile();
    const store = await openSqliteStore({ filename, masterKey: key, checkpointWorker: { afterAuditBatches: 3, intervalMs: 60_000 } });
    const cp = store.checkpointer;
    assert.ok(cp);
    await store.audit.append(batch(0, 16));
    await store.audit.append(batch(1, 16));
    assert.equal(cp.running, false, 'a quiet store runs no worker');
    await store.audit.append(batch(2, 16));
    assert.equal(cp.running, true);
    for (let b = 3; b < 40; b++) await store.audit.append(batch(b, 16));
    // The server's own connection no longer checkpoints at 1,000 pages: the worker does.
    const before = (await stat(`${filename}-wal`)).size;
    assert.ok(before > 100 * 4096, `the WAL holds the batches (${before} bytes)`);
    const s = await cp.pass();
    assert.ok(s.pages > 100, `the worker copied the WAL into the database (${s.pages} pages)`);
    assert.equal((await store.audit.lookup({ limit: 1000 })).length, 40 * 16);
    await store.close();
    assert.equal(cp.running, false);
    // Every event is in the database file itself once the store is closed.
    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      const events = raw.prepare('select count(*) as n from audit_event_ids').get() as { n: number };
      assert.equal(events.n, 640);
    } finally {
      raw.close();
    }
  });

  it('a worker that fails puts the server connection back on SQLite\'s own checkpoints', async () => {
    const filename = nextFile();
    const conn = new BetterSqlite3(filename);
    conn.pragma('journal_mode = WAL');
    const errors: unknown[] = [];
    // The worker opens its file with fileMustExist: a missing one makes it fail at once.
    const cp = new Checkpointer({ connection: conn, filename: join(dir, 'missing', 'nope.db'), onError: (e) => errors.push(e), backstopPages: 5000 });
    cp.start();
    assert.equal(conn.pragma('wal_autocheckpoint', { simple: true }), 5000);
    for (let i = 0; i < 200 && cp.running; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(cp.running, false);
    assert.equal(conn.pragma('wal_autocheckpoint', { simple: true }), DEFAULT_AUTOCHECKPOINT_PAGES);
    assert.equal(errors.length, 1);
    assert.deepEqual(await cp.pass(), { passes: 0, pages: 0 });
    conn.close();
  });

  it('is off for an in-memory store and when turned off', async () => {
    const mem = await openSqliteStore({ filename: ':memory:', masterKey: key });
    assert.equal(mem.checkpointer, undefined);
    await mem.close();
    const off = await openSqliteStore({ filename: nextFile(), masterKey: key, checkpointWorker: false });
    assert.equal(off.checkpointer, undefined);
    for (let b = 0; b < 70; b++) await off.audit.append(batch(b, 2));
    await off.close();
  });
});
