/**
 * Long-term access keys of IAM users and of the account root user.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html (and siblings)
 *
 * Without UserName the operations act on the caller: an IAM user's own keys, or the root user's
 * keys when root calls; temporary credentials must name a user (ValidationError, as AWS).
 */
import { iamArn, rootArn } from '../../domain/arns.js';
import { AwsError } from '../../domain/aws-error.js';
import { newId, newSecretAccessKey } from '../../domain/ids.js';
import type { AccessKeyRecord, AccessKeyStatus } from '../../store/ports.js';
import { defineOperation, withStore, type Operation, type OperationContext } from '../operation.js';
import { accountOf, callerOf, requireUser } from './shared/entities.js';
import { pagedOutput, type Paged } from './shared/paged-output.js';
import type { PageInput } from './shared/pagination.js';
import { userResource } from './shared/resource-arns.js';
import { validationError } from './shared/validate.js';

export const ACCESS_KEYS_PER_USER = 2;

type Empty = Record<string, never>;

/** Whose keys: `{ userName }` for an IAM user (canonical case), `{}` for the root user. */
interface KeyOwner {
  accountId: string;
  userName?: string;
}

async function resolveOwner(ctx: OperationContext, userName: string | undefined): Promise<KeyOwner> {
  const caller = callerOf(ctx);
  const accountId = caller.accountId;
  if (userName !== undefined) return { accountId, userName: (await requireUser(ctx.store, accountId, userName)).name };
  if (caller.kind === 'root') return { accountId };
  if (caller.kind === 'user' && caller.userName) return { accountId, userName: (await requireUser(ctx.store, accountId, caller.userName)).name };
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

function owns(owner: KeyOwner, k: AccessKeyRecord): boolean {
  if (k.accountId !== owner.accountId) return false;
  if (owner.userName === undefined) return k.userName === undefined;
  return k.userName !== undefined && k.userName.toLowerCase() === owner.userName.toLowerCase();
}

async function requireOwnedKey(ctx: OperationContext, owner: KeyOwner, accessKeyId: string): Promise<AccessKeyRecord> {
  const k = await ctx.store.accessKeys.get(accessKeyId);
  if (!k || !owns(owner, k)) throw new AwsError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
  return k;
}

export interface AccessKeyShape {
  UserName?: string;
  AccessKeyId: string;
  Status: AccessKeyStatus;
  SecretAccessKey: string;
  CreateDate: Date;
}

export interface AccessKeyMetadataShape {
  UserName?: string;
  AccessKeyId: string;
  Status: AccessKeyStatus;
  CreateDate: Date;
}

function metadata(k: AccessKeyRecord): AccessKeyMetadataShape {
  const m: AccessKeyMetadataShape = { AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt };
  if (k.userName !== undefined) return { UserName: k.userName, ...m };
  return m;
}

export interface CreateAccessKeyInput {
  UserName?: string;
}

/** New keys are Active; the secret is returned once, here, and never again. */
const createAccessKey = defineOperation<CreateAccessKeyInput, { AccessKey: AccessKeyShape }>({
  service: 'iam',
  name: 'CreateAccessKey',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    return ctx.store.transaction(async (tx) => {
      const owner = await resolveOwner(withStore(ctx, tx), i.UserName);
      const existing = await tx.accessKeys.listForUser(owner.accountId, owner.userName);
      if (existing.length >= ACCESS_KEYS_PER_USER) throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
      let accessKeyId = newId(ctx.random, 'AKIA');
      while (await tx.accessKeys.get(accessKeyId)) accessKeyId = newId(ctx.random, 'AKIA');
      const key: AccessKeyRecord = {
        accessKeyId,
        accountId: owner.accountId,
        secretAccessKey: newSecretAccessKey(ctx.random),
        status: 'Active',
        createdAt: ctx.clock.now(),
      };
      if (owner.userName !== undefined) key.userName = owner.userName;
      await tx.accessKeys.create(key);
      const out: AccessKeyShape = { AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: key.secretAccessKey, CreateDate: key.createdAt };
      return { AccessKey: owner.userName !== undefined ? { UserName: owner.userName, ...out } : out };
    });
  },
});

export interface ListAccessKeysInput extends PageInput {
  UserName?: string;
}

