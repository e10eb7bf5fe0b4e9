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

const create = (RoleName: string, extra: Record<string, unknown> = {}) => h.call('CreateRole', { RoleName, AssumeRolePolicyDocument: TRUST_EC2, ...extra });

async function managedPolicy(name: string): Promise<string> {
  const r = await h.call('CreatePolicy', { PolicyName: name, PolicyDocument: allow('s3:GetObject') });
  return r.Policy.Arn;
}

describe('CreateRole', () => {
  it('creates a role and returns the CreateRole subset of Role', async () => {
    const r = await create('app', { Path: '/svc/', Description: 'd', Tags: [{ Key: 'team', Value: 'a' }] });
    assert.match(r.Role.RoleId, /^AROA[A-Z2-7]{16}$/);
    assert.deepEqual(r.Role, {
      Path: '/svc/',
      RoleName: 'app',
      RoleId: r.Role.RoleId,
      Arn: 'arn:aws:iam::123456789012:role/svc/app',
      CreateDate: h.clock.now(),
      AssumeRolePolicyDocument: TRUST_EC2,
      Tags: [{ Key: 'team', Value: 'a' }],
    });
  });

  it('GetRole returns everything, RoleLastUsed always present', async () => {
    const boundary = await managedPolicy('boundary');
    await create('app', { Description: 'hello', MaxSessionDuration: 7200, PermissionsBoundary: boundary });
    const { Role } = await h.call('GetRole', { RoleName: 'APP' });
    assert.equal(Role.RoleName, 'app');
    assert.equal(Role.Path, '/');
    assert.equal(Role.Description, 'hello');
    assert.equal(Role.MaxSessionDuration, 7200);
    assert.deepEqual(Role.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundary });
    assert.deepEqual(Role.RoleLastUsed, {});
    assert.equal(Role.Tags, undefined);
    // Last use comes from the audit trail's records (one that uses the role by its unique id).
    const date = new Date(Date.UTC(2026, 0, 2));
    const use = { kind: 'role' as const, id: Role.RoleId as string, date, region: 'eu-west-1', service: 'sts' };
    await h.store.audit.append([{ eventId: 'e-1', accountId: '123456789012', eventTime: date, eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', readOnly: true, resources: [], json: '{}', uses: [use] }]);
    const again = await h.call('GetRole', { RoleName: 'app' });
    assert.deepEqual(again.Role.RoleLastUsed, { LastUsedDate: new Date(Date.UTC(2026, 0, 2)), Region: 'eu-west-1' });
  });

  it('defaults MaxSessionDuration to 3600 and Path to /', async () => {
    await create('app');
    const { Role } = await h.call('GetRole', { RoleName: 'app' });
    assert.equal(Role.MaxSessionDuration, 3600);
    assert.equal(Role.Arn, 'arn:aws:iam::123456789012:role/app');
  });

  it('refuses a duplicate name, case-insensitively', async () => {
    await create('app');
    await rejectsWith(create('APP'), 'EntityAlreadyExists', 'Role with name APP already exists.');
  });

  it('validates the request against the model', async () => {
    await rejectsWith(create('a b'), 'ValidationError', "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    await rejectsWith(create('r'.repeat(65)), 'ValidationError', `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`);
    await rejectsWith(create('app', { Path: 'nope' }), 'ValidationError', "1 validation error detected: Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
    await rejectsWith(create('app', { MaxSessionDuration: 3599 }), 'ValidationError', "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
    await rejectsWith(create('app', { MaxSessionDuration: 43201 }), 'ValidationError', "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200");
    await rejectsWith(create('app', { Description: 'x'.repeat(1001) }), 'ValidationError', /at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000$/);
    await rejectsWith(h.call('CreateRole', { RoleName: 'app' }), 'ValidationError', "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null");
    await rejectsWith(create('a b', { MaxSessionDuration: 1 }), 'ValidationError', /^2 validation errors detected: Value 'a b' at 'roleName' .*; Value '1' at 'maxSessionDuration' /);
  });

  it('validates tags as IAM does', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(create('app', { Tags: tags }), 'ValidationError', "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    await rejectsWith(create('app', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }), 'InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    await rejectsWith(create('app', { Tags: [{ Key: 'k'.repeat(129), Value: '' }] }), 'ValidationError', "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128");
    await rejectsWith(create('app', { Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }), 'ValidationError', "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256");
    await rejectsWith(
      create('app', { Tags: [{ Key: 'bad#', Value: '' }] }),
      'ValidationError',
      "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
    );
  });

  it('validates the trust policy (grammar and ACLSizePerRole)', async () => {
    await rejectsWith(create('app', { AssumeRolePolicyDocument: 'not json' }), 'MalformedPolicyDocument', 'This policy contains invalid Json');
    const badAction = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 's3:GetObject' }] });
    await rejectsWith(create('app', { AssumeRolePolicyDocument: badAction }), 'MalformedPolicyDocument', 'AssumeRole policy may only specify STS AssumeRole actions.');
    const withResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }] });
    await rejectsWith(create('app', { AssumeRolePolicyDocument: withResource }), 'MalformedPolicyDocument', 'Has prohibited field Resource');
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(2000) } } }],
    });
    await rejectsWith(create('app', { AssumeRolePolicyDocument: big }), 'LimitExceeded', 'Cannot exceed quota for ACLSizePerRole: 2048');
  });

  it('requires the boundary to be an existing managed policy', async () => {
    await rejectsWith(create('app', { PermissionsBoundary: 'arn:aws:iam::123456789012:not_a_policy/invalid' }), 'InvalidInput', 'ARN arn:aws:iam::123456789012:not_a_policy/invalid is not valid.');
    await rejectsWith(
      create('app', { PermissionsBoundary: 'arn:aws:iam::123456789012:policy/nonexistent-policy' }),
      'NoSuchEntity',
      'Scope ARN: arn:aws:iam::123456789012:policy/nonexistent-policy does not exist or is not attachable.',
    );
  });

  it('authorizes against the ARN built from the input and passes request tags and the boundary', () => {
    const input = { RoleName: 'app', Path: '/a/', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'team', Value: 'x' }], PermissionsBoundary: 'arn:aws:iam::123456789012:policy/b' };
    assert.deepEqual(op('CreateRole').resources(input, h.ctx), ['arn:aws:iam::123456789012:role/a/app']);
    assert.deepEqual(op('CreateRole').conditionKeys?.(input, h.ctx), {
      'aws:TagKeys': ['team'],
      'aws:RequestTag/team': 'x',
      'iam:PermissionsBoundary': 'arn:aws:iam::123456789012:policy/b',
    });
  });
});

