import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { accountOperations } from './account.js';
import { oidcProviderOperations, OIDC_PROVIDERS_PER_ACCOUNT } from './oidc-providers.js';
import { normalizeOidcUrl, parseOidcProviderArn } from './shared/oidc.js';
import { awsError, rootCaller, TEST_ACCOUNT, testEnv, type TestEnv } from './shared/test-context.js';

const OTHER = '210987654321';
const GH = 'https://token.actions.githubusercontent.com';
const GH_ARN = `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const T1 = '6938fd4d98bab03faadb97b34396831e3780aea1';
const T2 = '1C58A3A8518E8759BF075B76B750D4F2DF264FCD';

function op(name: string) {
  const found = oidcProviderOperations.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
}

describe('IAM OpenID Connect providers', () => {
  let store: Store;
  let env: TestEnv;
  const call = <O = any>(name: string, input: Record<string, unknown>, accountId = TEST_ACCOUNT): Promise<O> =>
    env.call<O>([...oidcProviderOperations, ...accountOperations], name, input, rootCaller(accountId));

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    await store.accounts.create({ id: OTHER, createdAt: new Date() });
    env = testEnv(store);
  });
  beforeEach(async () => {
    for (const a of [TEST_ACCOUNT, OTHER]) for (const p of await store.oidcProviders.list(a)) await store.oidcProviders.delete(a, p.url);
  });
  after(async () => store.close());

  it('normalizes issuer urls as IAM keeps them, and parses provider ARNs', () => {
    assert.equal(normalizeOidcUrl('https://Token.Actions.GitHubUserContent.com'), 'token.actions.githubusercontent.com');
    // The path as written: an Auth0 issuer's trailing slash is part of its iss (and of its keys).
    assert.equal(normalizeOidcUrl('https://Tenant.Auth0.com/'), 'tenant.auth0.com/');
    assert.equal(normalizeOidcUrl('https://example.com/Tenant/A'), 'example.com/Tenant/A');
    assert.equal(normalizeOidcUrl('https://example.com:8443/x'), 'example.com:8443/x');
    for (const bad of ['example.org', 'http://example.org', 'https://', 'https:///path', 'https://a.com?x=1', 'https://a.com/#f', 'https://u@a.com', 'https://a..com', 'https://a.com/x y', 'https://a.com//x', 'https://example.com/Tenant/A//']) {
      assert.equal(normalizeOidcUrl(bad), undefined, bad);
    }
    assert.deepEqual(parseOidcProviderArn(`arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/example.com/t`), { accountId: TEST_ACCOUNT, url: 'example.com/t' });
    assert.equal(parseOidcProviderArn(`arn:aws:iam::${TEST_ACCOUNT}:role/x`), undefined);
  });

  it('creates, gets (Url without the scheme), lists and deletes', async () => {
    env.clock.set(new Date(Date.UTC(2026, 1, 2, 3, 4, 5)));
    const created = await call('CreateOpenIDConnectProvider', { Url: 'https://Token.Actions.GitHubUserContent.com', ClientIDList: ['sts.amazonaws.com', 'sts.amazonaws.com', 'b'], ThumbprintList: [T2, T1] });
    assert.deepEqual(created, { OpenIDConnectProviderArn: GH_ARN }, 'no Tags member without tags');
    const got = await call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: GH_ARN });
    assert.deepEqual(got, {
      Url: 'token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com', 'b'],
      ThumbprintList: [T2.toLowerCase(), T1],
      CreateDate: new Date(Date.UTC(2026, 1, 2, 3, 4, 5)),
      Tags: [],
    });
    await call('CreateOpenIDConnectProvider', { Url: 'https://accounts.example.com/tenant' });
    assert.deepEqual(await call('ListOpenIDConnectProviders', {}), {
      OpenIDConnectProviderList: [{ Arn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/accounts.example.com/tenant` }, { Arn: GH_ARN }],
    });
    assert.deepEqual(await call('ListOpenIDConnectProviders', {}, OTHER), { OpenIDConnectProviderList: [] });
    const bare = await call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/accounts.example.com/tenant` });
    assert.deepEqual([bare.ClientIDList, bare.ThumbprintList], [[], []], 'ThumbprintList is optional');
    assert.deepEqual(await call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: GH_ARN }), {});
    await assert.rejects(call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: GH_ARN }), awsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${GH_ARN}`));
    await assert.rejects(call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: GH_ARN }), awsError('NoSuchEntity', `OpenId connect Provider ${GH_ARN} cannot be found.`));
  });

  it('returns the tags given at creation and checks them', async () => {
    const out = await call('CreateOpenIDConnectProvider', { Url: GH, Tags: [{ Key: 'team', Value: 'ci' }] });
    assert.deepEqual(out, { OpenIDConnectProviderArn: GH_ARN, Tags: [{ Key: 'team', Value: 'ci' }] });
    await assert.rejects(
      call('CreateOpenIDConnectProvider', { Url: 'https://other.example.com', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }),
      awsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'),
    );
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: 'https://other.example.com', Tags: [{ Key: 'aws:x', Value: '1' }] }), awsError('InvalidInput'));
    assert.equal(await store.oidcProviders.get(TEST_ACCOUNT, 'other.example.com'), undefined, 'bad input creates nothing');
  });

  it('refuses invalid and duplicate urls, and too many thumbprints or client ids, creating nothing', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH });
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: GH }), awsError('EntityAlreadyExists', `Provider with url ${GH} already exists.`));
    // The host's case does not make another provider (a trailing slash does: another issuer).
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: GH.toUpperCase().replace('HTTPS', 'https') }), awsError('EntityAlreadyExists', `Provider with url ${GH.toUpperCase().replace('HTTPS', 'https')} already exists.`));
    for (const Url of ['example.org', 'http://example.org', 'https://example.org?x=1', 'https://example.org#f']) {
      await assert.rejects(call('CreateOpenIDConnectProvider', { Url }), awsError('ValidationError', 'Invalid Open ID Connect Provider URL'), Url);
    }
    await assert.rejects(
      call('CreateOpenIDConnectProvider', { Url: `https://${'b'.repeat(248)}` }),
      awsError('ValidationError', `1 validation error detected: Value 'https://${'b'.repeat(248)}' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255`),
    );
    await assert.rejects(
      call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ThumbprintList: ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'd'.repeat(40), 'e'.repeat(40), 'f'.repeat(40)] }),
      awsError('InvalidInput', 'Thumbprint list must contain fewer than 5 entries.'),
    );
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ThumbprintList: ['g'.repeat(40)] }), awsError('InvalidInput'));
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ThumbprintList: ['a'.repeat(41)] }), awsError('ValidationError'));
    await assert.rejects(
      call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ClientIDList: Array.from({ length: 101 }, (_, i) => String(i)) }),
      awsError('LimitExceeded', 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100'),
    );
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ClientIDList: ['x'.repeat(256)] }), awsError('ValidationError'));
    assert.deepEqual((await store.oidcProviders.list(TEST_ACCOUNT)).map((p) => p.url), ['token.actions.githubusercontent.com']);
  });

  it(`allows ${OIDC_PROVIDERS_PER_ACCOUNT} providers per account`, async () => {
    for (let i = 0; i < OIDC_PROVIDERS_PER_ACCOUNT; i++) await call('CreateOpenIDConnectProvider', { Url: `https://idp${i}.example.com` });
    await assert.rejects(call('CreateOpenIDConnectProvider', { Url: 'https://one-more.example.com' }), awsError('LimitExceeded', `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${OIDC_PROVIDERS_PER_ACCOUNT}`));
    await call('CreateOpenIDConnectProvider', { Url: 'https://one-more.example.com' }, OTHER);
  });

  it('adds and removes client ids (no-ops for present / absent ones) and replaces thumbprints', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH, ClientIDList: ['a'], ThumbprintList: [T1] });
    const arn = { OpenIDConnectProviderArn: GH_ARN };
    await call('AddClientIDToOpenIDConnectProvider', { ...arn, ClientID: 'b' });
    await call('AddClientIDToOpenIDConnectProvider', { ...arn, ClientID: 'a' });
    assert.deepEqual((await call('GetOpenIDConnectProvider', arn)).ClientIDList, ['a', 'b']);
    await call('RemoveClientIDFromOpenIDConnectProvider', { ...arn, ClientID: 'a' });
    await call('RemoveClientIDFromOpenIDConnectProvider', { ...arn, ClientID: 'never-there' });
    assert.deepEqual((await call('GetOpenIDConnectProvider', arn)).ClientIDList, ['b']);
    await assert.rejects(call('AddClientIDToOpenIDConnectProvider', { ...arn, ClientID: '' }), awsError('ValidationError'));
    await call('UpdateOpenIDConnectProviderThumbprint', { ...arn, ThumbprintList: [T2, 'c'.repeat(40)] });
    assert.deepEqual((await call('GetOpenIDConnectProvider', arn)).ThumbprintList, [T2.toLowerCase(), 'c'.repeat(40)]);
    await assert.rejects(call('UpdateOpenIDConnectProviderThumbprint', { ...arn, ThumbprintList: Array(6).fill(T1) }), awsError('InvalidInput', 'Thumbprint list must contain fewer than 5 entries.'));
    await assert.rejects(call('UpdateOpenIDConnectProviderThumbprint', { ...arn, ThumbprintList: ['z'.repeat(40)] }), awsError('InvalidInput'));
    assert.deepEqual((await call('GetOpenIDConnectProvider', arn)).ThumbprintList, [T2.toLowerCase(), 'c'.repeat(40)], 'a refused update changes nothing');
    await call('UpdateOpenIDConnectProviderThumbprint', { ...arn, ThumbprintList: [] });
    assert.deepEqual((await call('GetOpenIDConnectProvider', arn)).ThumbprintList, []);
  });

  it('caps client ids at 100 when adding', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH, ClientIDList: Array.from({ length: 100 }, (_, i) => `c${i}`) });
    await call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: GH_ARN, ClientID: 'c7' });
    await assert.rejects(call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: GH_ARN, ClientID: 'c100' }), awsError('LimitExceeded', 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100'));
  });

  it('tags, untags and lists tags with paging', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH, Tags: [{ Key: 'k1', Value: 'v1' }] });
    const arn = { OpenIDConnectProviderArn: GH_ARN };
    await call('TagOpenIDConnectProvider', { ...arn, Tags: [{ Key: 'K1', Value: 'new' }, { Key: 'k2', Value: 'v2' }, { Key: 'k3', Value: '' }] });
    assert.deepEqual(await call('ListOpenIDConnectProviderTags', arn), { Tags: [{ Key: 'k1', Value: 'new' }, { Key: 'k2', Value: 'v2' }, { Key: 'k3', Value: '' }], IsTruncated: false });
    const first = await call('ListOpenIDConnectProviderTags', { ...arn, MaxItems: 2 });
    assert.equal(first.IsTruncated, true);
    assert.deepEqual((await call('ListOpenIDConnectProviderTags', { ...arn, Marker: first.Marker })).Tags, [{ Key: 'k3', Value: '' }]);
    await call('UntagOpenIDConnectProvider', { ...arn, TagKeys: ['K2', 'absent'] });
    assert.deepEqual((await call('GetOpenIDConnectProvider', arn)).Tags, [{ Key: 'k1', Value: 'new' }, { Key: 'k3', Value: '' }]);
    const fifty = Array.from({ length: 49 }, (_, i) => ({ Key: `t${i}`, Value: 'x' }));
    await assert.rejects(call('TagOpenIDConnectProvider', { ...arn, Tags: fifty }), awsError('LimitExceeded', 'The number of tags has reached the maximum limit.'));
    assert.equal((await call('GetOpenIDConnectProvider', arn)).Tags.length, 2, 'a refused tag changes nothing');
  });

  it('answers NoSuchEntity for unknown or other-account providers, InvalidInput for a malformed ARN', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH }, OTHER);
    const foreign = `arn:aws:iam::${OTHER}:oidc-provider/token.actions.githubusercontent.com`;
    for (const name of ['GetOpenIDConnectProvider', 'ListOpenIDConnectProviderTags', 'UpdateOpenIDConnectProviderThumbprint', 'AddClientIDToOpenIDConnectProvider', 'RemoveClientIDFromOpenIDConnectProvider', 'TagOpenIDConnectProvider', 'UntagOpenIDConnectProvider']) {
      const extra = { ThumbprintList: [], ClientID: 'x', Tags: [{ Key: 'a', Value: 'b' }], TagKeys: ['a'] };
      await assert.rejects(call(name, { OpenIDConnectProviderArn: foreign, ...extra }), awsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${foreign}`), name);
      await assert.rejects(call(name, { OpenIDConnectProviderArn: `arn:aws:iam::${TEST_ACCOUNT}:role/not-a-provider`, ...extra }), awsError('InvalidInput', `ARN arn:aws:iam::${TEST_ACCOUNT}:role/not-a-provider is not valid.`), name);
    }
    await assert.rejects(call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: foreign }), awsError('NoSuchEntity'));
    assert.ok(await store.oidcProviders.get(OTHER, 'token.actions.githubusercontent.com'), 'the other account\'s provider is untouched');
  });

  it('authorizes on the provider ARN with request and resource tag keys', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH, Tags: [{ Key: 'env', Value: 'prod' }] });
    const ctx = env.ctx(rootCaller());
    const create = op('CreateOpenIDConnectProvider');
    assert.deepEqual(create.resources({ Url: 'https://New.Example.com' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/new.example.com`]);
    assert.deepEqual(create.conditionKeys?.({ Url: GH, Tags: [{ Key: 'a', Value: 'b' }] }, ctx), { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': 'b' });
    const tag = op('TagOpenIDConnectProvider');
    assert.deepEqual(tag.resources({ OpenIDConnectProviderArn: GH_ARN }, ctx), [GH_ARN]);
    const resolved = await tag.resolveAuthorization?.({ OpenIDConnectProviderArn: GH_ARN, Tags: [{ Key: 'a', Value: 'b' }] }, ctx);
    assert.deepEqual(resolved, {
      resources: [GH_ARN],
      conditionKeys: { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': 'b', 'aws:ResourceTag/env': 'prod', 'iam:ResourceTag/env': 'prod' },
    });
    assert.deepEqual((await op('UntagOpenIDConnectProvider').resolveAuthorization?.({ OpenIDConnectProviderArn: GH_ARN, TagKeys: ['env'] }, ctx))?.conditionKeys['aws:TagKeys'], ['env']);
    assert.deepEqual(op('ListOpenIDConnectProviders').resources({}, ctx), ['*']);
  });

  it('counts providers in GetAccountSummary', async () => {
    await call('CreateOpenIDConnectProvider', { Url: GH });
    assert.equal((await call('GetAccountSummary', {})).SummaryMap.Providers, 1);
  });
});
