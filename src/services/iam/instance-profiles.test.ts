import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { RoleRecord, Store } from '../../store/ports.js';
import { instanceProfileOperations } from './instance-profiles.js';
import { awsError, rootCaller, TEST_ACCOUNT, testEnv, type TestEnv } from './shared/test-context.js';

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

function role(name: string, id: string): RoleRecord {
  return {
    accountId: TEST_ACCOUNT,
    name,
    path: '/svc/',
    id,
    arn: `arn:aws:iam::${TEST_ACCOUNT}:role/svc/${name}`,
    createdAt: new Date('2025-06-01T00:00:00Z'),
    assumeRolePolicyDocument: TRUST,
    trustPrincipalIds: [],
    description: 'web servers',
    maxSessionDuration: 3600,
    tags: [{ Key: 'tier', Value: 'web' }],
  };
}

describe('IAM instance profiles', () => {
  let store: Store;
  let env: TestEnv;
  const call = <O = any>(name: string, input: Record<string, unknown>): Promise<O> => env.call<O>(instanceProfileOperations, name, input, rootCaller());

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store);
    await store.roles.create(role('web', 'AROAWEBWEBWEBWEBWEB1'));
    await store.roles.create(role('batch', 'AROABATCHBATCHBATCH1'));
  });
  after(async () => store.close());

  it('creates with an AIPA id, path and tags; duplicates are refused', async () => {
    const p = (await call('CreateInstanceProfile', { InstanceProfileName: 'web-ip', Path: '/svc/', Tags: [{ Key: 'a', Value: 'b' }] })).InstanceProfile;
    assert.match(p.InstanceProfileId, /^AIPA[A-Z2-7]{16}$/);
    assert.equal(p.Arn, `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/svc/web-ip`);
    assert.deepEqual(p.Roles, []);
    assert.deepEqual(p.Tags, [{ Key: 'a', Value: 'b' }]);
    await assert.rejects(call('CreateInstanceProfile', { InstanceProfileName: 'WEB-IP' }), awsError('EntityAlreadyExists', 'Instance Profile WEB-IP already exists.'));
    await assert.rejects(call('GetInstanceProfile', { InstanceProfileName: 'none' }), awsError('NoSuchEntity', 'Instance Profile none cannot be found.'));
  });

  it('holds one role, shown in the Role shape of the GetInstanceProfile example', async () => {
    await call('AddRoleToInstanceProfile', { InstanceProfileName: 'web-ip', RoleName: 'WEB' });
    await assert.rejects(call('AddRoleToInstanceProfile', { InstanceProfileName: 'web-ip', RoleName: 'batch' }), awsError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1'));
    await assert.rejects(call('AddRoleToInstanceProfile', { InstanceProfileName: 'web-ip', RoleName: 'ghost' }), awsError('NoSuchEntity', 'The role with name ghost cannot be found.'));
    const p = (await call('GetInstanceProfile', { InstanceProfileName: 'web-ip' })).InstanceProfile;
    assert.equal(p.Roles.length, 1);
    assert.deepEqual(p.Roles[0], {
      Path: '/svc/',
      RoleName: 'web',
      RoleId: 'AROAWEBWEBWEBWEBWEB1',
      Arn: `arn:aws:iam::${TEST_ACCOUNT}:role/svc/web`,
      CreateDate: new Date('2025-06-01T00:00:00Z'),
      AssumeRolePolicyDocument: TRUST,
      Tags: [{ Key: 'tier', Value: 'web' }],
    });
    assert.deepEqual((await call('ListInstanceProfilesForRole', { RoleName: 'web' })).InstanceProfiles.map((x: any) => x.InstanceProfileName), ['web-ip']);
    assert.deepEqual((await call('ListInstanceProfilesForRole', { RoleName: 'batch' })).InstanceProfiles, []);
    await assert.rejects(call('ListInstanceProfilesForRole', { RoleName: 'ghost' }), awsError('NoSuchEntity', 'The role with name ghost cannot be found.'));
    const list = await call('ListInstanceProfiles', { PathPrefix: '/svc/' });
    assert.equal(list.InstanceProfiles.length, 1);
    assert.equal(list.InstanceProfiles[0].Tags, undefined, 'listing leaves tags out');
  });

  it('refuses to delete while a role is in it; removes the role', async () => {
    await assert.rejects(call('DeleteInstanceProfile', { InstanceProfileName: 'web-ip' }), awsError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.'));
    await assert.rejects(call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web-ip', RoleName: 'batch' }), awsError('NoSuchEntity', 'The role with name batch cannot be found.'));
    await call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web-ip', RoleName: 'web' });
    assert.deepEqual((await call('GetInstanceProfile', { InstanceProfileName: 'web-ip' })).InstanceProfile.Roles, []);
  });

  it('tags, untags and lists tags', async () => {
    await call('TagInstanceProfile', { InstanceProfileName: 'web-ip', Tags: [{ Key: 'env', Value: 'prod' }] });
    await call('UntagInstanceProfile', { InstanceProfileName: 'web-ip', TagKeys: ['A'] });
    assert.deepEqual((await call('ListInstanceProfileTags', { InstanceProfileName: 'web-ip' })).Tags, [{ Key: 'env', Value: 'prod' }]);
    const tag = instanceProfileOperations.find((o) => o.name === 'TagInstanceProfile')!;
    assert.deepEqual(tag.resources({ InstanceProfileName: 'web-ip', Tags: [] }, env.ctx()), [`arn:aws:iam::${TEST_ACCOUNT}:instance-profile/web-ip`]);
    assert.deepEqual(tag.conditionKeys!({ InstanceProfileName: 'web-ip', Tags: [{ Key: 'env', Value: 'prod' }] }, env.ctx()), { 'aws:TagKeys': ['env'], 'aws:RequestTag/env': 'prod' });
    await call('DeleteInstanceProfile', { InstanceProfileName: 'web-ip' });
    await assert.rejects(call('DeleteInstanceProfile', { InstanceProfileName: 'web-ip' }), awsError('NoSuchEntity', 'Instance Profile web-ip cannot be found.'));
  });
});
