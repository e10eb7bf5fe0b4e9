import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { accountOperations } from './account.js';
import { oidcProviderOperations } from './oidc-providers.js';
import { samlProviderOperations, SAML_PROVIDERS_PER_ACCOUNT } from './saml-providers.js';
import { parseSamlProviderArn, samlProviderArn } from './shared/saml.js';
import { idpMetadata, testIdpKey } from './shared/saml-metadata-harness.test.js';
import { awsError, rootCaller, TEST_ACCOUNT, testEnv, type TestEnv } from './shared/test-context.js';

const OTHER = '210987654321';
const ARN = samlProviderArn(TEST_ACCOUNT, 'corp-idp');
const NOW = new Date(Date.UTC(2026, 1, 2, 3, 4, 5));

function op(name: string) {
  const found = samlProviderOperations.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
}

describe('IAM SAML providers', () => {
  let store: Store;
  let env: TestEnv;
  let META = '';
  let META2 = '';
  const call = <O = any>(name: string, input: Record<string, unknown>, accountId = TEST_ACCOUNT): Promise<O> =>
    env.call<O>([...samlProviderOperations, ...oidcProviderOperations, ...accountOperations], name, input, rootCaller(accountId));

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    await store.accounts.create({ id: OTHER, createdAt: new Date() });
    env = testEnv(store);
    const [a, b] = await Promise.all([testIdpKey('idp.example.com'), testIdpKey('idp2.example.com')]);
    META = idpMetadata({ certs: [a.certBase64] });
    META2 = idpMetadata({ entityId: 'https://idp2.example.com/saml', certs: [b.certBase64], validUntil: '2030-06-01T00:00:00Z' });
  });
  beforeEach(async () => {
    env.clock.set(NOW);
    for (const a of [TEST_ACCOUNT, OTHER]) for (const p of await store.samlProviders.list(a)) await store.samlProviders.delete(a, p.name);
  });
  after(async () => store.close());

  it('parses provider ARNs', () => {
    assert.equal(ARN, `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/corp-idp`);
    assert.deepEqual(parseSamlProviderArn(`arn:aws:iam::${TEST_ACCOUNT}:saml-provider/Okta_1.x-y`), { accountId: TEST_ACCOUNT, name: 'Okta_1.x-y' });
    for (const bad of [`arn:aws:iam::${TEST_ACCOUNT}:role/x`, `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/`, `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/a/b`, `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/a b`, 'x']) {
      assert.equal(parseSamlProviderArn(bad), undefined, bad);
    }
  });

  it('creates, gets (the document as uploaded, ValidUntil 100 years out), lists and deletes', async () => {
    assert.deepEqual(await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META }), { SAMLProviderArn: ARN }, 'no Tags member without tags');
    const got = await call('GetSAMLProvider', { SAMLProviderArn: ARN });
    assert.match(got.SAMLProviderUUID, /^[A-Z0-9]{22,64}$/);
    assert.deepEqual(got, {
      SAMLProviderUUID: got.SAMLProviderUUID,
      SAMLMetadataDocument: META,
      CreateDate: NOW,
      ValidUntil: new Date(Date.UTC(2126, 1, 2, 3, 4, 5)),
      Tags: [],
      AssertionEncryptionMode: 'Allowed',
      PrivateKeyList: [],
    });
    env.clock.set(new Date(NOW.getTime() + 1000));
    await call('CreateSAMLProvider', { Name: 'Azure', SAMLMetadataDocument: META2 });
    const azure = samlProviderArn(TEST_ACCOUNT, 'Azure');
    assert.deepEqual((await call('GetSAMLProvider', { SAMLProviderArn: azure })).ValidUntil, new Date(Date.UTC(2030, 5, 1)), "the metadata's validUntil");
    assert.deepEqual(await call('ListSAMLProviders', {}), {
      SAMLProviderList: [
        { Arn: azure, ValidUntil: new Date(Date.UTC(2030, 5, 1)), CreateDate: new Date(NOW.getTime() + 1000) },
        { Arn: ARN, ValidUntil: new Date(Date.UTC(2126, 1, 2, 3, 4, 5)), CreateDate: NOW },
      ],
    });
    assert.deepEqual(await call('ListSAMLProviders', {}, OTHER), { SAMLProviderList: [] });
    assert.notEqual((await call('GetSAMLProvider', { SAMLProviderArn: azure })).SAMLProviderUUID, got.SAMLProviderUUID);
    assert.deepEqual(await call('DeleteSAMLProvider', { SAMLProviderArn: ARN }), {});
    await assert.rejects(call('GetSAMLProvider', { SAMLProviderArn: ARN }), awsError('NoSuchEntity', `Manifest not found for arn ${ARN}`));
    await assert.rejects(call('DeleteSAMLProvider', { SAMLProviderArn: ARN }), awsError('NoSuchEntity', `Manifest not found for arn ${ARN}`));
  });

  it('accepts and ignores assertion encryption settings', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META, AssertionEncryptionMode: 'Required', AddPrivateKey: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' });
    const got = await call('GetSAMLProvider', { SAMLProviderArn: ARN });
    assert.deepEqual([got.AssertionEncryptionMode, got.PrivateKeyList], ['Allowed', []]);
    await assert.rejects(call('CreateSAMLProvider', { Name: 'x', SAMLMetadataDocument: META, AssertionEncryptionMode: 'Sometimes' }), awsError('ValidationError', "1 validation error detected: Value 'Sometimes' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]"));
    assert.deepEqual(await call('UpdateSAMLProvider', { SAMLProviderArn: ARN, AssertionEncryptionMode: 'Allowed', RemovePrivateKey: 'ABCDEFGHIJKLMNOPQRSTUVWX' }), { SAMLProviderArn: ARN });
    assert.equal((await call('GetSAMLProvider', { SAMLProviderArn: ARN })).SAMLMetadataDocument, META, 'an update without a document changes nothing');
  });

  it('returns the tags given at creation and checks them', async () => {
    const out = await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META, Tags: [{ Key: 'team', Value: 'id' }] });
    assert.deepEqual(out, { SAMLProviderArn: ARN, Tags: [{ Key: 'team', Value: 'id' }] });
    await assert.rejects(
      call('CreateSAMLProvider', { Name: 'other', SAMLMetadataDocument: META, Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }),
      awsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'),
    );
    await assert.rejects(call('CreateSAMLProvider', { Name: 'other', SAMLMetadataDocument: META, Tags: [{ Key: 'aws:x', Value: '1' }] }), awsError('InvalidInput'));
    assert.equal(await store.samlProviders.get(TEST_ACCOUNT, 'other'), undefined, 'bad input creates nothing');
  });

  it('refuses bad names, documents and metadata, and duplicate names, creating nothing', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META });
    await assert.rejects(call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META2 }), awsError('EntityAlreadyExists', 'Provider with name corp-idp already exists.'));
    await assert.rejects(call('CreateSAMLProvider', { Name: 'a b', SAMLMetadataDocument: META }), awsError('ValidationError', "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w._-]+"));
    await assert.rejects(call('CreateSAMLProvider', { Name: 'x'.repeat(129), SAMLMetadataDocument: META }), awsError('ValidationError', `1 validation error detected: Value '${'x'.repeat(129)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128`));
    await assert.rejects(call('CreateSAMLProvider', { Name: 'short', SAMLMetadataDocument: '<x/>' }), awsError('ValidationError', "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000"));
    await assert.rejects(call('CreateSAMLProvider', { Name: 'none' }), awsError('ValidationError', "1 validation error detected: Value null at 'sAMLMetadataDocument' failed to satisfy constraint: Member must not be null"));
    const encryptionOnly = META.replace('use="signing"', 'use="encryption"');
    const notXml = 'x'.repeat(2000);
    const doctype = META.replace('<md:EntityDescriptor', '<!DOCTYPE md:EntityDescriptor>\n<md:EntityDescriptor');
    for (const [what, doc] of [['encryption keys only', encryptionOnly], ['not XML', notXml], ['a DOCTYPE', doctype]] as const) {
      await assert.rejects(call('CreateSAMLProvider', { Name: 'bad', SAMLMetadataDocument: doc }), awsError('InvalidInput', 'Could not parse metadata'), what);
    }
    assert.deepEqual((await store.samlProviders.list(TEST_ACCOUNT)).map((p) => p.name), ['corp-idp']);
    assert.equal((await store.samlProviders.get(TEST_ACCOUNT, 'corp-idp'))?.metadataDocument, META, 'the duplicate did not overwrite');
  });

  it(`allows ${SAML_PROVIDERS_PER_ACCOUNT} providers per account`, async () => {
    for (let i = 0; i < SAML_PROVIDERS_PER_ACCOUNT; i++) await store.samlProviders.create({ accountId: TEST_ACCOUNT, name: `idp${i}`, arn: samlProviderArn(TEST_ACCOUNT, `idp${i}`), metadataDocument: META, uuid: 'A'.repeat(26), createdAt: NOW, validUntil: NOW, tags: [] });
    await assert.rejects(call('CreateSAMLProvider', { Name: 'one-more', SAMLMetadataDocument: META }), awsError('LimitExceeded', `Cannot exceed quota for SAMLProvidersPerAccount: ${SAML_PROVIDERS_PER_ACCOUNT}`));
    await call('CreateSAMLProvider', { Name: 'one-more', SAMLMetadataDocument: META }, OTHER);
  });

  it('UpdateSAMLProvider replaces the document and ValidUntil; bad metadata changes nothing', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META });
    const before = await call('GetSAMLProvider', { SAMLProviderArn: ARN });
    env.clock.set(new Date(Date.UTC(2027, 0, 1)));
    assert.deepEqual(await call('UpdateSAMLProvider', { SAMLProviderArn: ARN, SAMLMetadataDocument: META2 }), { SAMLProviderArn: ARN });
    const after = await call('GetSAMLProvider', { SAMLProviderArn: ARN });
    assert.deepEqual([after.SAMLMetadataDocument, after.ValidUntil, after.CreateDate, after.SAMLProviderUUID], [META2, new Date(Date.UTC(2030, 5, 1)), NOW, before.SAMLProviderUUID]);
    await call('UpdateSAMLProvider', { SAMLProviderArn: ARN, SAMLMetadataDocument: META });
    assert.deepEqual((await call('GetSAMLProvider', { SAMLProviderArn: ARN })).ValidUntil, new Date(Date.UTC(2127, 0, 1)), 'no validUntil: the upload time + 100 years');
    await assert.rejects(call('UpdateSAMLProvider', { SAMLProviderArn: ARN, SAMLMetadataDocument: META.replace(/entityID="[^"]*"/, '') }), awsError('InvalidInput', 'Could not parse metadata'));
    assert.equal((await call('GetSAMLProvider', { SAMLProviderArn: ARN })).SAMLMetadataDocument, META);
    const missing = samlProviderArn(TEST_ACCOUNT, 'missing');
    await assert.rejects(call('UpdateSAMLProvider', { SAMLProviderArn: missing, SAMLMetadataDocument: META }), awsError('NoSuchEntity', `Manifest not found for arn ${missing}`));
  });

  it('tags, untags and lists tags with paging', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META, Tags: [{ Key: 'k1', Value: 'v1' }] });
    const arn = { SAMLProviderArn: ARN };
    await call('TagSAMLProvider', { ...arn, Tags: [{ Key: 'K1', Value: 'new' }, { Key: 'k2', Value: 'v2' }, { Key: 'k3', Value: '' }] });
    assert.deepEqual(await call('ListSAMLProviderTags', arn), { Tags: [{ Key: 'k1', Value: 'new' }, { Key: 'k2', Value: 'v2' }, { Key: 'k3', Value: '' }], IsTruncated: false });
    const first = await call('ListSAMLProviderTags', { ...arn, MaxItems: 2 });
    assert.equal(first.IsTruncated, true);
    assert.deepEqual((await call('ListSAMLProviderTags', { ...arn, Marker: first.Marker })).Tags, [{ Key: 'k3', Value: '' }]);
    await call('UntagSAMLProvider', { ...arn, TagKeys: ['K2', 'absent'] });
    assert.deepEqual((await call('GetSAMLProvider', arn)).Tags, [{ Key: 'k1', Value: 'new' }, { Key: 'k3', Value: '' }]);
    const fifty = Array.from({ length: 49 }, (_, i) => ({ Key: `t${i}`, Value: 'x' }));
    await assert.rejects(call('TagSAMLProvider', { ...arn, Tags: fifty }), awsError('LimitExceeded', 'The number of tags has reached the maximum limit.'));
    assert.equal((await call('GetSAMLProvider', arn)).Tags.length, 2, 'a refused tag changes nothing');
  });

  it('answers NoSuchEntity for unknown or other-account providers, InvalidInput for a malformed ARN', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META }, OTHER);
    const foreign = samlProviderArn(OTHER, 'corp-idp');
    for (const name of ['GetSAMLProvider', 'DeleteSAMLProvider', 'UpdateSAMLProvider', 'ListSAMLProviderTags', 'TagSAMLProvider', 'UntagSAMLProvider']) {
      const extra = { Tags: [{ Key: 'a', Value: 'b' }], TagKeys: ['a'] };
      await assert.rejects(call(name, { SAMLProviderArn: foreign, ...extra }), awsError('NoSuchEntity', `Manifest not found for arn ${foreign}`), name);
      await assert.rejects(call(name, { SAMLProviderArn: `arn:aws:iam::${TEST_ACCOUNT}:role/not-a-provider`, ...extra }), awsError('InvalidInput', `ARN arn:aws:iam::${TEST_ACCOUNT}:role/not-a-provider is not valid.`), name);
    }
    assert.ok(await store.samlProviders.get(OTHER, 'corp-idp'), 'the other account\'s provider is untouched');
  });

  it('authorizes on the provider ARN with request and resource tag keys', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META, Tags: [{ Key: 'env', Value: 'prod' }] });
    const ctx = env.ctx(rootCaller());
    const create = op('CreateSAMLProvider');
    assert.deepEqual(create.resources({ Name: 'New' }, ctx), [samlProviderArn(TEST_ACCOUNT, 'New')]);
    assert.deepEqual(create.conditionKeys?.({ Name: 'New', Tags: [{ Key: 'a', Value: 'b' }] }, ctx), { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': 'b' });
    const tag = op('TagSAMLProvider');
    assert.deepEqual(tag.resources({ SAMLProviderArn: ARN }, ctx), [ARN]);
    const resolved = await tag.resolveAuthorization?.({ SAMLProviderArn: ARN, Tags: [{ Key: 'a', Value: 'b' }] }, ctx);
    assert.deepEqual(resolved, {
      resources: [ARN],
      conditionKeys: { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': 'b', 'aws:ResourceTag/env': 'prod', 'iam:ResourceTag/env': 'prod' },
    });
    assert.deepEqual((await op('UntagSAMLProvider').resolveAuthorization?.({ SAMLProviderArn: ARN, TagKeys: ['env'] }, ctx))?.conditionKeys['aws:TagKeys'], ['env']);
    assert.deepEqual((await op('GetSAMLProvider').resolveAuthorization?.({ SAMLProviderArn: ARN }, ctx))?.conditionKeys, { 'aws:ResourceTag/env': 'prod', 'iam:ResourceTag/env': 'prod' });
    assert.deepEqual(op('ListSAMLProviders').resources({}, ctx), ['*']);
  });

  it('counts SAML and OIDC providers together in GetAccountSummary', async () => {
    await call('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: META });
    assert.equal((await call('GetAccountSummary', {})).SummaryMap.Providers, 1);
    await call('CreateOpenIDConnectProvider', { Url: 'https://token.actions.githubusercontent.com' });
    assert.equal((await call('GetAccountSummary', {})).SummaryMap.Providers, 2);
    for (const p of await store.oidcProviders.list(TEST_ACCOUNT)) await store.oidcProviders.delete(TEST_ACCOUNT, p.url);
  });
});
