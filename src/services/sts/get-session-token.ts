/**
 * sts:GetSessionToken: temporary credentials for the IAM user (or root user) whose long-term
 * access key signed the request, optionally MFA-authenticated.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
 *
 * - Callable only with long-term keys: session credentials of any kind get AccessDenied
 *   "Cannot call GetSessionToken with session credentials" (AWS's wording).
 * - Not controlled by policies ("an authentication operation", MFA-protected API access page):
 *   `auth: 'signed-unauthorized'`; an explicit Deny of sts:GetSessionToken does not stop it.
 * - DurationSeconds 900..129,600, default 43,200; the root user's sessions last at most 3,600
 *   seconds, and a longer request "defaults to one hour" (clamped, not refused).
 * - SerialNumber + TokenCode: the code must come from the user's enabled device; the session then
 *   carries the MFA time (aws:MultiFactorAuthPresent / aws:MultiFactorAuthAge), which is also what
 *   lets its credentials call IAM (credential-restrictions.ts).
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { IssuedCredentials } from '../../tokens/claims.js';
import { defineOperation } from '../operation.js';
import { verifySessionMfa } from './session-mfa.js';

export interface GetSessionTokenInput {
  DurationSeconds?: number;
  SerialNumber?: string;
  TokenCode?: string;
}

export const SESSION_DURATION = { min: 900, max: 129_600, default: 43_200, rootMax: 3_600 } as const;

/** AccessDenied for GetSessionToken / GetFederationToken called with temporary credentials. */
export function sessionCredentialsDenied(caller: Caller, operation: 'GetSessionToken' | 'GetFederationToken'): AwsError | undefined {
  const longTerm = !caller.session && (caller.kind === 'user' || caller.kind === 'root');
  return longTerm ? undefined : new AwsError('AccessDenied', `Cannot call ${operation} with session credentials`);
}

/** DurationSeconds for GetSessionToken / GetFederationToken (the model checks the range on the wire). */
export function sessionDuration(requested: number | undefined, caller: Caller): number {
  const d = requested ?? SESSION_DURATION.default;
  if (!Number.isInteger(d) || d < SESSION_DURATION.min) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${d}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${SESSION_DURATION.min}`);
  }
  if (d > SESSION_DURATION.max) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${d}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${SESSION_DURATION.max}`);
  }
  return caller.kind === 'root' ? Math.min(d, SESSION_DURATION.rootMax) : d;
}

export const getSessionToken = defineOperation<GetSessionTokenInput, { Credentials: IssuedCredentials }>({
  service: 'sts',
  name: 'GetSessionToken',
  auth: 'signed-unauthorized',
  resources: () => ['*'],
  async run(input, ctx) {
    const caller = ctx.caller;
    if (!caller) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (!ctx.sessions) throw new AwsError('InternalFailure', 'GetSessionToken is not wired');
    const denied = sessionCredentialsDenied(caller, 'GetSessionToken');
    if (denied) throw denied;
    const duration = sessionDuration(input.DurationSeconds, caller);
    const now = ctx.clock.now();
    const mfaAt = await verifySessionMfa(ctx.store, caller, input, now);
    const issuedAt = Math.floor(now.getTime() / 1000);
    const common = {
      accountId: caller.accountId,
      issuedAt,
      expiresAt: issuedAt + duration,
      ...(mfaAt ? { mfaAuthenticatedAt: Math.floor(mfaAt.getTime() / 1000) } : {}),
      tags: [],
      transitiveTagKeys: [],
      sessionPolicies: [],
      chainDepth: 0,
      originalCaller: caller.arn,
    };
    const creds =
      caller.kind === 'root'
        ? await ctx.sessions.issue({ kind: 'root-session', ...common })
        : await ctx.sessions.issue({ kind: 'user-session', ...common, userName: caller.userName ?? '', userId: caller.userId, userArn: caller.arn });
    return { Credentials: creds };
  },
});
