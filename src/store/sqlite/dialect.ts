/**
 * The SQLite specifics, isolated here so the shared query layer stays portable.
 *
 * - One connection, handed to one query or transaction at a time, in arrival order.
 * - Transactions begin IMMEDIATE: the write lock is taken up front, so a read-then-write
 *   transaction cannot fail half-way with SQLITE_BUSY when another process (a CLI command
 *   next to the server) writes the same file; it waits busy_timeout instead.
 * - Migrations run in a transaction: SQLite has transactional DDL (Kysely's adapter says it
 *   does not, to be conservative), so a failed migration leaves no half-built schema, and two
 *   processes opening a fresh file at once migrate one after the other.
 */
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDialectConfig } from 'kysely';
import type { SqlDialectHooks } from '../sql/context.js';

class ImmediateSqliteDriver extends SqliteDriver {
  // A FIFO in front of Kysely's connection mutex, which wakes every waiter on each release
  // (quadratic under a burst of parallel requests); here each release wakes exactly one.
  readonly #waiters: Array<() => void> = [];
  #held = false;

  override async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#held = true;
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    const next = this.#waiters.shift();
    if (next) next(); // hand over: #held stays true
    else this.#held = false;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class RolecallSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const sqliteHooks: SqlDialectHooks = {
  isUniqueViolation: (err) => {
    const c = sqliteCode(err);
    return c === 'SQLITE_CONSTRAINT_UNIQUE' || c === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  isForeignKeyViolation: (err) => sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  // In process, a statement costs no round trip: one cached single-row INSERT run N times binds
  // and executes cheaper than a multi-row one (see SqlDialectHooks.auditSingleRowInserts).
  auditSingleRowInserts: true,
};

/**
 * Audit batches commit with `synchronous = NORMAL`: in WAL mode the commit is written to the WAL
 * (the OS has it: a crash of the server process loses nothing) without the fsync FULL adds, which
 * would stall the event loop once per batch; the WAL is synced at the next FULL commit (any IAM
 * change) or checkpoint. "Transactions are durable across application crashes regardless of the
 * synchronous setting" (https://www.sqlite.org/pragma.html#pragma_synchronous).
 */
export const SQLITE_AUDIT_BATCH = { before: ['pragma synchronous = NORMAL'], after: ['pragma synchronous = FULL'] } as const;
