/**
 * One snapshot of the token key ring (no I/O): its keys, which key signs at a given time, which
 * keys still verify, the next ring after a rotation, and the JSON kept in the store's settings.
 *
 * Lifecycle of a key (epoch seconds, fixed when the key is made, so every node agrees whatever
 * its own configuration):
 *
 *   createdAt ........ activeUntil ........................... retireAfter
 *   | seals new tokens | verifies only (tokens still live)      | gone: dropped at the next write
 *
 *   retireAfter = activeUntil + MAX_SESSION_SECONDS + RETIRE_MARGIN_SECONDS
 *
 * INVARIANT: a key seals only while now < activeUntil, and a token never lives more than
 * MAX_SESSION_SECONDS past the moment it is sealed; so when a key is retired every token it
 * sealed has expired (the margin absorbs clock skew between nodes of up to an hour).
 * INVARIANT: retireAfter never moves once written (rotateNow shortens activeUntil only: other
 * nodes may keep sealing until the activeUntil they last read, and retireAfter covers that).
 * INVARIANT: key secrets never appear in messages, `inspect` output or toJSON; only
 * serialize() writes them, for the store, which seals the value at rest.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { isKeyId, KEY_ID_BYTES, type TokenParts } from './envelope.js';
import { deriveTokenKey, openBytes, RING_SECRET_BYTES, sealBytes } from './token-cipher.js';

/** AWS's longest session: a role with MaxSessionDuration 12 h is 43,200 s; GetFederationToken
 *  and GetSessionToken for IAM users go to 36 h. */
export const MAX_SESSION_SECONDS = 129_600;
export const RETIRE_MARGIN_SECONDS = 3_600;
export const DEFAULT_ROTATION_SECONDS = 86_400;
/** Bounds on the rotation period; the lower one keeps the ring small (about
 *  (MAX_SESSION_SECONDS + margin) / rotation + 2 keys). */
export const MIN_ROTATION_SECONDS = 3_600;
export const MAX_ROTATION_SECONDS = 30 * 86_400;

interface StoredKey {
  id: string;
  secret: string; // base64url, 32 bytes
  createdAt: number;
  activeUntil: number;
  retireAfter: number;
}

export class CorruptKeyRingError extends Error {
  constructor(detail: string) {
    super(`the session-token key ring in the store is corrupt: ${detail}`);
    this.name = 'CorruptKeyRingError';
  }
}

/** One key of the ring. Its secret stays inside: it seals and opens, nothing else. */
export class RingKey {
  readonly #secret: Buffer;
  readonly #key: KeyObject;

  private constructor(
    readonly id: string,
    secret: Buffer,
    readonly createdAt: number,
    readonly activeUntil: number,
    readonly retireAfter: number,
  ) {
    this.#secret = secret;
    this.#key = deriveTokenKey(secret);
  }

  static generate(nowSeconds: number, rotationSeconds: number, takenIds: ReadonlySet<string>): RingKey {
    let id: string;
    do id = randomBytes(KEY_ID_BYTES).toString('hex');
    while (takenIds.has(id));
    const activeUntil = nowSeconds + rotationSeconds;
    return new RingKey(id, randomBytes(RING_SECRET_BYTES), nowSeconds, activeUntil, activeUntil + MAX_SESSION_SECONDS + RETIRE_MARGIN_SECONDS);
  }

  static fromStored(s: unknown): RingKey {
    if (s === null || typeof s !== 'object') throw new CorruptKeyRingError('a key is not an object');
    const r = s as Record<string, unknown>;
    if (!isKeyId(r.id)) throw new CorruptKeyRingError('a key id is malformed');
    const secret = typeof r.secret === 'string' ? Buffer.from(r.secret, 'base64url') : Buffer.alloc(0);
    if (secret.length !== RING_SECRET_BYTES || secret.toString('base64url') !== r.secret) throw new CorruptKeyRingError(`key ${r.id} has a malformed secret`);
    const { createdAt, activeUntil, retireAfter } = r;
    if (!isTime(createdAt) || !isTime(activeUntil) || !isTime(retireAfter)) throw new CorruptKeyRingError(`key ${r.id} has malformed times`);
    // A shortened activeUntil (rotateNow) is fine; a retireAfter too early for it is not.
    if (retireAfter < createdAt + MIN_ROTATION_SECONDS + MAX_SESSION_SECONDS || retireAfter < activeUntil + MAX_SESSION_SECONDS)
      throw new CorruptKeyRingError(`key ${r.id} retires before its tokens expire`);
    return new RingKey(r.id, secret, createdAt, activeUntil, retireAfter);
  }

