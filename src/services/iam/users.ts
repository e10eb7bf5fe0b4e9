/**
 * IAM users: create/get/list/update/delete, tags, permissions boundary, inline policies and
 * managed-policy attachments.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html (and siblings)
 */
import { iamArn, rootArn } from '../../domain/arns.js';
import { AwsError } from '../../domain/aws-error.js';
import { newId } from '../../domain/ids.js';
import { StoreConflictError, type Store, type Tag, type UserRecord } from '../../store/ports.js';
import { defineOperation, type Operation } from '../operation.js';
import { boundaryKey } from './shared/condition-keys.js';
import { accountOf, callerOf, requireUser, userShape, type UserShape } from './shared/entities.js';
import { entityPolicyOperations, principalPolicyDescriptor } from './shared/entity-policy-operations.js';
import { entityTagOperations } from './shared/entity-tag-operations.js';
import { pagedOutput, type Paged } from './shared/paged-output.js';
import type { PageInput } from './shared/pagination.js';
import { requireBoundaryPolicy } from './shared/principal-policies.js';
import { userResource } from './shared/resource-arns.js';
import { requestTagKeys, validateTags } from './shared/tags.js';
import { checkName, checkPath } from './shared/validate.js';

export const USERS_PER_ACCOUNT = 5000;

type Empty = Record<string, never>;
const page = pagedOutput;


// ---------------------------------------------------------------- CreateUser / GetUser / ListUsers

export interface CreateUserInput {
  UserName: string;
  Path?: string;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

const createUser = defineOperation<CreateUserInput, { User: UserShape }>({
  service: 'iam',
  name: 'CreateUser',
  resources: (i, ctx) => [userResource(ctx, i.UserName, i.Path ?? '/')],
  conditionKeys: (i) => ({ ...requestTagKeys(i.Tags), ...boundaryKey(i.PermissionsBoundary) }),
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const name = checkName(i.UserName, 'userName', 64);
    const path = checkPath(i.Path);
    const tags = validateTags(i.Tags);
    return ctx.store.transaction(async (tx) => {
      if (await tx.users.get(accountId, name)) throw new AwsError('EntityAlreadyExists', `User with name ${name} already exists.`);
      if (i.PermissionsBoundary !== undefined) await requireBoundaryPolicy(tx, accountId, i.PermissionsBoundary);
      if ((await tx.users.list(accountId)).length >= USERS_PER_ACCOUNT) throw new AwsError('LimitExceeded', `Cannot exceed quota for UsersPerAccount: ${USERS_PER_ACCOUNT}`);
      const user: UserRecord = { accountId, name, path, id: newId(ctx.random, 'AIDA'), arn: iamArn(accountId, 'user', path, name), createdAt: ctx.clock.now(), tags };
      if (i.PermissionsBoundary !== undefined) user.permissionsBoundaryArn = i.PermissionsBoundary;
      try {
        await tx.users.create(user);
      } catch (e) {
        if (e instanceof StoreConflictError) throw new AwsError('EntityAlreadyExists', `User with name ${name} already exists.`);
        throw e;
      }
      return { User: userShape(user, true) };
    });
  },
});

export interface GetUserInput {
  UserName?: string;
}

/** Without UserName: the calling user; for the root user, the root shape (no UserName or Path). */
const getUser = defineOperation<GetUserInput, { User: UserShape }>({
  service: 'iam',
  name: 'GetUser',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const caller = callerOf(ctx);
    if (i.UserName === undefined) {
      if (caller.kind === 'root') {
        const account = await ctx.store.accounts.get(caller.accountId);
        return { User: { UserId: caller.accountId, Arn: rootArn(caller.accountId), CreateDate: account?.createdAt ?? ctx.clock.now() } };
      }
      if (caller.kind !== 'user' || !caller.userName) throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
      return { User: userShape(await requireUser(ctx.store, caller.accountId, caller.userName), true) };
    }
    return { User: userShape(await requireUser(ctx.store, caller.accountId, i.UserName), true) };
  },
});

