/**
 * sts:AssumeRoleWithWebIdentity for OpenID Connect ID tokens (GitHub Actions, GitLab CI, EKS
 * service accounts, Kubernetes, Keycloak, Dex, ...): an unsigned call whose caller is whoever holds
 * a token from an IAM OIDC provider of the role's account. The token is checked
 * (web-identity-token.ts), then the role's trust policy is evaluated alone for a `Federated`
 * principal naming the provider, with the token's claims as `<provider>:aud|sub|oaud|amr|azp|email`.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 *
 * Session tags come from the token's `https://aws.amazon.com/tags` claim (principal_tags,
 * transitive_tag_keys) and the source identity from `https://aws.amazon.com/source_identity`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp).
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { Tag } from '../../store/ports.js';
import { defineOperation } from '../operation.js';
import { assumeFederated, federatedCaller, federatedSourceIdentity } from './federated-session.js';
import { checkRoleArnSyntax, findRoleByArn, ROLE_ARN_RE } from './role-trust.js';
import { resolveSessionTags } from './session-tags.js';
import { verifyWebIdentityToken, type VerifiedWebIdentity } from './web-identity-token.js';

export interface AssumeRoleWithWebIdentityInput {
  RoleArn: string;
  RoleSessionName: string;
  WebIdentityToken: string;
  ProviderId?: string;
  PolicyArns?: Array<{ arn?: string }>;
  Policy?: string;
  DurationSeconds?: number;
}

const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

/** STS's refusal of a trust policy (no detail: the caller is anonymous). */
function notAuthorized(): AwsError {
  return new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
}

/** The caller: the provider as the trust policy's principal, `WebIdentityUser` in the trail. */
export function webIdentityCaller(v: VerifiedWebIdentity): Caller {
  const providerArn = v.provider.arn;
  return federatedCaller({ providerArn, accountId: v.provider.accountId, principalId: `${providerArn}:${v.audience}:${v.subject}`, subject: v.subject, type: 'WebIdentityUser', identityProvider: providerArn });
}

/** Session tags from the token (`principal_tags`: key -> [value]); InvalidIdentityToken when malformed. */
function tokenTags(claims: Record<string, unknown>): { tags?: Tag[]; transitive?: string[] } {
  const raw = claims[TAGS_CLAIM];
  if (raw === undefined) return {};
  const bad = () => new AwsError('InvalidIdentityToken', `The ${TAGS_CLAIM} claim is malformed: it must hold principal_tags (each key with one string value in a list) and optionally transitive_tag_keys.`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad();
  const { principal_tags: pt, transitive_tag_keys: tk } = raw as Record<string, unknown>;
  const tags: Tag[] = [];
  if (pt !== undefined) {
    if (pt === null || typeof pt !== 'object' || Array.isArray(pt)) throw bad();
    for (const [Key, v] of Object.entries(pt as Record<string, unknown>)) {
      const value = Array.isArray(v) ? v : [v];
      if (value.length !== 1 || typeof value[0] !== 'string') throw bad();
      tags.push({ Key, Value: value[0] });
    }
  }
  if (tk !== undefined && !(Array.isArray(tk) && tk.every((k) => typeof k === 'string'))) throw bad();
  return { tags, ...(tk !== undefined ? { transitive: tk as string[] } : {}) };
}

/** `<provider url>:<claim>` keys of the trust evaluation (IAM user guide, "Available keys for OIDC federation"). */
function providerKeys(v: VerifiedWebIdentity): Record<string, string | string[]> {
  const p = v.provider.url;
  const c: Record<string, string | string[]> = { [`${p}:aud`]: v.audience, [`${p}:sub`]: v.subject };
  if (v.otherAudiences.length) c[`${p}:oaud`] = v.otherAudiences;
  const amr = v.claims.amr;
  if (typeof amr === 'string') c[`${p}:amr`] = amr;
  else if (Array.isArray(amr) && amr.every((x) => typeof x === 'string')) c[`${p}:amr`] = amr as string[];
  if (typeof v.claims.azp === 'string') c[`${p}:azp`] = v.claims.azp;
  if (typeof v.claims.email === 'string') c[`${p}:email`] = v.claims.email;
  return c;
}

export const assumeRoleWithWebIdentity = defineOperation<AssumeRoleWithWebIdentityInput, Record<string, unknown>>({
  service: 'sts',
  name: 'AssumeRoleWithWebIdentity',
  // Unsigned; the token is the credential and the trust policy the only policy.
  auth: 'none',
  resources: (input) => [input.RoleArn],
  async run(input, ctx) {
    if (!ctx.webIdentityKeys) throw new AwsError('InternalFailure', 'AssumeRoleWithWebIdentity is not wired');
    if (input.ProviderId !== undefined) {
      throw new AwsError('InvalidParameterValue', 'ProviderId is for OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com, which Rolecall does not accept: pass an OpenID Connect ID token without ProviderId.');
    }
    checkRoleArnSyntax(input.RoleArn);
    const roleAccount = ROLE_ARN_RE.exec(input.RoleArn)?.[1];
    if (roleAccount === undefined) throw notAuthorized();
    const web = await verifyWebIdentityToken({ store: ctx.store, clock: ctx.clock, keys: ctx.webIdentityKeys }, roleAccount, input.WebIdentityToken);
    const caller = webIdentityCaller(web);
    ctx.unsignedCaller = caller;
    const role = await findRoleByArn(ctx.store, input.RoleArn);
    if (!role) throw notAuthorized();

    const passed = tokenTags(web.claims);
    const tags = resolveSessionTags(passed.tags, passed.transitive, undefined);
    const sourceIdentity = federatedSourceIdentity(web.claims[SOURCE_IDENTITY_CLAIM]);

    const { session, packedPolicySize: packed } = await assumeFederated(ctx, {
      caller,
      role,
      action: 'sts:AssumeRoleWithWebIdentity',
      idpKeys: providerKeys(web),
      sessionName: input.RoleSessionName,
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      tags,
      ...(input.DurationSeconds !== undefined ? { durationSeconds: input.DurationSeconds } : {}),
      policies: input,
      providerArn: web.provider.arn,
      denied: notAuthorized,
    });
    const out: Record<string, unknown> = { Credentials: session.Credentials, SubjectFromWebIdentityToken: web.subject, AssumedRoleUser: session.AssumedRoleUser };
    if (packed !== undefined) out.PackedPolicySize = packed;
    out.Provider = web.issuer;
    out.Audience = web.audience;
    if (sourceIdentity !== undefined) out.SourceIdentity = sourceIdentity;
    return out;
  },
});
