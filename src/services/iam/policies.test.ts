import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allow, harness, op, rejectsWith, TRUST_EC2, type Harness } from './iam-test-harness.test.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const DOC = allow('iam:ListUsers');
const create = (PolicyName: string, extra: Record<string, unknown> = {}) => h.call('CreatePolicy', { PolicyName, PolicyDocument: DOC, ...extra });
const ARN = (name: string, path = '/') => `arn:aws:iam::123456789012:policy${path}${name}`;

describe('CreatePolicy / GetPolicy', () => {
  it('creates with path and returns the CreatePolicy subset; GetPolicy adds Description and Tags', async () => {
    const r = await create('p', { Path: '/test/path/', Description: 'testing' });
    assert.match(r.Policy.PolicyId, /^ANPA[A-Z2-7]{16}$/);
    const now = h.clock.now();
    assert.deepEqual(r.Policy, {
      PolicyName: 'p',
      PolicyId: r.Policy.PolicyId,
      Arn: ARN('p', '/test/path/'),
      Path: '/test/path/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: now,
      UpdateDate: now,
    });
    const g = await h.call('GetPolicy', { PolicyArn: ARN('p', '/test/path/') });
    assert.deepEqual(g.Policy, { ...r.Policy, Description: 'testing', Tags: [] });
    assert.deepEqual(op('CreatePolicy').resources({ PolicyName: 'p', Path: '/test/path/' }, h.ctx), [ARN('p', '/test/path/')]);
  });

  it('keeps tag keys case-sensitive and returns Tags on create when given', async () => {
    const r = await create('p', { Tags: [{ Key: 'a', Value: 'lowercase' }, { Key: 'A', Value: 'uppercase' }] });
    assert.deepEqual(r.Policy.Tags, [{ Key: 'a', Value: 'lowercase' }, { Key: 'A', Value: 'uppercase' }]);
    await rejectsWith(create('q', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }), 'InvalidInput', 'Duplicate tag keys found.');
    assert.deepEqual(op('CreatePolicy').conditionKeys?.({ PolicyName: 'q', Tags: [{ Key: 'a', Value: '1' }] }, h.ctx), { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': '1' });
  });

  it('refuses duplicates, bad documents and oversize documents', async () => {
    await create('p');
    await rejectsWith(create('P', { Path: '/other/' }), 'EntityAlreadyExists', 'A policy called P already exists. Duplicate names are not allowed.');
    await rejectsWith(create('x', { PolicyDocument: 'This is not a json document' }), 'MalformedPolicyDocument', 'This policy contains invalid Json');
    const noVersion = JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example_bucket' } });
    await rejectsWith(create('x', { PolicyDocument: noVersion }), 'MalformedPolicyDocument', 'Policy document must be version 2012-10-17 or greater.');
    const old = JSON.stringify({ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example_bucket' } });
    await rejectsWith(create('x', { PolicyDocument: old }), 'MalformedPolicyDocument', 'Policy document must be version 2012-10-17 or greater.');
    const missingResource = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:ListBucket' } });
    await rejectsWith(create('x', { PolicyDocument: missingResource }), 'MalformedPolicyDocument', 'Policy statement must contain resources.');
    const big = allow('s3:GetObject', `arn:aws:s3:::${'b'.repeat(6100)}`);
    await rejectsWith(create('x', { PolicyDocument: big }), 'LimitExceeded', 'Cannot exceed quota for PolicySize: 6144');
    await rejectsWith(create('x', { Path: 'bad' }), 'ValidationError', "1 validation error detected: Value 'bad' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
  });

  it('answers NoSuchEntity and ValidationError for unknown or malformed ARNs', async () => {
    await rejectsWith(h.call('GetPolicy', { PolicyArn: ARN('nope') }), 'NoSuchEntity', `Policy ${ARN('nope')} was not found.`);
    await rejectsWith(h.call('GetPolicy', { PolicyArn: 'longpolicynamebutnoarn' }), 'ValidationError', 'ARN longpolicynamebutnoarn is not valid.');
    await rejectsWith(h.call('GetPolicy', { PolicyArn: 'short' }), 'ValidationError', "1 validation error detected: Value 'short' at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
  });
});

describe('ListPolicies', () => {
  beforeEach(async () => {
    const now = h.clock.now();
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await h.store.policies.create(
      { accountId: 'aws', name: 'ReadOnlyAccess', path: '/', id: 'ANPAREADONLYACCESS01', arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] },
      { policyArn: arn, versionId: 'v1', document: allow('*'), isDefault: true, createdAt: now },
    );
    await create('a', { Description: 'not listed', Tags: [{ Key: 'k', Value: 'v' }] });
    await create('b', { Path: '/team/' });
    await create('c');
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: ARN('c') });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ARN('b', '/team/') });
  });

  const names = (r: { Policies: Array<{ PolicyName: string }> }) => r.Policies.map((p) => p.PolicyName);

  it('scopes to All, AWS or Local', async () => {
    assert.deepEqual(names(await h.call('ListPolicies', {})), ['a', 'b', 'c', 'ReadOnlyAccess']);
    assert.deepEqual(names(await h.call('ListPolicies', { Scope: 'AWS' })), ['ReadOnlyAccess']);
    assert.deepEqual(names(await h.call('ListPolicies', { Scope: 'Local' })), ['a', 'b', 'c']);
    await rejectsWith(h.call('ListPolicies', { Scope: 'Mine' }), 'ValidationError', "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]");
  });

  it('filters by path, attachment and usage, without Tags or Description', async () => {
    assert.deepEqual(names(await h.call('ListPolicies', { PathPrefix: '/team/' })), ['b']);
    assert.deepEqual(names(await h.call('ListPolicies', { OnlyAttached: true })), ['b', 'c']);
    assert.deepEqual(names(await h.call('ListPolicies', { OnlyAttached: true, PolicyUsageFilter: 'PermissionsPolicy' })), ['b']);
    assert.deepEqual(names(await h.call('ListPolicies', { OnlyAttached: true, PolicyUsageFilter: 'PermissionsBoundary' })), ['c']);
    const a = (await h.call('ListPolicies', { Scope: 'Local' })).Policies[0];
    assert.equal(a.Tags, undefined);
    assert.equal(a.Description, undefined);
    const b = (await h.call('ListPolicies', { PathPrefix: '/team/' })).Policies[0];
    assert.equal(b.AttachmentCount, 1);
  });

  it('pages', async () => {
    const p1 = await h.call('ListPolicies', { MaxItems: 3 });
    assert.deepEqual([names(p1), p1.IsTruncated], [['a', 'b', 'c'], true]);
    const p2 = await h.call('ListPolicies', { MaxItems: 3, Marker: p1.Marker });
    assert.deepEqual([names(p2), p2.IsTruncated], [['ReadOnlyAccess'], false]);
  });
});

