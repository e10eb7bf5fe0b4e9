/**
 * Secrets at rest: AES-256-GCM under keys derived from a 32-byte master key.
 *
 * Sealed format (ASCII, dot-separated, every field base64url without padding):
 *
 *   v1.<kid>.<iv>.<tag>.<ciphertext>
 *
 * - `v1`   format version; a later format gets a new prefix and `open` dispatches on it.
 * - `kid`  key id: a 9-byte HKDF fingerprint of the master key (reveals nothing about the key).
 *          A Sealer holds one primary key and any number of previous keys, so rotating the
 *          master key means: open with the old kid, re-seal under the new one.
 * - `iv`   12 random bytes (never reused: 2^-96 collision chance per pair under one key).
 * - `tag`  the 16-byte GCM tag.
 * - AAD    `rolecall.v1.<kid>.<context>`: the caller's context (e.g. `access-key:AKIA...`)
 *          binds a sealed value to the row it belongs to, so a ciphertext copied into another
 *          row does not open.
 *
 * INVARIANT: `open` either returns exactly what was sealed or throws SealError; a tampered,
 * truncated, re-keyed or moved value never yields bytes.
 * INVARIANT: key bytes never appear in messages, `inspect` output or JSON.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MASTER_KEY_ENV = 'ROLECALL_MASTER_KEY';
export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Why a sealed value could not be opened. Messages never contain key or plaintext material. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export type MasterKeySource = 'env' | 'file' | 'created' | 'given';

/** A 32-byte master key. Its bytes stay private: printing or serializing it shows only its id. */
export class MasterKey {
  readonly #bytes: Buffer;
  /** Non-secret fingerprint, the `kid` of sealed values. */
  readonly id: string;

  constructor(bytes: Uint8Array, readonly source: MasterKeySource = 'given') {
    if (bytes.length !== KEY_BYTES) throw new Error(`master key must be ${KEY_BYTES} bytes, got ${bytes.length}`);
    this.#bytes = Buffer.from(bytes); // own copy: the caller may wipe theirs
    this.id = this.derive('rolecall/key-id', 9).toString('base64url');
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES), 'given');
  }

  /** Parses base64 (or base64url) text of exactly 32 bytes. */
  static fromBase64(text: string, source: MasterKeySource = 'given'): MasterKey {
    const trimmed = text.trim();
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new Error('master key is not base64 text');
    return new MasterKey(Buffer.from(trimmed, 'base64'), source);
  }

  /**
   * A subkey for one purpose (HKDF-SHA256, info = purpose). Other modules (e.g. tokens/) derive
   * their own keys this way instead of using the master key directly (domain separation).
   */
  derive(purpose: string, length = KEY_BYTES): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#bytes, Buffer.alloc(0), purpose, length));
  }

  /** The base64 text, for writing the key file or an env var. Handle with care. */
  exportBase64(): string {
    return this.#bytes.toString('base64');
  }

  toString(): string {
    return `MasterKey(${this.id})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * The master key: `ROLECALL_MASTER_KEY` (base64 of 32 bytes) wins; else `<dataDir>/master.key`
 * (base64 text); else a new random key is written there with mode 0600 (exclusive create, so two
 * processes starting at once agree on one key).
 */
export async function loadOrCreateMasterKey(dataDir: string, env: Record<string, string | undefined> = process.env): Promise<MasterKey> {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    try {
      return MasterKey.fromBase64(fromEnv, 'env');
    } catch (e) {
      throw new Error(`${MASTER_KEY_ENV} must be the base64 text of ${KEY_BYTES} random bytes (${(e as Error).message})`);
    }
  }
  const file = join(dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = new MasterKey(randomBytes(KEY_BYTES), 'created');
  try {
    await writeFile(file, key.exportBase64() + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600); // the umask may have narrowed nothing, but be explicit
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const raced = await readKeyFile(file); // another process created it first: use theirs
    if (!raced) throw new Error(`${file} disappeared while being created`);
    return raced;
  }
}

async function readKeyFile(file: string): Promise<MasterKey | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    // Accept raw 32 bytes too (e.g. `head -c 32 /dev/urandom > master.key`).
    // (Base64 text of 32 bytes is 44+ characters, so a 32-byte file can only be raw.)
    if (raw.length === KEY_BYTES) return new MasterKey(raw, 'file');
    return MasterKey.fromBase64(raw.toString('utf8'), 'file');
  } catch (e) {
    throw new Error(`${file} does not hold a valid master key (${(e as Error).message})`);
  }
}

interface KeySlot {
  id: string;
  enc: Buffer;
}

/** Seals and opens values. The first key seals; every key given can open. */
export class Sealer {
  readonly #primary: KeySlot;
  readonly #byId = new Map<string, KeySlot>();

  constructor(primary: MasterKey, previous: readonly MasterKey[] = []) {
    this.#primary = slot(primary);
    for (const k of [primary, ...previous]) if (!this.#byId.has(k.id)) this.#byId.set(k.id, slot(k));
  }

  get primaryKeyId(): string {
    return this.#primary.id;
  }

  seal(plaintext: Uint8Array | string, context: string): string {
    const k = this.#primary;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', k.enc, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(k.id, context));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ct = Buffer.concat([cipher.update(data), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT, k.id, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): Buffer {
    const parts = sealed.split('.');
    if (parts.length !== 5) throw new SealError('sealed value is malformed');
    const [format, kid, ivText, tagText, ctText] = parts as [string, string, string, string, string];
    if (format !== FORMAT) throw new SealError(`sealed value has unknown format ${JSON.stringify(format.slice(0, 8))}`);
    const k = this.#byId.get(kid);
    if (!k) throw new SealError(`sealed value is under unknown key id ${JSON.stringify(kid.slice(0, 16))}`);
    const iv = decode(ivText, IV_BYTES);
    const tag = decode(tagText, TAG_BYTES);
    const ct = decode(ctText);
    try {
      const decipher = createDecipheriv('aes-256-gcm', k.enc, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(k.id, context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      throw new SealError('sealed value failed authentication (tampered, wrong key or wrong context)');
    }
  }

  openString(sealed: string, context: string): string {
    return this.open(sealed, context).toString('utf8');
  }

  /** True when the value was sealed under a previous key (re-seal it during rotation). */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.#primary.id;
  }
}

function slot(k: MasterKey): KeySlot {
  return { id: k.id, enc: k.derive('rolecall/store/seal/v1') };
}

function aad(kid: string, context: string): Buffer {
  return Buffer.from(`rolecall.${FORMAT}.${kid}.${context}`, 'utf8');
}

function decode(text: string, expectedLength?: number): Buffer {
  if (!B64URL.test(text)) throw new SealError('sealed value is malformed');
  const b = Buffer.from(text, 'base64url');
  // Reject non-canonical text (trailing bits) and wrong sizes rather than guessing.
  if (b.toString('base64url') !== text) throw new SealError('sealed value is malformed');
  if (expectedLength !== undefined && b.length !== expectedLength) throw new SealError('sealed value is malformed');
  return b;
}
