/**
 * AssumeRoleWithWebIdentity end to end: a real server, a real HTTPS OIDC issuer (the development
 * issuer), the JS SDK v3 sending the call unsigned, and each refusal with STS's code and status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIssuer, type TestIssuer } from '../../federation/dev-issuer-harness.test.js';
import { mintDevToken } from '../../federation/dev-issuer.js';
import { ACCOUNT, credsOf, doc, expectAwsError, startStsHarness, type Client, type StsHarness } from './sts-server-harness.test.js';

const AUD = 'sts.amazonaws.com';
const SUB = 'repo:octo/app:ref:refs/heads/main';

describe('AssumeRoleWithWebIdentity', () => {
  let h: StsHarness;
  let idp: TestIssuer;
  let other: TestIssuer;
  let iam: Client;
  let sts: Client;
  let providerArn: string;
  const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const now = () => Math.floor(h.clock.now().getTime() / 1000);
  const token = (over: Partial<Parameters<TestIssuer['token']>[0]> = {}) => idp.token({ sub: SUB, aud: AUD, now: now(), ...over });
  const assume = (RoleArn: string, WebIdentityToken: string, extra: Record<string, unknown> = {}) =>
    sts.call('AssumeRoleWithWebIdentity', { RoleArn, RoleSessionName: 'ci-run-1', WebIdentityToken, ...extra });
  const trust = (conditions: Record<string, unknown>, actions: string[] = ['sts:AssumeRoleWithWebIdentity']) =>
    doc([{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: actions, Condition: conditions }]);

  before(async () => {
    h = await startStsHarness();
    idp = await startTestIssuer();
    other = await startTestIssuer();
    iam = await h.iam();
    // Unsigned: the SDK sends AssumeRoleWithWebIdentity without a signature whatever its credentials.
    sts = await h.sts();
    providerArn = (await iam.call('CreateOpenIDConnectProvider', { Url: idp.issuer, ClientIDList: [AUD], ThumbprintList: [idp.thumbprint] })).OpenIDConnectProviderArn;
    assert.equal(providerArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/${idp.url}`);
    const conditions = { StringEquals: { [`${idp.url}:aud`]: AUD }, StringLike: { [`${idp.url}:sub`]: 'repo:octo/app:*' } };
    await iam.call('CreateRole', { RoleName: 'ci', AssumeRolePolicyDocument: trust(conditions), MaxSessionDuration: 7200 });
    await iam.call('PutRolePolicy', {
      RoleName: 'ci',
      PolicyName: 'read-roles-from-this-idp',
      PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:FederatedProvider': providerArn } } }]),
    });
    await iam.call('CreateRole', { RoleName: 'tagged', AssumeRolePolicyDocument: trust({}, ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity']) });
    await iam.call('PutRolePolicy', {
      RoleName: 'tagged',
      PolicyName: 'team-ci',
      PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ci', 'aws:SourceIdentity': 'octo-bot' } } }]),
    });
  });
  after(async () => {
    await idp?.close();
    await other?.close();
    await h?.close();
  });

  it('issues role credentials for a token the trust policy accepts, and they work', async () => {
    const r = await assume(roleArn('ci'), await token(), { DurationSeconds: 900 });
    assert.match(r.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(r.SubjectFromWebIdentityToken, SUB);
    assert.equal(r.Audience, AUD);
    assert.equal(r.Provider, idp.issuer);
    assert.equal(r.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/ci-run-1`);
    assert.match(r.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z0-9]+:ci-run-1$/);
    assert.equal(r.Credentials.Expiration.getTime(), (now() + 900) * 1000);
    const session = credsOf(r);
    const me = await (await h.sts(session)).call('GetCallerIdentity');
    assert.equal(me.Arn, r.AssumedRoleUser.Arn);
    assert.equal(me.UserId, r.AssumedRoleUser.AssumedRoleId);
    // aws:FederatedProvider is the provider's ARN in every request of the session.
    assert.equal((await (await h.iam(session)).call('GetRole', { RoleName: 'ci' })).Role.RoleName, 'ci');
  });

  it("the provider's keys stay in every request of the session: conditions and policy variables", async () => {
    await iam.call('CreateRole', { RoleName: 'per-user', AssumeRolePolicyDocument: trust({}) });
    await iam.call('PutRolePolicy', {
      RoleName: 'per-user',
      PolicyName: 'own-user-only',
      PolicyDocument: doc([
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${ACCOUNT}:user/\${${idp.url}:email}` },
        { Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringLike: { [`${idp.url}:sub`]: 'repo:octo/*' }, StringEquals: { [`${idp.url}:aud`]: AUD } } },
      ]),
    });
    for (const u of ['dev@octo.example', 'other@octo.example']) await iam.call('CreateUser', { UserName: u });
    const session = await h.iam(credsOf(await assume(roleArn('per-user'), await token({ claims: { email: 'dev@octo.example' } }))));
    assert.equal((await session.call('GetUser', { UserName: 'dev@octo.example' })).User.UserName, 'dev@octo.example');
    await expectAwsError(session.call('GetUser', { UserName: 'other@octo.example' }), { code: 'AccessDenied', status: 403 });
    assert.ok((await session.call('ListRoles')).Roles.length > 0);
    const elsewhere = await h.iam(credsOf(await assume(roleArn('per-user'), await token({ sub: 'repo:other/app:ref:refs/heads/main' }))));
    await expectAwsError(elsewhere.call('ListRoles'), { code: 'AccessDenied', status: 403 });
  });

  it("refuses a subject or audience key the trust policy does not match (AccessDenied, 403)", async () => {
    await expectAwsError(assume(roleArn('ci'), await token({ sub: 'repo:evil/app:ref:refs/heads/main' })), { code: 'AccessDenied', status: 403, message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' });
    await expectAwsError(assume(roleArn('missing'), await token()), { code: 'AccessDenied', status: 403, message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' });
  });

  it('refuses a token for another audience', async () => {
    await expectAwsError(assume(roleArn('ci'), await token({ aud: 'someone-else' })), { code: 'InvalidIdentityToken', status: 400, message: 'Incorrect token audience' });
  });

  it('refuses a token from an issuer that is not a provider of the role account', async () => {
    const t = await other.token({ sub: SUB, aud: AUD, now: now() });
    await expectAwsError(assume(roleArn('ci'), t), { code: 'InvalidIdentityToken', status: 400, message: `No OpenIDConnect provider found in your account for ${other.issuer}` });
  });

  it('refuses an expired token (ExpiredTokenException)', async () => {
    await expectAwsError(assume(roleArn('ci'), await token({ now: now() - 7200, expiresIn: 3600 })), { code: 'ExpiredTokenException', status: 400, message: /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/ });
  });

  it('refuses a token whose signature does not verify, or signed with a key the issuer does not publish', async () => {
    const good = await token();
    const [h64, p64] = good.split('.');
    const claims = JSON.parse(Buffer.from(p64!, 'base64url').toString('utf8'));
    const forged = `${h64}.${Buffer.from(JSON.stringify({ ...claims, sub: 'repo:octo/app:ref:refs/heads/evil' })).toString('base64url')}.${good.split('.')[2]}`;
    await expectAwsError(assume(roleArn('ci'), forged), { code: 'InvalidIdentityToken', status: 400 });
    // The other issuer's key, with this issuer's name and kid.
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const ours = JSON.parse(readFileSync(join(idp.dir, 'issuer.json'), 'utf8'));
    const theirs = join(other.dir, 'issuer.json');
    const saved = readFileSync(theirs, 'utf8');
    writeFileSync(theirs, JSON.stringify({ ...JSON.parse(saved), issuer: ours.issuer, kid: ours.kid }));
    try {
      const t = await mintDevToken(other.dir, { sub: SUB, aud: AUD, now: now() });
      await expectAwsError(assume(roleArn('ci'), t), { code: 'InvalidIdentityToken', status: 400, message: 'Signature verification failed' });
    } finally {
      writeFileSync(theirs, saved);
    }
    await expectAwsError(assume(roleArn('ci'), 'not-a-jwt-at-all'), { code: 'InvalidIdentityToken', status: 400, message: /not a valid JWT/ });
  });

  it("refuses an issuer whose certificate does not match the provider's thumbprints", async () => {
    await iam.call('CreateRole', { RoleName: 'pinned', AssumeRolePolicyDocument: trust({}) });
    await iam.call('UpdateOpenIDConnectProviderThumbprint', { OpenIDConnectProviderArn: providerArn, ThumbprintList: ['0'.repeat(40)] });
    try {
      await expectAwsError(assume(roleArn('pinned'), await token()), { code: 'InvalidIdentityToken', status: 400, message: "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint" });
    } finally {
      await iam.call('UpdateOpenIDConnectProviderThumbprint', { OpenIDConnectProviderArn: providerArn, ThumbprintList: [idp.thumbprint] });
    }
    assert.ok((await assume(roleArn('pinned'), await token())).Credentials);
  });

  it('takes session tags and the source identity from the token, with sts:TagSession and sts:SetSourceIdentity', async () => {
    const claims = { 'https://aws.amazon.com/tags': { principal_tags: { team: ['ci'] }, transitive_tag_keys: ['team'] }, 'https://aws.amazon.com/source_identity': 'octo-bot' };
    const r = await assume(roleArn('tagged'), await token({ claims }));
    assert.equal(r.SourceIdentity, 'octo-bot');
    assert.equal(typeof r.PackedPolicySize, 'number');
    const session = credsOf(r);
    assert.ok((await (await h.iam(session)).call('ListRoles')).Roles.length >= 2, 'aws:PrincipalTag/team and aws:SourceIdentity come from the token');
    // The ci role's trust policy does not allow sts:TagSession.
    await expectAwsError(assume(roleArn('ci'), await token({ claims: { 'https://aws.amazon.com/tags': { principal_tags: { team: ['ci'] } } } })), { code: 'AccessDenied', status: 403 });
    await expectAwsError(assume(roleArn('tagged'), await token({ claims: { 'https://aws.amazon.com/tags': { principal_tags: { team: [1] } } } })), { code: 'InvalidIdentityToken', status: 400, message: /tags claim is malformed/ });
    await expectAwsError(assume(roleArn('tagged'), await token({ claims: { 'https://aws.amazon.com/source_identity': 'x' } })), { code: 'InvalidIdentityToken', status: 400 });
    // The token's tags follow the naming rules of session tags, and pass at most 50 transitive keys.
    const tagged = (principal_tags: Record<string, string[]>, transitive_tag_keys?: string[]) => token({ claims: { 'https://aws.amazon.com/tags': { principal_tags, ...(transitive_tag_keys ? { transitive_tag_keys } : {}) } } });
    for (const bad of <Record<string, string[]>[]>[{ ['k'.repeat(129)]: ['v'] }, { team: ['v'.repeat(257)] }, { 'k#': ['v'] }, { team: ['v<>'] }, { 'aws:team': ['ci'] }]) {
      await expectAwsError(assume(roleArn('tagged'), await tagged(bad)), { code: 'InvalidParameterValue', status: 400 });
    }
    await expectAwsError(assume(roleArn('tagged'), await tagged({ team: ['ci'] }, Array.from({ length: 51 }, () => 'team'))), { code: 'ValidationError', status: 400 });
  });

  it('answers bad input with ValidationError, though the call is unsigned', async () => {
    await expectAwsError(assume(roleArn('ci'), await token(), { RoleSessionName: 'a b' }), { code: 'ValidationError', status: 400, message: /roleSessionName/ });
    await expectAwsError(assume(roleArn('ci'), await token(), { DurationSeconds: 43201 }), { code: 'ValidationError', status: 400, message: /durationSeconds/ });
    await expectAwsError(assume('nothing-valid-in-here', await token()), { code: 'ValidationError', status: 400, message: 'nothing-valid-in-here is invalid' });
  });

  it('sets <url>:oaud, :amr, :azp and :email from the token for the trust policy', async () => {
    await iam.call('CreateRole', {
      RoleName: 'claims',
      AssumeRolePolicyDocument: trust({
        StringEquals: { [`${idp.url}:email`]: 'dev@octo.example', [`${idp.url}:azp`]: 'cli-app', [`${idp.url}:oaud`]: 'other-audience' },
        'ForAnyValue:StringEquals': { [`${idp.url}:amr`]: 'mfa' },
      }),
    });
    const claims = { email: 'dev@octo.example', azp: 'cli-app', amr: ['pwd', 'mfa'] };
    assert.ok((await assume(roleArn('claims'), await token({ aud: [AUD, 'other-audience'], claims }))).Credentials);
    for (const drop of ['email', 'azp', 'amr'] as const) {
      const { [drop]: _gone, ...rest } = claims;
      await expectAwsError(assume(roleArn('claims'), await token({ aud: [AUD, 'other-audience'], claims: rest })), { code: 'AccessDenied', status: 403 });
    }
    await expectAwsError(assume(roleArn('claims'), await token({ claims })), { code: 'AccessDenied', status: 403 }, );
  });

  it('takes only RS/ES signatures, and a token up to five minutes past its exp', async () => {
    const [, payload, sig] = (await token()).split('.');
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const alg of ['HS256', 'none']) {
      await expectAwsError(assume(roleArn('ci'), `${b64({ alg, kid: idp.kid, typ: 'JWT' })}.${payload}.${alg === 'none' ? '' : sig}`), { code: 'InvalidIdentityToken', status: 400, message: new RegExp(`signed with ${alg}`) });
    }
    assert.ok((await assume(roleArn('ci'), await token({ now: now() - 3800, expiresIn: 3600 }))).Credentials, '200 s past exp');
    await expectAwsError(assume(roleArn('ci'), await token({ now: now() - 4000, expiresIn: 3600 })), { code: 'ExpiredTokenException', status: 400 });
  });

  it('caps the duration at the role maximum and refuses ProviderId', async () => {
    await expectAwsError(assume(roleArn('ci'), await token(), { DurationSeconds: 7201 }), { code: 'ValidationError', status: 400, message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
    assert.ok((await assume(roleArn('ci'), await token(), { DurationSeconds: 7200 })).Credentials);
    await expectAwsError(assume(roleArn('ci'), await token(), { ProviderId: 'www.amazon.com' }), { code: 'InvalidParameterValue', status: 400 });
  });

  it('records the call in the trail as a WebIdentityUser, without the token', async () => {
    const t = await token();
    const r = await assume(roleArn('ci'), t);
    await expectAwsError(assume(roleArn('ci'), await token({ sub: 'repo:evil/app:ref:refs/heads/main' })), { code: 'AccessDenied', status: 403 });
    await h.running.audit?.flush();
    const ct = (await h.running.store.audit.lookup({ accountId: ACCOUNT, attribute: { key: 'EventName', value: 'AssumeRoleWithWebIdentity' }, limit: 100 })).map((r) => JSON.parse(r.json));
    const ok = ct!.find((e: any) => e.responseElements?.credentials?.accessKeyId === r.Credentials.AccessKeyId);
    assert.ok(ok, 'the successful call is recorded');
    assert.deepEqual(ok.userIdentity, { type: 'WebIdentityUser', principalId: `${providerArn}:${AUD}:${SUB}`, userName: SUB, identityProvider: providerArn });
    assert.equal(ok.recipientAccountId, ACCOUNT);
    assert.equal(JSON.stringify(ok).includes(t), false, 'the token is not in the record');
    const denied = ct!.find((e: any) => e.errorCode === 'AccessDenied' && e.userIdentity.userName === 'repo:evil/app:ref:refs/heads/main');
    assert.ok(denied, 'the refused call names the token subject');
    // GetAccessKeyInfo finds the issued key's account through this record.
    assert.equal((await sts.call('GetAccessKeyInfo', { AccessKeyId: r.Credentials.AccessKeyId })).Account, ACCOUNT);
  });
});
