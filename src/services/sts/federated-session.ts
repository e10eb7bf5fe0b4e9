/**
 * What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share once the IdP's token or assertion is
 * checked: the role's trust policy alone decides (the caller has no identity policies), with the
 * IdP's keys, the session name, the source identity and the session tags in the context; then
 * DurationSeconds, the session policies and their packed size, and the role session, which
 * carries the provider (aws:FederatedProvider).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { ContextValue } from '../../policy/index.js';
import type { RoleRecord } from '../../store/ports.js';
import type { OperationContext } from '../operation.js';
import { sessionPolicies, type AssumeRoleInput } from './assume-role.js';
import { authorizeOnRole, issueRoleSession, roleTagContext, trustPolicyOf, type RoleSession } from './role-trust.js';
import { checkedPackedPolicySize } from './packed-policy.js';
import type { ResolvedTags } from './session-tags.js';

/**
 * The caller of an unsigned federation call, once its token or assertion is read: for the trust
 * policy a `Federated` principal naming the provider; for CloudTrail a `WebIdentityUser` or
 * `SAMLUser` with `principalId`, `userName` (the subject) and `identityProvider`.
 */
export function federatedCaller(f: { providerArn: string; accountId: string; principalId: string; subject: string; type: 'WebIdentityUser' | 'SAMLUser'; identityProvider: string }): Caller {
  return {
    kind: 'web-identity',
    accountId: f.accountId,
    principal: { type: 'WebIdentity', provider: f.providerArn },
    userId: f.principalId,
    userName: f.subject,
    federation: { type: f.type, identityProvider: f.identityProvider },
    arn: f.providerArn,
    accessKeyId: '',
  };
}

const SOURCE_IDENTITY_RE = /^[\w+=,.@-]{2,64}$/;

/** The most JSON the provider's condition keys may take in a session token. */
export const MAX_FEDERATED_KEYS_BYTES = 2048;

/** A source identity the IdP asserts (claim or attribute), checked as STS words the refusal. */
export function federatedSourceIdentity(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !SOURCE_IDENTITY_RE.test(value) || value.toLowerCase().startsWith('aws:')) {
    throw new AwsError('InvalidIdentityToken', 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"');
  }
  return value;
}

export interface FederatedAssumeRequest {
  caller: Caller;
  role: RoleRecord;
  /** `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML`. */
  action: string;
  /** The IdP's condition keys (`<url>:sub`, `saml:sub`, ...): the trust policy's, then every request's of the session. */
  idpKeys: Record<string, string | string[]>;
  sessionName: string;
  sourceIdentity?: string;
  tags: ResolvedTags;
  /** DurationSeconds as requested (default 3600). */
  durationSeconds?: number;
  /** Epoch second the session must end by at the latest (SAML's SessionNotOnOrAfter). */
  endsBy?: number;
  policies: Pick<AssumeRoleInput, 'Policy' | 'PolicyArns'>;
  /** The provider's ARN: aws:FederatedProvider in the session's requests. */
  providerArn: string;
  /** The refusal of the trust policy, as the operation words it. */
  denied: () => AwsError;
}

export async function assumeFederated(ctx: OperationContext, r: FederatedAssumeRequest): Promise<{ session: RoleSession; packedPolicySize?: number }> {
  if (!ctx.authorizer || !ctx.sessions) throw new AwsError('InternalFailure', `${r.action} is not wired`);
  const { caller, role, tags } = r;
  const context: Record<string, ContextValue> = { ...(ctx.requestContext ?? {}), ...r.idpKeys };
  context['sts:RoleSessionName'] = r.sessionName;
  if (r.sourceIdentity !== undefined) context['sts:SourceIdentity'] = r.sourceIdentity;
  roleTagContext(role, context);
  if (tags.tags.length) {
    context['aws:TagKeys'] = tags.tags.map((t) => t.Key);
    for (const t of tags.tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
  }
  if (tags.transitiveTagKeys.length) context['sts:TransitiveTagKeys'] = tags.transitiveTagKeys;

  const trust = await trustPolicyOf(role, ctx.store);
  const authorizer = ctx.authorizer;
  const authorize = (action: string) => authorizeOnRole(authorizer, { caller, role, trust, action, context }, r.denied);
  await authorize(r.action);
  if (tags.tags.length) await authorize('sts:TagSession');
  if (r.sourceIdentity !== undefined) await authorize('sts:SetSourceIdentity');

  const requested = r.durationSeconds ?? 3600;
  if (requested > role.maxSessionDuration) throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const issuedAt = Math.floor(ctx.clock.now().getTime() / 1000);
  const duration = r.endsBy === undefined ? requested : Math.min(requested, r.endsBy - issuedAt);
  if (duration <= 0) throw new AwsError('ExpiredTokenException', 'Response has expired');
  const policies = await sessionPolicies(ctx, role, r.policies);
  const packed = checkedPackedPolicySize(policies, tags.tags, tags.transitiveTagKeys);
  // The keys ride in the session token; an assertion with attributes too large for one is refused
  // (AWS documents no limit: this one keeps every token within MAX_TOKEN_CHARS).
  const keysBytes = Buffer.byteLength(JSON.stringify(r.idpKeys), 'utf8');
  if (keysBytes > MAX_FEDERATED_KEYS_BYTES) {
    throw new AwsError('IDPRejectedClaim', `The identity provider's claims are too large to carry into the session (${keysBytes} bytes of condition keys; at most ${MAX_FEDERATED_KEYS_BYTES}).`);
  }

  const session = await issueRoleSession(ctx.sessions, role, r.sessionName, issuedAt, duration, {
    ...(r.sourceIdentity !== undefined ? { sourceIdentity: r.sourceIdentity } : {}),
    tags: tags.tags,
    transitiveTagKeys: tags.transitiveTagKeys,
    sessionPolicies: policies,
    chainDepth: 0,
    originalCaller: caller.userId,
    federatedProvider: r.providerArn,
    federatedKeys: r.idpKeys,
  });
  return packed === undefined ? { session } : { session, packedPolicySize: packed };
}
