/**
 * A role's permissions policies: inline (PutRolePolicy, GetRolePolicy, DeleteRolePolicy,
 * ListRolePolicies) and attached managed policies (AttachRolePolicy, DetachRolePolicy,
 * ListAttachedRolePolicies).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html (and siblings)
 *
 * Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): the role's
 * inline policies together hold at most 10,240 non-whitespace characters ("Maximum policy size of
 * 10240 bytes exceeded for role X"), and at most 10 managed policies are attached ("Cannot exceed
 * quota for PoliciesPerRole: 10").
 */
import { isArn } from '../../domain/arns.js';
import { AwsError } from '../../domain/aws-error.js';
import type { ContextValue } from '../../policy/index.js';
import type { Operation } from '../operation.js';
import { entityPolicyOperations, type AnyEntityPolicyInput, type EntityPolicyOp, type ListAttachedEntityPoliciesInput } from './shared/entity-policy-operations.js';
import {
  callerAccount,
  findVisiblePolicy,
  getRoleOrThrow,
  isAttachable,
  parsePolicyArn,
  policyNotAttachable,
  policyNotFound,
} from './shared/operation-kit.js';
import { POLICY_SIZE_LIMITS } from './shared/policy-document.js';
import { roleAuthorization } from './shared/role-auth.js';
import { checkFields, pageRules, PATTERNS, rules, type FieldRule } from './shared/validation.js';

/** Managed policies attached to one role (default quota). */
export const POLICIES_PER_ROLE = 10;

const policyArnKey = (input: { PolicyArn?: unknown }): Record<string, ContextValue> => (typeof input.PolicyArn === 'string' ? { 'iam:PolicyARN': input.PolicyArn } : {});

/** Request checks per operation, made before the caller's account is read. */
const ROLE_RULES: Record<EntityPolicyOp, (input: AnyEntityPolicyInput<'RoleName'>) => FieldRule[]> = {
  put: (i) => [rules.roleName(i.RoleName), rules.policyName(i.PolicyName), rules.document('policyDocument', i.PolicyDocument)],
  get: (i) => [rules.roleName(i.RoleName), rules.policyName(i.PolicyName)],
  delete: (i) => [rules.roleName(i.RoleName), rules.policyName(i.PolicyName)],
  list: (i) => [rules.roleName(i.RoleName), ...pageRules(i)],
  attach: (i) => [rules.roleName(i.RoleName), rules.arn('policyArn', i.PolicyArn)],
  detach: (i) => [rules.roleName(i.RoleName), rules.arn('policyArn', i.PolicyArn)],
  listAttached: (i) => [rules.roleName(i.RoleName), { name: 'pathPrefix', value: i.PathPrefix, minLength: 1, maxLength: 512, pattern: PATTERNS.policyPath }, ...pageRules(i)],
};

export type ListAttachedRolePoliciesInput = ListAttachedEntityPoliciesInput<'RoleName'>;

export const rolePolicyOperations: Operation<any, any>[] = entityPolicyOperations({
  type: 'role',
  label: 'Role',
  nameMember: 'RoleName',
  // The role's current boundary goes in `iam:PermissionsBoundary` for the operations that change it.
  authorization: (op) =>
    roleAuthorization<AnyEntityPolicyInput<'RoleName'>>({
      ...(op === 'put' || op === 'delete' || op === 'attach' || op === 'detach' ? { currentBoundary: true } : {}),
      ...(op === 'attach' || op === 'detach' ? { keys: policyArnKey } : {}),
    }),
  start(op, input, ctx) {
    checkFields(ROLE_RULES[op](input));
    if ((op === 'attach' || op === 'detach') && !isArn(input.PolicyArn)) throw new AwsError('ValidationError', `ARN ${input.PolicyArn} is not valid.`);
    return callerAccount(ctx);
  },
  lookup: getRoleOrThrow,
  inlineSizeLimit: POLICY_SIZE_LIMITS.roleInlineTotal,
  grammarBeforeSize: true,
  sortPolicyNames: false,
  async attach(tx, account, roleName, arn) {
    const policy = await findVisiblePolicy(tx, account, arn);
    if (!policy) throw policyNotAttachable(arn);
    if (!isAttachable(policy)) throw new AwsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.');
    const attached = await tx.attachments.listForEntity(account, 'role', roleName);
    if (attached.some((a) => a.policyArn === policy.arn)) return; // attaching again changes nothing
    if (attached.length >= POLICIES_PER_ROLE) throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${POLICIES_PER_ROLE}`);
    await tx.attachments.attach({ accountId: account, ownerType: 'role', ownerName: roleName, policyArn: policy.arn });
  },
  async detach(tx, account, roleName, arn) {
    // Not attached and not existing read the same: "Policy ARN was not found."
    if (!(await tx.attachments.detach({ accountId: account, ownerType: 'role', ownerName: roleName, policyArn: arn }))) throw policyNotFound(arn);
  },
  async listAttached(store, account, roleName, pathPrefix) {
    const prefix = pathPrefix ?? '/';
    return (await store.attachments.listForEntity(account, 'role', roleName))
      .map((a) => ({ arn: a.policyArn, parts: parsePolicyArn(a.policyArn) }))
      .filter((a) => a.parts !== undefined && a.parts.path.startsWith(prefix))
      .map((a) => ({ PolicyName: a.parts?.name as string, PolicyArn: a.arn }));
  },
});
