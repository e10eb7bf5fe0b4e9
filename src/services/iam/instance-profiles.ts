/**
 * EC2 instance profiles: a named container for (at most) one role.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html (and siblings)
 *
 * AddRoleToInstanceProfile also needs iam:PassRole on the role in AWS; the Operation contract
 * authorizes one action, so that second check belongs to the gateway (noted for the lead).
 */
import { iamArn } from '../../domain/arns.js';
import { AwsError, noSuchEntity } from '../../domain/aws-error.js';
import { newId } from '../../domain/ids.js';
import { StoreConflictError, type InstanceProfileRecord, type RoleRecord, type Store, type Tag } from '../../store/ports.js';
import { defineOperation, type Operation } from '../operation.js';
import { accountOf, instanceProfileShape, requireInstanceProfile, requireRole, type InstanceProfileShape } from './shared/entities.js';
import { pagedOutput, type Paged } from './shared/paged-output.js';
import type { PageInput } from './shared/pagination.js';
import { entityTagOperations } from './shared/entity-tag-operations.js';
import { instanceProfileResource, roleResource } from './shared/resource-arns.js';
import { requestTagKeys, validateTags } from './shared/tags.js';
import { checkName, checkPath } from './shared/validate.js';

export const INSTANCE_PROFILES_PER_ACCOUNT = 1000;
export const ROLES_PER_INSTANCE_PROFILE = 1;

type Empty = Record<string, never>;

function conflict(name: string): AwsError {
  return new AwsError('EntityAlreadyExists', `Instance Profile ${name} already exists.`);
}

export interface CreateInstanceProfileInput {
  InstanceProfileName: string;
  Path?: string;
  Tags?: Tag[];
}

const createInstanceProfile = defineOperation<CreateInstanceProfileInput, { InstanceProfile: InstanceProfileShape }>({
  service: 'iam',
  name: 'CreateInstanceProfile',
  resources: (i, ctx) => [instanceProfileResource(ctx, i.InstanceProfileName, i.Path ?? '/')],
  conditionKeys: (i) => requestTagKeys(i.Tags),
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const name = checkName(i.InstanceProfileName, 'instanceProfileName', 128);
    const path = checkPath(i.Path);
    const tags = validateTags(i.Tags);
    return ctx.store.transaction(async (tx) => {
      if (await tx.instanceProfiles.get(accountId, name)) throw conflict(name);
      if ((await tx.instanceProfiles.list(accountId)).length >= INSTANCE_PROFILES_PER_ACCOUNT) {
        throw new AwsError('LimitExceeded', `Cannot exceed quota for InstanceProfilesPerAccount: ${INSTANCE_PROFILES_PER_ACCOUNT}`);
      }
      const p: InstanceProfileRecord = {
        accountId,
        name,
        path,
        id: newId(ctx.random, 'AIPA'),
        arn: iamArn(accountId, 'instance-profile', path, name),
        createdAt: ctx.clock.now(),
        roleNames: [],
        tags,
      };
      try {
        await tx.instanceProfiles.create(p);
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict(name);
        throw e;
      }
      return { InstanceProfile: await instanceProfileShape(tx, p, true) };
    });
  },
});

export interface InstanceProfileNameInput {
  InstanceProfileName: string;
}

/** The profile with its role(s) in the full Role shape, and its tags. */
const getInstanceProfile = defineOperation<InstanceProfileNameInput, { InstanceProfile: InstanceProfileShape }>({
  service: 'iam',
  name: 'GetInstanceProfile',
  resources: (i, ctx) => [instanceProfileResource(ctx, i.InstanceProfileName)],
  async run(i, ctx) {
    const p = await requireInstanceProfile(ctx.store, accountOf(ctx), i.InstanceProfileName);
    return { InstanceProfile: await instanceProfileShape(ctx.store, p, true) };
  },
});

export interface ListInstanceProfilesInput extends PageInput {
  PathPrefix?: string;
}

