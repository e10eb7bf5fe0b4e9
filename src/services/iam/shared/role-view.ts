/**
 * The `Role` structure as each operation returns it. IAM returns different subsets (recorded
 * against AWS, 2026):
 * - CreateRole: Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument, and
 *   PermissionsBoundary / Tags when set; no Description, MaxSessionDuration or RoleLastUsed.
 * - UpdateRoleDescription: the CreateRole subset plus Description.
 * - GetRole: everything; RoleLastUsed is always present (empty when never used).
 * - ListRoles: no Tags, PermissionsBoundary or RoleLastUsed ("IAM resource-listing operations
 *   return a subset of the available attributes", API_ListRoles.html).
 * `PermissionsBoundaryType` is `Policy` on the wire although the model's enum names
 * `PermissionsBoundaryPolicy`.
 */
import type { RoleRecord, Store, Tag } from '../../../store/ports.js';
import { effectiveTrustPolicy } from './trust-principals.js';

export interface RoleView {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: Date;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: { PermissionsBoundaryType: 'Policy'; PermissionsBoundaryArn: string };
  Tags?: Tag[];
  RoleLastUsed?: { LastUsedDate?: Date; Region?: string };
}

export type RoleViewKind = 'create' | 'update-description' | 'get' | 'list';

export async function roleView(role: RoleRecord, store: Store, kind: RoleViewKind): Promise<RoleView> {
  const v: RoleView = {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: role.createdAt,
    AssumeRolePolicyDocument: await effectiveTrustPolicy(role, store),
  };
  if ((kind === 'get' || kind === 'list' || kind === 'update-description') && role.description) v.Description = role.description;
  if (kind === 'get' || kind === 'list') v.MaxSessionDuration = role.maxSessionDuration;
  if (kind !== 'list') {
    if (role.permissionsBoundaryArn) v.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissionsBoundaryArn };
    if (role.tags.length) v.Tags = role.tags.map((t) => ({ Key: t.Key, Value: t.Value }));
  }
  if (kind === 'get') v.RoleLastUsed = await roleLastUsed(store, role);
  return v;
}

/**
 * RoleLastUsed from the audit trail's last-use table (written with the events that use the role:
 * credentials issued for it, requests its sessions make). Empty when unused within IAM's tracking
 * window (400 days). https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html
 */
export async function roleLastUsed(store: Store, role: RoleRecord): Promise<{ LastUsedDate?: Date; Region?: string }> {
  const u = await store.audit.lastUsed('role', role.id);
  return u ? { LastUsedDate: u.date, Region: u.region } : {};
}
