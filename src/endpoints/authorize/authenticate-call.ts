/**
 * SigV4 authentication for the decision point: the service's own call to Rolecall (scoped to the
 * `rolecall` signing name), and the forwarded request (scoped to whatever the service serves).
 * Both reuse the gateway's authentication (src/gateway/authenticate.ts), so they answer exactly
 * the AWS errors the AWS APIs answer.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import { authenticate, sigv4AwsError, type AuthenticateDeps } from '../../gateway/authenticate.js';
import type { HttpRequest } from '../../http/server.js';
import { missingAuthenticationToken, parseAuth, wrongService, type ParsedAuth, type RawRequest } from '../../sigv4/index.js';
import type { Store } from '../../store/ports.js';
import type { CredentialMemo } from './credential-memo.js';

/** The signing name of calls to the decision point (the credential scope's service). */
export const ROLECALL_SIGNING_NAME = 'rolecall';

export interface AuthDeps {
  store: Store;
  resolveSessionToken?: AuthenticateDeps['resolveSessionToken'];
  /** Remembered credential lookups (credential-memo.ts); without it every request looks up. */
  memo?: CredentialMemo;
}

export interface Authenticated {
  caller: Caller;
  auth: ParsedAuth;
}

export function rawOf(req: HttpRequest): RawRequest {
  return { method: req.method, path: req.path, query: req.query, headers: req.headers, bodySha256Hex: req.bodySha256Hex };
}

/** A request that must be signed, for `signingName` when given; throws AWS's error otherwise. */
export async function authenticateRaw(raw: RawRequest, deps: AuthDeps, now: Date, opts: { signingName?: string; allowUnsignedPayload?: boolean } = {}): Promise<Authenticated> {
  const parsed = parseAuth(raw);
  if (!parsed.ok) throw sigv4AwsError(parsed.error);
  if (!parsed.auth) throw sigv4AwsError(missingAuthenticationToken());
  const auth = parsed.auth;
  if (opts.signingName !== undefined && auth.service !== opts.signingName) throw sigv4AwsError(wrongService(opts.signingName));
  const extra = opts.allowUnsignedPayload ? { allowUnsignedPayload: true } : {};
  if (deps.memo) return { caller: await deps.memo.authenticate(raw, auth, deps, now, extra), auth };
  const a = await authenticate(raw, auth, {
    store: deps.store,
    now,
    ...(deps.resolveSessionToken ? { resolveSessionToken: deps.resolveSessionToken } : {}),
    verifyOptions: extra,
  });
  return { caller: a.caller, auth };
}

/** The access key id a request claims, for the audit record of a failed authentication. */
export function claimedKeyId(raw: RawRequest): string | undefined {
  const p = parseAuth(raw);
  return p.ok && p.auth ? p.auth.accessKeyId : undefined;
}

export const isAwsError = (e: unknown): e is AwsError => e instanceof AwsError;
