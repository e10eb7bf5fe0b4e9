import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStoreContract } from '../contract.js';
import { ACCT, user } from '../contract/fixtures.js';
import { MasterKey } from '../sealing.js';
import { openPostgresStore, type OpenPostgresStoreOptions } from './index.js';
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
