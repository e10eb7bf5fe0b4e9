/**
 * The session token's outer layout (no cryptography here): text <-> header fields and sealed
 * bytes. See docs/session-tokens.md.
 *
 *   token = "rc1." + base64url(no padding) of:
 *     version (1 byte, 0x02) | key id (4 bytes) | nonce (12 bytes) | ciphertext (>= 1 byte) | tag (16 bytes)
 *
 * INVARIANT: parseToken never throws and accepts exactly the strings formatToken can produce:
 * one prefix, the base64url alphabet only, canonical encoding (no stray low bits in the last
 * character, so no two strings parse to the same bytes), the known version, and a length within
 * [MIN_TOKEN_CHARS, MAX_TOKEN_CHARS]. Anything else is `undefined` (the caller says 'invalid').
 * INVARIANT: the length is checked before any decoding, so a huge input costs O(1).
 */

export const TOKEN_PREFIX = 'rc1.';
export const FORMAT_VERSION = 0x02;
export const KEY_ID_BYTES = 4;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 1 + KEY_ID_BYTES; // version + key id: also the AAD's variable part
const MIN_BODY_BYTES = HEADER_BYTES + NONCE_BYTES + 1 + TAG_BYTES;

/**
 * Longest token we issue or accept. Tokens travel in an HTTP header (X-Amz-Security-Token) and
 * Node's default limit for all headers together is 16 KiB; packed-size limits keep real tokens
 * far below this (about 1 KB for a typical session, see docs/session-tokens.md).
 */
export const MAX_TOKEN_CHARS = 8192;
export const MIN_TOKEN_CHARS = TOKEN_PREFIX.length + Math.ceil((MIN_BODY_BYTES * 4) / 3);

const B64URL = /^[A-Za-z0-9_-]+$/;
const KEY_ID_RE = /^[0-9a-f]{8}$/;

export interface TokenParts {
  /** The key id as 8 lower-case hex characters. */
  keyId: string;
  /** version byte + key id bytes: bound into the AEAD as additional data. */
  header: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function isKeyId(id: unknown): id is string {
  return typeof id === 'string' && KEY_ID_RE.test(id);
}

export function formatToken(keyId: string, nonce: Buffer, ciphertext: Buffer, tag: Buffer): string {
  if (!isKeyId(keyId)) throw new Error('token key id must be 8 lower-case hex characters');
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES || ciphertext.length < 1) throw new Error('token parts have the wrong length');
  return TOKEN_PREFIX + Buffer.concat([headerFor(keyId), nonce, ciphertext, tag]).toString('base64url');
}

export function headerFor(keyId: string): Buffer {
  return Buffer.concat([Buffer.of(FORMAT_VERSION), Buffer.from(keyId, 'hex')]);
}

export function parseToken(token: unknown): TokenParts | undefined {
  if (typeof token !== 'string') return undefined;
  if (token.length < MIN_TOKEN_CHARS || token.length > MAX_TOKEN_CHARS) return undefined;
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const body = token.slice(TOKEN_PREFIX.length);
  if (!B64URL.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  // Canonical encoding only: Node ignores leftover bits (and a lone trailing character), so
  // different strings could decode to the same bytes; re-encoding must give the input back.
  if (bytes.toString('base64url') !== body) return undefined;
  if (bytes.length < MIN_BODY_BYTES) return undefined;
  if (bytes[0] !== FORMAT_VERSION) return undefined;
  return {
    keyId: bytes.subarray(1, HEADER_BYTES).toString('hex'),
    header: bytes.subarray(0, HEADER_BYTES),
    nonce: bytes.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES),
    ciphertext: bytes.subarray(HEADER_BYTES + NONCE_BYTES, bytes.length - TAG_BYTES),
    tag: bytes.subarray(bytes.length - TAG_BYTES),
  };
}
