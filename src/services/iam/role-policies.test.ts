import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allow, harness, op, rejectsWith, TRUST_EC2, type Harness } from './iam-test-harness.test.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
  await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2 });
});
afterEach(async () => {
  await h.close();
});

const MOCK = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example_bucket' } });

async function managed(name: string, path?: string): Promise<string> {
  return (await h.call('CreatePolicy', { PolicyName: name, PolicyDocument: allow('s3:GetObject'), ...(path ? { Path: path } : {}) })).Policy.Arn;
}

describe('inline role policies', () => {
  it('puts, gets (document text as stored), lists and deletes', async () => {
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p1', PolicyDocument: MOCK });
    await h.call('PutRolePolicy', { RoleName: 'APP', PolicyName: 'p2', PolicyDocument: MOCK });
    assert.deepEqual(await h.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'p1' }), { RoleName: 'app', PolicyName: 'p1', PolicyDocument: MOCK });
    assert.deepEqual(await h.call('ListRolePolicies', { RoleName: 'app' }), { PolicyNames: ['p1', 'p2'], IsTruncated: false });
    const page = await h.call('ListRolePolicies', { RoleName: 'app', MaxItems: 1 });
    assert.deepEqual([page.PolicyNames, page.IsTruncated], [['p1'], true]);
    assert.deepEqual((await h.call('ListRolePolicies', { RoleName: 'app', Marker: page.Marker })).PolicyNames, ['p2']);
    // Putting again replaces.
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p1', PolicyDocument: allow('ec2:*') });
    assert.equal((await h.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'p1' })).PolicyDocument, allow('ec2:*'));
    await h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'p1' });
    assert.deepEqual((await h.call('ListRolePolicies', { RoleName: 'app' })).PolicyNames, ['p2']);
  });

  it('answers IAM errors', async () => {
    await rejectsWith(h.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'non-existent-policy' }), 'NoSuchEntity', 'The role policy with name non-existent-policy cannot be found.');
    await rejectsWith(h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'non-existent-policy' }), 'NoSuchEntity', 'The role policy with name non-existent-policy cannot be found.');
    await rejectsWith(h.call('PutRolePolicy', { RoleName: 'nonexistent-role', PolicyName: 'p', PolicyDocument: MOCK }), 'NoSuchEntity', 'The role with name nonexistent-role cannot be found.');
    await rejectsWith(h.call('GetRolePolicy', { RoleName: 'nonexistent-role', PolicyName: 'p' }), 'NoSuchEntity', 'The role with name nonexistent-role cannot be found.');
    await rejectsWith(h.call('ListRolePolicies', { RoleName: 'nonexistent-role' }), 'NoSuchEntity', 'The role with name nonexistent-role cannot be found.');
    await rejectsWith(h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'bad name', PolicyDocument: MOCK }), 'ValidationError', /Value 'bad name' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    await rejectsWith(h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: withPrincipal }), 'MalformedPolicyDocument', 'Policy document should not specify a principal.');
  });

  it('caps the role inline aggregate at 10,240 non-whitespace characters', async () => {
    const doc = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(n)}` }] });
    const base = doc(0).length;
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'a', PolicyDocument: doc(5000 - base) });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'b', PolicyDocument: doc(5240 - base) }); // exactly 10,240
    await rejectsWith(h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'c', PolicyDocument: doc(1) }), 'LimitExceeded', 'Maximum policy size of 10240 bytes exceeded for role app');
    // Replacing a policy counts its new size, not old + new; whitespace does not count.
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'b', PolicyDocument: JSON.stringify(JSON.parse(doc(5240 - base)), null, 8) });
  });
});

describe('attached role policies', () => {
  it('attaches, lists with PathPrefix and paging, detaches', async () => {
    const a = await managed('a');
    const b = await managed('b', '/team/');
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: a });
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: b });
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: b }); // idempotent
    assert.deepEqual(await h.call('ListAttachedRolePolicies', { RoleName: 'app' }), {
      AttachedPolicies: [
        { PolicyName: 'a', PolicyArn: a },
        { PolicyName: 'b', PolicyArn: b },
      ],
      IsTruncated: false,
    });
    assert.deepEqual((await h.call('ListAttachedRolePolicies', { RoleName: 'app', PathPrefix: '/team/' })).AttachedPolicies, [{ PolicyName: 'b', PolicyArn: b }]);
    const page = await h.call('ListAttachedRolePolicies', { RoleName: 'app', MaxItems: 1 });
    assert.equal(page.IsTruncated, true);
    assert.equal((await h.call('GetPolicy', { PolicyArn: a })).Policy.AttachmentCount, 1);
    await h.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: a });
    assert.deepEqual((await h.call('ListAttachedRolePolicies', { RoleName: 'app' })).AttachedPolicies, [{ PolicyName: 'b', PolicyArn: b }]);
    assert.equal((await h.call('GetPolicy', { PolicyArn: a })).Policy.AttachmentCount, 0);
  });

  it('answers IAM errors', async () => {
    const a = await managed('a');
    await rejectsWith(h.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: a }), 'NoSuchEntity', `Policy ${a} was not found.`);
    await rejectsWith(h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'longpolicynamebutnoarn' }), 'ValidationError', 'ARN longpolicynamebutnoarn is not valid.');
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::123456789012:policy/nonexistent-policy' }),
      'NoSuchEntity',
      'Policy arn:aws:iam::123456789012:policy/nonexistent-policy does not exist or is not attachable.',
    );
    // Another account's policy is not visible.
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::210987654321:policy/a' }),
      'NoSuchEntity',
      'Policy arn:aws:iam::210987654321:policy/a does not exist or is not attachable.',
    );
    await rejectsWith(h.call('AttachRolePolicy', { RoleName: 'nope', PolicyArn: a }), 'NoSuchEntity', 'The role with name nope cannot be found.');
    await rejectsWith(h.call('ListAttachedRolePolicies', { RoleName: 'nope' }), 'NoSuchEntity', 'The role with name nope cannot be found.');
  });

  it('caps attached policies at 10 per role', async () => {
    for (let i = 0; i < 10; i++) await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: await managed(`p${i}`) });
    const eleventh = await managed('p10');
    await rejectsWith(h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: eleventh }), 'LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 10');
    // Re-attaching one already attached is no change and no error.
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::123456789012:policy/p0' });
  });

  it('attaches AWS managed policies, but not service-role ones', async () => {
    const now = h.clock.now();
    for (const [name, path] of [
      ['ReadOnlyAccess', '/'],
      ['AWSServiceRoleForX', '/aws-service-role/'],
    ] as const) {
      const arn = `arn:aws:iam::aws:policy${path}${name}`;
      await h.store.policies.create(
        { accountId: 'aws', name, path, id: `ANPA${name.toUpperCase().padEnd(16, 'X').slice(0, 16)}`, arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] },
        { policyArn: arn, versionId: 'v1', document: allow('*'), isDefault: true, createdAt: now },
      );
    }
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    assert.deepEqual((await h.call('ListAttachedRolePolicies', { RoleName: 'app' })).AttachedPolicies, [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }]);
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSServiceRoleForX' }),
      'PolicyNotAttachable',
      'Cannot attach a Service Role Policy to a Customer Role.',
    );
  });

  it('passes iam:PolicyARN to the authorizer', () => {
    const input = { RoleName: 'app', PolicyArn: 'arn:aws:iam::123456789012:policy/a' };
    assert.deepEqual(op('AttachRolePolicy').conditionKeys?.(input, h.ctx), { 'iam:PolicyARN': input.PolicyArn });
    assert.deepEqual(op('DetachRolePolicy').conditionKeys?.(input, h.ctx), { 'iam:PolicyARN': input.PolicyArn });
  });
});
