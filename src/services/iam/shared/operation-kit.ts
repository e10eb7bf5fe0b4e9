/**
 * What the role and policy operations share: the caller's account, entity lookups with IAM's
 * NoSuchEntity wording, managed-policy ARN parsing, and the async authorization hook.
 *
 * Why the hook: `Operation.resources()` and `conditionKeys()` are synchronous, but the ARN IAM
 * authorizes a role operation against carries the role's *path* (`arn:aws:iam::A:role/path/name`),
 * and keys such as `iam:PermissionsBoundary` (the role's current boundary) and `aws:ResourceTag/k`
 * need the stored role. `resources()` therefore returns the path-less best guess and
 * `resolveAuthorization()` returns the exact facts; a gateway that knows the hook calls it
 * instead. Until it does, a policy naming `role/some/path/*` is judged against `role/NAME`.
 */
import { AwsError, noSuchEntity } from '../../../domain/aws-error.js';
import { iamArn } from '../../../domain/arns.js';
import type { ContextValue } from '../../../policy/index.js';
import type { ManagedPolicyRecord, RoleRecord, Store } from '../../../store/ports.js';
import type { Operation, OperationContext } from '../../operation.js';

export interface ResolvedAuthorization {
  resources: string[];
  conditionKeys: Record<string, ContextValue>;
}

export interface IamOperation<I, O> extends Operation<I, O> {
  /** Exact resources and condition keys, read from the store (see the module comment). */
  resolveAuthorization?(input: I, ctx: OperationContext): Promise<ResolvedAuthorization>;
}

export function defineIamOperation<I, O>(op: IamOperation<I, O>): IamOperation<I, O> {
  return op;
}

/** The caller's account: every lookup of these operations is scoped to it. */
export function callerAccount(ctx: OperationContext): string {
  const acct = ctx.caller?.accountId;
  if (!acct) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  return acct;
}

/** The role ARN without a store read: the path is unknown here, so `/` (see module comment). */
export function roleArnGuess(ctx: OperationContext, name: unknown): string {
  return iamArn(ctx.caller?.accountId ?? '', 'role', '/', typeof name === 'string' ? name : '');
}

export async function getRoleOrThrow(store: Store, accountId: string, name: string): Promise<RoleRecord> {
  const role = await store.roles.get(accountId, name);
  if (!role) throw noSuchEntity('role', name);
  return role;
}

// ------------------------------------------------------------------ managed policy ARNs

export interface PolicyArnParts {
  /** 12-digit account, or `aws` for AWS managed policies. */
  account: string;
  path: string;
  name: string;
}

const POLICY_ARN_RE = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[^/]+\/)*)([\w+=,.@-]+)$/;

export function parsePolicyArn(arn: unknown): PolicyArnParts | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = POLICY_ARN_RE.exec(arn);
  if (!m) return undefined;
  return { account: m[1] as string, path: m[2] as string, name: m[3] as string };
}

/**
 * A managed policy the caller may use: its own account's or an AWS managed one. Policies of other
 * accounts are invisible, as in IAM.
 */
export async function findVisiblePolicy(store: Store, accountId: string, arn: string): Promise<ManagedPolicyRecord | undefined> {
  const parts = parsePolicyArn(arn);
  if (!parts || (parts.account !== accountId && parts.account !== 'aws')) return undefined;
  const p = await store.policies.get(arn);
  if (!p || (p.accountId !== accountId && p.accountId !== 'aws')) return undefined;
  return p;
}

/** "Policy ARN was not found." (GetPolicy, DeletePolicy, Tag/UntagPolicy, DetachRolePolicy...). */
export function policyNotFound(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} was not found.`);
}

/** "Policy ARN does not exist or is not attachable." (AttachRolePolicy, ListEntitiesForPolicy). */
export function policyNotAttachable(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
}

/** AWS managed policies for service-linked roles cannot be attached to customer roles. */
export function isAttachable(p: ManagedPolicyRecord): boolean {
  return !(p.accountId === 'aws' && p.path.startsWith('/aws-service-role/'));
}

/** AWS managed policies belong to AWS: this account cannot change or delete them. */
export function assertCustomerManaged(p: ManagedPolicyRecord, action: string): void {
  if (p.accountId === 'aws') {
    throw new AwsError('AccessDenied', `Cannot perform ${action} on the AWS managed policy ${p.arn}.`);
  }
}
