import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStoreContract } from '../contract.js';
import { ACCT, mfaDevice, role, T1, user } from '../contract/fixtures.js';
import { oidcProvider } from '../contract/oidc-providers.js';
import { samlProvider } from '../contract/saml-providers.js';
import { MIGRATION_TABLE, MIGRATIONS } from '../migrations/index.js';
import { StoreUnavailableError, type StoreChange } from '../ports.js';
import { MasterKey } from '../sealing.js';
import { openPostgresStore, type OpenPostgresStoreOptions, type PostgresStore } from './index.js';
import { dropSchemas, pgTestOptions, testDatabaseUrl, truncateSchema, uniqueSchema, withTestClient } from './testing.js';

const url = testDatabaseUrl();
const key = MasterKey.generate();
const schemas = new Set<string>();
const fresh = (prefix = 't') => {
  const s = uniqueSchema(prefix);
  schemas.add(s);
  return s;
};
after(async () => {
  if (url) await dropSchemas(url, schemas);
});

const open = (o: Partial<OpenPostgresStoreOptions> = {}) => openPostgresStore({ url: url as string, masterKey: key, listen: false, ...o });

/** The server's files holding this database (data and WAL), when the test cluster is local. */
function databaseFiles(dbOid: number | undefined): string[] {
  const dir = process.env.ROLECALL_TEST_PG_DIR;
  if (!dir || dbOid === undefined) return [];
  const out: string[] = [];
  for (const sub of [join(dir, 'data', 'base', String(dbOid)), join(dir, 'data', 'pg_wal')]) {
    let names: string[];
    try {
      names = readdirSync(sub);
    } catch {
      return [];
    }
    for (const n of names) {
      const f = join(sub, n);
      if (statSync(f).isFile()) out.push(f);
    }
  }
  return out;
}

if (!url) {
  describe('store contract: postgres', () => {
    it('runs against a PostgreSQL server', pgTestOptions(), () => undefined);
  });
} else {
  // One schema for the contract, emptied before each case (a new schema per case costs more).
  const contractSchema = fresh('contract');
  let dbOid: number | undefined;
  runStoreContract(
    'postgres',
    async () => {
      await truncateSchema(url, contractSchema);
      return open({ schema: contractSchema });
    },
    {
      durable: async () => {
        const schema = fresh('durable');
        dbOid ??= await withTestClient(url, async (c) => Number((await c.query('select oid from pg_database where datname = current_database()')).rows[0].oid));
        return {
          open: () => open({ schema }),
          files: () => databaseFiles(dbOid),
          dispose: () => dropSchemas(url, [schema]),
        };
      },
    },
  );
}

describe('postgres adapter specifics', pgTestOptions(), () => {
  it('sorts names in code-point order whatever the database collation', async () => {
    const s = await open({ schema: fresh() });
    try {
      const names = ['a_b', 'A', 'a-b', 'ab', 'a.b', 'Ab1', 'a+b', 'a=b', 'a@b', 'a,b'];
      for (const n of names) await s.users.create(user(n));
      const got = (await s.users.list(ACCT)).map((u) => u.name);
      const want = [...names].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0));
      assert.deepEqual(got, want);
    } finally {
      await s.close();
    }
  });
});

/** A URL like the test database's with another password / port. */
function variant(u: string, change: (x: URL) => void): string {
  const x = new URL(u);
  change(x);
  return x.href;
}

