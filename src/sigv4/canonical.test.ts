import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './amz-date.js';
import { canonicalUri } from './canonical-request.js';
import { expiredToken, invalidClientTokenId, invalidSecurityToken, missingAuthenticationToken, toJsonProtocolError, wrongService } from './errors.js';
import { trimAll } from './headers.js';
import { canonicalQuery, queryPairs } from './query.js';
import { rawRequest } from './raw-request.js';
import { signingKey, signingKeyCacheSize } from './signing-key.js';
import { decodeComponent, encodeRaw, normalizeComponent } from './uri-encode.js';
import type { RawRequest } from './types.js';

const q = (query: string): string => canonicalQuery(queryPairs({ method: 'GET', path: '/', query, headers: [], bodySha256Hex: '' }));

describe('RFC 3986 encoding of raw wire text', () => {
  it('normalizes a query component: decode, then encode with upper-case hex', () => {
    assert.equal(normalizeComponent('abcXYZ019-_.~'), 'abcXYZ019-_.~');
    assert.equal(normalizeComponent('a%20b'), 'a%20b');
    assert.equal(normalizeComponent('a+b'), 'a%20b');
    assert.equal(normalizeComponent('a%2bb%2f'), 'a%2Bb%2F');
    assert.equal(normalizeComponent('%41%7E%2D'), 'A~-');
    assert.equal(normalizeComponent('a b*!\'()'), 'a%20b%2A%21%27%28%29');
    assert.equal(normalizeComponent('100%'), '100%25');
    assert.equal(normalizeComponent('%zz%4'), '%25zz%254');
    assert.equal(normalizeComponent('caf\u00e9\u{1F600}'), 'caf%C3%A9%F0%9F%98%80');
    assert.equal(normalizeComponent('%C3%A9'), '%C3%A9');
  });

  it('encodes a raw path once more, keeping slashes', () => {
    assert.equal(encodeRaw('/a/b-c_d.e~f'), '/a/b-c_d.e~f');
    assert.equal(encodeRaw('/foo%20bar'), '/foo%2520bar');
    assert.equal(encodeRaw('/a b/\u1234'), '/a%20b/%E1%88%B4');
  });

  it('decodes auth parameter values without throwing', () => {
    assert.equal(decodeComponent('AKID%2F20260128%2Fus-east-1'), 'AKID/20260128/us-east-1');
    assert.equal(decodeComponent('a+b%2Bc'), 'a b+c');
    assert.equal(decodeComponent('%E0%A4%A'), '%E0%A4%A');
  });
});

describe('canonical URI and query', () => {
  it('removes empty and dot segments as the SDKs do, then encodes', () => {
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('//example//'), '/example/');
    assert.equal(canonicalUri('/a/./b/../c'), '/a/c');
    assert.equal(canonicalUri('/../..'), '/');
    assert.equal(canonicalUri('/example space/'), '/example%20space/');
  });

  it('sorts by encoded name then value, drops X-Amz-Signature, gives bare names an empty value', () => {
    assert.equal(q(''), '');
    assert.equal(q('b=2&a=1'), 'a=1&b=2');
    assert.equal(q('foo=Zoo&foo=aha'), 'foo=Zoo&foo=aha');
    assert.equal(q('a=2&a=10&a=1'), 'a=1&a=10&a=2');
    assert.equal(q('Param1=value2&Param1=Value1'), 'Param1=Value1&Param1=value2');
    assert.equal(q('flag&x=1&&'), 'flag=&x=1');
    assert.equal(q('X-Amz-Signature=abc&x-amz-signature=def&Action=A'), 'Action=A');
    assert.equal(q('%41ction=List%55sers&b=c+d%2Be'), 'Action=ListUsers&b=c%20d%2Be');
    assert.equal(q('=v&k='), '=v&k=');
  });
});

describe('header values', () => {
  it('trims and collapses whitespace runs, leaving clean values untouched', () => {
    assert.equal(trimAll('value'), 'value');
    assert.equal(trimAll(''), '');
    assert.equal(trimAll('  a   b  '), 'a b');
    assert.equal(trimAll('"a   b   c"'), '"a b c"');
    assert.equal(trimAll('a\t b\r\n c'), 'a b c');
    assert.equal(trimAll('attempt=1; max=3'), 'attempt=1; max=3');
    assert.equal(trimAll('   '), '');
  });
});

