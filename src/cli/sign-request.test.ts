import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseAuth, verifySignature, type RawRequest } from '../sigv4/index.js';
import { CREDS, DEFAULT_DATE, headerOf, signHeader } from '../sigv4/testkit.js';
import { signRequest } from './sign-request.js';

const BODY = 'Action=PutRolePolicy&Version=2010-05-08&RoleName=r&PolicyName=AWSRevokeOlderSessions&PolicyDocument=%7B%7D';

function toRaw(s: ReturnType<typeof signRequest>): RawRequest {
  const u = new URL(s.url);
  return { method: s.method, path: u.pathname, query: u.search.slice(1), headers: Object.entries(s.headers), bodySha256Hex: createHash('sha256').update(s.body).digest('hex') };
}

describe('the CLI SigV4 signer', () => {
  for (const sessionToken of [undefined, 'FwoGZXIvYXdzEXAMPLETOKEN']) {
    it(`signs exactly as @smithy/signature-v4 does${sessionToken ? ' (session credentials)' : ''}`, async () => {
      const creds = sessionToken ? { ...CREDS, sessionToken } : CREDS;
      const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
      const mine = signRequest({ method: 'POST', url: 'http://127.0.0.1:4566/', headers, body: BODY }, creds, { service: 'iam', region: 'us-east-1', now: DEFAULT_DATE });
      const smithy = await signHeader({ service: 'iam', headers, body: BODY, applyChecksum: false, host: '127.0.0.1:4566', creds });
      assert.equal(mine.headers.authorization, headerOf(smithy, 'authorization'));
      assert.equal(mine.headers['x-amz-security-token'], sessionToken);
    });
  }

  it('produces requests the server-side verifier accepts', () => {
    const s = signRequest({ method: 'POST', url: 'http://localhost:4747/', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: BODY }, CREDS, { service: 'iam', region: 'eu-west-1', now: DEFAULT_DATE });
    const req = toRaw(s);
    const parsed = parseAuth(req);
    assert.ok(parsed.ok && parsed.auth);
    assert.equal(parsed.auth.service, 'iam');
    assert.equal(parsed.auth.region, 'eu-west-1');
    assert.deepEqual(verifySignature(req, parsed.auth, CREDS.secretAccessKey, DEFAULT_DATE), { ok: true });
    const tampered: RawRequest = { ...req, bodySha256Hex: createHash('sha256').update(BODY + 'x').digest('hex') };
    assert.equal(verifySignature(tampered, parsed.auth, CREDS.secretAccessKey, DEFAULT_DATE).ok, false);
  });
});
