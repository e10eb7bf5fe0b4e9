/**
 * Authentication: SigV4 over the raw request, the access key looked up in the store, the caller
 * built from the key's owner. Long-term keys only here; session tokens come with STS.
 */
import { AwsError, type AwsErrorCode } from '../domain/aws-error.js';
import type { Caller } from '../domain/caller.js';
import { rootArn } from '../domain/arns.js';
import { expiredToken, invalidClientTokenId, invalidSecurityToken, verifySignature, type ParsedAuth, type RawRequest, type SigV4Error, type VerifyOptions } from '../sigv4/index.js';
import type { AccessKeyRecord, Store } from '../store/ports.js';
import type { SessionResolution } from './session-caller.js';

/**
 * A request that failed authentication. It keeps the SigV4 error it came from, so that the wire
 * layer can spell it as the JSON-protocol services do (`toJsonProtocolError`: CloudTrail answers
 * `InvalidSignatureException` where IAM and STS answer `SignatureDoesNotMatch`).
 */
export class AuthenticationError extends AwsError {
  constructor(readonly sigv4: SigV4Error) {
    super(sigv4.code as AwsErrorCode, sigv4.message);
  }
}

export function sigv4AwsError(e: SigV4Error<string>): AwsError {
  return new AuthenticationError(e as SigV4Error);
}

/** Resolves the owner of a long-term access key into a Caller. */
export async function callerForAccessKey(store: Store, key: AccessKeyRecord): Promise<Caller | undefined> {
  if (key.userName === undefined) {
    const arn = rootArn(key.accountId);
    return {
      kind: 'root',
      accountId: key.accountId,
      principal: { type: 'Account', account: key.accountId, arn, id: key.accountId },
      userId: key.accountId,
      arn,
      accessKeyId: key.accessKeyId,
    };
  }
  const user = await store.users.get(key.accountId, key.userName);
  if (!user) return undefined;
  return {
    kind: 'user',
    accountId: key.accountId,
    principal: { type: 'User', account: key.accountId, arn: user.arn, id: user.id },
    userId: user.id,
    arn: user.arn,
    accessKeyId: key.accessKeyId,
    userName: user.name,
    tags: user.tags,
  };
}

/** STS honours a presigned URL for 15 minutes whatever X-Amz-Expires says. */
export function stsOptions(auth: ParsedAuth, extra: VerifyOptions | undefined): VerifyOptions {
  const sts = auth.service === 'sts' ? { presignedLifetimeSeconds: 900 } : {};
  return extra ? { ...extra, ...sts } : sts;
}

export interface AuthenticateDeps {
  store: Store;
  now: Date;
  /** Session tokens (STS) resolve here; undefined until STS exists. */
  resolveSessionToken?: (auth: ParsedAuth) => Promise<SessionResolution>;
  /** Extra verification options (the decision point passes S3's allowUnsignedPayload). */
  verifyOptions?: VerifyOptions;
}

/**
 * The authenticated caller, with what it was verified against: the long-term key's record, or
 * the session (its secret and expiry) a token resolved to. Callers that remember credentials
 * (the decision point's memo) keep those; the rest use `caller`.
 */
export interface Authenticated {
  caller: Caller;
  key?: AccessKeyRecord;
  session?: Exclude<SessionResolution, 'expired' | undefined>;
}

export async function authenticate(req: RawRequest, auth: ParsedAuth, deps: AuthenticateDeps): Promise<Authenticated> {
  if (auth.securityToken !== undefined) {
    const session = deps.resolveSessionToken ? await deps.resolveSessionToken(auth) : undefined;
    if (!session || !auth.accessKeyId.startsWith('ASIA')) throw sigv4AwsError(invalidSecurityToken());
    // 'expired' is only ever reported for a token that unsealed (authentic), never for a forgery.
    if (session === 'expired') throw sigv4AwsError(expiredToken());
    const v = verifySignature(req, auth, session.secretAccessKey, deps.now, stsOptions(auth, deps.verifyOptions));
    if (!v.ok) throw sigv4AwsError(v.error);
    return { caller: session.caller, session };
  }
  const key = await deps.store.accessKeys.get(auth.accessKeyId);
  // INVARIANT: unknown, inactive and orphaned keys all answer the same error, after no secret work.
  if (!key || key.status !== 'Active' || !auth.accessKeyId.startsWith('AKIA')) throw sigv4AwsError(invalidClientTokenId());
  const v = verifySignature(req, auth, key.secretAccessKey, deps.now, stsOptions(auth, deps.verifyOptions));
  if (!v.ok) throw sigv4AwsError(v.error);
  const caller = await callerForAccessKey(deps.store, key);
  if (!caller) throw sigv4AwsError(invalidClientTokenId());
  return { caller, key };
}
