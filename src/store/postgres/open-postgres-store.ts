/**
 * The PostgreSQL adapter: the shared SQL query layer over a pg connection pool, for many
 * stateless nodes sharing one database (docs/postgres.md).
 *
 * Opening:
 *  1. One dedicated connection takes a session advisory lock (per schema), creates the schema if
 *     asked, runs the migrations and checks the master key, then unlocks: nodes starting at
 *     once migrate one after the other, and the later ones find nothing to do.
 *  2. The pool serves the query layer; a LISTEN connection feeds change notifications.
 *
 * The master key check: every node must seal and open with the same master key. A sealed
 * marker setting is written by the first node; a node whose key cannot open it refuses to start
 * (rather than failing on every secret it reads later).
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { MIGRATION_TABLE, MIGRATIONS, migrateToLatest } from '../migrations/index.js';
import type { ChangeFeed, Store } from '../ports.js';
import { MasterKey, SealError, Sealer } from '../sealing.js';
import { createSqlStore, type Database } from '../sql/index.js';
import { PgChangeFeed } from './change-feed.js';
import { postgresHooks } from './dialect.js';
import { toStoreError } from './errors.js';
import { clientConfig, createPool, kyselyPool, silentLog, type PoolSettings, type StoreLog } from './pool.js';
import { parseDatabaseUrl, type DatabaseTarget } from './target.js';

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** How long a starting node waits for another node's migration (one statement: the lock). */
const MIGRATION_LOCK_WAIT_MS = 120_000;
/** Advisory-lock namespace: 'Role' in ASCII; the second key is hashtext(schema). */
const LOCK_NAMESPACE = 0x526f6c65;
const MASTER_KEY_CHECK = 'store:master-key-check';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface OpenPostgresStoreOptions {
  /** postgres://user:password@host:port/database[?sslmode=...] */
  url: string;
  masterKey: MasterKey | Uint8Array;
  previousMasterKeys?: ReadonlyArray<MasterKey | Uint8Array>;
  /** Schema holding Rolecall's tables (created if missing); default: the server's search_path. */
  schema?: string;
  /** Most connections this node opens for queries (default 10; +1 for notifications). */
  poolMax?: number;
  /** Connecting (or waiting for a pooled connection) gives up after this (default 5000 ms). */
  connectTimeoutMs?: number;
  /** The server cancels a statement running longer than this (default 5000 ms; 0: no limit). */
  statementTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** application_name seen in pg_stat_activity (default `rolecall`). */
  applicationName?: string;
  /** LISTEN for changes made elsewhere (default true; a one-shot CLI command does not need it). */
  listen?: boolean;
  /** How often the LISTEN connection is probed (default 5000 ms). */
  probeIntervalMs?: number;
  log?: StoreLog;
}

export interface PostgresStore extends Store {
  /** `user@host:port/database`, password-free. */
  readonly target: string;
  /** The schema holding the tables. */
  readonly schema: string;
  /** Changes committed by any node; present unless opened with `listen: false`. */
  readonly changes?: ChangeFeed;
}

const asKey = (k: MasterKey | Uint8Array): MasterKey => (k instanceof MasterKey ? k : new MasterKey(k));

export async function openPostgresStore(opts: OpenPostgresStoreOptions): Promise<PostgresStore> {
  const target = parseDatabaseUrl(opts.url);
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) throw new Error(`invalid database schema name ${JSON.stringify(opts.schema)} (lower-case letters, digits and _, at most 63)`);
  const log = opts.log ?? silentLog;
  const settings: PoolSettings = {
    max: positive('pool size', opts.poolMax ?? DEFAULT_POOL_MAX),
    connectTimeoutMs: positive('connect timeout', opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    statementTimeoutMs: nonNegative('statement timeout', opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS),
    idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    applicationName: opts.applicationName ?? 'rolecall',
  };
  if (opts.schema !== undefined) settings.schema = opts.schema;
  const sealer = new Sealer(asKey(opts.masterKey), (opts.previousMasterKeys ?? []).map(asKey));

  const schema = await prepareDatabase(target, settings, sealer);

  const pool = createPool(target, settings, log);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: kyselyPool(pool, target) }) });
  let feed: PgChangeFeed | undefined;
  try {
    if (opts.listen !== false) {
      // No statement timeout (LISTEN waits by design), but a probe that gets no answer within
      // the connect timeout means a dead connection (a silent network partition).
      const listenConfig = { ...clientConfig(target, { ...settings, statementTimeoutMs: 0 }, '-listen'), query_timeout: settings.connectTimeoutMs };
      feed = new PgChangeFeed({ target, config: listenConfig, schema, log, ...(opts.probeIntervalMs ? { probeIntervalMs: opts.probeIntervalMs } : {}) });
      await feed.start().catch((e: unknown) => {
        throw toStoreError(e, target, true);
      });
    }
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const changes = feed;
  const store = createSqlStore({ db, dialect: postgresHooks, sealer, onClose: () => changes?.close() });
  return Object.assign(store, { target: target.description, schema, ...(changes ? { changes } : {}) });
}

