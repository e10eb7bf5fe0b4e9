/**
 * A development OpenID Connect issuer: what GitHub Actions, GitLab CI or a Kubernetes API server
 * are to AWS, on your machine. It serves its discovery document and key set over HTTPS (a
 * self-signed certificate, trusted by Rolecall through the provider's thumbprint, as IAM trusts
 * an IdP with a private CA) and signs ID tokens with its own key.
 *
 * State lives in one directory (created mode 0700): the signing key (`signing-key.json`, a private
 * JWK), the TLS key and certificate, and `issuer.json` (the issuer URL and the certificate's
 * thumbprint). Tokens can be minted without the server running (`mintDevToken`): the server only
 * publishes the public key.
 *
 * Not for production: whoever can read the state directory can mint tokens for any subject.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { generate } from 'selfsigned';

const ALG = 'ES256';

export interface DevIssuerState {
  /** The issuer URL tokens carry in `iss` (https://localhost:PORT[/path]). */
  issuer: string;
  /** SHA-1 thumbprint of the TLS certificate (40 hex digits): the provider's ThumbprintList. */
  thumbprint: string;
  /** The signing key's id (`kid`). */
  kid: string;
}

interface Stored extends DevIssuerState {
  port: number;
  path: string;
}

function statePaths(dir: string) {
  return { key: join(dir, 'signing-key.json'), tlsKey: join(dir, 'tls-key.pem'), tlsCert: join(dir, 'tls-cert.pem'), issuer: join(dir, 'issuer.json') };
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The SHA-1 thumbprint of a PEM certificate, as IAM's ThumbprintList writes it. */
export function certificateThumbprint(pem: string): string {
  return createHash('sha1').update(new X509Certificate(pem).raw).digest('hex');
}

/**
 * Creates the state (key pair, TLS certificate for localhost and 127.0.0.1) unless it exists for
 * this port and path; returns it. Port 0 is not allowed: the issuer URL must be known before the
 * server starts, since tokens name it.
 */
export async function initDevIssuer(dir: string, opts: { port: number; path?: string }): Promise<DevIssuerState> {
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error('the issuer needs a fixed port (1-65535)');
  const path = (opts.path ?? '').replace(/\/+$/, '');
  if (path !== '' && !/^\/[\w.~\-/]+$/.test(path)) throw new Error(`bad issuer path: ${path}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = statePaths(dir);
  if (existsSync(p.issuer)) {
    const s = JSON.parse(readFileSync(p.issuer, 'utf8')) as Stored;
    if (s.port === opts.port && s.path === path) return { issuer: s.issuer, thumbprint: s.thumbprint, kid: s.kid };
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The key's RFC 7638 thumbprint, as IdPs commonly name their keys.
  const kid = await calculateJwkThumbprint(jwk);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  writePrivate(p.key, JSON.stringify({ ...jwk, kid, alg: ALG }));
  writePrivate(p.tlsKey, pems.private);
  writeFileSync(p.tlsCert, pems.cert);
  const state: Stored = { issuer: `https://localhost:${opts.port}${path}`, thumbprint: certificateThumbprint(pems.cert), kid, port: opts.port, path };
  writeFileSync(p.issuer, JSON.stringify(state, null, 2) + '\n');
  return { issuer: state.issuer, thumbprint: state.thumbprint, kid };
}

function readState(dir: string): { state: Stored; jwk: JWK } {
  const p = statePaths(dir);
  if (!existsSync(p.issuer)) throw new Error(`no issuer in ${dir}: run 'rolecall oidc-issuer init' first`);
  return { state: JSON.parse(readFileSync(p.issuer, 'utf8')) as Stored, jwk: JSON.parse(readFileSync(p.key, 'utf8')) as JWK };
}

export interface DevTokenOptions {
  sub: string;
  aud: string | string[];
  /** Seconds until `exp` (default 3600; negative: already expired). */
  expiresIn?: number;
  /** More claims (e.g. `https://aws.amazon.com/tags`, `amr`, `email`). */
  claims?: JWTPayload;
  /** `iat`, default now (seconds). */
  now?: number;
}

/** Signs an ID token with the issuer's key (no server needed). */
export async function mintDevToken(dir: string, opts: DevTokenOptions): Promise<string> {
  const { state, jwk } = readState(dir);
  const key = await importJWK(jwk, ALG);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ ...(opts.claims ?? {}) })
    .setProtectedHeader({ alg: ALG, kid: state.kid, typ: 'JWT' })
    .setIssuer(state.issuer)
    .setSubject(opts.sub)
    .setAudience(opts.aud)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (opts.expiresIn ?? 3600))
    .sign(key);
}

export interface RunningDevIssuer extends DevIssuerState {
  close(): Promise<void>;
}

/** Serves the discovery document and the public key set over HTTPS on 127.0.0.1:<port>. */
export async function startDevIssuer(dir: string, opts: { host?: string } = {}): Promise<RunningDevIssuer> {
  const { state, jwk } = readState(dir);
  const p = statePaths(dir);
  const { d: _private, ...publicJwk } = jwk;
  const discovery = JSON.stringify({
    issuer: state.issuer,
    jwks_uri: `${state.issuer}/.well-known/jwks.json`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ALG],
    claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'nbf'],
  });
  const jwks = JSON.stringify({ keys: [{ ...publicJwk, use: 'sig' }] });
  const server: Server = createServer({ key: readFileSync(p.tlsKey), cert: readFileSync(p.tlsCert) }, (req, res) => {
    const url = (req.url ?? '').split('?')[0];
    const body = url === `${state.path}/.well-known/openid-configuration` ? discovery : url === `${state.path}/.well-known/jwks.json` ? jwks : undefined;
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(state.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  if (bound !== state.port) throw new Error(`bound ${bound}, expected ${state.port}`);
  return {
    issuer: state.issuer,
    thumbprint: state.thumbprint,
    kid: state.kid,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
