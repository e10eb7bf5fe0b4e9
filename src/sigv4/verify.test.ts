import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRequestTime, parseAuth, verifySignature, SIGV4_MESSAGES, type ParsedAuth, type RawRequest, type SigV4Error, type VerifyOptions } from './index.js';
import {
  CREDS,
  DEFAULT_DATE,
  JS_SDK_HEADERS,
  STS_ASSUME_ROLE_BODY,
  headerOf,
  presign,
  sha256Hex,
  signHeader,
  withHeader,
  type SignSpec,
} from './testkit.js';

const MISMATCH = SIGV4_MESSAGES.signatureDoesNotMatch;
const at = (ms: number): Date => new Date(DEFAULT_DATE.getTime() + ms);
const MIN = 60_000;

function parsed(req: RawRequest): ParsedAuth {
  const p = parseAuth(req);
  assert.ok(p.ok, JSON.stringify(!p.ok && p.error));
  assert.ok(p.auth, 'expected a signed request');
  return p.auth;
}

function verify(req: RawRequest, secret = CREDS.secretAccessKey, now = DEFAULT_DATE, opts?: VerifyOptions) {
  return verifySignature(req, parsed(req), secret, now, opts);
}

function assertOk(r: { ok: boolean; error?: SigV4Error }): void {
  assert.deepEqual(r, { ok: true });
}

function assertError(r: { ok: boolean; error?: SigV4Error }, code: string, status: number, message: string): void {
  assert.equal(r.ok, false);
  assert.deepEqual(r.error, { code, status, message });
}

/** A JS SDK v3-like signed STS POST (x-amz-content-sha256 sent and signed, content-length signed). */
const jsSdk = (body: string, extra: Partial<SignSpec> = {}) =>
  signHeader({ body, headers: { ...JS_SDK_HEADERS, 'content-length': String(Buffer.byteLength(body)) }, ...extra });

/** A botocore/awscli-like POST: content-type with charset, no x-amz-content-sha256. */
const botoLike = (body: string, extra: Partial<SignSpec> = {}) =>
  signHeader({
    body,
    applyChecksum: false,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    ...extra,
  });

