/**
 * awsQuery parameters from an `application/x-www-form-urlencoded` body (POST) or a URL query
 * string (GET, e.g. a presigned GetCallerIdentity). boto3 encodes spaces as `+`, the JS SDK as
 * `%20`: both decode to a space. The first occurrence of a name wins, as on live STS
 * (`Action=GetCallerIdentity&Action=NoSuchAction` runs GetCallerIdentity). Invalid
 * percent-escapes are kept literally, invalid UTF-8 becomes U+FFFD: decoding never throws.
 */
import type { QueryParams } from './wire.js';

export function parseQueryString(text: string): Map<string, string> {
  const params = new Map<string, string>();
  if (text.startsWith('?')) text = text.slice(1);
  if (text === '') return params;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decodeComponent(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(piece.slice(eq + 1));
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** Merges parameter sets, earlier sets winning (e.g. URL query string, then body). */
export function mergeParams(...sets: QueryParams[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const set of sets) for (const [k, v] of set) if (!out.has(k)) out.set(k, v);
  return out;
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function decodeComponent(raw: string): string {
  const s = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return lenientDecode(s);
  }
}

function lenientDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8Encoder.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}
