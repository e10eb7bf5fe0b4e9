/**
 * A bounded cache (src/domain/recency-cache.ts) of tokens this node already opened, so a client
 * signing many requests with one session costs one AES-GCM open + inflate, not one per request.
 *
 * INVARIANT: the cache cannot change an answer. It is keyed by the full token string (the
 * envelope accepts one string per byte sequence, so equal strings are equal tokens); it holds
 * only tokens that authenticated; and on every hit the caller still checks that the key is held
 * and not retired and checks expiry against the request's time, exactly as a fresh open would.
 * Entries are frozen claims, so no caller can alter what the next caller sees.
 */
import { RecencyCache } from '../domain/recency-cache.js';
import type { SessionClaims } from './claims.js';

export interface OpenedToken {
  keyId: string;
  claims: Readonly<SessionClaims>;
}

/** Opened tokens by their full text (approximately least recently used dropped first). */
export class OpenedTokenCache extends RecencyCache<OpenedToken> {}

/** Freezes the claims and everything in them (tags, arrays). */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
