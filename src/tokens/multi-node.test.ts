/**
 * Two "nodes" (two SessionTokenServices, each with its own connection) over ONE real store (a
 * SQLite file, and a PostgreSQL schema when ROLECALL_TEST_DATABASE_URL is set): concurrent
 * rotation converges, each verifies the other's tokens, and the ring is sealed at rest.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.js';
import { cryptoRandom } from '../domain/random.js';
import { MasterKey } from '../store/sealing.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { dropSchemas, pgTestOptions, testDatabaseUrl, uniqueSchema } from '../store/postgres/testing.js';
import type { Store } from '../store/ports.js';
import { assumeRoleClaims, T0, writersBarrier } from './fixtures.js';
import { KEY_RING_SETTING } from './key-ring.js';
import { SessionTokenService } from './session-tokens.js';

const DAY = 86_400;
const masterKey = MasterKey.generate();
let dir = '';
let n = 0;
const pgUrl = testDatabaseUrl();
const schemas: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-tokens-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  if (pgUrl) await dropSchemas(pgUrl, schemas);
});

type Engine = 'sqlite' | 'postgres';

/** Two connections to one new database of the engine. */
async function openPair(engine: Engine): Promise<[Store, Store, string]> {
  if (engine === 'sqlite') {
    const filename = join(dir, `nodes-${++n}.db`);
    return [await openSqliteStore({ filename, masterKey }), await openSqliteStore({ filename, masterKey }), filename];
  }
  const schema = uniqueSchema('ring');
  schemas.push(schema);
  const open = () => openPostgresStore({ url: pgUrl as string, schema, masterKey, listen: false });
  const a = await open();
  return [a, await open(), schema];
}

async function twoNodes(opts: { race?: boolean; refreshMinIntervalMs?: number; engine?: Engine } = {}) {
  const [storeA, storeB, filename] = await openPair(opts.engine ?? 'sqlite');
  const clock = new ManualClock(T0 * 1000);
  const race = writersBarrier(opts.race ? 2 : 0);
  const mk = (s: Store) =>
    new SessionTokenService({ settings: race(s.settings), clock, random: cryptoRandom, refreshMinIntervalMs: opts.refreshMinIntervalMs ?? 20 });
  return {
    filename,
    clock,
    a: mk(storeA),
    b: mk(storeB),
    stores: [storeA, storeB],
    ringIds: async () => (JSON.parse((await storeA.settings.get(KEY_RING_SETTING)) as string) as { keys: Array<{ id: string }> }).keys.map((k) => k.id),
    close: async () => {
      await storeA.close();
      await storeB.close();
    },
  };
}

function sharedStoreCases(engine: Engine): void {
  it('creating the ring at the same moment converges on one key', async () => {
    const t = await twoNodes({ race: true, engine });
    try {
      const [ca, cb] = await Promise.all([t.a.issue(assumeRoleClaims()), t.b.issue(assumeRoleClaims())]);
      const ids = await t.ringIds();
      assert.equal(ids.length, 1);
      assert.deepEqual(t.a.keyRing.keyIds, ids);
      assert.deepEqual(t.b.keyRing.keyIds, ids);
      assert.ok((await t.a.open(cb.SessionToken, T0)).ok);
      assert.ok((await t.b.open(ca.SessionToken, T0)).ok);
    } finally {
      await t.close();
    }
  });

  it('rotating at the same moment converges on one ring and both verify each other', async () => {
    const t = await twoNodes({ engine });
    try {
      const before = await t.a.issue(assumeRoleClaims(T0, MAX_TEST_LIFETIME));
      await t.b.issue(assumeRoleClaims());
      t.clock.advance(DAY * 1000);
      // Both nodes find the active key expired and rotate concurrently.
      const race = writersBarrier(2);
      const c = new SessionTokenService({ settings: race(t.stores[0]!.settings), clock: t.clock, random: cryptoRandom, refreshMinIntervalMs: 20 });
      const d = new SessionTokenService({ settings: race(t.stores[1]!.settings), clock: t.clock, random: cryptoRandom, refreshMinIntervalMs: 20 });
      await Promise.all([c.keyRing.reload(), d.keyRing.reload()]);
      const [cc, cd] = await Promise.all([c.issue(assumeRoleClaims(T0 + DAY)), d.issue(assumeRoleClaims(T0 + DAY))]);
      const ids = await t.ringIds();
      assert.equal(ids.length, 2, 'old key + exactly one new key');
      assert.deepEqual(c.keyRing.keyIds, ids);
      assert.deepEqual(d.keyRing.keyIds, ids);
      for (const svc of [t.a, t.b, c, d]) {
        for (const token of [before.SessionToken, cc.SessionToken, cd.SessionToken]) assert.ok((await svc.open(token, T0 + DAY)).ok);
      }
    } finally {
      await t.close();
    }
  });

  it('a key freshly rotated on node A verifies on node B (B re-reads on the unknown key id)', async () => {
    const t = await twoNodes({ refreshMinIntervalMs: 1000, engine });
    try {
      await t.a.issue(assumeRoleClaims());
      assert.ok((await t.b.open((await t.a.issue(assumeRoleClaims())).SessionToken, T0)).ok);
      await t.a.keyRing.rotateNow();
      const fresh = await t.a.issue(assumeRoleClaims());
      const started = Date.now();
      assert.ok((await t.b.open(fresh.SessionToken, T0)).ok, 'opens once the rate limit lets B read');
      assert.ok(Date.now() - started < 2500);
      assert.deepEqual(t.b.keyRing.keyIds, await t.ringIds());
    } finally {
      await t.close();
    }
  });

}

describe('two nodes sharing one PostgreSQL schema', { timeout: 30_000, ...pgTestOptions() }, () => sharedStoreCases('postgres'));

describe('two nodes sharing one SQLite store', { timeout: 30_000 }, () => {
  sharedStoreCases('sqlite');

  it('the database file never holds a ring key in plaintext', async () => {
    const t = await twoNodes();
    let secrets: Buffer[] = [];
    try {
      await t.a.issue(assumeRoleClaims());
      t.clock.advance(DAY * 1000);
      await t.b.issue(assumeRoleClaims(T0 + DAY));
      const ring = JSON.parse((await t.stores[0]!.settings.get(KEY_RING_SETTING)) as string) as { keys: Array<{ id: string; secret: string }> };
      assert.equal(ring.keys.length, 2);
      secrets = ring.keys.map((k) => Buffer.from(k.secret, 'base64url'));
    } finally {
      await t.close();
    }
    const files = await Promise.all([t.filename, `${t.filename}-wal`].map((f) => readFile(f).catch(() => Buffer.alloc(0))));
    const haystack = Buffer.concat(files);
    assert.ok(haystack.indexOf(KEY_RING_SETTING) >= 0, 'scanning the bytes that hold the ring row');
    for (const s of secrets) {
      for (const needle of [s.toString('base64url'), s.toString('base64'), s.toString('hex'), s.toString('hex').toUpperCase()]) {
        assert.equal(haystack.indexOf(needle), -1, 'key text found in the database file');
        assert.equal(haystack.indexOf(Buffer.from(needle, 'utf16le')), -1);
      }
      assert.equal(haystack.indexOf(s), -1, 'raw key bytes found in the database file');
    }
    assert.equal(haystack.indexOf('"retireAfter"'), -1, 'the ring JSON is sealed');
  });
});

const MAX_TEST_LIFETIME = 129_600;
