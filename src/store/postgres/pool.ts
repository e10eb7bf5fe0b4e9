/**
 * The pg connection pool and what Kysely gets from it.
 *
 * - Every error a query or a connection attempt raises goes through toStoreError, so the query
 *   layer (and the gateway) see StoreUnavailableError when the database is out of reach.
 * - A client whose connection failed is destroyed when released, never handed out again.
 * - pg emits 'error' on a client whose connection drops while nobody is querying (a database
 *   restart): without a listener Node would crash the process, so every client and the pool
 *   get one that logs (a password-free summary: pg's error objects can reference the client,
 *   whose configuration holds the password, so they are never logged whole).
 * - bigint (int8) columns arrive as JS numbers, exact or refused, like better-sqlite3's.
 */
import pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { describeCause, toStoreError } from './errors.js';
import type { DatabaseTarget } from './target.js';

export interface StoreLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export const silentLog: StoreLog = { warn() {}, info() {} };

export interface PoolSettings {
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
  applicationName: string;
  /** search_path for every connection (undefined: the server's default). */
  schema?: string;
}

const INT8_OID = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`store: bigint ${text} is beyond exact JS numbers`);
  return n;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/** Connection settings shared by the pool, the migration client and the change listener. */
export function clientConfig(target: DatabaseTarget, s: PoolSettings, appSuffix = ''): pg.ClientConfig {
  const config: pg.ClientConfig = {
    connectionString: target.url,
    connectionTimeoutMillis: s.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: s.applicationName + appSuffix,
    types,
  };
  if (s.statementTimeoutMs > 0) {
    config.statement_timeout = s.statementTimeoutMs;
    // A server that stopped answering (network partition) never cancels anything: give up on
    // the client side a little after the server would have.
    config.query_timeout = s.statementTimeoutMs + 2000;
    // A node that died inside a transaction must not hold its locks for long.
    config.idle_in_transaction_session_timeout = Math.max(10_000, s.statementTimeoutMs * 4);
  }
  if (s.schema !== undefined) config.options = `-c search_path=${s.schema}`;
  return config;
}

export function createPool(target: DatabaseTarget, s: PoolSettings, log: StoreLog): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(target, s), max: s.max, idleTimeoutMillis: s.idleTimeoutMs });
  pool.on('error', (err) => log.warn({ cause: describeCause(err, target) }, 'database connection lost (idle)'));
  pool.on('connect', (client) => {
    client.on('error', (err) => log.warn({ cause: describeCause(err, target) }, 'database connection lost'));
  });
  return pool;
}

/** The pool as Kysely's PostgresDialect wants it, with errors sorted on the way out. */
export function kyselyPool(pool: pg.Pool, target: DatabaseTarget): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw toStoreError(e, target, true);
      }
      let broken = false;
      const query = async (text: string, params: ReadonlyArray<unknown>) => {
        try {
          return await client.query(text, params as unknown[]);
        } catch (e) {
          const out = toStoreError(e, target, false);
          if (out !== e) broken = true;
          throw out;
        }
      };
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy || broken ? true : undefined),
      };
    },
    end: () => pool.end(),
  };
}
