/**
 * 0005_audit_batches on a store written in 0002's format (one audit_events row per event plus
 * audit_lookup rows, as the 0002-era repository wrote them): after the upgrade every event is
 * there, byte for byte, and every lookup finds what it found before. SQLite always; PostgreSQL
 * when ROLECALL_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { expected } from '../contract/audit-batches.js';
import { ACCT, ACCT2 } from '../contract/fixtures.js';
import type { AuditLookupKey, AuditQuery, AuditRecord, Store } from '../ports.js';
import { openPostgresStore } from '../postgres/index.js';
import { dropSchemas, pgTestOptions, testDatabaseUrl, uniqueSchema } from '../postgres/testing.js';
import { MasterKey } from '../sealing.js';
import { RolecallSqliteDialect } from '../sqlite/dialect.js';
import { openSqliteStore } from '../sqlite/index.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, MIGRATIONS } from './index.js';

const key = MasterKey.generate();
const BASE = Date.parse('2026-02-01T00:00:00.000Z');

/** Old-format events: two accounts, sparse and dense times (several batches each), shared ms. */
function oldEvents(): AuditRecord[] {
  const out: AuditRecord[] = [];
  const times = [0, 0, 1, 5, 400, 999, 1000, 1001, 1002, 5000, 5000, 86_400_000];
  for (let i = 0; i < 150; i++) {
    const t = BASE + (times[i % times.length] as number) + Math.floor(i / times.length) * 10;
    const eventId = `${t.toString(16)}-0000-7000-8000-${String(i).padStart(12, '0')}`;
    const r: AuditRecord = {
      eventId,
      accountId: i % 4 === 0 ? ACCT2 : ACCT,
      eventTime: new Date(t),
      eventName: i % 3 === 0 ? 'AssumeRole' : 'GetRole',
      eventSource: i % 3 === 0 ? 'sts.amazonaws.com' : 'iam.amazonaws.com',
      readOnly: i % 5 !== 0,
      resources: i % 3 === 0 ? [{ type: 'AWS::IAM::Role', name: 'arn:aws:iam::123456789012:role/app' }, { type: 'AWS::STS::AssumedRole', name: `sess${i % 4}` }] : [],
      // Verbatim, including what a re-serialization would change (spacing, key order, escapes).
      // (and one pretty-printed: a raw newline in an event's text must not shift the others).
      json: i === 3 ? `{\n  "eventID": "${eventId}"\n}` : `{"eventID":"${eventId}", "n":${i},"s":"caf\\u00e9 \u00e9 \\n","eventVersion":"1.08"}`,
    };
    if (i % 7 !== 0) r.username = i % 2 ? 'alice' : 'bob';
    if (i % 6 !== 0) r.accessKeyId = `AKIAOLD${String(i % 3).padStart(13, '0')}`;
    out.push(r);
  }
  return out;
}

/** What the 0002-era repository wrote for an event. */
async function insertOld(db: Kysely<any>, records: AuditRecord[]): Promise<void> {
  for (const r of records) {
    const time = r.eventTime.toISOString();
    await db
      .insertInto('audit_events')
      .values({ event_id: r.eventId, account_id: r.accountId, event_time: time, event_name: r.eventName, event_source: r.eventSource, read_only: r.readOnly ? 1 : 0, username: r.username ?? null, access_key_id: r.accessKeyId ?? null, resources: JSON.stringify(r.resources), event: r.json })
      .execute();
    const seen = new Set<string>();
    for (const res of r.resources) {
      for (const [attribute, value] of [
        ['ResourceType', res.type],
        ['ResourceName', res.name],
      ]) {
        if (seen.has(`${attribute}\u0000${value}`)) continue;
        seen.add(`${attribute}\u0000${value}`);
        await db.insertInto('audit_lookup').values({ event_id: r.eventId, account_id: r.accountId, attribute, value, event_time: time }).execute();
      }
    }
  }
}

async function migrateTo0004(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) }, migrationTableName: MIGRATION_TABLE, migrationLockTableName: MIGRATION_LOCK_TABLE, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error } = await migrator.migrateTo('0004_change_notify');
  assert.equal(error, undefined);
}

