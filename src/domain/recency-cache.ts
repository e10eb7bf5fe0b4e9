/**
 * A bounded map that drops its least recently used entries (approximately): the SigV4
 * signing-key cache and the opened-session-token cache.
 *
 * A hit moves its entry to the newest end only once the entry has drifted into the older half
 * (max/2 or more insertions or moves since its own), not on every hit: a hit on a hot entry is
 * then a plain lookup, where a move (a delete and an insert on the map) cost ~1.5 µs of a ~24 µs
 * GetCallerIdentity with session credentials (bench/pipeline.mjs, audit off).
 * A move stores the key first stored, not the caller's copy.
 *
 * INVARIANT: at most `maxEntries` entries. An entry hit at least once in every `maxEntries / 2`
 * insertions is never dropped; when the map is full, the entry inserted or moved longest ago goes.
 */
interface Slot<V> {
  /** The key as first stored: moves reuse it, never the caller's copy. */
  readonly key: string;
  value: V;
  /** The tick of the entry's insertion or last move. */
  at: number;
}

export class RecencyCache<V> {
  readonly #max: number;
  readonly #map = new Map<string, Slot<V>>();
  /** Counts insertions and moves. */
  #tick = 0;

  constructor(maxEntries: number) {
    this.#max = Math.max(0, Math.floor(maxEntries));
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    if (this.#tick - slot.at >= this.#max / 2) {
      this.#map.delete(slot.key);
      slot.at = ++this.#tick;
      this.#map.set(slot.key, slot);
    }
    return slot.value;
  }

  set(key: string, value: V): void {
    if (this.#max === 0) return;
    this.#map.delete(key);
    this.#map.set(key, { key, value, at: ++this.#tick });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#map.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}
