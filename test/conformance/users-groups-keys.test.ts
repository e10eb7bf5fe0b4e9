/**
 * IAM users, groups and access keys, and STS GetCallerIdentity / GetAccessKeyInfo, through the AWS
 * SDK for JavaScript v3 against a real server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOW_ALL, decodeDoc, doc, eventually, expectError, iamClient, startTestServer, stsClient, type Client, type TestServer } from './support/server.js';

let server: TestServer;
let iam: Client;
let sts: Client;
let acct: string;

before(async () => {
  server = await startTestServer();
  iam = await iamClient(server.url, server.root);
  sts = await stsClient(server.url, server.root);
  acct = server.accountId;
});

after(async () => {
  await server?.close();
});

const userArn = (name: string, path = '/') => `arn:aws:iam::${acct}:user${path}${name}`;
const S3_READ = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);

describe('GetCallerIdentity', () => {
  it('identifies the root user', async () => {
    const out = await sts.call('GetCallerIdentity');
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.Account, acct);
    assert.equal(out.UserId, acct);
    assert.equal(out.Arn, `arn:aws:iam::${acct}:root`);
  });
});

describe('users', () => {
  it('CreateUser / GetUser / ListUsers / UpdateUser', async () => {
    const u = (await iam.call('CreateUser', { UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'red' }] })).User;
    assert.equal(u.UserName, 'alice');
    assert.equal(u.Path, '/eng/');
    assert.equal(u.Arn, userArn('alice', '/eng/'));
    assert.match(u.UserId, /^AIDA[A-Z2-7]{16}$/);
    assert.deepEqual(u.Tags, [{ Key: 'team', Value: 'red' }]);
    assert.ok(u.CreateDate instanceof Date);

    const got = (await iam.call('GetUser', { UserName: 'alice' })).User;
    assert.equal(got.UserId, u.UserId);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'red' }]);

    await iam.call('CreateUser', { UserName: 'bob' });
    const eng = await iam.call('ListUsers', { PathPrefix: '/eng/' });
    assert.deepEqual(eng.Users.map((x: any) => x.UserName), ['alice']);
    assert.equal(eng.Users[0].Tags, undefined, 'ListUsers leaves out Tags');
    const page = await iam.call('ListUsers', { MaxItems: 1 });
    assert.equal(page.Users.length, 1);
    assert.equal(page.IsTruncated, true);
    const rest = await iam.call('ListUsers', { Marker: page.Marker });
    assert.deepEqual([...page.Users, ...rest.Users].map((x: any) => x.UserName), ['alice', 'bob']);

    // Root's GetUser without UserName: the root user.
    const me = (await iam.call('GetUser', {})).User;
    assert.equal(me.UserId, acct);
    assert.equal(me.Arn, `arn:aws:iam::${acct}:root`);
    assert.equal(me.UserName, undefined);

    await iam.call('UpdateUser', { UserName: 'bob', NewUserName: 'robert', NewPath: '/ops/' });
    const robert = (await iam.call('GetUser', { UserName: 'robert' })).User;
    assert.equal(robert.Arn, userArn('robert', '/ops/'));
    await expectError(iam.call('GetUser', { UserName: 'bob' }), { name: 'NoSuchEntityException', status: 404, message: 'The user with name bob cannot be found.' });
  });

  it('answers AWS errors', async () => {
    await expectError(iam.call('CreateUser', { UserName: 'ALICE' }), { name: 'EntityAlreadyExistsException', status: 409, message: 'User with name ALICE already exists.' });
    await expectError(iam.call('CreateUser', { UserName: 'no/slash' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'no/slash' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    await expectError(iam.call('UpdateUser', { UserName: 'robert', NewUserName: 'alice' }), { name: 'EntityAlreadyExistsException', status: 409, message: 'User with name alice already exists.' });
    await expectError(iam.call('UpdateUser', { UserName: 'ghost', NewUserName: 'x' }), { name: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });
    await expectError(iam.call('DeleteUser', { UserName: 'ghost' }), { name: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });
  });

  it('tags: TagUser / ListUserTags / UntagUser', async () => {
    await iam.call('TagUser', { UserName: 'alice', Tags: [{ Key: 'env', Value: 'dev' }] });
    const tags = (await iam.call('ListUserTags', { UserName: 'alice' })).Tags.map((t: any) => `${t.Key}=${t.Value}`).sort();
    assert.deepEqual(tags, ['env=dev', 'team=red']);
    await iam.call('UntagUser', { UserName: 'alice', TagKeys: ['env'] });
    assert.deepEqual((await iam.call('ListUserTags', { UserName: 'alice' })).Tags, [{ Key: 'team', Value: 'red' }]);
    await expectError(iam.call('TagUser', { UserName: 'alice', Tags: [{ Key: 'aws:x', Value: '1' }] }), { name: 'InvalidInputException', status: 400, message: 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.' });
    await expectError(iam.call('ListUserTags', { UserName: 'ghost' }), { name: 'NoSuchEntityException', status: 404 });
  });

  it('inline and attached policies and the boundary of a user', async () => {
    await iam.call('PutUserPolicy', { UserName: 'alice', PolicyName: 's3-read', PolicyDocument: S3_READ });
    const got = await iam.call('GetUserPolicy', { UserName: 'alice', PolicyName: 's3-read' });
    assert.equal(got.UserName, 'alice');
    assert.deepEqual(decodeDoc(got.PolicyDocument), JSON.parse(S3_READ));
    assert.deepEqual((await iam.call('ListUserPolicies', { UserName: 'alice' })).PolicyNames, ['s3-read']);
    await expectError(iam.call('GetUserPolicy', { UserName: 'alice', PolicyName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The user policy with name nope cannot be found.' });

    const managed = (await iam.call('CreatePolicy', { PolicyName: 'user-managed', PolicyDocument: ALLOW_ALL })).Policy.Arn;
    await iam.call('AttachUserPolicy', { UserName: 'alice', PolicyArn: managed });
    assert.deepEqual((await iam.call('ListAttachedUserPolicies', { UserName: 'alice' })).AttachedPolicies, [{ PolicyName: 'user-managed', PolicyArn: managed }]);

    const boundary = (await iam.call('CreatePolicy', { PolicyName: 'user-boundary', PolicyDocument: S3_READ })).Policy.Arn;
    await iam.call('PutUserPermissionsBoundary', { UserName: 'alice', PermissionsBoundary: boundary });
    assert.deepEqual((await iam.call('GetUser', { UserName: 'alice' })).User.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundary });
    await iam.call('DeleteUserPermissionsBoundary', { UserName: 'alice' });
    assert.equal((await iam.call('GetUser', { UserName: 'alice' })).User.PermissionsBoundary, undefined);

    // 2,048 characters of inline policy per user.
    const big = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 100 }, (_, i) => `arn:aws:s3:::b${i}/*`) }]);
    await expectError(iam.call('PutUserPolicy', { UserName: 'alice', PolicyName: 'big', PolicyDocument: big }), {
      name: 'LimitExceededException',
      status: 409,
      message: 'Maximum policy size of 2048 bytes exceeded for user alice',
    });
  });

  it("a user's tags are aws:ResourceTag (and iam:ResourceTag) of the calls on that user", async () => {
    // "Controlling access to IAM users and roles" by their tags (access_iam-tags.html).
    await iam.call('CreateUser', { UserName: 'tag-admin' });
    await iam.call('PutUserPolicy', {
      UserName: 'tag-admin',
      PolicyName: 'red-team-only',
      PolicyDocument: doc([
        { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUserTags'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'red' } } },
        { Effect: 'Allow', Action: 'iam:PutUserPolicy', Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/team': 'red' } } },
      ]),
    });
    const k = (await iam.call('CreateAccessKey', { UserName: 'tag-admin' })).AccessKey;
    const admin = await iamClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    await iam.call('CreateUser', { UserName: 'red-dev', Path: '/dev/', Tags: [{ Key: 'team', Value: 'red' }] });
    await iam.call('CreateUser', { UserName: 'blue-dev', Path: '/dev/', Tags: [{ Key: 'team', Value: 'blue' }] });
    assert.equal((await admin.call('GetUser', { UserName: 'red-dev' })).User.UserName, 'red-dev');
    assert.deepEqual((await admin.call('ListUserTags', { UserName: 'red-dev' })).Tags, [{ Key: 'team', Value: 'red' }]);
    await admin.call('PutUserPolicy', { UserName: 'red-dev', PolicyName: 'p', PolicyDocument: S3_READ });
    const denied = (action: string) => ({ name: 'AccessDenied', status: 403, message: `User: ${userArn('tag-admin')} is not authorized to perform: iam:${action} on resource: ${userArn('blue-dev', '/dev/')} because no identity-based policy allows the iam:${action} action` });
    await expectError(admin.call('GetUser', { UserName: 'blue-dev' }), denied('GetUser'));
    await expectError(admin.call('PutUserPolicy', { UserName: 'blue-dev', PolicyName: 'p', PolicyDocument: S3_READ }), denied('PutUserPolicy'));
  });

  it('DeleteUser refuses while anything is left, one DeleteConflict at a time', async () => {
    await iam.call('CreateUser', { UserName: 'leaver' });
    const key = (await iam.call('CreateAccessKey', { UserName: 'leaver' })).AccessKey;
    await iam.call('PutUserPolicy', { UserName: 'leaver', PolicyName: 'p', PolicyDocument: S3_READ });
    const managed = (await iam.call('CreatePolicy', { PolicyName: 'leaver-managed', PolicyDocument: S3_READ })).Policy.Arn;
    await iam.call('AttachUserPolicy', { UserName: 'leaver', PolicyArn: managed });
    await iam.call('CreateGroup', { GroupName: 'leavers' });
    await iam.call('AddUserToGroup', { GroupName: 'leavers', UserName: 'leaver' });

    const conflict = (what: string) => ({ name: 'DeleteConflictException', status: 409, message: `Cannot delete entity, must ${what} first.` });
    await expectError(iam.call('DeleteUser', { UserName: 'leaver' }), conflict('delete access keys'));
    await iam.call('DeleteAccessKey', { UserName: 'leaver', AccessKeyId: key.AccessKeyId });
    await expectError(iam.call('DeleteUser', { UserName: 'leaver' }), conflict('delete policies'));
    await iam.call('DeleteUserPolicy', { UserName: 'leaver', PolicyName: 'p' });
    await expectError(iam.call('DeleteUser', { UserName: 'leaver' }), conflict('detach all policies'));
    await iam.call('DetachUserPolicy', { UserName: 'leaver', PolicyArn: managed });
    await expectError(iam.call('DeleteUser', { UserName: 'leaver' }), conflict('remove users from group'));
    await iam.call('RemoveUserFromGroup', { GroupName: 'leavers', UserName: 'leaver' });
    await iam.call('DeleteUser', { UserName: 'leaver' });
    await expectError(iam.call('GetUser', { UserName: 'leaver' }), { name: 'NoSuchEntityException', status: 404 });
  });
});

describe('groups', () => {
  it('CreateGroup / GetGroup / ListGroups / ListGroupsForUser / UpdateGroup / DeleteGroup', async () => {
    const g = (await iam.call('CreateGroup', { GroupName: 'devs', Path: '/eng/' })).Group;
    assert.equal(g.Arn, `arn:aws:iam::${acct}:group/eng/devs`);
    assert.match(g.GroupId, /^AGPA[A-Z2-7]{16}$/);
    await iam.call('AddUserToGroup', { GroupName: 'devs', UserName: 'alice' });
    await iam.call('AddUserToGroup', { GroupName: 'devs', UserName: 'robert' });
    const got = await iam.call('GetGroup', { GroupName: 'devs' });
    assert.equal(got.Group.GroupName, 'devs');
    assert.deepEqual(got.Users.map((u: any) => u.UserName), ['alice', 'robert']);
    assert.equal(got.IsTruncated, false);
    const paged = await iam.call('GetGroup', { GroupName: 'devs', MaxItems: 1 });
    assert.equal(paged.Users.length, 1);
    assert.equal(paged.IsTruncated, true);
    assert.ok(paged.Marker);

    assert.deepEqual((await iam.call('ListGroupsForUser', { UserName: 'alice' })).Groups.map((x: any) => x.GroupName), ['devs']);
    assert.ok((await iam.call('ListGroups', { PathPrefix: '/eng/' })).Groups.some((x: any) => x.GroupName === 'devs'));

    await iam.call('UpdateGroup', { GroupName: 'devs', NewGroupName: 'developers', NewPath: '/platform/' });
    const moved = await iam.call('GetGroup', { GroupName: 'developers' });
    assert.equal(moved.Group.Arn, `arn:aws:iam::${acct}:group/platform/developers`);
    assert.equal(moved.Users.length, 2, 'members follow the rename');

    await expectError(iam.call('CreateGroup', { GroupName: 'DEVELOPERS' }), { name: 'EntityAlreadyExistsException', status: 409, message: 'Group with name DEVELOPERS already exists.' });
    await expectError(iam.call('GetGroup', { GroupName: 'devs' }), { name: 'NoSuchEntityException', status: 404, message: 'The group with name devs cannot be found.' });
    await expectError(iam.call('AddUserToGroup', { GroupName: 'developers', UserName: 'ghost' }), { name: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });

    await expectError(iam.call('DeleteGroup', { GroupName: 'developers' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must remove users from group first.' });
    await iam.call('RemoveUserFromGroup', { GroupName: 'developers', UserName: 'alice' });
    await iam.call('RemoveUserFromGroup', { GroupName: 'developers', UserName: 'robert' });
    await expectError(iam.call('RemoveUserFromGroup', { GroupName: 'developers', UserName: 'robert' }), { name: 'NoSuchEntityException', status: 404 });
    await iam.call('DeleteGroup', { GroupName: 'developers' });
    await expectError(iam.call('GetGroup', { GroupName: 'developers' }), { name: 'NoSuchEntityException', status: 404 });
  });

  it('group inline and attached policies', async () => {
    await iam.call('CreateGroup', { GroupName: 'readers' });
    await iam.call('PutGroupPolicy', { GroupName: 'readers', PolicyName: 's3-read', PolicyDocument: S3_READ });
    const got = await iam.call('GetGroupPolicy', { GroupName: 'readers', PolicyName: 's3-read' });
    assert.equal(got.GroupName, 'readers');
    assert.deepEqual(decodeDoc(got.PolicyDocument), JSON.parse(S3_READ));
    assert.deepEqual((await iam.call('ListGroupPolicies', { GroupName: 'readers' })).PolicyNames, ['s3-read']);
    await expectError(iam.call('GetGroupPolicy', { GroupName: 'readers', PolicyName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The group policy with name nope cannot be found.' });

    const managed = (await iam.call('CreatePolicy', { PolicyName: 'group-managed', PolicyDocument: S3_READ })).Policy.Arn;
    await iam.call('AttachGroupPolicy', { GroupName: 'readers', PolicyArn: managed });
    assert.deepEqual((await iam.call('ListAttachedGroupPolicies', { GroupName: 'readers' })).AttachedPolicies, [{ PolicyName: 'group-managed', PolicyArn: managed }]);
    await expectError(iam.call('DeleteGroup', { GroupName: 'readers' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must delete policies first.' });
    await iam.call('DeleteGroupPolicy', { GroupName: 'readers', PolicyName: 's3-read' });
    await expectError(iam.call('DeleteGroup', { GroupName: 'readers' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must detach all policies first.' });
    await iam.call('DetachGroupPolicy', { GroupName: 'readers', PolicyArn: managed });
    await expectError(iam.call('DetachGroupPolicy', { GroupName: 'readers', PolicyArn: managed }), { name: 'NoSuchEntityException', status: 404, message: `Policy ${managed} was not found.` });
    await iam.call('DeleteGroup', { GroupName: 'readers' });
  });
});

describe('access keys', () => {
  it('creates keys for a user, and the key signs as that user', async () => {
    await iam.call('CreateUser', { UserName: 'keyed', Path: '/svc/' });
    const k = (await iam.call('CreateAccessKey', { UserName: 'keyed' })).AccessKey;
    assert.equal(k.UserName, 'keyed');
    assert.match(k.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(k.SecretAccessKey.length, 40);
    assert.equal(k.Status, 'Active');

    const asUser = await stsClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    const id = await asUser.call('GetCallerIdentity');
    const user = (await iam.call('GetUser', { UserName: 'keyed' })).User;
    assert.equal(id.Arn, userArn('keyed', '/svc/'));
    assert.equal(id.UserId, user.UserId);
    assert.equal(id.Account, acct);

    // GetAccessKeyInfo answers the owning account.
    assert.equal((await sts.call('GetAccessKeyInfo', { AccessKeyId: k.AccessKeyId })).Account, acct);
    await expectError(sts.call('GetAccessKeyInfo', { AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }), { name: 'InvalidClientTokenId', status: 403, message: 'The access key ID provided does not exist in our records.' });

    // Last use is recorded (written off the request path, so allow it a moment).
    await eventually(async () => {
      const last = await iam.call('GetAccessKeyLastUsed', { AccessKeyId: k.AccessKeyId });
      assert.equal(last.UserName, 'keyed');
      assert.equal(last.AccessKeyLastUsed.ServiceName, 'sts');
      assert.equal(last.AccessKeyLastUsed.Region, 'us-east-1');
      assert.ok(last.AccessKeyLastUsed.LastUsedDate instanceof Date);
    });
  });

  it('lists, deactivates, caps at two per user, deletes', async () => {
    const second = (await iam.call('CreateAccessKey', { UserName: 'keyed' })).AccessKey;
    const never = await iam.call('GetAccessKeyLastUsed', { AccessKeyId: second.AccessKeyId });
    assert.deepEqual(never.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });
    await expectError(iam.call('CreateAccessKey', { UserName: 'keyed' }), { name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });

    const listed = (await iam.call('ListAccessKeys', { UserName: 'keyed' })).AccessKeyMetadata;
    assert.equal(listed.length, 2);
    for (const m of listed) {
      assert.equal(m.UserName, 'keyed');
      assert.equal(m.SecretAccessKey, undefined, 'secrets are never listed');
      assert.equal(m.Status, 'Active');
    }
    await iam.call('UpdateAccessKey', { UserName: 'keyed', AccessKeyId: second.AccessKeyId, Status: 'Inactive' });
    const after = (await iam.call('ListAccessKeys', { UserName: 'keyed' })).AccessKeyMetadata.find((m: any) => m.AccessKeyId === second.AccessKeyId);
    assert.equal(after.Status, 'Inactive');
    await expectError(iam.call('UpdateAccessKey', { UserName: 'keyed', AccessKeyId: second.AccessKeyId, Status: 'Sleeping' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'Sleeping' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
    });
    await iam.call('DeleteAccessKey', { UserName: 'keyed', AccessKeyId: second.AccessKeyId });
    await expectError(iam.call('DeleteAccessKey', { UserName: 'keyed', AccessKeyId: second.AccessKeyId }), {
      name: 'NoSuchEntityException',
      status: 404,
      message: `The Access Key with id ${second.AccessKeyId} cannot be found.`,
    });
    await expectError(iam.call('ListAccessKeys', { UserName: 'ghost' }), { name: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });
  });

  it("root without UserName acts on the root user's keys", async () => {
    const keys = (await iam.call('ListAccessKeys', {})).AccessKeyMetadata;
    assert.ok(keys.some((k: any) => k.AccessKeyId === server.root.accessKeyId));
    for (const k of keys) assert.equal(k.UserName, undefined);
  });

  it("a user without UserName acts on the user's own keys", async () => {
    await iam.call('CreateUser', { UserName: 'self-service' });
    await iam.call('PutUserPolicy', { UserName: 'self-service', PolicyName: 'own-keys', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:ListAccessKeys', 'iam:GetUser'], Resource: userArn('self-service') }]) });
    const k = (await iam.call('CreateAccessKey', { UserName: 'self-service' })).AccessKey;
    const asUser = await iamClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    const mine = (await asUser.call('ListAccessKeys', {})).AccessKeyMetadata;
    assert.deepEqual(mine.map((m: any) => [m.UserName, m.AccessKeyId]), [['self-service', k.AccessKeyId]]);
    assert.equal((await asUser.call('GetUser', {})).User.UserName, 'self-service');
  });
});
