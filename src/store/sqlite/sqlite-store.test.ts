import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator } from 'kysely';
import { runStoreContract } from '../contract.js';
import { ACCT, T1, accessKey, role, user } from '../contract/fixtures.js';
import { MIGRATIONS, MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrateToLatest } from '../migrations/index.js';
import { MasterKey, SealError, Sealer } from '../sealing.js';
import { createSqlStore } from '../sql/index.js';
import { RolecallSqliteDialect, SQLITE_AUDIT_BATCH, sqliteHooks } from './dialect.js';
import { openSqliteStore, SQLITE_FILE } from './index.js';

const key = MasterKey.generate();
let dir = '';
let n = 0;
const nextFile = () => join(dir, `store-${++n}.db`);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-store-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

runStoreContract('sqlite', () => openSqliteStore({ filename: nextFile(), masterKey: key }), {
  durable: async () => {
    const filename = nextFile();
    return {
      open: () => openSqliteStore({ filename, masterKey: key }),
      files: () => [filename, `${filename}-wal`, `${filename}-shm`],
      dispose: async () => {
        for (const f of [filename, `${filename}-wal`, `${filename}-shm`]) await rm(f, { force: true });
      },
    };
  },
});

runStoreContract('sqlite :memory:', () => openSqliteStore({ filename: ':memory:', masterKey: key }));

