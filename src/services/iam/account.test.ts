import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { accessKeyOperations } from './access-keys.js';
import { accountOperations } from './account.js';
import { groupOperations } from './groups.js';
import { instanceProfileOperations } from './instance-profiles.js';
import { mfaOperations } from './mfa.js';
import { awsError, rootCaller, TEST_ACCOUNT, testEnv, type TestEnv } from './shared/test-context.js';
import { userOperations } from './users.js';

const ops = [...userOperations, ...groupOperations, ...accessKeyOperations, ...mfaOperations, ...instanceProfileOperations, ...accountOperations];
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

describe('IAM account-level reads', () => {
  let store: Store;
  let env: TestEnv;
  const call = <O = any>(name: string, input: Record<string, unknown>): Promise<O> => env.call<O>(ops, name, input, rootCaller());
  const local = `arn:aws:iam::${TEST_ACCOUNT}:policy/Local`;
  const awsUsed = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  const awsUnused = 'arn:aws:iam::aws:policy/AdministratorAccess';

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store);
    const now = new Date('2025-02-03T04:05:06Z');
    for (const [accountId, arn, name, id] of [[TEST_ACCOUNT, local, 'Local', 'ANPALOCALLOCALLOCAL1'], ['aws', awsUsed, 'ReadOnlyAccess', 'ANPAREADONLYREADONL1'], ['aws', awsUnused, 'AdministratorAccess', 'ANPAADMINADMINADMIN1']] as const) {
      await store.policies.create({ accountId, name, path: '/', id, arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] }, { policyArn: arn, versionId: 'v1', document: DOC, isDefault: true, createdAt: now });
    }
    await store.roles.create({ accountId: TEST_ACCOUNT, name: 'app', path: '/', id: 'AROAAPPAPPAPPAPPAPP1', arn: `arn:aws:iam::${TEST_ACCOUNT}:role/app`, createdAt: now, assumeRolePolicyDocument: TRUST, trustPrincipalIds: [], maxSessionDuration: 3600, tags: [], permissionsBoundaryArn: local });
    await call('CreateUser', { UserName: 'hal', Tags: [{ Key: 't', Value: '1' }] });
    await call('PutUserPolicy', { UserName: 'hal', PolicyName: 'inline', PolicyDocument: DOC });
    await call('AttachUserPolicy', { UserName: 'hal', PolicyArn: awsUsed });
    await call('CreateGroup', { GroupName: 'crew' });
    await call('AddUserToGroup', { GroupName: 'crew', UserName: 'hal' });
    await call('AttachGroupPolicy', { GroupName: 'crew', PolicyArn: local });
    await call('CreateInstanceProfile', { InstanceProfileName: 'app-ip' });
    await call('AddRoleToInstanceProfile', { InstanceProfileName: 'app-ip', RoleName: 'app' });
    await call('CreateAccessKey', { UserName: 'hal' });
    await call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'spare' });
  });
  after(async () => store.close());

  it('GetAccountAuthorizationDetails returns users, groups, roles and used policies with relationships', async () => {
    const r = await call('GetAccountAuthorizationDetails', {});
    assert.equal(r.IsTruncated, false);
    assert.deepEqual(r.UserDetailList.map((u: any) => [u.UserName, u.GroupList, u.UserPolicyList, u.AttachedManagedPolicies, u.Tags]), [
      ['hal', ['crew'], [{ PolicyName: 'inline', PolicyDocument: DOC }], [{ PolicyName: 'ReadOnlyAccess', PolicyArn: awsUsed }], [{ Key: 't', Value: '1' }]],
    ]);
    assert.deepEqual(r.GroupDetailList.map((g: any) => [g.GroupName, g.AttachedManagedPolicies]), [['crew', [{ PolicyName: 'Local', PolicyArn: local }]]]);
    const role = r.RoleDetailList[0];
    assert.equal(role.RoleName, 'app');
    assert.equal(role.AssumeRolePolicyDocument, TRUST);
    assert.deepEqual(role.InstanceProfileList.map((p: any) => p.InstanceProfileName), ['app-ip']);
    assert.equal(role.PermissionsBoundary.PermissionsBoundaryArn, local);
    const byArn = Object.fromEntries(r.Policies.map((p: any) => [p.Arn, p]));
    assert.deepEqual(Object.keys(byArn).sort(), [awsUsed, local].sort(), 'unused AWS managed policies are left out');
    assert.equal(byArn[local].AttachmentCount, 1);
    assert.equal(byArn[local].PermissionsBoundaryUsageCount, 1);
    assert.deepEqual(byArn[local].PolicyVersionList, [{ Document: DOC, VersionId: 'v1', IsDefaultVersion: true, CreateDate: new Date('2025-02-03T04:05:06Z') }]);
    assert.equal(byArn[awsUsed].AttachmentCount, 1);
  });

  it('filters by entity type and pages across the combined list', async () => {
    const users = await call('GetAccountAuthorizationDetails', { Filter: ['User'] });
    assert.deepEqual([users.UserDetailList.length, users.GroupDetailList.length, users.RoleDetailList.length, users.Policies.length], [1, 0, 0, 0]);
    const localOnly = await call('GetAccountAuthorizationDetails', { Filter: ['LocalManagedPolicy'] });
    assert.deepEqual(localOnly.Policies.map((p: any) => p.Arn), [local]);
    const p1 = await call('GetAccountAuthorizationDetails', { MaxItems: 2 });
    assert.equal(p1.IsTruncated, true);
    const p2 = await call('GetAccountAuthorizationDetails', { MaxItems: 10, Marker: p1.Marker });
    const count = (r: any) => r.UserDetailList.length + r.GroupDetailList.length + r.RoleDetailList.length + r.Policies.length;
    assert.equal(count(p1) + count(p2), 5);
    await assert.rejects(call('GetAccountAuthorizationDetails', { Filter: ['Bogus'] }), awsError('ValidationError'));
  });

  it('GetAccountSummary counts entities beside the quotas', async () => {
    const { SummaryMap: m } = await call('GetAccountSummary', {});
    assert.equal(m.Users, 1);
    assert.equal(m.UsersQuota, 5000);
    assert.equal(m.Groups, 1);
    assert.equal(m.Roles, 1);
    assert.equal(m.RolesQuota, 1000);
    assert.equal(m.Policies, 1);
    assert.equal(m.PoliciesQuota, 1500);
    assert.equal(m.InstanceProfiles, 1);
    assert.equal(m.MFADevices, 1);
    assert.equal(m.MFADevicesInUse, 0);
    assert.equal(m.AccessKeysPerUserQuota, 2);
    assert.equal(m.UserPolicySizeQuota, 2048);
    assert.equal(m.GroupsPerUserQuota, 10);
    assert.equal(m.AccountAccessKeysPresent, 0);
    for (const v of Object.values(m)) assert.equal(typeof v, 'number');
  });

  it('authorizes against *', () => {
    for (const op of accountOperations) assert.deepEqual(op.resources({}, env.ctx()), ['*']);
  });
});