describe('policy versions', () => {
  it('creates, lists newest first, gets, sets default and deletes versions', async () => {
    await create('p');
    const v2 = await h.call('CreatePolicyVersion', { PolicyArn: ARN('p'), PolicyDocument: allow('s3:ListBucket'), SetAsDefault: true });
    assert.deepEqual(v2, { PolicyVersion: { VersionId: 'v2', IsDefaultVersion: true, CreateDate: h.clock.now() } });
    h.clock.advance(1000);
    const v3 = await h.call('CreatePolicyVersion', { PolicyArn: ARN('p'), PolicyDocument: allow('ec2:DescribeInstances') });
    assert.equal(v3.PolicyVersion.IsDefaultVersion, false);
    const list = await h.call('ListPolicyVersions', { PolicyArn: ARN('p') });
    assert.deepEqual(
      list.Versions.map((v: { VersionId: string; IsDefaultVersion: boolean }) => [v.VersionId, v.IsDefaultVersion]),
      [
        ['v3', false],
        ['v2', true],
        ['v1', false],
      ],
    );
    assert.equal(list.Versions[0].Document, undefined);
    const got = await h.call('GetPolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v2' });
    assert.deepEqual(got.PolicyVersion, { Document: allow('s3:ListBucket'), VersionId: 'v2', IsDefaultVersion: true, CreateDate: v2.PolicyVersion.CreateDate });
    const policy = (await h.call('GetPolicy', { PolicyArn: ARN('p') })).Policy;
    assert.equal(policy.DefaultVersionId, 'v2');
    assert.deepEqual(policy.UpdateDate, h.clock.now()); // the most recent version's creation

    await h.call('SetDefaultPolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v1' });
    assert.equal((await h.call('GetPolicy', { PolicyArn: ARN('p') })).Policy.DefaultVersionId, 'v1');
    await rejectsWith(h.call('DeletePolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v1' }), 'DeleteConflict', 'Cannot delete the default version of a policy.');
    await h.call('DeletePolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v3' });
    assert.equal((await h.call('ListPolicyVersions', { PolicyArn: ARN('p') })).Versions.length, 2);
  });

  it('holds at most 5 versions and never reuses a version id', async () => {
    await create('p');
    for (let i = 2; i <= 5; i++) await h.call('CreatePolicyVersion', { PolicyArn: ARN('p'), PolicyDocument: DOC });
    await rejectsWith(
      h.call('CreatePolicyVersion', { PolicyArn: ARN('p'), PolicyDocument: DOC }),
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
    await h.call('DeletePolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v5' });
    const next = await h.call('CreatePolicyVersion', { PolicyArn: ARN('p'), PolicyDocument: DOC });
    assert.equal(next.PolicyVersion.VersionId, 'v6');
  });

  it('answers IAM errors for unknown policies and versions', async () => {
    await create('p');
    const missing = 'arn:aws:iam::123456789012:policy/TestNonExistingPolicy';
    await rejectsWith(h.call('GetPolicyVersion', { PolicyArn: missing, VersionId: 'v1' }), 'NoSuchEntity', `Policy ${missing} version v1 does not exist or is not attachable.`);
    await rejectsWith(h.call('GetPolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v9' }), 'NoSuchEntity', `Policy ${ARN('p')} version v9 does not exist or is not attachable.`);
    await rejectsWith(h.call('DeletePolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v9' }), 'NoSuchEntity', `Policy ${ARN('p')} version v9 does not exist or is not attachable.`);
    await rejectsWith(h.call('SetDefaultPolicyVersion', { PolicyArn: missing, VersionId: 'v1' }), 'NoSuchEntity', `Policy ${missing} version v1 does not exist or is not attachable.`);
    await rejectsWith(h.call('SetDefaultPolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v4' }), 'NoSuchEntity', `Policy ${ARN('p')} version v4 does not exist or is not attachable.`);
    await rejectsWith(
      h.call('SetDefaultPolicyVersion', { PolicyArn: ARN('p'), VersionId: 'wrong_version_id' }),
      'ValidationError',
      "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
    );
    await rejectsWith(h.call('CreatePolicyVersion', { PolicyArn: missing, PolicyDocument: DOC }), 'NoSuchEntity', `Policy ${missing} was not found.`);
    await rejectsWith(h.call('ListPolicyVersions', { PolicyArn: missing }), 'NoSuchEntity', `Policy ${missing} was not found.`);
  });
});

