/**
 * IAM groups: create/get/list/update/delete, membership, inline policies and managed-policy
 * attachments. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html (and siblings)
 */
import { iamArn } from '../../domain/arns.js';
import { AwsError, noSuchEntity } from '../../domain/aws-error.js';
import { newId } from '../../domain/ids.js';
import { StoreConflictError, type GroupRecord, type Store, type UserRecord } from '../../store/ports.js';
import { defineOperation, type Operation } from '../operation.js';
import { accountOf, groupShape, requireGroup, requireUser, userShape, type GroupShape, type UserShape } from './shared/entities.js';
import { entityPolicyOperations, principalPolicyDescriptor } from './shared/entity-policy-operations.js';
import { pagedOutput, type Paged } from './shared/paged-output.js';
import type { PageInput } from './shared/pagination.js';
import { groupResource, userResource } from './shared/resource-arns.js';
import { checkName, checkPath } from './shared/validate.js';

export const GROUPS_PER_ACCOUNT = 300;
export const GROUPS_PER_USER = 10;

type Empty = Record<string, never>;

function conflict(name: string): AwsError {
  return new AwsError('EntityAlreadyExists', `Group with name ${name} already exists.`);
}

export interface CreateGroupInput {
  GroupName: string;
  Path?: string;
}

const createGroup = defineOperation<CreateGroupInput, { Group: GroupShape }>({
  service: 'iam',
  name: 'CreateGroup',
  resources: (i, ctx) => [groupResource(ctx, i.GroupName, i.Path ?? '/')],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const name = checkName(i.GroupName, 'groupName', 128);
    const path = checkPath(i.Path);
    return ctx.store.transaction(async (tx) => {
      if (await tx.groups.get(accountId, name)) throw conflict(name);
      if ((await tx.groups.list(accountId)).length >= GROUPS_PER_ACCOUNT) throw new AwsError('LimitExceeded', `Cannot exceed quota for GroupsPerAccount: ${GROUPS_PER_ACCOUNT}`);
      const group: GroupRecord = { accountId, name, path, id: newId(ctx.random, 'AGPA'), arn: iamArn(accountId, 'group', path, name), createdAt: ctx.clock.now() };
      try {
        await tx.groups.create(group);
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(name);
        throw e;
      }
      return { Group: groupShape(group) };
    });
  },
});

export interface GetGroupInput extends PageInput {
  GroupName: string;
}

/** The group and its users (paged; users in the list form, without tags or boundary). */
const getGroup = defineOperation<GetGroupInput, { Group: GroupShape; Users: UserShape[] } & Paged>({
  service: 'iam',
  name: 'GetGroup',
  resources: (i, ctx) => [groupResource(ctx, i.GroupName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const group = await requireGroup(ctx.store, accountId, i.GroupName);
    const users: UserShape[] = [];
    for (const name of await ctx.store.groups.listUsers(accountId, group.name)) {
      const u = await ctx.store.users.get(accountId, name);
      if (u) users.push(userShape(u, false));
    }
    users.sort((a, b) => (a.UserName ?? '').toLowerCase().localeCompare((b.UserName ?? '').toLowerCase()));
    return { Group: groupShape(group), ...pagedOutput('Users', users, i) };
  },
});

export interface ListGroupsInput extends PageInput {
  PathPrefix?: string;
}

const listGroups = defineOperation<ListGroupsInput, { Groups: GroupShape[] } & Paged>({
  service: 'iam',
  name: 'ListGroups',
  resources: () => ['*'],
  async run(i, ctx) {
    const groups = await ctx.store.groups.list(accountOf(ctx), i.PathPrefix);
    return pagedOutput('Groups', groups.map(groupShape), i);
  },
});

export interface UpdateGroupInput {
  GroupName: string;
  NewPath?: string;
  NewGroupName?: string;
}

/** Renames and moves; authorized against the old and the new group ARN, as for UpdateUser. */
const updateGroup = defineOperation<UpdateGroupInput, Empty>({
  service: 'iam',
  name: 'UpdateGroup',
  resources: (i, ctx) => {
    const from = groupResource(ctx, i.GroupName);
    if (i.NewGroupName === undefined && i.NewPath === undefined) return [from];
    const to = groupResource(ctx, i.NewGroupName ?? i.GroupName, i.NewPath ?? '/');
    return to === from ? [from] : [from, to];
  },
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    if (i.NewGroupName !== undefined) checkName(i.NewGroupName, 'newGroupName', 128);
    if (i.NewPath !== undefined) checkPath(i.NewPath, 'newPath');
    await ctx.store.transaction(async (tx) => {
      const group = await requireGroup(tx, accountId, i.GroupName);
      const name = i.NewGroupName ?? group.name;
      const path = i.NewPath ?? group.path;
      if (name !== group.name) {
        const clash = await tx.groups.get(accountId, name);
        if (clash && clash.id !== group.id) throw conflict(name);
      }
      if (name === group.name && path === group.path) return;
      const inline = await tx.inlinePolicies.list(accountId, 'group', group.name);
      const attached = await tx.attachments.listForEntity(accountId, 'group', group.name);
      const members = await tx.groups.listUsers(accountId, group.name);
      try {
        await tx.groups.update(accountId, group.name, { name, path, arn: iamArn(accountId, 'group', path, name) });
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(name);
        throw e;
      }
      if (name === group.name) return;
      // The store keys relations by the group's id; re-home anything an adapter keyed by name.
      const nowInline = await tx.inlinePolicies.list(accountId, 'group', name);
      for (const p of inline) {
        if (nowInline.some((q) => q.policyName === p.policyName)) continue;
        await tx.inlinePolicies.put({ ...p, ownerName: name });
        await tx.inlinePolicies.delete(accountId, 'group', group.name, p.policyName);
      }
      const nowAttached = await tx.attachments.listForEntity(accountId, 'group', name);
      for (const a of attached) {
        if (nowAttached.some((b) => b.policyArn === a.policyArn)) continue;
        await tx.attachments.attach({ ...a, ownerName: name });
        await tx.attachments.detach(a);
      }
      const nowMembers = await tx.groups.listUsers(accountId, name);
      for (const u of members) if (!nowMembers.includes(u)) await tx.groups.addUser(accountId, name, u);
    });
    return {};
  },
});

