/**
 * The session-token key ring, shared by every node through the store's settings (one value,
 * JSON, sealed at rest by the store).
 *
 * - Sealing uses the newest active key. When none is active (first start, or the active key's
 *   period ended) the node rotates with settings.compareAndSet against the exact value it read:
 *   of two nodes rotating at once one write wins, the loser re-reads and adopts the winner's
 *   ring, so every node ends with one ring.
 * - A node re-reads the ring before sealing when its copy is older than maxAgeSeconds (60 s by
 *   default), so a rotation forced elsewhere (rotateNow) reaches it within that time.
 * - Opening a token under a key id this node does not know re-reads the ring first (a key just
 *   made on another node), at most once per refreshMinIntervalMs (1 s by default) however many
 *   such tokens arrive: a forged key id costs the database at most one read per interval. A
 *   request waits for a read that started after it arrived, so a token sealed on node A under
 *   a fresh key always opens on node B.
 *
 * INVARIANT: the in-memory ring only ever comes from the store (a read, or a value this node
 * just wrote with a successful compare-and-set); a node never seals under a key the store does
 * not hold, so every node can always find the key of every token issued.
 * INVARIANT: store failures propagate as exceptions (a server fault), they never turn into a
 * token verdict.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../domain/clock.js';
import type { SettingsRepo } from '../store/ports.js';
import { DEFAULT_ROTATION_SECONDS, MAX_ROTATION_SECONDS, MIN_ROTATION_SECONDS, RingState, type RingKey } from './ring-state.js';

export const KEY_RING_SETTING = 'sts:token-key-ring';
const MAX_CAS_ROUNDS = 16;

export interface KeyRingOptions {
  settings: SettingsRepo;
  clock: Clock;
  /** How long a key seals before the next rotation, in seconds (default 24 h). */
  rotationSeconds?: number;
  /** Minimum time between ring reads caused by unknown key ids (default 1000 ms). */
  refreshMinIntervalMs?: number;
  /** Sealing re-reads the ring when this node's copy is older than this (default 60 s). */
  maxAgeSeconds?: number;
  /** The settings key holding the ring (default `sts:token-key-ring`). */
  settingKey?: string;
}

export class KeyRing {
  readonly rotationSeconds: number;
  readonly #settings: SettingsRepo;
  readonly #clock: Clock;
  readonly #settingKey: string;
  readonly #refreshMinIntervalMs: number;
  readonly #maxAgeSeconds: number;

  #state: RingState | undefined;
  /** Wall-clock seconds when #state was read or written. */
  #stateAt = 0;
  /** Monotonic ms when the last successful read started / when the last read attempt started. */
  #lastReadStart = -Infinity;
  #lastAttemptStart = -Infinity;
  #inflight: Promise<RingState> | undefined;
  /** Bumped by every successful write, so a read that started earlier cannot undo it. */
  #writes = 0;

  constructor(opts: KeyRingOptions) {
    const rotation = opts.rotationSeconds ?? DEFAULT_ROTATION_SECONDS;
    if (!Number.isSafeInteger(rotation) || rotation < MIN_ROTATION_SECONDS || rotation > MAX_ROTATION_SECONDS)
      throw new Error(`token key rotation must be a whole number of seconds in [${MIN_ROTATION_SECONDS}, ${MAX_ROTATION_SECONDS}], got ${rotation}`);
    this.rotationSeconds = rotation;
    this.#settings = opts.settings;
    this.#clock = opts.clock;
    this.#settingKey = opts.settingKey ?? KEY_RING_SETTING;
    this.#refreshMinIntervalMs = Math.max(0, opts.refreshMinIntervalMs ?? 1000);
    this.#maxAgeSeconds = Math.max(0, opts.maxAgeSeconds ?? 60);
  }

  /** Ids of the keys this node holds, oldest first (retired ones included until dropped). */
  get keyIds(): string[] {
    return this.#state?.keys.map((k) => k.id) ?? [];
  }

