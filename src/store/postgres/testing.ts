/**
 * Test support for the PostgreSQL adapter (and the conformance and multi-node tests): the test
 * database comes from ROLECALL_TEST_DATABASE_URL (.ci/run starts a throwaway server and sets
 * it; scripts/pg-test-cluster.sh does the same for a developer). Without it the PostgreSQL tests
 * skip, saying why. Each test takes its own schema, so test files run in parallel on one
 * database, and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL_ENV = 'ROLECALL_TEST_DATABASE_URL';
export const NO_TEST_DATABASE = `PostgreSQL tests skipped: ${TEST_DATABASE_URL_ENV} is not set (eval "$(scripts/pg-test-cluster.sh start)" starts a throwaway server; .ci/run always does)`;

export function testDatabaseUrl(): string | undefined {
  const v = process.env[TEST_DATABASE_URL_ENV];
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/** `{ skip: reason }` for node:test when there is no test database, else `{}`. */
export function pgTestOptions(): { skip?: string } {
  return testDatabaseUrl() ? {} : { skip: NO_TEST_DATABASE };
}

/** A fresh schema name (created by the store on open). */
export function uniqueSchema(prefix = 't'): string {
  return `rc_${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs fn on a plain client of the test database. */
export async function withTestClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function dropSchemas(url: string, schemas: Iterable<string>): Promise<void> {
  const list = [...schemas];
  if (list.length === 0) return;
  await withTestClient(url, async (c) => {
    for (const s of list) await c.query(`drop schema if exists "${s.replace(/"/g, '""')}" cascade`);
  });
}

/** Empties every Rolecall table of a schema (faster than a new schema per contract case). */
export async function truncateSchema(url: string, schema: string): Promise<void> {
  await withTestClient(url, async (c) => {
    const { rows } = await c.query<{ t: string }>(`select quote_ident(table_name) as t from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' and table_name not like 'rolecall_migration%'`, [schema]);
    // DELETE, not TRUNCATE: on a few rows it is much faster (TRUNCATE makes and syncs new files).
    // Children before parents; session_replication_role skips the FK checks and triggers.
    await c.query('begin');
    await c.query(`set local session_replication_role = replica`);
    for (const r of rows) await c.query(`delete from "${schema}".${r.t}`);
    await c.query('commit');
  });
}
