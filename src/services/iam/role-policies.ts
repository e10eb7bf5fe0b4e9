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
import { AwsError } from '../../domain/aws-error.js';
import { policySize, type ContextValue } from '../../policy/index.js';
import type { Operation } from '../operation.js';
import {
  callerAccount,
  defineIamOperation,
  findVisiblePolicy,
  getRoleOrThrow,
  isArn,
  isAttachable,
  parsePolicyArn,
  policyNotAttachable,
  policyNotFound,
} from './shared/operation-kit.js';
import { paginate } from './shared/pagination.js';
import { POLICY_SIZE_LIMITS, validatePolicyDocument } from './shared/policy-document.js';
import { roleAuthorization } from './shared/role-auth.js';
import { checkFields, pageRules, PATTERNS, rules } from './shared/validation.js';

/** Managed policies attached to one role (default quota). */
export const POLICIES_PER_ROLE = 10;

interface RolePolicyNameInput {
  RoleName: string;
  PolicyName: string;
}

function inlineNotFound(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`);
}

// ------------------------------------------------------------------------------ inline

const putRolePolicy = defineIamOperation<RolePolicyNameInput & { PolicyDocument: string }, Record<string, never>>({
  service: 'iam',
  name: 'PutRolePolicy',
  ...roleAuthorization({ currentBoundary: true }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.policyName(input.PolicyName), rules.document('policyDocument', input.PolicyDocument)]);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      validatePolicyDocument(input.PolicyDocument, 'identity');
      // The aggregate counts every inline policy of the role, the one being replaced excepted.
      const others = (await tx.inlinePolicies.list(account, 'role', role.name)).filter((p) => p.policyName.toLowerCase() !== input.PolicyName.toLowerCase());
      const total = others.reduce((n, p) => n + policySize(p.document), policySize(input.PolicyDocument));
      if (total > POLICY_SIZE_LIMITS.roleInlineTotal) {
        throw new AwsError('LimitExceeded', `Maximum policy size of ${POLICY_SIZE_LIMITS.roleInlineTotal} bytes exceeded for role ${role.name}`);
      }
      await tx.inlinePolicies.put({ accountId: account, ownerType: 'role', ownerName: role.name, policyName: input.PolicyName, document: input.PolicyDocument });
    });
    return {};
  },
});

const getRolePolicy = defineIamOperation<RolePolicyNameInput, { RoleName: string; PolicyName: string; PolicyDocument: string }>({
  service: 'iam',
  name: 'GetRolePolicy',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.policyName(input.PolicyName)]);
    const account = callerAccount(ctx);
    const role = await getRoleOrThrow(ctx.store, account, input.RoleName);
    const p = await ctx.store.inlinePolicies.get(account, 'role', role.name, input.PolicyName);
    if (!p) throw inlineNotFound(input.PolicyName);
    // The document text as stored; the wire layer URL-encodes it as IAM does.
    return { RoleName: role.name, PolicyName: p.policyName, PolicyDocument: p.document };
  },
});

const deleteRolePolicy = defineIamOperation<RolePolicyNameInput, Record<string, never>>({
  service: 'iam',
  name: 'DeleteRolePolicy',
  ...roleAuthorization({ currentBoundary: true }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.policyName(input.PolicyName)]);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      if (!(await tx.inlinePolicies.delete(account, 'role', role.name, input.PolicyName))) throw inlineNotFound(input.PolicyName);
    });
    return {};
  },
});

const listRolePolicies = defineIamOperation<{ RoleName: string; Marker?: string; MaxItems?: number }, { PolicyNames: string[]; IsTruncated: boolean; Marker?: string }>({
  service: 'iam',
  name: 'ListRolePolicies',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), ...pageRules(input)]);
    const account = callerAccount(ctx);
    const role = await getRoleOrThrow(ctx.store, account, input.RoleName);
    const names = (await ctx.store.inlinePolicies.list(account, 'role', role.name)).map((p) => p.policyName);
    const page = paginate(names, input);
    return { PolicyNames: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
  },
});

// ------------------------------------------------------------------------------ managed

interface RolePolicyArnInput {
  RoleName: string;
  PolicyArn: string;
}

const policyArnKey = (input: RolePolicyArnInput): Record<string, ContextValue> => (typeof input.PolicyArn === 'string' ? { 'iam:PolicyARN': input.PolicyArn } : {});

function assertArnSyntax(arn: string): void {
  if (!isArn(arn)) throw new AwsError('ValidationError', `ARN ${arn} is not valid.`);
}

const attachRolePolicy = defineIamOperation<RolePolicyArnInput, Record<string, never>>({
  service: 'iam',
  name: 'AttachRolePolicy',
  ...roleAuthorization<RolePolicyArnInput>({ currentBoundary: true, keys: policyArnKey }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.arn('policyArn', input.PolicyArn)]);
    assertArnSyntax(input.PolicyArn);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      const policy = await findVisiblePolicy(tx, account, input.PolicyArn);
      if (!policy) throw policyNotAttachable(input.PolicyArn);
      if (!isAttachable(policy)) throw new AwsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.');
      const attached = await tx.attachments.listForEntity(account, 'role', role.name);
      if (attached.some((a) => a.policyArn === policy.arn)) return; // attaching again changes nothing
      if (attached.length >= POLICIES_PER_ROLE) throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${POLICIES_PER_ROLE}`);
      await tx.attachments.attach({ accountId: account, ownerType: 'role', ownerName: role.name, policyArn: policy.arn });
    });
    return {};
  },
});

const detachRolePolicy = defineIamOperation<RolePolicyArnInput, Record<string, never>>({
  service: 'iam',
  name: 'DetachRolePolicy',
  ...roleAuthorization<RolePolicyArnInput>({ currentBoundary: true, keys: policyArnKey }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.arn('policyArn', input.PolicyArn)]);
    assertArnSyntax(input.PolicyArn);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      // Not attached and not existing read the same: "Policy ARN was not found."
      if (!(await tx.attachments.detach({ accountId: account, ownerType: 'role', ownerName: role.name, policyArn: input.PolicyArn }))) {
        throw policyNotFound(input.PolicyArn);
      }
    });
    return {};
  },
});

export interface ListAttachedRolePoliciesInput {
  RoleName: string;
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

const listAttachedRolePolicies = defineIamOperation<
  ListAttachedRolePoliciesInput,
  { AttachedPolicies: Array<{ PolicyName: string; PolicyArn: string }>; IsTruncated: boolean; Marker?: string }
>({
  service: 'iam',
  name: 'ListAttachedRolePolicies',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), { name: 'pathPrefix', value: input.PathPrefix, minLength: 1, maxLength: 512, pattern: PATTERNS.policyPath }, ...pageRules(input)]);
    const account = callerAccount(ctx);
    const role = await getRoleOrThrow(ctx.store, account, input.RoleName);
    const prefix = input.PathPrefix ?? '/';
    const all = (await ctx.store.attachments.listForEntity(account, 'role', role.name))
      .map((a) => ({ arn: a.policyArn, parts: parsePolicyArn(a.policyArn) }))
      .filter((a) => a.parts !== undefined && a.parts.path.startsWith(prefix))
      .map((a) => ({ PolicyName: a.parts?.name as string, PolicyArn: a.arn }));
    const page = paginate(all, input);
    return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
  },
});

export const rolePolicyOperations: Operation<any, any>[] = [
  putRolePolicy,
  getRolePolicy,
  deleteRolePolicy,
  listRolePolicies,
  attachRolePolicy,
  detachRolePolicy,
  listAttachedRolePolicies,
];
