/**
 * Event ids: UUIDs (RFC 9562 version 7) whose first 48 bits are the event's millisecond time and
 * the rest random. CloudTrail's eventID is "a GUID"; time-ordered ones keep the store's primary
 * key index appending at its right edge instead of touching a random page per insert.
 *
 * Within one millisecond the 12 bits after the version are a counter (MillisecondCounter, RFC
 * 9562 §6.2, method 1: started at a random value below 0x800 in each new millisecond, then
 * incremented), so the ids this process makes for events of the same or later milliseconds only
 * grow: the audit journal then knows them to be new without asking the database
 * (src/store/sqlite/audit-journal.ts). Nothing else relies on it: an event time earlier than the
 * last one simply starts over, as does the counter once it reaches 0xfff (after 2,048 ids or
 * more in one millisecond).
 */
import { MillisecondCounter } from '../domain/ids.js';
import type { Random } from '../domain/random.js';

/** Seeded from the v4 UUID's 12 random bits after its version digit. */
const counter = new MillisecondCounter<string>(0xfff, (u) => parseInt(u.slice(15, 18), 16) & 0x7ff);

export function auditEventId(random: Random, at: Date): string {
  // A v4 UUID's random bits (and variant) under a 48-bit millisecond prefix. random.uuid() draws
  // from a pooled entropy cache: far cheaper per event than 16 fresh random bytes.
  const u = random.uuid();
  const ms = Math.max(0, Math.floor(at.getTime()));
  const randA = counter.next(ms, u).toString(16).padStart(3, '0');
  const t = ms.toString(16).padStart(12, '0').slice(-12);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${randA}-${u.slice(19)}`;
}
