/**
 * The optional trust guardrail: with --trust-guardrail=security, CreateRole and
 * UpdateAssumeRolePolicy refuse trust policies with security warnings or errors (a
 * MalformedPolicyDocument naming the finding) and change nothing; with =error only errors; off by
 * default, as AWS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSettings } from '../../src/config/config.js';
import { doc, expectError, iamClient, startTestServer, TRUST_EC2, type TestServer } from './support/server.js';

const PUBLIC = doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }]);
const PARTNER = doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/partner' }, Action: 'sts:AssumeRole' }]);
const PARTNER_WITH_ID = doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/partner' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x-123' } } }]);
const SESSION_TAGS_STAR = doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' }]);

describe('the trust guardrail', () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  const server = async (trustGuardrail?: 'error' | 'security') => {
    const s = await startTestServer(trustGuardrail ? { settings: { trustGuardrail } } : {});
    servers.push(s);
    return iamClient(s.url, s.root);
  };

  it('settings: flag, variable, default off, bad values refused', () => {
    assert.equal(resolveSettings({}, {}).trustGuardrail, undefined);
    assert.equal(resolveSettings({}, { ROLECALL_TRUST_GUARDRAIL: 'security' }).trustGuardrail, 'security');
    assert.equal(resolveSettings({ trustGuardrail: 'error' }, { ROLECALL_TRUST_GUARDRAIL: 'security' }).trustGuardrail, 'error');
    assert.equal(resolveSettings({ trustGuardrail: 'off' }, {}).trustGuardrail, undefined);
    assert.throws(() => resolveSettings({ trustGuardrail: 'strict' }, {}), /invalid trust guardrail/);
  });

  it('security: refuses public and cross-account trust without an external id, with the finding named; changes nothing', async () => {
    const iam = await server('security');
    const e = await expectError(iam.call('CreateRole', { RoleName: 'public', AssumeRolePolicyDocument: PUBLIC }), { name: 'MalformedPolicyDocumentException', status: 400 });
    assert.match(e.message, /^Refused by the trust guardrail \(--trust-guardrail=security\): TRUST_ANY_PRINCIPAL: /);
    await expectError(iam.call('GetRole', { RoleName: 'public' }), { name: 'NoSuchEntityException', status: 404 });
    await iam.call('CreateRole', { RoleName: 'svc', AssumeRolePolicyDocument: TRUST_EC2 });
    const upd = await expectError(iam.call('UpdateAssumeRolePolicy', { RoleName: 'svc', PolicyDocument: PARTNER }), { name: 'MalformedPolicyDocumentException', status: 400 });
    assert.match(upd.message, /CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID/);
    const role = (await iam.call('GetRole', { RoleName: 'svc' })).Role;
    assert.deepEqual(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument)), JSON.parse(TRUST_EC2));
    await iam.call('UpdateAssumeRolePolicy', { RoleName: 'svc', PolicyDocument: PARTNER_WITH_ID });
    await expectError(iam.call('CreateRole', { RoleName: 'tags', AssumeRolePolicyDocument: SESSION_TAGS_STAR }), { name: 'MalformedPolicyDocumentException', status: 400, message: /TRUST_PERMISSION_CONFUSION/ });
  });

  it('error: security warnings pass, only errors are refused', async () => {
    const iam = await server('error');
    await iam.call('CreateRole', { RoleName: 'partner', AssumeRolePolicyDocument: PARTNER });
    await iam.call('CreateRole', { RoleName: 'public', AssumeRolePolicyDocument: PUBLIC });
    const bareHost = doc([{ Effect: 'Allow', Principal: { Federated: 'token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }]);
    await expectError(iam.call('CreateRole', { RoleName: 'gh', AssumeRolePolicyDocument: bareHost }), { name: 'MalformedPolicyDocumentException', status: 400, message: /--trust-guardrail=error\): FEDERATION_ACTION_MISMATCH: "token\.actions\.githubusercontent\.com" is not a federated principal/ });
  });

  it('off (default): accepted, as AWS does', async () => {
    const iam = await server();
    await iam.call('CreateRole', { RoleName: 'public', AssumeRolePolicyDocument: PUBLIC });
  });
});
