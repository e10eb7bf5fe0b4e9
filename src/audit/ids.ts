/**
 * Event ids: UUIDs (RFC 9562 version 7) whose first 48 bits are the event's millisecond time and
 * the rest random. CloudTrail's eventID is "a GUID"; time-ordered ones keep the store's primary
 * key index appending at its right edge instead of touching a random page per insert.
 */
import type { Random } from '../domain/random.js';

export function auditEventId(random: Random, at: Date): string {
  // A v4 UUID's random bits (and variant) under a 48-bit millisecond prefix. random.uuid() draws
  // from a pooled entropy cache: far cheaper per event than 16 fresh random bytes.
  const u = random.uuid();
  const t = Math.max(0, Math.floor(at.getTime())).toString(16).padStart(12, '0').slice(-12);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${u.slice(15, 18)}-${u.slice(19)}`;
}
