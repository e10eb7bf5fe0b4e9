/**
 * Restart persistence: everything created through the API is there after the server is closed
 * and a new one started on the same data directory; the user's key and the fixed root keys still
 * sign.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ALLOW_ALL, decodeDoc, doc, eventually, expectError, iamClient, startTestServer, stsClient, tempDir, TRUST_EC2, type Credentials, type TestServer } from './support/server.js';

let server: TestServer;
let dataDir: string;

before(async () => {
  dataDir = tempDir('persist');
  server = await startTestServer({ dataDir });
});

after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const S3_READ = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }]);
const S3_ALL = doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);

describe('restart on the same data dir', () => {
  it('keeps roles, users, groups, keys, policies and profiles; keys still sign', async () => {
    const acct = server.accountId;
    let iam = await iamClient(server.url, server.root);

    const boundary = (await iam.call('CreatePolicy', { PolicyName: 'boundary', PolicyDocument: S3_ALL, Description: 'the boundary', Tags: [{ Key: 'p', Value: '1' }] })).Policy.Arn;
    await iam.call('CreatePolicyVersion', { PolicyArn: boundary, PolicyDocument: S3_READ, SetAsDefault: true });
    const role = (
      await iam.call('CreateRole', {
        RoleName: 'durable',
        Path: '/keep/',
        AssumeRolePolicyDocument: TRUST_EC2,
        Description: 'survives restarts',
        MaxSessionDuration: 7200,
        PermissionsBoundary: boundary,
        Tags: [{ Key: 'team', Value: 'red' }],
      })
    ).Role;
    await iam.call('PutRolePolicy', { RoleName: 'durable', PolicyName: 'inline', PolicyDocument: S3_READ });
    await iam.call('AttachRolePolicy', { RoleName: 'durable', PolicyArn: boundary });
    await iam.call('CreateInstanceProfile', { InstanceProfileName: 'durable-profile' });
    await iam.call('AddRoleToInstanceProfile', { InstanceProfileName: 'durable-profile', RoleName: 'durable' });

    const user = (await iam.call('CreateUser', { UserName: 'keeper', Path: '/people/', Tags: [{ Key: 'k', Value: 'v' }] })).User;
    await iam.call('PutUserPolicy', { UserName: 'keeper', PolicyName: 'read-roles', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' }]) });
    const key = (await iam.call('CreateAccessKey', { UserName: 'keeper' })).AccessKey;
    const userCreds: Credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const inactive = (await iam.call('CreateAccessKey', { UserName: 'keeper' })).AccessKey;
    await iam.call('UpdateAccessKey', { UserName: 'keeper', AccessKeyId: inactive.AccessKeyId, Status: 'Inactive' });
    await iam.call('CreateGroup', { GroupName: 'keepers' });
    await iam.call('AddUserToGroup', { GroupName: 'keepers', UserName: 'keeper' });
    await iam.call('PutGroupPolicy', { GroupName: 'keepers', PolicyName: 'group-inline', PolicyDocument: ALLOW_ALL });
    const mfa = (await iam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'keeper-phone' })).VirtualMFADevice.SerialNumber;
    // Use the user's key before the restart (records last use).
    await (await stsClient(server.url, userCreds)).call('GetCallerIdentity');
    await eventually(async () => assert.equal((await iam.call('GetAccessKeyLastUsed', { AccessKeyId: key.AccessKeyId })).AccessKeyLastUsed.ServiceName, 'sts'));

    await server.restart();
    assert.equal(server.accountId, acct);
    assert.equal(server.running.root.accessKeyId, server.root.accessKeyId);
    assert.ok(server.port > 0);
    iam = await iamClient(server.url, server.root);

    // The fixed root keys still work.
    const rootId = await (await stsClient(server.url, server.root)).call('GetCallerIdentity');
    assert.equal(rootId.Arn, `arn:aws:iam::${acct}:root`);

    const got = (await iam.call('GetRole', { RoleName: 'durable' })).Role;
    assert.equal(got.RoleId, role.RoleId);
    assert.equal(got.Arn, `arn:aws:iam::${acct}:role/keep/durable`);
    assert.equal(got.Description, 'survives restarts');
    assert.equal(got.MaxSessionDuration, 7200);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'red' }]);
    assert.equal(got.PermissionsBoundary.PermissionsBoundaryArn, boundary);
    assert.equal(got.CreateDate.getTime(), role.CreateDate.getTime());
    assert.deepEqual(decodeDoc(got.AssumeRolePolicyDocument), JSON.parse(TRUST_EC2));
    assert.deepEqual(decodeDoc((await iam.call('GetRolePolicy', { RoleName: 'durable', PolicyName: 'inline' })).PolicyDocument), JSON.parse(S3_READ));
    assert.deepEqual((await iam.call('ListAttachedRolePolicies', { RoleName: 'durable' })).AttachedPolicies, [{ PolicyName: 'boundary', PolicyArn: boundary }]);
    assert.deepEqual((await iam.call('ListInstanceProfilesForRole', { RoleName: 'durable' })).InstanceProfiles.map((p: any) => p.InstanceProfileName), ['durable-profile']);

    const pol = (await iam.call('GetPolicy', { PolicyArn: boundary })).Policy;
    assert.equal(pol.DefaultVersionId, 'v2');
    assert.equal(pol.Description, 'the boundary');
    assert.deepEqual(pol.Tags, [{ Key: 'p', Value: '1' }]);
    assert.equal(pol.AttachmentCount, 1);
    assert.equal(pol.PermissionsBoundaryUsageCount, 1);
    assert.deepEqual(decodeDoc((await iam.call('GetPolicyVersion', { PolicyArn: boundary, VersionId: 'v1' })).PolicyVersion.Document), JSON.parse(S3_ALL));
    // Version ids continue where they were.
    assert.equal((await iam.call('CreatePolicyVersion', { PolicyArn: boundary, PolicyDocument: S3_ALL })).PolicyVersion.VersionId, 'v3');

    const u = (await iam.call('GetUser', { UserName: 'keeper' })).User;
    assert.equal(u.UserId, user.UserId);
    assert.equal(u.Arn, `arn:aws:iam::${acct}:user/people/keeper`);
    assert.deepEqual(u.Tags, [{ Key: 'k', Value: 'v' }]);
    const keys = (await iam.call('ListAccessKeys', { UserName: 'keeper' })).AccessKeyMetadata;
    assert.deepEqual(
      keys.map((k: any) => [k.AccessKeyId, k.Status]).sort(),
      [
        [key.AccessKeyId, 'Active'],
        [inactive.AccessKeyId, 'Inactive'],
      ].sort(),
    );
    assert.equal((await iam.call('GetAccessKeyLastUsed', { AccessKeyId: key.AccessKeyId })).AccessKeyLastUsed.ServiceName, 'sts');
    assert.deepEqual((await iam.call('GetGroup', { GroupName: 'keepers' })).Users.map((x: any) => x.UserName), ['keeper']);
    assert.deepEqual((await iam.call('ListGroupPolicies', { GroupName: 'keepers' })).PolicyNames, ['group-inline']);
    assert.deepEqual((await iam.call('ListVirtualMFADevices', {})).VirtualMFADevices.map((d: any) => d.SerialNumber), [mfa]);

    // The user's key still signs, and its policies still apply.
    const asUser = await iamClient(server.url, userCreds);
    assert.equal((await (await stsClient(server.url, userCreds)).call('GetCallerIdentity')).Arn, `arn:aws:iam::${acct}:user/people/keeper`);
    assert.equal((await asUser.call('GetRole', { RoleName: 'durable' })).Role.RoleName, 'durable');
    // group-inline allows everything, so the user may also create.
    await asUser.call('CreateRole', { RoleName: 'after-restart', AssumeRolePolicyDocument: TRUST_EC2 });
    await iam.call('RemoveUserFromGroup', { GroupName: 'keepers', UserName: 'keeper' });
    await expectError(asUser.call('CreateRole', { RoleName: 'denied-after-restart', AssumeRolePolicyDocument: TRUST_EC2 }), { name: 'AccessDenied', status: 403 });
    // The inactive key stays inactive.
    await expectError((await stsClient(server.url, { accessKeyId: inactive.AccessKeyId, secretAccessKey: inactive.SecretAccessKey })).call('GetCallerIdentity'), {
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });

  it('a second restart keeps what the first restarted server wrote', async () => {
    await server.restart();
    const iam = await iamClient(server.url, server.root);
    assert.equal((await iam.call('GetRole', { RoleName: 'after-restart' })).Role.RoleName, 'after-restart');
    assert.deepEqual((await iam.call('GetGroup', { GroupName: 'keepers' })).Users, []);
    assert.deepEqual(
      (await iam.call('ListPolicyVersions', { PolicyArn: `arn:aws:iam::${server.accountId}:policy/boundary` })).Versions.map((v: any) => v.VersionId).sort(),
      ['v1', 'v2', 'v3'],
    );
  });
});
