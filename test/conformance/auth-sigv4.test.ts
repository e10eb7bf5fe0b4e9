/**
 * SigV4 through real clients and real bytes on the wire: wrong secret, unknown and inactive keys,
 * clock skew, tampered bodies, unsigned requests, presigned GetCallerIdentity URLs (boto3 and
 * @smithy/signature-v4), any region in the credential scope.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  expectError,
  iamClient,
  isolatedHome,
  loadIam,
  loadSts,
  presignGetCallerIdentity,
  PY_PRELUDE,
  resolveTools,
  rawHttp,
  runPython,
  signer,
  signForm,
  startTestServer,
  stsClient,
  TRUST_EC2,
  xmlError,
  type Client,
  type Credentials,
  type IsolatedHome,
  type TestServer,
} from './support/server.js';

let server: TestServer;
let root: Client;
let acct: string;
let user: Credentials;
let home: IsolatedHome;
const userArn = () => `arn:aws:iam::${acct}:user/signer`;

const tools = await resolveTools();

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

before(async () => {
  server = await startTestServer();
  root = await iamClient(server.url, server.root);
  acct = server.accountId;
  home = isolatedHome();
  await root.call('CreateUser', { UserName: 'signer' });
  const k = (await root.call('CreateAccessKey', { UserName: 'signer' })).AccessKey;
  user = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
});

after(async () => {
  await server?.close();
  home?.cleanup();
});

describe('credentials', () => {
  it('a wrong secret is SignatureDoesNotMatch (403)', async () => {
    const sts = await stsClient(server.url, { accessKeyId: user.accessKeyId, secretAccessKey: 'wrong' + user.secretAccessKey.slice(5) });
    await expectError(sts.call('GetCallerIdentity'), { name: 'SignatureDoesNotMatch', status: 403, message: SIGNATURE_MISMATCH });
    const iam = await iamClient(server.url, { accessKeyId: server.root.accessKeyId, secretAccessKey: 'nope' });
    await expectError(iam.call('ListRoles', {}), { name: 'SignatureDoesNotMatch', status: 403, message: SIGNATURE_MISMATCH });
  });

  it('an unknown key is InvalidClientTokenId (403)', async () => {
    const sts = await stsClient(server.url, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) });
    await expectError(sts.call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID_TOKEN });
    const iam = await iamClient(server.url, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) });
    await expectError(iam.call('CreateRole', { RoleName: 'never', AssumeRolePolicyDocument: TRUST_EC2 }), { name: 'InvalidClientTokenId', status: 403, message: INVALID_TOKEN });
    await expectError(root.call('GetRole', { RoleName: 'never' }), { name: 'NoSuchEntityException', status: 404 });
  });

  it('an inactive key is refused; reactivated it works again; a deleted one is refused', async () => {
    await root.call('CreateUser', { UserName: 'rotating' });
    const k = (await root.call('CreateAccessKey', { UserName: 'rotating' })).AccessKey;
    const sts = await stsClient(server.url, { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
    assert.equal((await sts.call('GetCallerIdentity')).Arn, `arn:aws:iam::${acct}:user/rotating`);
    await root.call('UpdateAccessKey', { UserName: 'rotating', AccessKeyId: k.AccessKeyId, Status: 'Inactive' });
    await expectError(sts.call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID_TOKEN });
    await root.call('UpdateAccessKey', { UserName: 'rotating', AccessKeyId: k.AccessKeyId, Status: 'Active' });
    assert.equal((await sts.call('GetCallerIdentity')).Account, acct);
    await root.call('DeleteAccessKey', { UserName: 'rotating', AccessKeyId: k.AccessKeyId });
    await expectError(sts.call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID_TOKEN });
  });

  it('any region in the credential scope is accepted (clients sign with their own region)', async () => {
    const { STSClient, GetCallerIdentityCommand } = await loadSts();
    const c = new STSClient({ endpoint: server.url, region: 'eu-west-1', credentials: user, maxAttempts: 1 });
    assert.equal((await c.send(new GetCallerIdentityCommand({}))).Arn, userArn());
    const { IAMClient, GetUserCommand } = await loadIam();
    const i = new IAMClient({ endpoint: server.url, region: 'ap-southeast-2', credentials: server.root, maxAttempts: 1 });
    assert.equal((await i.send(new GetUserCommand({ UserName: 'signer' }))).User.Arn, userArn());
  });
});

describe('clock skew', () => {
  it('a request signed 20 minutes in the past is refused (Signature expired)', async () => {
    const sts = await stsClient(server.url, user, { systemClockOffset: -20 * 60_000 });
    await expectError(sts.call('GetCallerIdentity'), {
      name: 'SignatureDoesNotMatch',
      status: 403,
      message: /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    });
  });

  it('a request signed 20 minutes in the future is refused (Signature not yet current)', async () => {
    const sts = await stsClient(server.url, user, { systemClockOffset: 20 * 60_000 });
    await expectError(sts.call('GetCallerIdentity'), {
      name: 'SignatureDoesNotMatch',
      status: 403,
      message: /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    });
  });

  it('a manually signed request 10 minutes off is still accepted (within 15 minutes)', async () => {
    const signed = await signForm(server.url, user, 'sts', 'Action=GetCallerIdentity&Version=2011-06-15', { signingDate: new Date(Date.now() - 10 * 60_000) });
    const res = await rawHttp(server.url, signed);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, new RegExp(`<Arn>${userArn()}</Arn>`));
  });

  it('a manually signed request 20 minutes old is refused', async () => {
    const signed = await signForm(server.url, user, 'sts', 'Action=GetCallerIdentity&Version=2011-06-15', { signingDate: new Date(Date.now() - 20 * 60_000) });
    const res = await rawHttp(server.url, signed);
    assert.equal(res.status, 403);
    const e = xmlError(res.body);
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.match(e.message ?? '', /^Signature expired: /);
  });
});

describe('tampering', () => {
  const body = (name: string) => `Action=CreateRole&Version=2010-05-08&RoleName=${name}&AssumeRolePolicyDocument=${encodeURIComponent(TRUST_EC2)}`;

  it('the signed request itself works (control)', async () => {
    const signed = await signForm(server.url, server.root, 'iam', body('aaaa'));
    const res = await rawHttp(server.url, signed);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /<RoleName>aaaa<\/RoleName>/);
  });

  for (const style of ['js', 'botocore'] as const) {
    it(`a body changed after signing (same length) is refused (${style} signed headers)`, async () => {
      const signed = await signForm(server.url, server.root, 'iam', body('bbbb'), { style });
      const tampered = signed.body.replace('RoleName=bbbb', 'RoleName=cccc');
      assert.equal(tampered.length, signed.body.length);
      assert.notEqual(tampered, signed.body);
      const res = await rawHttp(server.url, { ...signed, body: tampered });
      assert.equal(res.status, 403);
      const e = xmlError(res.body);
      assert.equal(e.code, 'SignatureDoesNotMatch');
      assert.equal(e.message, SIGNATURE_MISMATCH);
      await expectError(root.call('GetRole', { RoleName: 'cccc' }), { name: 'NoSuchEntityException', status: 404 });
      // The untampered request still goes through.
      if (style === 'botocore') {
        const ok = await rawHttp(server.url, signed);
        assert.equal(ok.status, 200, ok.body);
      }
    });
  }

  it('a changed signed header is refused', async () => {
    const signed = await signForm(server.url, server.root, 'sts', 'Action=GetCallerIdentity&Version=2011-06-15');
    const headers = { ...signed.headers, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const res = await rawHttp(server.url, { ...signed, headers });
    assert.equal(res.status, 403);
    assert.equal(xmlError(res.body).code, 'SignatureDoesNotMatch');
  });
});

describe('the credential scope names the service', () => {
  // AWS: SignatureDoesNotMatch, "Credential should be scoped to correct service: 'sts'." A
  // signature made for another service must not be accepted by IAM or STS: a presigned S3 URL
  // signs no body (UNSIGNED-PAYLOAD) and may live for seven days.
  const wrong = (service: string) => `Credential should be scoped to correct service: '${service}'.`;

  it('an IAM or STS request signed for another service is SignatureDoesNotMatch (403) and changes nothing', async () => {
    for (const scope of ['s3', 'ec2', 'sts']) {
      const signed = await signForm(server.url, server.root, scope, 'Action=CreateUser&Version=2010-05-08&UserName=scoped-' + scope);
      const res = await rawHttp(server.url, signed);
      // Signed for STS, the request goes to STS (one endpoint serves both), which has no CreateUser.
      if (scope === 'sts') assert.deepEqual([res.status, xmlError(res.body).code], [400, 'InvalidAction'], res.body);
      else {
        assert.equal(res.status, 403, res.body);
        assert.deepEqual({ code: xmlError(res.body).code, message: xmlError(res.body).message }, { code: 'SignatureDoesNotMatch', message: wrong('iam') });
      }
      await expectError(root.call('GetUser', { UserName: 'scoped-' + scope }), { name: 'NoSuchEntityException', status: 404 });
    }
    for (const scope of ['s3', 'cloudtrail', 'iam']) {
      const res = await rawHttp(server.url, await signForm(server.url, user, scope, 'Action=GetCallerIdentity&Version=2011-06-15'));
      assert.equal(res.status, scope === 'iam' ? 400 : 403, res.body);
      // Signed for IAM, an STS action is routed to IAM, which has no such operation (AWS's IAM
      // endpoint answers the same).
      if (scope === 'iam') assert.equal(xmlError(res.body).code, 'InvalidAction');
      else assert.deepEqual({ code: xmlError(res.body).code, message: xmlError(res.body).message }, { code: 'SignatureDoesNotMatch', message: wrong('sts') });
    }
  });

  it('a presigned S3 URL (no signed body, 7 days) carrying an IAM body is refused', async () => {
    const u = new URL(server.url);
    const presigned = await signer(server.root, 's3').presign(
      // As boto3's s3v4 presigner signs: the literal UNSIGNED-PAYLOAD, declared nowhere in the URL.
      { method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/bucket/key.txt', query: { uploads: '' }, headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { expiresIn: 604800, unhoistableHeaders: new Set(['x-amz-content-sha256']), unsignableHeaders: new Set(['x-amz-content-sha256']) },
    );
    const query = Object.entries(presigned.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const res = await rawHttp(server.url, {
      method: 'POST',
      path: `/bucket/key.txt?${query}`,
      headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateUser&Version=2010-05-08&UserName=via-s3-url',
    });
    assert.equal(res.status, 403, res.body);
    assert.deepEqual({ code: xmlError(res.body).code, message: xmlError(res.body).message }, { code: 'SignatureDoesNotMatch', message: wrong('iam') });
    await expectError(root.call('GetUser', { UserName: 'via-s3-url' }), { name: 'NoSuchEntityException', status: 404 });
  });

  it('the signing names of the other services are checked too (CloudTrail, JSON protocol)', async () => {
    const u = new URL(server.url);
    const body = '{}';
    const headers = { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' };
    const ok = await signer(server.root, 'cloudtrail').sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers: { ...headers }, body });
    const good = await rawHttp(server.url, { method: 'POST', path: '/', headers: ok.headers as Record<string, string>, body });
    assert.equal(good.status, 200, good.body);
    const bad = await signer(server.root, 'sts').sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers: { ...headers }, body });
    const res = await rawHttp(server.url, { method: 'POST', path: '/', headers: bad.headers as Record<string, string>, body });
    assert.equal(res.status, 403, res.body);
    assert.deepEqual(JSON.parse(res.body), { __type: 'InvalidSignatureException', message: wrong('cloudtrail') });
  });

  it('CloudTrail names authentication failures as a JSON service does', async () => {
    const u = new URL(server.url);
    const body = '{}';
    const headers = { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' };
    const send = async (creds: Credentials | undefined) => {
      const h = creds ? ((await signer(creds, 'cloudtrail').sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers: { ...headers }, body })).headers as Record<string, string>) : headers;
      const res = await rawHttp(server.url, { method: 'POST', path: '/', headers: h, body });
      return { status: res.status, ...(JSON.parse(res.body) as { __type: string; message: string }) };
    };
    assert.deepEqual(await send({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) }), { status: 403, __type: 'UnrecognizedClientException', message: INVALID_TOKEN });
    assert.deepEqual(await send({ accessKeyId: user.accessKeyId, secretAccessKey: 'wrong' + user.secretAccessKey.slice(5) }), { status: 403, __type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH });
    assert.deepEqual(await send(undefined), { status: 403, __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
  });
});

describe('unsigned requests', () => {
  it('are MissingAuthenticationToken (403)', async () => {
    for (const [service, body] of [
      ['sts', 'Action=GetCallerIdentity&Version=2011-06-15'],
      ['iam', 'Action=ListRoles&Version=2010-05-08'],
    ] as const) {
      const res = await rawHttp(server.url, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(res.status, 403, `${service}: ${res.body}`);
      const e = xmlError(res.body);
      assert.equal(e.code, 'MissingAuthenticationToken');
      assert.equal(e.message, 'Request is missing Authentication Token');
      assert.equal(e.type, 'Sender');
      assert.ok(res.headers['x-amzn-requestid'], 'a request id header');
    }
  });

  it('an unsupported Authorization scheme is IncompleteSignature (400)', async () => {
    const res = await rawHttp(server.url, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA512 Credential=x' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    assert.equal(res.status, 400);
    assert.equal(xmlError(res.body).code, 'IncompleteSignature');
  });
});

describe('presigned GetCallerIdentity URLs', () => {
  it('boto3 generate_presigned_url (GET) works with a plain GET', { skip: tools.boto3 ? false : 'python3 with boto3 is not installed' }, async () => {
    const out = await runPython(
      `${PY_PRELUDE}
out['url'] = sts.generate_presigned_url('get_caller_identity', Params={}, HttpMethod='GET', ExpiresIn=60)
emit()`,
      home.env(server, user),
    );
    const url = out.url as string;
    assert.match(url, /X-Amz-Algorithm=AWS4-HMAC-SHA256/);
    assert.match(url, /X-Amz-SignedHeaders=host/);
    const res = await fetch(url);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(text, new RegExp(`<Arn>${userArn()}</Arn>`));
    assert.match(text, new RegExp(`<Account>${acct}</Account>`));
    // Tampering with the URL breaks it.
    const bad = await fetch(url.replace(/X-Amz-Signature=[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0')));
    assert.equal(bad.status, 403);
    assert.equal(xmlError(await bad.text()).code, 'SignatureDoesNotMatch');
  });

  it('@smithy/signature-v4 presign works', async () => {
    const url = await presignGetCallerIdentity(server.url, server.root);
    const res = await fetch(url);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(text, new RegExp(`<Arn>arn:aws:iam::${acct}:root</Arn>`));
  });

  it(
    'STS honours a presigned URL for 15 minutes, whatever X-Amz-Expires says',
    async () => {
      const url = await presignGetCallerIdentity(server.url, user, { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
      assert.match(url, /X-Amz-Expires=60/);
      const res = await fetch(url);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.match(text, new RegExp(`<Arn>${userArn()}</Arn>`));
    },
  );

  it('an expired presigned URL is refused', async () => {
    const url = await presignGetCallerIdentity(server.url, user, { expiresIn: 60, signingDate: new Date(Date.now() - 20 * 60_000) });
    const res = await fetch(url);
    const text = await res.text();
    assert.equal(res.status, 403, text);
    const e = xmlError(text);
    assert.equal(e.code, 'AccessDenied');
    assert.equal(e.message, 'Request has expired');
  });

  it('a presigned URL of an unknown key is refused', async () => {
    const url = await presignGetCallerIdentity(server.url, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) });
    const res = await fetch(url);
    assert.equal(res.status, 403);
    assert.equal(xmlError(await res.text()).code, 'InvalidClientTokenId');
  });
});
