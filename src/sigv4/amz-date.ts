/**
 * Request times: X-Amz-Date is ISO 8601 basic format, `YYYYMMDD'T'HHMMSS'Z'`; a request signed with
 * only a `Date` header carries an HTTP date (IMF-fixdate) there, and the string to sign still uses
 * the basic format (botocore auth.py `_set_necessary_date_headers`).
 */

const digits = (s: string, from: number, to: number): number => {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
};

/** Epoch ms of `20260128T054625Z`, or NaN when it is not exactly that shape or not a real instant. */
export function parseAmzDate(s: string): number {
  if (s.length !== 16 || s.charCodeAt(8) !== 84 /* T */ || s.charCodeAt(15) !== 90 /* Z */) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 4, 6);
  const d = digits(s, 6, 8);
  const h = digits(s, 9, 11);
  const mi = digits(s, 11, 13);
  const se = digits(s, 13, 15);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  // Reject 20260231 and the like: Date.UTC rolls them over.
  if (new Date(t).getUTCDate() !== d) return NaN;
  return t;
}

/** `20260128T054625Z` for an instant (sub-second part dropped). */
export function formatAmzDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-28T05:46:25.123Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
}

/**
 * Epoch ms of an HTTP `Date` header value, or NaN: IMF-fixdate (`Wed, 28 Jan 2026 05:46:25 GMT`)
 * or the RFC 2822 form botocore writes (email.utils.formatdate: `Wed, 28 Jan 2026 05:46:25 -0000`).
 * The zone must be explicit, so a local-time string Date.parse would accept is refused.
 */
export function parseHttpDate(s: string): number {
  if (!/, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|[+-]\d{4})$/.test(s)) return NaN;
  return Date.parse(s);
}
