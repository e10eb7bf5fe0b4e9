/** Randomness, injected so tests can be deterministic. */
import { randomBytes, randomUUID } from 'node:crypto';

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
}

export const cryptoRandom: Random = {
  bytes: (n) => randomBytes(n),
  uuid: () => randomUUID(),
};
