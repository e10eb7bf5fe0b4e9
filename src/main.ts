/**
 * Composition root: the only place that names concrete adapters (SQLite store, pino logger,
 * system clock, crypto randomness) and wires them into the gateway and the HTTP listener.
 */
import { pino, type Logger } from 'pino';
import { GatewayAudit } from './audit/gateway-audit.js';
import { startRetention } from './audit/retention.js';
import { GroupCommitAuditTrail } from './audit/writer.js';
import { Authorizer } from './authz/authorizer.js';
import { StorePolicySource } from './authz/store-policy-source.js';
import type { Settings } from './config/config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { cryptoRandom, type Random } from './domain/random.js';
import type { AuditTrail } from './audit/event.js';
import { routeEndpoints, type Endpoint } from './endpoints/endpoint.js';
import { startServiceRoles } from './endpoints/service-roles.js';
import { Gateway } from './gateway/gateway.js';
import { sessionResolver } from './gateway/session-caller.js';
import { listen, type Listening } from './http/server.js';
import { ensureFirstAccount, type RootCredentials } from './services/accounts/accounts.js';
import { operationRegistry } from './services/registry.js';
import { loadOrCreateMasterKey } from './store/sealing.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { cachedStore } from './store/cached-store.js';
import type { Store } from './store/ports.js';
import { SessionTokenService } from './tokens/session-tokens.js';

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  root: RootCredentials;
  createdAccount: boolean;
  /** The audit trail; undefined when auditing is off. Other components record through it. */
  audit?: GroupCommitAuditTrail;
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

export async function openStore(dataDir: string, opts: { auditFsync?: boolean } = {}): Promise<Store> {
  const masterKey = await loadOrCreateMasterKey(dataDir);
  return openSqliteStore({ dataDir, masterKey, ...(opts.auditFsync ? { auditFsync: true } : {}) });
}

/** Both trails (either may be absent): an event is recorded once both have it. */
function teeTrail(a: AuditTrail | undefined, b: AuditTrail | undefined): AuditTrail | undefined {
  if (!a || !b) return a ?? b;
  return { record: async (e) => void (await Promise.all([a.record(e), b.record(e)])) };
}

export async function startServer(settings: Settings, opts: { clock?: Clock; random?: Random; logger?: Logger; audit?: AuditTrail } = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const logger = opts.logger ?? makeLogger(settings.logLevel);
  // Every request reads the caller's key, identity and policies: serve those from memory.
  const store = cachedStore(await openStore(settings.dataDir, { auditFsync: settings.auditFsync === 'on' }));
  try {
    const accountOpts: Parameters<typeof ensureFirstAccount>[3] = {};
    if (settings.accountId) accountOpts.accountId = settings.accountId;
    if (settings.rootAccessKeyId) accountOpts.rootAccessKeyId = settings.rootAccessKeyId;
    if (settings.rootSecretAccessKey) accountOpts.rootSecretAccessKey = settings.rootSecretAccessKey;
    const { credentials, created } = await ensureFirstAccount(store, random, clock, accountOpts);
    const sessions = new SessionTokenService({ settings: store.settings, clock, random });
    const resolveSessionToken = sessionResolver(sessions, store, () => Math.floor(clock.now().getTime() / 1000));
    const authorizer = new Authorizer(new StorePolicySource(store));
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
      resolveSessionToken,
      operations: operationRegistry(),
      authorizer,
      logger,
      defaultRegion: settings.region,
      ...(trail ? { audit: new GatewayAudit({ trail, store, clock, random, defaultRegion: settings.region, logger }) } : {}),
    });
    // Service roles: instance metadata listeners, container credentials, workload launches.
    const serviceRoles = await startServiceRoles({ store, clock, random, authorizer, sessions, resolveSessionToken, logger, defaultRegion: settings.region, ...(trail ? { audit: trail } : {}) });
    // Non-AWS surfaces on the same port (container credentials, authorize API, ...).
    const endpoints: Endpoint[] = [...serviceRoles.endpoints];
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
