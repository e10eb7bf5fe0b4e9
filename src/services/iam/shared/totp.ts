/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA-1, 6 digits and 30-second steps: what
 * virtual MFA apps compute from the seed that CreateVirtualMFADevice hands out. Pure apart from
 * node:crypto's HMAC: time comes in as an argument, so EnableMFADevice and STS (SerialNumber +
 * TokenCode) are testable without sleeping.
 * https://datatracker.ietf.org/doc/html/rfc6238 , https://datatracker.ietf.org/doc/html/rfc4226
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** The RFC 6238 time step (T) of an instant: floor(unix seconds / 30). */
export function timeStep(now: Date, stepSeconds = TOTP_STEP_SECONDS): number {
  return Math.floor(now.getTime() / 1000 / stepSeconds);
}

/** HOTP(K, C) truncated to `digits` decimal digits (RFC 4226 §5.3), zero-padded. */
export function hotp(seed: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  // Counters fit in 53 bits; split so values above 2^32 (RFC 6238 vector 20000000000) work.
  msg.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 0);
  msg.writeUInt32BE(counter % 0x1_0000_0000, 4);
  const mac = createHmac('sha1', seed).update(msg).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) >>> 0;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code for an instant. */
export function totpCode(seed: Buffer, now: Date, digits = TOTP_DIGITS): string {
  return hotp(seed, timeStep(now), digits);
}

/**
 * Checks `code` against the steps around `now` (±`window` steps, for clock drift) and returns the
 * matched time step, or undefined. Callers must record the step (MfaDeviceRepo.consumeTimeStep)
 * so a code is accepted once only. Comparison is constant-time per candidate.
 */
export function verifyTotp(seed: Buffer, code: string, now: Date, window = 1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const center = timeStep(now);
  const given = Buffer.from(code, 'utf8');
  let matched: number | undefined;
  for (let step = center - window; step <= center + window; step++) {
    if (step < 0) continue;
    const expected = Buffer.from(hotp(seed, step), 'utf8');
    // Keep scanning after a match so timing does not reveal which step matched.
    if (timingSafeEqual(expected, given) && matched === undefined) matched = step;
  }
  return matched;
}

/**
 * Two consecutive codes as EnableMFADevice (and ResyncMFADevice) require: code2 must be the
 * step right after code1. Searches a wider window (the device clock may be off by a few steps)
 * and returns the step of code2, or undefined.
 */
export function verifyConsecutiveTotp(seed: Buffer, code1: string, code2: string, now: Date, window = 2): number | undefined {
  if (!/^\d{6}$/.test(code1) || !/^\d{6}$/.test(code2)) return undefined;
  const center = timeStep(now);
  for (let step = center - window; step <= center + window - 1; step++) {
    if (step < 0) continue;
    if (hotp(seed, step) === code1 && hotp(seed, step + 1) === code2) return step + 1;
  }
  return undefined;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as authenticator apps take a seed (AWS's Base32StringSeed). */
export function base32Encode(data: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive, `=` padding and spaces ignored); throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** The otpauth URI an authenticator app scans (Key Uri Format): otpauth://totp/LABEL?secret=...&issuer=... */
export function otpauthUri(label: string, seed: Buffer, issuer?: string): string {
  const params = new URLSearchParams({ secret: base32Encode(seed) });
  if (issuer) params.set('issuer', issuer);
  return `otpauth://totp/${encodeURIComponent(label)}?${params.toString()}`;
}
