/**
 * Composition root: the only place that names concrete adapters (SQLite store, pino logger,
 * system clock, crypto randomness) and wires them into the gateway and the HTTP listener.
 */
import { pino, type Logger } from 'pino';
import { Authorizer } from './authz/authorizer.js';
import { StorePolicySource } from './authz/store-policy-source.js';
import type { Settings } from './config/config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { cryptoRandom, type Random } from './domain/random.js';
import { routeEndpoints, type Endpoint } from './endpoints/endpoint.js';
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

export async function openStore(dataDir: string): Promise<Store> {
  const masterKey = await loadOrCreateMasterKey(dataDir);
  return openSqliteStore({ dataDir, masterKey });
}

export async function startServer(settings: Settings, opts: { clock?: Clock; random?: Random; logger?: Logger } = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const logger = opts.logger ?? makeLogger(settings.logLevel);
  // Every request reads the caller's key, identity and policies: serve those from memory.
  const store = cachedStore(await openStore(settings.dataDir));
  try {
    const accountOpts: Parameters<typeof ensureFirstAccount>[3] = {};
    if (settings.accountId) accountOpts.accountId = settings.accountId;
    if (settings.rootAccessKeyId) accountOpts.rootAccessKeyId = settings.rootAccessKeyId;
    if (settings.rootSecretAccessKey) accountOpts.rootSecretAccessKey = settings.rootSecretAccessKey;
    const { credentials, created } = await ensureFirstAccount(store, random, clock, accountOpts);
    const sessions = new SessionTokenService({ settings: store.settings, clock, random });
    const gateway = new Gateway({
      store,
      clock,
      random,
      sessions,
      resolveSessionToken: sessionResolver(sessions, store, () => Math.floor(clock.now().getTime() / 1000)),
      operations: operationRegistry(),
      authorizer: new Authorizer(new StorePolicySource(store)),
      logger,
      defaultRegion: settings.region,
      ...(settings.trustGuardrail && settings.trustGuardrail !== 'off' ? { trustGuardrail: settings.trustGuardrail } : {}),
    });
    // Non-AWS surfaces on the same port (container credentials, authorize API, ...).
    const endpoints: Endpoint[] = [];
    const handler = routeEndpoints(endpoints, (req) => gateway.handle(req));
    const listening: Listening = await listen(handler, settings.host, settings.port, (err) => logger.error({ err }, 'http error'));
    return {
      url: listening.url,
      port: listening.port,
      store,
      root: credentials,
      createdAccount: created,
      close: async () => {
        await listening.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
