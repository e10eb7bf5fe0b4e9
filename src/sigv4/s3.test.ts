/**
 * S3's SigV4 variant, as the AWS SDK for JavaScript signs it (@smithy/signature-v4 with
 * `uriEscapePath: false`, the S3 client's setting): the canonical URI is the path as sent, a
 * presigned URL signs the literal UNSIGNED-PAYLOAD, and UNSIGNED-PAYLOAD over a body is accepted
 * only when the verifier is told to (S3 allows it; STS and IAM must not).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalUriFor, parseAuth, verifySignature, UNSIGNED_PAYLOAD, type RawRequest } from './index.js';
import { buildQueryString, CREDS, DEFAULT_DATE, Sha256, sha256Hex } from './testkit.js';

const HOST = '127.0.0.1:9000';

function s3Signer(): SignatureV4 {
  return new SignatureV4({ credentials: CREDS, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
}

function toRaw(r: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string> }, body = ''): RawRequest {
  return { method: r.method, path: r.path, query: buildQueryString(r.query ?? {}), headers: Object.entries(r.headers), bodySha256Hex: sha256Hex(body) };
}

function verify(req: RawRequest, opts: { allowUnsignedPayload?: boolean } = {}) {
  const p = parseAuth(req);
  assert.ok(p.ok && p.auth);
  return verifySignature(req, p.auth, CREDS.secretAccessKey, DEFAULT_DATE, opts);
}

async function signS3(method: string, path: string, body: string, headers: Record<string, string> = {}, query: Record<string, string> = {}): Promise<RawRequest> {
  const signed = await s3Signer().sign({ method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query, headers: { host: HOST, ...headers }, ...(body ? { body } : {}) } as never, { signingDate: DEFAULT_DATE });
  return toRaw(signed as never, body);
}

describe('S3 SigV4 variant', () => {
  it('uses the path as sent for s3 and the double-encoded normalized path elsewhere', () => {
    assert.equal(canonicalUriFor('s3', '/b/a%20b/c%21d'), '/b/a%20b/c%21d');
    assert.equal(canonicalUriFor('s3', '/b//x/../y'), '/b//x/../y');
    assert.equal(canonicalUriFor('s3', ''), '/');
    assert.equal(canonicalUriFor('sts', '/b/a%20b'), '/b/a%2520b');
  });

  it('verifies a PutObject signed as the S3 client signs it (encoded key, body hash declared)', async () => {
    const body = 'hello world';
    const req = await signS3('PUT', '/b/a%20b/c%21d', body, { 'content-type': 'application/octet-stream', 'x-amz-content-sha256': sha256Hex(body) }, { 'x-id': 'PutObject' });
    assert.deepEqual(verify(req), { ok: true });
    // The same bytes under another path fail: the path is what was signed.
    assert.equal(verify({ ...req, path: '/b/a%20b/c!d' }).ok, false);
  });

  it('verifies a ListObjectsV2 on a path-style bucket with a trailing slash', async () => {
    const req = await signS3('GET', '/b/', '', {}, { 'list-type': '2', prefix: 'a/', delimiter: '/' });
    assert.deepEqual(verify(req), { ok: true });
  });

  it('verifies an S3 presigned GET as @aws-sdk/s3-request-presigner makes it (UNSIGNED-PAYLOAD hoisted)', async () => {
    // The presigner sets x-amz-content-sha256: UNSIGNED-PAYLOAD before presigning; smithy hoists it.
    const presigned = await s3Signer().presign({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: '/b/k', query: { 'x-id': 'GetObject' }, headers: { host: HOST, 'x-amz-content-sha256': UNSIGNED_PAYLOAD } } as never, { signingDate: DEFAULT_DATE, expiresIn: 300 });
    const req = toRaw(presigned as never);
    assert.match(req.query, /x-amz-content-sha256=UNSIGNED-PAYLOAD/i);
    assert.deepEqual(verify(req), { ok: true });
  });

  it('refuses UNSIGNED-PAYLOAD over a body unless allowUnsignedPayload is set', async () => {
    const body = 'data';
    const req = await signS3('PUT', '/b/k', body, { 'x-amz-content-sha256': UNSIGNED_PAYLOAD });
    assert.equal(verify(req).ok, false);
    assert.deepEqual(verify(req, { allowUnsignedPayload: true }), { ok: true });
  });
});

/** botocore's own S3 signers (boto3, the AWS CLI): the S3 presigned URL declares nothing and signs UNSIGNED-PAYLOAD. */
const BOTO = String.raw`
import json, sys
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
c = Credentials(sys.argv[1], sys.argv[2])
out = []
def emit(name, req, auth):
    auth.add_auth(req)
    p = req.prepare()
    body = p.body or b''
    if isinstance(body, str): body = body.encode()
    out.append({'name': name, 'method': p.method, 'url': p.url, 'headers': list(p.headers.items()), 'body': body.decode()})
U = 'http://127.0.0.1:9000'
emit('presigned GetObject', AWSRequest('GET', U + '/b/a%20b/k%2B1'), S3SigV4QueryAuth(c, 's3', 'us-east-1', expires=300))
emit('PutObject', AWSRequest('PUT', U + '/b/k', data=b'hello'), S3SigV4Auth(c, 's3', 'eu-west-1'))
print(json.dumps(out))
`;

function boto(): Array<{ name: string; method: string; url: string; headers: Array<[string, string]>; body: string }> | undefined {
  try {
    return JSON.parse(execFileSync('python3', ['-c', BOTO, CREDS.accessKeyId, CREDS.secretAccessKey], { encoding: 'utf8', timeout: 60_000 }));
  } catch {
    return undefined;
  }
}

const botoSigned = boto();

describe('S3 requests signed by botocore', { skip: botoSigned === undefined ? 'python3 with botocore is not available' : false }, () => {
  for (const b of botoSigned ?? []) {
    it(b.name, () => {
      const target = b.url.slice(b.url.indexOf('/', 'http://'.length));
      const q = target.indexOf('?');
      const headers: Array<[string, string]> = [['Host', new URL(b.url).host], ...b.headers];
      if (b.body) headers.push(['Content-Length', String(Buffer.byteLength(b.body))]);
      const req: RawRequest = { method: b.method, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1), headers, bodySha256Hex: sha256Hex(b.body) };
      const p = parseAuth(req);
      assert.ok(p.ok && p.auth);
      assert.deepEqual(verifySignature(req, p.auth, CREDS.secretAccessKey, new Date()), { ok: true });
      assert.equal(verifySignature(req, p.auth, CREDS.secretAccessKey + 'x', new Date()).ok, false);
    });
  }
});