/**
 * Schema, migrations and the master-key check on one connection, under an advisory lock so
 * nodes starting together take turns. Returns the schema in use.
 */
async function prepareDatabase(target: DatabaseTarget, settings: PoolSettings, sealer: Sealer): Promise<string> {
  // No search_path yet when the schema may not exist; statement timeout generous for the lock.
  const config = clientConfig(target, { ...settings, statementTimeoutMs: MIGRATION_LOCK_WAIT_MS }, '-migrate');
  delete config.options;
  const client = new pg.Client(config);
  client.on('error', () => undefined); // reported through the failing query below
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw toStoreError(e, target, true);
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: singleClientPool(client) }) });
  try {
    return await db.connection().execute(async (conn) => {
      const lockSchema = settings.schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(conn)).rows[0]?.s ?? 'public';
      // The usual start: another node migrated already. Check that without the lock.
      if (await isMigrated(conn, lockSchema)) {
        if (settings.schema !== undefined) await sql`select set_config('search_path', ${quoteIdent(settings.schema)}, false)`.execute(conn);
        await checkMasterKey(conn, lockSchema, sealer);
        return lockSchema;
      }
      await sql`select pg_advisory_lock(${LOCK_NAMESPACE}::int4, hashtext(${lockSchema}))`.execute(conn);
      try {
        if (settings.schema !== undefined) {
          await sql`create schema if not exists ${sql.id(settings.schema)}`.execute(conn);
          await sql`select set_config('search_path', ${quoteIdent(settings.schema)}, false)`.execute(conn);
        }
        const schema = (await sql<{ s: string | null }>`select current_schema() as s`.execute(conn)).rows[0]?.s;
        if (!schema) throw new Error('the database has no schema to create tables in (search_path is empty); set --database-schema');
        await migrateToLatest(conn, { schema });
        await checkMasterKey(conn, schema, sealer);
        return schema;
      } finally {
        await sql`select pg_advisory_unlock(${LOCK_NAMESPACE}::int4, hashtext(${lockSchema}))`.execute(conn).catch(() => undefined);
      }
    });
  } catch (e) {
    throw toStoreError(e, target, false);
  } finally {
    await db.destroy();
  }
}

/** Every migration this build knows is recorded as applied in `schema`. */
async function isMigrated(db: Kysely<any>, schema: string): Promise<boolean> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.id(schema, MIGRATION_TABLE)} where name = any(${Object.keys(MIGRATIONS)})`
    .execute(db)
    .catch((e: unknown) => {
      if ((e as { code?: string }).code === '42P01' || (e as { code?: string }).code === '3F000') return { rows: [] }; // no table / no schema yet
      throw e;
    });
  return rows.length === Object.keys(MIGRATIONS).length;
}

/** The master-key marker: written sealed by the first node, opened by every later one. */
async function checkMasterKey(db: Kysely<any>, schema: string, sealer: Sealer): Promise<void> {
  const store = createSqlStore({ db, dialect: postgresHooks, sealer });
  await store.settings.compareAndSet(MASTER_KEY_CHECK, undefined, 'rolecall');
  try {
    await store.settings.get(MASTER_KEY_CHECK);
  } catch (e) {
    if (!(e instanceof SealError)) throw e;
    const row = (await db.selectFrom('settings').select('value_sealed').where('key', '=', MASTER_KEY_CHECK).executeTakeFirst()) as { value_sealed: string } | undefined;
    const kid = row?.value_sealed.split('.')[1] ?? 'unknown';
    throw new Error(
      `this database's secrets (schema ${schema}) are sealed under master key ${kid}, but this node's master key is ${sealer.primaryKeyId}: ` +
        'start every node with the same ROLECALL_MASTER_KEY (or the same master.key file); a rotated key goes in as a previous key',
    );
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** One already-connected client as a Kysely pool (never shared, never released for real). */
function singleClientPool(client: pg.Client) {
  return {
    async connect() {
      return { query: ((text: string, params: unknown[]) => client.query(text, params)) as never, release() {} };
    },
    end: () => client.end(),
  };
}

function positive(what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`database ${what} must be a positive whole number, got ${n}`);
  return n;
}

function nonNegative(what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`database ${what} must be a whole number >= 0, got ${n}`);
  return n;
}