export interface GroupNameInput {
  GroupName: string;
}

/** DeleteGroup refuses while the group has users, inline policies or attached policies. */
const deleteGroup = defineOperation<GroupNameInput, Empty>({
  service: 'iam',
  name: 'DeleteGroup',
  resources: (i, ctx) => [groupResource(ctx, i.GroupName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const group = await requireGroup(tx, accountId, i.GroupName);
      const conflictWith = (what: string): AwsError => new AwsError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
      if ((await tx.groups.listUsers(accountId, group.name)).length > 0) throw conflictWith('remove users from group');
      if ((await tx.inlinePolicies.list(accountId, 'group', group.name)).length > 0) throw conflictWith('delete policies');
      if ((await tx.attachments.listForEntity(accountId, 'group', group.name)).length > 0) throw conflictWith('detach all policies');
      await tx.groups.delete(accountId, group.name);
    });
    return {};
  },
});

// ---------------------------------------------------------------- membership

export interface GroupUserInput {
  GroupName: string;
  UserName: string;
}

/** AddUserToGroup / RemoveUserFromGroup: `apply` to the group and the user, both required to exist. */
function membershipChange(name: string, apply: (tx: Store, accountId: string, group: GroupRecord, user: UserRecord, i: GroupUserInput) => Promise<void>) {
  return defineOperation<GroupUserInput, Empty>({
    service: 'iam',
    name,
    resources: (i, ctx) => [groupResource(ctx, i.GroupName)],
    async run(i, ctx) {
      const accountId = accountOf(ctx);
      await ctx.store.transaction(async (tx) => {
        const group = await requireGroup(tx, accountId, i.GroupName);
        const user = await requireUser(tx, accountId, i.UserName);
        await apply(tx, accountId, group, user, i);
      });
      return {};
    },
  });
}

const addUserToGroup = membershipChange('AddUserToGroup', async (tx, accountId, group, user) => {
  const current = await tx.groups.listGroupsForUser(accountId, user.name);
  if (current.some((g) => g.id === group.id)) return; // already a member: IAM succeeds
  if (current.length >= GROUPS_PER_USER) throw new AwsError('LimitExceeded', `Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
  await tx.groups.addUser(accountId, group.name, user.name);
});

const removeUserFromGroup = membershipChange('RemoveUserFromGroup', async (tx, accountId, group, user, i) => {
  if (!(await tx.groups.removeUser(accountId, group.name, user.name))) throw noSuchEntity('user', i.UserName);
});

export interface ListGroupsForUserInput extends PageInput {
  UserName: string;
}

const listGroupsForUser = defineOperation<ListGroupsForUserInput, { Groups: GroupShape[] } & Paged>({
  service: 'iam',
  name: 'ListGroupsForUser',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const user = await requireUser(ctx.store, accountId, i.UserName);
    const groups = await ctx.store.groups.listGroupsForUser(accountId, user.name);
    return pagedOutput('Groups', groups.map(groupShape), i);
  },
});

// ---------------------------------------------------------------- inline policies, managed policy attachments

const groupPolicyOperations = entityPolicyOperations(principalPolicyDescriptor('group', 'Group', 'GroupName', groupResource, requireGroup));

export const groupOperations: Operation<any, any>[] = [
  createGroup,
  getGroup,
  listGroups,
  updateGroup,
  deleteGroup,
  addUserToGroup,
  removeUserFromGroup,
  listGroupsForUser,
  ...groupPolicyOperations,
];
