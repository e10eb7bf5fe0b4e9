/**
 * SigV4 authentication for the decision point, with the credential lookups remembered: every
 * authorize call authenticates two requests (the service's own call and the forwarded one), and
 * services call with the same few credentials over and over. What is remembered is what the
 * gateway's authenticate() looks up before checking the signature: for a long-term key, its
 * secret and the Caller built from its owner; for a session token, the secret and Caller its
 * claims give. The signature itself is checked on every request, with the same verifier.
 *
 * INVARIANT: the memo cannot change an answer.
 * - Entries are made only after a signature verified with the looked-up secret, so unknown,
 *   inactive and orphaned keys and forged tokens always take the full path and get its errors.
 * - An entry holds under the store generation it was read in (any write through this node drops
 *   it: a deactivated or deleted key, a deleted user or role, changed tags, a rotated token key
 *   ring) and for at most the store's read-cache TTL (another node's write is seen as soon as the
 *   read cache sees it).
 * - A session entry is used only before the session's expiry, against the request's time; at or
 *   after it the full path answers ExpiredToken.
 * Without a change signal (a store without the read cache) nothing is remembered.
 */
import type { Caller } from '../../domain/caller.js';
import { authenticate, sigv4AwsError, stsOptions } from '../../gateway/authenticate.js';
import { verifySignature, type ParsedAuth, type RawRequest, type VerifyOptions } from '../../sigv4/index.js';
import type { ChangeSignal } from '../../store/cached-store.js';
import type { Store } from '../../store/ports.js';
import type { AuthenticateDeps } from '../../gateway/authenticate.js';

export interface LookupDeps {
  store: Store;
  resolveSessionToken?: AuthenticateDeps['resolveSessionToken'];
}

interface Entry {
  gen: number;
  at: number;
  accessKeyId: string;
  secret: string;
  caller: Caller;
  /** Session: epoch ms at which it expires. */
  expiresAt?: number;
}

const MAX_ENTRIES = 4096;

export class CredentialMemo {
  private readonly entries = new Map<string, Entry>();
  private seen = -1;

  constructor(
    private readonly signal: ChangeSignal | undefined,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private lookup(id: string, accessKeyId: string, g: number): Entry | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.gen !== g || this.nowMs() - e.at >= (this.signal as ChangeSignal).ttlMs || e.accessKeyId !== accessKeyId) {
      this.entries.delete(id);
      return undefined;
    }
    return e;
  }

  private remember(id: string, g: number, e: Omit<Entry, 'gen' | 'at'>): void {
    // Only if nothing was written while the lookups ran (a read that raced a write).
    if (!this.signal || this.signal.generation() !== g) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(id, { ...e, gen: g, at: this.nowMs() });
  }

  /** As the gateway's authenticate(): the caller, or AWS's error thrown. */
  async authenticate(raw: RawRequest, auth: ParsedAuth, deps: LookupDeps, now: Date, extra: VerifyOptions = {}): Promise<Caller> {
    // A miss takes the gateway's own path (same lookups, same errors), then is remembered.
    const authDeps: AuthenticateDeps = { store: deps.store, now, ...(deps.resolveSessionToken ? { resolveSessionToken: deps.resolveSessionToken } : {}), verifyOptions: extra };
    if (!this.signal) return (await authenticate(raw, auth, authDeps)).caller;
    const opts = stsOptions(auth, extra);
    const g = this.signal.generation();
    if (g !== this.seen) {
      this.entries.clear();
      this.seen = g;
    }
    const token = auth.securityToken;
    if (token !== undefined) {
      const hit = auth.accessKeyId.startsWith('ASIA') ? this.lookup(token, auth.accessKeyId, g) : undefined;
      if (hit && now.getTime() < (hit.expiresAt as number)) {
        const v = verifySignature(raw, auth, hit.secret, now, opts);
        if (!v.ok) throw sigv4AwsError(v.error);
        return hit.caller;
      }
      const full = await authenticate(raw, auth, authDeps);
      const expiresAt = full.caller.session?.expiresAt.getTime();
      if (full.session && expiresAt !== undefined) this.remember(token, g, { accessKeyId: auth.accessKeyId, secret: full.session.secretAccessKey, caller: full.caller, expiresAt });
      return full.caller;
    }
    const hit = this.lookup(`key\u0000${auth.accessKeyId}`, auth.accessKeyId, g);
    if (hit) {
      const v = verifySignature(raw, auth, hit.secret, now, opts);
      if (!v.ok) throw sigv4AwsError(v.error);
      return hit.caller;
    }
    const full = await authenticate(raw, auth, authDeps);
    if (full.key) this.remember(`key\u0000${auth.accessKeyId}`, g, { accessKeyId: auth.accessKeyId, secret: full.key.secretAccessKey, caller: full.caller });
    return full.caller;
  }

  get size(): number {
    return this.entries.size;
  }
}
