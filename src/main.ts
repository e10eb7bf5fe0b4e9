/**
 * Composition root: the only place that names concrete adapters (SQLite or PostgreSQL store, pino logger,
 * system clock, crypto randomness) and wires them into the gateway and the HTTP listener.
 */
import { pino, type Logger } from 'pino';
import { GatewayAudit } from './audit/gateway-audit.js';
import { startRetention } from './audit/retention.js';
import { GroupCommitAuditTrail } from './audit/writer.js';
import { Authorizer } from './authz/authorizer.js';
import { StorePolicySource } from './authz/store-policy-source.js';
import { DEFAULT_CACHE_TTL_MS, type Settings } from './config/config.js';
import { OidcKeySource } from './federation/oidc-keys.js';
import { systemClock, type Clock } from './domain/clock.js';
import { cryptoRandom, type Random } from './domain/random.js';
import type { AuditTrail } from './audit/event.js';
import { decisionPointEndpoints } from './endpoints/authorize/index.js';
import { routeEndpoints, type Endpoint } from './endpoints/endpoint.js';
import { startServiceRoles } from './endpoints/service-roles.js';
import { Gateway } from './gateway/gateway.js';
import { sessionResolver } from './gateway/session-caller.js';
import { listen, type HttpRequest, type HttpResponse, type Listening } from './http/server.js';
import { ensureFirstAccount, type RootCredentials } from './services/accounts/accounts.js';
import { operationRegistry } from './services/registry.js';
import { loadOrCreateMasterKey } from './store/sealing.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { openPostgresStore } from './store/postgres/index.js';
import { cachedStore } from './store/cached-store.js';
import type { ChangeFeed, Store } from './store/ports.js';
import { SessionTokenService } from './tokens/session-tokens.js';

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  root: RootCredentials;
  createdAccount: boolean;
  /** The audit trail; undefined when auditing is off. Other components record through it. */
  audit?: GroupCommitAuditTrail;
  /** Which store serves this node (`SQLite <file>` or `PostgreSQL user@host:port/db (schema s)`), password-free. */
  storeDescription: string;
  /** The request handler behind the listener (in-process benchmarks call it directly). */
  handle(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export function makeLogger(level: string): Logger {
  return pino(
    {
      level,
      base: undefined,
      // INVARIANT: secrets never reach the log, whatever object is logged.
      redact: { paths: ['*.secretAccessKey', '*.SecretAccessKey', '*.sessionToken', '*.SessionToken', '*.authorization', '*.Authorization', 'secretAccessKey', 'SecretAccessKey'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

export type StoreSettings = Pick<Settings, 'dataDir' | 'auditFsync' | 'database' | 'databaseSchema' | 'databasePoolMax' | 'databaseConnectTimeoutMs' | 'databaseStatementTimeoutMs'>;

/**
 * The store the settings name: PostgreSQL when a database URL is set (many nodes), else the
 * SQLite file in the data directory. The master key comes from ROLECALL_MASTER_KEY or the data
 * directory either way; with PostgreSQL every node must hold the same one (checked on open).
 * `listen` (PostgreSQL): follow changes made by other nodes (the server does; one-shot CLI
 * commands need not). `auditJournal` (SQLite, the server): audit batches are journaled and
 * indexed in large transactions (store/sqlite/audit-journal.ts).
 */
export async function openStore(settings: string | StoreSettings, opts: { logger?: Logger; listen?: boolean; auditJournal?: boolean } = {}): Promise<Store & { changes?: ChangeFeed; description: string }> {
  const s: StoreSettings = typeof settings === 'string' ? { dataDir: settings } : settings;
  const masterKey = await loadOrCreateMasterKey(s.dataDir);
  if (s.database === undefined) {
    const logger = opts.logger;
    const store = await openSqliteStore({
      dataDir: s.dataDir,
      masterKey,
      ...(s.auditFsync === 'on' ? { auditFsync: true } : {}),
      ...(opts.auditJournal && { auditJournal: true }),
      ...(logger && { onBackgroundError: (err: unknown) => logger.warn({ err }, 'SQLite background work failed (WAL checkpoint worker or audit journal indexing); it is retried') }),
    });
    return Object.assign(store, { description: `SQLite ${store.filename}` });
  }
  if (masterKey.source === 'created') opts.logger?.warn({ dataDir: s.dataDir }, `created a new master key in the data directory: every node sharing this PostgreSQL database needs the same key (set ROLECALL_MASTER_KEY on each)`);
  const store = await openPostgresStore({
    url: s.database,
    masterKey,
    ...(s.databaseSchema !== undefined ? { schema: s.databaseSchema } : {}),
    ...(s.databasePoolMax !== undefined ? { poolMax: s.databasePoolMax } : {}),
    ...(s.databaseConnectTimeoutMs !== undefined ? { connectTimeoutMs: s.databaseConnectTimeoutMs } : {}),
    ...(s.databaseStatementTimeoutMs !== undefined ? { statementTimeoutMs: s.databaseStatementTimeoutMs } : {}),
    listen: opts.listen ?? false,
    ...(opts.logger ? { log: opts.logger } : {}),
  });
  return Object.assign(store, { description: `PostgreSQL ${store.target} (schema ${store.schema})` });
}

export interface ServerOptions {
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Where audit records go (the decision point records its decisions there). */
  audit?: AuditTrail;
}

/** Both trails (either may be absent): an event is recorded once both have it. */
function teeTrail(a: AuditTrail | undefined, b: AuditTrail | undefined): AuditTrail | undefined {
  if (!a || !b) return a ?? b;
  const tee: AuditTrail = { record: async (e, o) => void (await Promise.all([a.record(e, o), b.record(e, o)])) };
  if (a.hold) tee.hold = a.hold.bind(a);
  return tee;
}

export async function startServer(settings: Settings, opts: ServerOptions = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const logger = opts.logger ?? makeLogger(settings.logLevel);
  // Every request reads the caller's key, identity and policies: serve those from memory, for at
  // most cacheTtlMs, and less when another node's change is announced (PostgreSQL).
  // The server journals audit batches (SQLite): durable at once, indexed in large transactions.
  const opened = await openStore(settings, { logger, listen: true, auditJournal: true });
  const store = cachedStore(opened, { ttlMs: settings.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS, ...(opened.changes ? { changes: opened.changes } : {}) });
  try {
    const accountOpts: Parameters<typeof ensureFirstAccount>[3] = {};
    if (settings.accountId) accountOpts.accountId = settings.accountId;
    if (settings.rootAccessKeyId) accountOpts.rootAccessKeyId = settings.rootAccessKeyId;
    if (settings.rootSecretAccessKey) accountOpts.rootSecretAccessKey = settings.rootSecretAccessKey;
    const { credentials, created } = await ensureFirstAccount(store, random, clock, accountOpts);
    const sessions = new SessionTokenService({ settings: store.settings, clock, random });
    const resolveSessionToken = sessionResolver(sessions, store, () => Math.floor(clock.now().getTime() / 1000));
    const policySource = new StorePolicySource(store);
    const authorizer = new Authorizer(policySource);
    // The audit trail: one group-committed transaction per batch of events (docs/audit.md).
    // `opts.audit` (tests) receives every event as well.
    const audit = settings.audit === 'off' ? undefined : new GroupCommitAuditTrail(store.audit);
    const trail = teeTrail(audit, opts.audit);
    const retention = startRetention(store.audit, clock, settings.auditRetentionDays ?? 90, (err) => logger.warn({ err }, 'audit retention pass failed'));
    const gateway = new Gateway({
      store,
      clock,
      random,
      sessions,
      webIdentityKeys: new OidcKeySource({ nowMs: () => clock.now().getTime() }),
      resolveSessionToken,
      operations: operationRegistry(),
      authorizer,
      logger,
      defaultRegion: settings.region,
      ...(trail ? { audit: new GatewayAudit({ trail, store, clock, random, defaultRegion: settings.region, logger }) } : {}),
      ...(settings.trustGuardrail && settings.trustGuardrail !== 'off' ? { trustGuardrail: settings.trustGuardrail } : {}),
    });
    // Service roles: instance metadata listeners, container credentials, workload launches.
    const serviceRoles = await startServiceRoles({ store, clock, random, authorizer, sessions, resolveSessionToken, logger, defaultRegion: settings.region, ...(trail ? { audit: trail } : {}) });
    // Non-AWS surfaces on the same port (container credentials, authorize API, ...).
    const endpoints: Endpoint[] = [
      ...serviceRoles.endpoints,
      ...decisionPointEndpoints({ store, clock, random, resolveSessionToken, policySource, auditMode: settings.authorizeAudit ?? 'denials', logger, ...(trail ? { audit: trail } : {}) }),
    ];
    const handler = routeEndpoints(endpoints, (req) => gateway.handle(req));
    let listening: Listening;
    try {
      listening = await listen(handler, settings.host, settings.port, (err) => logger.error({ err }, 'http error'));
    } catch (e) {
      await serviceRoles.close();
      await audit?.close();
      await retention.stop();
      throw e;
    }
    const running: RunningServer = {
      url: listening.url,
      port: listening.port,
      store,
      root: credentials,
      createdAccount: created,
      storeDescription: opened.description,
      handle: handler,
      close: async () => {
        await serviceRoles.close();
        await listening.close();
        await audit?.close();
        await retention.stop();
        await store.close();
      },
    };
    if (audit) running.audit = audit;
    return running;
  } catch (e) {
    await store.close();
    throw e;
  }
}
