import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoRandom } from '../domain/random.js';
import { ImdsTokens } from './imds.js';

describe('IMDSv2 session tokens', () => {
  const t = new ImdsTokens(cryptoRandom);
  const now = Date.UTC(2026, 0, 1);

  it('valid for their instance until they expire', () => {
    const tok = t.issue('i-0123456789abcdef0', now + 60_000);
    assert.equal(t.valid(tok, 'i-0123456789abcdef0', now), true);
    assert.equal(t.valid(tok, 'i-0123456789abcdef0', now + 59_999), true);
    assert.equal(t.valid(tok, 'i-0123456789abcdef0', now + 60_000), false);
    assert.equal(t.valid(tok, 'i-0fedcba9876543210', now), false);
  });

  it('a changed payload, a changed MAC, another process\'s token or garbage are invalid', () => {
    const tok = t.issue('i-0123456789abcdef0', now + 60_000);
    const [payload, mac] = tok.split('.') as [string, string];
    const longer = Buffer.from(`i-0123456789abcdef0.${Math.floor(now / 1000) + 99999}`).toString('base64url');
    assert.equal(t.valid(`${longer}.${mac}`, 'i-0123456789abcdef0', now), false);
    assert.equal(t.valid(`${payload}.${mac.slice(0, -2)}AA`, 'i-0123456789abcdef0', now), mac.endsWith('AA'));
    assert.equal(new ImdsTokens(cryptoRandom).valid(tok, 'i-0123456789abcdef0', now), false);
    for (const g of ['', '.', 'abc', 'a.b.c', 'x'.repeat(600)]) assert.equal(t.valid(g, 'i-0123456789abcdef0', now), false);
  });
});
