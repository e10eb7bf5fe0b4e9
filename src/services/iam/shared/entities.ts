/**
 * Lookups that answer IAM's NoSuchEntity wording, and the AWS output shapes (User, Group, Role,
 * InstanceProfile, AttachedPolicy) built from store records. Shared by the user, group, access
 * key, MFA, instance-profile and account operation families.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Types.html
 */
import { AwsError, noSuchEntity } from '../../../domain/aws-error.js';
import type { Caller } from '../../../domain/caller.js';
import type { GroupRecord, InstanceProfileRecord, RoleRecord, Store, Tag, UserRecord } from '../../../store/ports.js';
import type { OperationContext } from '../../operation.js';
import { roleView, type RoleView } from './role-view.js';

/** The account the request acts in: the authenticated caller's. */
export function callerOf(ctx: OperationContext): Caller {
  if (!ctx.caller) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  return ctx.caller;
}

export function accountOf(ctx: OperationContext): string {
  return callerOf(ctx).accountId;
}

export async function requireUser(store: Store, accountId: string, name: string): Promise<UserRecord> {
  const u = await store.users.get(accountId, name);
  if (!u) throw noSuchEntity('user', name);
  return u;
}

export async function requireGroup(store: Store, accountId: string, name: string): Promise<GroupRecord> {
  const g = await store.groups.get(accountId, name);
  if (!g) throw noSuchEntity('group', name);
  return g;
}

export async function requireRole(store: Store, accountId: string, name: string): Promise<RoleRecord> {
  const r = await store.roles.get(accountId, name);
  if (!r) throw noSuchEntity('role', name);
  return r;
}

export async function requireInstanceProfile(store: Store, accountId: string, name: string): Promise<InstanceProfileRecord> {
  const p = await store.instanceProfiles.get(accountId, name);
  if (!p) throw new AwsError('NoSuchEntity', `Instance Profile ${name} cannot be found.`);
  return p;
}

/**
 * The IAM user an operation without UserName acts on: the calling user. Root and temporary
 * credentials have no implicit user; AWS answers ValidationError with this wording.
 */
export function implicitUserName(ctx: OperationContext): string {
  const c = callerOf(ctx);
  if (c.kind === 'user' && c.userName) return c.userName;
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

/**
 * IAM answers `PermissionsBoundaryType` `Policy` on the wire, although the model's enum names
 * `PermissionsBoundaryPolicy` (the roles family recorded this against AWS; see role-view.ts).
 */
export interface AttachedPermissionsBoundaryShape {
  PermissionsBoundaryType: 'Policy';
  PermissionsBoundaryArn: string;
}

export function boundaryShape(arn: string | undefined): AttachedPermissionsBoundaryShape | undefined {
  return arn ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn } : undefined;
}

export interface UserShape {
  Path?: string;
  UserName?: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
  PasswordLastUsed?: Date;
  PermissionsBoundary?: AttachedPermissionsBoundaryShape;
  Tags?: Tag[];
}

/**
 * `full`: GetUser/CreateUser include PermissionsBoundary and Tags; list operations (ListUsers,
 * GetGroup) leave them out, as the API reference says of IAM resource-listing operations.
 */
export function userShape(u: UserRecord, full: boolean): UserShape {
  const out: UserShape = { Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: u.createdAt };
  if (u.passwordLastUsed) out.PasswordLastUsed = u.passwordLastUsed;
  if (full) {
    const b = boundaryShape(u.permissionsBoundaryArn);
    if (b) out.PermissionsBoundary = b;
    if (u.tags.length > 0) out.Tags = u.tags;
  }
  return out;
}

export interface GroupShape {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: Date;
}

export function groupShape(g: GroupRecord): GroupShape {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: g.createdAt };
}

export interface InstanceProfileShape {
  Path: string;
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  CreateDate: Date;
  Roles: RoleView[];
  Tags?: Tag[];
}

/**
 * An InstanceProfile with its roles read from the store (a role that vanished is skipped). The
 * roles carry the subset the API reference's GetInstanceProfile example shows (Path, RoleName,
 * RoleId, Arn, CreateDate, AssumeRolePolicyDocument), plus PermissionsBoundary and Tags when
 * set: the roles family's CreateRole view, so both families print a role the same way.
 */
export async function instanceProfileShape(store: Store, p: InstanceProfileRecord, withTags: boolean): Promise<InstanceProfileShape> {
  const roles: RoleView[] = [];
  for (const name of p.roleNames) {
    const r = await store.roles.get(p.accountId, name);
    if (r) roles.push(await roleView(r, store, 'create'));
  }
  const out: InstanceProfileShape = { Path: p.path, InstanceProfileName: p.name, InstanceProfileId: p.id, Arn: p.arn, CreateDate: p.createdAt, Roles: roles };
  if (withTags && p.tags.length > 0) out.Tags = p.tags;
  return out;
}

export interface AttachedPolicyShape {
  PolicyName: string;
  PolicyArn: string;
}

/** The policy's name is the last ARN segment (`policy/path/Name`). */
export function attachedPolicyShape(policyArn: string): AttachedPolicyShape {
  const name = policyArn.slice(policyArn.lastIndexOf('/') + 1);
  return { PolicyName: name, PolicyArn: policyArn };
}

/** The part of a managed policy ARN after `policy`: its path (`/` or `/a/b/`). */
export function policyPathOf(policyArn: string): string {
  const i = policyArn.indexOf(':policy/');
  if (i < 0) return '/';
  const rest = policyArn.slice(i + ':policy'.length);
  return rest.slice(0, rest.lastIndexOf('/') + 1);
}
