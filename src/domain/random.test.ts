import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoRandom, secureRandomBytes } from './random.js';

describe('secureRandomBytes', () => {
  it('hands out fresh bytes of the asked length, across pool refills and above the pooled size', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = secureRandomBytes(12);
      assert.equal(b.length, 12);
      seen.add(b.toString('hex'));
    }
    assert.equal(seen.size, 2000, 'no 12-byte draw repeats');
    assert.equal(secureRandomBytes(1000).length, 1000);
    assert.equal(cryptoRandom.bytes(40).length, 40);
  });

  it('returns copies: changing one draw does not change the next', () => {
    const a = secureRandomBytes(16);
    const before = Buffer.from(a);
    a.fill(0);
    const b = secureRandomBytes(16);
    assert.notDeepEqual(b, Buffer.alloc(16));
    assert.notDeepEqual(before, Buffer.alloc(16));
  });
});
