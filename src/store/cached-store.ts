/**
 * A read cache in front of any Store. Every request reads the caller's access key, identity and
 * policies; writes are rare. Reads of the listed methods are answered from memory while
 * (a) no write has gone through this node since they were cached and (b) they are younger than
 * `ttlMs`, which bounds how long another node's write can go unseen (PostgreSQL, many nodes).
 * With a change feed (PostgreSQL LISTEN/NOTIFY) another node's committed write empties the
 * cache within milliseconds; the TTL stays as the bound when notifications are lost.
 *
 * INVARIANT: any write through this store (or a transaction it opened) invalidates every cached
 * read: a generation counter is bumped before the write is sent and again when it (or its
 * transaction) has finished, so a read that raced the write is never served afterwards.
 * INVARIANT: cached values are deep-frozen (hits and misses alike), so a caller mutating a record
 * cannot corrupt the cache: it fails loudly instead (ESM code is strict). Freezing once costs far
 * less than cloning on every hit, which showed up as ~10% of an AssumeRole's CPU.
 * The audit repository passes through untouched (neither cached nor invalidating).
 */
import type { ChangeFeed, Store } from './ports.js';

/** Read methods served from the cache, per repository. Everything else on a repo is a write. */
const CACHED_READS: Partial<Record<keyof Store, ReadonlySet<string>>> = {
  accessKeys: new Set(['get', 'listForUser']),
  users: new Set(['get', 'getById']),
  roles: new Set(['get', 'getById']),
  groups: new Set(['get', 'listGroupsForUser']),
  inlinePolicies: new Set(['get', 'list']),
  attachments: new Set(['listForEntity']),
  policies: new Set(['get', 'getVersion']),
};
/** Repositories whose every method passes through (reads uncached, writes still invalidate). */
const REPOS: ReadonlyArray<keyof Store> = ['accounts', 'users', 'groups', 'roles', 'policies', 'inlinePolicies', 'attachments', 'accessKeys', 'mfaDevices', 'instanceProfiles', 'oidcProviders', 'samlProviders', 'instances', 'tasks', 'settings'];
/** Methods that only read, on repositories that are not cached: they must not invalidate. */
const PLAIN_READS = new Set(['get', 'getById', 'list', 'listForUser', 'listForRole', 'listForPolicy', 'listForEntity', 'listUsers', 'listGroupsForUser', 'getVersion', 'listVersions', 'countBoundaryUsage']);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Arguments are strings (ids, names, ARNs) on the cached reads: join them; else fall back to JSON. */
function cacheKey(repo: string, method: string, args: unknown[]): string {
  let k = `${repo}.${method}`;
  for (const a of args) {
    if (typeof a !== 'string') return `${repo}.${method}\u0001${JSON.stringify(args)}`;
    k += `\u0000${a}`;
  }
  return k;
}

interface Entry {
  gen: number;
  at: number;
  value: unknown;
}

/**
 * What a cache built on top of this store needs to stay correct: `generation()` moves on every
 * write through this node (before it is sent and again when it has finished), and `ttlMs` bounds
 * how long another node's write can go unseen. A derived cache (the decision point's) keys its
 * entries by generation and expires them after `ttlMs`, so it is never staler than the reads.
 */
export interface ChangeSignal {
  generation(): number;
  ttlMs: number;
}

const SIGNALS = new WeakMap<object, ChangeSignal>();

/** The change signal of a store made by `cachedStore`; undefined for any other store. */
export function changeSignal(store: Store): ChangeSignal | undefined {
  return SIGNALS.get(store);
}

export interface CachedStoreOptions {
  ttlMs?: number;
  /** Changes committed elsewhere (other nodes, CLI commands): each one empties the cache. */
  changes?: ChangeFeed;
  maxEntries?: number;
  now?: () => number;
}

export function cachedStore(inner: Store, opts: CachedStoreOptions = {}): Store {
  const ttl = opts.ttlMs ?? 1000;
  const max = opts.maxEntries ?? 20_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  let gen = 0;
  const bump = () => {
    gen++;
    cache.clear();
  };
  const unsubscribe = opts.changes?.subscribe(bump);

  const wrapRepo = (name: keyof Store, repo: Record<string, unknown>, caching: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const reads = caching ? CACHED_READS[name] : undefined;
    for (const key of Object.keys(repo)) out[key] = repo[key];
    const proto = Object.getPrototypeOf(repo) as Record<string, unknown> | null;
    const methods = new Set<string>([...Object.keys(repo), ...(proto && proto !== Object.prototype ? Object.getOwnPropertyNames(proto) : [])]);
    for (const m of methods) {
      if (m === 'constructor') continue;
      const fn = (repo as Record<string, unknown>)[m];
      if (typeof fn !== 'function') continue;
      const call = (...args: unknown[]) => (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
      if (reads?.has(m)) {
        out[m] = async (...args: unknown[]) => {
          const k = cacheKey(name, m, args);
          const hit = cache.get(k);
          const t = now();
          if (hit && hit.gen === gen && t - hit.at < ttl) return hit.value;
          const g = gen;
          const value = deepFreeze(await call(...args));
          if (g === gen) {
            if (cache.size >= max) cache.clear();
            cache.set(k, { gen: g, at: t, value });
          }
          return value;
        };
      } else if (PLAIN_READS.has(m)) {
        out[m] = call;
      } else {
        out[m] = async (...args: unknown[]) => {
          bump();
          try {
            return await call(...args);
          } finally {
            bump();
          }
        };
      }
    }
    return out;
  };

  const wrap = (s: Store, caching: boolean): Store => {
    const w: Record<string, unknown> = {};
    for (const r of REPOS) w[r] = wrapRepo(r, s[r] as unknown as Record<string, unknown>, caching);
    w.transaction = async <T>(fn: (tx: Store) => Promise<T>): Promise<T> => {
      try {
        // Inside a transaction nothing is served from the cache; writes still invalidate it.
        return await s.transaction((tx) => fn(wrap(tx, false)));
      } finally {
        bump();
      }
    };
    // The audit trail is append-only and never read back for authorization: its writes go
    // straight through without invalidating the cache (every request appends one), its reads
    // are never cached.
    w.audit = s.audit;
    w.close = () => {
      unsubscribe?.();
      return s.close();
    };
    // Keep adapter extras (filename, backup) reachable.
    for (const k of Object.keys(s)) if (!(k in w)) w[k] = (s as unknown as Record<string, unknown>)[k];
    return w as unknown as Store;
  };
  const outer = wrap(inner, true);
  SIGNALS.set(outer, { generation: () => gen, ttlMs: ttl });
  return outer;
}
