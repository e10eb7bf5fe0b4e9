/**
 * Vectors from AWS's own SigV4 test suite (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html;
 * the same files ship in dacut/scratchstack-aws-signature src/aws-sig-v4-test-suite and as
 * @aws-sdk/signature-v4's suite.fixture.js), and the worked IAM ListUsers example of the
 * "Create a signed AWS API request" page. Requests are given as they arrive on the wire.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalRequest, parseAuth, signingKey, verifySignature, type RawRequest } from './index.js';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NOW = new Date('2015-08-30T12:36:00Z');
const authz = (signed: string, sig: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signed}, Signature=${sig}`;
const HOST_DATE: Array<[string, string]> = [
  ['Host', 'example.amazonaws.com'],
  ['X-Amz-Date', '20150830T123600Z'],
];

type Case = [name: string, method: string, path: string, query: string, headers: Array<[string, string]>, signed: string, sig: string];
const CASES: Case[] = [
  ['get-vanilla', 'GET', '/', '', HOST_DATE, 'host;x-amz-date', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
  ['post-vanilla', 'POST', '/', '', HOST_DATE, 'host;x-amz-date', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
  ['post-vanilla-query', 'POST', '/', 'Param1=value1', HOST_DATE, 'host;x-amz-date', '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11'],
  ['get-vanilla-empty-query-key', 'GET', '/', 'Param1=value1', HOST_DATE, 'host;x-amz-date', 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb'],
  ['get-utf8', 'GET', '/\u1234', '', HOST_DATE, 'host;x-amz-date', '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'],
  ['get-vanilla-utf8-query', 'GET', '/', '\u1234=bar', HOST_DATE, 'host;x-amz-date', '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04'],
  ['normalize-path/get-space', 'GET', '/example space/', '', HOST_DATE, 'host;x-amz-date', '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741'],
  ['normalize-path/get-slashes', 'GET', '//example//', '', HOST_DATE, 'host;x-amz-date', '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84'],
  ['normalize-path/get-slash-pointless-dot', 'GET', '/./example', '', HOST_DATE, 'host;x-amz-date', 'ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5'],
  [
    'get-header-key-duplicate',
    'GET',
    '/',
    '',
    [['Host', 'example.amazonaws.com'], ['My-Header1', 'value2'], ['My-Header1', 'value2'], ['My-Header1', 'value1'], ['X-Amz-Date', '20150830T123600Z']],
    'host;my-header1;x-amz-date',
    'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  ],
  [
    'get-header-value-trim',
    'GET',
    '/',
    '',
    [['Host', 'example.amazonaws.com'], ['My-Header1', ' value1'], ['My-Header2', ' "a   b   c"'], ['X-Amz-Date', '20150830T123600Z']],
    'host;my-header1;my-header2;x-amz-date',
    'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  ],
  [
    'post-header-key-sort',
    'POST',
    '/',
    '',
    [['Host', 'example.amazonaws.com'], ['My-Header1', 'value1'], ['X-Amz-Date', '20150830T123600Z']],
    'host;my-header1;x-amz-date',
    'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c',
  ],
];

describe('AWS SigV4 test suite', () => {
  for (const [name, method, path, query, headers, signed, sig] of CASES) {
    it(name, () => {
      const req: RawRequest = { method, path, query, headers: [...headers, ['Authorization', authz(signed, sig)]], bodySha256Hex: EMPTY };
      const p = parseAuth(req);
      assert.ok(p.ok && p.auth);
      assert.deepEqual(verifySignature(req, p.auth, SECRET, NOW), { ok: true });
      assert.equal(verifySignature(req, p.auth, SECRET.toLowerCase(), NOW).ok, false);
    });
  }

  it('reproduces the IAM ListUsers example: canonical request, signing key and signature', () => {
    const req: RawRequest = {
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: [
        ['Host', 'iam.amazonaws.com'],
        ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
        ['X-Amz-Date', '20150830T123600Z'],
        [
          'Authorization',
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
        ],
      ],
      bodySha256Hex: EMPTY,
    };
    const p = parseAuth(req);
    assert.ok(p.ok && p.auth);
    assert.equal(
      canonicalRequest(req, p.auth, EMPTY),
      'GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n' +
        EMPTY,
    );
    assert.equal(signingKey(SECRET, '20150830', 'us-east-1', 'iam').toString('hex'), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    assert.deepEqual(verifySignature(req, p.auth, SECRET, NOW), { ok: true });
  });
});
