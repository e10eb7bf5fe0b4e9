/**
 * Roles, their inline and attached policies, tags and boundaries, through the AWS SDK for
 * JavaScript v3 against a real server: happy paths, AWS's error codes, statuses and messages,
 * model validation, pagination, quotas, delete conflicts, trust-policy principal binding.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOW_ALL, decodeDoc, doc, expectError, iamClient, rawHttp, signForm, startTestServer, TRUST_EC2, xmlError, type Client, type TestServer } from './support/server.js';

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

const roleArn = (name: string, path = '/') => `arn:aws:iam::${acct}:role${path}${name}`;

describe('CreateRole / GetRole', () => {
  it('creates a role with defaults and returns what IAM returns', async () => {
    const out = await iam.call('CreateRole', { RoleName: 'basic', AssumeRolePolicyDocument: TRUST_EC2 });
    const r = out.Role;
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(r.RoleName, 'basic');
    assert.equal(r.Path, '/');
    assert.equal(r.Arn, roleArn('basic'));
    assert.match(r.RoleId, /^AROA[A-Z2-7]{16}$/);
    assert.ok(r.CreateDate instanceof Date && Math.abs(r.CreateDate.getTime() - Date.now()) < 60_000);
    assert.deepEqual(decodeDoc(r.AssumeRolePolicyDocument), JSON.parse(TRUST_EC2));
    // CreateRole leaves these out, as IAM does.
    assert.equal(r.Description, undefined);
    assert.equal(r.MaxSessionDuration, undefined);
    assert.equal(r.RoleLastUsed, undefined);

    const got = (await iam.call('GetRole', { RoleName: 'basic' })).Role;
    assert.equal(got.RoleId, r.RoleId);
    assert.equal(got.MaxSessionDuration, 3600);
    assert.deepEqual(got.RoleLastUsed, {});
    assert.deepEqual(decodeDoc(got.AssumeRolePolicyDocument), JSON.parse(TRUST_EC2));
  });

  it('keeps path, description, max session duration and tags', async () => {
    const out = await iam.call('CreateRole', {
      RoleName: 'full',
      Path: '/team/app/',
      AssumeRolePolicyDocument: TRUST_EC2,
      Description: 'Reads the reports bucket',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'red' }],
    });
    assert.equal(out.Role.Arn, roleArn('full', '/team/app/'));
    assert.deepEqual(out.Role.Tags, [{ Key: 'team', Value: 'red' }]);
    const got = (await iam.call('GetRole', { RoleName: 'full' })).Role;
    assert.equal(got.Path, '/team/app/');
    assert.equal(got.Description, 'Reads the reports bucket');
    assert.equal(got.MaxSessionDuration, 7200);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'red' }]);
  });

  it('round-trips a trust policy with characters that need URL encoding', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OddChars',
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'aws:PrincipalTag/t': 'café * 100% a+b=c&d/é' } },
        },
      ],
    });
    await iam.call('CreateRole', { RoleName: 'encoded', AssumeRolePolicyDocument: trust, Description: 'naïve + plus & amp <b>"q"</b>' });
    const got = (await iam.call('GetRole', { RoleName: 'encoded' })).Role;
    assert.match(got.AssumeRolePolicyDocument, /^%7B/, 'the JS SDK returns the document URL-encoded');
    assert.deepEqual(decodeDoc(got.AssumeRolePolicyDocument), JSON.parse(trust));
    assert.equal(got.Description, 'naïve + plus & amp <b>"q"</b>');
  });

  it('refuses a duplicate name, regardless of case (EntityAlreadyExists, 409)', async () => {
    await expectError(iam.call('CreateRole', { RoleName: 'BASIC', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'EntityAlreadyExistsException',
      status: 409,
      message: 'Role with name BASIC already exists.',
    });
  });

  it('answers NoSuchEntity (404) for a missing role', async () => {
    const e = await expectError(iam.call('GetRole', { RoleName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
    assert.deepEqual(e.Error, { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The role with name nope cannot be found.' });
    assert.equal(e.$fault, 'client');
    assert.match(e.$metadata.requestId, /^[0-9a-f-]{36}$/, 'a request id');
  });

  it('validates input against the model with AWS wording (ValidationError, 400)', async () => {
    await expectError(iam.call('CreateRole', { RoleName: 'has space', AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    });
    await expectError(iam.call('CreateRole', { RoleName: 'short', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 3599 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    });
    await expectError(iam.call('CreateRole', { RoleName: 'long', AssumeRolePolicyDocument: TRUST_EC2, MaxSessionDuration: 43201 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
    });
    const long = 'a'.repeat(65);
    await expectError(iam.call('CreateRole', { RoleName: long, AssumeRolePolicyDocument: TRUST_EC2 }), {
      name: 'ValidationError',
      status: 400,
      message: `1 validation error detected: Value '${long}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    await expectError(iam.call('CreateRole', { RoleName: 'nodoc' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
    });
    // Two broken members: both reported, counted, joined by "; " (order: the model's member order).
    const two = await expectError(iam.call('CreateRole', { RoleName: 'bad path', Path: 'team', AssumeRolePolicyDocument: TRUST_EC2 }), { name: 'ValidationError', status: 400, message: /^2 validation errors detected: / });
    const parts = String(two.message).replace(/^2 validation errors detected: /, '').split('; ');
    assert.deepEqual(parts.sort(), [
      "Value 'bad path' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      "Value 'team' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    ]);
    await expectError(iam.call('GetRole', { RoleName: 'has space' }), { name: 'ValidationError', status: 400, message: /at 'roleName' failed to satisfy constraint/ });
    for (const name of ['has space', 'short', 'long', 'nodoc']) await expectError(iam.call('GetRole', { RoleName: name }), { name: name === 'has space' ? 'ValidationError' : 'NoSuchEntityException', status: name === 'has space' ? 400 : 404 });
  });

  it('refuses malformed trust policies with MalformedPolicyDocument (400)', async () => {
    await expectError(iam.call('CreateRole', { RoleName: 'm1', AssumeRolePolicyDocument: '{"Version":' }), { name: 'MalformedPolicyDocumentException', status: 400, message: 'This policy contains invalid Json' });
    await expectError(
      iam.call('CreateRole', { RoleName: 'm2', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }]) }),
      { name: 'MalformedPolicyDocumentException', status: 400, message: 'Has prohibited field Resource' },
    );
    await expectError(iam.call('CreateRole', { RoleName: 'm3', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole' }]) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: 'Missing required field Principal',
    });
    // A Principal with nothing in it (Terraform's `principals` block with an empty identifier list).
    const noPrincipals = 'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!';
    for (const [name, principal] of [['m4', {}], ['m5', { AWS: [] }], ['m6', { AWS: [], Service: [] }]] as const) {
      await expectError(iam.call('CreateRole', { RoleName: name, AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }]) }), {
        name: 'MalformedPolicyDocumentException',
        status: 400,
        message: noPrincipals,
      });
      await assert.rejects(iam.call('GetRole', { RoleName: name }), { name: 'NoSuchEntityException' });
    }
    await expectError(iam.call('CreateRole', { RoleName: 'm7', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { Service: 'not a service' }, Action: 'sts:AssumeRole' }]) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: 'Invalid principal in policy: "SERVICE":"not a service"',
    });
    await assert.rejects(iam.call('GetRole', { RoleName: 'm1' }), { name: 'NoSuchEntityException' });
  });

  it('refuses a trust policy over 2,048 characters (LimitExceeded, 409)', async () => {
    const many = Array.from({ length: 60 }, (_, i) => `arn:aws:iam::111122223333:root${'x'.repeat(0)}`.replace('111122223333', String(100000000000 + i)));
    const big = doc([{ Effect: 'Allow', Principal: { AWS: many }, Action: 'sts:AssumeRole' }]);
    assert.ok(big.length > 2048);
    await expectError(iam.call('CreateRole', { RoleName: 'big', AssumeRolePolicyDocument: big }), { name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for ACLSizePerRole: 2048' });
  });
});

describe('trust policy principals', () => {
  it('refuses a principal naming a role or user of this account that does not exist', async () => {
    const missing = `arn:aws:iam::${acct}:role/does-not-exist`;
    await expectError(iam.call('CreateRole', { RoleName: 'trusts-missing', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: missing }, Action: 'sts:AssumeRole' }]) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: `Invalid principal in policy: "AWS":"${missing}"`,
    });
    const missingUser = `arn:aws:iam::${acct}:user/ghost`;
    await expectError(iam.call('UpdateAssumeRolePolicy', { RoleName: 'basic', PolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: missingUser }, Action: 'sts:AssumeRole' }]) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: `Invalid principal in policy: "AWS":"${missingUser}"`,
    });
  });

  it('binds an existing user; after the user is deleted the policy shows its unique id', async () => {
    const user = (await iam.call('CreateUser', { UserName: 'trusted-dev' })).User;
    const trust = doc([{ Effect: 'Allow', Principal: { AWS: user.Arn }, Action: 'sts:AssumeRole' }]);
    await iam.call('CreateRole', { RoleName: 'trusts-user', AssumeRolePolicyDocument: trust });
    const before = decodeDoc((await iam.call('GetRole', { RoleName: 'trusts-user' })).Role.AssumeRolePolicyDocument) as any;
    assert.equal(before.Statement[0].Principal.AWS, user.Arn);
    await iam.call('DeleteUser', { UserName: 'trusted-dev' });
    const afterDelete = decodeDoc((await iam.call('GetRole', { RoleName: 'trusts-user' })).Role.AssumeRolePolicyDocument) as any;
    assert.equal(afterDelete.Statement[0].Principal.AWS, user.UserId);
  });

  it('keeps principals of other accounts and services as written', async () => {
    const trust = doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/elsewhere' }, Action: 'sts:AssumeRole' }]);
    await iam.call('CreateRole', { RoleName: 'trusts-other', AssumeRolePolicyDocument: trust });
    assert.deepEqual(decodeDoc((await iam.call('GetRole', { RoleName: 'trusts-other' })).Role.AssumeRolePolicyDocument), JSON.parse(trust));
  });
});

describe('ListRoles', () => {
  it('pages with MaxItems and Marker, filtered by PathPrefix, in name order', async () => {
    const names = ['p-e', 'p-a', 'p-d', 'p-c', 'p-b'];
    for (const n of names) await iam.call('CreateRole', { RoleName: n, Path: '/paged/', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'k', Value: 'v' }] });
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.call('ListRoles', { PathPrefix: '/paged/', MaxItems: 2, ...(marker ? { Marker: marker } : {}) });
      pages++;
      assert.ok(page.Roles.length <= 2);
      for (const r of page.Roles) {
        seen.push(r.RoleName);
        assert.equal(r.Tags, undefined, 'ListRoles leaves out Tags');
        assert.equal(r.RoleLastUsed, undefined);
        assert.equal(r.MaxSessionDuration, 3600);
        assert.ok(decodeDoc(r.AssumeRolePolicyDocument));
      }
      if (page.IsTruncated) assert.ok(page.Marker, 'a truncated page carries a Marker');
      else assert.equal(page.Marker, undefined);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...names].sort());
  });

  it('lists every role without a prefix, and validates MaxItems', async () => {
    const all = await iam.call('ListRoles', {});
    assert.equal(all.IsTruncated, false);
    assert.ok(all.Roles.some((r: any) => r.RoleName === 'basic'));
    await expectError(iam.call('ListRoles', { MaxItems: 0 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    await expectError(iam.call('ListRoles', { MaxItems: 1001 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
    });
  });
});

describe('UpdateRole / UpdateRoleDescription / UpdateAssumeRolePolicy', () => {
  it('updates description and max session duration', async () => {
    await iam.call('CreateRole', { RoleName: 'upd', AssumeRolePolicyDocument: TRUST_EC2, Description: 'old' });
    const out = await iam.call('UpdateRole', { RoleName: 'upd', Description: 'new', MaxSessionDuration: 43200 });
    assert.equal(out.$metadata.httpStatusCode, 200);
    let got = (await iam.call('GetRole', { RoleName: 'upd' })).Role;
    assert.equal(got.Description, 'new');
    assert.equal(got.MaxSessionDuration, 43200);
    const d = await iam.call('UpdateRoleDescription', { RoleName: 'upd', Description: 'newer' });
    assert.equal(d.Role.Description, 'newer');
    assert.equal(d.Role.RoleName, 'upd');
    await expectError(iam.call('UpdateRole', { RoleName: 'upd', MaxSessionDuration: 100 }), { name: 'ValidationError', status: 400, message: /at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/ });
    await expectError(iam.call('UpdateRole', { RoleName: 'gone', Description: 'x' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name gone cannot be found.' });
    await expectError(iam.call('UpdateRoleDescription', { RoleName: 'gone', Description: 'x' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name gone cannot be found.' });

    const trust = doc([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]);
    await iam.call('UpdateAssumeRolePolicy', { RoleName: 'upd', PolicyDocument: trust });
    got = (await iam.call('GetRole', { RoleName: 'upd' })).Role;
    assert.deepEqual(decodeDoc(got.AssumeRolePolicyDocument), JSON.parse(trust));
    await expectError(iam.call('UpdateAssumeRolePolicy', { RoleName: 'upd', PolicyDocument: 'nope' }), { name: 'MalformedPolicyDocumentException', status: 400 });
    await expectError(iam.call('UpdateAssumeRolePolicy', { RoleName: 'gone', PolicyDocument: trust }), { name: 'NoSuchEntityException', status: 404 });
  });
});

describe('role tags', () => {
  it('tags, lists and untags; keys are case-insensitive for roles', async () => {
    await iam.call('CreateRole', { RoleName: 'tagged', AssumeRolePolicyDocument: TRUST_EC2, Tags: [{ Key: 'env', Value: 'dev' }] });
    await iam.call('TagRole', { RoleName: 'tagged', Tags: [{ Key: 'team', Value: 'red' }, { Key: 'ENV', Value: 'prod' }] });
    const tags = (await iam.call('ListRoleTags', { RoleName: 'tagged' })).Tags as Array<{ Key: string; Value: string }>;
    const byKey = Object.fromEntries(tags.map((t) => [t.Key.toLowerCase(), t.Value]));
    assert.deepEqual(byKey, { env: 'prod', team: 'red' });
    assert.equal(tags.length, 2);

    await iam.call('UntagRole', { RoleName: 'tagged', TagKeys: ['team'] });
    const after1 = (await iam.call('ListRoleTags', { RoleName: 'tagged' })).Tags;
    assert.equal(after1.length, 1);
    assert.equal(after1[0].Value, 'prod');

    await expectError(iam.call('TagRole', { RoleName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }), {
      name: 'InvalidInputException',
      status: 400,
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    await expectError(iam.call('TagRole', { RoleName: 'tagged', Tags: [{ Key: 'aws:x', Value: '1' }] }), {
      name: 'InvalidInputException',
      status: 400,
      message: 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.',
    });
    await expectError(iam.call('TagRole', { RoleName: 'nope', Tags: [{ Key: 'a', Value: '1' }] }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
    await expectError(iam.call('ListRoleTags', { RoleName: 'nope' }), { name: 'NoSuchEntityException', status: 404 });
  });

  it('caps a role at 50 tags', async () => {
    const tags = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ Key: `${p}${i}`, Value: 'v' }));
    // More than 50 in one request: a model ValidationError (whether IAM echoes the list is not pinned).
    await expectError(iam.call('CreateRole', { RoleName: 'tag51', AssumeRolePolicyDocument: TRUST_EC2, Tags: tags(51, 'k') }), {
      name: 'ValidationError',
      status: 400,
      message: /^1 validation error detected: Value .*at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/,
    });
    await expectError(iam.call('TagRole', { RoleName: 'tagged', Tags: [{ Key: 'a#b', Value: '1' }] }), {
      name: 'ValidationError',
      status: 400,
      message: /^1 validation error detected: Value .*at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\p\{L\}\\p\{Z\}\\p\{N\}_\.:\/=\+\\-@\]\+$/,
    });
    await iam.call('CreateRole', { RoleName: 'tag50', AssumeRolePolicyDocument: TRUST_EC2, Tags: tags(50, 'k') });
    await expectError(iam.call('TagRole', { RoleName: 'tag50', Tags: tags(1, 'extra') }), { name: 'LimitExceededException', status: 409, message: 'The number of tags has reached the maximum limit.' });
  });
});

describe('inline role policies', () => {
  it('puts, gets (URL-encoded), lists, deletes', async () => {
    await iam.call('CreateRole', { RoleName: 'inline', AssumeRolePolicyDocument: TRUST_EC2 });
    const p1 = doc([{ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*', Condition: { StringEquals: { 's3:prefix': 'a b+c&d%' } } }]);
    await iam.call('PutRolePolicy', { RoleName: 'inline', PolicyName: 'read-reports', PolicyDocument: p1 });
    await iam.call('PutRolePolicy', { RoleName: 'inline', PolicyName: 'a-first', PolicyDocument: ALLOW_ALL });
    const got = await iam.call('GetRolePolicy', { RoleName: 'inline', PolicyName: 'read-reports' });
    assert.equal(got.RoleName, 'inline');
    assert.equal(got.PolicyName, 'read-reports');
    assert.match(got.PolicyDocument, /^%7B/);
    assert.deepEqual(decodeDoc(got.PolicyDocument), JSON.parse(p1));

    // Overwrite in place.
    await iam.call('PutRolePolicy', { RoleName: 'inline', PolicyName: 'read-reports', PolicyDocument: ALLOW_ALL });
    assert.deepEqual(decodeDoc((await iam.call('GetRolePolicy', { RoleName: 'inline', PolicyName: 'read-reports' })).PolicyDocument), JSON.parse(ALLOW_ALL));

    const list = await iam.call('ListRolePolicies', { RoleName: 'inline' });
    assert.deepEqual(list.PolicyNames, ['a-first', 'read-reports']);
    assert.equal(list.IsTruncated, false);
    const page1 = await iam.call('ListRolePolicies', { RoleName: 'inline', MaxItems: 1 });
    assert.deepEqual(page1.PolicyNames, ['a-first']);
    assert.equal(page1.IsTruncated, true);
    const page2 = await iam.call('ListRolePolicies', { RoleName: 'inline', MaxItems: 1, Marker: page1.Marker });
    assert.deepEqual(page2.PolicyNames, ['read-reports']);
    assert.equal(page2.IsTruncated, false);

    await iam.call('DeleteRolePolicy', { RoleName: 'inline', PolicyName: 'a-first' });
    assert.deepEqual((await iam.call('ListRolePolicies', { RoleName: 'inline' })).PolicyNames, ['read-reports']);
  });

  it('answers AWS errors', async () => {
    await expectError(iam.call('GetRolePolicy', { RoleName: 'inline', PolicyName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The role policy with name nope cannot be found.' });
    await expectError(iam.call('DeleteRolePolicy', { RoleName: 'inline', PolicyName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The role policy with name nope cannot be found.' });
    await expectError(iam.call('PutRolePolicy', { RoleName: 'nope', PolicyName: 'p', PolicyDocument: ALLOW_ALL }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
    await expectError(iam.call('ListRolePolicies', { RoleName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
    await expectError(iam.call('PutRolePolicy', { RoleName: 'inline', PolicyName: 'bad', PolicyDocument: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Principal: '*' }]) }), {
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: 'Policy document should not specify a principal.',
    });
    await expectError(iam.call('PutRolePolicy', { RoleName: 'inline', PolicyName: 'bad', PolicyDocument: '{}' }), { name: 'MalformedPolicyDocumentException', status: 400 });
  });

  it("caps a role's inline policies at 10,240 characters in total", async () => {
    await iam.call('CreateRole', { RoleName: 'inline-big', AssumeRolePolicyDocument: TRUST_EC2 });
    const chunk = (n: number) => doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: n }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(4, '0')}/*`) }]);
    const piece = chunk(120);
    assert.ok(piece.length > 3500 && piece.length < 5000, String(piece.length));
    await iam.call('PutRolePolicy', { RoleName: 'inline-big', PolicyName: 'one', PolicyDocument: piece });
    await iam.call('PutRolePolicy', { RoleName: 'inline-big', PolicyName: 'two', PolicyDocument: piece });
    await expectError(iam.call('PutRolePolicy', { RoleName: 'inline-big', PolicyName: 'three', PolicyDocument: piece }), {
      name: 'LimitExceededException',
      status: 409,
      message: 'Maximum policy size of 10240 bytes exceeded for role inline-big',
    });
  });
});

describe('attached role policies', () => {
  it('attaches, lists, detaches, with AWS errors and the 10-policy quota', async () => {
    await iam.call('CreateRole', { RoleName: 'attached', AssumeRolePolicyDocument: TRUST_EC2 });
    const arns: string[] = [];
    for (let i = 0; i < 11; i++) arns.push((await iam.call('CreatePolicy', { PolicyName: `attach-${String(i).padStart(2, '0')}`, Path: '/att/', PolicyDocument: ALLOW_ALL })).Policy.Arn);
    for (const arn of arns.slice(0, 10)) await iam.call('AttachRolePolicy', { RoleName: 'attached', PolicyArn: arn });
    await iam.call('AttachRolePolicy', { RoleName: 'attached', PolicyArn: arns[0] }); // attaching twice is a no-op
    await expectError(iam.call('AttachRolePolicy', { RoleName: 'attached', PolicyArn: arns[10] }), { name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for PoliciesPerRole: 10' });

    const listed = await iam.call('ListAttachedRolePolicies', { RoleName: 'attached' });
    assert.equal(listed.AttachedPolicies.length, 10);
    assert.deepEqual(listed.AttachedPolicies[0], { PolicyName: 'attach-00', PolicyArn: arns[0] });
    const paged = await iam.call('ListAttachedRolePolicies', { RoleName: 'attached', MaxItems: 4 });
    assert.equal(paged.AttachedPolicies.length, 4);
    assert.equal(paged.IsTruncated, true);
    const rest = await iam.call('ListAttachedRolePolicies', { RoleName: 'attached', Marker: paged.Marker });
    assert.equal(rest.AttachedPolicies.length, 6);
    assert.equal(rest.IsTruncated, false);

    assert.equal((await iam.call('GetPolicy', { PolicyArn: arns[0] })).Policy.AttachmentCount, 1);
    await iam.call('DetachRolePolicy', { RoleName: 'attached', PolicyArn: arns[0] });
    assert.equal((await iam.call('ListAttachedRolePolicies', { RoleName: 'attached' })).AttachedPolicies.length, 9);
    await expectError(iam.call('DetachRolePolicy', { RoleName: 'attached', PolicyArn: arns[0] }), { name: 'NoSuchEntityException', status: 404, message: `Policy ${arns[0]} was not found.` });

    const missing = `arn:aws:iam::${acct}:policy/not-there`;
    await expectError(iam.call('AttachRolePolicy', { RoleName: 'attached', PolicyArn: missing }), { name: 'NoSuchEntityException', status: 404, message: `Policy ${missing} does not exist or is not attachable.` });
    await expectError(iam.call('AttachRolePolicy', { RoleName: 'nope', PolicyArn: arns[1] }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
    await expectError(iam.call('AttachRolePolicy', { RoleName: 'attached', PolicyArn: 'not-an-arn' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'not-an-arn' at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    });
  });
});

describe('role permissions boundary', () => {
  it('puts and deletes a boundary; GetRole shows it', async () => {
    const b = (await iam.call('CreatePolicy', { PolicyName: 'role-boundary', PolicyDocument: doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) })).Policy.Arn;
    await iam.call('CreateRole', { RoleName: 'bounded', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: b });
    let got = (await iam.call('GetRole', { RoleName: 'bounded' })).Role;
    assert.deepEqual(got.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: b });
    assert.equal((await iam.call('GetPolicy', { PolicyArn: b })).Policy.PermissionsBoundaryUsageCount, 1);

    await iam.call('DeleteRolePermissionsBoundary', { RoleName: 'bounded' });
    got = (await iam.call('GetRole', { RoleName: 'bounded' })).Role;
    assert.equal(got.PermissionsBoundary, undefined);

    await iam.call('PutRolePermissionsBoundary', { RoleName: 'bounded', PermissionsBoundary: b });
    got = (await iam.call('GetRole', { RoleName: 'bounded' })).Role;
    assert.equal(got.PermissionsBoundary.PermissionsBoundaryArn, b);
    await expectError(iam.call('DeletePolicy', { PolicyArn: b }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete a policy attached to entities.' });

    const missing = `arn:aws:iam::${acct}:policy/no-boundary`;
    await expectError(iam.call('PutRolePermissionsBoundary', { RoleName: 'bounded', PermissionsBoundary: missing }), {
      name: 'NoSuchEntityException',
      status: 404,
      message: `Scope ARN: ${missing} does not exist or is not attachable.`,
    });
    await expectError(iam.call('PutRolePermissionsBoundary', { RoleName: 'bounded', PermissionsBoundary: 'arn:aws:iam::123456789012:user/not-a-policy' }), { name: 'InvalidInputException', status: 400, message: 'ARN arn:aws:iam::123456789012:user/not-a-policy is not valid.' });
    await expectError(iam.call('PutRolePermissionsBoundary', { RoleName: 'nope', PermissionsBoundary: b }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
    await expectError(iam.call('DeleteRolePermissionsBoundary', { RoleName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name nope cannot be found.' });
  });
});

describe('DeleteRole', () => {
  it('refuses while the role has an instance profile, attached or inline policies (DeleteConflict, 409)', async () => {
    await iam.call('CreateRole', { RoleName: 'busy', AssumeRolePolicyDocument: TRUST_EC2 });
    const p = (await iam.call('CreatePolicy', { PolicyName: 'busy-p', PolicyDocument: ALLOW_ALL })).Policy.Arn;
    await iam.call('CreateInstanceProfile', { InstanceProfileName: 'busy-ip' });
    await iam.call('AddRoleToInstanceProfile', { InstanceProfileName: 'busy-ip', RoleName: 'busy' });
    await iam.call('AttachRolePolicy', { RoleName: 'busy', PolicyArn: p });
    await iam.call('PutRolePolicy', { RoleName: 'busy', PolicyName: 'inl', PolicyDocument: ALLOW_ALL });

    await expectError(iam.call('DeleteRole', { RoleName: 'busy' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must remove roles from instance profile first.' });
    await iam.call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'busy-ip', RoleName: 'busy' });
    await expectError(iam.call('DeleteRole', { RoleName: 'busy' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must detach all policies first.' });
    await iam.call('DetachRolePolicy', { RoleName: 'busy', PolicyArn: p });
    await expectError(iam.call('DeleteRole', { RoleName: 'busy' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must delete policies first.' });
    await iam.call('DeleteRolePolicy', { RoleName: 'busy', PolicyName: 'inl' });
    const out = await iam.call('DeleteRole', { RoleName: 'busy' });
    assert.equal(out.$metadata.httpStatusCode, 200);
    await expectError(iam.call('GetRole', { RoleName: 'busy' }), { name: 'NoSuchEntityException', status: 404 });
    await expectError(iam.call('DeleteRole', { RoleName: 'busy' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name busy cannot be found.' });
  });
});

describe('protocol errors', () => {
  it('answers InvalidAction for an operation IAM does not have', async () => {
    const signed = await signForm(server.url, server.root, 'iam', 'Action=MakeCoffee&Version=2010-05-08');
    const res = await rawHttp(server.url, signed);
    assert.equal(res.status, 400);
    const e = xmlError(res.body);
    assert.equal(e.code, 'InvalidAction');
    assert.equal(e.message, 'Could not find operation MakeCoffee for version 2010-05-08');
    assert.equal(e.type, 'Sender');
  });

  it('puts the same request id in the body and the x-amzn-RequestId header (success and error)', async () => {
    for (const body of ['Action=ListRoles&Version=2010-05-08&MaxItems=1', 'Action=GetRole&Version=2010-05-08&RoleName=nope']) {
      const res = await rawHttp(server.url, await signForm(server.url, server.root, 'iam', body));
      const inBody = /<RequestId>([^<]+)<\/RequestId>/.exec(res.body)?.[1];
      assert.ok(inBody, res.body);
      assert.equal(res.headers['x-amzn-requestid'], inBody);
      assert.match(String(res.headers['content-type']), /^text\/xml/);
    }
  });

  it('answers protocol-level mistakes as IAM does', async () => {
    const cases: Array<[string, number, string, string | undefined]> = [
      ['Version=2010-05-08', 400, 'MissingAction', 'The request is missing an action or a required parameter.'],
      ['Action=ListRoles', 400, 'InvalidAction', 'Could not find operation ListRoles for version NO_VERSION_SPECIFIED'],
      ['Action=ListRoles&Version=2011-06-15', 400, 'InvalidAction', 'Could not find operation ListRoles for version 2011-06-15'],
      // An integer that does not parse: MalformedInput without a <Message> (as AWS answers).
      ['Action=ListRoles&Version=2010-05-08&MaxItems=abc', 400, 'MalformedInput', undefined],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await rawHttp(server.url, await signForm(server.url, server.root, 'iam', body));
      assert.equal(res.status, status, body);
      const e = xmlError(res.body);
      assert.equal(e.code, code, body);
      assert.equal(e.message, message, body);
    }
    // Unknown parameters are ignored.
    const extra = await rawHttp(server.url, await signForm(server.url, server.root, 'iam', 'Action=GetRole&Version=2010-05-08&RoleName=basic&Bogus=1'));
    assert.equal(extra.status, 200, extra.body);
  });
});