function waitFor(events: StoreChange[], pred: (c: StoreChange) => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (events.some(pred)) resolve();
      else if (Date.now() > deadline) reject(new Error(`no matching change within ${ms} ms; got ${JSON.stringify(events)}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('postgres adapter: opening', pgTestOptions(), () => {
  it('nodes opening a fresh schema at once migrate it exactly once', async () => {
    const schema = fresh('race');
    const stores = await Promise.all(Array.from({ length: 5 }, () => open({ schema })));
    try {
      await Promise.all(stores.map((s, i) => s.users.create(user(`u${i}`))));
      assert.equal((await stores[0]!.users.list(ACCT)).length, 5);
      const applied = await withTestClient(url as string, async (c) => (await c.query(`select name from "${schema}".${MIGRATION_TABLE} order by name`)).rows.map((r) => r.name));
      assert.deepEqual(applied, Object.keys(MIGRATIONS).sort());
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a node with another master key refuses to start, naming both key ids (never the keys)', async () => {
    const schema = fresh();
    const a = await open({ schema });
    await a.close();
    const other = MasterKey.generate();
    await assert.rejects(open({ schema, masterKey: other }), (e: Error) => {
      assert.match(e.message, new RegExp(`sealed under master key ${key.id}.*this node's master key is ${other.id}`));
      assert.match(e.message, /ROLECALL_MASTER_KEY/);
      assert.ok(!e.message.includes(other.exportBase64()) && !e.message.includes(key.exportBase64()));
      return true;
    });
    // The old key as a previous key opens it again (a master-key rotation).
    const rotated = await open({ schema, masterKey: other, previousMasterKeys: [key] });
    await rotated.close();
  });

  it('an unreachable server fails fast with StoreUnavailableError, password-free', async () => {
    const port = await new Promise<number>((resolve) => {
      // A port nobody listens on: bind, read it, close.
      import('node:net').then(({ createServer }) => {
        const srv = createServer();
        srv.listen(0, '127.0.0.1', () => {
          const p = (srv.address() as { port: number }).port;
          srv.close(() => resolve(p));
        });
      });
    });
    const secret = 'Secr3t-Passw0rd-For-Unreachable';
    const bad = variant(url as string, (x) => {
      x.port = String(port);
      x.password = secret;
    });
    const t0 = Date.now();
    await assert.rejects(open({ url: bad, connectTimeoutMs: 2000 }), (e: Error) => {
      assert.ok(e instanceof StoreUnavailableError, String(e));
      assert.match(e.message, /ECONNREFUSED/);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.ok(!e.message.includes(secret), e.message);
      assert.ok(!JSON.stringify(e).includes(secret));
      return true;
    });
    assert.ok(Date.now() - t0 < 2000, 'connection refused is reported at once');
  });

  it('a wrong password is reported without the password', async () => {
    const secret = 'Wr0ng-Passw0rd-Never-Logged%2F';
    await assert.rejects(open({ url: variant(url as string, (x) => (x.password = secret)) }), (e: Error) => {
      assert.ok(e instanceof StoreUnavailableError, String(e));
      assert.match(e.message, /28P01|password authentication failed/);
      assert.ok(!e.message.includes(secret) && !e.message.includes(decodeURIComponent(secret)), e.message);
      return true;
    });
  });
});

