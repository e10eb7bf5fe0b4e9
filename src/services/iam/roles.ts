/**
 * IAM role operations: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
 * UpdateAssumeRolePolicy, DeleteRole, TagRole, UntagRole, ListRoleTags,
 * PutRolePermissionsBoundary, DeleteRolePermissionsBoundary.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (and siblings)
 *
 * Error texts are IAM's, as recorded against AWS: "Role with name X already exists.",
 * "The role with name X cannot be found.", "Cannot exceed quota for ACLSizePerRole: 2048",
 * "Cannot delete entity, must remove roles from instance profile first." / "... must detach all
 * policies first." / "... must delete policies first.", "ARN X is not valid.",
 * "Scope ARN: X does not exist or is not attachable.".
 */
import { AwsError } from '../../domain/aws-error.js';
import { iamArn } from '../../domain/arns.js';
import { newId } from '../../domain/ids.js';
import type { ContextValue } from '../../policy/index.js';
import { StoreConflictError, type ManagedPolicyRecord, type RoleRecord, type Store, type Tag } from '../../store/ports.js';
import type { Operation } from '../operation.js';
import {
  callerAccount,
  defineIamOperation,
  findVisiblePolicy,
  getRoleOrThrow,
  isAttachable,
  parsePolicyArn,
} from './shared/operation-kit.js';
import { pageFields, paginate } from './shared/pagination.js';
import { validatePolicyDocument } from './shared/policy-document.js';
import { roleAuthorization } from './shared/role-auth.js';
import { roleView, type RoleView } from './shared/role-view.js';
import { mergeTagList, removeTagKeys, validateTagKeys, validateTagList } from './shared/tag-input.js';
import { requestTagKeys, sortedTags } from './shared/tags.js';
import { enforceTrustGuardrail } from './shared/trust-guardrail.js';
import { resolveTrustPrincipals } from './shared/trust-principals.js';
import { checkFields, pageRules, PATTERNS, rules, type FieldRule } from './shared/validation.js';

export { effectiveTrustPolicy } from './shared/trust-principals.js';

/** Role trust policy: 2,048 non-whitespace characters by default; IAM names the quota ACLSizePerRole. */
export const TRUST_POLICY_LIMIT = { max: 2048, quota: 'ACLSizePerRole' } as const;
/** Roles per account (default quota). */
export const ROLES_PER_ACCOUNT = 1000;

const descriptionRule = (v: unknown, required = false): FieldRule => ({ name: 'description', value: v, required, maxLength: 1000, pattern: PATTERNS.roleDescription });
const durationRule = (v: unknown): FieldRule => ({ name: 'maxSessionDuration', value: v, minValue: 3600, maxValue: 43200 });

/** A permissions boundary must name an existing managed policy the caller can see. */
async function boundaryPolicy(store: Store, accountId: string, arn: string, checkAttachable: boolean): Promise<ManagedPolicyRecord> {
  if (!parsePolicyArn(arn)) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
  const p = await findVisiblePolicy(store, accountId, arn);
  if (!p || (!checkAttachable && !isAttachable(p))) throw new AwsError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
  if (!isAttachable(p)) throw new AwsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Role.');
  return p;
}

// ------------------------------------------------------------------------------ CreateRole

export interface CreateRoleInput {
  Path?: string;
  RoleName: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

const createRole = defineIamOperation<CreateRoleInput, { Role: RoleView }>({
  service: 'iam',
  name: 'CreateRole',
  resources: (input, ctx) => [iamArn(ctx.caller?.accountId ?? '', 'role', input.Path ?? '/', input.RoleName)],
  conditionKeys: (input) => ({
    ...requestTagKeys(input.Tags),
    ...(input.PermissionsBoundary ? { 'iam:PermissionsBoundary': input.PermissionsBoundary } : {}),
  }),
  async run(input, ctx) {
    const account = callerAccount(ctx);
    checkFields([
      rules.path(input.Path),
      rules.roleName(input.RoleName),
      rules.document('assumeRolePolicyDocument', input.AssumeRolePolicyDocument),
      descriptionRule(input.Description),
      durationRule(input.MaxSessionDuration),
      rules.arn('permissionsBoundary', input.PermissionsBoundary, false),
    ]);
    const tags = validateTagList(input.Tags, 'insensitive');
    const trust = validatePolicyDocument(input.AssumeRolePolicyDocument, 'trust', TRUST_POLICY_LIMIT);
    enforceTrustGuardrail(ctx, input.AssumeRolePolicyDocument, account, input.MaxSessionDuration ?? 3600);
    const path = input.Path ?? '/';
    return ctx.store.transaction(async (tx) => {
      const boundary = input.PermissionsBoundary !== undefined ? await boundaryPolicy(tx, account, input.PermissionsBoundary, false) : undefined;
      if (await tx.roles.get(account, input.RoleName)) throw new AwsError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`);
      if ((await tx.roles.list(account)).length >= ROLES_PER_ACCOUNT) throw new AwsError('LimitExceeded', `Cannot exceed quota for RolesPerAccount: ${ROLES_PER_ACCOUNT}`);
      const role: RoleRecord = {
        accountId: account,
        name: input.RoleName,
        path,
        id: newId(ctx.random, 'AROA'),
        arn: iamArn(account, 'role', path, input.RoleName),
        createdAt: ctx.clock.now(),
        assumeRolePolicyDocument: input.AssumeRolePolicyDocument,
        trustPrincipalIds: await resolveTrustPrincipals(trust, tx, account),
        maxSessionDuration: input.MaxSessionDuration ?? 3600,
        tags,
      };
      if (input.Description) role.description = input.Description;
      if (boundary) role.permissionsBoundaryArn = boundary.arn;
      try {
        await tx.roles.create(role);
      } catch (e) {
        if (e instanceof StoreConflictError) throw new AwsError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`);
        throw e;
      }
      return { Role: await roleView(role, tx, 'create') };
    });
  },
});

