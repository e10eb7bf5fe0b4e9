/**
 * What the decision point tells a service about the principal: GetCallerIdentity's three values,
 * the aws:* principal keys (type, principal ARN, tags) and the session facts. Never a secret:
 * the access key id is public (it is in every request), the secret and token never leave.
 */
import type { Caller } from '../../domain/caller.js';
import type { PrincipalJson, SessionFactsJson } from '../../client/authorize/types.js';
import { isoSeconds } from '../../domain/clock.js';


export function principalView(caller: Caller): PrincipalJson {
  const p = caller.principal;
  const tags: Record<string, string> = {};
  for (const t of caller.tags ?? []) tags[t.Key] = t.Value;
  const out: PrincipalJson = {
    arn: caller.arn,
    accountId: caller.accountId,
    userId: caller.userId,
    type: p.type,
    accessKeyId: caller.accessKeyId,
    principalArn: p.type === 'AssumedRole' && p.roleArn ? p.roleArn : caller.arn,
    tags,
  };
  if (caller.userName) out.userName = caller.userName;
  if (caller.roleName) out.roleName = caller.roleName;
  if (p.roleId) out.roleId = p.roleId;
  const s = caller.session;
  if (s) {
    const facts: SessionFactsJson = {
      issuedAt: isoSeconds(s.issuedAt),
      expiresAt: isoSeconds(s.expiresAt),
      mfaAuthenticated: s.mfaAuthenticatedAt !== undefined,
      chainDepth: s.chainDepth,
      sessionPolicies: s.policies.length,
    };
    if (s.mfaAuthenticatedAt) facts.mfaAuthenticatedAt = isoSeconds(s.mfaAuthenticatedAt);
    if (s.sourceIdentity) facts.sourceIdentity = s.sourceIdentity;
    if (s.originalCaller) facts.originalCaller = s.originalCaller;
    out.session = facts;
  }
  return out;
}