describe('postgres adapter: several nodes on one database', pgTestOptions(), () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let schema: string;
  const seen: StoreChange[] = [];

  it('opens two nodes, the first listening', async () => {
    schema = fresh('nodes');
    a = await open({ schema, listen: true, probeIntervalMs: 200, applicationName: `rc-${schema}` });
    b = await open({ schema });
    a.changes?.subscribe((c) => seen.push(c));
  });

  it('compareAndSet from both nodes at once: exactly one wins', async () => {
    await a.settings.put('ring', 'v0');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).settings.compareAndSet('ring', 'v0', `v1-${i}`)));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal(await b.settings.get('ring'), `v1-${winner}`);
  });

  it('an MFA time step is accepted once across nodes', async () => {
    await a.users.create(user('mfa-user'));
    await a.mfaDevices.create(mfaDevice('m1', { userName: 'mfa-user', enabledAt: T1 }));
    const serial = (await a.mfaDevices.list(ACCT))[0]!.serialNumber;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).mfaDevices.consumeTimeStep(serial, 55_555_555)));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await b.mfaDevices.get(serial))?.lastUsedTimeStep, 55_555_555);
  });

  it("another node's committed write is announced; a rolled-back one and a usage stamp are not", async () => {
    seen.length = 0;
    await b.users.create(user('announced'));
    await waitFor(seen, (c) => c.table === 'users', 3000);
    await b.roles.create(role('stamped'));
    await waitFor(seen, (c) => c.table === 'roles', 3000);
    seen.length = 0;
    await b.transaction(async (tx) => {
      await tx.groups.create({ accountId: ACCT, name: 'never', path: '/', id: 'AGPAROLLEDBACK000001', arn: `arn:aws:iam::${ACCT}:group/never`, createdAt: T1 });
      throw new Error('roll back');
    }).catch(() => undefined);
    await b.roles.update(ACCT, 'stamped', { lastUsed: { date: T1, region: 'eu-west-1' } });
    // A write that does notify, after them: once it arrives the others would have too.
    await b.settings.put('marker', 'x');
    await waitFor(seen, (c) => c.table === 'settings', 3000);
    assert.deepEqual(seen.filter((c) => c.table !== 'settings'), [], 'nothing for the rollback or the last-used stamp');
    await b.roles.update(ACCT, 'stamped', { description: 'a real change' });
    await waitFor(seen, (c) => c.table === 'roles', 3000);
  });

  it('a change to an OIDC provider is announced (0006 adds the table to the feed)', async () => {
    seen.length = 0;
    await b.oidcProviders.create(oidcProvider('issuer.example.com'));
    await waitFor(seen, (c) => c.table === 'oidc_providers', 3000);
    seen.length = 0;
    await b.oidcProviders.update(ACCT, 'issuer.example.com', { clientIds: ['other'] });
    await waitFor(seen, (c) => c.table === 'oidc_providers', 3000);
  });

  it('a change to a SAML provider is announced (0007 adds the table to the feed)', async () => {
    seen.length = 0;
    await b.samlProviders.create(samlProvider('corp'));
    await waitFor(seen, (c) => c.table === 'saml_providers', 3000);
    seen.length = 0;
    await b.samlProviders.update(ACCT, 'corp', { tags: [{ Key: 'a', Value: 'b' }] });
    await waitFor(seen, (c) => c.table === 'saml_providers', 3000);
  });

  it('a lost notification connection resyncs and reconnects', async () => {
    seen.length = 0;
    const before = (a.changes as unknown as { connects: number }).connects;
    const killed = await withTestClient(url as string, async (c) => (await c.query(`select pg_terminate_backend(pid) as k from pg_stat_activity where application_name = $1`, [`rc-${schema}-listen`])).rowCount);
    assert.ok((killed ?? 0) >= 1);
    await waitFor(seen, (c) => c.resync === true, 3000);
    const deadline = Date.now() + 5000;
    while ((a.changes as unknown as { connects: number }).connects === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok((a.changes as unknown as { connects: number }).connects > before, 'reconnected');
    seen.length = 0;
    await b.users.create(user('after-reconnect'));
    await waitFor(seen, (c) => c.table === 'users', 3000);
  });

  it('a statement stuck behind a lock times out as StoreUnavailableError', async () => {
    const c = await open({ schema, statementTimeoutMs: 300 });
    try {
      await withTestClient(url as string, async (admin) => {
        await admin.query('begin');
        await admin.query(`lock table "${schema}".users in access exclusive mode`);
        try {
          const t0 = Date.now();
          await assert.rejects(c.users.get(ACCT, 'announced'), (e: Error) => {
            assert.ok(e instanceof StoreUnavailableError, String(e));
            assert.match(e.message, /57014/);
            return true;
          });
          assert.ok(Date.now() - t0 < 3000);
        } finally {
          await admin.query('rollback');
        }
      });
      assert.ok(await c.users.get(ACCT, 'announced'), 'the pool recovers');
    } finally {
      await c.close();
    }
  });

  it('closes both', async () => {
    await a.close();
    await b.close();
  });
});