describe('sqlite adapter specifics', () => {
  it('opens <dataDir>/rolecall.db in WAL mode with foreign keys, owner-only', async () => {
    const dataDir = join(dir, 'data-dir', 'nested');
    const s = await openSqliteStore({ dataDir, masterKey: key });
    assert.equal(s.filename, join(dataDir, SQLITE_FILE));
    await s.users.create(user('alice'));
    await s.close();
    assert.equal((await stat(s.filename)).mode & 0o777, 0o600);
    assert.equal((await stat(dataDir)).mode & 0o077, 0);
    const raw = new BetterSqlite3(s.filename, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      const migrations = raw.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as Array<{ name: string }>;
      assert.deepEqual(migrations.map((m) => m.name), Object.keys(MIGRATIONS).sort());
    } finally {
      raw.close();
    }
  });

  it('migrations are safe to run twice', async () => {
    const raw = new BetterSqlite3(nextFile());
    const db = new Kysely<any>({ dialect: new RolecallSqliteDialect({ database: raw }) });
    try {
      const first = await migrateToLatest(db);
      assert.deepEqual(first.map((r) => [r.migrationName, r.status]), Object.keys(MIGRATIONS).sort().map((name) => [name, 'Success']));
      assert.deepEqual(await migrateToLatest(db), []);
    } finally {
      await db.destroy();
    }
  });

  it('0002_audit carries the legacy last-use columns of roles and access keys over', async () => {
    const filename = nextFile();
    const raw = new BetterSqlite3(filename);
    const db = new Kysely<any>({ dialect: new RolecallSqliteDialect({ database: raw }) });
    const r = role('legacy', { lastUsed: { date: T1, region: 'eu-west-1' } });
    const k = accessKey({ lastUsed: { date: T1, service: 'iam', region: 'us-east-1' } });
    const unused = accessKey({ accessKeyId: 'AKIAUNUSEDLEGACYKEY0' });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) }, migrationTableName: MIGRATION_TABLE, migrationLockTableName: MIGRATION_LOCK_TABLE });
      const { error } = await migrator.migrateTo('0001_initial');
      assert.equal(error, undefined);
    } finally {
      await db.destroy();
    }
    // Rows as a 0001-era server wrote them.
    const old = new BetterSqlite3(filename);
    old.prepare(`insert into roles (id, account_id, name, name_lower, path, arn, created_at, assume_role_policy_document, trust_principal_ids, max_session_duration, tags, last_used_date, last_used_region) values (?, ?, ?, ?, '/', ?, ?, '{}', '[]', 3600, '[]', ?, ?)`).run(r.id, ACCT, r.name, r.name, r.arn, T1.toISOString(), T1.toISOString(), 'eu-west-1');
    for (const x of [k, unused]) {
      old.prepare(`insert into access_keys (access_key_id, account_id, user_id, secret_sealed, status, created_at, last_used_date, last_used_service, last_used_region) values (?, ?, null, 'x', 'Active', ?, ?, ?, ?)`).run(x.accessKeyId, ACCT, T1.toISOString(), x.lastUsed ? T1.toISOString() : null, x.lastUsed?.service ?? null, x.lastUsed?.region ?? null);
    }
    old.close();
    const s = await openSqliteStore({ filename, masterKey: key });
    try {
      assert.deepEqual(await s.audit.lastUsed('role', r.id), { date: T1, region: 'eu-west-1', service: 'sts' });
      assert.deepEqual(await s.audit.lastUsed('access-key', k.accessKeyId), { date: T1, region: 'us-east-1', service: 'iam' });
      assert.equal(await s.audit.lastUsed('access-key', unused.accessKeyId), undefined);
    } finally {
      await s.close();
    }
  });

  it('audit batches commit with synchronous = NORMAL on a held connection; everything else stays FULL', async () => {
    const raw = new BetterSqlite3(nextFile());
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    const log: string[] = [];
    const logged = {
      prepare: (q: string) => {
        log.push(q.toLowerCase().split(' ').slice(0, 3).join(' '));
        return raw.prepare(q);
      },
      close: () => raw.close(),
    };
    const db = new Kysely<any>({ dialect: new RolecallSqliteDialect({ database: logged }) });
    await migrateToLatest(db);
    const s = createSqlStore({ db, dialect: { ...sqliteHooks, auditBatch: SQLITE_AUDIT_BATCH }, sealer: new Sealer(key) });
    try {
      log.length = 0;
      const rec = { eventId: 'e1', accountId: ACCT, eventTime: T1, eventName: 'GetRole', eventSource: 'iam.amazonaws.com', readOnly: true, resources: [], json: '{}' };
      // An IAM write issued while the batch runs waits for the connection, after FULL is back.
      await Promise.all([s.audit.append([rec]), s.users.create(user('during'))]);
      // Format v2: the batch row, its event id, its pending lookup rows (written every few batches).
      const batch = ['insert into "audit_batches"', 'insert into "audit_event_ids"', 'insert into "audit_pending"'];
      assert.deepEqual(log, ['pragma synchronous =', 'begin immediate', ...batch, 'commit', 'pragma synchronous =', 'insert into "users"']);
      assert.equal(raw.pragma('synchronous', { simple: true }), 2, 'FULL again');
      // Inside a transaction of the caller's, the batch joins it (no pragma there).
      log.length = 0;
      await s.transaction((tx) => tx.audit.append([{ ...rec, eventId: 'e2' }]));
      assert.deepEqual(log, ['begin immediate', ...batch, 'commit']);
    } finally {
      await s.close();
    }
  });

  it('enforces foreign keys (the pragma is on)', async () => {
    const s = await openSqliteStore({ filename: ':memory:', masterKey: key });
    try {
      await s.users.create(user('alice'));
      await s.accessKeys.create(accessKey({ userName: 'alice' }));
      await s.users.delete(ACCT, 'alice'); // cascades only if foreign keys are enforced
      assert.deepEqual(await s.accessKeys.listForUser(ACCT, undefined), []);
    } finally {
      await s.close();
    }
  });

  it('with the wrong master key, secrets fail loudly instead of returning garbage', async () => {
    const filename = nextFile();
    const k = accessKey();
    let s = await openSqliteStore({ filename, masterKey: key });
    await s.accessKeys.create(k);
    await s.roles.create(role('r'));
    await s.close();
    s = await openSqliteStore({ filename, masterKey: MasterKey.generate() });
    try {
      assert.equal((await s.roles.get(ACCT, 'r'))?.name, 'r', 'non-secret data still reads');
      await assert.rejects(s.accessKeys.get(k.accessKeyId), SealError);
    } finally {
      await s.close();
    }
    // A rotation: the old key as a previous key opens it again.
    s = await openSqliteStore({ filename, masterKey: MasterKey.generate(), previousMasterKeys: [key] });
    try {
      assert.equal((await s.accessKeys.get(k.accessKeyId))?.secretAccessKey, k.secretAccessKey);
    } finally {
      await s.close();
    }
  });

  it('a tampered sealed column fails loudly', async () => {
    const filename = nextFile();
    const k = accessKey();
    let s = await openSqliteStore({ filename, masterKey: key });
    await s.accessKeys.create(k);
    await s.accessKeys.create(accessKey({ accessKeyId: 'AKIAOTHERKEY00000000' }));
    await s.close();
    const raw = new BetterSqlite3(filename);
    // Move another key's sealed secret onto this row: it must not open under this key's id.
    raw.prepare(`update access_keys set secret_sealed = (select secret_sealed from access_keys where access_key_id = 'AKIAOTHERKEY00000000') where access_key_id = ?`).run(k.accessKeyId);
    raw.close();
    s = await openSqliteStore({ filename, masterKey: key });
    try {
      await assert.rejects(s.accessKeys.get(k.accessKeyId), SealError);
    } finally {
      await s.close();
    }
  });

  it('backup() writes a consistent copy that opens with the same key', async () => {
    const filename = nextFile();
    const copy = join(dir, `backup-${n}.db`);
    const s = await openSqliteStore({ filename, masterKey: key });
    const k = accessKey();
    try {
      await s.accessKeys.create(k);
      await s.backup(copy);
    } finally {
      await s.close();
    }
    const restored = await openSqliteStore({ filename: copy, masterKey: key });
    try {
      assert.deepEqual(await restored.accessKeys.get(k.accessKeyId), k);
    } finally {
      await restored.close();
    }
  });

  it('two stores on one file: parallel single-statement writes from both land', async () => {
    const filename = nextFile();
    const a = await openSqliteStore({ filename, masterKey: key });
    const b = await openSqliteStore({ filename, masterKey: key });
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).users.create(user(`u${i}`))));
      assert.equal((await a.users.list(ACCT)).length, 40);
      assert.equal((await b.users.list(ACCT)).length, 40);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
