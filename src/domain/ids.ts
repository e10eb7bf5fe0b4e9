/**
 * AWS identifier formats: 4-letter prefix + 16 upper-case base32 characters for unique ids and
 * access key ids, 40-character secrets, 12-digit account ids.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
import type { Random } from './random.js';

export type IdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA' | 'AIPA' | 'AKIA' | 'ASIA';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function fromAlphabet(random: Random, alphabet: string, n: number): string {
  const bytes = random.bytes(n);
  let out = '';
  // Alphabets of 32 and 64 characters divide 256, so `byte % length` is unbiased.
  for (let i = 0; i < n; i++) out += alphabet[(bytes[i] as number) % alphabet.length];
  return out;
}

export function newId(random: Random, prefix: IdPrefix): string {
  return prefix + fromAlphabet(random, BASE32, 16);
}

export function newSecretAccessKey(random: Random): string {
  return fromAlphabet(random, SECRET_CHARS, 40);
}

export function newAccountId(random: Random): string {
  const bytes = random.bytes(12);
  let out = '';
  for (let i = 0; i < 12; i++) out += String((bytes[i] as number) % 10);
  return out[0] === '0' ? '1' + out.slice(1) : out;
}

export const ACCOUNT_ID_RE = /^\d{12}$/;