// ------------------------------------------------------------------------------ GetRole / ListRoles

const getRole = defineIamOperation<{ RoleName: string }, { Role: RoleView }>({
  service: 'iam',
  name: 'GetRole',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName)]);
    const role = await getRoleOrThrow(ctx.store, callerAccount(ctx), input.RoleName);
    return { Role: await roleView(role, ctx.store, 'get') };
  },
});

export interface ListRolesInput {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
}

const listRoles = defineIamOperation<ListRolesInput, { Roles: RoleView[]; IsTruncated: boolean; Marker?: string }>({
  service: 'iam',
  name: 'ListRoles',
  resources: () => ['*'],
  async run(input, ctx) {
    checkFields([{ name: 'pathPrefix', value: input.PathPrefix, minLength: 1, maxLength: 512, pattern: PATTERNS.pathPrefix }, ...pageRules(input)]);
    const all = await ctx.store.roles.list(callerAccount(ctx), input.PathPrefix);
    const page = paginate(all, input);
    const Roles = await Promise.all(page.items.map((r) => roleView(r, ctx.store, 'list')));
    return { Roles, ...pageFields(page) };
  },
});

// ------------------------------------------------------------------------------ updates

export interface UpdateRoleInput {
  RoleName: string;
  Description?: string;
  MaxSessionDuration?: number;
}

const updateRole = defineIamOperation<UpdateRoleInput, Record<string, never>>({
  service: 'iam',
  name: 'UpdateRole',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), descriptionRule(input.Description), durationRule(input.MaxSessionDuration)]);
    const account = callerAccount(ctx);
    await getRoleOrThrow(ctx.store, account, input.RoleName);
    // Omitted members stay as they are (UpdateRole with no parameters changes nothing).
    const patch: Parameters<Store['roles']['update']>[2] = {};
    if (input.Description !== undefined) patch.description = input.Description === '' ? null : input.Description;
    if (input.MaxSessionDuration !== undefined) patch.maxSessionDuration = input.MaxSessionDuration;
    if (Object.keys(patch).length) await ctx.store.roles.update(account, input.RoleName, patch);
    return {};
  },
});

const updateRoleDescription = defineIamOperation<{ RoleName: string; Description: string }, { Role: RoleView }>({
  service: 'iam',
  name: 'UpdateRoleDescription',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), descriptionRule(input.Description, true)]);
    const account = callerAccount(ctx);
    const role = await getRoleOrThrow(ctx.store, account, input.RoleName);
    await ctx.store.roles.update(account, role.name, { description: input.Description === '' ? null : input.Description });
    const updated: RoleRecord = { ...role };
    if (input.Description === '') delete updated.description;
    else updated.description = input.Description;
    return { Role: await roleView(updated, ctx.store, 'update-description') };
  },
});

const updateAssumeRolePolicy = defineIamOperation<{ RoleName: string; PolicyDocument: string }, Record<string, never>>({
  service: 'iam',
  name: 'UpdateAssumeRolePolicy',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.document('policyDocument', input.PolicyDocument)]);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      const trust = validatePolicyDocument(input.PolicyDocument, 'trust', TRUST_POLICY_LIMIT);
      enforceTrustGuardrail(ctx, input.PolicyDocument, account, role.maxSessionDuration);
      const trustPrincipalIds = await resolveTrustPrincipals(trust, tx, account);
      await tx.roles.update(account, role.name, { assumeRolePolicyDocument: input.PolicyDocument, trustPrincipalIds });
    });
    return {};
  },
});