export interface ListUsersInput extends PageInput {
  PathPrefix?: string;
}

const listUsers = defineOperation<ListUsersInput, { Users: UserShape[] } & Paged>({
  service: 'iam',
  name: 'ListUsers',
  resources: () => ['*'],
  async run(i, ctx) {
    const users = await ctx.store.users.list(accountOf(ctx), i.PathPrefix);
    return page('Users', users.map((u) => userShape(u, false)), i);
  },
});

// ---------------------------------------------------------------- UpdateUser / DeleteUser

export interface UpdateUserInput {
  UserName: string;
  NewPath?: string;
  NewUserName?: string;
}

/**
 * Renames and moves. IAM authorizes a rename against both the old and the new user ARN. Inline
 * policies, attachments, group membership, access keys and MFA devices follow the user: the
 * store keys them by the user's unique id; `followRename` re-homes anything an adapter keyed by
 * name instead.
 */
const updateUser = defineOperation<UpdateUserInput, Empty>({
  service: 'iam',
  name: 'UpdateUser',
  resources: (i, ctx) => {
    const from = userResource(ctx, i.UserName);
    if (i.NewUserName === undefined && i.NewPath === undefined) return [from];
    const to = iamArn(accountOf(ctx), 'user', i.NewPath ?? '/', i.NewUserName ?? i.UserName);
    return to === from ? [from] : [from, to];
  },
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    if (i.NewUserName !== undefined) checkName(i.NewUserName, 'newUserName', 64);
    if (i.NewPath !== undefined) checkPath(i.NewPath, 'newPath');
    await ctx.store.transaction(async (tx) => {
      const user = await requireUser(tx, accountId, i.UserName);
      const name = i.NewUserName ?? user.name;
      const path = i.NewPath ?? user.path;
      if (name !== user.name) {
        const clash = await tx.users.get(accountId, name);
        if (clash && clash.id !== user.id) throw new AwsError('EntityAlreadyExists', `User with name ${name} already exists.`);
      }
      if (name === user.name && path === user.path) return;
      const before = await snapshotRelations(tx, accountId, user.name);
      try {
        await tx.users.update(accountId, user.name, { name, path, arn: iamArn(accountId, 'user', path, name) });
      } catch (e) {
        if (e instanceof StoreConflictError) throw new AwsError('EntityAlreadyExists', `User with name ${name} already exists.`);
        throw e;
      }
      if (name !== user.name) await followRename(tx, accountId, user.name, name, before);
    });
    return {};
  },
});

interface Relations {
  inline: Array<{ policyName: string; document: string }>;
  attached: string[];
  groups: string[];
  keys: string[];
  mfa: string[];
}

async function snapshotRelations(store: Store, accountId: string, userName: string): Promise<Relations> {
  const lower = userName.toLowerCase();
  return {
    inline: (await store.inlinePolicies.list(accountId, 'user', userName)).map((p) => ({ policyName: p.policyName, document: p.document })),
    attached: (await store.attachments.listForEntity(accountId, 'user', userName)).map((a) => a.policyArn),
    groups: (await store.groups.listGroupsForUser(accountId, userName)).map((g) => g.name),
    keys: (await store.accessKeys.listForUser(accountId, userName)).map((k) => k.accessKeyId),
    mfa: (await store.mfaDevices.list(accountId)).filter((d) => d.userName?.toLowerCase() === lower).map((d) => d.serialNumber),
  };
}

async function followRename(store: Store, accountId: string, from: string, to: string, before: Relations): Promise<void> {
  const now = await snapshotRelations(store, accountId, to);
  for (const p of before.inline) {
    if (now.inline.some((q) => q.policyName === p.policyName)) continue;
    await store.inlinePolicies.put({ accountId, ownerType: 'user', ownerName: to, ...p });
    await store.inlinePolicies.delete(accountId, 'user', from, p.policyName);
  }
  for (const arn of before.attached) {
    if (now.attached.includes(arn)) continue;
    await store.attachments.attach({ accountId, ownerType: 'user', ownerName: to, policyArn: arn });
    await store.attachments.detach({ accountId, ownerType: 'user', ownerName: from, policyArn: arn });
  }
  for (const g of before.groups) {
    if (now.groups.includes(g)) continue;
    await store.groups.addUser(accountId, g, to);
    await store.groups.removeUser(accountId, g, from);
  }
  for (const k of before.keys) if (!now.keys.includes(k)) await store.accessKeys.update(k, { userName: to });
  for (const s of before.mfa) if (!now.mfa.includes(s)) await store.mfaDevices.update(s, { userName: to });
}

