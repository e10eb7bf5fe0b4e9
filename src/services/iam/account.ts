/**
 * Account-level reads: GetAccountAuthorizationDetails (a snapshot of users, groups, roles and
 * managed policies with their relationships) and GetAccountSummary (usage and quotas).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html
 */
import type { ManagedPolicyRecord, RoleRecord, Store, Tag, UserRecord, GroupRecord } from '../../store/ports.js';
import { defineOperation, type Operation } from '../operation.js';
import { ACCESS_KEYS_PER_USER } from './access-keys.js';
import {
  accountOf,
  attachedPolicyShape,
  boundaryShape,
  instanceProfileShape,
  type AttachedPermissionsBoundaryShape,
  type AttachedPolicyShape,
  type InstanceProfileShape,
} from './shared/entities.js';
import type { PolicyView } from './shared/managed-policies.js';
import { roleLastUsed, type RoleView } from './shared/role-view.js';
import { paginate, type PageInput } from './shared/pagination.js';
import { POLICY_SIZE_LIMITS } from './shared/policy-document.js';
import { GROUPS_PER_ACCOUNT, GROUPS_PER_USER } from './groups.js';
import { INSTANCE_PROFILES_PER_ACCOUNT } from './instance-profiles.js';
import { USERS_PER_ACCOUNT } from './users.js';
import { effectiveTrustPolicy } from './shared/trust-principals.js';
import { validationError } from './shared/validate.js';

export type EntityType = 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy';
const ENTITY_TYPES: readonly EntityType[] = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];

export interface PolicyDetail {
  PolicyName: string;
  PolicyDocument: string;
}

export interface UserDetail {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
  UserPolicyList: PolicyDetail[];
  GroupList: string[];
  AttachedManagedPolicies: AttachedPolicyShape[];
  PermissionsBoundary?: AttachedPermissionsBoundaryShape;
  Tags: Tag[];
}

export interface GroupDetail {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: Date;
  GroupPolicyList: PolicyDetail[];
  AttachedManagedPolicies: AttachedPolicyShape[];
}

export interface RoleDetail extends Pick<RoleView, 'Path' | 'RoleName' | 'RoleId' | 'Arn' | 'CreateDate' | 'AssumeRolePolicyDocument'> {
  InstanceProfileList: InstanceProfileShape[];
  RolePolicyList: PolicyDetail[];
  AttachedManagedPolicies: AttachedPolicyShape[];
  PermissionsBoundary?: AttachedPermissionsBoundaryShape;
  Tags: Tag[];
  RoleLastUsed: { LastUsedDate?: Date; Region?: string };
}

export interface PolicyVersionShape {
  Document: string;
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate: Date;
}

/** The `Policy` structure without tags, with every version. */
export interface ManagedPolicyDetail extends Omit<PolicyView, 'Tags'> {
  PolicyVersionList: PolicyVersionShape[];
}

export interface GetAccountAuthorizationDetailsInput extends PageInput {
  Filter?: EntityType[];
}

export interface GetAccountAuthorizationDetailsOutput {
  UserDetailList: UserDetail[];
  GroupDetailList: GroupDetail[];
  RoleDetailList: RoleDetail[];
  Policies: ManagedPolicyDetail[];
  IsTruncated: boolean;
  Marker?: string;
}

type Entry =
  | { kind: 'user'; rec: UserRecord }
  | { kind: 'group'; rec: GroupRecord }
  | { kind: 'role'; rec: RoleRecord }
  | { kind: 'policy'; rec: ManagedPolicyRecord };

async function inlineList(store: Store, accountId: string, type: 'user' | 'group' | 'role', name: string): Promise<PolicyDetail[]> {
  return (await store.inlinePolicies.list(accountId, type, name)).map((p) => ({ PolicyName: p.policyName, PolicyDocument: p.document }));
}

async function attachedList(store: Store, accountId: string, type: 'user' | 'group' | 'role', name: string): Promise<AttachedPolicyShape[]> {
  return (await store.attachments.listForEntity(accountId, type, name)).map((a) => attachedPolicyShape(a.policyArn));
}

async function userDetail(store: Store, u: UserRecord): Promise<UserDetail> {
  const d: UserDetail = {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: u.arn,
    CreateDate: u.createdAt,
    UserPolicyList: await inlineList(store, u.accountId, 'user', u.name),
    GroupList: (await store.groups.listGroupsForUser(u.accountId, u.name)).map((g) => g.name),
    AttachedManagedPolicies: await attachedList(store, u.accountId, 'user', u.name),
    Tags: u.tags,
  };
  const b = boundaryShape(u.permissionsBoundaryArn);
  if (b) d.PermissionsBoundary = b;
  return d;
}