// ------------------------------------------------------------------------------ DeleteRole

const deleteRole = defineIamOperation<{ RoleName: string }, Record<string, never>>({
  service: 'iam',
  name: 'DeleteRole',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName)]);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html: the role must first
      // leave its instance profiles, lose its attached and inline policies (the boundary may stay).
      if ((await tx.instanceProfiles.listForRole(account, role.name)).length) {
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
      }
      if ((await tx.attachments.listForEntity(account, 'role', role.name)).length) {
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
      }
      if ((await tx.inlinePolicies.list(account, 'role', role.name)).length) {
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      }
      await tx.roles.delete(account, role.name);
    });
    return {};
  },
});

// ------------------------------------------------------------------------------ tags

const tagRole = defineIamOperation<{ RoleName: string; Tags: Tag[] }, Record<string, never>>({
  service: 'iam',
  name: 'TagRole',
  ...roleAuthorization<{ RoleName: string; Tags: Tag[] }>({ keys: (input) => requestTagKeys(input.Tags) }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName)]);
    const tags = validateTagList(input.Tags, 'insensitive', true);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      await tx.roles.update(account, role.name, { tags: mergeTagList(role.tags, tags, 'insensitive') });
    });
    return {};
  },
});

const untagRole = defineIamOperation<{ RoleName: string; TagKeys: string[] }, Record<string, never>>({
  service: 'iam',
  name: 'UntagRole',
  ...roleAuthorization<{ RoleName: string; TagKeys: string[] }>({ keys: (input): Record<string, ContextValue> => (Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys } : {}) }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName)]);
    const keys = validateTagKeys(input.TagKeys);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      await tx.roles.update(account, role.name, { tags: removeTagKeys(role.tags, keys, 'insensitive') });
    });
    return {};
  },
});

const listRoleTags = defineIamOperation<{ RoleName: string; Marker?: string; MaxItems?: number }, { Tags: Tag[]; IsTruncated: boolean; Marker?: string }>({
  service: 'iam',
  name: 'ListRoleTags',
  ...roleAuthorization(),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), ...pageRules(input)]);
    const role = await getRoleOrThrow(ctx.store, callerAccount(ctx), input.RoleName);
    const page = paginate(sortedTags(role.tags), input);
    return { Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })), ...pageFields(page) };
  },
});

// ------------------------------------------------------------------------------ permissions boundary

const putRolePermissionsBoundary = defineIamOperation<{ RoleName: string; PermissionsBoundary: string }, Record<string, never>>({
  service: 'iam',
  name: 'PutRolePermissionsBoundary',
  ...roleAuthorization<{ RoleName: string; PermissionsBoundary: string }>({
    keys: (input): Record<string, ContextValue> => (typeof input.PermissionsBoundary === 'string' ? { 'iam:PermissionsBoundary': input.PermissionsBoundary } : {}),
  }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName), rules.arn('permissionsBoundary', input.PermissionsBoundary)]);
    const account = callerAccount(ctx);
    if (!parsePolicyArn(input.PermissionsBoundary)) throw new AwsError('InvalidInput', `ARN ${input.PermissionsBoundary} is not valid.`);
    await ctx.store.transaction(async (tx) => {
      const role = await getRoleOrThrow(tx, account, input.RoleName);
      const p = await boundaryPolicy(tx, account, input.PermissionsBoundary, true);
      await tx.roles.update(account, role.name, { permissionsBoundaryArn: p.arn });
    });
    return {};
  },
});

const deleteRolePermissionsBoundary = defineIamOperation<{ RoleName: string }, Record<string, never>>({
  service: 'iam',
  name: 'DeleteRolePermissionsBoundary',
  ...roleAuthorization({ currentBoundary: true }),
  async run(input, ctx) {
    checkFields([rules.roleName(input.RoleName)]);
    const account = callerAccount(ctx);
    const role = await getRoleOrThrow(ctx.store, account, input.RoleName);
    if (role.permissionsBoundaryArn) await ctx.store.roles.update(account, role.name, { permissionsBoundaryArn: null });
    return {};
  },
});

export const roleOperations: Operation<any, any>[] = [
  createRole,
  getRole,
  listRoles,
  updateRole,
  updateRoleDescription,
  updateAssumeRolePolicy,
  deleteRole,
  tagRole,
  untagRole,
  listRoleTags,
  putRolePermissionsBoundary,
  deleteRolePermissionsBoundary,
];
