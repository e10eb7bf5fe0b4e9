/** Randomness, injected so tests can be deterministic. */
import { randomBytes, randomUUID } from 'node:crypto';

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
}

const POOL_BYTES = 4096;
const POOLED_MAX = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * CSPRNG bytes (node:crypto), drawn from a 4 KiB pool refilled with one randomBytes call: an
 * AssumeRole needs ~70 random bytes in four pieces (key id, secret, nonce, request id), and a
 * binding call per piece showed up as ~5% of its CPU.
 * INVARIANT: every byte is handed out once: it is copied out and wiped from the pool.
 */
export function secureRandomBytes(n: number): Buffer {
  if (n > POOLED_MAX) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, offset, offset + n);
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}

export const cryptoRandom: Random = {
  bytes: secureRandomBytes,
  uuid: () => randomUUID(),
};
