import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { formatToken, HEADER_BYTES, MAX_TOKEN_CHARS, MIN_TOKEN_CHARS, NONCE_BYTES, parseToken, TAG_BYTES, TOKEN_PREFIX } from './envelope.js';

const sample = () => formatToken('0a1b2c3d', randomBytes(NONCE_BYTES), randomBytes(40), randomBytes(TAG_BYTES));

describe('token envelope', () => {
  it('formats and parses every field back', () => {
    const nonce = randomBytes(NONCE_BYTES);
    const ct = randomBytes(57);
    const tag = randomBytes(TAG_BYTES);
    const token = formatToken('deadbeef', nonce, ct, tag);
    assert.ok(token.startsWith(TOKEN_PREFIX));
    assert.match(token.slice(TOKEN_PREFIX.length), /^[A-Za-z0-9_-]+$/);
    const p = parseToken(token);
    assert.ok(p);
    assert.equal(p.keyId, 'deadbeef');
    assert.deepEqual([...p.header], [2, 0xde, 0xad, 0xbe, 0xef]);
    assert.deepEqual(p.nonce, nonce);
    assert.deepEqual(p.ciphertext, ct);
    assert.deepEqual(p.tag, tag);
  });

  it('rejects non-strings, wrong prefix, wrong alphabet, wrong version, short and huge input without throwing', () => {
    const good = sample();
    const body = good.slice(TOKEN_PREFIX.length);
    const bytes = Buffer.from(body, 'base64url');
    const v2 = Buffer.from(bytes);
    v2[0] = 1; // format 1 (always-deflated claims) is no longer accepted
    const bad: unknown[] = [
      undefined,
      null,
      42,
      {},
      [good],
      Buffer.from(good),
      '',
      TOKEN_PREFIX,
      'rc2.' + body,
      'RC1.' + body,
      body,
      TOKEN_PREFIX + body.replace(/.$/, '='),
      TOKEN_PREFIX + body.slice(0, 10) + '+' + body.slice(11),
      TOKEN_PREFIX + body.slice(0, 10) + '/' + body.slice(11),
      TOKEN_PREFIX + body.slice(0, 10) + ' ' + body.slice(11),
      TOKEN_PREFIX + body.slice(0, 10) + 'é' + body.slice(11),
      good + '\n',
      ' ' + good,
      TOKEN_PREFIX + v2.toString('base64url'),
      TOKEN_PREFIX + Buffer.from(bytes.subarray(0, HEADER_BYTES + NONCE_BYTES + TAG_BYTES)).toString('base64url'),
      TOKEN_PREFIX + 'A'.repeat(MAX_TOKEN_CHARS),
      TOKEN_PREFIX + 'A'.repeat(10_000_000),
    ];
    for (const b of bad) assert.equal(parseToken(b), undefined, `accepted ${String(b).slice(0, 40)}`);
  });

  it('never throws on a truncation (authentication, not layout, rejects the longer ones)', () => {
    const good = sample();
    for (let n = 0; n < good.length; n++) {
      const p = parseToken(good.slice(0, n));
      if (n < MIN_TOKEN_CHARS) assert.equal(p, undefined, `accepted a ${n}-char prefix`);
    }
  });

  it('accepts only the canonical base64url spelling (no two strings for one byte sequence)', () => {
    // 5+12+40+16 = 73 bytes: the last character carries 2 unused bits.
    const good = sample();
    const last = good.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let aliases = 0;
    for (const c of alphabet) {
      if (c === last) continue;
      const alt = good.slice(0, -1) + c;
      if (Buffer.from(alt.slice(TOKEN_PREFIX.length), 'base64url').equals(Buffer.from(good.slice(TOKEN_PREFIX.length), 'base64url'))) {
        aliases++;
        assert.equal(parseToken(alt), undefined, 'a non-canonical alias parsed');
      }
    }
    assert.ok(aliases > 0, 'the test needs a length with unused bits');
  });

  it('has sane bounds', () => {
    assert.ok(MIN_TOKEN_CHARS > TOKEN_PREFIX.length + 40);
    assert.ok(MAX_TOKEN_CHARS <= 16 * 1024);
    assert.throws(() => formatToken('DEADBEEF', randomBytes(12), randomBytes(1), randomBytes(16)));
    assert.throws(() => formatToken('deadbeef', randomBytes(11), randomBytes(1), randomBytes(16)));
  });
});
