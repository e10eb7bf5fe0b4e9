import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parsePolicy, principalContext, principalFromArn } from './index.js';
import type { Policy, PolicySet, RequestPrincipal } from './index.js';

const A = '111122223333';
const B = '444455556666';
const alice = principalFromArn(`arn:aws:iam::${A}:user/alice`, { id: 'AIDAEXAMPLEALICE00001' }) as RequestPrincipal;
const session = principalFromArn(`arn:aws:sts::${A}:assumed-role/app/s1`, { roleId: 'AROAEXAMPLEAPPROLE001' }) as RequestPrincipal;

function pol(doc: object, type: Parameters<typeof parsePolicy>[1] extends infer O ? O extends { type?: infer T } ? T : never : never = 'identity'): Policy {
  const r = parsePolicy(doc, { type });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.policy;
}
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, ...extra }] });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action, Resource, ...extra }] });
const ev = (principal: RequestPrincipal, action: string, resource: string, set: PolicySet, context: Record<string, string | string[]> = {}, resourceType: 'resource' | 'trust' = 'resource') =>
  evaluate({ principal, action, resource, context: { ...principalContext(principal), ...context } }, set, { explain: true, resourceType }).decision;

describe('evaluate', () => {
  it('denies by default and allows what an identity policy allows', () => {
    assert.equal(ev(alice, 's3:GetObject', 'arn:aws:s3:::b/k', {}), 'implicitDeny');
    assert.equal(ev(alice, 's3:GetObject', 'arn:aws:s3:::b/k', { identity: [{ id: 'p', policy: pol(allow('s3:Get*')) }] }), 'allowed');
  });
  it('lets an explicit deny win', () => {
    const set = { identity: [{ id: 'a', policy: pol(allow('s3:*')) }, { id: 'd', policy: pol(deny('s3:GetObject')) }] };
    assert.equal(ev(alice, 's3:GetObject', 'arn:aws:s3:::b/k', set), 'explicitDeny');
  });
  it('intersects identity with the boundary and session policies', () => {
    const identity = [{ id: 'a', policy: pol(allow('s3:*')) }];
    assert.equal(ev(session, 's3:GetObject', 'arn:aws:s3:::b/k', { identity, boundary: { id: 'b', policy: pol(allow('ec2:*')) } }), 'implicitDeny');
    assert.equal(ev(session, 's3:GetObject', 'arn:aws:s3:::b/k', { identity, session: [{ id: 's', policy: pol(allow('s3:List*')) }] }), 'implicitDeny');
    assert.equal(ev(session, 's3:ListBucket', 'arn:aws:s3:::b', { identity, session: [{ id: 's', policy: pol(allow('s3:List*')) }] }), 'allowed');
  });
  it('distinguishes a resource policy naming the role from one naming the session', () => {
    const boundary = { id: 'b', policy: pol(allow('ec2:*')) };
    const byRole = { id: 'r', policy: pol(allow('s3:GetObject', '*', { Principal: { AWS: `arn:aws:iam::${A}:role/app` } }), 'resource') };
    const bySession = { id: 'r', policy: pol(allow('s3:GetObject', '*', { Principal: { AWS: `arn:aws:sts::${A}:assumed-role/app/s1` } }), 'resource') };
    assert.equal(ev(session, 's3:GetObject', 'arn:aws:s3:::b/k', { resource: byRole, boundary }), 'implicitDeny');
    assert.equal(ev(session, 's3:GetObject', 'arn:aws:s3:::b/k', { resource: bySession, boundary }), 'allowed');
    assert.equal(ev(session, 's3:GetObject', 'arn:aws:s3:::b/k', { resource: byRole }), 'allowed');
  });
  it('needs both sides across accounts', () => {
    const bob = principalFromArn(`arn:aws:iam::${B}:user/bob`) as RequestPrincipal;
    const resource = { id: 'r', policy: pol(allow('s3:GetObject', '*', { Principal: { AWS: B } }), 'resource') };
    const identity = [{ id: 'i', policy: pol(allow('s3:GetObject')) }];
    const r = { principal: bob, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
    assert.equal(evaluate(r, { resource }).decision, 'implicitDeny');
    assert.equal(evaluate(r, { identity }).decision, 'implicitDeny');
    assert.equal(evaluate(r, { identity, resource }).decision, 'allowed');
  });
  it('sets aws:ResourceAccount to the account that owns the resource, unless the context says', () => {
    const perimeter = { id: 'd', policy: pol(deny('*', '*', { Condition: { StringNotEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } } })) };
    const identity = [{ id: 'a', policy: pol(allow(['iam:GetRole', 's3:GetObject', 'sts:GetCallerIdentity'])) }, perimeter];
    assert.equal(ev(alice, 'iam:GetRole', `arn:aws:iam::${A}:role/app`, { identity }), 'allowed', 'own account: the data perimeter lets it through');
    assert.equal(ev(alice, 'iam:GetRole', `arn:aws:iam::${B}:role/app`, { identity }), 'explicitDeny', 'another account');
    assert.equal(ev(alice, 'sts:GetCallerIdentity', '*', { identity }), 'allowed', 'no resource: the caller\'s account');
    assert.equal(ev(alice, 's3:GetObject', 'arn:aws:s3:::b/k', { identity }, { 'aws:ResourceAccount': B }), 'explicitDeny', 'the context wins');
    const r = { principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: B, context: principalContext(alice) };
    assert.equal(evaluate(r, { identity }).decision, 'explicitDeny', 'the request\'s resourceAccount');
    const onlyMine = [{ id: 'a', policy: pol(allow('iam:GetRole', '*', { Condition: { StringEquals: { 'aws:ResourceAccount': A } } })) }];
    assert.equal(ev(alice, 'iam:GetRole', `arn:aws:iam::${A}:role/app`, { identity: onlyMine }), 'allowed');
  });
  it('requires the trust policy to allow even when the identity policy does', () => {
    const identity = [{ id: 'i', policy: pol(allow('sts:AssumeRole')) }];
    const trustAccount = { id: 't', policy: pol({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }] }, 'trust') };
    const trustOther = { id: 't', policy: pol({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, 'trust') };
    const role = `arn:aws:iam::${A}:role/target`;
    assert.equal(ev(alice, 'sts:AssumeRole', role, { identity, resource: trustOther }, {}, 'trust'), 'implicitDeny');
    assert.equal(ev(alice, 'sts:AssumeRole', role, { identity, resource: trustAccount }, {}, 'trust'), 'allowed');
    assert.equal(ev(alice, 'sts:AssumeRole', role, { resource: trustAccount }, {}, 'trust'), 'implicitDeny');
  });
  it('explains why a statement did not apply', () => {
    const set = { identity: [{ id: 'p', policy: pol(allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } })) }] };
    const r = evaluate({ principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, set, { explain: true });
    assert.equal(r.decision, 'implicitDeny');
    assert.deepEqual(r.missingContextKeys, ['aws:PrincipalTag/team']);
    const t = r.trace?.[0];
    assert.equal(t?.reason?.element, 'Condition');
  });
  it('never throws on bad data', () => {
    const weird = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { NumericEquals: { 'x:y': 'abc' } } }] } as unknown as Policy;
    const r = evaluate({ principal: alice, action: 's3:GetObject', resource: '*', context: { 'x:y': 1 } }, { identity: [{ id: 'w', policy: weird }] });
    assert.equal(r.decision, 'implicitDeny');
    assert.ok(r.diagnostics.length > 0);
  });
});
