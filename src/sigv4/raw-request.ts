/**
 * Build a RawRequest from what node:http hands over (`req.method`, `req.url`, `req.rawHeaders`)
 * without importing node:http: the verifier stays pure and the HTTP layer stays thin.
 */
import type { RawRequest } from './types.js';

/** Pair node's flat `rawHeaders` ([name, value, name, value, ...]) in arrival order. */
export function pairRawHeaders(raw: readonly string[]): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

/** `url` is the request-target as sent (`/?Action=...`); it is split at the first `?`. */
export function rawRequest(method: string, url: string, rawHeaders: readonly string[], bodySha256Hex: string): RawRequest {
  const q = url.indexOf('?');
  return {
    method,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers: pairRawHeaders(rawHeaders),
    bodySha256Hex,
  };
}
