/**
 * SigV4 request verification, pure: raw request in, ParsedAuth or an AWS error out.
 *
 *   const parsed = parseAuth(req);                       // phase 1: shape, scope, key id
 *   if (!parsed.ok) -> parsed.error
 *   if (!parsed.auth) -> unsigned (missingAuthenticationToken() unless the operation allows it)
 *   secret = lookup(parsed.auth.accessKeyId / securityToken) or invalidClientTokenId()
 *   const v = verifySignature(req, parsed.auth, secret, now);   // phase 2: time, body, signature
 *
 * See docs/sigv4.md.
 */
export type * from './types.js';
export { parseAuth, ALGORITHM, MAX_EXPIRES_SECONDS } from './parse-auth.js';
export { verifySignature, checkRequestTime, payloadHash, EMPTY_SHA256, UNSIGNED_PAYLOAD, DEFAULT_MAX_SKEW_SECONDS } from './verify.js';
export { signingKey } from './signing-key.js';
export { canonicalRequest, canonicalUri, canonicalUriFor, isS3Service, stringToSign } from './canonical-request.js';
export { rawRequest, pairRawHeaders } from './raw-request.js';
export { formatAmzDate, parseAmzDate } from './amz-date.js';
export {
  SIGV4_MESSAGES,
  sigv4Error,
  missingAuthenticationToken,
  incompleteSignature,
  signatureDoesNotMatch,
  invalidClientTokenId,
  invalidSecurityToken,
  expiredToken,
  wrongService,
  toJsonProtocolError,
} from './errors.js';
