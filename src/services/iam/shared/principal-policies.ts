/**
 * Inline policies and managed-policy attachments of users and groups (roles follow the same
 * rules in the roles family): the aggregate inline size quota, the 10-attachments quota, the
 * attachability of a managed policy and permissions-boundary ARNs, with IAM's error wording.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import { AwsError } from '../../../domain/aws-error.js';
import type { ManagedPolicyRecord, PrincipalEntityType, Store } from '../../../store/ports.js';
import { attachedPolicyShape, policyPathOf, type AttachedPolicyShape } from './entities.js';
import { isAttachable } from './operation-kit.js';

export const INLINE_AGGREGATE_LIMIT: Record<PrincipalEntityType, number> = { user: 2048, group: 5120, role: 10240 };
export const ATTACHED_POLICIES_QUOTA: Record<PrincipalEntityType, { max: number; quota: string }> = {
  user: { max: 10, quota: 'PoliciesPerUser' },
  group: { max: 10, quota: 'PoliciesPerGroup' },
  role: { max: 10, quota: 'PoliciesPerRole' },
};

const POLICY_ARN_RE = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/(.+\/)?[\w+=,.@-]+$/;

export function validatePolicyArn(arn: string): void {
  if (!POLICY_ARN_RE.test(arn)) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
}

/**
 * An AWS managed policy for service-linked roles attaches to nothing else: PolicyNotAttachable,
 * "AWS service role policies can only be attached to the service-linked role for that service"
 * (the error's description in API_AttachUserPolicy.html, API_AttachGroupPolicy.html,
 * API_PutUserPermissionsBoundary.html).
 */
function requireNotServiceRolePolicy(p: ManagedPolicyRecord, entity: 'User' | 'Group'): void {
  if (!isAttachable(p)) throw new AwsError('PolicyNotAttachable', `Cannot attach a Service Role Policy to a Customer ${entity}.`);
}

/** A managed policy this account may attach to a user or group: its own or an AWS managed one. */
export async function requireAttachablePolicy(store: Store, accountId: string, arn: string, entity: 'User' | 'Group'): Promise<ManagedPolicyRecord> {
  validatePolicyArn(arn);
  const p = await store.policies.get(arn);
  if (!p || (p.accountId !== 'aws' && p.accountId !== accountId)) throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  requireNotServiceRolePolicy(p, entity);
  return p;
}

/** A managed policy usable as a user's permissions boundary (IAM's "Scope ARN" wording). */
export async function requireBoundaryPolicy(store: Store, accountId: string, arn: string): Promise<ManagedPolicyRecord> {
  validatePolicyArn(arn);
  const p = await store.policies.get(arn);
  if (!p || (p.accountId !== 'aws' && p.accountId !== accountId)) throw new AwsError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
  requireNotServiceRolePolicy(p, 'User');
  return p;
}

export async function attachManagedPolicy(store: Store, accountId: string, ownerType: PrincipalEntityType, ownerName: string, policyArn: string): Promise<void> {
  await requireAttachablePolicy(store, accountId, policyArn, ownerType === 'group' ? 'Group' : 'User');
  const current = await store.attachments.listForEntity(accountId, ownerType, ownerName);
  if (current.some((a) => a.policyArn === policyArn)) return; // attaching twice is a no-op in IAM
  const q = ATTACHED_POLICIES_QUOTA[ownerType];
  if (current.length >= q.max) throw new AwsError('LimitExceeded', `Cannot exceed quota for ${q.quota}: ${q.max}`);
  await store.attachments.attach({ accountId, ownerType, ownerName, policyArn });
}

export async function detachManagedPolicy(store: Store, accountId: string, ownerType: PrincipalEntityType, ownerName: string, policyArn: string): Promise<void> {
  validatePolicyArn(policyArn);
  if (!(await store.attachments.detach({ accountId, ownerType, ownerName, policyArn }))) {
    throw new AwsError('NoSuchEntity', `Policy ${policyArn} was not found.`);
  }
}

/** Attached policies of an entity, optionally filtered by the policies' path prefix. */
export async function listAttachedPolicies(store: Store, accountId: string, ownerType: PrincipalEntityType, ownerName: string, pathPrefix?: string): Promise<AttachedPolicyShape[]> {
  const all = await store.attachments.listForEntity(accountId, ownerType, ownerName);
  return all
    .filter((a) => pathPrefix === undefined || policyPathOf(a.policyArn).startsWith(pathPrefix))
    .map((a) => attachedPolicyShape(a.policyArn))
    .sort((x, y) => x.PolicyName.localeCompare(y.PolicyName));
}
