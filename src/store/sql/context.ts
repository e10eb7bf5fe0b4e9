/**
 * What every repo of the shared SQL layer works with: the current query executor (the root
 * database or the active transaction), a way to run several statements atomically, the
 * dialect's few differences, and the sealer.
 */
import type { Kysely } from 'kysely';
import type { Sealer } from '../sealing.js';
import type { Database } from './schema.js';

/** The only things that differ between SQL engines for the shared repos. */
export interface SqlDialectHooks {
  /** A unique or primary-key constraint rejected the write. */
  isUniqueViolation(err: unknown): boolean;
  /** A foreign-key constraint rejected the write. */
  isForeignKeyViolation(err: unknown): boolean;
  /**
   * Statements run on the connection just before and after an audit batch's own transaction
   * (optional). SQLite uses them to commit audit batches with `synchronous = NORMAL`: durable
   * across a crash of the server process without an fsync on the event loop per batch, the
   * connection back to FULL for everything else (docs/audit.md, "Durability").
   */
  readonly auditBatch?: { readonly before: readonly string[]; readonly after: readonly string[] };
  /**
   * A deadlock or serialization failure: the database rolled the whole transaction back and
   * running it again may succeed (PostgreSQL under concurrent writers; never on SQLite).
   */
  isTransient?(err: unknown): boolean;
  /**
   * Audit batches insert one row per statement (the same prepared statement run again) instead
   * of multi-row INSERTs. Cheaper on SQLite, in process (measured: docs/audit.md, "Storage and
   * throughput"); unset where each statement is a network round trip (PostgreSQL).
   */
  auditSingleRowInserts?: boolean;
  /**
   * Runs one statement at once, synchronously, on the connection (in-process engines: SQLite).
   * Only while the audit batch holds the connection (inside `SqlContext.auditBatch`): it skips
   * the query executor and a promise per statement, which cost more than SQLite's own work for
   * an audit row.
   */
  runInBatch?(sql: string, params: readonly unknown[]): void;
  /**
   * `SELECT ... FOR UPDATE SKIP LOCKED` exists (PostgreSQL): nodes indexing pending audit
   * batches at the same time each take rows no other holds, instead of waiting (or deadlocking)
   * on each other's. Unset on SQLite, where one writer holds the whole database anyway.
   */
  skipLocked?: boolean;
  /**
   * The collation that sorts text by code point, for ORDER BY on names and ids (the contract's
   * order is the same on every engine, whatever the database's default collation). Unset where
   * the default already does (SQLite's BINARY).
   */
  binaryCollation?: string;
}

export interface SqlContext {
  /** The executor for the next statement: the active transaction if any, else the database. */
  db(): Kysely<Database>;
  /** Runs fn atomically; joins the active transaction if there is one. */
  atomic<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * As atomic, but a transaction of its own is wrapped in the dialect's `auditBatch` statements,
   * on one connection held throughout (nothing else runs on it in between).
   */
  auditBatch<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  readonly dialect: SqlDialectHooks;
  readonly sealer: Sealer;
}