async function groupDetail(store: Store, g: GroupRecord): Promise<GroupDetail> {
  return {
    Path: g.path,
    GroupName: g.name,
    GroupId: g.id,
    Arn: g.arn,
    CreateDate: g.createdAt,
    GroupPolicyList: await inlineList(store, g.accountId, 'group', g.name),
    AttachedManagedPolicies: await attachedList(store, g.accountId, 'group', g.name),
  };
}

async function roleDetail(store: Store, r: RoleRecord): Promise<RoleDetail> {
  const profiles: InstanceProfileShape[] = [];
  for (const p of await store.instanceProfiles.listForRole(r.accountId, r.name)) profiles.push(await instanceProfileShape(store, p, false));
  const d: RoleDetail = {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: r.createdAt,
    AssumeRolePolicyDocument: await effectiveTrustPolicy(r, store),
    InstanceProfileList: profiles,
    RolePolicyList: await inlineList(store, r.accountId, 'role', r.name),
    AttachedManagedPolicies: await attachedList(store, r.accountId, 'role', r.name),
    Tags: r.tags,
    RoleLastUsed: await roleLastUsed(store, r),
  };
  const b = boundaryShape(r.permissionsBoundaryArn);
  if (b) d.PermissionsBoundary = b;
  return d;
}

/** Boundary uses per policy ARN among this account's users and roles, counted once per request. */
async function boundaryCounts(store: Store, accountId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (arn: string | undefined): void => {
    if (arn) counts.set(arn, (counts.get(arn) ?? 0) + 1);
  };
  for (const u of await store.users.list(accountId)) add(u.permissionsBoundaryArn);
  for (const r of await store.roles.list(accountId)) add(r.permissionsBoundaryArn);
  return counts;
}

/** Attachments and boundary uses within this account only (AWS managed policies are shared). */
async function usage(store: Store, accountId: string, arn: string, boundaries: Map<string, number>): Promise<{ attachments: number; boundaries: number }> {
  const attachments = (await store.attachments.listForPolicy(arn)).filter((a) => a.accountId === accountId).length;
  return { attachments, boundaries: boundaries.get(arn) ?? 0 };
}

async function policyDetail(store: Store, accountId: string, p: ManagedPolicyRecord, boundaries: Map<string, number>): Promise<ManagedPolicyDetail> {
  const use = await usage(store, accountId, p.arn, boundaries);
  const d: ManagedPolicyDetail = {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: use.attachments,
    PermissionsBoundaryUsageCount: use.boundaries,
    IsAttachable: true,
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
    PolicyVersionList: (await store.policies.listVersions(p.arn)).map((v) => ({ Document: v.document, VersionId: v.versionId, IsDefaultVersion: v.isDefault, CreateDate: v.createdAt })),
  };
  if (p.description !== undefined) d.Description = p.description;
  return d;
}

/**
 * Filter selects entity types (all when absent or empty). AWS managed policies appear only
 * when this account uses them (attached or as a boundary). Policy documents are JSON text; the
 * wire layer URL-encodes them as IAM does. Paging runs over users, groups, roles, policies.
 */
const getAccountAuthorizationDetails = defineOperation<GetAccountAuthorizationDetailsInput, GetAccountAuthorizationDetailsOutput>({
  service: 'iam',
  name: 'GetAccountAuthorizationDetails',
  resources: () => ['*'],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const store = ctx.store;
    const filter = new Set<EntityType>(i.Filter && i.Filter.length > 0 ? i.Filter : ENTITY_TYPES);
    for (const f of filter) {
      if (!ENTITY_TYPES.includes(f)) throw validationError(String(f), 'filter', `Member must satisfy enum value set: [${ENTITY_TYPES.join(', ')}]`);
    }
    const entries: Entry[] = [];
    const boundaries = await boundaryCounts(store, accountId);
    if (filter.has('User')) for (const rec of await store.users.list(accountId)) entries.push({ kind: 'user', rec });
    if (filter.has('Group')) for (const rec of await store.groups.list(accountId)) entries.push({ kind: 'group', rec });
    if (filter.has('Role')) for (const rec of await store.roles.list(accountId)) entries.push({ kind: 'role', rec });
    if (filter.has('LocalManagedPolicy') || filter.has('AWSManagedPolicy')) {
      for (const rec of await store.policies.list(accountId, { includeAws: filter.has('AWSManagedPolicy') })) {
        const isAws = rec.accountId === 'aws';
        if (isAws && !filter.has('AWSManagedPolicy')) continue;
        if (!isAws && (rec.accountId !== accountId || !filter.has('LocalManagedPolicy'))) continue;
        if (isAws) {
          const use = await usage(store, accountId, rec.arn, boundaries);
          if (use.attachments === 0 && use.boundaries === 0) continue;
        }
        entries.push({ kind: 'policy', rec });
      }
    }
    const page = paginate(entries, i);
    const out: GetAccountAuthorizationDetailsOutput = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [], IsTruncated: page.IsTruncated };
    for (const e of page.items) {
      if (e.kind === 'user') out.UserDetailList.push(await userDetail(store, e.rec));
      else if (e.kind === 'group') out.GroupDetailList.push(await groupDetail(store, e.rec));
      else if (e.kind === 'role') out.RoleDetailList.push(await roleDetail(store, e.rec));
      else out.Policies.push(await policyDetail(store, accountId, e.rec, boundaries));
    }
    if (page.Marker !== undefined) out.Marker = page.Marker;
    return out;
  },
});

