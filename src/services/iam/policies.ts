/**
 * Customer managed policies and their versions: CreatePolicy, GetPolicy, ListPolicies,
 * DeletePolicy, CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
 * SetDefaultPolicyVersion, ListEntitiesForPolicy, TagPolicy, UntagPolicy, ListPolicyTags.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (and siblings)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 *
 * Behaviour recorded against AWS (2026) that the reference pages leave out:
 * - a managed policy document must say `"Version": "2012-10-17"` ("Policy document must be
 *   version 2012-10-17 or greater."); 6,144 non-whitespace characters at most;
 * - CreatePolicy returns no Description (GetPolicy does), and Tags only when given; GetPolicy
 *   always returns Tags (possibly empty); ListPolicies returns neither;
 * - version ids are never reused (after v1..v5, deleting one and creating gives v6);
 *   ListPolicyVersions lists the newest first; CreatePolicyVersion returns no Document;
 * - managed-policy tag keys are case-sensitive (`a` and `A` may coexist).
 */
import { AwsError } from '../../domain/aws-error.js';
import { iamArn } from '../../domain/arns.js';
import { newId } from '../../domain/ids.js';
import type { ContextValue } from '../../policy/index.js';
import { StoreConflictError, type ManagedPolicyRecord, type PolicyVersionRecord, type Store, type Tag } from '../../store/ports.js';
import type { Operation } from '../operation.js';
import {
  checkPolicyArn,
  entitiesUsing,
  policyAuthorization,
  policyOrThrow,
  policyView,
  usageOf,
  versionNotFound,
  versionNumber,
  type PolicyArnInput,
  type PolicyView,
  type Usage,
} from './shared/managed-policies.js';
import { assertCustomerManaged, callerAccount, defineIamOperation, findVisiblePolicy, policyNotAttachable } from './shared/operation-kit.js';
import { pageFields, paginate } from './shared/pagination.js';
import { validatePolicyDocument } from './shared/policy-document.js';
import { mergeTagList, removeTagKeys, validateTagKeys, validateTagList } from './shared/tag-input.js';
import { requestTagKeys, sortedTags } from './shared/tags.js';
import { checkFields, pageRules, PATTERNS, rules } from './shared/validation.js';

export const MANAGED_POLICY_LIMIT = { max: 6144, quota: 'PolicySize' } as const;
export const MAX_POLICY_VERSIONS = 5;
export const POLICIES_PER_ACCOUNT = 1500;

/** Parses a managed policy document with IAM's rules, or throws its error. */
export function validateManagedPolicyDocument(doc: string): void {
  const policy = validatePolicyDocument(doc, 'identity', MANAGED_POLICY_LIMIT);
  if (policy.Version !== '2012-10-17') throw new AwsError('MalformedPolicyDocument', 'Policy document must be version 2012-10-17 or greater.');
}

// ------------------------------------------------------------------------------ CreatePolicy

export interface CreatePolicyInput {
  PolicyName: string;
  Path?: string;
  PolicyDocument: string;
  Description?: string;
  Tags?: Tag[];
}

const createPolicy = defineIamOperation<CreatePolicyInput, { Policy: PolicyView }>({
  service: 'iam',
  name: 'CreatePolicy',
  resources: (input, ctx) => [iamArn(ctx.caller?.accountId ?? '', 'policy', input.Path ?? '/', input.PolicyName)],
  conditionKeys: (input) => requestTagKeys(input.Tags),
  async run(input, ctx) {
    const account = callerAccount(ctx);
    checkFields([
      rules.policyName(input.PolicyName),
      rules.policyPath(input.Path),
      rules.document('policyDocument', input.PolicyDocument),
      { name: 'description', value: input.Description, maxLength: 1000 },
    ]);
    const tags = validateTagList(input.Tags, 'sensitive');
    validateManagedPolicyDocument(input.PolicyDocument);
    const path = input.Path ?? '/';
    const exists = () => new AwsError('EntityAlreadyExists', `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
    return ctx.store.transaction(async (tx) => {
      const local = await tx.policies.list(account);
      if (local.some((p) => p.name.toLowerCase() === input.PolicyName.toLowerCase())) throw exists();
      if (local.length >= POLICIES_PER_ACCOUNT) throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPerAccount: ${POLICIES_PER_ACCOUNT}`);
      const now = ctx.clock.now();
      const policy: ManagedPolicyRecord = {
        accountId: account,
        name: input.PolicyName,
        path,
        id: newId(ctx.random, 'ANPA'),
        arn: iamArn(account, 'policy', path, input.PolicyName),
        createdAt: now,
        updatedAt: now,
        defaultVersionId: 'v1',
        tags,
      };
      if (input.Description) policy.description = input.Description;
      try {
        await tx.policies.create(policy, { policyArn: policy.arn, versionId: 'v1', document: input.PolicyDocument, isDefault: true, createdAt: now });
      } catch (e) {
        if (e instanceof StoreConflictError) throw exists();
        throw e;
      }
      return { Policy: policyView(policy, { attachments: 0, boundaries: 0 }, 'create') };
    });
  },
});

