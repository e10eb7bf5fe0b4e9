/**
 * The SigV4 signing key, kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"), with a small cache (src/domain/recency-cache.ts): the chain is four HMACs and a given key signs many
 * requests on the same day, region and service.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (derive a signing key)
 *
 * INVARIANT: the raw secret is never stored. The cache is keyed by SHA-256(secret) plus the scope,
 * so a rotated or different secret for the same key id can never hit another secret's entry.
 */
import { createHmac } from 'node:crypto';
import { RecencyCache } from '../domain/recency-cache.js';
import { sha256Latin1 } from './digest.js';

const MAX_ENTRIES = 1024;
const cache = new RecencyCache<Buffer>(MAX_ENTRIES);

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** Derive (or reuse) the signing key. Internal callers get the cached buffer; they must not mutate it. */
export function cachedSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${sha256Latin1(secret)}\n${date}\n${region}\n${service}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const key = hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
  cache.set(id, key);
  return key;
}

/** The signing key for `secret` on `date` (YYYYMMDD) in `region` for `service` (a fresh copy). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return Buffer.from(cachedSigningKey(secret, date, region, service));
}

/** Number of cached keys (for tests and metrics). */
export function signingKeyCacheSize(): number {
  return cache.size;
}
