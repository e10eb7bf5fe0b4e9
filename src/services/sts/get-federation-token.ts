/**
 * sts:GetFederationToken: temporary credentials for a federated user named by the caller, an IAM
 * user (or the root user) signing with its long-term key.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
 *
 * - Authorized like any action: the caller's identity policies must allow sts:GetFederationToken
 *   on `arn:aws:sts::ACCOUNT:federated-user/NAME` (condition keys aws:RequestTag/k, aws:TagKeys);
 *   passing Tags also needs sts:TagSession on the same resource.
 * - Session credentials of any kind: AccessDenied "Cannot call GetFederationToken with session
 *   credentials", before policies are looked at (resolveAuthorization runs first).
 * - Permissions of the result: the user's identity policies ∩ the session policies (Policy,
 *   PolicyArns); with no session policy the federated user may do nothing (the engine's rule for
 *   FederatedUser principals with an empty session-policy list).
 * - DurationSeconds 900..129,600, default 43,200; root sessions clamp to 3,600.
 * - Tags: principal tags are the user's tags overridden (case-insensitively) by the session tags;
 *   no transitive tags (the credentials cannot assume roles).
 * - The credentials cannot call IAM, nor STS except GetCallerIdentity (credential-restrictions.ts).
 */
import { federatedUserArn } from '../../domain/arns.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { ContextValue } from '../../policy/index.js';
import type { Tag } from '../../store/ports.js';
import type { IssuedCredentials } from '../../tokens/claims.js';
import { validatePolicyDocument } from '../iam/shared/policy-document.js';
import { defineOperation, type OperationContext } from '../operation.js';
import { sessionCredentialsDenied, sessionDuration } from './get-session-token.js';
import { checkedPackedPolicySize } from './packed-policy.js';
import { principalTags, resolveSessionTags } from './session-tags.js';

export interface GetFederationTokenInput {
  Name: string;
  Policy?: string;
  PolicyArns?: Array<{ arn?: string }>;
  DurationSeconds?: number;
  Tags?: Tag[];
}

export interface GetFederationTokenOutput {
  Credentials: IssuedCredentials;
  FederatedUser: { FederatedUserId: string; Arn: string };
  PackedPolicySize: number;
}

const NAME_RE = /^[\w+=,.@-]{2,32}$/;
const SESSION_POLICY_PLAINTEXT_MAX = 2048;

function requireCaller(ctx: OperationContext): Caller {
  if (!ctx.caller) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  return ctx.caller;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  }
}

function tagConditionKeys(tags: Tag[] | undefined): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = {};
  if (tags && tags.length) {
    keys['aws:TagKeys'] = tags.map((t) => t.Key);
    for (const t of tags) keys[`aws:RequestTag/${t.Key}`] = t.Value;
  }
  return keys;
}

/** Session policy documents: the inline Policy, then the default versions of PolicyArns. */
async function sessionPolicies(ctx: OperationContext, accountId: string, input: GetFederationTokenInput): Promise<string[]> {
  const docs: string[] = [];
  if (input.Policy !== undefined) {
    validatePolicyDocument(input.Policy, 'session');
    docs.push(input.Policy);
  }
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  if (arns.length > 10) throw new AwsError('ValidationError', "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  for (const arn of arns) {
    const p = await ctx.store.policies.get(arn);
    // "The policies must exist in the same account as the IAM user that is requesting federated
    // access" (AWS managed policies are usable everywhere).
    if (!p || (p.accountId !== accountId && p.accountId !== 'aws')) throw new AwsError('InvalidParameterValue', `The policy ARN ${arn} is not valid: session policies must be managed policies in the account of the federating user.`);
    const v = await ctx.store.policies.getVersion(arn, p.defaultVersionId);
    if (!v) throw new AwsError('InvalidParameterValue', `The policy ARN ${arn} is not valid.`);
    docs.push(v.document);
  }
  const plaintext = (input.Policy?.length ?? 0) + arns.join('').length;
  if (plaintext > SESSION_POLICY_PLAINTEXT_MAX) {
    throw new AwsError('ValidationError', `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${SESSION_POLICY_PLAINTEXT_MAX}`);
  }
  return docs;
}

export const getFederationToken = defineOperation<GetFederationTokenInput, GetFederationTokenOutput>({
  service: 'sts',
  name: 'GetFederationToken',
  resources: (input, ctx) => [federatedUserArn(ctx.caller?.accountId ?? '', input.Name)],
  conditionKeys: (input) => tagConditionKeys(input.Tags),
  async run(input, ctx) {
    const caller = requireCaller(ctx);
    if (!ctx.sessions || !ctx.authorizer) throw new AwsError('InternalFailure', 'GetFederationToken is not wired');
    // After the policy check, as AWS answers: a role session without sts:GetFederationToken is
    // "not authorized to perform" it; one allowed it gets "Cannot call GetFederationToken with
    // session credentials" (both seen from AWS: fwdcloudsec/granted#151 and others).
    const denied = sessionCredentialsDenied(caller, 'GetFederationToken');
    if (denied) throw denied;
    checkName(input.Name);
    const arn = federatedUserArn(caller.accountId, input.Name);
    const duration = sessionDuration(input.DurationSeconds, caller);

    // Session tags: no transitive keys, nothing inherited (the caller signs with long-term keys).
    const sessionTags = resolveSessionTags(input.Tags, undefined, undefined).tags;
    if (sessionTags.length) {
      const context = { ...(ctx.requestContext ?? {}), ...tagConditionKeys(sessionTags) };
      await ctx.authorizer.authorize({ caller, action: 'sts:TagSession', resources: [arn], context });
    }

    const policies = await sessionPolicies(ctx, caller.accountId, input);
    // AWS answers PackedPolicySize 0 when the request passes neither (recorded responses).
    const packed = checkedPackedPolicySize(policies, sessionTags) ?? 0;

    const now = ctx.clock.now();
    const issuedAt = Math.floor(now.getTime() / 1000);
    const user = caller.kind === 'user' ? { userName: caller.userName ?? '', userId: caller.userId, userArn: caller.arn } : {};
    const creds = await ctx.sessions.issue({
      kind: 'federated-user',
      accountId: caller.accountId,
      issuedAt,
      expiresAt: issuedAt + duration,
      ...user,
      federatedName: input.Name,
      // The session's principal tags: the user's tags, overridden by the session tags.
      tags: principalTags(caller.tags ?? [], sessionTags),
      transitiveTagKeys: [],
      sessionPolicies: policies,
      chainDepth: 0,
      originalCaller: caller.arn,
    });
    const out: GetFederationTokenOutput = { Credentials: creds, FederatedUser: { FederatedUserId: `${caller.accountId}:${input.Name}`, Arn: arn }, PackedPolicySize: packed };
    return out;
  },
});
