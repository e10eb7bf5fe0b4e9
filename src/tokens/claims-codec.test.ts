import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { canonicalJson, checkClaims, CODEC_DEFLATE, CODEC_JSON, COMPRESS_OVER_BYTES, decodeClaims, encodeClaims, MAX_CLAIMS_JSON_BYTES } from './claims-codec.js';
import { CLAIMS_DICTIONARY } from './compression-dictionary.js';
import { fullClaims } from './fixtures.js';

describe('claims codec', () => {
  it('pins the format-1 compression dictionary (changing it breaks every outstanding token)', () => {
    const digest = createHash('sha256').update(CLAIMS_DICTIONARY).digest('hex');
    assert.equal(digest, PINNED_DICTIONARY_SHA256, `dictionary changed (now ${digest}): that needs a new token format version`);
  });

  it('round-trips every field, plain and deflated', () => {
    const c = fullClaims();
    assert.deepEqual(decodeClaims(encodeClaims(c)), c);
    const small = bare();
    assert.equal(encodeClaims(small)[0], CODEC_JSON);
    assert.equal(encodeClaims(small).subarray(1).toString('utf8'), canonicalJson(small));
    assert.deepEqual(decodeClaims(encodeClaims(small)), small);
    const big = { ...fullClaims(), sessionPolicies: ['{"Version":"2012-10-17","Statement":[]}'.padEnd(COMPRESS_OVER_BYTES + 10)] };
    assert.equal(encodeClaims(big)[0], CODEC_DEFLATE);
    assert.ok(encodeClaims(big).length < COMPRESS_OVER_BYTES);
    assert.deepEqual(decodeClaims(encodeClaims(big)), big);
  });

  it('writes canonical JSON: sorted keys, undefined omitted, one encoding per value', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ z: 'x', y: undefined }, 'q'], c: null }), '{"a":[{"z":"x"},"q"],"b":1,"c":null}');
    const c = fullClaims();
    const shuffled = Object.fromEntries(Object.entries(c).reverse());
    assert.equal(canonicalJson(shuffled), canonicalJson(c));
    assert.deepEqual(encodeClaims(shuffled as typeof c), encodeClaims(c));
    const keysShuffled = { ...c, federatedKeys: Object.fromEntries(Object.entries(c.federatedKeys ?? {}).reverse()) };
    assert.deepEqual(encodeClaims(keysShuffled), encodeClaims(c), "the provider keys' order does not matter");
    assert.equal(inflateRawSync(encodeClaims(c).subarray(1), { dictionary: CLAIMS_DICTIONARY }).toString('utf8'), canonicalJson(c), 'the fast writer is canonical JSON');
    const plain = { ...bare(), tags: [{ Key: 'team', Value: 'a' }] };
    assert.equal(encodeClaims(plain)[0], CODEC_JSON);
    assert.equal(encodeClaims({ ...plain, tags: [{ Value: 'a', Key: 'team' }] }).subarray(1).toString('utf8'), canonicalJson(plain), 'tag member order does not matter');
    assert.throws(() => canonicalJson({ n: Number.NaN }));
  });

  it('refuses to encode malformed claims', () => {
    const bad: Array<Record<string, unknown>> = [
      { v: 2 },
      { kind: 'admin' },
      { accountId: '12345' },
      { accessKeyId: 'AKIAABCDEFGHIJKLMNOP' },
      { secretAccessKey: 'short' },
      { expiresAt: fullClaims().issuedAt },
      { issuedAt: 1.5 },
      { chainDepth: -1 },
      { tags: [{ Key: 'k' }] },
      { tags: [{ Key: 'k', Value: 'v', Extra: 1 }] },
      { sessionPolicies: [1] },
      { roleArn: 5 },
      { mfaAuthenticatedAt: '2026' },
      { unknownField: 'x' },
      { originalCaller: undefined },
    ];
    for (const patch of bad) {
      const c = { ...fullClaims(), ...patch };
      assert.equal(checkClaims(c), undefined, JSON.stringify(patch));
      assert.throws(() => encodeClaims(c as never), JSON.stringify(patch));
    }
    assert.throws(() => encodeClaims({ ...fullClaims(), sessionPolicies: ['x'.repeat(MAX_CLAIMS_JSON_BYTES)] }), /too large/);
  });

  it('decodes garbage, bombs and unknown fields to undefined without throwing', () => {
    const d = (json: string) => Buffer.concat([Buffer.of(CODEC_DEFLATE), deflateRawSync(Buffer.from(json), { dictionary: CLAIMS_DICTIONARY })]);
    const p = (json: string) => Buffer.concat([Buffer.of(CODEC_JSON), Buffer.from(json)]);
    assert.equal(decodeClaims(p('not json')), undefined);
    assert.equal(decodeClaims(p(JSON.stringify({ ...fullClaims(), admin: true }))), undefined);
    assert.equal(decodeClaims(Buffer.concat([Buffer.of(0x02), Buffer.from(JSON.stringify(fullClaims()))])), undefined, 'unknown codec');
    assert.deepEqual(decodeClaims(p(JSON.stringify(fullClaims()))), fullClaims());
    assert.equal(decodeClaims(Buffer.alloc(0)), undefined);
    assert.equal(decodeClaims(randomBytes(64)), undefined);
    assert.equal(decodeClaims(d('not json')), undefined);
    assert.equal(decodeClaims(d('[]')), undefined);
    assert.equal(decodeClaims(d(JSON.stringify({ ...fullClaims(), admin: true }))), undefined);
    assert.equal(decodeClaims(d(JSON.stringify(fullClaims()).replace('{', '{"__proto__":{"admin":true},'))), undefined);
    const bomb = d(JSON.stringify({ ...fullClaims(), sessionPolicies: [' '.repeat(10 * MAX_CLAIMS_JSON_BYTES)] }));
    assert.ok(bomb.length < 2000);
    assert.equal(decodeClaims(bomb), undefined);
    assert.deepEqual(decodeClaims(d(JSON.stringify(fullClaims()))), fullClaims(), 'non-canonical but well-formed JSON still decodes');
  });
});

/** Only the required fields: short enough to be sealed without compression. */
function bare(): ReturnType<typeof fullClaims> {
  const c = fullClaims();
  return { v: 1, kind: c.kind, accountId: c.accountId, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, issuedAt: c.issuedAt, expiresAt: c.expiresAt, tags: [], transitiveTagKeys: [], sessionPolicies: [], chainDepth: 0, originalCaller: c.originalCaller };
}

const PINNED_DICTIONARY_SHA256 = '4a398a0262e50c8facbeee3cfffa9e67b00b7611a5273aa43df3b233fa89bd06';
