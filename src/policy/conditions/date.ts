/**
 * Date operators: W3C ISO 8601 dates and times, or epoch (UNIX) seconds. No wildcards, no variables.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
 */
import type { FamilyCompiler } from './types.js';

// W3C profile of ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, and date-times with minutes, seconds and
// fractions, with Z or an offset (a date-time without a zone is read as UTC).
const W3C_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const EPOCH_RE = /^-?\d+(\.\d+)?$/;

/** Milliseconds since the epoch, or undefined when the text is no date. */
export function toEpochMs(s: string): number | undefined {
  const t = s.trim();
  if (EPOCH_RE.test(t) && !/^\d{4}$/.test(t)) return Math.round(Number(t) * 1000);
  const m = W3C_RE.exec(t);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', se = '00', frac = '', zone = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${se}${frac}${zone}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  // Reject calendar overflow such as 2020-02-31 (Date.parse rolls it over).
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  return ms;
}

const CMP: Record<string, (a: number, b: number) => boolean> = {
  DateEquals: (a, b) => a === b,
  DateLessThan: (a, b) => a < b,
  DateLessThanEquals: (a, b) => a <= b,
  DateGreaterThan: (a, b) => a > b,
  DateGreaterThanEquals: (a, b) => a >= b,
};

export const compileDate: FamilyCompiler = (base, values) => {
  const cmp = CMP[base];
  if (!cmp) return { error: `unknown date operator ${base}` };
  const dates: number[] = [];
  for (const v of values) {
    const n = toEpochMs(v);
    if (n === undefined) return { error: v };
    dates.push(n);
  }
  return (s) => {
    const x = toEpochMs(s);
    if (x === undefined) return false;
    for (const n of dates) if (cmp(x, n)) return true;
    return false;
  };
};
