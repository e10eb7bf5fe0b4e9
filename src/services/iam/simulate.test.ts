import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Caller } from '../../domain/caller.js';
import { identityPolicySet } from './shared/identity-policies.js';
import { ACCOUNT, allow, deny, harness, op, rejectsWith, TRUST_EC2, type Harness } from './iam-test-harness.test.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const pol = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

async function roleWithInlineManagedAndBoundary(): Promise<void> {
  await h.call('CreatePolicy', { PolicyName: 'ec2-read', PolicyDocument: allow('ec2:DescribeInstances') });
  await h.call('CreatePolicy', { PolicyName: 's3-only', PolicyDocument: allow('s3:*') });
  await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: pol('s3-only') });
  await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'read-objects', PolicyDocument: allow('s3:GetObject') });
  await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: pol('ec2-read') });
}

type Result = { EvalActionName: string; EvalDecision: string; MatchedStatements: Array<{ SourcePolicyId: string; SourcePolicyType?: string }>; PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean } };
const decisions = (r: { EvaluationResults: Result[] }) => Object.fromEntries(r.EvaluationResults.map((e) => [e.EvalActionName, e.EvalDecision]));

describe('SimulatePrincipalPolicy', () => {
  it('evaluates a role with inline, managed and boundary policies', async () => {
    await roleWithInlineManagedAndBoundary();
    const r = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['s3:GetObject', 'ec2:DescribeInstances', 's3:PutObject'] });
    assert.deepEqual(decisions(r), { 's3:GetObject': 'allowed', 'ec2:DescribeInstances': 'implicitDeny', 's3:PutObject': 'implicitDeny' });
    const get = r.EvaluationResults[0] as Result;
    assert.deepEqual(
      get.MatchedStatements.map((s) => [s.SourcePolicyId, s.SourcePolicyType]),
      [['read-objects', 'role']],
    );
    assert.deepEqual(get.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
    assert.deepEqual((r.EvaluationResults[1] as Result).PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });
  });

  it('lets PermissionsBoundaryPolicyInputList replace the boundary and PolicyInputList add policies', async () => {
    await roleWithInlineManagedAndBoundary();
    const replaced = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['ec2:DescribeInstances', 's3:GetObject'], PermissionsBoundaryPolicyInputList: [allow('ec2:*')] });
    assert.deepEqual(decisions(replaced), { 'ec2:DescribeInstances': 'allowed', 's3:GetObject': 'implicitDeny' });
    assert.deepEqual(
      (replaced.EvaluationResults[0] as Result).MatchedStatements.map((s) => [s.SourcePolicyId, s.SourcePolicyType]),
      [['ec2-read', 'user-managed']],
    );
    const denied = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['s3:GetObject'], PolicyInputList: [deny('s3:GetObject')] });
    assert.equal((denied.EvaluationResults[0] as Result).EvalDecision, 'explicitDeny');
    assert.deepEqual((denied.EvaluationResults[0] as Result).MatchedStatements.map((s) => s.SourcePolicyId), ['PolicyInputList.1']);
    await rejectsWith(h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['s3:GetObject'], PolicyInputList: ['{bad'] }), 'MalformedPolicyDocument', /^This policy contains invalid Json \(PolicyInputList\.1/);
  });

  it('includes the policies of the groups of a user; policy variables come from ContextEntries', async () => {
    await h.createUser('alice');
    await h.store.groups.create({ accountId: ACCOUNT, name: 'devs', path: '/', id: 'AGPAEXAMPLEEXAMPLE01', arn: `arn:aws:iam::${ACCOUNT}:group/devs`, createdAt: h.clock.now() });
    await h.store.groups.addUser(ACCOUNT, 'devs', 'alice');
    await h.store.inlinePolicies.put({ accountId: ACCOUNT, ownerType: 'user', ownerName: 'alice', policyName: 'home', document: allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*') });
    await h.call('CreatePolicy', { PolicyName: 'dev-ec2', PolicyDocument: allow('ec2:*') });
    await h.store.attachments.attach({ accountId: ACCOUNT, ownerType: 'group', ownerName: 'devs', policyArn: pol('dev-ec2') });
    const r = await h.call('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      ActionNames: ['s3:GetObject', 'ec2:RunInstances'],
      ResourceArns: ['arn:aws:s3:::home/alice/x', 'arn:aws:s3:::home/bob/x'],
      ContextEntries: [{ ContextKeyName: 'aws:username', ContextKeyValues: ['alice'], ContextKeyType: 'string' }],
    });
    assert.deepEqual(
      r.EvaluationResults.map((e: { EvalActionName: string; EvalResourceName: string; EvalDecision: string }) => [e.EvalActionName, e.EvalResourceName, e.EvalDecision]),
      [
        ['s3:GetObject', 'arn:aws:s3:::home/alice/x', 'allowed'],
        ['s3:GetObject', 'arn:aws:s3:::home/bob/x', 'implicitDeny'],
        ['ec2:RunInstances', 'arn:aws:s3:::home/alice/x', 'allowed'],
        ['ec2:RunInstances', 'arn:aws:s3:::home/bob/x', 'allowed'],
      ],
    );
    const group = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:group/devs`, ActionNames: ['ec2:RunInstances', 's3:GetObject'] });
    assert.deepEqual(decisions(group), { 'ec2:RunInstances': 'allowed', 's3:GetObject': 'implicitDeny' });
  });

  it('uses a resource policy with the user as the default caller, and needs CallerArn for a role', async () => {
    await h.createUser('alice');
    await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2 });
    const bucketPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
    const r = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/alice`, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'], ResourcePolicy: bucketPolicy });
    assert.equal(r.EvaluationResults[0].EvalDecision, 'allowed');
    await rejectsWith(
      h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'], ResourcePolicy: bucketPolicy }),
      'InvalidInput',
      /CallerArn is required/,
    );
    const asAlice = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, CallerArn: `arn:aws:iam::${ACCOUNT}:user/alice`, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'], ResourcePolicy: bucketPolicy });
    assert.equal(asAlice.EvaluationResults[0].EvalDecision, 'allowed');
    await rejectsWith(h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, CallerArn: ROLE, ActionNames: ['s3:GetObject'] }), 'InvalidInput', /CallerArn/);
  });

  it('answers InvalidInput and NoSuchEntity for bad sources', async () => {
    await rejectsWith(
      h.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`, ActionNames: ['s3:GetObject'] }),
      'InvalidInput',
      `Invalid Entity Arn: arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
    );
    await rejectsWith(h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['s3:GetObject'] }), 'NoSuchEntity', 'The role with name app cannot be found.');
    await rejectsWith(h.call('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/ghost`, ActionNames: ['s3:GetObject'] }), 'NoSuchEntity', 'The user with name ghost cannot be found.');
    await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2 });
    await rejectsWith(h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['s3:*'] }), 'InvalidInput', /Invalid action name/);
    assert.deepEqual(op('SimulatePrincipalPolicy').resources({ PolicySourceArn: ROLE }, h.ctx), [ROLE]);
  });

  it('pages results', async () => {
    await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2 });
    const base = { PolicySourceArn: ROLE, ActionNames: ['s3:A', 's3:B', 's3:C'] };
    const p1 = await h.call('SimulatePrincipalPolicy', { ...base, MaxItems: 2 });
    assert.equal(p1.IsTruncated, true);
    const p2 = await h.call('SimulatePrincipalPolicy', { ...base, MaxItems: 2, Marker: p1.Marker });
    assert.deepEqual([...p1.EvaluationResults, ...p2.EvaluationResults].map((e: Result) => e.EvalActionName), base.ActionNames);
  });
});

