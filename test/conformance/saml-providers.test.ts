/**
 * IAM SAML 2.0 identity providers through the AWS SDK for JavaScript v3 against a real server:
 * the whole lifecycle (the metadata document comes back byte for byte through the XML wire
 * format), each error IAM answers (code, HTTP status, message), authorization on the provider
 * ARN with tag condition keys, and one AWS CLI v1 round trip with a metadata file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idpMetadata, testIdpKey } from '../../src/services/iam/shared/saml-metadata-harness.test.js';
import { doc, expectError, iamClient, isolatedHome, resolveTools, runAws, startTestServer, type Client, type IsolatedHome, type TestServer } from './support/server.js';

let server: TestServer;
let iam: Client;
let acct: string;
let META = '';
let META2 = '';

before(async () => {
  server = await startTestServer();
  iam = await iamClient(server.url, server.root);
  acct = server.accountId;
  const [a, b] = await Promise.all([testIdpKey('idp.example.com'), testIdpKey('idp2.example.com')]);
  // Characters the XML wire format must escape, in a comment the parser ignores.
  META = idpMetadata({ certs: [a.certBase64] }).replace('<md:IDPSSODescriptor', '<!-- R&D <corp> "idp" \'x\' ünï -->\n  <md:IDPSSODescriptor');
  META2 = idpMetadata({ entityId: 'https://idp2.example.com/saml', certs: [b.certBase64], validUntil: '2030-06-01T00:00:00Z' });
});

after(async () => {
  await server?.close();
});

const providerArn = (name: string) => `arn:aws:iam::${acct}:saml-provider/${name}`;

describe('SAML providers: lifecycle', () => {
  it('CreateSAMLProvider returns the ARN (and the tags given); Get returns the document as uploaded', async () => {
    const before = Date.now();
    const out = await iam.call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META });
    assert.equal(out.SAMLProviderArn, providerArn('corp-idp'));
    assert.equal(out.Tags, undefined);
    const got = await iam.call('GetSAMLProvider', { SAMLProviderArn: providerArn('corp-idp') });
    assert.equal(got.SAMLMetadataDocument, META);
    assert.match(got.SAMLProviderUUID, /^[A-Z0-9]{22,64}$/);
    assert.deepEqual(got.Tags, []);
    assert.equal(got.AssertionEncryptionMode, 'Allowed');
    assert.ok(got.CreateDate instanceof Date && got.CreateDate.getTime() >= before - 1000 && got.CreateDate.getTime() <= Date.now() + 1000, String(got.CreateDate));
    assert.equal(got.ValidUntil.getUTCFullYear(), got.CreateDate.getUTCFullYear() + 100, 'no validUntil in the metadata: 100 years');

    const tagged = await iam.call('CreateSAMLProvider', { Name: 'Azure_AD', SAMLMetadataDocument: META2, Tags: [{ Key: 'team', Value: 'id' }] });
    assert.deepEqual(tagged, { $metadata: tagged.$metadata, SAMLProviderArn: providerArn('Azure_AD'), Tags: [{ Key: 'team', Value: 'id' }] });
    assert.deepEqual((await iam.call('GetSAMLProvider', { SAMLProviderArn: providerArn('Azure_AD') })).ValidUntil, new Date(Date.UTC(2030, 5, 1)));
  });

  it('ListSAMLProviders lists Arn, ValidUntil and CreateDate, ordered by name', async () => {
    const out = await iam.call('ListSAMLProviders', {});
    assert.deepEqual(out.SAMLProviderList.map((p: { Arn: string }) => p.Arn), [providerArn('Azure_AD'), providerArn('corp-idp')]);
    assert.deepEqual(out.SAMLProviderList[0].ValidUntil, new Date(Date.UTC(2030, 5, 1)));
    assert.ok(out.SAMLProviderList[1].CreateDate instanceof Date);
  });

  it('UpdateSAMLProvider replaces the document and ValidUntil', async () => {
    const arn = { SAMLProviderArn: providerArn('corp-idp') };
    assert.equal((await iam.call('UpdateSAMLProvider', { ...arn, SAMLMetadataDocument: META2 })).SAMLProviderArn, arn.SAMLProviderArn);
    const got = await iam.call('GetSAMLProvider', arn);
    assert.deepEqual([got.SAMLMetadataDocument, got.ValidUntil], [META2, new Date(Date.UTC(2030, 5, 1))]);
  });

  it('tags: Tag, Untag, ListSAMLProviderTags with paging', async () => {
    const arn = { SAMLProviderArn: providerArn('corp-idp') };
    await iam.call('TagSAMLProvider', { ...arn, Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }, { Key: 'k3', Value: '' }] });
    const page1 = await iam.call('ListSAMLProviderTags', { ...arn, MaxItems: 2 });
    assert.deepEqual([page1.Tags, page1.IsTruncated], [[{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }], true]);
    const page2 = await iam.call('ListSAMLProviderTags', { ...arn, Marker: page1.Marker });
    assert.deepEqual([page2.Tags, page2.IsTruncated, page2.Marker], [[{ Key: 'k3', Value: '' }], false, undefined]);
    await iam.call('UntagSAMLProvider', { ...arn, TagKeys: ['k2', 'k3'] });
    assert.deepEqual((await iam.call('GetSAMLProvider', arn)).Tags, [{ Key: 'k1', Value: 'v1' }]);
  });

  it('GetAccountSummary counts the providers', async () => {
    assert.equal((await iam.call('GetAccountSummary', {})).SummaryMap.Providers, 2);
  });

  it('DeleteSAMLProvider; the provider is gone', async () => {
    await iam.call('DeleteSAMLProvider', { SAMLProviderArn: providerArn('Azure_AD') });
    assert.deepEqual((await iam.call('ListSAMLProviders', {})).SAMLProviderList.map((p: { Arn: string }) => p.Arn), [providerArn('corp-idp')]);
  });
});

describe('SAML providers: errors', () => {
  before(async () => {
    await iam.call('CreateSAMLProvider', { Name: 'errors', SAMLMetadataDocument: META });
  });

  it('a duplicate name is EntityAlreadyExists (409)', async () => {
    await expectError(iam.call('CreateSAMLProvider', { Name: 'errors', SAMLMetadataDocument: META2 }), { name: 'EntityAlreadyExistsException', status: 409, message: 'Provider with name errors already exists.' });
  });

  it('metadata that is not usable IdP metadata is InvalidInput (400)', async () => {
    for (const bad of ['x'.repeat(1500), META.replace(/use="signing"/g, 'use="encryption"'), META.replace('<md:EntityDescriptor', '<!DOCTYPE md:EntityDescriptor>\n<md:EntityDescriptor')]) {
      await expectError(iam.call('CreateSAMLProvider', { Name: 'bad', SAMLMetadataDocument: bad }), { name: 'InvalidInputException', status: 400, message: 'Could not parse metadata' });
    }
    await expectError(iam.call('UpdateSAMLProvider', { SAMLProviderArn: providerArn('errors'), SAMLMetadataDocument: 'y'.repeat(1500) }), { name: 'InvalidInputException', status: 400, message: 'Could not parse metadata' });
    assert.equal((await iam.call('GetSAMLProvider', { SAMLProviderArn: providerArn('errors') })).SAMLMetadataDocument, META, 'a refused update changes nothing');
  });

  it('model constraints (name pattern and length, document length) are ValidationErrors', async () => {
    await expectError(iam.call('CreateSAMLProvider', { Name: 'a b', SAMLMetadataDocument: META }), { name: 'ValidationError', status: 400, message: /at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/ });
    await expectError(iam.call('CreateSAMLProvider', { Name: 'n'.repeat(129), SAMLMetadataDocument: META }), { name: 'ValidationError', status: 400, message: /at 'name' failed to satisfy constraint: Member must have length less than or equal to 128/ });
    await expectError(iam.call('CreateSAMLProvider', { Name: 'short', SAMLMetadataDocument: '<x/>' }), { name: 'ValidationError', status: 400, message: /Member must have length greater than or equal to 1000/ });
  });

  it('an unknown provider is NoSuchEntity (404)', async () => {
    const missing = providerArn('missing');
    const calls: Array<[string, Record<string, unknown>]> = [
      ['GetSAMLProvider', {}],
      ['DeleteSAMLProvider', {}],
      ['UpdateSAMLProvider', { SAMLMetadataDocument: META }],
      ['TagSAMLProvider', { Tags: [{ Key: 'a', Value: 'b' }] }],
      ['UntagSAMLProvider', { TagKeys: ['a'] }],
      ['ListSAMLProviderTags', {}],
    ];
    for (const [name, extra] of calls) {
      await expectError(iam.call(name, { SAMLProviderArn: missing, ...extra }), { name: 'NoSuchEntityException', status: 404, message: `Manifest not found for arn ${missing}` });
    }
  });

  it('a malformed ARN is InvalidInput (400)', async () => {
    const bad = `arn:aws:iam::${acct}:role/not-a-provider`;
    await expectError(iam.call('GetSAMLProvider', { SAMLProviderArn: bad }), { name: 'InvalidInputException', status: 400, message: `ARN ${bad} is not valid.` });
  });

  it('too many tags is LimitExceeded; bad input changes nothing', async () => {
    await iam.call('TagSAMLProvider', { SAMLProviderArn: providerArn('errors'), Tags: [{ Key: 'keep', Value: '1' }] });
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `t${i}`, Value: 'x' }));
    await expectError(iam.call('TagSAMLProvider', { SAMLProviderArn: providerArn('errors'), Tags: fifty }), { name: 'LimitExceededException', status: 409, message: 'The number of tags has reached the maximum limit.' });
    assert.deepEqual((await iam.call('GetSAMLProvider', { SAMLProviderArn: providerArn('errors') })).Tags, [{ Key: 'keep', Value: '1' }]);
    assert.equal((await iam.call('ListSAMLProviders', {})).SAMLProviderList.some((p: { Arn: string }) => p.Arn.endsWith('/bad')), false);
  });
});

describe('SAML providers: authorization', () => {
  it('is decided on the provider ARN, with aws:RequestTag and aws:ResourceTag', async () => {
    const policy = doc([
      { Effect: 'Allow', Action: ['iam:CreateSAMLProvider', 'iam:TagSAMLProvider'], Resource: `arn:aws:iam::${acct}:saml-provider/*`, Condition: { StringEquals: { 'aws:RequestTag/team': 'id' } } },
      { Effect: 'Allow', Action: 'iam:GetSAMLProvider', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'id' } } },
      { Effect: 'Allow', Action: 'iam:DeleteSAMLProvider', Resource: `arn:aws:iam::${acct}:saml-provider/id-team` },
    ]);
    await iam.call('CreateUser', { UserName: 'saml-admin' });
    await iam.call('PutUserPolicy', { UserName: 'saml-admin', PolicyName: 'inline', PolicyDocument: policy });
    const k = (await iam.call('CreateAccessKey', { UserName: 'saml-admin' })).AccessKey;
    const user = await iamClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    const userArn = `arn:aws:iam::${acct}:user/saml-admin`;

    await user.call('CreateSAMLProvider', { Name: 'id-team', SAMLMetadataDocument: META, Tags: [{ Key: 'team', Value: 'id' }] });
    await expectError(user.call('CreateSAMLProvider', { Name: 'web-team', SAMLMetadataDocument: META, Tags: [{ Key: 'team', Value: 'web' }] }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${userArn} is not authorized to perform: iam:CreateSAMLProvider on resource: ${providerArn('web-team')} because no identity-based policy allows the iam:CreateSAMLProvider action`,
    });
    assert.equal((await user.call('GetSAMLProvider', { SAMLProviderArn: providerArn('id-team') })).SAMLMetadataDocument, META);
    await iam.call('CreateSAMLProvider', { Name: 'web-team', SAMLMetadataDocument: META, Tags: [{ Key: 'team', Value: 'web' }] });
    await expectError(user.call('GetSAMLProvider', { SAMLProviderArn: providerArn('web-team') }), { name: 'AccessDenied', status: 403 });
    await expectError(user.call('UpdateSAMLProvider', { SAMLProviderArn: providerArn('id-team'), SAMLMetadataDocument: META2 }), { name: 'AccessDenied', status: 403 });
    await expectError(user.call('DeleteSAMLProvider', { SAMLProviderArn: providerArn('web-team') }), { name: 'AccessDenied', status: 403 });
    await expectError(user.call('ListSAMLProviders', {}), { name: 'AccessDenied', status: 403 });
    await user.call('DeleteSAMLProvider', { SAMLProviderArn: providerArn('id-team') });
    await iam.call('DeleteSAMLProvider', { SAMLProviderArn: providerArn('web-team') });
  });
});

describe('SAML providers: AWS CLI v1', () => {
  let home: IsolatedHome | undefined;
  after(() => home?.cleanup());

  it('create-saml-provider --saml-metadata-document file://..., get, list, update, delete', async (t) => {
    const tools = await resolveTools();
    if (!tools.aws) return t.skip('the AWS CLI is not installed');
    home = isolatedHome();
    const env = home.env(server, server.root);
    const file = join(home.dir, 'idp-metadata.xml');
    writeFileSync(file, META);
    const created = await runAws(['iam', 'create-saml-provider', '--name', 'cli-idp', '--saml-metadata-document', `file://${file}`, '--tags', 'Key=via,Value=cli'], env);
    assert.equal(created.code, 0, created.stderr);
    const arn = providerArn('cli-idp');
    assert.deepEqual(JSON.parse(created.stdout), { SAMLProviderArn: arn, Tags: [{ Key: 'via', Value: 'cli' }] });
    const got = await runAws(['iam', 'get-saml-provider', '--saml-provider-arn', arn], env);
    assert.equal(got.code, 0, got.stderr);
    const g = JSON.parse(got.stdout);
    assert.deepEqual([g.SAMLMetadataDocument, g.Tags], [META, [{ Key: 'via', Value: 'cli' }]]);
    assert.match(g.CreateDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.match(g.ValidUntil, /^21\d\d-\d\d-\d\dT/);
    const listed = await runAws(['iam', 'list-saml-providers'], env);
    assert.ok(JSON.parse(listed.stdout).SAMLProviderList.some((p: { Arn: string }) => p.Arn === arn));
    writeFileSync(file, META2);
    const updated = await runAws(['iam', 'update-saml-provider', '--saml-provider-arn', arn, '--saml-metadata-document', `file://${file}`], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(JSON.parse(updated.stdout), { SAMLProviderArn: arn });
    const dup = await runAws(['iam', 'create-saml-provider', '--name', 'cli-idp', '--saml-metadata-document', `file://${file}`], env);
    assert.equal(dup.code, 255);
    assert.match(dup.stderr, /An error occurred \(EntityAlreadyExists\) when calling the CreateSAMLProvider operation: Provider with name cli-idp already exists\./);
    const del = await runAws(['iam', 'delete-saml-provider', '--saml-provider-arn', arn], env);
    assert.equal(del.code, 0, del.stderr);
    const gone = await runAws(['iam', 'get-saml-provider', '--saml-provider-arn', arn], env);
    assert.equal(gone.code, 255, gone.stderr);
    assert.match(gone.stderr, /\(NoSuchEntity\).*Manifest not found for arn/);
  });
});
