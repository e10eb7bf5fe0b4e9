/**
 * Customer managed policies (versions, tags, usage), the simulator and the account-wide reads,
 * through the AWS SDK for JavaScript v3 against a real server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOW_ALL, decodeDoc, doc, expectError, iamClient, startTestServer, TRUST_EC2, type Client, type TestServer } from './support/server.js';

let server: TestServer;
let iam: Client;
let acct: string;

before(async () => {
  server = await startTestServer();
  iam = await iamClient(server.url, server.root);
  acct = server.accountId;
});

after(async () => {
  await server?.close();
});

const policyArn = (name: string, path = '/') => `arn:aws:iam::${acct}:policy${path}${name}`;
const S3_READ = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }]);

describe('CreatePolicy / GetPolicy', () => {
  it('creates a policy and returns what IAM returns', async () => {
    const out = await iam.call('CreatePolicy', { PolicyName: 'read-reports', Path: '/team/', PolicyDocument: S3_READ, Description: 'Reads reports' });
    const p = out.Policy;
    assert.equal(p.PolicyName, 'read-reports');
    assert.equal(p.Arn, policyArn('read-reports', '/team/'));
    assert.equal(p.Path, '/team/');
    assert.match(p.PolicyId, /^ANPA[A-Z2-7]{16}$/);
    assert.equal(p.DefaultVersionId, 'v1');
    assert.equal(p.AttachmentCount, 0);
    assert.equal(p.PermissionsBoundaryUsageCount, 0);
    assert.equal(p.IsAttachable, true);
    assert.equal(p.Description, undefined, 'CreatePolicy returns no Description');
    assert.ok(p.CreateDate instanceof Date && p.UpdateDate instanceof Date);

    const got = (await iam.call('GetPolicy', { PolicyArn: p.Arn })).Policy;
    assert.equal(got.Description, 'Reads reports');
    assert.deepEqual(got.Tags ?? [], []);
    assert.equal(got.PolicyId, p.PolicyId);
  });

  it('answers AWS errors', async () => {
    await expectError(iam.call('CreatePolicy', { PolicyName: 'read-reports', PolicyDocument: S3_READ }), {
      name: 'EntityAlreadyExistsException',
      status: 409,
      message: 'A policy called read-reports already exists. Duplicate names are not allowed.',
    });
    await expectError(iam.call('CreatePolicy', { PolicyName: 'old-version', PolicyDocument: JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: 'Policy document must be version 2012-10-17 or greater.',
    });
    await expectError(iam.call('CreatePolicy', { PolicyName: 'not-json', PolicyDocument: 'nope' }), { name: 'MalformedPolicyDocumentException', status: 400, message: 'This policy contains invalid Json' });
    await expectError(iam.call('CreatePolicy', { PolicyName: 'no-resource', PolicyDocument: doc([{ Effect: 'Allow', Action: 's3:GetObject' }]) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: 'Policy statement must contain resources.',
    });
    await expectError(iam.call('CreatePolicy', { PolicyName: 'bad name!', PolicyDocument: S3_READ }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'bad name!' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    const missing = policyArn('nope');
    await expectError(iam.call('GetPolicy', { PolicyArn: missing }), { name: 'NoSuchEntityException', status: 404, message: `Policy ${missing} was not found.` });
  });

  it('refuses a document over 6,144 characters (LimitExceeded, 409)', async () => {
    const big = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 250 }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(4, '0')}/*`) }]);
    assert.ok(big.length > 6144);
    await expectError(iam.call('CreatePolicy', { PolicyName: 'too-big', PolicyDocument: big }), { name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for PolicySize: 6144' });
  });
});

describe('policy versions', () => {
  it('creates, lists, gets (URL-encoded), sets default and deletes versions', async () => {
    const arn = (await iam.call('CreatePolicy', { PolicyName: 'versioned', PolicyDocument: S3_READ })).Policy.Arn;
    const v2doc = doc([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*', 'a b+c&d'] } } }]);
    const v2 = (await iam.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: v2doc, SetAsDefault: true })).PolicyVersion;
    assert.equal(v2.VersionId, 'v2');
    assert.equal(v2.IsDefaultVersion, true);
    assert.ok(v2.CreateDate instanceof Date);
    assert.equal((await iam.call('GetPolicy', { PolicyArn: arn })).Policy.DefaultVersionId, 'v2');

    const got = (await iam.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v2' })).PolicyVersion;
    assert.match(got.Document, /^%7B/);
    assert.deepEqual(decodeDoc(got.Document), JSON.parse(v2doc));
    assert.equal(got.IsDefaultVersion, true);
    const v1 = (await iam.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v1' })).PolicyVersion;
    assert.deepEqual(decodeDoc(v1.Document), JSON.parse(S3_READ));
    assert.equal(v1.IsDefaultVersion, false);

    await iam.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: ALLOW_ALL });
    const list = (await iam.call('ListPolicyVersions', { PolicyArn: arn })).Versions;
    assert.deepEqual(
      list.map((v: any) => [v.VersionId, v.IsDefaultVersion]).sort(),
      [
        ['v1', false],
        ['v2', true],
        ['v3', false],
      ],
    );
    assert.equal(list[0].Document, undefined, 'ListPolicyVersions leaves out the document');

    await iam.call('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v3' });
    assert.equal((await iam.call('GetPolicy', { PolicyArn: arn })).Policy.DefaultVersionId, 'v3');
    await expectError(iam.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v3' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete the default version of a policy.' });
    await iam.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v1' });

    // Five versions at most; ids are never reused.
    await iam.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: S3_READ });
    const v5 = (await iam.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: S3_READ })).PolicyVersion;
    assert.equal(v5.VersionId, 'v5');
    await iam.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: S3_READ });
    await expectError(iam.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: S3_READ }), {
      name: 'LimitExceededException',
      status: 409,
      message: 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    });
    const ids = (await iam.call('ListPolicyVersions', { PolicyArn: arn })).Versions.map((v: any) => v.VersionId).sort();
    assert.deepEqual(ids, ['v2', 'v3', 'v4', 'v5', 'v6']);

    await expectError(iam.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v1' }), {
      name: 'NoSuchEntityException',
      status: 404,
      message: `Policy ${arn} version v1 does not exist or is not attachable.`,
    });
    await expectError(iam.call('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v9' }), { name: 'NoSuchEntityException', status: 404 });
    await expectError(iam.call('GetPolicyVersion', { PolicyArn: arn, VersionId: 'version1' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'version1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
    });

    // DeletePolicy refuses while non-default versions remain.
    await expectError(iam.call('DeletePolicy', { PolicyArn: arn }), {
      name: 'DeleteConflictException',
      status: 409,
      message: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    });
    for (const v of ['v2', 'v4', 'v5', 'v6']) await iam.call('DeletePolicyVersion', { PolicyArn: arn, VersionId: v });
    await iam.call('DeletePolicy', { PolicyArn: arn });
    await expectError(iam.call('GetPolicy', { PolicyArn: arn }), { name: 'NoSuchEntityException', status: 404, message: `Policy ${arn} was not found.` });
    await expectError(iam.call('DeletePolicy', { PolicyArn: arn }), { name: 'NoSuchEntityException', status: 404 });
  });
});

describe('ListPolicies', () => {
  it('lists local policies by path, only attached, with paging', async () => {
    const names = ['lp-c', 'lp-a', 'lp-b'];
    for (const n of names) await iam.call('CreatePolicy', { PolicyName: n, Path: '/listed/', PolicyDocument: S3_READ });
    await iam.call('CreateRole', { RoleName: 'lp-role', AssumeRolePolicyDocument: TRUST_EC2 });
    await iam.call('AttachRolePolicy', { RoleName: 'lp-role', PolicyArn: policyArn('lp-b', '/listed/') });

    const first = await iam.call('ListPolicies', { Scope: 'Local', PathPrefix: '/listed/', MaxItems: 2 });
    assert.equal(first.Policies.length, 2);
    assert.equal(first.IsTruncated, true);
    const second = await iam.call('ListPolicies', { Scope: 'Local', PathPrefix: '/listed/', MaxItems: 2, Marker: first.Marker });
    assert.equal(second.IsTruncated, false);
    const all = [...first.Policies, ...second.Policies];
    assert.deepEqual(all.map((p: any) => p.PolicyName), ['lp-a', 'lp-b', 'lp-c']);
    for (const p of all) {
      assert.equal(p.Description, undefined);
      assert.equal(p.Tags, undefined);
    }
    const attached = await iam.call('ListPolicies', { Scope: 'Local', OnlyAttached: true, PathPrefix: '/listed/' });
    assert.deepEqual(
      attached.Policies.map((p: any) => [p.PolicyName, p.AttachmentCount]),
      [['lp-b', 1]],
    );
    await expectError(iam.call('ListPolicies', { Scope: 'Mine' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
    });
  });
});

describe('ListEntitiesForPolicy', () => {
  it('lists the users, groups and roles a policy is attached to or bounds', async () => {
    const arn = (await iam.call('CreatePolicy', { PolicyName: 'shared', PolicyDocument: S3_READ })).Policy.Arn;
    await iam.call('CreateUser', { UserName: 'ent-user' });
    await iam.call('CreateGroup', { GroupName: 'ent-group' });
    await iam.call('CreateRole', { RoleName: 'ent-role', Path: '/svc/', AssumeRolePolicyDocument: TRUST_EC2 });
    await iam.call('CreateRole', { RoleName: 'ent-bounded', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: arn });
    await iam.call('AttachUserPolicy', { UserName: 'ent-user', PolicyArn: arn });
    await iam.call('AttachGroupPolicy', { GroupName: 'ent-group', PolicyArn: arn });
    await iam.call('AttachRolePolicy', { RoleName: 'ent-role', PolicyArn: arn });

    const out = await iam.call('ListEntitiesForPolicy', { PolicyArn: arn });
    assert.deepEqual(out.PolicyUsers.map((u: any) => u.UserName), ['ent-user']);
    assert.match(out.PolicyUsers[0].UserId, /^AIDA/);
    assert.deepEqual(out.PolicyGroups.map((g: any) => g.GroupName), ['ent-group']);
    assert.match(out.PolicyGroups[0].GroupId, /^AGPA/);
    assert.deepEqual(out.PolicyRoles.map((r: any) => r.RoleName).sort(), ['ent-bounded', 'ent-role']);
    assert.equal(out.IsTruncated, false);

    const onlyRoles = await iam.call('ListEntitiesForPolicy', { PolicyArn: arn, EntityFilter: 'Role', PolicyUsageFilter: 'PermissionsPolicy' });
    assert.deepEqual(onlyRoles.PolicyRoles.map((r: any) => r.RoleName), ['ent-role']);
    assert.deepEqual(onlyRoles.PolicyUsers, []);
    const boundaries = await iam.call('ListEntitiesForPolicy', { PolicyArn: arn, PolicyUsageFilter: 'PermissionsBoundary' });
    assert.deepEqual(boundaries.PolicyRoles.map((r: any) => r.RoleName), ['ent-bounded']);

    const p = (await iam.call('GetPolicy', { PolicyArn: arn })).Policy;
    assert.equal(p.AttachmentCount, 3);
    assert.equal(p.PermissionsBoundaryUsageCount, 1);
    await expectError(iam.call('DeletePolicy', { PolicyArn: arn }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete a policy attached to entities.' });
    await expectError(iam.call('ListEntitiesForPolicy', { PolicyArn: policyArn('nope') }), { name: 'NoSuchEntityException', status: 404, message: `Policy ${policyArn('nope')} does not exist or is not attachable.` });
  });
});

describe('policy tags', () => {
  it('tags are case-sensitive for managed policies', async () => {
    const arn = (await iam.call('CreatePolicy', { PolicyName: 'tagged-policy', PolicyDocument: S3_READ, Tags: [{ Key: 'a', Value: '1' }] })).Policy.Arn;
    await iam.call('TagPolicy', { PolicyArn: arn, Tags: [{ Key: 'A', Value: '2' }, { Key: 'team', Value: 'red' }] });
    const tags = (await iam.call('ListPolicyTags', { PolicyArn: arn })).Tags.map((t: any) => `${t.Key}=${t.Value}`).sort();
    assert.deepEqual(tags, ['A=2', 'a=1', 'team=red']);
    assert.equal((await iam.call('GetPolicy', { PolicyArn: arn })).Policy.Tags.length, 3);
    await iam.call('UntagPolicy', { PolicyArn: arn, TagKeys: ['a', 'team'] });
    assert.deepEqual((await iam.call('ListPolicyTags', { PolicyArn: arn })).Tags, [{ Key: 'A', Value: '2' }]);
    await expectError(iam.call('TagPolicy', { PolicyArn: arn, Tags: [{ Key: 'x', Value: '1' }, { Key: 'x', Value: '2' }] }), { name: 'InvalidInputException', status: 400, message: 'Duplicate tag keys found.' });
    await expectError(iam.call('TagPolicy', { PolicyArn: policyArn('nope'), Tags: [{ Key: 'x', Value: '1' }] }), { name: 'NoSuchEntityException', status: 404 });
    await expectError(iam.call('ListPolicyTags', { PolicyArn: policyArn('nope') }), { name: 'NoSuchEntityException', status: 404 });
    await expectError(iam.call('UntagPolicy', { PolicyArn: policyArn('nope'), TagKeys: ['x'] }), { name: 'NoSuchEntityException', status: 404 });
  });
});

describe('simulator', () => {
  it('SimulateCustomPolicy evaluates the given documents', async () => {
    const out = await iam.call('SimulateCustomPolicy', {
      PolicyInputList: [S3_READ],
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::reports/q1.csv'],
    });
    const byAction = Object.fromEntries(out.EvaluationResults.map((r: any) => [r.EvalActionName, r]));
    assert.equal(byAction['s3:GetObject'].EvalDecision, 'allowed');
    assert.equal(byAction['s3:PutObject'].EvalDecision, 'implicitDeny');
    assert.equal(byAction['s3:GetObject'].EvalResourceName, 'arn:aws:s3:::reports/q1.csv');
    assert.equal(byAction['s3:GetObject'].MatchedStatements[0].SourcePolicyId, 'PolicyInputList.1');
    assert.equal(out.IsTruncated, false);
    await expectError(iam.call('SimulateCustomPolicy', { PolicyInputList: ['nope'], ActionNames: ['s3:GetObject'] }), { name: 'MalformedPolicyDocumentException', status: 400 });
  });

  it("SimulatePrincipalPolicy evaluates a role's own policies", async () => {
    await iam.call('CreateRole', { RoleName: 'sim-role', AssumeRolePolicyDocument: TRUST_EC2 });
    await iam.call('PutRolePolicy', { RoleName: 'sim-role', PolicyName: 'read-reports', PolicyDocument: S3_READ });
    const out = await iam.call('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${acct}:role/sim-role`,
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::reports/q1.csv'],
    });
    const byAction = Object.fromEntries(out.EvaluationResults.map((r: any) => [r.EvalActionName, r]));
    assert.equal(byAction['s3:GetObject'].EvalDecision, 'allowed');
    assert.equal(byAction['s3:GetObject'].MatchedStatements[0].SourcePolicyId, 'read-reports');
    assert.equal(byAction['s3:GetObject'].MatchedStatements[0].SourcePolicyType, 'role');
    assert.equal(byAction['s3:PutObject'].EvalDecision, 'implicitDeny');
    await expectError(iam.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${acct}:role/nope`, ActionNames: ['s3:GetObject'] }), {
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role with name nope cannot be found.',
    });
  });
});

describe('account-wide reads', () => {
  it('GetAccountSummary counts entities and reports quotas', async () => {
    const m = (await iam.call('GetAccountSummary', {})).SummaryMap;
    assert.equal(typeof m.Roles, 'number');
    assert.equal(m.Roles, (await iam.call('ListRoles', {})).Roles.length);
    assert.ok(m.Policies >= 3);
    assert.equal(m.RolesQuota, 1000);
    assert.equal(m.PoliciesQuota, 1500);
    assert.equal(m.AccessKeysPerUserQuota, 2);
    assert.equal(m.AttachedPoliciesPerRoleQuota, 10);
    assert.equal(m.Users, (await iam.call('ListUsers', {})).Users.length);
  });

  it('GetAccountAuthorizationDetails reports users, groups, roles and policies with decoded-able documents', async () => {
    const seen = { users: [] as any[], roles: [] as any[], groups: [] as any[], policies: [] as any[] };
    let marker: string | undefined;
    do {
      const page = await iam.call('GetAccountAuthorizationDetails', { MaxItems: 5, ...(marker ? { Marker: marker } : {}) });
      seen.users.push(...page.UserDetailList);
      seen.roles.push(...page.RoleDetailList);
      seen.groups.push(...page.GroupDetailList);
      seen.policies.push(...page.Policies);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const role = seen.roles.find((r) => r.RoleName === 'sim-role');
    assert.ok(role, 'sim-role listed');
    assert.deepEqual(decodeDoc(role.AssumeRolePolicyDocument), JSON.parse(TRUST_EC2));
    assert.deepEqual(role.RolePolicyList.map((p: any) => p.PolicyName), ['read-reports']);
    assert.deepEqual(decodeDoc(role.RolePolicyList[0].PolicyDocument), JSON.parse(S3_READ));
    assert.ok(seen.users.some((u) => u.UserName === 'ent-user' && u.AttachedManagedPolicies.length === 1));
    assert.ok(seen.groups.some((g) => g.GroupName === 'ent-group'));
    const shared = seen.policies.find((p) => p.PolicyName === 'shared');
    assert.ok(shared);
    assert.deepEqual(decodeDoc(shared.PolicyVersionList.find((v: any) => v.IsDefaultVersion).Document), JSON.parse(S3_READ));

    const onlyRoles = await iam.call('GetAccountAuthorizationDetails', { Filter: ['Role'] });
    assert.deepEqual(onlyRoles.UserDetailList, []);
    assert.ok(onlyRoles.RoleDetailList.length >= 1);
  });
});
