/**
 * Managed-policy helpers of policies.ts: the `Policy` structure as each operation returns it,
 * usage counts, authorization facts, lookups with IAM's NoSuchEntity wording, and the entities
 * using a policy (ListEntitiesForPolicy).
 */
import { isArn } from '../../../domain/arns.js';
import { AwsError } from '../../../domain/aws-error.js';
import type { ContextValue } from '../../../policy/index.js';
import type { ManagedPolicyRecord, Store, Tag } from '../../../store/ports.js';
import type { OperationContext } from '../../operation.js';
import { callerAccount, findVisiblePolicy, isAttachable, policyNotFound, type ResolvedAuthorization } from './operation-kit.js';
import { resourceTagKeys } from './tag-input.js';
import { checkFields, rules } from './validation.js';

export interface PolicyView {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: Date;
  UpdateDate: Date;
  Tags?: Tag[];
}

export interface Usage {
  attachments: number;
  boundaries: number;
}

/** Attachments and boundary uses within the caller's account (an AWS managed policy is shared by every account). */
export async function usageOf(store: Store, accountId: string, arn: string): Promise<Usage> {
  const attachments = (await store.attachments.listForPolicy(arn)).filter((a) => a.accountId === accountId).length;
  return { attachments, boundaries: await store.attachments.countBoundaryUsage(accountId, arn) };
}

export function policyView(p: ManagedPolicyRecord, usage: Usage, kind: 'create' | 'get' | 'list'): PolicyView {
  const v: PolicyView = {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: usage.attachments,
    PermissionsBoundaryUsageCount: usage.boundaries,
    IsAttachable: isAttachable(p),
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
  };
  if (kind === 'get' && p.description) v.Description = p.description;
  if (kind === 'get' || (kind === 'create' && p.tags.length)) v.Tags = p.tags.map((t) => ({ Key: t.Key, Value: t.Value }));
  return v;
}

export interface PolicyArnInput {
  PolicyArn: string;
}

/** Authorization facts of an operation on one managed policy: its ARN and tags. */
export function policyAuthorization<I extends PolicyArnInput>(keys?: (input: I) => Record<string, ContextValue>) {
  return {
    resources: (input: I): string[] => [typeof input.PolicyArn === 'string' ? input.PolicyArn : '*'],
    conditionKeys: (input: I): Record<string, ContextValue> => keys?.(input) ?? {},
    async resolveAuthorization(input: I, ctx: OperationContext): Promise<ResolvedAuthorization> {
      const p = typeof input.PolicyArn === 'string' ? await findVisiblePolicy(ctx.store, callerAccount(ctx), input.PolicyArn) : undefined;
      return { resources: [typeof input.PolicyArn === 'string' ? input.PolicyArn : '*'], conditionKeys: { ...(keys?.(input) ?? {}), ...(p ? resourceTagKeys(p.tags) : {}) } };
    },
  };
}

export function checkPolicyArn(arn: unknown): asserts arn is string {
  checkFields([rules.arn('policyArn', arn)]);
  if (!isArn(arn)) throw new AwsError('ValidationError', `ARN ${String(arn)} is not valid.`);
}

export async function policyOrThrow(store: Store, accountId: string, arn: string, notFound: (arn: string) => AwsError = policyNotFound): Promise<ManagedPolicyRecord> {
  const p = await findVisiblePolicy(store, accountId, arn);
  if (!p) throw notFound(arn);
  return p;
}

export function versionNotFound(arn: string, versionId: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
}

export const versionNumber = (v: string): number => Number(/^v(\d+)/.exec(v)?.[1] ?? 0);

export interface EntityRef {
  kind: 'Group' | 'User' | 'Role';
  name: string;
  id: string;
  path: string;
}

export async function entitiesUsing(store: Store, accountId: string, arn: string, usage: 'PermissionsPolicy' | 'PermissionsBoundary' | undefined): Promise<EntityRef[]> {
  const out = new Map<string, EntityRef>();
  const add = (e: EntityRef) => out.set(`${e.kind}:${e.id}`, e);
  if (usage !== 'PermissionsBoundary') {
    for (const a of (await store.attachments.listForPolicy(arn)).filter((x) => x.accountId === accountId)) {
      const rec =
        a.ownerType === 'user' ? await store.users.get(accountId, a.ownerName) : a.ownerType === 'group' ? await store.groups.get(accountId, a.ownerName) : await store.roles.get(accountId, a.ownerName);
      if (rec) add({ kind: a.ownerType === 'user' ? 'User' : a.ownerType === 'group' ? 'Group' : 'Role', name: rec.name, id: rec.id, path: rec.path });
    }
  }
  if (usage !== 'PermissionsPolicy') {
    for (const u of await store.users.list(accountId)) if (u.permissionsBoundaryArn === arn) add({ kind: 'User', name: u.name, id: u.id, path: u.path });
    for (const r of await store.roles.list(accountId)) if (r.permissionsBoundaryArn === arn) add({ kind: 'Role', name: r.name, id: r.id, path: r.path });
  }
  const order = { Group: 0, User: 1, Role: 2 } as const;
  return [...out.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}