describe('verifySignature: header auth as the SDKs sign it', () => {
  it('accepts a JS SDK-like STS POST and signs what the JS SDK signs', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY);
    const auth = parsed(req);
    assert.deepEqual(auth.signedHeaders, [
      'amz-sdk-invocation-id',
      'amz-sdk-request',
      'content-length',
      'content-type',
      'host',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-user-agent',
    ]);
    assert.equal(headerOf(req, 'x-amz-content-sha256'), sha256Hex(STS_ASSUME_ROLE_BODY));
    assertOk(verify(req));
  });

  it('accepts a botocore-like POST (no x-amz-content-sha256: the body is hashed)', async () => {
    const req = await botoLike(STS_ASSUME_ROLE_BODY);
    assert.equal(headerOf(req, 'x-amz-content-sha256'), undefined);
    assert.deepEqual(parsed(req).signedHeaders, ['content-type', 'host', 'x-amz-date']);
    assertOk(verify(req));
  });

  it('accepts form bodies with + and %20, and non-ASCII text', async () => {
    for (const body of [
      'Action=AssumeRole&Version=2011-06-15&RoleSessionName=a+b%2Bc',
      'Action=AssumeRole&Version=2011-06-15&RoleSessionName=a%20b%2Bc',
      'Action=TagRole&Tags.member.1.Key=caf%C3%A9&Tags.member.1.Value=%E2%9C%93',
    ]) {
      assertOk(verify(await jsSdk(body)));
      assertOk(verify(await botoLike(body)));
    }
  });

  it('accepts any region in the scope, and sts, iam and cloudtrail', async () => {
    for (const [region, service] of [
      ['us-east-1', 'sts'],
      ['eu-west-1', 'iam'],
      ['ap-south-1', 'sts'],
      ['cn-north-1', 'iam'],
      ['us-gov-west-1', 'sts'],
      ['local', 'iam'],
    ] as const) {
      const req = await jsSdk(STS_ASSUME_ROLE_BODY, { region, service });
      const auth = parsed(req);
      assert.equal(auth.region, region);
      assert.equal(auth.service, service);
      assertOk(verify(req));
    }
    const body = '{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"AssumeRole"}]}';
    const ct = await signHeader({
      body,
      service: 'cloudtrail',
      region: 'eu-central-1',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CloudTrail_20131101.LookupEvents',
        'content-length': String(Buffer.byteLength(body)),
      },
    });
    assert.ok(parsed(ct).signedHeaders.includes('x-amz-target'));
    assertOk(verify(ct));
  });

  it('carries the session token and verifies it as a signed header', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY, { creds: { ...CREDS, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'FwoGZXIvYXdzE+/=token' } });
    const auth = parsed(req);
    assert.equal(auth.accessKeyId, 'ASIAEXAMPLE');
    assert.equal(auth.securityToken, 'FwoGZXIvYXdzE+/=token');
    assert.ok(auth.signedHeaders.includes('x-amz-security-token'));
    assertOk(verify(req));
  });

  it('canonicalizes header values from the raw wire: spaces collapsed, repeats joined with a comma', async () => {
    const signed = await jsSdk(STS_ASSUME_ROLE_BODY, {
      headers: { ...JS_SDK_HEADERS, 'content-length': String(STS_ASSUME_ROLE_BODY.length), 'x-custom': 'a,b', 'x-spaced': 'one   two  three' },
    });
    // The wire carries X-Custom twice and the spaced value untouched; header names in any case.
    let wire = withHeader(signed, 'x-custom', undefined);
    wire = { ...wire, headers: [...wire.headers, ['X-Custom', 'a'], ['x-CUSTOM', 'b']] };
    wire = withHeader(wire, 'X-Spaced', 'one   two\t three');
    assertOk(verify(wire));
  });

  it('uses the path as sent, re-encoded, with dot segments and empty segments removed', async () => {
    for (const path of ['/', '/foo%20bar/baz', '/a/./b/../c//d/', '/~user/x-y_z.1', "/it's(1)"]) {
      assertOk(verify(await jsSdk(STS_ASSUME_ROLE_BODY, { path })));
    }
  });

  it('canonicalizes the query: decoded, RFC 3986-encoded, sorted by name then value', async () => {
    const req = await signHeader({
      method: 'GET',
      query: { Version: '2010-05-08', Action: 'ListUsers', Marker: 'a b+c/d~e*', 'Path.prefix': '/x/', multi: ['z', 'a', 'm'] },
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      service: 'iam',
    });
    assertOk(verify(req));
    // The same parameters re-ordered and with lower-case / needless escapes still verify.
    const reordered = { ...req, query: req.query.split('&').reverse().join('&').replace('%2F', '%2f').replace('Action=ListUsers', 'Action=%4CistUsers') };
    assertOk(verify(reordered));
  });

  it('accepts UNSIGNED-PAYLOAD only over an empty body', async () => {
    const empty = await signHeader({ method: 'GET', query: { Action: 'GetCallerIdentity' }, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assertOk(verify(empty));
    const withBody = await signHeader({ body: STS_ASSUME_ROLE_BODY, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assertError(verify(withBody), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('ignores unsigned headers (user-agent is never signed)', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY);
    assertOk(verify(withHeader(req, 'user-agent', 'something else')));
  });
});

describe('verifySignature: refusals', () => {
  it('refuses a wrong secret', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY);
    assertError(verify(req, CREDS.secretAccessKey + 'x'), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses a tampered body, with and without x-amz-content-sha256', async () => {
    const tampered = STS_ASSUME_ROLE_BODY.replace('s1', 's2');
    const js = await jsSdk(STS_ASSUME_ROLE_BODY);
    assertError(verify({ ...js, bodySha256Hex: sha256Hex(tampered) }), 'SignatureDoesNotMatch', 403, MISMATCH);
    const boto = await botoLike(STS_ASSUME_ROLE_BODY);
    assertError(verify({ ...boto, bodySha256Hex: sha256Hex(tampered) }), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses an x-amz-content-sha256 that lies about the body, even when the signature covers the lie', async () => {
    // smithy (like botocore) puts the declared hash into the canonical request: the signature is
    // valid over the declaration, which says nothing true about these bytes.
    const lie = await signHeader({ body: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { 'x-amz-content-sha256': sha256Hex('Action=DeleteRole') } });
    assertError(verify(lie), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses a tampered signed header', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY);
    assertError(verify(withHeader(req, 'x-amz-user-agent', 'aws-sdk-js/9.9.9')), 'SignatureDoesNotMatch', 403, MISMATCH);
    assertError(verify(withHeader(req, 'host', 'evil.example:443')), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses when a header named in SignedHeaders is missing', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY, { headers: { ...JS_SDK_HEADERS, 'x-extra': 'v' } });
    assert.ok(parsed(req).signedHeaders.includes('x-extra'));
    assertError(verify(withHeader(req, 'x-extra', undefined)), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses a tampered path or query', async () => {
    const req = await signHeader({ method: 'GET', path: '/a', query: { Action: 'ListUsers' }, service: 'iam' });
    assertError(verify({ ...req, path: '/b' }), 'SignatureDoesNotMatch', 403, MISMATCH);
    assertError(verify({ ...req, query: 'Action=ListRoles' }), 'SignatureDoesNotMatch', 403, MISMATCH);
    assertError(verify({ ...req, method: 'POST' }), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses a malformed signature value', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY);
    const auth = parsed(req);
    for (const signature of ['', 'abc', auth.signature + '0', auth.signature.slice(0, 63) + 'g']) {
      assertError(verifySignature(req, { ...auth, signature }, CREDS.secretAccessKey, DEFAULT_DATE), 'SignatureDoesNotMatch', 403, MISMATCH);
    }
    // Upper-case hex of the right signature is the same signature.
    assertOk(verifySignature(req, { ...auth, signature: auth.signature.toUpperCase() }, CREDS.secretAccessKey, DEFAULT_DATE));
  });

  it('throws on an invalid clock instead of accepting any date', async () => {
    const auth = parsed(await jsSdk(STS_ASSUME_ROLE_BODY));
    assert.throws(() => checkRequestTime(auth, new Date(NaN)), RangeError);
  });

  it('allows 15 minutes of clock skew either way, and no more', async () => {
    const req = await jsSdk(STS_ASSUME_ROLE_BODY);
    assertOk(verify(req, undefined, at(15 * MIN)));
    assertOk(verify(req, undefined, at(-15 * MIN)));
    // Request signed 15 min + 1 s before the server's now: expired.
    assertError(
      verify(req, undefined, at(15 * MIN + 1000)),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20260128T054625Z is now earlier than 20260128T054626Z (20260128T060126Z - 15 min.)',
    );
    // Request signed 16 min after the server's now: not yet current.
    assertError(
      verify(req, undefined, at(-16 * MIN)),
      'SignatureDoesNotMatch',
      403,
      'Signature not yet current: 20260128T054625Z is still later than 20260128T054525Z (20260128T053025Z + 15 min.)',
    );
    assertError(
      verify(req, undefined, at(61_000), { maxSkewSeconds: 60 }),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20260128T054625Z is now earlier than 20260128T054626Z (20260128T054726Z - 1 min.)',
    );
    assertError(
      verify(req, undefined, at(31_000), { maxSkewSeconds: 30 }),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20260128T054625Z is now earlier than 20260128T054626Z (20260128T054656Z - 30 sec.)',
    );
  });
});

describe('verifySignature: presigned URLs', () => {
  const gci = { Action: 'GetCallerIdentity', Version: '2011-06-15' };

  it('accepts a smithy-presigned GetCallerIdentity GET (empty-body hash, host signed)', async () => {
    const req = await presign({ query: gci, expiresIn: 60 });
    const auth = parsed(req);
    assert.equal(auth.presigned, true);
    assert.equal(auth.expiresSeconds, 60);
    assert.deepEqual(auth.signedHeaders, ['host']);
    assertOk(verify(req));
    assertOk(verify(req, undefined, at(60_000)));
  });

  it('accepts presigned URLs with a session token, other regions and a signed extra header', async () => {
    const creds = { ...CREDS, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'IQoJb3JpZ2luX2VjE+/abc==' };
    const req = await presign({ query: gci, creds, region: 'eu-west-3', headers: { 'x-k8s-aws-id': 'my-cluster' }, expiresIn: 604800 });
    const auth = parsed(req);
    assert.equal(auth.securityToken, 'IQoJb3JpZ2luX2VjE+/abc==');
    assert.deepEqual(auth.signedHeaders, ['host', 'x-k8s-aws-id']);
    assertOk(verify(req, undefined, at(6 * 24 * 60 * MIN)));
  });

  it('accepts a declared X-Amz-Content-Sha256=UNSIGNED-PAYLOAD (hoisted by smithy) over an empty body', async () => {
    const req = await presign({ query: gci, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.match(req.query, /x-amz-content-sha256=UNSIGNED-PAYLOAD/i);
    assertOk(verify(req));
    assertError(verify({ ...req, bodySha256Hex: sha256Hex('x') }), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('refuses an expired URL with AccessDenied "Request has expired"', async () => {
    const req = await presign({ query: gci, expiresIn: 60 });
    assertError(verify(req, undefined, at(61_000)), 'AccessDenied', 403, 'Request has expired');
    const long = await presign({ query: gci, expiresIn: 3600 });
    assertOk(verify(long, undefined, at(30 * MIN)));
    assertError(verify(long, undefined, at(15 * MIN + 1000), { presignedMaxAgeSeconds: 900 }), 'AccessDenied', 403, 'Request has expired');
  });

  it('applies the header rule (15 minutes) to a presigned URL without X-Amz-Expires, as STS does', async () => {
    const auth = { ...parsed(await presign({ query: gci })), expiresSeconds: undefined };
    assertOk(checkRequestTime(auth, at(15 * MIN)));
    assertError(
      checkRequestTime(auth, at(16 * MIN)),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20260128T054625Z is now earlier than 20260128T054725Z (20260128T060225Z - 15 min.)',
    );
  });

  it('refuses a URL dated more than the skew ahead of now', async () => {
    const req = await presign({ query: gci, expiresIn: 60 });
    assertError(
      verify(req, undefined, at(-16 * MIN)),
      'SignatureDoesNotMatch',
      403,
      'Signature not yet current: 20260128T054625Z is still later than 20260128T054525Z (20260128T053025Z + 15 min.)',
    );
    assertOk(verify(req, undefined, at(-15 * MIN)));
  });

  it('refuses tampered parameters, a wrong secret and a changed host', async () => {
    const req = await presign({ query: gci });
    assertError(verify({ ...req, query: req.query.replace('GetCallerIdentity', 'GetSessionToken') }), 'SignatureDoesNotMatch', 403, MISMATCH);
    assertError(verify({ ...req, query: req.query.replace('X-Amz-Expires=900', 'X-Amz-Expires=901') }), 'SignatureDoesNotMatch', 403, MISMATCH);
    assertError(verify(req, 'not-the-secret'), 'SignatureDoesNotMatch', 403, MISMATCH);
    assertError(verify(withHeader(req, 'Host', 'sts.amazonaws.com')), 'SignatureDoesNotMatch', 403, MISMATCH);
  });
});