  /** The same key, sealing no more after `nowSeconds` (retireAfter unchanged). */
  deactivatedAt(nowSeconds: number): RingKey {
    if (this.activeUntil <= nowSeconds) return this;
    return new RingKey(this.id, this.#secret, this.createdAt, Math.max(this.createdAt, nowSeconds), this.retireAfter);
  }

  seal(plaintext: Buffer): string {
    return sealBytes(this.#key, this.id, plaintext);
  }

  open(parts: TokenParts): Buffer | undefined {
    return parts.keyId === this.id ? openBytes(this.#key, parts) : undefined;
  }

  toStored(): StoredKey {
    return { id: this.id, secret: this.#secret.toString('base64url'), createdAt: this.createdAt, activeUntil: this.activeUntil, retireAfter: this.retireAfter };
  }

  toJSON(): object {
    return { id: this.id, createdAt: this.createdAt, activeUntil: this.activeUntil, retireAfter: this.retireAfter };
  }
  toString(): string {
    return `RingKey(${this.id})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** An immutable ring snapshot plus the exact stored text it came from (for compare-and-set). */
export class RingState {
  readonly #byId: ReadonlyMap<string, RingKey>;
  readonly #raw: string | undefined;

  private constructor(
    raw: string | undefined,
    /** Oldest first. */
    readonly keys: readonly RingKey[],
  ) {
    this.#raw = raw;
    this.#byId = new Map(keys.map((k) => [k.id, k]));
  }

  /** The exact settings value this snapshot was read from or written as (undefined = absent).
   *  It holds the secrets: only for compareAndSet. */
  get raw(): string | undefined {
    return this.#raw;
  }

  static empty(): RingState {
    return new RingState(undefined, []);
  }

  /** Parses the stored JSON; throws CorruptKeyRingError (never with key material) if malformed. */
  static parse(raw: string): RingState {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch {
      throw new CorruptKeyRingError('not JSON');
    }
    const d = doc as { v?: unknown; keys?: unknown } | null;
    if (d === null || typeof d !== 'object' || d.v !== 1 || !Array.isArray(d.keys)) throw new CorruptKeyRingError('not a version 1 ring');
    const keys = d.keys.map((k) => RingKey.fromStored(k));
    if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new CorruptKeyRingError('duplicate key ids');
    return new RingState(raw, sortKeys(keys));
  }

  /** The key that seals at `nowSeconds`: the newest one still active, if any. */
  signingKey(nowSeconds: number): RingKey | undefined {
    let best: RingKey | undefined;
    for (const k of this.keys) if (k.activeUntil > nowSeconds && (!best || k.createdAt >= best.createdAt)) best = k;
    return best;
  }

  /** The key with this id if it still verifies at `nowSeconds`. */
  verificationKey(id: string, nowSeconds: number): RingKey | undefined {
    const k = this.#byId.get(id);
    return k && k.retireAfter > nowSeconds ? k : undefined;
  }

  /**
   * The next ring: retired keys dropped, every remaining key sealing no more, one fresh key
   * active for rotationSeconds.
   */
  rotated(nowSeconds: number, rotationSeconds: number): RingState {
    const kept = this.keys.filter((k) => k.retireAfter > nowSeconds).map((k) => k.deactivatedAt(nowSeconds));
    const fresh = RingKey.generate(nowSeconds, rotationSeconds, new Set(this.keys.map((k) => k.id)));
    const keys = sortKeys([...kept, fresh]);
    return new RingState(serialize(keys), keys);
  }

  toJSON(): object {
    return { keys: this.keys.map((k) => k.toJSON()) };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RingState(${this.keys.map((k) => k.id).join(', ')})`;
  }
}

function sortKeys(keys: RingKey[]): RingKey[] {
  return keys.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

function serialize(keys: readonly RingKey[]): string {
  return JSON.stringify({ v: 1, keys: keys.map((k) => k.toStored()) });
}
