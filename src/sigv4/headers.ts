/**
 * Raw headers looked up by lower-cased name, and the SigV4 "Trimall" of a header value.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (canonical headers):
 * lower-case name, value with leading/trailing space removed and sequential spaces collapsed,
 * repeated headers joined with ','.
 */
import type { RawRequest } from './types.js';

/** Lower-cased names and their values, in arrival order (a dozen entries: a scan beats a Map). */
export interface HeaderIndex {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

// Both phases (parseAuth, verifySignature) need the index of the same request object; remember the
// last one instead of rebuilding it. Keyed by identity, so another request simply rebuilds.
let lastReq: RawRequest | undefined;
let lastIdx: HeaderIndex | undefined;

export function headerIndex(req: RawRequest): HeaderIndex {
  if (req === lastReq && lastIdx !== undefined) return lastIdx;
  const names: string[] = [];
  const values: string[] = [];
  for (const [name, value] of req.headers) {
    names.push(name.toLowerCase());
    values.push(value);
  }
  lastReq = req;
  lastIdx = { names, values };
  return lastIdx;
}

/** First value of a header, or undefined. */
export function firstHeader(idx: HeaderIndex, name: string): string | undefined {
  const { names, values } = idx;
  for (let i = 0; i < names.length; i++) if (names[i] === name) return values[i];
  return undefined;
}

const isWs = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Trimall: strip surrounding whitespace, collapse inner runs to one space. Space, tab, CR and LF
 * count as whitespace, the union of what smithy's getCanonicalHeaders and botocore's
 * `' '.join(value.split())` treat as such for ASCII.
 */
export function trimAll(v: string): string {
  const n = v.length;
  if (n === 0) return v;
  let clean = !isWs(v.charCodeAt(0)) && !isWs(v.charCodeAt(n - 1));
  for (let i = 1; clean && i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c === 32 && v.charCodeAt(i - 1) === 32)) clean = false;
  }
  if (clean) return v;
  const s = v.replace(/[ \t\r\n]+/g, ' ');
  const a = s.charCodeAt(0) === 32 ? 1 : 0;
  const b = s.length > a && s.charCodeAt(s.length - 1) === 32 ? s.length - 1 : s.length;
  return s.slice(a, b);
}

/**
 * Canonical value of header `name`: each value trimmed, repeated headers joined with ',' in arrival
 * order; undefined when the request does not carry the header.
 */
export function canonicalHeaderValue(idx: HeaderIndex, name: string): string | undefined {
  const { names, values } = idx;
  let out: string | undefined;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== name) continue;
    const v = trimAll(values[i] as string);
    out = out === undefined ? v : out + ',' + v;
  }
  return out;
}