/** Everything visible as before: all events in order, every attribute, paging, EventId, pruning. */
async function checkUpgraded(s: Store, all: AuditRecord[]): Promise<void> {
  for (const accountId of [ACCT, ACCT2, undefined]) {
    for (const order of ['newest-first', 'oldest-first'] as const) {
      const q: AuditQuery = { limit: 1000, order, ...(accountId ? { accountId } : {}) };
      assert.deepEqual(await s.audit.lookup(q), expected(all, q), `${accountId} ${order}`);
    }
  }
  const attrs: Array<[AuditLookupKey, string]> = [
    ['EventName', 'AssumeRole'],
    ['EventSource', 'iam.amazonaws.com'],
    ['Username', 'bob'],
    ['AccessKeyId', 'AKIAOLD0000000000001'],
    ['ReadOnly', 'false'],
    ['ResourceType', 'AWS::STS::AssumedRole'],
    ['ResourceName', 'sess2'],
    ['EventId', all[17]!.eventId],
  ];
  for (const [k, value] of attrs) {
    const q: AuditQuery = { accountId: ACCT, limit: 7, attribute: { key: k, value } };
    assert.deepEqual(await s.audit.lookup(q), expected(all, q), k);
    assert.ok(expected(all, q).length > 0, `${k} finds something`);
  }
  // Paging through a cursor.
  const first = await s.audit.lookup({ accountId: ACCT, limit: 10 });
  const last = first.at(-1)!;
  const q: AuditQuery = { accountId: ACCT, limit: 10, after: { eventTime: last.eventTime, eventId: last.eventId } };
  assert.deepEqual(await s.audit.lookup(q), expected(all, q));
  // Upgraded events prune like new ones.
  const cut = new Date(BASE + 1001);
  const doomed = expected(all, { limit: 1000, order: 'oldest-first', before: cut });
  assert.equal(await s.audit.prune(cut, 1000), doomed.length);
  const rest = all.filter((r) => r.eventTime.getTime() >= cut.getTime());
  assert.deepEqual(await s.audit.lookup({ limit: 1000 }), expected(rest, { limit: 1000 }));
}

describe('migration 0005_audit_batches', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sqlite: moves every 0002-format event into batches; lookups answer as before; old tables gone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rolecall-0005-'));
    const filename = join(dir, 'old.db');
    const db = new Kysely<any>({ dialect: new RolecallSqliteDialect({ database: new BetterSqlite3(filename) }) });
    const all = oldEvents();
    try {
      await migrateTo0004(db);
      await insertOld(db, all);
    } finally {
      await db.destroy();
    }
    const s = await openSqliteStore({ filename, masterKey: key });
    try {
      await checkUpgraded(s, all);
    } finally {
      await s.close();
    }
    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      const tables = (raw.prepare(`select name from sqlite_master where type = 'table' and name like 'audit%' order by name`).all() as Array<{ name: string }>).map((r) => r.name);
      assert.deepEqual(tables, ['audit_batch_lookup', 'audit_batches', 'audit_event_ids', 'audit_last_used', 'audit_pending']);
      const ddl = (name: string) => (raw.prepare(`select sql from sqlite_master where name = ?`).get(name) as { sql: string }).sql.toLowerCase();
      assert.match(ddl('audit_batch_lookup'), /without rowid$/);
      assert.match(ddl('audit_event_ids'), /without rowid$/);
      assert.match(ddl('audit_pending'), /without rowid$/);
      // Grouped: consecutive events of an account within a second share a batch.
      const batches = (raw.prepare('select count(*) as n, max(span_ms) as s from audit_batches').get() as { n: number; s: number });
      assert.ok(batches.n < all.length / 2, `${batches.n} batches for ${all.length} events`);
      assert.ok(batches.s <= 1000);
    } finally {
      raw.close();
    }
  });

  const url = testDatabaseUrl();
  it('postgres: the same upgrade', pgTestOptions(), async () => {
    const schema = uniqueSchema('m0005');
    const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    const all = oldEvents();
    try {
      await sql`create schema ${sql.id(schema)}`.execute(db);
      await migrateTo0004(db, schema);
      await insertOld(db, all);
    } finally {
      await db.destroy();
    }
    try {
      const s = await openPostgresStore({ url: url as string, masterKey: key, listen: false, schema });
      try {
        await checkUpgraded(s, all);
      } finally {
        await s.close();
      }
    } finally {
      await dropSchemas(url as string, [schema]);
    }
  });
});