/** Listing operations leave tags out (API reference, ListInstanceProfiles). */
const listInstanceProfiles = defineOperation<ListInstanceProfilesInput, { InstanceProfiles: InstanceProfileShape[] } & Paged>({
  service: 'iam',
  name: 'ListInstanceProfiles',
  resources: () => ['*'],
  async run(i, ctx) {
    const all = await ctx.store.instanceProfiles.list(accountOf(ctx), i.PathPrefix);
    const shapes: InstanceProfileShape[] = [];
    for (const p of all) shapes.push(await instanceProfileShape(ctx.store, p, false));
    return pagedOutput('InstanceProfiles', shapes, i);
  },
});

export interface ListInstanceProfilesForRoleInput extends PageInput {
  RoleName: string;
}

const listInstanceProfilesForRole = defineOperation<ListInstanceProfilesForRoleInput, { InstanceProfiles: InstanceProfileShape[] } & Paged>({
  service: 'iam',
  name: 'ListInstanceProfilesForRole',
  resources: (i, ctx) => [roleResource(ctx, i.RoleName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const role = await requireRole(ctx.store, accountId, i.RoleName);
    const all = await ctx.store.instanceProfiles.listForRole(accountId, role.name);
    const shapes: InstanceProfileShape[] = [];
    for (const p of all) shapes.push(await instanceProfileShape(ctx.store, p, false));
    return pagedOutput('InstanceProfiles', shapes, i);
  },
});

const deleteInstanceProfile = defineOperation<InstanceProfileNameInput, Empty>({
  service: 'iam',
  name: 'DeleteInstanceProfile',
  resources: (i, ctx) => [instanceProfileResource(ctx, i.InstanceProfileName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const p = await requireInstanceProfile(tx, accountId, i.InstanceProfileName);
      if (p.roleNames.length > 0) throw new AwsError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
      await tx.instanceProfiles.delete(accountId, p.name);
    });
    return {};
  },
});

export interface InstanceProfileRoleInput {
  InstanceProfileName: string;
  RoleName: string;
}

/** Add/RemoveRoleToInstanceProfile: `apply` to the profile and the role, both required to exist. */
function profileRoleChange(name: string, apply: (tx: Store, accountId: string, p: InstanceProfileRecord, role: RoleRecord, i: InstanceProfileRoleInput) => Promise<void>) {
  return defineOperation<InstanceProfileRoleInput, Empty>({
    service: 'iam',
    name,
    resources: (i, ctx) => [instanceProfileResource(ctx, i.InstanceProfileName)],
    async run(i, ctx) {
      const accountId = accountOf(ctx);
      await ctx.store.transaction(async (tx) => {
        const p = await requireInstanceProfile(tx, accountId, i.InstanceProfileName);
        const role = await requireRole(tx, accountId, i.RoleName);
        await apply(tx, accountId, p, role, i);
      });
      return {};
    },
  });
}

/** An instance profile holds one role; the quota cannot be raised. */
const addRoleToInstanceProfile = profileRoleChange('AddRoleToInstanceProfile', async (tx, accountId, p, role) => {
  if (p.roleNames.length >= ROLES_PER_INSTANCE_PROFILE) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_INSTANCE_PROFILE}`);
  }
  await tx.instanceProfiles.update(accountId, p.name, { roleNames: [...p.roleNames, role.name] });
});

const removeRoleFromInstanceProfile = profileRoleChange('RemoveRoleFromInstanceProfile', async (tx, accountId, p, role, i) => {
  const rest = p.roleNames.filter((n) => n.toLowerCase() !== role.name.toLowerCase());
  if (rest.length === p.roleNames.length) throw noSuchEntity('role', i.RoleName);
  await tx.instanceProfiles.update(accountId, p.name, { roleNames: rest });
});

const instanceProfileTagOperations = entityTagOperations({
  label: 'InstanceProfile',
  nameMember: 'InstanceProfileName',
  resource: instanceProfileResource,
  lookup: requireInstanceProfile,
  setTags: (store, accountId, name, tags) => store.instanceProfiles.update(accountId, name, { tags }),
});

export const instanceProfileOperations: Operation<any, any>[] = [
  createInstanceProfile,
  getInstanceProfile,
  listInstanceProfiles,
  listInstanceProfilesForRole,
  deleteInstanceProfile,
  addRoleToInstanceProfile,
  removeRoleFromInstanceProfile,
  ...instanceProfileTagOperations,
];