  #now(): number {
    return Math.floor(this.#clock.now().getTime() / 1000);
  }

  /** The key to seal with now; rotates (or creates the ring) when no key is active. */
  async signingKey(): Promise<RingKey> {
    const now = this.#now();
    let st = this.#state;
    if (!st || now - this.#stateAt > this.#maxAgeSeconds) st = await this.#readSince(performance.now(), false);
    return (st.signingKey(now) ?? (await this.#rotate(now, (s) => s.signingKey(now))));
  }

  /** Starts a new key now (e.g. after a suspected leak); older keys keep verifying. */
  async rotateNow(): Promise<RingKey> {
    const now = this.#now();
    const st = await this.#readSince(performance.now(), false);
    const previous = st.signingKey(now)?.id;
    // Done once the ring holds an active key other than the one active now (ours or a racing
    // node's rotateNow).
    const fresh = (s: RingState) => {
      const k = s.signingKey(now);
      return k && k.id !== previous && k.createdAt >= now ? k : undefined;
    };
    return fresh(st) ?? (await this.#rotate(now, fresh, st));
  }

  /** In memory only: the key with this id if this node holds it and it still verifies. */
  heldKey(id: string): RingKey | undefined {
    return this.#state?.verificationKey(id, this.#now());
  }

  /** The key to open a token under `id`, re-reading the ring (rate-limited) when unknown. */
  async verificationKey(id: string): Promise<RingKey | undefined> {
    const arrived = performance.now();
    const st = this.#state ?? (await this.#readSince(arrived, false));
    const known = st.verificationKey(id, this.#now());
    if (known) return known;
    const fresh = await this.#readSince(arrived, true);
    return fresh.verificationKey(id, this.#now());
  }

  /** Re-reads the ring from the store now. */
  async reload(): Promise<void> {
    await this.#readSince(performance.now(), false);
  }

  async #rotate(now: number, done: (s: RingState) => RingKey | undefined, start?: RingState): Promise<RingKey> {
    let st = start ?? this.#state ?? (await this.#readSince(performance.now(), false));
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const next = st.rotated(now, this.rotationSeconds);
      const casStart = performance.now();
      if (await this.#settings.compareAndSet(this.#settingKey, st.raw, next.raw as string)) {
        this.#writes++;
        this.#adopt(next, this.#writes);
        return done(next) as RingKey;
      }
      // Another node wrote first: adopt its ring, and use it if it already did what we need.
      st = await this.#readSince(casStart, false);
      const k = done(st);
      if (k) return k;
    }
    throw new Error(`session-token key ring: lost ${MAX_CAS_ROUNDS} compare-and-set rounds in a row`);
  }

  #adopt(st: RingState, writesSeen: number): void {
    if (writesSeen < this.#writes) return; // this node wrote a newer ring meanwhile
    this.#state = st;
    this.#stateAt = this.#now();
  }

  /** Resolves with a ring read that started at or after `since` (monotonic ms). */
  async #readSince(since: number, rateLimited: boolean): Promise<RingState> {
    for (;;) {
      if (this.#state && this.#lastReadStart >= since) return this.#state;
      if (this.#inflight) {
        await this.#inflight;
        continue;
      }
      if (rateLimited) {
        const wait = this.#lastAttemptStart + this.#refreshMinIntervalMs - performance.now();
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
      }
      return this.#startRead();
    }
  }

  #startRead(): Promise<RingState> {
    const started = performance.now();
    const writesSeen = this.#writes;
    this.#lastAttemptStart = started;
    const p = (async () => {
      const raw = await this.#settings.get(this.#settingKey);
      const st = raw === undefined ? RingState.empty() : RingState.parse(raw);
      this.#adopt(st, writesSeen);
      if (writesSeen === this.#writes) this.#lastReadStart = Math.max(this.#lastReadStart, started);
      return this.#state ?? st;
    })();
    this.#inflight = p;
    const clear = () => {
      if (this.#inflight === p) this.#inflight = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