// ------------------------------------------------------------------------------ GetPolicy / ListPolicies

const getPolicy = defineIamOperation<PolicyArnInput, { Policy: PolicyView }>({
  service: 'iam',
  name: 'GetPolicy',
  ...policyAuthorization(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    const account = callerAccount(ctx);
    const p = await policyOrThrow(ctx.store, account, input.PolicyArn);
    return { Policy: policyView(p, await usageOf(ctx.store, account, p.arn), 'get') };
  },
});

export interface ListPoliciesInput {
  Scope?: 'All' | 'AWS' | 'Local';
  OnlyAttached?: boolean;
  PathPrefix?: string;
  PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
  Marker?: string;
  MaxItems?: number;
}

const listPolicies = defineIamOperation<ListPoliciesInput, { Policies: PolicyView[]; IsTruncated: boolean; Marker?: string }>({
  service: 'iam',
  name: 'ListPolicies',
  resources: () => ['*'],
  async run(input, ctx) {
    checkFields([
      { name: 'scope', value: input.Scope, enumValues: ['All', 'AWS', 'Local'] },
      { name: 'pathPrefix', value: input.PathPrefix, minLength: 1, maxLength: 512, pattern: PATTERNS.policyPath },
      { name: 'policyUsageFilter', value: input.PolicyUsageFilter, enumValues: ['PermissionsPolicy', 'PermissionsBoundary'] },
      ...pageRules(input),
    ]);
    const account = callerAccount(ctx);
    const scope = input.Scope ?? 'All';
    let all = await ctx.store.policies.list(account, { ...(input.PathPrefix ? { pathPrefix: input.PathPrefix } : {}), includeAws: scope !== 'Local' });
    if (scope === 'AWS') all = all.filter((p) => p.accountId === 'aws');
    let withUsage: Array<{ p: ManagedPolicyRecord; u?: Usage }> = all.map((p) => ({ p }));
    if (input.OnlyAttached) {
      // "Only the policies attached to a user, group or role", as a permissions policy or (with
      // PolicyUsageFilter) as a permissions boundary.
      withUsage = await Promise.all(all.map(async (p) => ({ p, u: await usageOf(ctx.store, account, p.arn) })));
      withUsage = withUsage.filter(({ u }) => {
        const asPolicy = (u?.attachments ?? 0) > 0;
        const asBoundary = (u?.boundaries ?? 0) > 0;
        if (input.PolicyUsageFilter === 'PermissionsPolicy') return asPolicy;
        if (input.PolicyUsageFilter === 'PermissionsBoundary') return asBoundary;
        return asPolicy || asBoundary;
      });
    }
    const page = paginate(withUsage, input);
    const Policies = await Promise.all(page.items.map(async ({ p, u }) => policyView(p, u ?? (await usageOf(ctx.store, account, p.arn)), 'list')));
    return { Policies, ...pageFields(page) };
  },
});

// ------------------------------------------------------------------------------ DeletePolicy

const deletePolicy = defineIamOperation<PolicyArnInput, Record<string, never>>({
  service: 'iam',
  name: 'DeletePolicy',
  ...policyAuthorization(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const p = await policyOrThrow(tx, account, input.PolicyArn);
      assertCustomerManaged(p, 'DeletePolicy');
      const usage = await usageOf(tx, account, p.arn);
      if (usage.attachments > 0 || usage.boundaries > 0) throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.');
      if ((await tx.policies.listVersions(p.arn)).length > 1) {
        throw new AwsError('DeleteConflict', "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
      }
      await tx.policies.delete(p.arn);
    });
    return {};
  },
});

// ------------------------------------------------------------------------------ versions

export interface PolicyVersionView {
  Document?: string;
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate: Date;
}

function versionView(v: PolicyVersionRecord, withDocument: boolean): PolicyVersionView {
  const out: PolicyVersionView = { VersionId: v.versionId, IsDefaultVersion: v.isDefault, CreateDate: v.createdAt };
  return withDocument ? { Document: v.document, ...out } : out;
}

