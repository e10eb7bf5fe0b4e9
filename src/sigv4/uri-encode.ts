/**
 * RFC 3986 encoding as SigV4 wants it: every byte except the unreserved set `A-Z a-z 0-9 - _ . ~`
 * becomes `%XX` with upper-case hex. https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * Both helpers work on the RAW (already percent-encoded) wire text and never throw:
 * - `normalizeComponent` is "decode, then encode" done byte-wise: a valid `%XX` becomes the byte it
 *   names (kept literal if unreserved, else re-emitted upper-case), any other character is encoded.
 *   A `%` not followed by two hex digits is a literal `%` (→ `%25`). `+` is a space (→ `%20`), as in
 *   form encoding: botocore sends `AWSRequest(params=...)` through urlencode (quote_plus), so a space
 *   arrives as `+` while its canonical query says `%20`; a real plus always arrives as `%2B` (smithy
 *   escapeUri, botocore quote and percent_encode_sequence).
 * - `encodeRaw` encodes the raw text once more (including `%` → `%25`): the canonical URI of non-S3
 *   services is the path as sent, encoded again ("double encoding"; smithy SignatureV4Base
 *   getCanonicalPath: escapeUri(path) with `%2F` put back to `/`; botocore auth.py
 *   `quote(normalize_url_path(path), safe='/~')`).
 */

const HEX = '0123456789ABCDEF';

/** UNRESERVED[c] for c < 128. */
const UNRESERVED: readonly boolean[] = (() => {
  const t: boolean[] = new Array<boolean>(128).fill(false);
  for (let c = 0; c < 128; c++) {
    t[c] =
      (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e;
  }
  return t;
})();

const isUnreserved = (c: number): boolean => c < 128 && UNRESERVED[c] === true;

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const pct = (b: number): string => '%' + HEX[b >> 4] + HEX[b & 15];

/** Percent-encode the UTF-8 bytes of `s` (non-ASCII text). Lone surrogates become U+FFFD. */
function encodeUtf8(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += isUnreserved(b) ? String.fromCharCode(b) : pct(b);
  return out;
}

/** Index of the first char from `from` that is not unreserved, or -1. */
function firstReserved(s: string, from: number): number {
  for (let i = from; i < s.length; i++) if (!isUnreserved(s.charCodeAt(i))) return i;
  return -1;
}

/** Canonical form of one raw query name or value (see the file comment). */
export function normalizeComponent(raw: string): string {
  let i = firstReserved(raw, 0);
  if (i < 0) return raw;
  let out = raw.slice(0, i);
  const n = raw.length;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c < 128) {
      if (UNRESERVED[c]) {
        out += raw[i];
        i++;
      } else if (c === 0x2b /* + */) {
        out += '%20';
        i++;
      } else if (c === 0x25 && i + 2 < n && hexVal(raw.charCodeAt(i + 1)) >= 0 && hexVal(raw.charCodeAt(i + 2)) >= 0) {
        const b = (hexVal(raw.charCodeAt(i + 1)) << 4) | hexVal(raw.charCodeAt(i + 2));
        out += isUnreserved(b) ? String.fromCharCode(b) : pct(b);
        i += 3;
      } else {
        out += pct(c);
        i++;
      }
    } else {
      let j = i + 1;
      while (j < n && raw.charCodeAt(j) >= 128) j++;
      out += encodeUtf8(raw.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** Encode every character of `raw` except unreserved ones and `/` (used on a path as sent). */
export function encodeRaw(raw: string): string {
  let i = -1;
  for (let k = 0; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    if (c !== 0x2f && !isUnreserved(c)) {
      i = k;
      break;
    }
  }
  if (i < 0) return raw;
  let out = raw.slice(0, i);
  const n = raw.length;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c < 128) {
      out += c === 0x2f || UNRESERVED[c] ? raw[i] : pct(c);
      i++;
    } else {
      let j = i + 1;
      while (j < n && raw.charCodeAt(j) >= 128) j++;
      out += encodeUtf8(raw.slice(i, j));
      i = j;
    }
  }
  return out;
}

/**
 * Percent-decode a raw query value for reading auth parameters (X-Amz-Credential arrives as
 * `AKID%2F20260128%2F...`). `+` is a space, as in `normalizeComponent`. Malformed escapes are kept
 * literally instead of throwing.
 */
export function decodeComponent(raw: string): string {
  const s = raw.indexOf('+') < 0 ? raw : raw.replaceAll('+', ' ');
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
