/**
 * Every request is authorized as AWS authorizes it: IAM users with access keys and narrow
 * policies call through the AWS SDK for JavaScript v3; allowed calls work, others fail with
 * AccessDenied in AWS's wording and change nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { doc, expectError, iamClient, startTestServer, stsClient, TRUST_EC2, type Client, type Credentials, type TestServer } from './support/server.js';

let server: TestServer;
let root: Client;
let acct: string;

before(async () => {
  server = await startTestServer();
  root = await iamClient(server.url, server.root);
  acct = server.accountId;
});

after(async () => {
  await server?.close();
});

const arn = (kind: string, name: string, path = '/') => `arn:aws:iam::${acct}:${kind}${path}${name}`;

/** A user with one access key and the given inline policy; returns an IAM client signing as it. */
async function userWith(name: string, policy?: string, opts: { path?: string; boundary?: string } = {}): Promise<{ iam: Client; creds: Credentials; arn: string }> {
  await root.call('CreateUser', { UserName: name, ...(opts.path ? { Path: opts.path } : {}), ...(opts.boundary ? { PermissionsBoundary: opts.boundary } : {}) });
  if (policy) await root.call('PutUserPolicy', { UserName: name, PolicyName: 'inline', PolicyDocument: policy });
  const k = (await root.call('CreateAccessKey', { UserName: name })).AccessKey;
  const creds = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
  return { iam: await iamClient(server.url, creds), creds, arn: arn('user', name, opts.path ?? '/') };
}

const notAuthorized = (userArn: string, action: string, resource: string) =>
  `User: ${userArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe('identity-based policies', () => {
  it('an allowed call works; a disallowed one is AccessDenied (403) and changes nothing', async () => {
    await root.call('CreateRole', { RoleName: 'existing', AssumeRolePolicyDocument: TRUST_EC2 });
    const dev = await userWith('dev', doc([{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' }]));

    assert.equal((await dev.iam.call('GetRole', { RoleName: 'existing' })).Role.RoleName, 'existing');
    assert.ok((await dev.iam.call('ListRoles', {})).Roles.length >= 1);

    const e = await expectError(dev.iam.call('CreateRole', { RoleName: 'X', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'AccessDenied',
      status: 403,
      message: notAuthorized(dev.arn, 'iam:CreateRole', arn('role', 'X')),
    });
    assert.equal(e.Error?.Type, 'Sender');
    assert.equal(e.Error?.Code, 'AccessDenied');
    await expectError(root.call('GetRole', { RoleName: 'X' }), { name: 'NoSuchEntityException', status: 404 });

    await expectError(dev.iam.call('DeleteRole', { RoleName: 'existing' }), { name: 'AccessDenied', status: 403, message: notAuthorized(dev.arn, 'iam:DeleteRole', arn('role', 'existing')) });
    assert.equal((await root.call('GetRole', { RoleName: 'existing' })).Role.RoleName, 'existing');

    // Account-wide lists are authorized against "*".
    await expectError(dev.iam.call('ListUsers', {}), { name: 'AccessDenied', status: 403, message: notAuthorized(dev.arn, 'iam:ListUsers', '*') });
  });

  it('authorization comes before NoSuchEntity: an unauthorized caller learns nothing', async () => {
    const nosy = await userWith('nosy');
    await expectError(nosy.iam.call('GetRole', { RoleName: 'does-not-exist' }), { name: 'AccessDenied', status: 403, message: notAuthorized(nosy.arn, 'iam:GetRole', arn('role', 'does-not-exist')) });
  });

  it('an explicit deny wins over an allow', async () => {
    const ops = await userWith(
      'ops',
      doc([
        { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:DeleteRole', Resource: '*' },
      ]),
    );
    await ops.iam.call('CreateRole', { RoleName: 'keep-me', AssumeRolePolicyDocument: TRUST_EC2 });
    await expectError(ops.iam.call('DeleteRole', { RoleName: 'keep-me' }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${ops.arn} is not authorized to perform: iam:DeleteRole on resource: ${arn('role', 'keep-me')} with an explicit deny in an identity-based policy`,
    });
    assert.equal((await root.call('GetRole', { RoleName: 'keep-me' })).Role.RoleName, 'keep-me');
  });

  it('GetCallerIdentity needs no permission, even under an explicit deny of everything', async () => {
    const denied = await userWith('denied', doc([{ Effect: 'Deny', Action: '*', Resource: '*' }]), { path: '/locked/' });
    const sts = await stsClient(server.url, denied.creds);
    const id = await sts.call('GetCallerIdentity');
    assert.equal(id.Arn, arn('user', 'denied', '/locked/'));
    assert.match(id.UserId, /^AIDA/);
    await expectError(denied.iam.call('GetUser', {}), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${denied.arn} is not authorized to perform: iam:GetUser on resource: ${denied.arn} with an explicit deny in an identity-based policy`,
    });
  });

  it('a policy change applies to the very next request', async () => {
    const late = await userWith('late');
    await expectError(late.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403 });
    await root.call('PutUserPolicy', { UserName: 'late', PolicyName: 'now', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }]) });
    await late.iam.call('ListRoles', {});
    await root.call('DeleteUserPolicy', { UserName: 'late', PolicyName: 'now' });
    await expectError(late.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403 });
  });
});

describe('permissions boundary', () => {
  it('limits a user whose identity policy allows everything', async () => {
    const boundary = (await root.call('CreatePolicy', { PolicyName: 'read-only-iam', PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }]) })).Policy.Arn;
    const bounded = await userWith('bounded', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), { boundary });
    await bounded.iam.call('ListRoles', {});
    await bounded.iam.call('GetRole', { RoleName: 'existing' });
    await expectError(bounded.iam.call('CreateRole', { RoleName: 'escape', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${bounded.arn} is not authorized to perform: iam:CreateRole on resource: ${arn('role', 'escape')} because no permissions boundary allows the iam:CreateRole action`,
    });
    await expectError(root.call('GetRole', { RoleName: 'escape' }), { name: 'NoSuchEntityException', status: 404 });
    // The boundary grants nothing by itself.
    await root.call('DeleteUserPolicy', { UserName: 'bounded', PolicyName: 'inline' });
    await expectError(bounded.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403, message: notAuthorized(bounded.arn, 'iam:ListRoles', '*') });
  });

  it('iam:PermissionsBoundary conditions who may create what', async () => {
    const boundary = arn('policy', 'read-only-iam');
    const admin = await userWith(
      'delegated-admin',
      doc([{ Effect: 'Allow', Action: 'iam:CreateRole', Resource: '*', Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } } }]),
    );
    await expectError(admin.iam.call('CreateRole', { RoleName: 'unbounded', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'AccessDenied',
      status: 403,
      message: notAuthorized(admin.arn, 'iam:CreateRole', arn('role', 'unbounded')),
    });
    const r = (await admin.iam.call('CreateRole', { RoleName: 'bounded-role', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: boundary })).Role;
    assert.equal(r.PermissionsBoundary?.PermissionsBoundaryArn ?? (await root.call('GetRole', { RoleName: 'bounded-role' })).Role.PermissionsBoundary.PermissionsBoundaryArn, boundary);
  });
});

