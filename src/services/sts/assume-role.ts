/**
 * sts:AssumeRole, as the STS API reference and the IAM user guide document it: the role's trust
 * policy is the resource policy of the request, evaluated with the caller's identity policies;
 * ExternalId, MFA, session policies, session tags, source identity, role chaining.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { ContextValue } from '../../policy/index.js';
import type { RoleRecord, Tag } from '../../store/ports.js';
import { validatePolicyDocument } from '../iam/shared/policy-document.js';
import { defineOperation, type OperationContext } from '../operation.js';
import { authorizeOnRole, checkRoleArnSyntax, findRoleByArn, issueRoleSession, roleTagContext, trustPolicyOf } from './role-trust.js';
import { checkedPackedPolicySize } from './packed-policy.js';
import { resolveSessionTags } from './session-tags.js';
import { verifySessionMfa } from './session-mfa.js';

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  PolicyArns?: Array<{ arn?: string }>;
  Policy?: string;
  DurationSeconds?: number;
  Tags?: Tag[];
  TransitiveTagKeys?: string[];
  ExternalId?: string;
  SerialNumber?: string;
  TokenCode?: string;
  SourceIdentity?: string;
}

const CHAINED_MAX_SECONDS = 3600;

/** Plain AccessDenied as STS words it for AssumeRole. */
function denied(caller: Caller, roleArn: string, action = 'sts:AssumeRole'): AwsError {
  return new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`);
}

/** The session policies of an assume call (inline `Policy`, managed `PolicyArns`), checked as STS checks them. */
export async function sessionPolicies(ctx: OperationContext, role: RoleRecord, input: Pick<AssumeRoleInput, 'Policy' | 'PolicyArns'>): Promise<string[]> {
  const docs: string[] = [];
  if (input.Policy !== undefined) {
    validatePolicyDocument(input.Policy, 'session');
    docs.push(input.Policy);
  }
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  if (arns.length > 10) throw new AwsError('ValidationError', "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  for (const arn of arns) {
    const p = await ctx.store.policies.get(arn);
    if (!p || (p.accountId !== role.accountId && p.accountId !== 'aws')) throw new AwsError('InvalidParameterValue', `The policy ARN ${arn} is not valid: session policies must be managed policies in the role's account.`);
    const v = await ctx.store.policies.getVersion(arn, p.defaultVersionId);
    if (!v) throw new AwsError('InvalidParameterValue', `The policy ARN ${arn} is not valid.`);
    docs.push(v.document);
  }
  const plaintext = (input.Policy?.length ?? 0) + arns.join('').length;
  if (plaintext > 2048) throw new AwsError('ValidationError', "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048");
  return docs;
}

