import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { canonicalJson, checkClaims, decodeClaims, encodeClaims, MAX_CLAIMS_JSON_BYTES } from './claims-codec.js';
import { CLAIMS_DICTIONARY } from './compression-dictionary.js';
import { fullClaims } from './fixtures.js';

describe('claims codec', () => {
  it('pins the format-1 compression dictionary (changing it breaks every outstanding token)', () => {
    const digest = createHash('sha256').update(CLAIMS_DICTIONARY).digest('hex');
    assert.equal(digest, PINNED_DICTIONARY_SHA256, `dictionary changed (now ${digest}): that needs a new token format version`);
  });

  it('round-trips every field', () => {
    const c = fullClaims();
    assert.deepEqual(decodeClaims(encodeClaims(c)), c);
  });

  it('writes canonical JSON: sorted keys, undefined omitted, one encoding per value', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ z: 'x', y: undefined }, 'q'], c: null }), '{"a":[{"z":"x"},"q"],"b":1,"c":null}');
    const c = fullClaims();
    const shuffled = Object.fromEntries(Object.entries(c).reverse());
    assert.equal(canonicalJson(shuffled), canonicalJson(c));
    assert.deepEqual(encodeClaims(shuffled as typeof c), encodeClaims(c));
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
    const d = (json: string) => deflateRawSync(Buffer.from(json), { dictionary: CLAIMS_DICTIONARY });
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

const PINNED_DICTIONARY_SHA256 = '4a398a0262e50c8facbeee3cfffa9e67b00b7611a5273aa43df3b233fa89bd06';