describe('ListRoles', () => {
  it('filters by PathPrefix, pages with MaxItems/Marker and returns the list subset', async () => {
    for (const n of ['r1', 'r2', 'r3', 'r4', 'r5']) await create(n, { Path: '/p/', Tags: [{ Key: 'k', Value: 'v' }], Description: `role ${n}` });
    await create('other');
    const first = await h.call('ListRoles', { PathPrefix: '/p/', MaxItems: 2 });
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(
      first.Roles.map((r: { RoleName: string }) => r.RoleName),
      ['r1', 'r2'],
    );
    assert.deepEqual(Object.keys(first.Roles[0]).sort(), ['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'Description', 'MaxSessionDuration', 'Path', 'RoleId', 'RoleName']);
    const rest = await h.call('ListRoles', { PathPrefix: '/p/', Marker: first.Marker });
    assert.equal(rest.IsTruncated, false);
    assert.equal(rest.Marker, undefined);
    assert.deepEqual(
      rest.Roles.map((r: { RoleName: string }) => r.RoleName),
      ['r3', 'r4', 'r5'],
    );
    assert.equal((await h.call('ListRoles', {})).Roles.length, 6);
    assert.deepEqual((await h.call('ListRoles', { PathPrefix: '/none/' })).Roles, []);
    await rejectsWith(h.call('ListRoles', { MaxItems: 0 }), 'ValidationError', "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await rejectsWith(h.call('ListRoles', { MaxItems: 1001 }), 'ValidationError', "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000");
    assert.deepEqual(op('ListRoles').resources({}, h.ctx), ['*']);
  });
});

describe('UpdateRole / UpdateRoleDescription / UpdateAssumeRolePolicy', () => {
  it('updates only what is given', async () => {
    await create('app', { Description: 'initial' });
    assert.deepEqual(await h.call('UpdateRole', { RoleName: 'app', Description: 'updated', MaxSessionDuration: 7200 }), {});
    let { Role } = await h.call('GetRole', { RoleName: 'app' });
    assert.equal(Role.Description, 'updated');
    assert.equal(Role.MaxSessionDuration, 7200);
    await h.call('UpdateRole', { RoleName: 'app' });
    ({ Role } = await h.call('GetRole', { RoleName: 'app' }));
    assert.equal(Role.Description, 'updated');
    assert.equal(Role.MaxSessionDuration, 7200);
    await rejectsWith(h.call('UpdateRole', { RoleName: 'nope', Description: 'x' }), 'NoSuchEntity', 'The role with name nope cannot be found.');
    await rejectsWith(h.call('UpdateRole', { RoleName: 'app', MaxSessionDuration: 50000 }), 'ValidationError', /maxSessionDuration/);
  });

  it('UpdateRoleDescription returns the role with its new description', async () => {
    await create('app');
    const r = await h.call('UpdateRoleDescription', { RoleName: 'app', Description: 'via update' });
    assert.equal(r.Role.Description, 'via update');
    assert.equal(r.Role.MaxSessionDuration, undefined);
    assert.equal(r.Role.RoleLastUsed, undefined);
    assert.equal((await h.call('GetRole', { RoleName: 'app' })).Role.Description, 'via update');
  });

  it('UpdateAssumeRolePolicy validates and replaces the trust policy', async () => {
    await create('app');
    await rejectsWith(h.call('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: 'not valid json' }), 'MalformedPolicyDocument', 'This policy contains invalid Json');
    const lambda = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] });
    assert.deepEqual(await h.call('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: lambda }), {});
    assert.equal((await h.call('GetRole', { RoleName: 'app' })).Role.AssumeRolePolicyDocument, lambda);
    await rejectsWith(h.call('UpdateAssumeRolePolicy', { RoleName: 'nope', PolicyDocument: lambda }), 'NoSuchEntity', 'The role with name nope cannot be found.');
  });
});

describe('DeleteRole', () => {
  it('refuses while the role is in an instance profile, has attached or inline policies', async () => {
    await create('app');
    await h.store.instanceProfiles.create({ accountId: '123456789012', name: 'prof', path: '/', id: 'AIPAEXAMPLEEXAMPLE01', arn: 'arn:aws:iam::123456789012:instance-profile/prof', createdAt: h.clock.now(), roleNames: ['app'], tags: [] });
    await rejectsWith(h.call('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
    await h.store.instanceProfiles.update('123456789012', 'prof', { roleNames: [] });

    const arn = await managedPolicy('p');
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: arn });
    await rejectsWith(h.call('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await h.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: arn });

    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: allow('s3:*') });
    await rejectsWith(h.call('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'inline' });

    assert.deepEqual(await h.call('DeleteRole', { RoleName: 'app' }), {});
    await rejectsWith(h.call('GetRole', { RoleName: 'app' }), 'NoSuchEntity', 'The role with name app cannot be found.');
    await rejectsWith(h.call('DeleteRole', { RoleName: 'app' }), 'NoSuchEntity', 'The role with name app cannot be found.');
  });

  it('keeps the permissions boundary from blocking deletion', async () => {
    await create('app', { PermissionsBoundary: await managedPolicy('b') });
    assert.deepEqual(await h.call('DeleteRole', { RoleName: 'app' }), {});
  });
});

describe('role tags', () => {
  it('tags, retags case-insensitively, untags and lists with paging', async () => {
    await create('app');
    await h.call('TagRole', { RoleName: 'app', Tags: [{ Key: 'somekey', Value: 'somevalue' }, { Key: 'someotherkey', Value: 'someothervalue' }] });
    await h.call('TagRole', { RoleName: 'app', Tags: [{ Key: 'SomeKey', Value: 'updatedvalue' }] });
    let list = await h.call('ListRoleTags', { RoleName: 'app' });
    assert.deepEqual(list, { Tags: [{ Key: 'somekey', Value: 'updatedvalue' }, { Key: 'someotherkey', Value: 'someothervalue' }], IsTruncated: false });
    const page = await h.call('ListRoleTags', { RoleName: 'app', MaxItems: 1 });
    assert.equal(page.IsTruncated, true);
    assert.deepEqual((await h.call('ListRoleTags', { RoleName: 'app', Marker: page.Marker })).Tags, [{ Key: 'someotherkey', Value: 'someothervalue' }]);
    await h.call('UntagRole', { RoleName: 'app', TagKeys: ['SOMEKEY'] });
    list = await h.call('ListRoleTags', { RoleName: 'app' });
    assert.deepEqual(list.Tags, [{ Key: 'someotherkey', Value: 'someothervalue' }]);
    assert.deepEqual((await h.call('GetRole', { RoleName: 'app' })).Role.Tags, [{ Key: 'someotherkey', Value: 'someothervalue' }]);
  });

  it('refuses more than 50 tags on the role, bad tag keys and unknown roles', async () => {
    await create('app', { Tags: Array.from({ length: 45 }, (_, i) => ({ Key: `k${i}`, Value: '' })) });
    await rejectsWith(
      h.call('TagRole', { RoleName: 'app', Tags: Array.from({ length: 6 }, (_, i) => ({ Key: `n${i}`, Value: '' })) }),
      'LimitExceeded',
      'The number of tags has reached the maximum limit.',
    );
    await rejectsWith(h.call('TagRole', { RoleName: 'nope', Tags: [{ Key: 'a', Value: 'b' }] }), 'NoSuchEntity', 'The role with name nope cannot be found.');
    await rejectsWith(h.call('UntagRole', { RoleName: 'nope', TagKeys: ['a'] }), 'NoSuchEntity', 'The role with name nope cannot be found.');
    await rejectsWith(h.call('ListRoleTags', { RoleName: 'nope' }), 'NoSuchEntity', 'The role with name nope cannot be found.');
    await rejectsWith(
      h.call('UntagRole', { RoleName: 'app', TagKeys: ['bad#'] }),
      'ValidationError',
      "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
    );
    await rejectsWith(
      h.call('UntagRole', { RoleName: 'app', TagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) }),
      'ValidationError',
      "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  });

  it('passes aws:TagKeys and request tags to the authorizer', () => {
    assert.deepEqual(op('TagRole').conditionKeys?.({ RoleName: 'app', Tags: [{ Key: 'k', Value: 'v' }] }, h.ctx), { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' });
    assert.deepEqual(op('UntagRole').conditionKeys?.({ RoleName: 'app', TagKeys: ['k'] }, h.ctx), { 'aws:TagKeys': ['k'] });
  });
});

describe('permissions boundary', () => {
  it('puts and deletes a boundary', async () => {
    await create('app');
    const arn = await managedPolicy('boundary');
    await h.call('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: arn });
    assert.equal((await h.call('GetRole', { RoleName: 'app' })).Role.PermissionsBoundary.PermissionsBoundaryArn, arn);
    assert.equal((await h.call('ListRoles', {})).Roles[0].PermissionsBoundary, undefined);
    assert.equal((await h.call('GetPolicy', { PolicyArn: arn })).Policy.PermissionsBoundaryUsageCount, 1);
    await h.call('DeleteRolePermissionsBoundary', { RoleName: 'app' });
    assert.equal((await h.call('GetRole', { RoleName: 'app' })).Role.PermissionsBoundary, undefined);
  });

  it('reports IAM errors for bad boundaries and unknown roles', async () => {
    await create('app');
    await rejectsWith(
      h.call('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: 'arn:aws:iam::123456789012:not_a_policy/invalid' }),
      'InvalidInput',
      'ARN arn:aws:iam::123456789012:not_a_policy/invalid is not valid.',
    );
    await rejectsWith(
      h.call('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: 'arn:aws:iam::123456789012:policy/nonexistent-policy' }),
      'NoSuchEntity',
      'Scope ARN: arn:aws:iam::123456789012:policy/nonexistent-policy does not exist or is not attachable.',
    );
    await rejectsWith(
      h.call('PutRolePermissionsBoundary', { RoleName: 'nonexistent-role', PermissionsBoundary: await managedPolicy('b') }),
      'NoSuchEntity',
      'The role with name nonexistent-role cannot be found.',
    );
  });
});

describe('authorization facts', () => {
  it('resolves the role ARN with its path, its tags and its current boundary', async () => {
    const boundary = await managedPolicy('b');
    await create('app', { Path: '/team/', Tags: [{ Key: 'env', Value: 'prod' }], PermissionsBoundary: boundary });
    const getRole = op('GetRole');
    assert.deepEqual(getRole.resources({ RoleName: 'app' }, h.ctx), ['arn:aws:iam::123456789012:role/app']);
    const resolved = await getRole.resolveAuthorization?.({ RoleName: 'app' }, h.ctx);
    assert.deepEqual(resolved, { resources: ['arn:aws:iam::123456789012:role/team/app'], conditionKeys: { 'aws:ResourceTag/env': 'prod', 'iam:ResourceTag/env': 'prod' } });
    const attach = await op('AttachRolePolicy').resolveAuthorization?.({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/X' }, h.ctx);
    assert.equal(attach?.conditionKeys['iam:PermissionsBoundary'], boundary);
    assert.equal(attach?.conditionKeys['iam:PolicyARN'], 'arn:aws:iam::aws:policy/X');
    const put = await op('PutRolePermissionsBoundary').resolveAuthorization?.({ RoleName: 'app', PermissionsBoundary: 'arn:aws:iam::123456789012:policy/new' }, h.ctx);
    assert.equal(put?.conditionKeys['iam:PermissionsBoundary'], 'arn:aws:iam::123456789012:policy/new');
    // A missing role still yields an ARN to authorize (the operation then answers NoSuchEntity).
    assert.deepEqual((await getRole.resolveAuthorization?.({ RoleName: 'ghost' }, h.ctx))?.resources, ['arn:aws:iam::123456789012:role/ghost']);
  });
});
