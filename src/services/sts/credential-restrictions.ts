/**
 * What credentials from GetSessionToken and GetFederationToken may not do, whatever the policies
 * say (STS API reference, "Permissions" of each operation; IAM user guide, "Compare STS
 * credentials"):
 *
 *   GetSessionToken     no IAM API call unless MFA information was included in the request;
 *                       no STS call except AssumeRole and GetCallerIdentity.
 *   GetFederationToken  no IAM API call; no STS call except GetCallerIdentity.
 *
 * The gateway asks this right after authentication, before input errors and policies.
 *
 * What AWS answers: an IAM call with such credentials fails authentication, InvalidClientTokenId
 * "The security token included in the request is invalid" (HTTP 403) — what users of
 * `aws iam ...` with GetSessionToken or GetFederationToken credentials see (99designs/aws-vault#15,
 * #1056; aws/aws-sdk-js#460; cloudyr/aws.iam#15). GetSessionToken and GetFederationToken refuse
 * any session credentials with "Cannot call <operation> with session credentials" (AccessDenied),
 * and AssumeRole refuses a federated user itself; those operations keep their own wording. Other
 * STS operations get an AccessDenied in the same style.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { ServiceName } from '../operation.js';

export type RestrictedCredentialSource = 'GetSessionToken' | 'GetFederationToken';

/** Which of the two operations made the caller's credentials, if one of them did. */
export function restrictedCredentialSource(caller: Caller): RestrictedCredentialSource | undefined {
  if (caller.kind === 'federated-user') return 'GetFederationToken';
  if (caller.session && (caller.kind === 'user' || caller.kind === 'root')) return 'GetSessionToken';
  return undefined;
}

/** STS operations the credentials may call. */
const STS_ALLOWED: Record<RestrictedCredentialSource, ReadonlySet<string>> = {
  GetSessionToken: new Set(['AssumeRole', 'GetCallerIdentity']),
  GetFederationToken: new Set(['GetCallerIdentity']),
};

/**
 * Operations that refuse these callers themselves, with AWS's own wording (GetSessionToken,
 * GetFederationToken, AssumeRole for a federated user), or that take no credentials at all.
 */
const SELF_CHECKED: ReadonlySet<string> = new Set(['GetSessionToken', 'GetFederationToken', 'AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);

export const INVALID_SECURITY_TOKEN = 'The security token included in the request is invalid';

/** The error the request fails with because of the caller's kind of credentials, if any. */
export function credentialRestriction(caller: Caller, service: ServiceName | undefined, operation: string | undefined): AwsError | undefined {
  const source = restrictedCredentialSource(caller);
  if (!source) return undefined;
  if (service === 'iam') {
    if (source === 'GetSessionToken' && caller.session?.mfaAuthenticatedAt) return undefined;
    return new AwsError('InvalidClientTokenId', INVALID_SECURITY_TOKEN);
  }
  if (service === 'sts' && operation !== undefined && !STS_ALLOWED[source].has(operation) && !SELF_CHECKED.has(operation)) {
    return new AwsError('AccessDenied', `Cannot call ${operation} with session credentials from ${source}`);
  }
  return undefined;
}
