/**
 * Sealing for encoded authorization messages (what sts:DecodeAuthorizationMessage opens): small
 * JSON documents that describe a denial and may hold privileged details (policy statements,
 * condition values), so the caller who got the denial receives only ciphertext.
 *
 * - Key: one 32-byte secret per installation, kept in the store's settings (sealed at rest by the
 *   store) under `sts:authorization-message-key`, created once with compare-and-set, so every
 *   node that shares the store seals and opens with the same key. The secret is never used
 *   directly: AES-256-GCM runs under HKDF-SHA256(secret, info = "rolecall/authorization-message/v1").
 *   The key does not rotate: a message stays decodable as long as the installation lives (AWS
 *   documents that a message may expire, not when).
 * - Format: base64url (no padding) of  version (1 byte, 0x01) | nonce (12) | ciphertext | tag (16);
 *   the plaintext is the raw-DEFLATE of the UTF-8 text, so typical messages stay well under the
 *   10,240 characters DecodeAuthorizationMessage accepts.
 * - AAD: a label + the version byte + a caller-chosen scope (the account whose principals may open
 *   it), so a message sealed for one account does not open for another.
 *
 * INVARIANT: open() never throws for any input and returns text only after GCM verified the tag.
 * INVARIANT: nonces and keys come from node:crypto, never from an injected Random.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SettingsRepo } from '../store/ports.js';

export const AUTHORIZATION_MESSAGE_KEY_SETTING = 'sts:authorization-message-key';

const VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SECRET_BYTES = 32;
const HKDF_INFO = 'rolecall/authorization-message/v1';
const AAD_LABEL = 'rolecall authorization message';
/** Bound on inflated plaintext: far above any message we seal, small enough to be harmless. */
const MAX_PLAINTEXT_BYTES = 256 * 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;

function aad(scope: string): Buffer {
  return Buffer.concat([Buffer.from(AAD_LABEL, 'ascii'), Buffer.of(VERSION), Buffer.from(scope, 'utf8')]);
}

function parseSecret(raw: string): Buffer | undefined {
  try {
    const v = JSON.parse(raw) as { v?: unknown; secret?: unknown };
    if (v.v !== 1 || typeof v.secret !== 'string') return undefined;
    const secret = Buffer.from(v.secret, 'base64');
    return secret.length === SECRET_BYTES ? secret : undefined;
  } catch {
    return undefined;
  }
}

export class MessageSealer {
  #key: Promise<KeyObject> | undefined;

  constructor(private readonly settings: SettingsRepo) {}

  /** The installation's key: read, or created by the first node that needs it. */
  #loadKey(): Promise<KeyObject> {
    this.#key ??= (async () => {
      let raw = await this.settings.get(AUTHORIZATION_MESSAGE_KEY_SETTING);
      if (raw === undefined) {
        const fresh = JSON.stringify({ v: 1, secret: randomBytes(SECRET_BYTES).toString('base64') });
        // Of two nodes creating the key at once one write wins; the loser reads the winner's.
        if (await this.settings.compareAndSet(AUTHORIZATION_MESSAGE_KEY_SETTING, undefined, fresh)) raw = fresh;
        else raw = await this.settings.get(AUTHORIZATION_MESSAGE_KEY_SETTING);
      }
      const secret = raw === undefined ? undefined : parseSecret(raw);
      if (!secret) throw new Error(`setting ${AUTHORIZATION_MESSAGE_KEY_SETTING} is corrupt`);
      return createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), HKDF_INFO, 32)));
    })();
    // A failed read (store down) must not poison the cache.
    this.#key.catch(() => (this.#key = undefined));
    return this.#key;
  }

  /** Seals `text` so that only open(…, same scope) returns it. */
  async seal(text: string, scope: string): Promise<string> {
    const key = await this.#loadKey();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(scope));
    const ciphertext = Buffer.concat([cipher.update(deflateRawSync(Buffer.from(text, 'utf8'), { level: 9 })), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), nonce, ciphertext, cipher.getAuthTag()]).toString('base64url');
  }

  /** The sealed text, or undefined for anything that is not a message sealed here for `scope`. */
  async open(encoded: string, scope: string): Promise<string | undefined> {
    if (typeof encoded !== 'string' || !B64URL.test(encoded)) return undefined;
    const bytes = Buffer.from(encoded, 'base64url');
    if (bytes.toString('base64url') !== encoded) return undefined; // canonical encoding only
    if (bytes.length < 1 + NONCE_BYTES + 1 + TAG_BYTES || bytes[0] !== VERSION) return undefined;
    const key = await this.#loadKey();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(scope));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const head = decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES));
      const tail = decipher.final(); // throws unless the tag verifies
      const compressed = tail.length === 0 ? head : Buffer.concat([head, tail]);
      return inflateRawSync(compressed, { maxOutputLength: MAX_PLAINTEXT_BYTES }).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

const sealers = new WeakMap<SettingsRepo, MessageSealer>();

/** One sealer per settings repository (the key is read once per process). */
export function messageSealer(settings: SettingsRepo): MessageSealer {
  let s = sealers.get(settings);
  if (!s) {
    s = new MessageSealer(settings);
    sealers.set(settings, s);
  }
  return s;
}
