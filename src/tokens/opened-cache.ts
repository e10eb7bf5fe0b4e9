/**
 * A bounded LRU of tokens this node already opened, so a client signing many requests with one
 * session costs one AES-GCM open + inflate, not one per request.
 *
 * INVARIANT: the cache cannot change an answer. It is keyed by the full token string (the
 * envelope accepts one string per byte sequence, so equal strings are equal tokens); it holds
 * only tokens that authenticated; and on every hit the caller still checks that the key is held
 * and not retired and checks expiry against the request's time, exactly as a fresh open would.
 * Entries are frozen claims, so no caller can alter what the next caller sees.
 */
import type { SessionClaims } from './claims.js';

export interface OpenedToken {
  keyId: string;
  claims: Readonly<SessionClaims>;
}

export class OpenedTokenCache {
  readonly #max: number;
  readonly #map = new Map<string, OpenedToken>();

  constructor(maxEntries: number) {
    this.#max = Math.max(0, Math.floor(maxEntries));
  }

  get size(): number {
    return this.#map.size;
  }

  get(token: string): OpenedToken | undefined {
    const hit = this.#map.get(token);
    if (hit) {
      // Move to the most-recently-used end.
      this.#map.delete(token);
      this.#map.set(token, hit);
    }
    return hit;
  }

  set(token: string, entry: OpenedToken): void {
    if (this.#max === 0) return;
    this.#map.delete(token);
    this.#map.set(token, entry);
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#map.delete(oldest.value);
    }
  }

  delete(token: string): void {
    this.#map.delete(token);
  }
}

/** Freezes the claims and everything in them (tags, arrays). */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
