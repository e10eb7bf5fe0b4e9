import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { storedResources } from '../../gateway/resource-paths.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { accessKeyOperations } from './access-keys.js';
import { groupOperations } from './groups.js';
import { mfaOperations } from './mfa.js';
import { awsError, rootCaller, roleSessionCaller, TEST_ACCOUNT, testEnv, userCaller, type TestEnv } from './shared/test-context.js';
import { userOperations } from './users.js';

const ops = [...userOperations, ...groupOperations, ...accessKeyOperations, ...mfaOperations];
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

async function managedPolicy(store: Store, name: string, accountId = TEST_ACCOUNT): Promise<string> {
  const arn = `arn:aws:iam::${accountId}:policy/${name}`;
  const now = new Date();
  await store.policies.create(
    { accountId, name, path: '/', id: `ANPA${name.toUpperCase().padEnd(16, 'X').slice(0, 16)}`, arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] },
    { policyArn: arn, versionId: 'v1', document: DOC, isDefault: true, createdAt: now },
  );
  return arn;
}

describe('IAM users', () => {
  let store: Store;
  let env: TestEnv;
  const call = <O = any>(name: string, input: Record<string, unknown>, caller = rootCaller()): Promise<O> => env.call<O>(ops, name, input, caller);

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date('2025-01-01T00:00:00Z') });
    env = testEnv(store);
  });
  after(async () => store.close());

  it('creates a user with path, tags and boundary, and reads it back', async () => {
    const boundary = await managedPolicy(store, 'Boundary');
    const r = await call('CreateUser', { UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'red' }], PermissionsBoundary: boundary });
    assert.match(r.User.UserId, /^AIDA[A-Z2-7]{16}$/);
    assert.equal(r.User.Arn, `arn:aws:iam::${TEST_ACCOUNT}:user/eng/alice`);
    assert.equal(r.User.Path, '/eng/');
    assert.deepEqual(r.User.Tags, [{ Key: 'team', Value: 'red' }]);
    assert.deepEqual(r.User.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundary });
    const g = await call('GetUser', { UserName: 'ALICE' });
    assert.equal(g.User.UserName, 'alice');
    assert.deepEqual(g.User.Tags, [{ Key: 'team', Value: 'red' }]);
    const list = await call('ListUsers', { PathPrefix: '/eng/' });
    assert.deepEqual(list.Users.map((u: any) => u.UserName), ['alice']);
    assert.equal(list.Users[0].Tags, undefined, 'ListUsers leaves tags out');
    assert.equal(list.Users[0].PermissionsBoundary, undefined);
    assert.equal(list.IsTruncated, false);
  });

  it('rejects duplicates case-insensitively, bad boundaries and bad tags with AWS errors', async () => {
    await assert.rejects(call('CreateUser', { UserName: 'Alice' }), awsError('EntityAlreadyExists', 'User with name Alice already exists.'));
    await assert.rejects(call('CreateUser', { UserName: 'bob', PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/Nope` }), awsError('NoSuchEntity', `Scope ARN: arn:aws:iam::${TEST_ACCOUNT}:policy/Nope does not exist or is not attachable.`));
    await assert.rejects(call('CreateUser', { UserName: 'bob', PermissionsBoundary: 'not-an-arn-at-all-really' }), awsError('InvalidInput', 'ARN not-an-arn-at-all-really is not valid.'));
    await assert.rejects(call('CreateUser', { UserName: 'bob', Tags: [{ Key: 'aws:x', Value: 'y' }] }), awsError('InvalidInput'));
    await assert.rejects(call('GetUser', { UserName: 'nobody' }), awsError('NoSuchEntity', 'The user with name nobody cannot be found.'));
    assert.equal(await store.users.get(TEST_ACCOUNT, 'bob'), undefined);
  });

  it('GetUser without UserName answers the caller: user, root shape, or ValidationError for sessions', async () => {
    const alice = (await store.users.get(TEST_ACCOUNT, 'alice'))!;
    assert.equal((await call('GetUser', {}, userCaller(alice))).User.Arn, alice.arn);
    const root = await call('GetUser', {});
    assert.deepEqual(root.User, { UserId: TEST_ACCOUNT, Arn: `arn:aws:iam::${TEST_ACCOUNT}:root`, CreateDate: new Date('2025-01-01T00:00:00Z') });
    await assert.rejects(call('GetUser', {}, roleSessionCaller(TEST_ACCOUNT, 'r', 'AROAAAAAAAAAAAAAAAAA', 's')), awsError('ValidationError', 'Must specify userName when calling with non-User credentials'));
  });

  it('authorizes against the user ARN, the caller’s real ARN for itself, and both ARNs on rename', async () => {
    const alice = { name: 'alice', arn: `arn:aws:iam::${TEST_ACCOUNT}:user/eng/alice` };
    const get = userOperations.find((o) => o.name === 'GetUser')!;
    const upd = userOperations.find((o) => o.name === 'UpdateUser')!;
    const create = userOperations.find((o) => o.name === 'CreateUser')!;
    const list = userOperations.find((o) => o.name === 'ListUsers')!;
    const ctx = env.ctx(userCaller({ accountId: TEST_ACCOUNT, name: alice.name, path: '/eng/', id: 'AIDAX', arn: alice.arn, createdAt: new Date(), tags: [] }));
    assert.deepEqual(get.resources({}, ctx), [alice.arn]);
    assert.deepEqual(get.resources({ UserName: 'alice' }, ctx), [alice.arn]);
    assert.deepEqual(get.resources({ UserName: 'bob' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:user/bob`]);
    assert.deepEqual(create.resources({ UserName: 'x', Path: '/a/' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:user/a/x`]);
    assert.deepEqual(create.conditionKeys!({ UserName: 'x', Tags: [{ Key: 'k', Value: 'v' }], PermissionsBoundary: 'arn:aws:iam::aws:policy/B' }, ctx), {
      'aws:TagKeys': ['k'],
      'aws:RequestTag/k': 'v',
      'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/B',
    });
    assert.deepEqual(upd.resources({ UserName: 'bob', NewUserName: 'robert' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:user/bob`, `arn:aws:iam::${TEST_ACCOUNT}:user/robert`]);
    assert.deepEqual(list.resources({}, ctx), ['*']);
    const attach = userOperations.find((o) => o.name === 'AttachUserPolicy')!;
    assert.deepEqual(await attach.conditionKeys!({ UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/P' }, ctx), { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/P' });
  });

  it('tags, untags and lists tags with the 50-tag cap', async () => {
    await call('TagUser', { UserName: 'alice', Tags: [{ Key: 'Team', Value: 'blue' }, { Key: 'env', Value: 'dev' }] });
    let t = await call('ListUserTags', { UserName: 'alice' });
    assert.deepEqual(t.Tags, [{ Key: 'Team', Value: 'blue' }, { Key: 'env', Value: 'dev' }], 'keys replace case-insensitively');
    await call('UntagUser', { UserName: 'alice', TagKeys: ['ENV'] });
    t = await call('ListUserTags', { UserName: 'alice', MaxItems: 1 });
    assert.deepEqual(t.Tags, [{ Key: 'Team', Value: 'blue' }]);
    const many = Array.from({ length: 50 }, (_, k) => ({ Key: `k${k}`, Value: 'v' }));
    await assert.rejects(call('TagUser', { UserName: 'alice', Tags: many }), awsError('LimitExceeded', 'The number of tags has reached the maximum limit.'));
    await assert.rejects(call('TagUser', { UserName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] }), awsError('NoSuchEntity'));
  });

  it('puts and deletes the permissions boundary', async () => {
    const b2 = await managedPolicy(store, 'Boundary2');
    await call('PutUserPermissionsBoundary', { UserName: 'alice', PermissionsBoundary: b2 });
    assert.equal((await call('GetUser', { UserName: 'alice' })).User.PermissionsBoundary.PermissionsBoundaryArn, b2);
    await call('DeleteUserPermissionsBoundary', { UserName: 'alice' });
    assert.equal((await call('GetUser', { UserName: 'alice' })).User.PermissionsBoundary, undefined);
    await assert.rejects(call('PutUserPermissionsBoundary', { UserName: 'alice', PermissionsBoundary: `arn:aws:iam::210987654321:policy/Boundary2` }), awsError('NoSuchEntity'));
  });

  it('inline policies: put/get/list/delete, grammar errors, and the 2,048 aggregate quota', async () => {
    await call('CreateUser', { UserName: 'carol' });
    await call('PutUserPolicy', { UserName: 'carol', PolicyName: 'p1', PolicyDocument: DOC });
    const g = await call('GetUserPolicy', { UserName: 'CAROL', PolicyName: 'p1' });
    assert.deepEqual(g, { UserName: 'carol', PolicyName: 'p1', PolicyDocument: DOC });
    await assert.rejects(call('PutUserPolicy', { UserName: 'carol', PolicyName: 'bad', PolicyDocument: '{nope' }), awsError('MalformedPolicyDocument'));
    await assert.rejects(
      call('PutUserPolicy', { UserName: 'carol', PolicyName: 'bad', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}' }),
      awsError('MalformedPolicyDocument'),
    );
    // Aggregate: each document alone fits, together they exceed 2,048 non-whitespace characters.
    const big = (n: number): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(n)}/*` }] });
    await call('PutUserPolicy', { UserName: 'carol', PolicyName: 'p2', PolicyDocument: big(1000) });
    await assert.rejects(call('PutUserPolicy', { UserName: 'carol', PolicyName: 'p3', PolicyDocument: big(1000) }), awsError('LimitExceeded', 'Maximum policy size of 2048 bytes exceeded for user carol'));
    // Replacing p2 by a same-size document is fine: the replaced one does not count.
    await call('PutUserPolicy', { UserName: 'carol', PolicyName: 'p2', PolicyDocument: big(1001) });
    assert.deepEqual((await call('ListUserPolicies', { UserName: 'carol' })).PolicyNames, ['p1', 'p2']);
    await call('DeleteUserPolicy', { UserName: 'carol', PolicyName: 'p2' });
    await assert.rejects(call('DeleteUserPolicy', { UserName: 'carol', PolicyName: 'p2' }), awsError('NoSuchEntity', 'The user policy with name p2 cannot be found.'));
    await assert.rejects(call('GetUserPolicy', { UserName: 'carol', PolicyName: 'zz' }), awsError('NoSuchEntity', 'The user policy with name zz cannot be found.'));
  });

  it('AWS service-role policies attach to no user or group and bound no user (PolicyNotAttachable)', async () => {
    const now = new Date();
    const name = 'AWSServiceRoleForX';
    const arn = `arn:aws:iam::aws:policy/aws-service-role/${name}`;
    await store.policies.create(
      { accountId: 'aws', name, path: '/aws-service-role/', id: 'ANPAAWSSERVICEROLEX1', arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] },
      { policyArn: arn, versionId: 'v1', document: DOC, isDefault: true, createdAt: now },
    );
    await call('CreateUser', { UserName: 'svc-u' });
    await call('CreateGroup', { GroupName: 'svc-g' });
    await assert.rejects(call('AttachUserPolicy', { UserName: 'svc-u', PolicyArn: arn }), awsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer User.'));
    await assert.rejects(call('AttachGroupPolicy', { GroupName: 'svc-g', PolicyArn: arn }), awsError('PolicyNotAttachable', 'Cannot attach a Service Role Policy to a Customer Group.'));
    await assert.rejects(call('PutUserPermissionsBoundary', { UserName: 'svc-u', PermissionsBoundary: arn }), awsError('PolicyNotAttachable'));
    await assert.rejects(call('CreateUser', { UserName: 'svc-b', PermissionsBoundary: arn }), awsError('PolicyNotAttachable'));
    assert.deepEqual(await store.attachments.listForPolicy(arn), []);
  });

  it("changes to a user's policies carry its current boundary as iam:PermissionsBoundary, on its stored ARN", async () => {
    const b = await managedPolicy(store, 'DelegBoundary');
    await call('CreateUser', { UserName: 'deleg-target', Path: '/team/', PermissionsBoundary: b });
    const input = { UserName: 'deleg-target', PolicyArn: b, PolicyName: 'p', PolicyDocument: DOC };
    // What the gateway authorizes with: the resources completed from the store, the operation's keys.
    const authorization = async (name: string, i: Record<string, unknown>) => {
      const op = ops.find((o) => o.name === name)!;
      return { resources: (await storedResources(store, await op.resources(i, env.ctx()))).arns, conditionKeys: (await op.conditionKeys?.(i, env.ctx())) ?? {} };
    };
    for (const name of ['AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy', 'DeleteUserPermissionsBoundary']) {
      const r = await authorization(name, input);
      assert.equal(r.conditionKeys['iam:PermissionsBoundary'], b, name);
      assert.deepEqual(r.resources, [`arn:aws:iam::${TEST_ACCOUNT}:user/team/deleg-target`], name);
    }
    const unbounded = await authorization('AttachUserPolicy', { UserName: 'svc-u', PolicyArn: b });
    assert.deepEqual(unbounded.conditionKeys, { 'iam:PolicyARN': b }, 'no boundary, no key');
  });

  it('managed policies: attach (idempotent), 10 per user, detach, list with PathPrefix', async () => {
    const arns: string[] = [];
    for (let k = 0; k < 11; k++) arns.push(await managedPolicy(store, `M${k}`));
    for (let k = 0; k < 10; k++) await call('AttachUserPolicy', { UserName: 'carol', PolicyArn: arns[k] });
    await call('AttachUserPolicy', { UserName: 'carol', PolicyArn: arns[0] }); // again: no-op
    await assert.rejects(call('AttachUserPolicy', { UserName: 'carol', PolicyArn: arns[10] }), awsError('LimitExceeded', 'Cannot exceed quota for PoliciesPerUser: 10'));
    await assert.rejects(call('AttachUserPolicy', { UserName: 'carol', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/Missing` }), awsError('NoSuchEntity', `Policy arn:aws:iam::${TEST_ACCOUNT}:policy/Missing does not exist or is not attachable.`));
    const l = await call('ListAttachedUserPolicies', { UserName: 'carol', MaxItems: 4 });
    assert.equal(l.AttachedPolicies.length, 4);
    assert.equal(l.IsTruncated, true);
    const rest = await call('ListAttachedUserPolicies', { UserName: 'carol', Marker: l.Marker });
    assert.equal(rest.AttachedPolicies.length, 6);
    assert.deepEqual(l.AttachedPolicies[0], { PolicyName: 'M0', PolicyArn: arns[0] });
    assert.equal((await call('ListAttachedUserPolicies', { UserName: 'carol', PathPrefix: '/other/' })).AttachedPolicies.length, 0);
    await call('DetachUserPolicy', { UserName: 'carol', PolicyArn: arns[9] });
    await assert.rejects(call('DetachUserPolicy', { UserName: 'carol', PolicyArn: arns[9] }), awsError('NoSuchEntity', `Policy ${arns[9]} was not found.`));
  });

  it('UpdateUser renames and moves: policies, attachments, groups, keys and MFA follow', async () => {
    await call('CreateGroup', { GroupName: 'devs' });
    await call('AddUserToGroup', { GroupName: 'devs', UserName: 'carol' });
    const key = (await call('CreateAccessKey', { UserName: 'carol' })).AccessKey;
    const mfa = (await call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'carol-phone' })).VirtualMFADevice;
    await store.mfaDevices.update(mfa.SerialNumber, { userName: 'carol', enabledAt: new Date() });
    await assert.rejects(call('UpdateUser', { UserName: 'carol', NewUserName: 'ALICE' }), awsError('EntityAlreadyExists', 'User with name ALICE already exists.'));
    await call('UpdateUser', { UserName: 'carol', NewUserName: 'caroline', NewPath: '/ops/' });
    await assert.rejects(call('GetUser', { UserName: 'carol' }), awsError('NoSuchEntity'));
    const u = (await call('GetUser', { UserName: 'caroline' })).User;
    assert.equal(u.Arn, `arn:aws:iam::${TEST_ACCOUNT}:user/ops/caroline`);
    assert.deepEqual((await call('ListUserPolicies', { UserName: 'caroline' })).PolicyNames, ['p1']);
    assert.equal((await call('ListAttachedUserPolicies', { UserName: 'caroline' })).AttachedPolicies.length, 9);
    assert.deepEqual((await call('ListGroupsForUser', { UserName: 'caroline' })).Groups.map((g: any) => g.GroupName), ['devs']);
    assert.deepEqual((await call('ListAccessKeys', { UserName: 'caroline' })).AccessKeyMetadata.map((k: any) => [k.UserName, k.AccessKeyId]), [['caroline', key.AccessKeyId]]);
    assert.deepEqual((await call('ListMFADevices', { UserName: 'caroline' })).MFADevices.map((d: any) => d.SerialNumber), [mfa.SerialNumber]);
    // A case-only rename is not a clash with itself.
    await call('UpdateUser', { UserName: 'caroline', NewUserName: 'Caroline' });
    assert.equal((await call('GetUser', { UserName: 'caroline' })).User.UserName, 'Caroline');
  });

  it('DeleteUser refuses with DeleteConflict until everything is removed, in order', async () => {
    const U = 'Caroline';
    const conflict = (what: string) => awsError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
    await assert.rejects(call('DeleteUser', { UserName: U }), conflict('delete access keys'));
    for (const k of (await call('ListAccessKeys', { UserName: U })).AccessKeyMetadata) await call('DeleteAccessKey', { UserName: U, AccessKeyId: k.AccessKeyId });
    await assert.rejects(call('DeleteUser', { UserName: U }), conflict('delete MFA device'));
    for (const d of (await call('ListMFADevices', { UserName: U })).MFADevices) await call('DeactivateMFADevice', { UserName: U, SerialNumber: d.SerialNumber });
    await assert.rejects(call('DeleteUser', { UserName: U }), conflict('delete policies'));
    await call('DeleteUserPolicy', { UserName: U, PolicyName: 'p1' });
    await assert.rejects(call('DeleteUser', { UserName: U }), conflict('detach all policies'));
    for (const p of (await call('ListAttachedUserPolicies', { UserName: U })).AttachedPolicies) await call('DetachUserPolicy', { UserName: U, PolicyArn: p.PolicyArn });
    await assert.rejects(call('DeleteUser', { UserName: U }), conflict('remove users from group'));
    await call('RemoveUserFromGroup', { GroupName: 'devs', UserName: U });
    await call('DeleteUser', { UserName: U });
    await assert.rejects(call('DeleteUser', { UserName: U }), awsError('NoSuchEntity', `The user with name ${U} cannot be found.`));
  });

  it('pages ListUsers with MaxItems and Marker', async () => {
    for (const n of ['u1', 'u2', 'u3']) await call('CreateUser', { UserName: n, Path: '/page/' });
    const p1 = await call('ListUsers', { PathPrefix: '/page/', MaxItems: 2 });
    assert.deepEqual([p1.IsTruncated, p1.Users.map((u: any) => u.UserName)], [true, ['u1', 'u2']]);
    const p2 = await call('ListUsers', { PathPrefix: '/page/', MaxItems: 2, Marker: p1.Marker });
    assert.deepEqual([p2.IsTruncated, p2.Marker, p2.Users.map((u: any) => u.UserName)], [false, undefined, ['u3']]);
  });
});
