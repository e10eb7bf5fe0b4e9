/**
 * AssumeRoleWithSAML end to end: a real server, the development SAML IdP's signed responses, the
 * JS SDK v3 sending the call unsigned, and each refusal with STS's code and status.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { devSamlResponse, initDevSamlIdp, type DevSamlResponseOptions } from '../../federation/dev-saml-idp.js';
import { nameQualifier } from './assume-role-with-saml.js';
import { ACCOUNT, credsOf, doc, expectAwsError, startStsHarness, type Client, type StsHarness } from './sts-server-harness.test.js';

const ENTITY = 'https://idp.corp.example/saml';

describe('AssumeRoleWithSAML', () => {
  let h: StsHarness;
  let dir: string;
  let iam: Client;
  let sts: Client;
  let providerArn: string;
  const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const response = (role: string, over: Partial<DevSamlResponseOptions> = {}) =>
    devSamlResponse(dir, { subject: 'alice@corp.example', roles: [{ roleArn: roleArn(role), providerArn }], sessionName: 'alice', now: h.clock.now(), ...over });
  const assume = (role: string, SAMLAssertion: string, extra: Record<string, unknown> = {}) => sts.call('AssumeRoleWithSAML', { RoleArn: roleArn(role), PrincipalArn: providerArn, SAMLAssertion, ...extra });
  const trust = (conditions: Record<string, unknown> = {}, actions = ['sts:AssumeRoleWithSAML']) =>
    doc([{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: actions, Condition: { StringEquals: { 'saml:aud': 'https://signin.aws.amazon.com/saml' }, ...conditions } }]);

  before(async () => {
    h = await startStsHarness();
    dir = mkdtempSync(join(tmpdir(), 'rolecall-saml-sts-'));
    const { metadataFile } = await initDevSamlIdp(dir, ENTITY);
    iam = await h.iam();
    sts = await h.sts();
    providerArn = (await iam.call('CreateSAMLProvider', { Name: 'corp', SAMLMetadataDocument: readFileSync(metadataFile, 'utf8') })).SAMLProviderArn;
    assert.equal(providerArn, `arn:aws:iam::${ACCOUNT}:saml-provider/corp`);
    await iam.call('CreateRole', { RoleName: 'saml-admin', AssumeRolePolicyDocument: trust({ StringLike: { 'saml:sub': '*@corp.example' } }), MaxSessionDuration: 7200 });
    await iam.call('PutRolePolicy', { RoleName: 'saml-admin', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:FederatedProvider': providerArn } } }]) });
    await iam.call('CreateRole', { RoleName: 'saml-tagged', AssumeRolePolicyDocument: trust({}, ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity']) });
    await iam.call('PutRolePolicy', { RoleName: 'saml-tagged', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/dept': 'eng', 'aws:SourceIdentity': 'alice' } } }]) });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  it('issues role credentials for a signed assertion the trust policy accepts, and they work', async () => {
    const r = await assume('saml-admin', response('saml-admin'), { DurationSeconds: 1800 });
    assert.match(r.Credentials.AccessKeyId, /^ASIA/);
    assert.equal(r.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/saml-admin/alice`);
    assert.equal(r.Subject, 'alice@corp.example');
    assert.equal(r.SubjectType, 'persistent');
    assert.equal(r.Issuer, ENTITY);
    assert.equal(r.Audience, 'https://signin.aws.amazon.com/saml');
    assert.equal(r.NameQualifier, nameQualifier(ENTITY, ACCOUNT, 'corp'));
    assert.equal(r.Credentials.Expiration.getTime(), h.clock.now().getTime() - (h.clock.now().getTime() % 1000) + 1800_000);
    const session = credsOf(r);
    assert.equal((await (await h.sts(session)).call('GetCallerIdentity')).Arn, r.AssumedRoleUser.Arn);
    assert.equal((await (await h.iam(session)).call('GetRole', { RoleName: 'saml-admin' })).Role.RoleName, 'saml-admin', 'aws:FederatedProvider is the provider ARN');
  });

  it('the session ends at SessionNotOnOrAfter when that comes first', async () => {
    const end = new Date(h.clock.now().getTime() + 1200_000);
    const r = await assume('saml-admin', response('saml-admin', { sessionNotOnOrAfter: end }), { DurationSeconds: 3600 });
    assert.equal(r.Credentials.Expiration.getTime(), Math.floor(end.getTime() / 1000) * 1000);
  });

  it('refuses a role the assertion does not offer, a subject the trust policy does not match, a missing role (AccessDenied)', async () => {
    const denied = { code: 'AccessDenied', status: 403, message: 'Not authorized to perform sts:AssumeRoleWithSAML' };
    await expectAwsError(assume('saml-tagged', response('saml-admin')), denied);
    await expectAwsError(assume('saml-admin', response('saml-admin', { subject: 'mallory@evil.example' })), denied);
    await expectAwsError(assume('missing', response('missing')), denied);
  });

  it('refuses a bad signature, another issuer, an expired response, a missing session name, an unknown provider', async () => {
    const tampered = Buffer.from(Buffer.from(response('saml-admin'), 'base64').toString('utf8').replace('>alice@corp.example<', '>root@corp.example<')).toString('base64');
    await expectAwsError(assume('saml-admin', tampered), { code: 'InvalidIdentityToken', status: 400, message: 'Response signature invalid' });
    await expectAwsError(assume('saml-admin', response('saml-admin', { issuer: 'https://other.example/' })), { code: 'InvalidIdentityToken', status: 400, message: 'Issuer not present in specified provider' });
    await expectAwsError(assume('saml-admin', response('saml-admin', { now: new Date(h.clock.now().getTime() - 600_000) })), { code: 'ExpiredTokenException', status: 400 });
    const { sessionName: _omit, ...noName } = { subject: 'alice@corp.example', roles: [{ roleArn: roleArn('saml-admin'), providerArn }], sessionName: undefined, now: h.clock.now() };
    await expectAwsError(assume('saml-admin', devSamlResponse(dir, noName)), { code: 'InvalidIdentityToken', status: 400, message: 'RoleSessionName is required in AuthnResponse' });
    await expectAwsError(assume('saml-admin', response('saml-admin', { sessionName: 'a b' })), { code: 'InvalidIdentityToken', status: 400, message: 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}' });
    await expectAwsError(sts.call('AssumeRoleWithSAML', { RoleArn: roleArn('saml-admin'), PrincipalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/nope`, SAMLAssertion: response('saml-admin') }), { code: 'InvalidIdentityToken', status: 400, message: "Specified provider doesn't exist" });
    await expectAwsError(sts.call('AssumeRoleWithSAML', { RoleArn: roleArn('saml-admin'), PrincipalArn: 'arn:aws:iam::123:nonsense/x/y/z', SAMLAssertion: response('saml-admin') }), { code: 'ValidationError', status: 400, message: 'Request ARN is invalid' });
    await expectAwsError(assume('saml-admin', response('saml-admin'), { DurationSeconds: 7201 }), { code: 'ValidationError', status: 400 });
  });

  it('saml:sub_type, saml:namequalifier and OID attributes reach the trust policy', async () => {
    await iam.call('CreateRole', {
      RoleName: 'saml-keys',
      AssumeRolePolicyDocument: trust({ StringEquals: { 'saml:aud': 'https://signin.aws.amazon.com/saml', 'saml:sub_type': 'persistent', 'saml:namequalifier': nameQualifier(ENTITY, ACCOUNT, 'corp'), 'saml:mail': 'alice@corp.example', 'saml:iss': ENTITY } }),
    });
    const mail = { 'urn:oid:0.9.2342.19200300.100.1.3': ['alice@corp.example'] };
    assert.ok((await assume('saml-keys', response('saml-keys', { attributes: mail }))).Credentials);
    await expectAwsError(assume('saml-keys', response('saml-keys')), { code: 'AccessDenied', status: 403 });
    const email = await expectAwsError(assume('saml-keys', response('saml-keys', { attributes: mail, nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' })), { code: 'AccessDenied', status: 403 });
    assert.ok(email);
  });

  it("refuses another account's provider and a provider past its ValidUntil", async () => {
    await expectAwsError(sts.call('AssumeRoleWithSAML', { RoleArn: roleArn('saml-admin'), PrincipalArn: 'arn:aws:iam::999988887777:saml-provider/corp', SAMLAssertion: response('saml-admin') }), { code: 'InvalidIdentityToken', status: 400, message: "Specified provider doesn't exist" });
    const { metadataFile } = await initDevSamlIdp(dir, ENTITY);
    const past = readFileSync(metadataFile, 'utf8').replace('<md:EntityDescriptor ', '<md:EntityDescriptor validUntil="2020-01-01T00:00:00Z" ');
    const old = (await iam.call('CreateSAMLProvider', { Name: 'old', SAMLMetadataDocument: past })).SAMLProviderArn;
    const r = devSamlResponse(dir, { subject: 'alice@corp.example', roles: [{ roleArn: roleArn('saml-admin'), providerArn: old }], sessionName: 'alice', now: h.clock.now() });
    await expectAwsError(sts.call('AssumeRoleWithSAML', { RoleArn: roleArn('saml-admin'), PrincipalArn: old, SAMLAssertion: r }), { code: 'InvalidIdentityToken', status: 400, message: /has expired/ });
  });

  it('session tags and source identity from the assertion need sts:TagSession and sts:SetSourceIdentity', async () => {
    const attributes = { 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept': ['eng'], 'https://aws.amazon.com/SAML/Attributes/SourceIdentity': ['alice'] };
    const r = await assume('saml-tagged', response('saml-tagged', { attributes }));
    assert.equal(r.SourceIdentity, 'alice');
    assert.ok((await (await h.iam(credsOf(r))).call('ListRoles')).Roles.length >= 2);
    await expectAwsError(assume('saml-admin', response('saml-admin', { attributes })), { code: 'AccessDenied', status: 403 });
    // The identity provider's tags follow the naming rules of session tags.
    for (const bad of <Record<string, string[]>[]>[{ [`https://aws.amazon.com/SAML/Attributes/PrincipalTag:${'k'.repeat(129)}`]: ['v'] }, { 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept': ['x'.repeat(257)] }, { 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:aws:dept': ['eng'] }]) {
      await expectAwsError(assume('saml-tagged', response('saml-tagged', { attributes: bad })), { code: 'InvalidParameterValue', status: 400 });
    }
  });

  it('the saml: keys stay in every request of the session; attributes too large for a session are refused', async () => {
    await iam.call('CreateRole', { RoleName: 'saml-session-keys', AssumeRolePolicyDocument: trust() });
    await iam.call('PutRolePolicy', {
      RoleName: 'saml-session-keys',
      PolicyName: 'p',
      PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'saml:sub': 'alice@corp.example', 'saml:edupersonaffiliation': 'staff' } } }]),
    });
    const staff = { 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['staff'] };
    const alice = await h.iam(credsOf(await assume('saml-session-keys', response('saml-session-keys', { attributes: staff }))));
    assert.ok((await alice.call('ListRoles')).Roles.length > 0);
    const bob = await h.iam(credsOf(await assume('saml-session-keys', response('saml-session-keys', { subject: 'bob@corp.example', attributes: staff }))));
    await expectAwsError(bob.call('ListRoles'), { code: 'AccessDenied', status: 403 });
    const huge = { 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': Array.from({ length: 60 }, (_, i) => `urn:mace:corp.example:entitlement:${i}:${'x'.repeat(20)}`) };
    await expectAwsError(assume('saml-session-keys', response('saml-session-keys', { attributes: huge })), { code: 'IDPRejectedClaim', status: 403, message: /too large to carry into the session/ });
  });

  it('answers bad input with ValidationError, though the call is unsigned', async () => {
    await expectAwsError(assume('saml-admin', response('saml-admin'), { DurationSeconds: 10 }), { code: 'ValidationError', status: 400, message: /durationSeconds/ });
    await expectAwsError(assume('saml-admin', 'ab'), { code: 'ValidationError', status: 400, message: /sAMLAssertion/ });
  });

  it('records the call as a SAMLUser, the assertion left out', async () => {
    const assertion = response('saml-admin');
    const r = await assume('saml-admin', assertion);
    await h.running.audit?.flush();
    const events = (await h.running.store.audit.lookup({ accountId: ACCOUNT, attribute: { key: 'EventName', value: 'AssumeRoleWithSAML' }, limit: 100 })).map((x) => JSON.parse(x.json));
    const e = events.find((x: any) => x.responseElements?.credentials?.accessKeyId === r.Credentials.AccessKeyId);
    assert.ok(e);
    const q = nameQualifier(ENTITY, ACCOUNT, 'corp');
    assert.deepEqual(e.userIdentity, { type: 'SAMLUser', principalId: `${q}:alice@corp.example`, userName: 'alice@corp.example', identityProvider: q });
    assert.equal(JSON.stringify(e).includes(assertion.slice(0, 60)), false, 'the assertion is not recorded');
    assert.equal((await sts.call('GetAccessKeyInfo', { AccessKeyId: r.Credentials.AccessKeyId })).Account, ACCOUNT, 'found through this record');
  });
});
