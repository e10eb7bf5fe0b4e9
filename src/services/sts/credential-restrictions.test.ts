import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../../domain/caller.js';
import { credentialRestriction, restrictedCredentialSource } from './credential-restrictions.js';

const A = '123456789012';
const session = (mfa = false): NonNullable<Caller['session']> => ({
  issuedAt: new Date(0),
  expiresAt: new Date(3_600_000),
  tags: [],
  transitiveTagKeys: [],
  policies: [],
  chainDepth: 0,
  originalCaller: `arn:aws:iam::${A}:user/u`,
  ...(mfa ? { mfaAuthenticatedAt: new Date(0) } : {}),
});
const user = (s?: Caller['session']): Caller => ({ kind: 'user', accountId: A, principal: { type: 'User', account: A, arn: `arn:aws:iam::${A}:user/u`, id: 'AIDAU' }, userId: 'AIDAU', arn: `arn:aws:iam::${A}:user/u`, accessKeyId: 'K', userName: 'u', ...(s ? { session: s } : {}) });
const root = (s?: Caller['session']): Caller => ({ kind: 'root', accountId: A, principal: { type: 'Account', account: A, arn: `arn:aws:iam::${A}:root`, id: A }, userId: A, arn: `arn:aws:iam::${A}:root`, accessKeyId: 'K', ...(s ? { session: s } : {}) });
const fed: Caller = { kind: 'federated-user', accountId: A, principal: { type: 'FederatedUser', account: A, arn: `arn:aws:sts::${A}:federated-user/f`, id: `${A}:f` }, userId: `${A}:f`, arn: `arn:aws:sts::${A}:federated-user/f`, accessKeyId: 'K', session: session() };
const role: Caller = { kind: 'assumed-role', accountId: A, principal: { type: 'AssumedRole', account: A, arn: `arn:aws:sts::${A}:assumed-role/r/s`, id: 'AROA:s' }, userId: 'AROA:s', arn: `arn:aws:sts::${A}:assumed-role/r/s`, accessKeyId: 'K', roleName: 'r', session: session() };

const verdict = (c: Caller, service: 'iam' | 'sts' | 'cloudtrail', op: string) => {
  const e = credentialRestriction(c, service, op);
  return e ? `${e.code}: ${e.message}` : 'ok';
};

describe('restrictions on GetSessionToken / GetFederationToken credentials', () => {
  it('knows which credentials are restricted', () => {
    assert.equal(restrictedCredentialSource(user()), undefined);
    assert.equal(restrictedCredentialSource(root()), undefined);
    assert.equal(restrictedCredentialSource(role), undefined);
    assert.equal(restrictedCredentialSource(user(session())), 'GetSessionToken');
    assert.equal(restrictedCredentialSource(root(session())), 'GetSessionToken');
    assert.equal(restrictedCredentialSource(fed), 'GetFederationToken');
  });

  it('leaves long-term keys and role sessions alone', () => {
    for (const c of [user(), root(), role]) for (const [svc, op] of [['iam', 'ListRoles'], ['sts', 'GetAccessKeyInfo'], ['sts', 'DecodeAuthorizationMessage']] as const) assert.equal(verdict(c, svc, op), 'ok');
  });

  it('GetSessionToken credentials: IAM only with MFA; STS only AssumeRole and GetCallerIdentity', () => {
    const invalid = 'InvalidClientTokenId: The security token included in the request is invalid';
    assert.equal(verdict(user(session()), 'iam', 'ListRoles'), invalid);
    assert.equal(verdict(root(session()), 'iam', 'ListRoles'), invalid);
    assert.equal(verdict(user(session(true)), 'iam', 'ListRoles'), 'ok');
    for (const op of ['AssumeRole', 'GetCallerIdentity', 'GetSessionToken', 'GetFederationToken']) assert.equal(verdict(user(session()), 'sts', op), 'ok', op);
    assert.equal(verdict(user(session(true)), 'sts', 'GetAccessKeyInfo'), 'AccessDenied: Cannot call GetAccessKeyInfo with session credentials from GetSessionToken');
    assert.equal(verdict(user(session()), 'cloudtrail', 'LookupEvents'), 'ok');
  });

  it('GetFederationToken credentials: no IAM; STS only GetCallerIdentity', () => {
    assert.equal(verdict(fed, 'iam', 'GetUser'), 'InvalidClientTokenId: The security token included in the request is invalid');
    assert.equal(verdict(fed, 'sts', 'GetCallerIdentity'), 'ok');
    assert.equal(verdict(fed, 'sts', 'DecodeAuthorizationMessage'), 'AccessDenied: Cannot call DecodeAuthorizationMessage with session credentials from GetFederationToken');
    // These refuse the caller themselves, in AWS's words.
    for (const op of ['AssumeRole', 'GetSessionToken', 'GetFederationToken']) assert.equal(verdict(fed, 'sts', op), 'ok', op);
    assert.equal(credentialRestriction(fed, 'sts', undefined), undefined, 'unknown STS actions fail later, as input errors');
    assert.notEqual(credentialRestriction(fed, 'iam', undefined), undefined, 'but IAM refuses the token before reading the input');
  });
});
