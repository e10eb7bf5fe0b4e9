/**
 * The SQLite adapter: one file (`<dataDir>/rolecall.db`, WAL mode) behind the shared SQL query
 * layer. For a single node; many nodes share PostgreSQL instead.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { migrateToLatest } from '../migrations/index.js';
import type { Store } from '../ports.js';
import { MasterKey, Sealer } from '../sealing.js';
import { createSqlStore, type Database } from '../sql/index.js';
import { JournaledAuditRepo, recoverAuditJournal } from './audit-journal.js';
import { Checkpointer } from './checkpointer.js';
import { withStatementCache } from './statement-cache.js';
import { RolecallSqliteDialect, SQLITE_AUDIT_BATCH, sqliteHooks } from './dialect.js';

export const SQLITE_FILE = 'rolecall.db';
/** The audit journal's directory, next to the database file. */
export const AUDIT_JOURNAL_DIR = 'audit-journal';
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenSqliteStoreOptions {
  /** Directory holding `rolecall.db` (created, mode 0700, if missing). */
  dataDir?: string;
  /** The database file itself, or `:memory:`. Wins over dataDir. */
  filename?: string;
  /** Seals secrets at rest; see loadOrCreateMasterKey. Raw bytes must be 32 long. */
  masterKey: MasterKey | Uint8Array;
  /** Older master keys that may still open values sealed before a rotation. */
  previousMasterKeys?: ReadonlyArray<MasterKey | Uint8Array>;
  /** How long a write waits for another process's lock before failing (ms). */
  busyTimeoutMs?: number;
  /**
   * Fsync every audit batch (survives power loss, one disk sync per batch). Default false: audit
   * batches survive a crash of the server process and are synced with the next IAM change or
   * checkpoint (SQLITE_AUDIT_BATCH).
   */
  auditFsync?: boolean;
  /**
   * WAL checkpoints on a worker thread (checkpointer.ts) once `afterAuditBatches` audit batches
   * were appended (default 64: a store under a sustained audit load; a quiet one never needs
   * it); false: never (SQLite checkpoints on the committing connection, as by default).
   */
  checkpointWorker?: false | { afterAuditBatches?: number; intervalMs?: number };
  /**
   * Audit batches go to a journal file and are indexed into the database in large background
   * transactions (audit-journal.ts): the server's setting. Segments live in `<dir of the
   * database>/audit-journal/`; opening the store replays what a crashed server left there.
   */
  auditJournal?: boolean;
  /** Where the checkpoint worker and the journal's indexing report failures (default: ignored). */
  onBackgroundError?: (e: unknown) => void;
}

export interface SqliteStore extends Store {
  /** The database file (or `:memory:`). */
  readonly filename: string;
  /** The WAL checkpoint worker (undefined for `:memory:` or when turned off). */
  readonly checkpointer: Checkpointer | undefined;
  /** The audit journal in front of the audit tables (auditJournal), if any. */
  readonly auditJournal: JournaledAuditRepo | undefined;
  /**
   * Writes a consistent, compacted copy of the database to `file` (`VACUUM INTO`), safe while
   * the store is in use. The copy holds secrets sealed, like the original: keep the master key
   * to restore it. Fails if `file` exists. Do not call from inside a transaction.
   */
  backup(file: string): Promise<void>;
}

const asKey = (k: MasterKey | Uint8Array): MasterKey => (k instanceof MasterKey ? k : new MasterKey(k));

export async function openSqliteStore(opts: OpenSqliteStoreOptions): Promise<SqliteStore> {
  const filename = databaseFile(opts);
  const sealer = new Sealer(asKey(opts.masterKey), (opts.previousMasterKeys ?? []).map(asKey));
  const raw = new BetterSqlite3(filename, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  let db: Kysely<Database> | undefined;
  const statements = withStatementCache(raw);
  try {
    if (filename !== ':memory:') {
      const mode = raw.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`SQLite refused WAL mode for ${filename} (got ${String(mode)})`);
      restrictPermissions(filename);
    }
    raw.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    raw.pragma('foreign_keys = ON');
    raw.pragma('synchronous = FULL'); // a committed IAM change survives power loss
    db = new Kysely<Database>({ dialect: new RolecallSqliteDialect({ database: statements }) });
    await migrateToLatest(db);
  } catch (e) {
    if (db) await db.destroy();
    else raw.close();
    throw e;
  }
  const kysely = db;
  // Audit rows run straight on the one connection while the batch's transaction holds it.
  const runInBatch = (text: string, params: readonly unknown[]): void => void statements.prepare(text).run(params as unknown[]);
  // cold path: once per store
  const hooks = opts.auditFsync ? { ...sqliteHooks, runInBatch } : { ...sqliteHooks, auditBatch: SQLITE_AUDIT_BATCH, runInBatch };
  const store = createSqlStore({ db: kysely, dialect: hooks, sealer });
  const cw = opts.checkpointWorker === false ? undefined : opts.checkpointWorker;
  const checkpointer =
    filename === ':memory:' || opts.checkpointWorker === false
      ? undefined
      : new Checkpointer({ connection: raw, filename, ...(cw?.intervalMs !== undefined && { intervalMs: cw.intervalMs }), ...(opts.onBackgroundError && { onError: opts.onBackgroundError }) });
  if (checkpointer) {
    const startAfter = Math.max(0, cw?.afterAuditBatches ?? 64);
    let appended = 0;
    const append = store.audit.append.bind(store.audit);
    store.audit.append = async (records) => {
      await append(records);
      if (++appended >= startAfter && !checkpointer.running) checkpointer.start();
    };
    const close = store.close.bind(store);
    store.close = async () => {
      await checkpointer.stop();
      await close();
    };
  }
  let journal: JournaledAuditRepo | undefined;
  if (opts.auditJournal && filename !== ':memory:') {
    const dir = join(dirname(filename), AUDIT_JOURNAL_DIR);
    try {
      await recoverAuditJournal(dir, store.audit);
    } catch (e) {
      await store.close();
      throw e;
    }
    journal = new JournaledAuditRepo({ dir, inner: store.audit, ...(opts.auditFsync && { fsync: true }), ...(opts.onBackgroundError && { onError: opts.onBackgroundError }) });
    store.audit = journal;
    const close = store.close.bind(store);
    const j = journal;
    store.close = async () => {
      try {
        await j.close(); // what is left is committed, or stays journaled for the next open
      } catch (e) {
        opts.onBackgroundError?.(e);
      }
      await close();
    };
  }
  return Object.assign(store, {
    filename,
    checkpointer,
    auditJournal: journal,
    async backup(file: string): Promise<void> {
      await sql`vacuum into ${resolve(file)}`.execute(kysely);
    },
  });
}

function databaseFile(opts: OpenSqliteStoreOptions): string {
  if (opts.filename !== undefined) return opts.filename === ':memory:' ? opts.filename : resolve(opts.filename);
  if (opts.dataDir === undefined) throw new Error('openSqliteStore: give dataDir or filename');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  return resolve(join(opts.dataDir, SQLITE_FILE));
}

/** Owner-only: the file holds sealed secrets and the whole IAM configuration. SQLite gives the
 *  -wal and -shm files the database file's permissions. Best effort (e.g. not the owner). */
function restrictPermissions(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch {
    /* not ours to change: leave it */
  }
}
