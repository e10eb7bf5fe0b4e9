/**
 * SHA-256 one-shots. `crypto.hash` (Node >= 20.12) skips the Hash object and is several times
 * faster on the short inputs SigV4 hashes; older Node 20 releases fall back to createHash.
 */
import * as crypto from 'node:crypto';

type OneShot = (data: string, encoding: 'hex' | 'binary') => string;

const oneShot: OneShot =
  typeof crypto.hash === 'function'
    ? (data, encoding) => crypto.hash('sha256', data, encoding)
    : (data, encoding) => crypto.createHash('sha256').update(data, 'utf8').digest(encoding);

/** Lower-case hex SHA-256 of the UTF-8 bytes of `data`. */
export const sha256Hex = (data: string): string => oneShot(data, 'hex');

/** SHA-256 of the UTF-8 bytes of `data` as a 32-char latin1 string (a compact map key). */
export const sha256Latin1 = (data: string): string => oneShot(data, 'binary');
