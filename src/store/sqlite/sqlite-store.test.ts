import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { runStoreContract } from '../contract.js';
import { ACCT, accessKey, role, user } from '../contract/fixtures.js';
import { MIGRATION_TABLE, MIGRATIONS, migrateToLatest } from '../migrations/index.js';
import { MasterKey, SealError } from '../sealing.js';
import { RolecallSqliteDialect } from './dialect.js';
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
