/**
 * The request a protected service received, as the decision point's caller describes it, turned
 * into the verifier's RawRequest. Nothing is normalized: the path, query and header values are
 * the bytes the client signed. Bad shapes are ValidationErrors (the caller's bug, not the client's).
 */
import { createHash } from 'node:crypto';
import { EMPTY_SHA256, type RawRequest } from '../../sigv4/index.js';
import { isRecord, validation } from './http-json.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_HEADERS = 256;
const MAX_PATH = 16_384;
const HEX64 = /^[0-9a-fA-F]{64}$/;
// Characters that never appear raw in a request-target (controls, space, '#').
const BAD_TARGET = /[\u0000-\u0020\u007f#]/;

export interface Forwarded {
  raw: RawRequest;
  sourceIp?: string;
  secureTransport?: boolean;
}

export function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Header pairs from `[[name, value], ...]` or `{name: value | [values]}`. */
export function headerPairs(v: unknown, where: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (name: unknown, value: unknown) => {
    if (typeof name !== 'string' || !TOKEN.test(name)) throw validation(`${where}headers: '${String(name).slice(0, 60)}' is not a valid header name.`);
    if (typeof value !== 'string') throw validation(`${where}headers: the value of ${name} must be a string.`);
    out.push([name, value]);
  };
  if (Array.isArray(v)) {
    for (const pair of v) {
      if (!Array.isArray(pair) || pair.length !== 2) throw validation(`${where}headers must be [name, value] pairs.`);
      add(pair[0], pair[1]);
    }
  } else if (isRecord(v)) {
    for (const [name, value] of Object.entries(v)) {
      if (Array.isArray(value)) for (const x of value) add(name, x);
      else add(name, value);
    }
  } else {
    throw validation(`${where}headers must be a list of [name, value] pairs or a map.`);
  }
  if (out.length > MAX_HEADERS) throw validation(`${where}headers: at most ${MAX_HEADERS} headers.`);
  return out;
}

export function checkPath(path: string, where: string): void {
  if (!path.startsWith('/') || path.length > MAX_PATH || BAD_TARGET.test(path) || path.includes('?')) {
    throw validation(`${where}path must be the raw request path, starting with '/', without the query.`);
  }
}

function decodeBase64(s: string, where: string): Buffer {
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(s)) throw validation(`${where} must be base64.`);
  return Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
}

export function forwardedRequest(v: unknown): Forwarded {
  const where = 'request.';
  if (!isRecord(v)) throw validation('request is required: the request as the service received it.');
  const method = v.method;
  if (typeof method !== 'string' || !TOKEN.test(method) || method.length > 32) throw validation('request.method must be an HTTP method.');
  const path = v.path;
  if (typeof path !== 'string') throw validation('request.path is required.');
  checkPath(path, where);
  const q: unknown = v.query ?? '';
  if (typeof q !== 'string' || BAD_TARGET.test(q)) throw validation('request.query must be the raw query string.');
  let query: string = q;
  if (query.startsWith('?')) query = query.slice(1);
  const headers = headerPairs(v.headers, where);
  let bodySha256Hex: string | undefined;
  if (v.body !== undefined && v.body !== null) {
    if (typeof v.body !== 'string') throw validation('request.body must be base64 text.');
    bodySha256Hex = sha256Hex(decodeBase64(v.body, 'request.body'));
  }
  if (v.bodySha256 !== undefined && v.bodySha256 !== null) {
    if (typeof v.bodySha256 !== 'string' || !HEX64.test(v.bodySha256)) throw validation('request.bodySha256 must be 64 hex digits.');
    const h = v.bodySha256.toLowerCase();
    if (bodySha256Hex !== undefined && bodySha256Hex !== h) throw validation('request.bodySha256 is not the SHA-256 of request.body.');
    bodySha256Hex = h;
  }
  const out: Forwarded = { raw: { method, path, query, headers, bodySha256Hex: bodySha256Hex ?? EMPTY_SHA256 } };
  if (v.sourceIp !== undefined && v.sourceIp !== null) {
    if (typeof v.sourceIp !== 'string' || v.sourceIp.length > 64) throw validation('request.sourceIp must be an IP address.');
    out.sourceIp = v.sourceIp;
  }
  if (v.secureTransport !== undefined && v.secureTransport !== null) {
    if (typeof v.secureTransport !== 'boolean') throw validation('request.secureTransport must be true or false.');
    out.secureTransport = v.secureTransport;
  }
  return out;
}

export { decodeBase64 };