describe('DeletePolicy', () => {
  it('refuses while attached, used as a boundary, or with non-default versions', async () => {
    await create('p');
    await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ARN('p') });
    await rejectsWith(h.call('DeletePolicy', { PolicyArn: ARN('p') }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
    await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: ARN('p') });
    await h.call('PutRolePermissionsBoundary', { RoleName: 'r', PermissionsBoundary: ARN('p') });
    await rejectsWith(h.call('DeletePolicy', { PolicyArn: ARN('p') }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
    await h.call('DeleteRolePermissionsBoundary', { RoleName: 'r' });
    await h.call('CreatePolicyVersion', { PolicyArn: ARN('p'), PolicyDocument: DOC });
    await rejectsWith(
      h.call('DeletePolicy', { PolicyArn: ARN('p') }),
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    await h.call('DeletePolicyVersion', { PolicyArn: ARN('p'), VersionId: 'v2' });
    assert.deepEqual(await h.call('DeletePolicy', { PolicyArn: ARN('p') }), {});
    await rejectsWith(h.call('GetPolicy', { PolicyArn: ARN('p') }), 'NoSuchEntity', `Policy ${ARN('p')} was not found.`);
    await rejectsWith(h.call('DeletePolicy', { PolicyArn: ARN('p') }), 'NoSuchEntity', `Policy ${ARN('p')} was not found.`);
  });
});

describe('ListEntitiesForPolicy', () => {
  it('lists users, groups and roles using the policy, with filters', async () => {
    await create('p');
    assert.deepEqual(await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p') }), { PolicyGroups: [], PolicyUsers: [], PolicyRoles: [], IsTruncated: false });
    const user = await h.createUser('alice');
    await h.store.attachments.attach({ accountId: '123456789012', ownerType: 'user', ownerName: 'alice', policyArn: ARN('p') });
    await h.store.groups.create({ accountId: '123456789012', name: 'devs', path: '/', id: 'AGPAEXAMPLEEXAMPLE01', arn: 'arn:aws:iam::123456789012:group/devs', createdAt: h.clock.now() });
    await h.store.attachments.attach({ accountId: '123456789012', ownerType: 'group', ownerName: 'devs', policyArn: ARN('p') });
    const role = (await h.call('CreateRole', { RoleName: 'r', Path: '/svc/', AssumeRolePolicyDocument: TRUST_EC2 })).Role;
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ARN('p') });
    const bounded = (await h.call('CreateRole', { RoleName: 'b', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: ARN('p') })).Role;

    const all = await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p') });
    assert.deepEqual(all, {
      PolicyGroups: [{ GroupName: 'devs', GroupId: 'AGPAEXAMPLEEXAMPLE01' }],
      PolicyUsers: [{ UserName: 'alice', UserId: user.id }],
      PolicyRoles: [
        { RoleName: 'b', RoleId: bounded.RoleId },
        { RoleName: 'r', RoleId: role.RoleId },
      ],
      IsTruncated: false,
    });
    assert.deepEqual((await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p'), EntityFilter: 'Role', PolicyUsageFilter: 'PermissionsPolicy' })).PolicyRoles, [{ RoleName: 'r', RoleId: role.RoleId }]);
    assert.deepEqual((await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p'), PolicyUsageFilter: 'PermissionsBoundary' })).PolicyRoles, [{ RoleName: 'b', RoleId: bounded.RoleId }]);
    assert.deepEqual((await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p'), PathPrefix: '/svc/' })).PolicyRoles, [{ RoleName: 'r', RoleId: role.RoleId }]);
    const local = await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p'), EntityFilter: 'LocalManagedPolicy' });
    assert.deepEqual([local.PolicyGroups, local.PolicyUsers, local.PolicyRoles], [[], [], []]);
    const page = await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p'), MaxItems: 2 });
    assert.equal(page.IsTruncated, true);
    assert.deepEqual(page.PolicyRoles, []);
    assert.equal((await h.call('ListEntitiesForPolicy', { PolicyArn: ARN('p'), Marker: page.Marker })).PolicyRoles.length, 2);
    await rejectsWith(h.call('ListEntitiesForPolicy', { PolicyArn: ARN('NonExistentPolicy') }), 'NoSuchEntity', `Policy ${ARN('NonExistentPolicy')} does not exist or is not attachable.`);
  });
});

describe('policy tags', () => {
  it('tags, updates, untags case-sensitively and pages', async () => {
    await create('p');
    await h.call('TagPolicy', { PolicyArn: ARN('p'), Tags: [{ Key: 'somekey', Value: 'somevalue' }, { Key: 'someotherkey', Value: 'someothervalue' }] });
    const page1 = await h.call('ListPolicyTags', { PolicyArn: ARN('p'), MaxItems: 1 });
    assert.deepEqual(page1.Tags, [{ Key: 'somekey', Value: 'somevalue' }]);
    assert.equal(page1.IsTruncated, true);
    assert.deepEqual((await h.call('ListPolicyTags', { PolicyArn: ARN('p'), Marker: page1.Marker })).Tags, [{ Key: 'someotherkey', Value: 'someothervalue' }]);
    await h.call('TagPolicy', { PolicyArn: ARN('p'), Tags: [{ Key: 'somekey', Value: '' }, { Key: 'SOMEKEY', Value: 'upper' }] });
    // Sorted by tag key (API_ListPolicyTags.html), code unit order: upper case first.
    assert.deepEqual((await h.call('ListPolicyTags', { PolicyArn: ARN('p') })).Tags, [
      { Key: 'SOMEKEY', Value: 'upper' },
      { Key: 'somekey', Value: '' },
      { Key: 'someotherkey', Value: 'someothervalue' },
    ]);
    await h.call('UntagPolicy', { PolicyArn: ARN('p'), TagKeys: ['somekey'] });
    assert.deepEqual((await h.call('GetPolicy', { PolicyArn: ARN('p') })).Policy.Tags, [
      { Key: 'someotherkey', Value: 'someothervalue' },
      { Key: 'SOMEKEY', Value: 'upper' },
    ]);
  });

  it('answers IAM errors', async () => {
    const missing = 'arn:aws:iam::123456789012:policy/NotAPolicy';
    await rejectsWith(h.call('TagPolicy', { PolicyArn: missing, Tags: [{ Key: 'a', Value: 'b' }] }), 'NoSuchEntity', `Policy ${missing} was not found.`);
    await rejectsWith(h.call('UntagPolicy', { PolicyArn: missing, TagKeys: ['a'] }), 'NoSuchEntity', `Policy ${missing} was not found.`);
    await rejectsWith(h.call('ListPolicyTags', { PolicyArn: missing }), 'NoSuchEntity', `Policy ${missing} was not found.`);
    await create('p');
    await rejectsWith(h.call('TagPolicy', { PolicyArn: ARN('p'), Tags: [{ Key: 'a', Value: 'b' }, { Key: 'a', Value: 'c' }] }), 'InvalidInput', 'Duplicate tag keys found.');
    await rejectsWith(
      h.call('TagPolicy', { PolicyArn: ARN('p'), Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })) }),
      'ValidationError',
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  });

  it('gives the authorizer the policy ARN and its tags', async () => {
    await create('p', { Tags: [{ Key: 'env', Value: 'prod' }] });
    assert.deepEqual(op('GetPolicy').resources({ PolicyArn: ARN('p') }, h.ctx), [ARN('p')]);
    assert.deepEqual(await op('GetPolicy').resolveAuthorization?.({ PolicyArn: ARN('p') }, h.ctx), {
      resources: [ARN('p')],
      conditionKeys: { 'aws:ResourceTag/env': 'prod', 'iam:ResourceTag/env': 'prod' },
    });
  });
});

describe('AWS managed policies', () => {
  it('can be read but not changed', async () => {
    const now = h.clock.now();
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await h.store.policies.create(
      { accountId: 'aws', name: 'ReadOnlyAccess', path: '/', id: 'ANPAREADONLYACCESS01', arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] },
      { policyArn: arn, versionId: 'v1', document: allow('*'), isDefault: true, createdAt: now },
    );
    assert.equal((await h.call('GetPolicy', { PolicyArn: arn })).Policy.PolicyName, 'ReadOnlyAccess');
    assert.equal((await h.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v1' })).PolicyVersion.Document, allow('*'));
    await rejectsWith(h.call('DeletePolicy', { PolicyArn: arn }), 'AccessDenied', /AWS managed policy/);
    await rejectsWith(h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: DOC }), 'AccessDenied', /AWS managed policy/);
    await rejectsWith(h.call('TagPolicy', { PolicyArn: arn, Tags: [{ Key: 'a', Value: 'b' }] }), 'AccessDenied', /AWS managed policy/);
  });
});
