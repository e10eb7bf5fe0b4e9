/**
 * Claims <-> the bytes that get sealed: one codec byte, then canonical JSON, as is (0x00) or
 * raw-deflated with a preset dictionary (0x01) when it is longer than COMPRESS_OVER_BYTES.
 * Compression costs ~50 µs per token (most of it zlib's per-stream setup), a fifth of an
 * AssumeRole's CPU; it only pays for itself on large session policies, where token length
 * matters (X-Amz-Security-Token travels in a header).
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
/** Claims JSON longer than this is deflated: a bare AssumeRole session is ~470 bytes (a ~680-character token, sealed without zlib); tags or session policies push it over. */
export const COMPRESS_OVER_BYTES = 512;
export const CODEC_JSON = 0x00;
export const CODEC_DEFLATE = 0x01;

const KINDS: ReadonlySet<string> = new Set<SessionKind>(['assumed-role', 'federated-user', 'user-session', 'root-session']);
const ACCOUNT_ID = /^\d{12}$/;
const SESSION_KEY_ID = /^ASIA[A-Z2-7]{16}$/;
const SECRET = /^[A-Za-z0-9+/]{40}$/;

type FieldCheck = (v: unknown) => boolean;
const isString: FieldCheck = (v) => typeof v === 'string';
const isTime: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringArray: FieldCheck = (v) => Array.isArray(v) && v.every(isString);
const isKeyMap: FieldCheck = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v as Record<string, unknown>).every((x) => isString(x) || isStringArray(x));
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
  federatedKeys: [isKeyMap, false],
  invokedBy: [isString, false],
};
const FIELD_NAMES: ReadonlySet<string> = new Set(Object.keys(FIELDS));
const FIELD_ENTRIES = Object.entries(FIELDS) as ReadonlyArray<[string, readonly [FieldCheck, boolean]]>;

/** Returns the claims if `value` is a well-formed SessionClaims (and nothing more), else undefined. */
export function checkClaims(value: unknown): SessionClaims | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const rec = value as Record<string, unknown>;
  for (const k in rec) if (!FIELD_NAMES.has(k) && rec[k] !== undefined && Object.hasOwn(rec, k)) return undefined;
  for (const [name, [check, required]] of FIELD_ENTRIES) {
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

const SORTED_FIELDS: readonly string[] = Object.keys(FIELDS).sort();

/**
 * canonicalJson for values that passed checkClaims, without the generic walk (4x faster): the
 * fields in sorted order, and tags (exactly Key and Value, already in sorted order) written
 * directly. The one other object, federatedKeys, takes the generic walk (its keys sorted).
 */
function claimsJson(claims: SessionClaims): string {
  const rec = claims as unknown as Record<string, unknown>;
  let out = '';
  for (const k of SORTED_FIELDS) {
    const v = rec[k];
    if (v === undefined) continue;
    let enc: string;
    if (k === 'tags') enc = '[' + (v as Array<{ Key: string; Value: string }>).map((t) => `{"Key":${JSON.stringify(t.Key)},"Value":${JSON.stringify(t.Value)}}`).join(',') + ']';
    else if (k === 'federatedKeys') enc = canonicalJson(v);
    else enc = JSON.stringify(v);
    out += (out ? ',"' : '{"') + k + '":' + enc;
  }
  return out + '}';
}

/** Claims -> codec byte + canonical JSON (deflated when large). Throws on claims that are malformed or too large. */
export function encodeClaims(claims: SessionClaims): Buffer {
  if (!checkClaims(claims)) throw new Error('session claims are malformed');
  const text = claimsJson(claims);
  const json = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  json.write(text, 1, 'utf8');
  if (json.length - 1 > MAX_CLAIMS_JSON_BYTES) throw new Error(`session claims are too large (${json.length - 1} bytes of JSON, limit ${MAX_CLAIMS_JSON_BYTES})`);
  if (json.length - 1 <= COMPRESS_OVER_BYTES) {
    json[0] = CODEC_JSON;
    return json;
  }
  const packed = deflateRawSync(json.subarray(1), { level: 9, dictionary: CLAIMS_DICTIONARY });
  return Buffer.concat([Buffer.of(CODEC_DEFLATE), packed]);
}

/** Codec byte + canonical JSON (maybe deflated) -> claims, or undefined for anything else. Never throws. */
export function decodeClaims(bytes: Uint8Array): SessionClaims | undefined {
  let json: string;
  const body = bytes.subarray(1);
  if (bytes[0] === CODEC_JSON) {
    if (body.length > MAX_CLAIMS_JSON_BYTES) return undefined;
    json = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  } else if (bytes[0] === CODEC_DEFLATE) {
    try {
      json = inflateRawSync(body, { dictionary: CLAIMS_DICTIONARY, maxOutputLength: MAX_CLAIMS_JSON_BYTES }).toString('utf8');
    } catch {
      return undefined; // corrupt stream or over the size bound
    }
  } else {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  return checkClaims(parsed);
}