/** Default quotas (IAM and STS quotas page); Rolecall enforces the ones its operations touch. */
export const ACCOUNT_QUOTAS = {
  UsersQuota: USERS_PER_ACCOUNT,
  GroupsQuota: GROUPS_PER_ACCOUNT,
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  InstanceProfilesQuota: INSTANCE_PROFILES_PER_ACCOUNT,
  ServerCertificatesQuota: 20,
  UserPolicySizeQuota: POLICY_SIZE_LIMITS.userInlineTotal,
  GroupPolicySizeQuota: POLICY_SIZE_LIMITS.groupInlineTotal,
  RolePolicySizeQuota: POLICY_SIZE_LIMITS.roleInlineTotal,
  PolicySizeQuota: POLICY_SIZE_LIMITS.managed,
  AssumeRolePolicySizeQuota: POLICY_SIZE_LIMITS.trust,
  GroupsPerUserQuota: GROUPS_PER_USER,
  SigningCertificatesPerUserQuota: 2,
  AccessKeysPerUserQuota: ACCESS_KEYS_PER_USER,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  PolicyVersionsInUseQuota: 10000,
  VersionsPerPolicyQuota: 5,
} as const;

/** Usage counts beside the quotas, under the model's summaryKeyType names. */
const getAccountSummary = defineOperation<Record<string, never>, { SummaryMap: Record<string, number> }>({
  service: 'iam',
  name: 'GetAccountSummary',
  resources: () => ['*'],
  async run(_i, ctx) {
    const accountId = accountOf(ctx);
    const store = ctx.store;
    const users = await store.users.list(accountId);
    const policies = (await store.policies.list(accountId)).filter((p) => p.accountId === accountId);
    const mfa = await store.mfaDevices.list(accountId);
    let attachments = 0;
    for (const type of ['user', 'group', 'role'] as const) {
      const names = type === 'user' ? users.map((u) => u.name) : (type === 'group' ? await store.groups.list(accountId) : await store.roles.list(accountId)).map((e) => e.name);
      for (const n of names) attachments += (await store.attachments.listForEntity(accountId, type, n)).length;
    }
    const rootKeys = await store.accessKeys.listForUser(accountId, undefined);
    const SummaryMap: Record<string, number> = {
      Users: users.length,
      Groups: (await store.groups.list(accountId)).length,
      Roles: (await store.roles.list(accountId)).length,
      Policies: policies.length,
      InstanceProfiles: (await store.instanceProfiles.list(accountId)).length,
      ServerCertificates: 0,
      // SAML and OIDC identity providers.
      Providers: (await store.oidcProviders.list(accountId)).length + (await store.samlProviders.list(accountId)).length,
      MFADevices: mfa.length,
      MFADevicesInUse: mfa.filter((d) => d.userName !== undefined).length,
      AccountMFAEnabled: 0,
      AccountAccessKeysPresent: rootKeys.length > 0 ? 1 : 0,
      AccountPasswordPresent: 0,
      AccountSigningCertificatesPresent: 0,
      PolicyVersionsInUse: attachments,
      GlobalEndpointTokenVersion: 1,
      ...ACCOUNT_QUOTAS,
    };
    return { SummaryMap };
  },
});

export const accountOperations: Operation<any, any>[] = [getAccountAuthorizationDetails, getAccountSummary];
