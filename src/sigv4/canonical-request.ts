/**
 * The canonical request and the string to sign, built from the raw request with plain string
 * concatenation. https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 *   METHOD \n CanonicalURI \n CanonicalQuery \n (name:value \n)* \n SignedHeaders \n PayloadHash
 *   AWS4-HMAC-SHA256 \n AmzDate \n Scope \n hex(SHA-256(canonical request))
 */
import { sha256Hex } from './digest.js';
import { canonicalHeaderValue, headerIndex } from './headers.js';
import { canonicalQuery, queryPairs } from './query.js';
import { encodeRaw } from './uri-encode.js';
import type { ParsedAuth, RawRequest } from './types.js';

/**
 * Canonical URI of a non-S3 service: the path as sent with empty and dot segments removed
 * (botocore utils.remove_dot_segments; smithy getCanonicalPath), then URI-encoded once more.
 */
export function canonicalUri(path: string): string {
  if (path === '/' || path === '') return '/';
  const segs: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segs.pop();
    else segs.push(s);
  }
  const lead = path.charCodeAt(0) === 47 ? '/' : '';
  const trail = segs.length > 0 && path.charCodeAt(path.length - 1) === 47 ? '/' : '';
  return encodeRaw(lead + segs.join('/') + trail);
}

/**
 * Services whose canonical URI is the path exactly as sent: S3 "only gets URI-encoded once" and is
 * not normalized (create-signed-request.html, "CanonicalURI"; smithy signs S3 with
 * `uriEscapePath: false`, botocore's S3SigV4Auth leaves the path alone).
 */
const RAW_PATH_SERVICES: ReadonlySet<string> = new Set(['s3', 's3-object-lambda', 's3-outposts', 's3express']);

export const isS3Service = (service: string): boolean => RAW_PATH_SERVICES.has(service);

/** Canonical URI for the scope's service: S3's raw path, or the normalized, re-encoded one. */
export function canonicalUriFor(service: string, path: string): string {
  if (RAW_PATH_SERVICES.has(service)) return path === '' ? '/' : path;
  return canonicalUri(path);
}

/**
 * The canonical request, or `undefined` when a header named in SignedHeaders is absent (no signer
 * can have produced a signature over a header that is not there).
 */
export function canonicalRequest(req: RawRequest, auth: ParsedAuth, payloadHash: string): string | undefined {
  const idx = headerIndex(req);
  let headers = '';
  for (const name of auth.signedHeaders) {
    const value = canonicalHeaderValue(idx, name);
    if (value === undefined) return undefined;
    headers += name + ':' + value + '\n';
  }
  return (
    req.method +
    '\n' +
    canonicalUriFor(auth.service, req.path) +
    '\n' +
    canonicalQuery(queryPairs(req)) +
    '\n' +
    headers +
    '\n' +
    auth.signedHeaders.join(';') +
    '\n' +
    payloadHash
  );
}

export function stringToSign(auth: ParsedAuth, canonical: string): string {
  return 'AWS4-HMAC-SHA256\n' + auth.amzDate + '\n' + auth.scope + '\n' + sha256Hex(canonical);
}
