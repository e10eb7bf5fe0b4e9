/**
 * Claims <-> the bytes that get sealed: canonical JSON, raw deflate with a preset dictionary.
 *
 * Canonical JSON: object keys sorted by UTF-16 code units, absent (undefined) fields omitted, no
 * whitespace, array order kept. One claims value has exactly one encoding.
 *
 * INVARIANT: decodeClaims never throws. It is only ever given bytes that already passed AEAD
 * authentication (so they were produced by encodeClaims on some Rolecall node holding the key),
 * yet it still bounds the inflated size and checks every field's type: a claims value reaching
 * the caller always satisfies SessionClaims, with no field other than the known ones
 * (unknown fields fail closed: an older node never ignores a restriction a newer node added).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SessionClaims, SessionKind } from './claims.js';
import { CLAIMS_DICTIONARY } from './compression-dictionary.js';

/** Largest canonical claims JSON we seal or inflate (a bound on decompression work). */
export const MAX_CLAIMS_JSON_BYTES = 64 * 1024;

const KINDS: ReadonlySet<string> = new Set<SessionKind>(['assumed-role', 'federated-user', 'user-session', 'root-session']);
const ACCOUNT_ID = /^\d{12}$/;
const SESSION_KEY_ID = /^ASIA[A-Z2-7]{16}$/;
const SECRET = /^[A-Za-z0-9+/]{40}$/;

type FieldCheck = (v: unknown) => boolean;
const isString: FieldCheck = (v) => typeof v === 'string';
const isTime: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringArray: FieldCheck = (v) => Array.isArray(v) && v.every(isString);
const isTags: FieldCheck = (v) =>
  Array.isArray(v) &&
  v.every((t) => t !== null && typeof t === 'object' && !Array.isArray(t) && Object.keys(t).length === 2 && isString(t.Key) && isString(t.Value));

/** Every claim field, its check, and whether it must be present. */
const FIELDS: Readonly<Record<keyof SessionClaims, readonly [FieldCheck, boolean]>> = {
  v: [(v) => v === 1, true],
  kind: [(v) => typeof v === 'string' && KINDS.has(v), true],
  accountId: [(v) => typeof v === 'string' && ACCOUNT_ID.test(v), true],
  accessKeyId: [(v) => typeof v === 'string' && SESSION_KEY_ID.test(v), true],
  secretAccessKey: [(v) => typeof v === 'string' && SECRET.test(v), true],
  issuedAt: [isTime, true],
  expiresAt: [isTime, true],
  roleArn: [isString, false],
  roleId: [isString, false],
  roleName: [isString, false],
  sessionName: [isString, false],
  userName: [isString, false],
  userId: [isString, false],
  userArn: [isString, false],
  federatedName: [isString, false],
  mfaAuthenticatedAt: [isTime, false],
  sourceIdentity: [isString, false],
  tags: [isTags, true],
  transitiveTagKeys: [isStringArray, true],
  sessionPolicies: [isStringArray, true],
  chainDepth: [(v) => Number.isSafeInteger(v) && (v as number) >= 0, true],
  originalCaller: [isString, true],
  federatedProvider: [isString, false],
  invokedBy: [isString, false],
};
const FIELD_NAMES: ReadonlySet<string> = new Set(Object.keys(FIELDS));

/** Returns the claims if `value` is a well-formed SessionClaims (and nothing more), else undefined. */
export function checkClaims(value: unknown): SessionClaims | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const rec = value as Record<string, unknown>;
  for (const k of Object.keys(rec)) if (!FIELD_NAMES.has(k) && rec[k] !== undefined) return undefined;
  for (const [name, [check, required]] of Object.entries(FIELDS)) {
    const v = rec[name];
    if (v === undefined ? required : !check(v)) return undefined;
  }
  const c = value as SessionClaims;
  if (c.expiresAt <= c.issuedAt) return undefined;
  return c;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonical JSON: numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  if (typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    const keys = Object.keys(rec)
      .filter((k) => rec[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(rec[k])).join(',') + '}';
  }
  throw new Error(`canonical JSON: cannot encode a ${typeof value}`);
}

/** Claims -> compressed canonical JSON. Throws on claims that are malformed or too large. */
export function encodeClaims(claims: SessionClaims): Buffer {
  if (!checkClaims(claims)) throw new Error('session claims are malformed');
  const json = Buffer.from(canonicalJson(claims), 'utf8');
  if (json.length > MAX_CLAIMS_JSON_BYTES) throw new Error(`session claims are too large (${json.length} bytes of JSON, limit ${MAX_CLAIMS_JSON_BYTES})`);
  return deflateRawSync(json, { level: 9, dictionary: CLAIMS_DICTIONARY });
}

/** Compressed canonical JSON -> claims, or undefined for anything else. Never throws. */
export function decodeClaims(compressed: Uint8Array): SessionClaims | undefined {
  let json: string;
  try {
    json = inflateRawSync(compressed, { dictionary: CLAIMS_DICTIONARY, maxOutputLength: MAX_CLAIMS_JSON_BYTES }).toString('utf8');
  } catch {
    return undefined; // corrupt stream or over the size bound
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  return checkClaims(parsed);
}