describe('group policies', () => {
  it("a group's policy grants its members, until they leave", async () => {
    await root.call('CreateGroup', { GroupName: 'role-readers' });
    await root.call('PutGroupPolicy', { GroupName: 'role-readers', PolicyName: 'list', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }]) });
    const member = await userWith('member');
    await expectError(member.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403 });
    await root.call('AddUserToGroup', { GroupName: 'role-readers', UserName: 'member' });
    await member.iam.call('ListRoles', {});
    // Attached managed policies of the group count too.
    const p = (await root.call('CreatePolicy', { PolicyName: 'group-get-role', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }]) })).Policy.Arn;
    await root.call('AttachGroupPolicy', { GroupName: 'role-readers', PolicyArn: p });
    await member.iam.call('GetRole', { RoleName: 'existing' });
    await root.call('RemoveUserFromGroup', { GroupName: 'role-readers', UserName: 'member' });
    await expectError(member.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403, message: notAuthorized(member.arn, 'iam:ListRoles', '*') });
  });
});

describe('path-scoped resources', () => {
  it('a policy on role/team/* allows roles under /team/ and denies others', async () => {
    const lead = await userWith(
      'team-lead',
      doc([{ Effect: 'Allow', Action: ['iam:CreateRole', 'iam:GetRole', 'iam:DeleteRole', 'iam:TagRole'], Resource: `arn:aws:iam::${acct}:role/team/*` }]),
    );
    const created = (await lead.iam.call('CreateRole', { RoleName: 'team-app', Path: '/team/', AssumeRolePolicyDocument: TRUST_EC2 })).Role;
    assert.equal(created.Arn, arn('role', 'team-app', '/team/'));
    // GetRole names the role only; the resource is its full ARN, stored path included.
    assert.equal((await lead.iam.call('GetRole', { RoleName: 'team-app' })).Role.Path, '/team/');
    await lead.iam.call('TagRole', { RoleName: 'team-app', Tags: [{ Key: 'k', Value: 'v' }] });

    await expectError(lead.iam.call('CreateRole', { RoleName: 'outsider', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'AccessDenied',
      status: 403,
      message: notAuthorized(lead.arn, 'iam:CreateRole', arn('role', 'outsider')),
    });
    await expectError(lead.iam.call('CreateRole', { RoleName: 'other-team', Path: '/other/', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'AccessDenied',
      status: 403,
      message: notAuthorized(lead.arn, 'iam:CreateRole', arn('role', 'other-team', '/other/')),
    });
    await expectError(root.call('GetRole', { RoleName: 'outsider' }), { name: 'NoSuchEntityException', status: 404 });
    await expectError(lead.iam.call('GetRole', { RoleName: 'existing' }), { name: 'AccessDenied', status: 403, message: notAuthorized(lead.arn, 'iam:GetRole', arn('role', 'existing')) });
    await expectError(lead.iam.call('DeleteRole', { RoleName: 'keep-me' }), { name: 'AccessDenied', status: 403, message: notAuthorized(lead.arn, 'iam:DeleteRole', arn('role', 'keep-me')) });
    await lead.iam.call('DeleteRole', { RoleName: 'team-app' });
  });

  it('conditions on request tags (aws:RequestTag, aws:TagKeys)', async () => {
    const tagger = await userWith(
      'tagger',
      doc([{ Effect: 'Allow', Action: 'iam:CreateRole', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'red' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } }]),
    );
    await tagger.iam.call('CreateRole', { RoleName: 'red-role', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'team', Value: 'red' }] });
    await expectError(tagger.iam.call('CreateRole', { RoleName: 'blue-role', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'team', Value: 'blue' }] }), { name: 'AccessDenied', status: 403 });
    await expectError(tagger.iam.call('CreateRole', { RoleName: 'extra-tag', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'team', Value: 'red' }, { Key: 'cost', Value: '1' }] }), { name: 'AccessDenied', status: 403 });
    await expectError(tagger.iam.call('CreateRole', { RoleName: 'untagged', AssumeRolePolicyDocument: TRUST_EC2 }), { name: 'AccessDenied', status: 403 });
  });
});