/** Metadata only: secrets are never listed. */
const listAccessKeys = defineOperation<ListAccessKeysInput, { AccessKeyMetadata: AccessKeyMetadataShape[] } & Paged>({
  service: 'iam',
  name: 'ListAccessKeys',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const owner = await resolveOwner(ctx, i.UserName);
    const keys = [...(await ctx.store.accessKeys.listForUser(owner.accountId, owner.userName))];
    keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.accessKeyId.localeCompare(b.accessKeyId));
    return pagedOutput('AccessKeyMetadata', keys.map(metadata), i);
  },
});

export interface UpdateAccessKeyInput {
  UserName?: string;
  AccessKeyId: string;
  Status: string;
}

const updateAccessKey = defineOperation<UpdateAccessKeyInput, Empty>({
  service: 'iam',
  name: 'UpdateAccessKey',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    // The model's enum also lists `Expired`, which only AWS itself sets.
    if (i.Status !== 'Active' && i.Status !== 'Inactive') throw validationError(String(i.Status), 'status', 'Member must satisfy enum value set: [Active, Inactive]');
    const status: AccessKeyStatus = i.Status;
    await ctx.store.transaction(async (tx) => {
      const tctx = withStore(ctx, tx);
      const owner = await resolveOwner(tctx, i.UserName);
      const key = await requireOwnedKey(tctx, owner, i.AccessKeyId);
      if (key.status !== status) await tx.accessKeys.update(key.accessKeyId, { status });
    });
    return {};
  },
});

export interface DeleteAccessKeyInput {
  UserName?: string;
  AccessKeyId: string;
}

const deleteAccessKey = defineOperation<DeleteAccessKeyInput, Empty>({
  service: 'iam',
  name: 'DeleteAccessKey',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    await ctx.store.transaction(async (tx) => {
      const tctx = withStore(ctx, tx);
      const owner = await resolveOwner(tctx, i.UserName);
      const key = await requireOwnedKey(tctx, owner, i.AccessKeyId);
      await tx.accessKeys.delete(key.accessKeyId);
    });
    return {};
  },
});

export interface GetAccessKeyLastUsedInput {
  AccessKeyId: string;
}

export interface AccessKeyLastUsedShape {
  LastUsedDate?: Date;
  ServiceName: string;
  Region: string;
}

/**
 * Last use of a key of this account. A key never used reports ServiceName and Region `N/A` and
 * no LastUsedDate (AccessKeyLastUsed type). The model lists no errors: a key that is not this
 * account's answers AccessDenied, as IAM does for a key it will not describe.
 */
const getAccessKeyLastUsed = defineOperation<GetAccessKeyLastUsedInput, { UserName?: string; AccessKeyLastUsed: AccessKeyLastUsedShape }>({
  service: 'iam',
  name: 'GetAccessKeyLastUsed',
  // Authorized on the key's owning user (root for the root user's keys), as AWS's own example
  // policy for "all actions pertaining to their own access keys" (iam:*AccessKey* on
  // user/${aws:username}) expects. A key that is not this account's has no owner to name: `*`.
  async resources(i, ctx) {
    const k = await ctx.store.accessKeys.get(i.AccessKeyId);
    if (!k || k.accountId !== accountOf(ctx)) return ['*'];
    return [k.userName === undefined ? rootArn(k.accountId) : iamArn(k.accountId, 'user', '/', k.userName)];
  },
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const k = await ctx.store.accessKeys.get(i.AccessKeyId);
    if (!k || k.accountId !== accountId) throw new AwsError('AccessDenied', `User: ${callerOf(ctx).arn} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${i.AccessKeyId}`);
    // From the audit trail's last-use table (every request the key signed).
    const used = await ctx.store.audit.lastUsed('access-key', k.accessKeyId);
    const last: AccessKeyLastUsedShape = used ? { LastUsedDate: used.date, ServiceName: used.service, Region: used.region } : { ServiceName: 'N/A', Region: 'N/A' };
    return k.userName !== undefined ? { UserName: k.userName, AccessKeyLastUsed: last } : { AccessKeyLastUsed: last };
  },
});

export const accessKeyOperations: Operation<any, any>[] = [createAccessKey, listAccessKeys, updateAccessKey, deleteAccessKey, getAccessKeyLastUsed];