describe('dates', () => {
  it('parses ISO 8601 basic format strictly', () => {
    assert.equal(parseAmzDate('20260128T054625Z'), Date.UTC(2026, 0, 28, 5, 46, 25));
    for (const bad of ['20260128T054625', '2026-01-28T05:46:25Z', '20261328T000000Z', '20260229T000000Z', '20260128T246000Z', '2026012xT054625Z', '']) {
      assert.ok(Number.isNaN(parseAmzDate(bad)), bad);
    }
    assert.equal(parseAmzDate('20240229T000000Z'), Date.UTC(2024, 1, 29));
    assert.equal(formatAmzDate(Date.UTC(2026, 0, 28, 5, 46, 25, 999)), '20260128T054625Z');
  });

  it('parses an HTTP date only with an explicit zone', () => {
    assert.equal(parseHttpDate('Wed, 28 Jan 2026 05:46:25 GMT'), Date.UTC(2026, 0, 28, 5, 46, 25));
    assert.equal(parseHttpDate('Wed, 28 Jan 2026 05:46:25 -0000'), Date.UTC(2026, 0, 28, 5, 46, 25));
    assert.equal(parseHttpDate('Wed, 28 Jan 2026 06:46:25 +0100'), Date.UTC(2026, 0, 28, 5, 46, 25));
    assert.ok(Number.isNaN(parseHttpDate('2026-01-28T05:46:25Z')));
    assert.ok(Number.isNaN(parseHttpDate('Wed, 28 Jan 2026 05:46:25')));
  });
});

describe('signing keys', () => {
  it('derives the documented key and caches by secret hash, not by key id', () => {
    const k1 = signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
    assert.equal(k1.toString('hex'), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    const before = signingKeyCacheSize();
    signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
    assert.equal(signingKeyCacheSize(), before);
    const k2 = signingKey('another-secret', '20150830', 'us-east-1', 'iam');
    assert.notDeepEqual(k1, k2);
    // Callers get copies: scribbling on one does not poison the cache.
    k1.fill(0);
    assert.equal(
      signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam').toString('hex'),
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
  });

  it('keeps the cache bounded', () => {
    for (let i = 0; i < 1500; i++) signingKey(`secret-${i}`, '20260128', 'us-east-1', 'sts');
    assert.ok(signingKeyCacheSize() <= 1024);
  });
});

describe('errors for the caller to use between the phases', () => {
  it('have AWS wording and statuses', () => {
    assert.deepEqual(missingAuthenticationToken(), { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token', status: 403 });
    assert.deepEqual(invalidClientTokenId(), { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 });
    assert.deepEqual(invalidSecurityToken(), { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid', status: 403 });
    assert.deepEqual(expiredToken(), { code: 'ExpiredToken', message: 'The security token included in the request is expired', status: 403 });
    assert.deepEqual(wrongService('sts'), { code: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'sts'.", status: 403 });
  });

  it('map to the awsJson names for CloudTrail', () => {
    assert.deepEqual(toJsonProtocolError(invalidClientTokenId()), {
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      status: 403,
    });
    assert.equal(toJsonProtocolError(wrongService('cloudtrail')).code, 'InvalidSignatureException');
    assert.equal(toJsonProtocolError(missingAuthenticationToken()).code, 'MissingAuthenticationTokenException');
  });
});

describe('rawRequest', () => {
  it('splits node url and pairs rawHeaders', () => {
    const r: RawRequest = rawRequest('GET', '/p/q?Action=X&b=1', ['Host', 'h', 'X-A', '1', 'x-a', '2'], 'abc');
    assert.deepEqual(r, {
      method: 'GET',
      path: '/p/q',
      query: 'Action=X&b=1',
      headers: [
        ['Host', 'h'],
        ['X-A', '1'],
        ['x-a', '2'],
      ],
      bodySha256Hex: 'abc',
    });
    assert.equal(rawRequest('POST', '/', [], '').query, '');
  });
});
