/**
 * Change notifications from PostgreSQL: one dedicated connection LISTENs on `rolecall_changes`
 * (sent by the triggers of migration 0004 when a change commits) and tells subscribers which
 * table of this node's schema changed.
 *
 * If that connection drops (database restart, network), the feed reports `resync` (changes may
 * have been missed, drop every cache), reconnects with backoff, and reports `resync` again once
 * it listens anew. A probe query every `probeIntervalMs` finds a connection that died silently.
 * Readers never depend on the feed alone: the read cache's time-to-live still bounds staleness
 * while the feed is down (docs/postgres.md).
 */
import pg from 'pg';
import { CHANGE_CHANNEL } from '../migrations/0004-change-notify.js';
import type { ChangeFeed, StoreChange } from '../ports.js';
import { describeCause } from './errors.js';
import type { StoreLog } from './pool.js';
import type { DatabaseTarget } from './target.js';

export interface ChangeFeedOptions {
  target: DatabaseTarget;
  config: pg.ClientConfig;
  /** Only notifications for this schema's tables are reported. */
  schema: string;
  log: StoreLog;
  probeIntervalMs?: number;
  maxBackoffMs?: number;
}

export class PgChangeFeed implements ChangeFeed {
  readonly #opts: ChangeFeedOptions;
  readonly #listeners = new Set<(c: StoreChange) => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #backoffMs = 0;
  #connecting: Promise<void> | undefined;
  /** Times the feed started listening (1 after start; each reconnect adds one). */
  connects = 0;

  constructor(opts: ChangeFeedOptions) {
    this.#opts = opts;
  }

  /** True while a connection is listening. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  subscribe(listener: (c: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects and listens; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.#connect();
    const every = this.#opts.probeIntervalMs ?? 5000;
    this.#probeTimer = setInterval(() => void this.#probe(), every);
    this.#probeTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#probeTimer);
    await this.#connecting?.catch(() => undefined);
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => undefined);
  }

  #emit(change: StoreChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        /* a subscriber's bug must not stop the others */
      }
    }
  }

  #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      const client = new pg.Client(this.#opts.config);
      client.on('error', (err) => this.#lost(client, err));
      client.on('end', () => this.#lost(client, undefined));
      client.on('notification', (msg) => {
        if (msg.channel !== CHANGE_CHANNEL || this.#client !== client) return;
        const payload = msg.payload ?? '';
        const dot = payload.indexOf('.');
        if (dot < 0 || payload.slice(0, dot) !== this.#opts.schema) return;
        this.#emit({ table: payload.slice(dot + 1) });
      });
      try {
        await client.connect();
        await client.query(`listen ${CHANGE_CHANNEL}`);
      } catch (e) {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
        throw e;
      }
      if (this.#closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.#client = client;
      this.#backoffMs = 0;
      this.connects++;
      // Whatever was committed while nobody listened is unknown: start afresh.
      this.#emit({ resync: true });
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  #lost(client: pg.Client, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#opts.log.warn({ cause: err === undefined ? 'connection ended' : describeCause(err, this.#opts.target) }, 'change notifications lost; reconnecting (read caches fall back to their time-to-live)');
    this.#emit({ resync: true });
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    this.#backoffMs = Math.min(this.#opts.maxBackoffMs ?? 5000, this.#backoffMs === 0 ? 100 : this.#backoffMs * 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect().then(
        () => this.#opts.log.info({ target: this.#opts.target.description }, 'change notifications restored'),
        () => this.#scheduleReconnect(),
      );
    }, this.#backoffMs);
    this.#reconnectTimer.unref();
  }

  async #probe(): Promise<void> {
    const c = this.#client;
    if (!c) return;
    try {
      await c.query('select 1');
    } catch (e) {
      this.#lost(c, e);
    }
  }
}