export const assumeRole = defineOperation<AssumeRoleInput, Record<string, unknown>>({
  service: 'sts',
  name: 'AssumeRole',
  // Authorized inside run(): the trust policy is the resource policy of this request.
  auth: 'signed-unauthorized',
  resources: (input) => [input.RoleArn],
  async run(input, ctx) {
    const caller = ctx.caller;
    if (!caller || !ctx.authorizer || !ctx.sessions) throw new AwsError('InternalFailure', 'AssumeRole is not wired');
    checkRoleArnSyntax(input.RoleArn);
    if (caller.kind === 'root') throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.');
    if (caller.kind === 'federated-user') throw denied(caller, input.RoleArn);
    const role = await findRoleByArn(ctx.store, input.RoleArn);
    if (!role) throw denied(caller, input.RoleArn);
    const now = ctx.clock.now();
    const parent = caller.session;

    // MFA: the code is checked against the caller's own enabled virtual device, once. Only an IAM
    // user (long-term keys or a GetSessionToken session) has devices: "the MFA device that is
    // associated with the user who is making the AssumeRole call" (API_AssumeRole.html). A role
    // session passing some user's device is refused, and the code is not used up.
    const mfaAt = await verifySessionMfa(ctx.store, caller, input, now);

    const tags = resolveSessionTags(input.Tags, input.TransitiveTagKeys, parent ? { tags: parent.tags, transitiveTagKeys: parent.transitiveTagKeys } : undefined);
    if (parent?.sourceIdentity !== undefined && input.SourceIdentity !== undefined && input.SourceIdentity !== parent.sourceIdentity) {
      throw new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${input.RoleArn}: the source identity of a session cannot be changed`);
    }
    const sourceIdentity = input.SourceIdentity ?? parent?.sourceIdentity;
    if (input.SourceIdentity?.toLowerCase().startsWith('aws:')) throw new AwsError('ValidationError', 'SourceIdentity must not start with aws:');

    // The request context of the assume call.
    const context: Record<string, ContextValue> = { ...(ctx.requestContext ?? {}) };
    context['sts:RoleSessionName'] = input.RoleSessionName;
    if (input.ExternalId !== undefined) context['sts:ExternalId'] = input.ExternalId;
    // A source identity is sticky: the persisted value is the request's sts:SourceIdentity too.
    if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = sourceIdentity;
    if (mfaAt) {
      context['aws:MultiFactorAuthPresent'] = 'true';
      context['aws:MultiFactorAuthAge'] = '0';
    }
    // Transitive tags of the caller replace the role's tags of the same key (in any case) as
    // ResourceTag values.
    roleTagContext(role, context, tags.inherited);
    if (input.Tags && input.Tags.length) {
      context['aws:TagKeys'] = input.Tags.map((t) => t.Key);
      for (const t of input.Tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    }
    if (input.TransitiveTagKeys && input.TransitiveTagKeys.length) context['sts:TransitiveTagKeys'] = input.TransitiveTagKeys;

    const trust = await trustPolicyOf(role, ctx.store);
    /** Authorizes `action` on the role; with `identityOnly`, against the caller's own policies alone. */
    const authorize = (action: string, identityOnly = false) =>
      authorizeOnRole(ctx.authorizer!, { caller, role, trust, action, context, identityOnly }, (a) => denied(caller, input.RoleArn, a));
    await authorize('sts:AssumeRole');
    if (input.Tags && input.Tags.length) await authorize('sts:TagSession');
    // Also when inherited: every role a session with a source identity assumes must allow it.
    if (sourceIdentity !== undefined) await authorize('sts:SetSourceIdentity');
    // Role chaining with a source identity: the assuming role's own permissions must allow
    // sts:SetSourceIdentity too, not only the next role's trust policy (IAM user guide, "Monitor
    // and control actions taken with assumed roles"). Within one account a trust policy naming
    // the session could allow it alone, hence this check of the identity side by itself; across
    // accounts the check above already needs both sides (and an identity-only evaluation of a
    // foreign role, with no resource policy, would deny every such chain).
    if (sourceIdentity !== undefined && caller.kind === 'assumed-role' && role.accountId === caller.accountId) await authorize('sts:SetSourceIdentity', true);

    // Duration: the role's maximum, and one hour when chaining. AWS counts a user's
    // GetSessionToken credentials as chaining here too (AWS Knowledge Center, "Can I increase the
    // IAM role chaining session duration limit?": the AWS CLI's MFA users "use temporary
    // credentials to assume another role ... limited to one hour").
    const duration = input.DurationSeconds ?? 3600;
    const chained = caller.kind === 'assumed-role' || (caller.kind === 'user' && caller.session !== undefined);
    if (chained && duration > CHAINED_MAX_SECONDS) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (duration > role.maxSessionDuration) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }

    const policies = await sessionPolicies(ctx, role, input);
    const packed = checkedPackedPolicySize(policies, tags.tags, tags.transitiveTagKeys);

    const issuedAt = Math.floor(now.getTime() / 1000);
    const session = await issueRoleSession(ctx.sessions, role, input.RoleSessionName, issuedAt, duration, {
      ...(mfaAt ? { mfaAuthenticatedAt: issuedAt } : {}),
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      tags: tags.tags,
      transitiveTagKeys: tags.transitiveTagKeys,
      sessionPolicies: policies,
      chainDepth: parent ? (caller.kind === 'assumed-role' ? parent.chainDepth + 1 : parent.chainDepth) : 0,
      originalCaller: caller.session?.originalCaller ?? caller.arn,
    });
    const out: Record<string, unknown> = { ...session };
    if (packed !== undefined) out.PackedPolicySize = packed;
    if (sourceIdentity !== undefined) out.SourceIdentity = sourceIdentity;
    return out;
  },
});
