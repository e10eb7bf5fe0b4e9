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

/** `n` upper-case base32 characters ([A-Z2-7]), the alphabet of AWS's ids. */
export function newBase32(random: Random, n: number): string {
  return fromAlphabet(random, BASE32, n);
}

export function newId(random: Random, prefix: IdPrefix): string {
  return prefix + fromAlphabet(random, BASE32, 16);
}

/**
 * A counter per millisecond, the scheme of RFC 9562 §6.2, method 1: in each new millisecond it
 * starts at a seed drawn from `source` (a random value well below `max`), then counts up, so the
 * ids made from it in one process only grow; past `max` it starts from a new seed. The time-ordered
 * ids below and the audit event ids (src/audit/ids.ts) are made with it.
 */
export class MillisecondCounter<S> {
  #lastMs = -1;
  #value = 0;
  constructor(
    private readonly max: number,
    private readonly seed: (source: S) => number,
  ) {}

  next(ms: number, source: S): number {
    if (ms !== this.#lastMs || this.#value >= this.max) {
      this.#lastMs = ms;
      this.#value = this.seed(source);
    } else {
      this.#value++;
    }
    return this.#value;
  }
}

/**
 * Ids whose 16 characters sort by the time they were made: 9 base32 characters (45 bits, with the
 * digits in code order: '2' is 0, 'Z' is 31, so text order is numeric order) of Unix
 * milliseconds, then 7 (35 bits) of a MillisecondCounter seeded below 2^34. For temporary access
 * keys (ASIA...): every AssumeRole event lists the key it issued as a resource, and a unique
 * value at a random place in the audit trail's lookup index dirtied a page of its own per event,
 * a third of what indexing an AssumeRole event cost; keys made in time order append at the
 * index's edge instead (docs/audit.md). The id is not a secret (the secret access key is), and
 * the time it holds is the one the credentials' Expiration already tells. Two processes making
 * ids in the same millisecond meet only if their random seeds (34 bits) come within the number
 * of ids they make in it. 45 bits of milliseconds last until the year 3084.
 */
export class TimeOrderedIds {
  readonly #counter = new MillisecondCounter<Random>(COUNTER_MAX, (random) => {
    const b = random.bytes(5);
    // 34 random bits: the low 2 of byte 0, then 32.
    return ((b[0] as number) & 0x03) * 2 ** 32 + b.readUInt32BE(1);
  });
  constructor(private readonly random: Random) {}

  next(prefix: IdPrefix, nowMs: number): string {
    const ms = Math.max(0, Math.floor(nowMs));
    return prefix + base32Digits(ms, 9) + base32Digits(this.#counter.next(ms, this.random), 7);
  }
}

const COUNTER_MAX = 2 ** 35 - 1;
/** The base32 characters in their code order, so that the ids' text order is their numeric order. */
const SORTED_BASE32 = '234567ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `n` (a non-negative safe integer) as `digits` base32 characters, most significant first. */
function base32Digits(n: number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) {
    out = (SORTED_BASE32[n % 32] as string) + out;
    n = Math.floor(n / 32);
  }
  return out;
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
