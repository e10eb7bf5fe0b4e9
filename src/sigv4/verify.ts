/**
 * Phase 2 of verification: with the secret the caller found for `auth.accessKeyId`, check the
 * request time, the payload hash and the signature.
 *
 * Order: time first (AWS checks the date before the key, rules 10-11), then the declared payload
 * hash, then the signature. The caller's key lookup sits between phases 1 and 2, so an unknown key
 * id is reported before a stale date; `checkRequestTime` is exported for callers that want the
 * date checked before the lookup.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { formatAmzDate } from './amz-date.js';
import { canonicalRequest, isS3Service, stringToSign } from './canonical-request.js';
import { sigv4Error, signatureDoesNotMatch, SIGV4_MESSAGES } from './errors.js';
import { firstHeader, headerIndex } from './headers.js';
import { queryPairs, queryParam } from './query.js';
import { cachedSigningKey } from './signing-key.js';
import type { ParsedAuth, RawRequest, VerifyOptions, VerifyResult } from './types.js';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const DEFAULT_MAX_SKEW_SECONDS = 900;

const OK: VerifyResult = { ok: true };

const skewText = (s: number): string => (s % 60 === 0 ? `${s / 60} min.` : `${s} sec.`);

/**
 * Clock checks. Header auth: X-Amz-Date within ±maxSkew of `now`. Presigned: not before
 * X-Amz-Date − maxSkew, and not after X-Amz-Date + X-Amz-Expires (capped by
 * `presignedMaxAgeSeconds`, replaced by `presignedLifetimeSeconds` for STS); without
 * X-Amz-Expires the header rule applies, as STS does.
 * Wording: aws/aws-cli#6676 (STS GetCallerIdentity: "SignatureDoesNotMatch ... Signature expired:
 * 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)"),
 * serverless/enterprise#11 ("Signature not yet current: ... is still later than ... (... + 5 min.)"),
 * and the SigV4 troubleshooting page.
 */
export function checkRequestTime(auth: ParsedAuth, now: Date, opts: VerifyOptions = {}): VerifyResult {
  const skew = opts.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const nowMs = now.getTime();
  // An invalid clock would make every comparison false, i.e. accept any date: fail loudly instead.
  if (!Number.isFinite(nowMs) || !(skew >= 0)) throw new RangeError('checkRequestTime: invalid now or maxSkewSeconds');
  const t = auth.timeMs;
  if (t > nowMs + skew * 1000) {
    return {
      ok: false,
      error: signatureDoesNotMatch(
        `Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(nowMs + skew * 1000)} (${formatAmzDate(nowMs)} + ${skewText(skew)})`,
      ),
    };
  }
  if (auth.presigned && auth.expiresSeconds !== undefined) {
    const cap = opts.presignedMaxAgeSeconds;
    const declared = opts.presignedLifetimeSeconds ?? auth.expiresSeconds;
    const life = cap !== undefined && cap < declared ? cap : declared;
    if (nowMs > t + life * 1000) return { ok: false, error: sigv4Error('AccessDenied', SIGV4_MESSAGES.presignedExpired) };
    return OK;
  }
  if (t < nowMs - skew * 1000) {
    return {
      ok: false,
      error: signatureDoesNotMatch(
        `Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(nowMs - skew * 1000)} (${formatAmzDate(nowMs)} - ${skewText(skew)})`,
      ),
    };
  }
  return OK;
}

/** Declared payload values that say "the body is not signed" (S3; the second is aws-chunked with a checksum trailer). */
const UNSIGNED_DECLARATIONS: ReadonlySet<string> = new Set([UNSIGNED_PAYLOAD, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']);

/**
 * The payload hash that enters the canonical request, or undefined when the client declared one
 * that is not the body's. Both SDKs put a declared `x-amz-content-sha256` (presigned: the
 * X-Amz-Content-Sha256 parameter smithy hoists it to) into the canonical request instead of hashing
 * the body (smithy getPayloadHash; botocore SigV4Auth.canonical_request), so a signature over a
 * false declaration proves nothing about the body: we accept the declaration only when it IS the
 * body's hash, or UNSIGNED-PAYLOAD over an empty body (any body with `allowUnsignedPayload`, as S3
 * allows). Without a declaration we hash the body, as botocore/awscli requests (no such header) and
 * non-S3 presigned URLs (empty-body hash) need; an S3 presigned URL signs the literal UNSIGNED-PAYLOAD
 * (sigv4-query-string-auth.html: "you don't know the payload when you create the URL").
 */
export function payloadHash(req: RawRequest, auth: ParsedAuth, opts: Pick<VerifyOptions, 'allowUnsignedPayload'> = {}): string | undefined {
  const declared =
    (auth.presigned ? queryParam(queryPairs(req), 'X-Amz-Content-Sha256', true) : undefined) ??
    firstHeader(headerIndex(req), 'x-amz-content-sha256');
  if (declared === undefined) return auth.presigned && isS3Service(auth.service) ? UNSIGNED_PAYLOAD : req.bodySha256Hex;
  const d = declared.trim();
  if (d.length === 64 && d.toLowerCase() === req.bodySha256Hex) return d;
  if (d === UNSIGNED_PAYLOAD && req.bodySha256Hex === EMPTY_SHA256) return d;
  if (opts.allowUnsignedPayload === true && UNSIGNED_DECLARATIONS.has(d)) return d;
  return undefined;
}

const mismatch = (): VerifyResult => ({ ok: false, error: signatureDoesNotMatch() });

/**
 * Verify `req` against the ParsedAuth from `parseAuth(req)` and the secret of `auth.accessKeyId`
 * (or of the session behind `auth.securityToken`). Pure: `now` is an argument.
 */
export function verifySignature(
  req: RawRequest,
  auth: ParsedAuth,
  secretAccessKey: string,
  now: Date,
  opts: VerifyOptions = {},
): VerifyResult {
  const time = checkRequestTime(auth, now, opts);
  if (!time.ok) return time;
  const payload = payloadHash(req, auth, opts);
  if (payload === undefined) return mismatch();
  const canonical = canonicalRequest(req, auth, payload);
  if (canonical === undefined) return mismatch();
  const key = cachedSigningKey(secretAccessKey, auth.date, auth.region, auth.service);
  const expected = createHmac('sha256', key).update(stringToSign(auth, canonical), 'utf8').digest();
  // Hex decoding stops at the first non-hex character, so anything but 64 hex digits comes out
  // shorter than 32 bytes and is refused before the comparison.
  const provided = auth.signature.length === 64 ? Buffer.from(auth.signature, 'hex') : undefined;
  if (provided === undefined || provided.length !== expected.length) return mismatch();
  // INVARIANT: constant-time comparison of equal-length buffers; neither value leaves this function.
  return timingSafeEqual(expected, provided) ? OK : mismatch();
}
