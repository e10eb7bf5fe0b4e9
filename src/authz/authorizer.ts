/**
 * The decision point for API calls: assembles the engine's inputs for the caller (its identity
 * policies, boundary and session policies, from a PolicySource) and the request (action,
 * resource, context keys), asks the pure engine, and throws AccessDenied as AWS words it.
 */
import type { Caller } from '../domain/caller.js';
import { evaluate, principalContext, type ContextValue, type EvaluationResult, type PolicySet } from '../policy/index.js';
import { accessDenied } from './access-denied.js';
import { isoSeconds } from '../domain/clock.js';

/** Where the caller's policies come from (the store, through a cache). */
export interface PolicySource {
  policiesFor(caller: Caller): Promise<PolicySet>;
}

export interface AuthorizeRequest {
  caller: Caller;
  action: string;
  resources: string[];
  /** Request-wide keys: aws:SourceIp, aws:CurrentTime, aws:SecureTransport, ... */
  context: Record<string, ContextValue>;
  /** The target's resource policy, when it has one (a role's trust policy for sts:AssumeRole*). */
  resourcePolicy?: PolicySet['resource'];
  resourceType?: 'resource' | 'trust';
}

/** ISO 8601 without fractional seconds, as AWS writes date context keys (2014-05-07T23:47:00Z). */

/**
 * The context keys that describe the caller (principal keys, session facts), as the global
 * condition keys page defines them (iam-semantics §11, §13):
 * - aws:TokenIssueTime, aws:MultiFactorAuthPresent: temporary credentials only (every session
 *   kind: role sessions, GetSessionToken, GetFederationToken). For long-term access keys both are
 *   ABSENT, which is what makes `BoolIfExists` differ from `Bool` for MFA checks.
 * - aws:MultiFactorAuthAge: only when MFA authenticated the session (seconds since then).
 * - aws:SourceIdentity: every request of a session that has one (it persists through chaining).
 * - aws:FederatedProvider: every request of a role session from AssumeRoleWithWebIdentity or
 *   AssumeRoleWithSAML (the OIDC or SAML provider's ARN); with it, the provider's own keys
 *   (`<url>:sub`, `<url>:aud`, ..., `saml:sub`, ...), "available when the temporary security
 *   credentials are used to make a request" (reference_policies_iam-condition-keys.html).
 * - aws:PrincipalTag/k: the caller's tags (user tags; role tags overridden by session tags;
 *   for a federated user, the federating user's tags overridden by the session tags).
 */
export function callerContext(caller: Caller, now: Date): Record<string, ContextValue> {
  const c: Record<string, ContextValue> = principalContext(caller.principal);
  for (const t of caller.tags ?? []) c[`aws:PrincipalTag/${t.Key}`] = t.Value;
  const s = caller.session;
  if (s) {
    c['aws:TokenIssueTime'] = isoSeconds(s.issuedAt);
    c['aws:MultiFactorAuthPresent'] = s.mfaAuthenticatedAt ? 'true' : 'false';
    if (s.mfaAuthenticatedAt) c['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - s.mfaAuthenticatedAt.getTime()) / 1000)));
    if (s.sourceIdentity) c['aws:SourceIdentity'] = s.sourceIdentity;
    if (s.federatedProvider) c['aws:FederatedProvider'] = s.federatedProvider;
    if (s.federatedKeys) for (const k in s.federatedKeys) c[k] = s.federatedKeys[k] as string | string[];
  }
  return c;
}

export class Authorizer {
  constructor(private readonly source: PolicySource) {}

  /** Evaluates every resource; throws AccessDenied for the first one denied. */
  async authorize(req: AuthorizeRequest): Promise<EvaluationResult[]> {
    const set = await this.source.policiesFor(req.caller);
    if (req.resourcePolicy) set.resource = req.resourcePolicy;
    const out: EvaluationResult[] = [];
    for (const resource of req.resources) {
      const r = evaluate({ principal: req.caller.principal, action: req.action, resource, context: req.context }, set, { resourceType: req.resourceType ?? 'resource' });
      if (r.decision !== 'allowed') throw accessDenied(req.caller.arn, req.action, resource, r);
      out.push(r);
    }
    return out;
  }
}
