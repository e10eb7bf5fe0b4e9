/**
 * Event ids: UUIDs (RFC 9562 version 7) whose first 48 bits are the event's millisecond time and
 * the rest random. CloudTrail's eventID is "a GUID"; time-ordered ones keep the store's primary
 * key index appending at its right edge instead of touching a random page per insert.
 */
import type { Random } from '../domain/random.js';

export function auditEventId(random: Random, at: Date): string {
  const b = random.bytes(16);
  let ms = Math.max(0, Math.floor(at.getTime()));
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | ((b[6] as number) & 0x0f); // version 7
  b[8] = 0x80 | ((b[8] as number) & 0x3f); // RFC variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
