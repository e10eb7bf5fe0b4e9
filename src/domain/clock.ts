/** Time, injected so expiry, chaining and TOTP are testable without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can move. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 1)) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(d: Date): void {
    this.t = d.getTime();
  }
}

/**
 * ISO 8601 at second precision with `Z` ("2026-12-02T03:04:05Z"): how AWS writes most times.
 * A request formats the same few seconds several times (now, the session's issue time, its
 * expiry, the audit event's time), so the text of the last few seconds asked for is kept: four
 * slots, by second.
 */
export function isoSeconds(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime();
  const sec = Math.floor(ms / 1000);
  const slot = sec & 3;
  if (SECONDS[slot] === sec) return TEXTS[slot] as string;
  const s = new Date(ms).toISOString();
  // "YYYY-MM-DDTHH:MM:SS.sssZ" (years 0..9999); expanded years (±YYYYYY) keep the general form.
  const text = s.length === 24 ? s.slice(0, 19) + 'Z' : s.replace(/\.\d{3}Z$/, 'Z');
  SECONDS[slot] = sec;
  TEXTS[slot] = text;
  return text;
}

const SECONDS: number[] = [NaN, NaN, NaN, NaN];
const TEXTS: string[] = ['', '', '', ''];
