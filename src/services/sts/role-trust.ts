/**
 * The pieces every way of assuming a role shares, whoever asks (an IAM principal calling
 * sts:AssumeRole, or an AWS service acting for a workload: EC2, ECS tasks, Lambda): find the role
 * by its exact ARN, load its trust policy as the request's resource policy, put the role's tags in
 * the context, authorize against the trust policy through the Authorizer, mint the session and
 * note the role's last use.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
 */
import { assumedRoleArn, isArn } from '../../domain/arns.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { Authorizer } from '../../authz/authorizer.js';
import type { ContextValue, NamedPolicy } from '../../policy/index.js';
import type { RoleRecord, Store, Tag } from '../../store/ports.js';
import type { IssuedCredentials, SessionClaims, SessionIssuer } from '../../tokens/claims.js';
import { effectiveTrustPolicy } from '../iam/shared/trust-principals.js';
import { principalTags } from './session-tags.js';

export const ROLE_ARN_RE = /^arn:aws:iam::(\d{12}):role(\/(?:[\u0021-\u007E]*\/)?)?([\w+=,.@-]+)$/;

/** The role an ARN names exactly (path and case included), or undefined. */
/**
 * A RoleArn that is not an ARN at all: ValidationError "X is invalid" (recorded AWS responses);
 * an ARN that names no role of this server is refused as access denied instead, as AWS does.
 */
export function checkRoleArnSyntax(roleArn: string): void {
  if (!isArn(roleArn)) throw new AwsError('ValidationError', `${roleArn} is invalid`);
}

export async function findRoleByArn(store: Store, roleArn: string): Promise<RoleRecord | undefined> {
  const m = ROLE_ARN_RE.exec(roleArn);
  if (!m) return undefined;
  const role = await store.roles.get(m[1] as string, m[3] as string);
  return role && role.arn === roleArn ? role : undefined;
}

/** The role's trust policy as the resource policy of an assume request (bound principals resolved). */
export async function trustPolicyOf(role: RoleRecord, store: Store): Promise<NamedPolicy> {
  return { id: `${role.arn}#trust`, policy: await effectiveTrustPolicy(role, store), sourceType: 'role-trust' };
}

/**
 * `aws:ResourceTag/k` for each of the role's tags, where `inherited` (the transitive tags a
 * chaining session carries) replace the role's tags of the same key, compared case-insensitively
 * as tag keys are: the merge principal tags use too.
 */
export function roleTagContext(role: RoleRecord, context: Record<string, ContextValue>, inherited: readonly Tag[] = []): void {
  for (const t of principalTags(role.tags, inherited)) context[`aws:ResourceTag/${t.Key}`] = t.Value;
}

/**
 * Authorizes `action` on the role with its trust policy as the resource policy (or, with
 * `identityOnly`, against the caller's own policies alone). An AccessDenied from the engine is
 * replaced by `denied(action)`, so each entry point words the refusal as AWS does.
 */
export async function authorizeOnRole(
  authorizer: Authorizer,
  req: { caller: Caller; role: RoleRecord; trust: NamedPolicy; action: string; context: Record<string, ContextValue>; identityOnly?: boolean },
  denied: (action: string) => AwsError,
): Promise<void> {
  const { caller, role, action, context } = req;
  try {
    await authorizer.authorize(req.identityOnly ? { caller, action, resources: [role.arn], context } : { caller, action, resources: [role.arn], context, resourcePolicy: req.trust, resourceType: 'trust' });
  } catch (e) {
    if (e instanceof AwsError && e.code === 'AccessDenied') throw denied(action);
    throw e;
  }
}

export interface RoleSession {
  Credentials: IssuedCredentials;
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
}

/** Session facts beyond the role and its name (defaults: none, chain depth 0). */
export type RoleSessionExtras = Partial<Pick<SessionClaims, 'mfaAuthenticatedAt' | 'sourceIdentity' | 'tags' | 'transitiveTagKeys' | 'sessionPolicies' | 'chainDepth' | 'invokedBy' | 'federatedProvider' | 'federatedKeys'>> & {
  originalCaller: string;
};

/** Mints the role session: `AssumedRoleUser` as STS returns it (`AROA…:session`, the session ARN). */
export async function issueRoleSession(sessions: SessionIssuer, role: RoleRecord, sessionName: string, issuedAt: number, durationSeconds: number, extras: RoleSessionExtras): Promise<RoleSession> {
  const claims: Parameters<SessionIssuer['issue']>[0] = {
    kind: 'assumed-role',
    accountId: role.accountId,
    issuedAt,
    expiresAt: issuedAt + durationSeconds,
    roleArn: role.arn,
    roleId: role.id,
    roleName: role.name,
    sessionName,
    tags: extras.tags ?? [],
    transitiveTagKeys: extras.transitiveTagKeys ?? [],
    sessionPolicies: extras.sessionPolicies ?? [],
    chainDepth: extras.chainDepth ?? 0,
    originalCaller: extras.originalCaller,
  };
  if (extras.mfaAuthenticatedAt !== undefined) claims.mfaAuthenticatedAt = extras.mfaAuthenticatedAt;
  if (extras.sourceIdentity !== undefined) claims.sourceIdentity = extras.sourceIdentity;
  if (extras.invokedBy !== undefined) claims.invokedBy = extras.invokedBy;
  if (extras.federatedProvider !== undefined) claims.federatedProvider = extras.federatedProvider;
  if (extras.federatedKeys !== undefined) claims.federatedKeys = extras.federatedKeys;
  const creds = await sessions.issue(claims);
  return {
    Credentials: creds,
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${sessionName}`, Arn: assumedRoleArn(role.accountId, role.name, sessionName) },
  };
}
