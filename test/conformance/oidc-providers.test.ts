/**
 * IAM OpenID Connect identity providers through the AWS SDK for JavaScript v3 against a real
 * server: the whole lifecycle, each error IAM answers (code, HTTP status, message), authorization
 * on the provider ARN with tag condition keys, and one AWS CLI v1 round trip.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { doc, expectError, iamClient, isolatedHome, resolveTools, runAws, startTestServer, type Client, type IsolatedHome, type TestServer } from './support/server.js';

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

const providerArn = (url: string) => `arn:aws:iam::${acct}:oidc-provider/${url}`;
const T1 = '6938fd4d98bab03faadb97b34396831e3780aea1';
const T2 = '1C58A3A8518E8759BF075B76B750D4F2DF264FCD';

describe('OpenID Connect providers: lifecycle', () => {
  const GH = 'token.actions.githubusercontent.com';

  it('CreateOpenIDConnectProvider returns the ARN (and the tags given); Get returns the Url without https://', async () => {
    const before = Date.now();
    const out = await iam.call('CreateOpenIDConnectProvider', { Url: `https://${GH}`, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [T1] });
    assert.equal(out.OpenIDConnectProviderArn, providerArn(GH));
    assert.equal(out.Tags, undefined);
    const got = await iam.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn(GH) });
    assert.equal(got.Url, GH);
    assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com']);
    assert.deepEqual(got.ThumbprintList, [T1]);
    assert.deepEqual(got.Tags, []);
    assert.ok(got.CreateDate instanceof Date && got.CreateDate.getTime() >= before - 1000 && got.CreateDate.getTime() <= Date.now() + 1000, String(got.CreateDate));

    const tagged = await iam.call('CreateOpenIDConnectProvider', { Url: 'https://Login.Example.com/tenant', Tags: [{ Key: 'team', Value: 'id' }] });
    assert.deepEqual(tagged, { $metadata: tagged.$metadata, OpenIDConnectProviderArn: providerArn('login.example.com/tenant'), Tags: [{ Key: 'team', Value: 'id' }] });
    const bare = await iam.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('login.example.com/tenant') });
    assert.deepEqual([bare.Url, bare.ClientIDList ?? [], bare.ThumbprintList ?? []], ['login.example.com/tenant', [], []], 'ThumbprintList is optional');
  });

  it('ListOpenIDConnectProviders lists the ARNs, ordered by url', async () => {
    const out = await iam.call('ListOpenIDConnectProviders', {});
    assert.deepEqual(out.OpenIDConnectProviderList, [{ Arn: providerArn('login.example.com/tenant') }, { Arn: providerArn(GH) }]);
  });

  it('client ids: add (an existing one is a no-op), remove (an absent one is a no-op)', async () => {
    const arn = { OpenIDConnectProviderArn: providerArn(GH) };
    await iam.call('AddClientIDToOpenIDConnectProvider', { ...arn, ClientID: 'my-app' });
    await iam.call('AddClientIDToOpenIDConnectProvider', { ...arn, ClientID: 'my-app' });
    assert.deepEqual((await iam.call('GetOpenIDConnectProvider', arn)).ClientIDList, ['sts.amazonaws.com', 'my-app']);
    await iam.call('RemoveClientIDFromOpenIDConnectProvider', { ...arn, ClientID: 'sts.amazonaws.com' });
    await iam.call('RemoveClientIDFromOpenIDConnectProvider', { ...arn, ClientID: 'not-there' });
    assert.deepEqual((await iam.call('GetOpenIDConnectProvider', arn)).ClientIDList, ['my-app']);
  });

  it('UpdateOpenIDConnectProviderThumbprint replaces the list (stored lowercase)', async () => {
    const arn = { OpenIDConnectProviderArn: providerArn(GH) };
    await iam.call('UpdateOpenIDConnectProviderThumbprint', { ...arn, ThumbprintList: [T2, 'c'.repeat(40)] });
    assert.deepEqual((await iam.call('GetOpenIDConnectProvider', arn)).ThumbprintList, [T2.toLowerCase(), 'c'.repeat(40)]);
  });

  it('tags: Tag, Untag, ListOpenIDConnectProviderTags with paging', async () => {
    const arn = { OpenIDConnectProviderArn: providerArn(GH) };
    await iam.call('TagOpenIDConnectProvider', { ...arn, Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }, { Key: 'k3', Value: '' }] });
    const page1 = await iam.call('ListOpenIDConnectProviderTags', { ...arn, MaxItems: 2 });
    assert.deepEqual([page1.Tags, page1.IsTruncated], [[{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }], true]);
    const page2 = await iam.call('ListOpenIDConnectProviderTags', { ...arn, Marker: page1.Marker });
    assert.deepEqual([page2.Tags, page2.IsTruncated, page2.Marker], [[{ Key: 'k3', Value: '' }], false, undefined]);
    await iam.call('UntagOpenIDConnectProvider', { ...arn, TagKeys: ['k2', 'k3'] });
    assert.deepEqual((await iam.call('GetOpenIDConnectProvider', arn)).Tags, [{ Key: 'k1', Value: 'v1' }]);
  });

  it('GetAccountSummary counts the providers', async () => {
    assert.equal((await iam.call('GetAccountSummary', {})).SummaryMap.Providers, 2);
  });

  it('DeleteOpenIDConnectProvider; the provider is gone', async () => {
    await iam.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('login.example.com/tenant') });
    assert.deepEqual((await iam.call('ListOpenIDConnectProviders', {})).OpenIDConnectProviderList, [{ Arn: providerArn(GH) }]);
  });
});

describe('OpenID Connect providers: errors', () => {
  const URL = 'https://errors.example.com';
  let ARN = '';

  before(async () => {
    ARN = providerArn('errors.example.com');
    await iam.call('CreateOpenIDConnectProvider', { Url: URL, ClientIDList: ['a'] });
  });

  it('a duplicate url is EntityAlreadyExists (409)', async () => {
    await expectError(iam.call('CreateOpenIDConnectProvider', { Url: URL }), { name: 'EntityAlreadyExistsException', status: 409, message: `Provider with url ${URL} already exists.` });
    await expectError(iam.call('CreateOpenIDConnectProvider', { Url: 'https://ERRORS.example.com' }), { name: 'EntityAlreadyExistsException', status: 409, message: 'Provider with url https://ERRORS.example.com already exists.' });
  });

  it('a url that is not https:// is a ValidationError (400)', async () => {
    for (const Url of ['example.org', 'http://example.org', 'https://example.org/?q=1']) {
      await expectError(iam.call('CreateOpenIDConnectProvider', { Url }), { name: 'ValidationError', status: 400, message: 'Invalid Open ID Connect Provider URL' });
    }
  });

  it('model constraints (url length, thumbprint length, client id length) are ValidationErrors', async () => {
    await expectError(iam.call('CreateOpenIDConnectProvider', { Url: 'b'.repeat(256) }), { name: 'ValidationError', status: 400, message: /at 'url' failed to satisfy constraint: Member must have length less than or equal to 255/ });
    await expectError(iam.call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ThumbprintList: ['b'.repeat(41)] }), { name: 'ValidationError', status: 400, message: /thumbprintList.*Member must have length less than or equal to 40/ });
    await expectError(iam.call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN, ClientID: 'x'.repeat(256) }), { name: 'ValidationError', status: 400, message: /clientID.*Member must have length less than or equal to 255/ });
  });

  it('more than 5 thumbprints is InvalidInput; a non-hexadecimal one too', async () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(40));
    await expectError(iam.call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ThumbprintList: six }), { name: 'InvalidInputException', status: 400, message: 'Thumbprint list must contain fewer than 5 entries.' });
    await expectError(iam.call('UpdateOpenIDConnectProviderThumbprint', { OpenIDConnectProviderArn: ARN, ThumbprintList: six }), { name: 'InvalidInputException', status: 400, message: 'Thumbprint list must contain fewer than 5 entries.' });
    await expectError(iam.call('UpdateOpenIDConnectProviderThumbprint', { OpenIDConnectProviderArn: ARN, ThumbprintList: ['z'.repeat(40)] }), { name: 'InvalidInputException', status: 400 });
  });

  it('more than 100 client ids is LimitExceeded (409)', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => String(i));
    await expectError(iam.call('CreateOpenIDConnectProvider', { Url: 'https://x.example.com', ClientIDList: ids }), { name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100' });
  });

  it('an unknown provider is NoSuchEntity (404), with Delete\'s own wording', async () => {
    const missing = providerArn('missing.example.com');
    const calls: Array<[string, Record<string, unknown>]> = [
      ['GetOpenIDConnectProvider', {}],
      ['AddClientIDToOpenIDConnectProvider', { ClientID: 'x' }],
      ['RemoveClientIDFromOpenIDConnectProvider', { ClientID: 'x' }],
      ['UpdateOpenIDConnectProviderThumbprint', { ThumbprintList: [T1] }],
      ['TagOpenIDConnectProvider', { Tags: [{ Key: 'a', Value: 'b' }] }],
      ['UntagOpenIDConnectProvider', { TagKeys: ['a'] }],
      ['ListOpenIDConnectProviderTags', {}],
    ];
    for (const [name, extra] of calls) {
      await expectError(iam.call(name, { OpenIDConnectProviderArn: missing, ...extra }), { name: 'NoSuchEntityException', status: 404, message: `OpenIDConnect Provider not found for arn ${missing}` });
    }
    await expectError(iam.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: missing }), { name: 'NoSuchEntityException', status: 404, message: `OpenId connect Provider ${missing} cannot be found.` });
  });

  it('a malformed ARN is InvalidInput (400)', async () => {
    const bad = `arn:aws:iam::${acct}:role/not-a-provider`;
    await expectError(iam.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: bad }), { name: 'InvalidInputException', status: 400, message: `ARN ${bad} is not valid.` });
  });

  it('too many tags is LimitExceeded; bad input changes nothing', async () => {
    await iam.call('TagOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN, Tags: [{ Key: 'keep', Value: '1' }] });
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `t${i}`, Value: 'x' }));
    await expectError(iam.call('TagOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN, Tags: fifty }), { name: 'LimitExceededException', status: 409, message: 'The number of tags has reached the maximum limit.' });
    const got = await iam.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN });
    assert.deepEqual([got.Tags, got.ClientIDList, got.ThumbprintList ?? []], [[{ Key: 'keep', Value: '1' }], ['a'], []]);
    assert.equal((await iam.call('ListOpenIDConnectProviders', {})).OpenIDConnectProviderList.some((p: { Arn: string }) => p.Arn.includes('x.example.com')), false);
  });
});

describe('OpenID Connect providers: authorization', () => {
  it('is decided on the provider ARN, with aws:RequestTag and aws:ResourceTag', async () => {
    const policy = doc([
      { Effect: 'Allow', Action: ['iam:CreateOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider'], Resource: `arn:aws:iam::${acct}:oidc-provider/*`, Condition: { StringEquals: { 'aws:RequestTag/team': 'ci' } } },
      { Effect: 'Allow', Action: 'iam:GetOpenIDConnectProvider', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'ci' } } },
      { Effect: 'Allow', Action: 'iam:DeleteOpenIDConnectProvider', Resource: `arn:aws:iam::${acct}:oidc-provider/ci.example.com` },
    ]);
    await iam.call('CreateUser', { UserName: 'oidc-admin' });
    await iam.call('PutUserPolicy', { UserName: 'oidc-admin', PolicyName: 'inline', PolicyDocument: policy });
    const k = (await iam.call('CreateAccessKey', { UserName: 'oidc-admin' })).AccessKey;
    const user = await iamClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    const userArn = `arn:aws:iam::${acct}:user/oidc-admin`;

    await user.call('CreateOpenIDConnectProvider', { Url: 'https://ci.example.com', Tags: [{ Key: 'team', Value: 'ci' }] });
    await expectError(user.call('CreateOpenIDConnectProvider', { Url: 'https://other.example.com', Tags: [{ Key: 'team', Value: 'web' }] }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${userArn} is not authorized to perform: iam:CreateOpenIDConnectProvider on resource: ${providerArn('other.example.com')} because no identity-based policy allows the iam:CreateOpenIDConnectProvider action`,
    });
    assert.equal((await user.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('ci.example.com') })).Url, 'ci.example.com');
    await iam.call('CreateOpenIDConnectProvider', { Url: 'https://web.example.com', Tags: [{ Key: 'team', Value: 'web' }] });
    await expectError(user.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('web.example.com') }), { name: 'AccessDenied', status: 403 });
    await expectError(user.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('web.example.com') }), { name: 'AccessDenied', status: 403 });
    await expectError(user.call('ListOpenIDConnectProviders', {}), { name: 'AccessDenied', status: 403 });
    await user.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('ci.example.com') });
    await iam.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn('web.example.com') });
  });
});

describe('OpenID Connect providers: AWS CLI v1', () => {
  let home: IsolatedHome | undefined;
  after(() => home?.cleanup());

  it('create-open-id-connect-provider, get, list, delete', async (t) => {
    const tools = await resolveTools();
    if (!tools.aws) return t.skip('the AWS CLI is not installed');
    home = isolatedHome();
    const env = home.env(server, server.root);
    const created = await runAws(['iam', 'create-open-id-connect-provider', '--url', 'https://cli.example.com/realms/dev', '--client-id-list', 'my-app', '--thumbprint-list', T1, '--tags', 'Key=via,Value=cli'], env);
    assert.equal(created.code, 0, created.stderr);
    const arn = providerArn('cli.example.com/realms/dev');
    assert.deepEqual(JSON.parse(created.stdout), { OpenIDConnectProviderArn: arn, Tags: [{ Key: 'via', Value: 'cli' }] });
    const got = await runAws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', arn], env);
    assert.equal(got.code, 0, got.stderr);
    const g = JSON.parse(got.stdout);
    assert.deepEqual([g.Url, g.ClientIDList, g.ThumbprintList, g.Tags], ['cli.example.com/realms/dev', ['my-app'], [T1], [{ Key: 'via', Value: 'cli' }]]);
    assert.match(g.CreateDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const listed = await runAws(['iam', 'list-open-id-connect-providers'], env);
    assert.ok(JSON.parse(listed.stdout).OpenIDConnectProviderList.some((p: { Arn: string }) => p.Arn === arn));
    const dup = await runAws(['iam', 'create-open-id-connect-provider', '--url', 'https://cli.example.com/realms/dev'], env);
    assert.equal(dup.code, 255);
    assert.match(dup.stderr, /An error occurred \(EntityAlreadyExists\) when calling the CreateOpenIDConnectProvider operation: Provider with url https:\/\/cli\.example\.com\/realms\/dev already exists\./);
    const del = await runAws(['iam', 'delete-open-id-connect-provider', '--open-id-connect-provider-arn', arn], env);
    assert.equal(del.code, 0, del.stderr);
    const gone = await runAws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', arn], env);
    assert.equal(gone.code, 255, gone.stderr);
    assert.match(gone.stderr, /\(NoSuchEntity\).*OpenIDConnect Provider not found for arn/);
  });
});
