import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuth, SIGV4_MESSAGES, type ParseAuthResult, type RawRequest } from './index.js';
import { headerOf, presign, signHeader, withHeader } from './testkit.js';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CRED = 'AKIAIOSFODNN7EXAMPLE/20260128/us-east-1/sts/aws4_request';
const SIG = 'a'.repeat(64);

function req(headers: Array<[string, string]>, query = '', method = 'POST'): RawRequest {
  return { method, path: '/', query, headers: [['Host', '127.0.0.1:4566'], ...headers], bodySha256Hex: EMPTY };
}

const withAuth = (authorization: string, date = '20260128T054625Z', extra: Array<[string, string]> = []) =>
  req([['X-Amz-Date', date], ['Authorization', authorization], ...extra]);

const header = (over: { cred?: string; sh?: string; sig?: string } = {}) =>
  `AWS4-HMAC-SHA256 Credential=${over.cred ?? CRED}, SignedHeaders=${over.sh ?? 'host;x-amz-date'}, Signature=${over.sig ?? SIG}`;

function assertError(r: ParseAuthResult, code: string, status: number, message: string): void {
  assert.equal(r.ok, false, 'expected a refusal');
  assert.deepEqual(!r.ok && r.error, { code, status, message });
}

const PRESIGN_BASE =
  'Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
  `&X-Amz-Credential=${encodeURIComponent(CRED)}&X-Amz-Date=20260128T054625Z&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;

describe('parseAuth: what is signed, and by whom', () => {
  it('reports an unsigned request as ok with no auth', () => {
    assert.deepEqual(parseAuth(req([])), { ok: true, auth: undefined });
    assert.deepEqual(parseAuth(req([['Authorization', '   ']])), { ok: true, auth: undefined });
    assert.deepEqual(parseAuth(req([], 'Action=GetCallerIdentity&X-Amz-Credential=x')), { ok: true, auth: undefined });
  });

  it('reads the Authorization header form', () => {
    const r = parseAuth(withAuth(header(), '20260128T054625Z', [['X-Amz-Security-Token', 'tok+/=']]));
    assert.ok(r.ok && r.auth);
    assert.deepEqual(r.auth, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      date: '20260128',
      region: 'us-east-1',
      service: 'sts',
      scope: '20260128/us-east-1/sts/aws4_request',
      signedHeaders: ['host', 'x-amz-date'],
      signature: SIG,
      amzDate: '20260128T054625Z',
      timeMs: Date.UTC(2026, 0, 28, 5, 46, 25),
      presigned: false,
      securityToken: 'tok+/=',
    });
  });

  it('tolerates commas without spaces and extra whitespace between parameters', () => {
    const r = parseAuth(withAuth(`  AWS4-HMAC-SHA256   Credential=${CRED},SignedHeaders=Host;X-Amz-Date ,\tSignature=${SIG} `));
    assert.ok(r.ok && r.auth);
    assert.deepEqual(r.auth.signedHeaders, ['host', 'x-amz-date']);
  });

  it('takes the time from a Date header when there is no X-Amz-Date', () => {
    const r = parseAuth(req([['Date', 'Wed, 28 Jan 2026 05:46:25 GMT'], ['Authorization', header({ sh: 'date;host' })]]));
    assert.ok(r.ok && r.auth);
    assert.equal(r.auth.amzDate, '20260128T054625Z');
  });

  it('reads the presigned query form', async () => {
    const signed = await presign({ query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, expiresIn: 60, region: 'eu-west-1' });
    const r = parseAuth(signed);
    assert.ok(r.ok && r.auth);
    assert.equal(r.auth.presigned, true);
    assert.equal(r.auth.expiresSeconds, 60);
    assert.equal(r.auth.region, 'eu-west-1');
    assert.equal(r.auth.scope, '20260128/eu-west-1/sts/aws4_request');
    assert.equal(r.auth.securityToken, undefined);
    const noExpiry = parseAuth(req([], PRESIGN_BASE, 'GET'));
    assert.ok(noExpiry.ok && noExpiry.auth);
    assert.equal(noExpiry.auth.expiresSeconds, undefined);
  });
});

describe('parseAuth: refusals, with AWS wording', () => {
  it('refuses both forms at once', async () => {
    const signed = await signHeader({ method: 'GET', query: { Action: 'GetCallerIdentity' } });
    const both = { ...signed, query: signed.query + '&X-Amz-Algorithm=AWS4-HMAC-SHA256' };
    assertError(parseAuth(both), 'SignatureDoesNotMatch', 403, SIGV4_MESSAGES.signatureDoesNotMatch);
  });

  it('refuses another algorithm in the header with IncompleteSignature', () => {
    assertError(
      parseAuth(withAuth(header().replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'))),
      'IncompleteSignature',
      400,
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now).",
    );
    assertError(
      parseAuth(withAuth('AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=')),
      'IncompleteSignature',
      400,
      "Unsupported AWS 'algorithm': 'AWS' (only AWS4-HMAC-SHA256 for now).",
    );
    assertError(
      parseAuth(withAuth('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig')),
      'IncompleteSignature',
      400,
      "Unsupported AWS 'algorithm': 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ...' (only AWS4-HMAC-SHA256 for now).",
    );
  });

  it('answers another X-Amz-Algorithm as an unsigned request would be answered', () => {
    assertError(
      parseAuth(req([], PRESIGN_BASE.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'), 'GET')),
      'MissingAuthenticationToken',
      403,
      'Request is missing Authentication Token',
    );
  });

  it('names every missing Authorization parameter and echoes the header', () => {
    const h = `AWS4-HMAC-SHA256 Credential=${CRED}`;
    assertError(
      parseAuth(withAuth(h)),
      'IncompleteSignature',
      400,
      `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${h}`,
    );
    assertError(
      parseAuth(req([['Authorization', 'AWS4-HMAC-SHA256']])),
      'IncompleteSignature',
      400,
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        'Authorization=AWS4-HMAC-SHA256',
    );
    assertError(
      parseAuth(req([['Authorization', header()]])),
      'IncompleteSignature',
      400,
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header()}`,
    );
  });

  it('refuses a parameter without an equal sign', () => {
    const h = `AWS4-HMAC-SHA256 Credential= ${CRED}, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    assertError(
      parseAuth(withAuth(h)),
      'IncompleteSignature',
      400,
      `'${CRED}' not a valid key=value pair (missing equal-sign) in Authorization header: '${h}'.`,
    );
  });

  it('refuses a date that is not ISO 8601 basic format', () => {
    assertError(
      parseAuth(withAuth(header(), '2026-01-28T05:46:25Z')),
      'IncompleteSignature',
      400,
      "Date must be in ISO-8601 'basic format'. Got '2026-01-28T05:46:25Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    assertError(
      parseAuth(withAuth(header(), '20260231T054625Z')),
      'IncompleteSignature',
      400,
      "Date must be in ISO-8601 'basic format'. Got '20260231T054625Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    assertError(
      parseAuth(req([['Date', 'yesterday'], ['Authorization', header({ sh: 'date;host' })]])),
      'IncompleteSignature',
      400,
      "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  it('requires the host to be signed, and X-Amz-Target when it is sent', () => {
    assertError(parseAuth(withAuth(header({ sh: 'x-amz-date' }))), 'SignatureDoesNotMatch', 403, SIGV4_MESSAGES.hostMustBeSigned);
    assertError(parseAuth(withAuth(header({ sh: '' }))), 'SignatureDoesNotMatch', 403, SIGV4_MESSAGES.hostMustBeSigned);
    assertError(
      parseAuth(withAuth(header(), undefined, [['X-Amz-Target', 'CloudTrail_20131101.LookupEvents']])),
      'SignatureDoesNotMatch',
      403,
      "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
    );
    assertError(
      parseAuth(req([], PRESIGN_BASE.replace('X-Amz-SignedHeaders=host', 'X-Amz-SignedHeaders=x-amz-date'), 'GET')),
      'SignatureDoesNotMatch',
      403,
      SIGV4_MESSAGES.hostMustBeSigned,
    );
  });

  it('refuses a credential without exactly five parts', () => {
    assertError(
      parseAuth(withAuth(header({ cred: 'AKID/20260128/us-east-1/sts' }))),
      'IncompleteSignature',
      400,
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260128/us-east-1/sts'",
    );
  });

  it('refuses a scope whose date is not the request date, or with a bad terminator or region', () => {
    assertError(
      parseAuth(withAuth(header({ cred: 'AKID/20260127/us-east-1/sts/aws4_request' }))),
      'SignatureDoesNotMatch',
      403,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260127' != '20260128', from '20260128T054625Z'.",
    );
    assertError(
      parseAuth(withAuth(header({ cred: 'AKID/20260127//sts/aws5_request' }))),
      'SignatureDoesNotMatch',
      403,
      "Credential should be scoped to a valid region, not ''. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260127' != '20260128', from '20260128T054625Z'.",
    );
  });

  it('names every missing presigned parameter', () => {
    assertError(
      parseAuth(req([], 'Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260128T054625Z', 'GET')),
      'IncompleteSignature',
      400,
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    );
  });

  it('refuses a bad X-Amz-Expires', () => {
    const withExpires = (v: string) => parseAuth(req([], PRESIGN_BASE + '&X-Amz-Expires=' + v, 'GET'));
    assertError(withExpires('abc'), 'IncompleteSignature', 400, 'X-Amz-Expires should be a number');
    assertError(withExpires(''), 'IncompleteSignature', 400, 'X-Amz-Expires should be a number');
    assertError(withExpires('-5'), 'IncompleteSignature', 400, 'X-Amz-Expires must be non-negative');
    assertError(
      withExpires('604801'),
      'IncompleteSignature',
      400,
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
    const max = withExpires('604800');
    assert.ok(max.ok && max.auth?.expiresSeconds === 604800);
  });

  it('reads the first of repeated presigned parameters and the last of repeated header parameters', () => {
    const r = parseAuth(req([], PRESIGN_BASE + '&X-Amz-Date=20990101T000000Z', 'GET'));
    assert.ok(r.ok && r.auth?.amzDate === '20260128T054625Z');
    const h = parseAuth(withAuth(header() + ', Signature=' + 'b'.repeat(64)));
    assert.ok(h.ok && h.auth?.signature === 'b'.repeat(64));
  });

  it('treats a request whose Authorization header was removed as unsigned', async () => {
    const signed = await signHeader({ body: 'Action=GetCallerIdentity' });
    const stripped = withHeader(signed, 'authorization', undefined);
    assert.equal(headerOf(stripped, 'authorization'), undefined);
    assert.deepEqual(parseAuth(stripped), { ok: true, auth: undefined });
  });
});
