/**
 * Issues temporary credentials (ASIA key id + secret + session token) and opens session tokens.
 * Format and threat model: docs/session-tokens.md.
 *
 * INVARIANT: open() never throws for any token input and answers, in this order:
 *   'invalid' unless the token parses, its key is held (after a rate-limited re-read) and not
 *             retired, GCM authenticates it, and the claims decode and type-check;
 *   'expired' only for an authentic token with nowSeconds >= expiresAt;
 *   ok        otherwise.
 * So 'expired' reveals nothing about a forged token. (Store failures while re-reading the key
 * ring are server faults and do propagate.)
 * INVARIANT: a token is never sealed for a session ending more than MAX_SESSION_SECONDS after
 * this node's clock: the key ring's retirement schedule depends on it.
 * INVARIANT: an issued token always opens on this installation (it fits MAX_TOKEN_CHARS and the
 * claims pass the same checks open() applies).
 */
import type { Clock } from '../domain/clock.js';
import { newSecretAccessKey, TimeOrderedIds } from '../domain/ids.js';
import type { Random } from '../domain/random.js';
import type { SettingsRepo } from '../store/ports.js';
import type { IssuedCredentials, SessionClaims, SessionIssuer, SessionVerifier } from './claims.js';
import { decodeClaims, encodeClaims } from './claims-codec.js';
import { MAX_TOKEN_CHARS, parseToken } from './envelope.js';
import { KeyRing } from './key-ring.js';
import { deepFreeze, OpenedTokenCache } from './opened-cache.js';
import { MAX_SESSION_SECONDS, RETIRE_MARGIN_SECONDS } from './ring-state.js';

export type OpenResult = { ok: true; claims: SessionClaims } | { ok: false; reason: 'invalid' | 'expired' };

export interface SessionTokenServiceOptions {
  settings: SettingsRepo;
  clock: Clock;
  /** Makes the temporary access key id and secret (not token keys or nonces: those use node:crypto). */
  random: Random;
  /** Key rotation period in seconds (default 86,400). */
  rotationSeconds?: number;
  /** Minimum ms between ring re-reads caused by unknown key ids (default 1000). */
  refreshMinIntervalMs?: number;
  /** Opened tokens kept in memory (default 4096; 0 disables the cache). */
  cacheSize?: number;
  /** Settings key of the ring (default `sts:token-key-ring`). */
  settingKey?: string;
}

const INVALID = Object.freeze({ ok: false, reason: 'invalid' } as const);
const EXPIRED = Object.freeze({ ok: false, reason: 'expired' } as const);

export class SessionTokenService implements SessionIssuer, SessionVerifier {
  readonly keyRing: KeyRing;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #cache: OpenedTokenCache;
  /** Temporary key ids in time order (TimeOrderedIds: the audit trail's lookup index appends them). */
  readonly #keyIds: TimeOrderedIds;

  constructor(opts: SessionTokenServiceOptions) {
    this.keyRing = new KeyRing({
      settings: opts.settings,
      clock: opts.clock,
      ...(opts.rotationSeconds !== undefined && { rotationSeconds: opts.rotationSeconds }),
      ...(opts.refreshMinIntervalMs !== undefined && { refreshMinIntervalMs: opts.refreshMinIntervalMs }),
      ...(opts.settingKey !== undefined && { settingKey: opts.settingKey }),
    });
    this.#clock = opts.clock;
    this.#random = opts.random;
    this.#keyIds = new TimeOrderedIds(opts.random);
    this.#cache = new OpenedTokenCache(opts.cacheSize ?? 4096);
  }

  async issue(claims: Omit<SessionClaims, 'v' | 'accessKeyId' | 'secretAccessKey'>): Promise<IssuedCredentials> {
    const accessKeyId = this.#keyIds.next('ASIA', this.#clock.now().getTime());
    const secretAccessKey = newSecretAccessKey(this.#random);
    // Own fields first, then the caller's: on Node 20, adding properties after an object spread
    // leaves a slow (dictionary-mode) object, ~5 µs here and slower checks after (docs/benchmarks.md).
    const full: SessionClaims = { v: 1, accessKeyId, secretAccessKey, ...claims };
    // The caller's claims never name these (by type); if one did at run time, ours still win.
    full.v = 1;
    full.accessKeyId = accessKeyId;
    full.secretAccessKey = secretAccessKey;
    const token = await this.seal(full);
    return { AccessKeyId: full.accessKeyId, SecretAccessKey: full.secretAccessKey, SessionToken: token, Expiration: new Date(full.expiresAt * 1000) };
  }

  /** Seals complete claims into a token. Throws on malformed, over-long or too-large claims. */
  async seal(claims: SessionClaims): Promise<string> {
    const now = Math.floor(this.#clock.now().getTime() / 1000);
    if (!(claims.expiresAt > now)) throw new Error('session token: expiresAt must be in the future');
    if (claims.expiresAt > now + MAX_SESSION_SECONDS) throw new Error(`session token: a session may last at most ${MAX_SESSION_SECONDS} seconds`);
    const plaintext = encodeClaims(claims); // checks the claims like open() will
    const key = await this.keyRing.signingKey();
    // The ring's promise to keep this key until every token it sealed has expired (even if this
    // node's clock stepped back while it waited for the key).
    if (claims.expiresAt > key.retireAfter - RETIRE_MARGIN_SECONDS) throw new Error(`session token: key ${key.id} retires too early for this session`);
    const token = key.seal(plaintext);
    if (token.length > MAX_TOKEN_CHARS) throw new Error(`session token: ${token.length} characters, over the ${MAX_TOKEN_CHARS} limit (too many or too large session policies or tags)`);
    return token;
  }

  async open(token: string, nowSeconds: number): Promise<OpenResult> {
    if (!Number.isFinite(nowSeconds)) return INVALID;
    const claims = await this.#authentic(token);
    return claims ? verdict(claims, nowSeconds) : INVALID;
  }

  /**
   * open() plus the check every caller must make: the token belongs to the access key id the
   * request was signed with. A token of another key is 'invalid', even when expired.
   */
  async openFor(token: string, accessKeyId: string, nowSeconds: number): Promise<OpenResult> {
    if (!Number.isFinite(nowSeconds)) return INVALID;
    const claims = await this.#authentic(token);
    return claims && claims.accessKeyId === accessKeyId ? verdict(claims, nowSeconds) : INVALID;
  }

  /** The token's claims if it is authentic (expiry not checked), else undefined. Never throws on input. */
  async #authentic(token: unknown): Promise<Readonly<SessionClaims> | undefined> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return undefined;
    const hit = this.#cache.get(token);
    if (hit && this.keyRing.heldKey(hit.keyId)) return hit.claims;
    const parts = parseToken(token);
    if (!parts) return undefined;
    const key = await this.keyRing.verificationKey(parts.keyId);
    const plaintext = key?.open(parts);
    const claims = plaintext && decodeClaims(plaintext);
    if (!key || !claims) return undefined;
    deepFreeze(claims);
    this.#cache.set(token, { keyId: key.id, claims });
    return claims;
  }
}

function verdict(claims: SessionClaims, nowSeconds: number): OpenResult {
  // Valid while now < expiresAt: at the Expiration instant the credentials stop working.
  return nowSeconds >= claims.expiresAt ? EXPIRED : { ok: true, claims };
}
