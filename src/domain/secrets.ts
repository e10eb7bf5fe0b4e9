/** Constant-time comparison for secrets (access keys, tokens): never `===` on a secret. */
import { createHash, timingSafeEqual } from 'node:crypto';

export function secretsEqual(a: string, b: string): boolean {
  // Hash first so lengths never leak through an early return.
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
