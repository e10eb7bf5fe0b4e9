/**
 * The raw query string as name/value pairs, and its SigV4 canonical form: every name and value
 * decoded then RFC 3986-encoded, pairs sorted by encoded name then encoded value (botocore
 * `_canonical_query_string_params` sorts the encoded (key, value) tuples; smithy getCanonicalQuery
 * sorts keys, then values of a repeated key), joined with `&`; X-Amz-Signature left out.
 * A parameter without `=` has the empty value (`a` → `a=`).
 */
import { decodeComponent, normalizeComponent } from './uri-encode.js';
import type { RawRequest } from './types.js';

export type QueryPairs = ReadonlyArray<readonly [name: string, value: string]>;

const NONE: QueryPairs = [];
// Remember the last request's pairs for the second phase (keyed by identity, like headers.ts).
let lastReq: RawRequest | undefined;
let lastPairs: QueryPairs = NONE;

/** Raw (still encoded) pairs in order of appearance; empty segments (`a=1&&b=2`) are skipped. */
export function queryPairs(req: RawRequest): QueryPairs {
  const q = req.query;
  if (q.length === 0) return NONE;
  if (req === lastReq) return lastPairs;
  const out: [string, string][] = [];
  let start = 0;
  while (start <= q.length) {
    let end = q.indexOf('&', start);
    if (end < 0) end = q.length;
    if (end > start) {
      const eq = q.indexOf('=', start);
      if (eq >= 0 && eq < end) out.push([q.slice(start, eq), q.slice(eq + 1, end)]);
      else out.push([q.slice(start, end), '']);
    }
    start = end + 1;
  }
  lastReq = req;
  lastPairs = out;
  return out;
}

/**
 * Decoded value of the first parameter whose decoded name is `name` (rule 7c: first wins), exactly
 * or, with `anyCase`, ignoring ASCII case (smithy hoists `x-amz-content-sha256` with the header's
 * own spelling).
 */
export function queryParam(pairs: QueryPairs, name: string, anyCase = false): string | undefined {
  const want = anyCase ? name.toLowerCase() : name;
  for (const [n, v] of pairs) {
    let got = n.indexOf('%') >= 0 ? decodeComponent(n) : n;
    if (anyCase) got = got.toLowerCase();
    if (got === want) return decodeComponent(v);
  }
  return undefined;
}

const isSignatureParam = (encodedName: string): boolean =>
  encodedName.length === 15 && encodedName.toLowerCase() === 'x-amz-signature';

export function canonicalQuery(pairs: QueryPairs): string {
  if (pairs.length === 0) return '';
  const enc: [string, string][] = [];
  for (const [n, v] of pairs) {
    const en = normalizeComponent(n);
    if (isSignatureParam(en)) continue;
    enc.push([en, normalizeComponent(v)]);
  }
  if (enc.length > 1) {
    enc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  }
  let out = '';
  for (let i = 0; i < enc.length; i++) {
    const p = enc[i] as [string, string];
    out += (i === 0 ? '' : '&') + p[0] + '=' + p[1];
  }
  return out;
}
