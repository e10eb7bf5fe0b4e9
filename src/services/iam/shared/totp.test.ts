import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, hotp, otpauthUri, timeStep, totpCode, verifyConsecutiveTotp, verifyTotp } from './totp.js';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238, SHA-1)', () => {
  it('reproduces the RFC 6238 appendix B SHA-1 vectors', () => {
    for (const [t, code] of RFC_VECTORS) assert.equal(totpCode(RFC_SEED, new Date(t * 1000), 8), code, `T=${t}`);
  });
  it('reproduces the RFC 4226 appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => assert.equal(hotp(RFC_SEED, counter), code));
  });
  it('verifies 6-digit codes within ±1 step and returns the matched step', () => {
    const now = new Date(1111111111 * 1000);
    const step = timeStep(now);
    assert.equal(verifyTotp(RFC_SEED, '050471', now), step); // last 6 digits of 14050471
    assert.equal(verifyTotp(RFC_SEED, hotp(RFC_SEED, step - 1), now), step - 1);
    assert.equal(verifyTotp(RFC_SEED, hotp(RFC_SEED, step + 1), now), step + 1);
    assert.equal(verifyTotp(RFC_SEED, hotp(RFC_SEED, step + 2), now), undefined);
    assert.equal(verifyTotp(RFC_SEED, hotp(RFC_SEED, step + 2), now, 2), step + 2);
    assert.equal(verifyTotp(RFC_SEED, '12345', now), undefined);
    assert.equal(verifyTotp(RFC_SEED, 'abcdef', now), undefined);
  });
  it('accepts two consecutive codes in order only', () => {
    const now = new Date(1_700_000_000_000);
    const s = timeStep(now);
    const c = (k: number): string => hotp(RFC_SEED, k);
    assert.equal(verifyConsecutiveTotp(RFC_SEED, c(s), c(s + 1), now), s + 1);
    assert.equal(verifyConsecutiveTotp(RFC_SEED, c(s - 1), c(s), now), s);
    assert.equal(verifyConsecutiveTotp(RFC_SEED, c(s + 1), c(s), now), undefined);
    assert.equal(verifyConsecutiveTotp(RFC_SEED, c(s), c(s), now), undefined);
    assert.equal(verifyConsecutiveTotp(RFC_SEED, c(s), c(s + 2), now), undefined);
    assert.equal(verifyConsecutiveTotp(RFC_SEED, c(s + 10), c(s + 11), now), undefined);
  });
});

describe('base32 (RFC 4648)', () => {
  it('matches the RFC 4648 test vectors (without padding)', () => {
    const v: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, enc] of v) {
      assert.equal(base32Encode(Buffer.from(plain)), enc);
      assert.equal(base32Decode(enc).toString(), plain);
    }
    assert.equal(base32Decode('mzxw6ytboi======').toString(), 'foobar');
    assert.throws(() => base32Decode('M1'));
  });
  it('round-trips a 20-byte seed to 32 characters', () => {
    const seed = Buffer.from('0123456789abcdefghij');
    const text = base32Encode(seed);
    assert.equal(text.length, 32);
    assert.deepEqual(base32Decode(text), seed);
  });
  it('builds the otpauth URI authenticator apps scan', () => {
    assert.equal(otpauthUri('Rolecall:dev@123456789012', RFC_SEED, 'Rolecall'), 'otpauth://totp/Rolecall%3Adev%40123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Rolecall');
  });
});
