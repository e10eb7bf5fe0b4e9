/**
 * AES-256-GCM for session tokens.
 *
 * - Key: HKDF-SHA256(ring key secret, info = "rolecall/session-token/v1/aes-256-gcm"): the ring
 *   secret is never used directly, so it could later key other things without cross-use.
 * - Nonce: 12 bytes from node:crypto's CSPRNG per token. Random nonces are safe for 2^32
 *   tokens under one key (NIST SP 800-38D 8.3); a key signs for one rotation period (24 h by
 *   default), i.e. that bound needs ~50,000 tokens per second sustained for the whole day.
 * - AAD: "rolecall session token rc1." + version byte + key id bytes, so neither the version
 *   nor the key id can be changed without failing authentication.
 *
 * INVARIANT: openBytes returns plaintext only after GCM verified the tag over AAD + ciphertext;
 * no byte of unauthenticated plaintext ever leaves this module (decipher.update output is
 * held until final() succeeds). Failure of any kind is `undefined`, never an exception.
 * INVARIANT: nonces and keys never come from the injected Random (tests make it deterministic;
 * a repeated GCM nonce under one key would reveal plaintexts and allow forgeries).
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { secureRandomBytes } from '../domain/random.js';
import { formatToken, headerFor, NONCE_BYTES, TAG_BYTES, TOKEN_PREFIX, type TokenParts } from './envelope.js';

const AAD_LABEL = Buffer.from(`rolecall session token ${TOKEN_PREFIX}`, 'ascii');
const HKDF_INFO = 'rolecall/session-token/v1/aes-256-gcm';

export const RING_SECRET_BYTES = 32;

export function deriveTokenKey(secret: Uint8Array): KeyObject {
  if (secret.length !== RING_SECRET_BYTES) throw new Error(`token key secret must be ${RING_SECRET_BYTES} bytes`);
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), HKDF_INFO, 32)));
}

function aad(header: Buffer): Buffer {
  return Buffer.concat([AAD_LABEL, header]);
}

export function sealBytes(key: KeyObject, keyId: string, plaintext: Buffer): string {
  const header = headerFor(keyId);
  const nonce = secureRandomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(header));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return formatToken(keyId, nonce, ciphertext, cipher.getAuthTag());
}

export function openBytes(key: KeyObject, parts: TokenParts): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(parts.header));
    decipher.setAuthTag(parts.tag);
    const head = decipher.update(parts.ciphertext);
    const tail = decipher.final(); // throws unless the tag verifies
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return undefined;
  }
}
