/**
 * The signing keys of an OpenID Connect issuer, fetched as AWS STS fetches them for
 * AssumeRoleWithWebIdentity: the issuer's discovery document
 * (`<issuer>/.well-known/openid-configuration`), then its `jwks_uri`, both over HTTPS.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html
 *
 * Trusting the IdP's TLS certificate, as IAM does:
 * - a chain that verifies against Node's CA store (plus NODE_EXTRA_CA_CERTS) for the host name is
 *   trusted whatever the provider's thumbprints (AWS: "IAM uses its library of trusted root CAs");
 * - otherwise (a private CA, a self-signed certificate) a certificate of the presented chain must
 *   have a SHA-1 thumbprint in the provider's ThumbprintList, every certificate from the leaf up to
 *   it must be signed by the next one and be within its validity dates, and the leaf must name
 *   the host. (Node builds the presented chain by matching names only: a forged leaf sent with a
 *   genuine CA certificate must not pass for one that CA signed.)
 *
 * Callers pass the issuer as the provider stores it (`https://` + its url), never a token's raw
 * `iss`, so spellings of one issuer share one cache entry. Keys are cached per (issuer,
 * thumbprints) for `ttlMs`, at most `maxEntries` issuers (the oldest dropped first); a token signed with a key id the cached
 * set lacks refetches it at most once per `refreshCooldownMs` (key rotation at the IdP). A failed
 * fetch is answered again for `failureTtlMs` without a new connection: tokens naming an issuer
 * that is down cannot make the server open one connection per request.
 *
 * INVARIANT: nothing read from the network is trusted unless the connection passed one of the two
 * checks above; a response over `maxBytes` or slower than `timeoutMs` is an IdP failure.
 */
import { request, type RequestOptions } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { JSONWebKeySet } from 'jose';

/** Why the keys could not be had: the IdP was unreachable or answered badly, or its certificate is not trusted. */
export class IdpKeyError extends Error {
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'untrusted-certificate' | 'bad-response',
  ) {
    super(message);
    this.name = 'IdpKeyError';
  }
}

export interface OidcKeySourceOptions {
  /** Per HTTPS request (default 5,000 ms). */
  timeoutMs?: number;
  /** How long fetched keys are used (default 1 hour). */
  ttlMs?: number;
  /** Least time between two refetches for an unknown key id (default 30 s). */
  refreshCooldownMs?: number;
  /** How long a failed fetch is answered from memory (default 5,000 ms). */
  failureTtlMs?: number;
  /** Issuers whose keys (and failures) are kept (default 256). */
  maxEntries?: number;
  /** Largest discovery document or key set accepted (default 512 KiB). */
  maxBytes?: number;
  /** Clock (ms), for the cache. */
  nowMs?: () => number;
}

interface Cached {
  jwks: JSONWebKeySet;
  fetchedAt: number;
}

/** `https://` + the provider's url: the issuer as it appears in tokens (iss). */
export type IssuerUrl = string;

export class OidcKeySource {
  readonly #timeoutMs: number;
  readonly #ttlMs: number;
  readonly #cooldownMs: number;
  readonly #maxBytes: number;
  readonly #failureTtlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();
  readonly #failures = new Map<string, { error: IdpKeyError; at: number }>();
  readonly #inflight = new Map<string, Promise<Cached>>();

  constructor(opts: OidcKeySourceOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#ttlMs = opts.ttlMs ?? 3_600_000;
    this.#cooldownMs = opts.refreshCooldownMs ?? 30_000;
    this.#maxBytes = opts.maxBytes ?? 512 * 1024;
    this.#failureTtlMs = opts.failureTtlMs ?? 5000;
    this.#maxEntries = Math.max(1, opts.maxEntries ?? 256);
    this.#now = opts.nowMs ?? Date.now;
  }