/** Settings key of a policy's version counter (ids are never reused, even after deletions). */
const counterKey = (p: ManagedPolicyRecord) => `iam:policy-version-counter:${p.id}`;

const createPolicyVersion = defineIamOperation<PolicyArnInput & { PolicyDocument: string; SetAsDefault?: boolean }, { PolicyVersion: PolicyVersionView }>({
  service: 'iam',
  name: 'CreatePolicyVersion',
  ...policyAuthorization(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    checkFields([rules.document('policyDocument', input.PolicyDocument)]);
    const account = callerAccount(ctx);
    return ctx.store.transaction(async (tx) => {
      const p = await policyOrThrow(tx, account, input.PolicyArn);
      assertCustomerManaged(p, 'CreatePolicyVersion');
      validateManagedPolicyDocument(input.PolicyDocument);
      const versions = await tx.policies.listVersions(p.arn);
      if (versions.length >= MAX_POLICY_VERSIONS) {
        throw new AwsError('LimitExceeded', 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
      }
      const counted = Number((await tx.settings.get(counterKey(p))) ?? 0);
      const n = Math.max(counted, ...versions.map((v) => versionNumber(v.versionId))) + 1;
      await tx.settings.put(counterKey(p), String(n));
      const now = ctx.clock.now();
      const v: PolicyVersionRecord = { policyArn: p.arn, versionId: `v${n}`, document: input.PolicyDocument, isDefault: input.SetAsDefault === true, createdAt: now };
      await tx.policies.addVersion(v);
      // UpdateDate: "when the most recent policy version was created" (Policy data type).
      if (!v.isDefault) await tx.policies.update(p.arn, { updatedAt: now });
      return { PolicyVersion: versionView(v, false) };
    });
  },
});

type VersionInput = PolicyArnInput & { VersionId: string };

const getPolicyVersion = defineIamOperation<VersionInput, { PolicyVersion: PolicyVersionView }>({
  service: 'iam',
  name: 'GetPolicyVersion',
  ...policyAuthorization<VersionInput>(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    checkFields([rules.versionId(input.VersionId)]);
    const account = callerAccount(ctx);
    const p = await findVisiblePolicy(ctx.store, account, input.PolicyArn);
    const v = p && (await ctx.store.policies.getVersion(p.arn, input.VersionId));
    if (!v) throw versionNotFound(input.PolicyArn, input.VersionId);
    return { PolicyVersion: versionView(v, true) };
  },
});

const listPolicyVersions = defineIamOperation<PolicyArnInput & { Marker?: string; MaxItems?: number }, { Versions: PolicyVersionView[]; IsTruncated: boolean; Marker?: string }>({
  service: 'iam',
  name: 'ListPolicyVersions',
  ...policyAuthorization(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    checkFields(pageRules(input));
    const p = await policyOrThrow(ctx.store, callerAccount(ctx), input.PolicyArn);
    const all = (await ctx.store.policies.listVersions(p.arn)).sort((a, b) => versionNumber(b.versionId) - versionNumber(a.versionId));
    const page = paginate(all, input);
    return { Versions: page.items.map((v) => versionView(v, false)), ...pageFields(page) };
  },
});

/** DeletePolicyVersion / SetDefaultPolicyVersion: `apply` to a version of a customer managed policy the caller sees. */
function policyVersionChange(name: string, apply: (tx: Store, p: ManagedPolicyRecord, v: PolicyVersionRecord) => Promise<unknown>) {
  return defineIamOperation<VersionInput, Record<string, never>>({
    service: 'iam',
    name,
    ...policyAuthorization<VersionInput>(),
    async run(input, ctx) {
      checkPolicyArn(input.PolicyArn);
      checkFields([rules.versionId(input.VersionId)]);
      const account = callerAccount(ctx);
      await ctx.store.transaction(async (tx) => {
        const p = await findVisiblePolicy(tx, account, input.PolicyArn);
        const v = p && (await tx.policies.getVersion(p.arn, input.VersionId));
        if (!p || !v) throw versionNotFound(input.PolicyArn, input.VersionId);
        assertCustomerManaged(p, name);
        await apply(tx, p, v);
      });
      return {};
    },
  });
}

const deletePolicyVersion = policyVersionChange('DeletePolicyVersion', async (tx, p, v) => {
  if (v.isDefault) throw new AwsError('DeleteConflict', 'Cannot delete the default version of a policy.');
  await tx.policies.deleteVersion(p.arn, v.versionId);
});

const setDefaultPolicyVersion = policyVersionChange('SetDefaultPolicyVersion', (tx, p, v) => tx.policies.setDefaultVersion(p.arn, v.versionId, p.updatedAt));

// ------------------------------------------------------------------------------ ListEntitiesForPolicy

export interface ListEntitiesForPolicyInput {
  PolicyArn: string;
  EntityFilter?: 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy';
  PathPrefix?: string;
  PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
  Marker?: string;
  MaxItems?: number;
}

const listEntitiesForPolicy = defineIamOperation<
  ListEntitiesForPolicyInput,
  {
    PolicyGroups: Array<{ GroupName: string; GroupId: string }>;
    PolicyUsers: Array<{ UserName: string; UserId: string }>;
    PolicyRoles: Array<{ RoleName: string; RoleId: string }>;
    IsTruncated: boolean;
    Marker?: string;
  }
>({
  service: 'iam',
  name: 'ListEntitiesForPolicy',
  ...policyAuthorization<ListEntitiesForPolicyInput>(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    checkFields([
      { name: 'entityFilter', value: input.EntityFilter, enumValues: ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] },
      { name: 'pathPrefix', value: input.PathPrefix, minLength: 1, maxLength: 512, pattern: PATTERNS.path },
      { name: 'policyUsageFilter', value: input.PolicyUsageFilter, enumValues: ['PermissionsPolicy', 'PermissionsBoundary'] },
      ...pageRules(input),
    ]);
    const account = callerAccount(ctx);
    const p = await policyOrThrow(ctx.store, account, input.PolicyArn, policyNotAttachable);
    let all = await entitiesUsing(ctx.store, account, p.arn, input.PolicyUsageFilter);
    const filter = input.EntityFilter;
    // The managed-policy filters select no user, group or role (recorded against AWS).
    if (filter) all = all.filter((e) => e.kind === filter);
    if (input.PathPrefix) all = all.filter((e) => e.path.startsWith(input.PathPrefix as string));
    const page = paginate(all, input);
    return {
      PolicyGroups: page.items.filter((e) => e.kind === 'Group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
      PolicyUsers: page.items.filter((e) => e.kind === 'User').map((e) => ({ UserName: e.name, UserId: e.id })),
      PolicyRoles: page.items.filter((e) => e.kind === 'Role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },
});

// ------------------------------------------------------------------------------ tags

const tagPolicy = defineIamOperation<PolicyArnInput & { Tags: Tag[] }, Record<string, never>>({
  service: 'iam',
  name: 'TagPolicy',
  ...policyAuthorization<PolicyArnInput & { Tags: Tag[] }>((input) => requestTagKeys(input.Tags)),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    const tags = validateTagList(input.Tags, 'sensitive', true);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const p = await policyOrThrow(tx, account, input.PolicyArn);
      assertCustomerManaged(p, 'TagPolicy');
      await tx.policies.update(p.arn, { tags: mergeTagList(p.tags, tags, 'sensitive') });
    });
    return {};
  },
});

const untagPolicy = defineIamOperation<PolicyArnInput & { TagKeys: string[] }, Record<string, never>>({
  service: 'iam',
  name: 'UntagPolicy',
  ...policyAuthorization<PolicyArnInput & { TagKeys: string[] }>((input): Record<string, ContextValue> => (Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys } : {})),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    const keys = validateTagKeys(input.TagKeys);
    const account = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const p = await policyOrThrow(tx, account, input.PolicyArn);
      assertCustomerManaged(p, 'UntagPolicy');
      await tx.policies.update(p.arn, { tags: removeTagKeys(p.tags, keys, 'sensitive') });
    });
    return {};
  },
});

const listPolicyTags = defineIamOperation<PolicyArnInput & { Marker?: string; MaxItems?: number }, { Tags: Tag[]; IsTruncated: boolean; Marker?: string }>({
  service: 'iam',
  name: 'ListPolicyTags',
  ...policyAuthorization(),
  async run(input, ctx) {
    checkPolicyArn(input.PolicyArn);
    checkFields(pageRules(input));
    const p = await policyOrThrow(ctx.store, callerAccount(ctx), input.PolicyArn);
    const page = paginate(sortedTags(p.tags), input);
    return { Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })), ...pageFields(page) };
  },
});

export const policyOperations: Operation<any, any>[] = [
  createPolicy,
  getPolicy,
  listPolicies,
  deletePolicy,
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  deletePolicyVersion,
  setDefaultPolicyVersion,
  listEntitiesForPolicy,
  tagPolicy,
  untagPolicy,
  listPolicyTags,
];
