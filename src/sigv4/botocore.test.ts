/**
 * Requests signed by botocore itself (the signer of boto3 and the AWS CLI), run through python3:
 * SigV4Auth for header auth (no x-amz-content-sha256, content-type with charset, `+` for spaces in
 * form bodies, a `Date`-only request) and SigV4QueryAuth for presigned URLs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parseAuth, rawRequest, verifySignature, SIGV4_MESSAGES, type RawRequest } from './index.js';

const SECRET = 'botocoreSecretKey/With+Special=Chars0123';

const SCRIPT = String.raw`
import base64, json, sys
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SECRET = sys.argv[1]
FORM = {'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'}
out = []

def emit(name, req, auth):
    auth.add_auth(req)
    p = req.prepare()
    body = p.body or b''
    if isinstance(body, str):
        body = body.encode('utf-8')
    out.append({'name': name, 'method': p.method, 'url': p.url, 'headers': list(p.headers.items()),
                'body': base64.b64encode(body).decode('ascii')})

plain = Credentials('AKIABOTOCOREEXAMPLE', SECRET)
session = Credentials('ASIABOTOCOREEXAMPLE', SECRET, 'IQoJb3JpZ2luX2Vj+/sessionToken==')
U = 'http://127.0.0.1:4566'

emit('sts AssumeRole form body with + and %2B', AWSRequest('POST', U + '/', headers=dict(FORM),
     data={'Action': 'AssumeRole', 'Version': '2011-06-15', 'RoleArn': 'arn:aws:iam::111122223333:role/app',
           'RoleSessionName': 'a b+c', 'ExternalId': 'x/y=z'}), SigV4Auth(plain, 'sts', 'eu-west-1'))
emit('iam CreateRole with a policy document', AWSRequest('POST', U + '/', headers=dict(FORM),
     data={'Action': 'CreateRole', 'Version': '2010-05-08', 'RoleName': 'app', 'Path': '/team a/',
           'AssumeRolePolicyDocument': json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow',
             'Principal': {'Service': 'ec2.amazonaws.com'}, 'Action': 'sts:AssumeRole',
             'Condition': {'StringLike': {'aws:PrincipalTag/team': ['caf\u00e9 *', '~!*()\'']}}}]})}),
     SigV4Auth(plain, 'iam', 'us-east-1'))
emit('session credentials sign X-Amz-Security-Token', AWSRequest('POST', U + '/', headers=dict(FORM),
     data={'Action': 'GetCallerIdentity', 'Version': '2011-06-15'}), SigV4Auth(session, 'sts', 'ap-southeast-2'))
emit('GET with query parameters', AWSRequest('GET', U + '/', params={'Action': 'ListRoles', 'Version': '2010-05-08',
     'PathPrefix': '/a b/', 'Marker': 'm+n/o'}), SigV4Auth(plain, 'iam', 'us-west-2'))
emit('path with spaces and dot segments', AWSRequest('POST', U + '/foo%20bar/./baz/../qux', headers=dict(FORM),
     data={'Action': 'GetCallerIdentity'}), SigV4Auth(plain, 'sts', 'us-east-1'))
emit('Date header instead of X-Amz-Date', AWSRequest('POST', U + '/', headers=dict(FORM, Date='placeholder'),
     data={'Action': 'GetCallerIdentity', 'Version': '2011-06-15'}), SigV4Auth(plain, 'sts', 'us-east-1'))
emit('cloudtrail JSON with X-Amz-Target', AWSRequest('POST', U + '/', headers={
     'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CloudTrail_20131101.LookupEvents'},
     data=json.dumps({'MaxResults': 5})), SigV4Auth(plain, 'cloudtrail', 'eu-central-1'))
emit('presigned GetCallerIdentity', AWSRequest('GET', U + '/', params={'Action': 'GetCallerIdentity',
     'Version': '2011-06-15'}), SigV4QueryAuth(plain, 'sts', 'us-east-1', expires=60))
emit('presigned with a session token', AWSRequest('GET', U + '/', params={'Action': 'GetCallerIdentity',
     'Version': '2011-06-15'}), SigV4QueryAuth(session, 'sts', 'eu-north-1', expires=900))
print(json.dumps(out))
`;

interface Signed {
  name: string;
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: string;
}

function botocore(): Signed[] | undefined {
  try {
    return JSON.parse(execFileSync('python3', ['-c', SCRIPT, SECRET], { encoding: 'utf8', timeout: 60_000 })) as Signed[];
  } catch {
    return undefined;
  }
}

/** What the server sees: http.client adds Host (the URL's netloc) and Content-Length. */
function onTheWire(s: Signed): RawRequest {
  const url = new URL(s.url);
  const body = Buffer.from(s.body, 'base64');
  const raw: string[] = ['Host', url.host];
  for (const [n, v] of s.headers) raw.push(n, v);
  if (body.length > 0) raw.push('Content-Length', String(body.length));
  const target = s.url.slice(s.url.indexOf('/', 'http://'.length));
  return rawRequest(s.method, target, raw, createHash('sha256').update(body).digest('hex'));
}

const signed = botocore();

describe('botocore-signed requests', { skip: signed === undefined ? 'python3 with botocore is not available' : false }, () => {
  const now = new Date();
  for (const s of signed ?? []) {
    it(s.name, () => {
      const req = onTheWire(s);
      const p = parseAuth(req);
      assert.ok(p.ok && p.auth, JSON.stringify(!p.ok && p.error));
      const auth = p.auth;
      if (s.name.startsWith('presigned')) assert.equal(auth.presigned, true);
      else assert.equal(req.headers.some(([n]) => n.toLowerCase() === 'x-amz-content-sha256'), false);
      if (s.name.includes('session')) assert.equal(auth.securityToken, 'IQoJb3JpZ2luX2Vj+/sessionToken==');
      assert.deepEqual(verifySignature(req, auth, SECRET, now), { ok: true });
      assert.deepEqual(verifySignature(req, auth, SECRET + 'x', now), {
        ok: false,
        error: { code: 'SignatureDoesNotMatch', message: SIGV4_MESSAGES.signatureDoesNotMatch, status: 403 },
      });
      if (!auth.presigned) {
        const tampered = { ...req, bodySha256Hex: createHash('sha256').update('Action=DeleteRole').digest('hex') };
        assert.equal(verifySignature(tampered, auth, SECRET, now).ok, false);
      }
    });
  }

  it('signs the header set sdk-compat.md §2.2 describes', () => {
    const req = onTheWire((signed ?? [])[0] as Signed);
    const p = parseAuth(req);
    assert.ok(p.ok && p.auth);
    assert.deepEqual(p.auth.signedHeaders, ['content-type', 'host', 'x-amz-date']);
    assert.equal(p.auth.region, 'eu-west-1');
  });
});