describe('SimulateCustomPolicy operation', () => {
  it('wraps simulateCustomPolicy; principal keys are context entries, as GetContextKeysFor* implies', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } }] });
    const missing = await h.call('SimulateCustomPolicy', { PolicyInputList: [doc], ActionNames: ['s3:GetObject'] });
    assert.deepEqual([missing.EvaluationResults[0].EvalDecision, missing.EvaluationResults[0].MissingContextValues], ['implicitDeny', ['aws:PrincipalAccount']]);
    const r = await h.call('SimulateCustomPolicy', {
      PolicyInputList: [doc],
      ActionNames: ['s3:GetObject'],
      ContextEntries: [{ ContextKeyName: 'aws:PrincipalAccount', ContextKeyValues: [ACCOUNT], ContextKeyType: 'string' }],
    });
    assert.equal(r.EvaluationResults[0].EvalDecision, 'allowed');
    assert.deepEqual(op('SimulateCustomPolicy').resources({}, h.ctx), ['*']);
  });

  it('treats resources of the calling account as same-account', async () => {
    const r = await h.call('SimulateCustomPolicy', { PolicyInputList: [allow('dynamodb:GetItem')], ActionNames: ['dynamodb:GetItem'], ResourceArns: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`] });
    assert.equal(r.EvaluationResults[0].EvalDecision, 'allowed');
  });
});

describe('identityPolicySet', () => {
  it('gathers a role session caller’s policies and boundary; root has none', async () => {
    await roleWithInlineManagedAndBoundary();
    const caller: Caller = {
      kind: 'assumed-role',
      accountId: ACCOUNT,
      roleName: 'app',
      principal: { type: 'AssumedRole', account: ACCOUNT, roleArn: ROLE },
      userId: 'AROAEXAMPLE:s',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
      accessKeyId: 'ASIAEXAMPLE',
    };
    const set = await identityPolicySet(h.store, caller);
    assert.deepEqual(
      set.identity.map((p) => [p.id, p.sourceType]),
      [
        ['read-objects', 'role'],
        ['ec2-read', 'user-managed'],
      ],
    );
    assert.deepEqual([set.boundary?.id, set.boundary?.sourceType], ['s3-only', 'user-managed']);
    assert.deepEqual(await identityPolicySet(h.store, h.ctx.caller as Caller), { identity: [] });
  });

  it('uses the default version of managed policies', async () => {
    await roleWithInlineManagedAndBoundary();
    await h.call('CreatePolicyVersion', { PolicyArn: pol('ec2-read'), PolicyDocument: allow('ec2:RunInstances'), SetAsDefault: true });
    const r = await h.call('SimulatePrincipalPolicy', { PolicySourceArn: ROLE, ActionNames: ['ec2:RunInstances', 'ec2:DescribeInstances'], PermissionsBoundaryPolicyInputList: [allow('*')] });
    assert.deepEqual(decisions(r), { 'ec2:RunInstances': 'allowed', 'ec2:DescribeInstances': 'implicitDeny' });
  });
});

describe('identityPolicySet and re-created entities', () => {
  it('gives a session of a deleted role nothing from a new role of the same name', async () => {
    await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: allow('s3:*') });
    const old = (await h.call('GetRole', { RoleName: 'app' })).Role.RoleId as string;
    const session = (roleId: string): Caller => ({
      kind: 'assumed-role',
      accountId: ACCOUNT,
      roleName: 'app',
      principal: { type: 'AssumedRole', account: ACCOUNT, roleArn: ROLE, roleId },
      userId: `${roleId}:s`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
      accessKeyId: 'ASIAEXAMPLE',
    });
    assert.equal((await identityPolicySet(h.store, session(old))).identity.length, 1);
    await h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'p' });
    await h.call('DeleteRole', { RoleName: 'app' });
    await h.call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST_EC2 });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: allow('s3:*') });
    assert.deepEqual(await identityPolicySet(h.store, session(old)), { identity: [] });
    const fresh = (await h.call('GetRole', { RoleName: 'app' })).Role.RoleId as string;
    assert.equal((await identityPolicySet(h.store, session(fresh))).identity.length, 1);
  });
});