  /**
   * The issuer's key set. `kid`: the key id the token names; a cached set without it is refetched
   * (at most once per cooldown). Throws IdpKeyError.
   */
  async keys(issuer: IssuerUrl, thumbprints: readonly string[], kid?: string): Promise<JSONWebKeySet> {
    const cacheKey = `${issuer}\n${[...thumbprints].map((t) => t.toLowerCase()).sort().join(',')}`;
    const hit = this.#cache.get(cacheKey);
    const now = this.#now();
    if (hit && now - hit.fetchedAt < this.#ttlMs) {
      const known = kid === undefined || hit.jwks.keys.some((k) => k.kid === kid);
      if (known || now - hit.fetchedAt < this.#cooldownMs) return hit.jwks;
    }
    const failed = this.#failures.get(cacheKey);
    if (failed && now - failed.at < this.#failureTtlMs) throw failed.error;
    let p = this.#inflight.get(cacheKey);
    if (!p) {
      p = this.#fetchKeys(issuer, thumbprints).then(
        (fresh) => {
          this.#remember(this.#cache, cacheKey, fresh);
          this.#failures.delete(cacheKey);
          return fresh;
        },
        (e: unknown) => {
          if (e instanceof IdpKeyError) this.#remember(this.#failures, cacheKey, { error: e, at: this.#now() });
          throw e;
        },
      );
      p = p.finally(() => this.#inflight.delete(cacheKey));
      this.#inflight.set(cacheKey, p);
    }
    return (await p).jwks;
  }

  /** Map.set, newest last, dropping the oldest entries past maxEntries. */
  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > this.#maxEntries) map.delete(map.keys().next().value as string);
  }

  async #fetchKeys(issuer: IssuerUrl, thumbprints: readonly string[]): Promise<Cached> {
    const discovery = await this.#getJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, thumbprints);
    const jwksUri = (discovery as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwksUri !== 'string' || !jwksUri.startsWith('https://')) throw new IdpKeyError('the discovery document has no https jwks_uri', 'bad-response');
    const jwks = await this.#getJson(jwksUri, thumbprints);
    const keys = (jwks as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || !keys.every((k) => k !== null && typeof k === 'object' && !Array.isArray(k))) throw new IdpKeyError('the key set has no keys array', 'bad-response');
    return { jwks: jwks as JSONWebKeySet, fetchedAt: this.#now() };
  }

  /** GET a JSON document over HTTPS, trusting the connection as the module comment says. */
  #getJson(url: string, thumbprints: readonly string[]): Promise<unknown> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return Promise.reject(new IdpKeyError(`not a URL: ${url}`, 'bad-response'));
    }
    if (u.protocol !== 'https:') return Promise.reject(new IdpKeyError(`not https: ${url}`, 'bad-response'));
    const wanted = new Set(thumbprints.map((t) => t.toLowerCase()));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const opts: RequestOptions = {
      method: 'GET',
      headers: { accept: 'application/json' },
      // Checked below: the chain against the CA store, else the provider's thumbprints.
      rejectUnauthorized: false,
      agent: false,
      timeout: this.#timeoutMs,
    };
    return new Promise((resolve, reject) => {
      const req = request(u, opts, (res) => {
        const socket = res.socket as TLSSocket;
        const trust = trusted(socket, host, wanted);
        if (trust !== true) {
          res.destroy();
          reject(new IdpKeyError(trust, 'untrusted-certificate'));
          return;
        }
        if (res.statusCode !== 200) {
          res.resume();
          reject(new IdpKeyError(`${url} answered HTTP ${res.statusCode}`, 'bad-response'));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.#maxBytes) {
            res.destroy();
            reject(new IdpKeyError(`${url} answered more than ${this.#maxBytes} bytes`, 'bad-response'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new IdpKeyError(`${url} did not answer JSON`, 'bad-response'));
          }
        });
        res.on('error', (e) => reject(new IdpKeyError(`${url}: ${e.message}`, 'unreachable')));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof IdpKeyError ? e : new IdpKeyError(`${url}: ${e.message}`, 'unreachable')));
      req.end();
    });
  }
}

/** true, or why the connection's certificate is not trusted for `host`. */
function trusted(socket: TLSSocket, host: string, thumbprints: ReadonlySet<string>): true | string {
  if (socket.authorized) return true; // the CA store vouches for the chain and the host name
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate;
  if (!leaf || !leaf.raw) return 'the identity provider presented no certificate';
  const identity = checkServerIdentity(host, leaf);
  if (identity) return `the identity provider's certificate does not name ${host}`;
  // The presented chain, leaf first, as Node linked it (by names only).
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = leaf; c && c.raw && !seen.has(c.fingerprint); c = c.issuerCertificate) {
    seen.add(c.fingerprint);
    chain.push(new X509Certificate(c.raw));
  }
  const anchor = chain.findIndex((c) => thumbprints.has(c.fingerprint.replace(/:/g, '').toLowerCase()));
  if (anchor < 0) return "the identity provider's HTTPS certificate doesn't match a configured thumbprint";
  const now = Date.now();
  for (let i = 0; i <= anchor; i++) {
    const c = chain[i] as X509Certificate;
    if (now < Date.parse(c.validFrom) || now > Date.parse(c.validTo)) return "a certificate of the identity provider's chain is outside its validity dates";
    // Each certificate below the pinned one must really be signed by the next.
    if (i < anchor) {
      const issuer = chain[i + 1] as X509Certificate;
      if (!c.checkIssued(issuer) || !c.verify(issuer.publicKey)) return "the identity provider's certificate chain does not verify up to the configured thumbprint";
    }
  }
  return true;
}
