/**
 * The Store over any Kysely database: the query layer every SQL adapter shares. An adapter
 * (sqlite/, postgres/) opens the connection, runs the migrations, and hands the Kysely
 * instance here with its dialect hooks.
 *
 * Transactions: `transaction(fn)` runs fn in one database transaction and gives it a Store
 * bound to it. Nested calls join the outer transaction (no savepoints: an inner failure fails
 * the whole unit). The active transaction is also tracked with AsyncLocalStorage, so a call
 * made on the root Store from inside fn's async flow joins the transaction instead of waiting
 * for the connection the transaction holds (which would deadlock on SQLite's one connection).
 *
 * INVARIANT: a Store bound to a finished transaction refuses to run statements (they would
 * otherwise run outside any transaction).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely } from 'kysely';
import type { Store } from '../ports.js';
import type { Sealer } from '../sealing.js';
import { accessKeyRepo } from './access-keys.js';
import { accountRepo } from './accounts.js';
import { attachmentRepo } from './attachments.js';
import { auditRepo } from './audit.js';
import type { SqlContext, SqlDialectHooks } from './context.js';
import { groupRepo } from './groups.js';
import { inlinePolicyRepo } from './inline-policies.js';
import { instanceProfileRepo } from './instance-profiles.js';
import { instanceRepo, taskRepo } from './workloads.js';
import { mfaDeviceRepo } from './mfa-devices.js';
import { oidcProviderRepo } from './oidc-providers.js';
import { samlProviderRepo } from './saml-providers.js';
import { policyRepo } from './policies.js';
import { roleRepo } from './roles.js';
import type { Database } from './schema.js';
import { settingsRepo } from './settings.js';
import { userRepo } from './users.js';

export interface SqlStoreOptions {
  db: Kysely<Database>;
  dialect: SqlDialectHooks;
  sealer: Sealer;
  /** Called once by close(), after the database is destroyed. */
  onClose?: () => Promise<void> | void;
}

const MAX_TRANSACTION_ATTEMPTS = 5;

/** An open transaction: its connection, whether it ended, and its Store (built on first use). */
class ActiveTx {
  done = false;
  #store: Store | undefined;
  constructor(
    readonly trx: Kysely<Database>,
    private readonly build: (tx: ActiveTx) => Store,
  ) {}

  get store(): Store {
    return (this.#store ??= this.build(this));
  }
}

export function createSqlStore(opts: SqlStoreOptions): Store {
  const root = opts.db;
  const als = new AsyncLocalStorage<ActiveTx>();
  /** Transactions whose callback has not settled (see attempt()). */
  let inFlight = 0;
  let closed = false;

  const active = (): ActiveTx | undefined => {
    const t = als.getStore();
    return t && !t.done ? t : undefined;
  };

  function attempt<T>(fn: (tx: ActiveTx) => Promise<T>, on: Kysely<Database> = root): Promise<T> {
    return on.transaction().execute((trx) => {
      // The transaction's Store (14 repositories) is built on first use: an audit batch, the
      // busiest transaction, never asks for it. (A class: an object literal's getter would be a
      // new accessor pair and closure per transaction, see src/gateway/request-context.ts.)
      const tx = new ActiveTx(trx, build);
      inFlight++;
      return als.run(tx, () => fn(tx)).finally(() => {
        tx.done = true;
        // With no transaction open, nothing needs the context: disabling it turns node's async
        // hooks off (AsyncLocalStorage keeps them on while enabled, a cost on every promise and
        // socket callback of every request, most of which open no transaction). run() turns
        // them on again for the next one.
        if (--inFlight === 0) als.disable();
      });
    });
  }

  /**
   * An outermost transaction. A deadlock or serialization failure rolled the whole unit back, so
   * it runs again (a few times, after a short random pause): fn only reads and writes through
   * the transaction, so a second run starts from scratch.
   */
  async function begin<T>(fn: (tx: ActiveTx) => Promise<T>, on: Kysely<Database> = root): Promise<T> {
    for (let round = 1; ; round++) {
      try {
        return await attempt(fn, on);
      } catch (e) {
        if (round >= MAX_TRANSACTION_ATTEMPTS || !opts.dialect.isTransient?.(e)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * round));
      }
    }
  }

  /** A transaction between the dialect's audit-batch statements, all on one held connection. */
  async function beginAuditBatch<T>(fn: (tx: ActiveTx) => Promise<T>): Promise<T> {
    const around = opts.dialect.auditBatch;
    if (!around) return begin(fn);
    // In-process engines run the statements at once on the held connection (no query round trip).
    const run = opts.dialect.runInBatch;
    const exec = run ? (s: string) => run(s, []) : (s: string, conn: Kysely<Database>) => sql.raw(s).execute(conn);
    return root.connection().execute(async (conn) => {
      for (const s of around.before) await exec(s, conn);
      try {
        return await begin(fn, conn);
      } finally {
        for (const s of around.after) await exec(s, conn);
      }
    });
  }

  function build(bound: ActiveTx | undefined): Store {
    const current = (): ActiveTx | undefined => {
      if (bound) {
        if (bound.done) throw new Error('store: this transaction has already finished');
        return bound;
      }
      return active();
    };

    const ctx: SqlContext = {
      dialect: opts.dialect,
      sealer: opts.sealer,
      db: () => {
        const tx = current();
        if (tx) return tx.trx;
        if (closed) throw new Error('store: closed');
        return root;
      },
      atomic: (fn) => {
        const tx = current();
        return tx ? fn(tx.trx) : begin((t) => fn(t.trx));
      },
      auditBatch: (fn) => {
        const tx = current();
        if (tx) return fn(tx.trx);
        if (closed) return Promise.reject(new Error('store: closed'));
        return beginAuditBatch((t) => fn(t.trx));
      },
    };

    const store: Store = {
      accounts: accountRepo(ctx),
      users: userRepo(ctx),
      groups: groupRepo(ctx),
      roles: roleRepo(ctx),
      policies: policyRepo(ctx),
      inlinePolicies: inlinePolicyRepo(ctx),
      attachments: attachmentRepo(ctx),
      accessKeys: accessKeyRepo(ctx),
      mfaDevices: mfaDeviceRepo(ctx),
      instanceProfiles: instanceProfileRepo(ctx),
      oidcProviders: oidcProviderRepo(ctx),
      samlProviders: samlProviderRepo(ctx),
      instances: instanceRepo(ctx),
      tasks: taskRepo(ctx),
      settings: settingsRepo(ctx),
      audit: auditRepo(ctx),
      transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
        const tx = current();
        if (tx) return fn(tx.store);
        if (closed) return Promise.reject(new Error('store: closed'));
        return begin((t) => fn(t.store));
      },
      async close() {
        if (bound) throw new Error('store: close() the root store, not a transaction');
        if (closed) return;
        closed = true;
        await root.destroy();
        await opts.onClose?.();
      },
    };
    return store;
  }

  return build(undefined);
}