export interface DeleteUserInput {
  UserName: string;
}

/**
 * DeleteUser refuses while anything hangs off the user, in the order the API reference lists
 * what to remove first (keys, MFA devices, inline policies, attached policies, groups), with
 * IAM's DeleteConflict messages.
 */
const deleteUser = defineOperation<DeleteUserInput, Empty>({
  service: 'iam',
  name: 'DeleteUser',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const user = await requireUser(tx, accountId, i.UserName);
      const rel = await snapshotRelations(tx, accountId, user.name);
      const conflict = (what: string): AwsError => new AwsError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
      if (rel.keys.length > 0) throw conflict('delete access keys');
      if (rel.mfa.length > 0) throw conflict('delete MFA device');
      if (rel.inline.length > 0) throw conflict('delete policies');
      if (rel.attached.length > 0) throw conflict('detach all policies');
      if (rel.groups.length > 0) throw conflict('remove users from group');
      await tx.users.delete(accountId, user.name);
    });
    return {};
  },
});

// ---------------------------------------------------------------- tags

const userTagOperations = entityTagOperations({
  label: 'User',
  nameMember: 'UserName',
  resource: userResource,
  lookup: requireUser,
  setTags: (store, accountId, name, tags) => store.users.update(accountId, name, { tags }),
});

// ---------------------------------------------------------------- permissions boundary

export interface PutUserPermissionsBoundaryInput {
  UserName: string;
  PermissionsBoundary: string;
}

const putUserPermissionsBoundary = defineOperation<PutUserPermissionsBoundaryInput, Empty>({
  service: 'iam',
  name: 'PutUserPermissionsBoundary',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  conditionKeys: (i) => boundaryKey(i.PermissionsBoundary),
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const user = await requireUser(tx, accountId, i.UserName);
      await requireBoundaryPolicy(tx, accountId, i.PermissionsBoundary);
      await tx.users.update(accountId, user.name, { permissionsBoundaryArn: i.PermissionsBoundary });
    });
    return {};
  },
});

export interface DeleteUserPermissionsBoundaryInput {
  UserName: string;
}

/** A user's current permissions boundary (undefined without one, or without the user). */
async function userBoundary(store: Store, accountId: string, name: unknown): Promise<string | undefined> {
  return typeof name === 'string' ? (await store.users.get(accountId, name))?.permissionsBoundaryArn : undefined;
}

const deleteUserPermissionsBoundary = defineOperation<DeleteUserPermissionsBoundaryInput, Empty>({
  service: 'iam',
  name: 'DeleteUserPermissionsBoundary',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  // iam:PermissionsBoundary is the boundary being removed (as for DeleteRolePermissionsBoundary).
  conditionKeys: async (i, ctx) => boundaryKey(await userBoundary(ctx.store, accountOf(ctx), i.UserName)),
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const user = await requireUser(tx, accountId, i.UserName);
      await tx.users.update(accountId, user.name, { permissionsBoundaryArn: null });
    });
    return {};
  },
});

// ---------------------------------------------------------------- inline policies, managed policy attachments

const userPolicyOperations = entityPolicyOperations(
  principalPolicyDescriptor('user', 'User', 'UserName', userResource, requireUser, userBoundary),
);

export const userOperations: Operation<any, any>[] = [
  createUser,
  getUser,
  listUsers,
  updateUser,
  deleteUser,
  ...userTagOperations,
  putUserPermissionsBoundary,
  deleteUserPermissionsBoundary,
  ...userPolicyOperations,
];
