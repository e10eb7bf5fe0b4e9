/**
 * Phase 1 of verification: read the Authorization header or the presigned query, check its shape,
 * and say which access key signed it. No clock and no secret are needed, so the caller can look the
 * key up (or unseal X-Amz-Security-Token) between `parseAuth` and `verifySignature`.
 *
 * The order of checks and their wording follow AWS's answers as recorded by mhart/dynalite
 * (index.js, observed DynamoDB responses) and dacut/scratchstack-aws-signature (canonical.rs,
 * auth.rs: "AWS Auth Error Ordering" rules 5-13); see errors.ts for the fixed messages.
 */
import { formatAmzDate, parseAmzDate, parseHttpDate } from './amz-date.js';
import { incompleteSignature, missingAuthenticationToken, signatureDoesNotMatch, SIGV4_MESSAGES } from './errors.js';
import { firstHeader, headerIndex, type HeaderIndex } from './headers.js';
import { queryPairs, queryParam, type QueryPairs } from './query.js';
import type { ParseAuthResult, ParsedAuth, RawRequest, SigV4Error } from './types.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Longest X-Amz-Expires SigV4 allows: seven days (S3 sigv4-query-string-auth; smithy MAX_PRESIGNED_TTL). */
export const MAX_EXPIRES_SECONDS = 604800;

const fail = (error: SigV4Error): ParseAuthResult => ({ ok: false, error });

/**
 * Read the request's SigV4 authentication. `{ ok: true, auth: undefined }` means the request is
 * unsigned (no Authorization header, no X-Amz-Algorithm): the caller decides whether the operation
 * allows that (AssumeRoleWithWebIdentity does) or answers `missingAuthenticationToken()`.
 */
export function parseAuth(req: RawRequest): ParseAuthResult {
  const idx = headerIndex(req);
  let authz = firstHeader(idx, 'authorization');
  if (authz !== undefined && authz.trim() === '') authz = undefined;
  const pairs = queryPairs(req);
  const alg = pairs.length > 0 ? queryParam(pairs, 'X-Amz-Algorithm') : undefined;
  if (authz === undefined && alg === undefined) return { ok: true, auth: undefined };
  // Rule 5 (scratchstack): a request may not carry both forms.
  if (authz !== undefined && alg !== undefined) return fail(signatureDoesNotMatch());
  return authz !== undefined ? fromHeader(authz, idx) : fromQuery(alg as string, pairs, idx);
}

const isSep = (c: number): boolean => c === 44 /* , */ || c === 32 || c === 9;

/** Echo at most this much of an unknown scheme (it may be someone's bearer token). */
const echo = (s: string): string => (s.length > 40 ? s.slice(0, 40) + '...' : s);

function fromHeader(header: string, idx: HeaderIndex): ParseAuthResult {
  const h = header.trim();
  let sp = 0;
  while (sp < h.length && h.charCodeAt(sp) !== 32 && h.charCodeAt(sp) !== 9) sp++;
  const alg = h.slice(0, sp);
  if (alg !== ALGORITHM) {
    // Wording recorded from DynamoDB by mhart/dynalite ("... (only AWS4-HMAC-SHA256 for now). ").
    return fail(incompleteSignature(`Unsupported AWS 'algorithm': '${echo(alg)}' (only AWS4-HMAC-SHA256 for now).`));
  }
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  // AWS splits the parameters on commas AND whitespace: "Credential= AKID/..." is reported as
  // "'AKID/...' not a valid key=value pair" (iann0036/cloud9-sync#10, awslabs/fhir-works-on-aws-deployment#379).
  let i = sp;
  while (i < h.length) {
    while (i < h.length && isSep(h.charCodeAt(i))) i++;
    if (i >= h.length) break;
    let j = i;
    while (j < h.length && !isSep(h.charCodeAt(j))) j++;
    const token = h.slice(i, j);
    i = j;
    const eq = token.indexOf('=');
    if (eq < 0) {
      return fail(incompleteSignature(`'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`));
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    // Rule 6c: the last value of a repeated key wins.
    if (key === 'Credential') credential = value;
    else if (key === 'SignedHeaders') signedHeaders = value;
    else if (key === 'Signature') signature = value;
  }
  const xAmzDate = firstHeader(idx, 'x-amz-date');
  const httpDate = xAmzDate === undefined ? firstHeader(idx, 'date') : undefined;
  const missing: string[] = [];
  // Messages: aws/aws-sdk-ruby#317, brendanhay/amazonka#316 (SES), aws/chalice#828.
  if (!credential) missing.push("Authorization header requires 'Credential' parameter.");
  if (!signature) missing.push("Authorization header requires 'Signature' parameter.");
  if (signedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (xAmzDate === undefined && httpDate === undefined) {
    missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (missing.length > 0) return fail(incompleteSignature(`${missing.join(' ')} Authorization=${header}`));

  let timeMs: number;
  let amzDate: string;
  if (xAmzDate !== undefined) {
    timeMs = parseAmzDate(xAmzDate);
    amzDate = xAmzDate;
    if (Number.isNaN(timeMs)) return fail(badDate(xAmzDate));
  } else {
    const d = httpDate as string;
    timeMs = parseHttpDate(d);
    if (Number.isNaN(timeMs)) timeMs = parseAmzDate(d);
    if (Number.isNaN(timeMs)) return fail(badDate(d));
    amzDate = formatAmzDate(timeMs);
  }
  return finish({
    credential: credential as string,
    signedHeaders: signedHeaders as string,
    signature: signature as string,
    amzDate,
    timeMs,
    presigned: false,
    securityToken: firstHeader(idx, 'x-amz-security-token'),
    idx,
  });
}

function fromQuery(alg: string, pairs: QueryPairs, idx: HeaderIndex): ParseAuthResult {
  // Rule 7a (scratchstack): an unknown X-Amz-Algorithm is answered as if nothing were signed.
  if (alg !== ALGORITHM) return fail(missingAuthenticationToken());
  const credential = queryParam(pairs, 'X-Amz-Credential');
  const signature = queryParam(pairs, 'X-Amz-Signature');
  const signedHeaders = queryParam(pairs, 'X-Amz-SignedHeaders');
  const date = queryParam(pairs, 'X-Amz-Date');
  const missing: string[] = [];
  // Rule 7d wording: scratchstack constants.rs.
  if (!credential) missing.push("AWS query-string parameters must include 'X-Amz-Credential'.");
  if (!signature) missing.push("AWS query-string parameters must include 'X-Amz-Signature'.");
  if (signedHeaders === undefined) missing.push("AWS query-string parameters must include 'X-Amz-SignedHeaders'.");
  if (!date) missing.push("AWS query-string parameters must include 'X-Amz-Date'.");
  if (missing.length > 0) return fail(incompleteSignature(`${missing.join(' ')} Re-examine the query-string parameters.`));

  const expires = queryParam(pairs, 'X-Amz-Expires');
  let expiresSeconds: number | undefined;
  if (expires !== undefined) {
    const r = parseExpires(expires);
    if (typeof r !== 'number') return fail(r);
    expiresSeconds = r;
  }
  const timeMs = parseAmzDate(date as string);
  if (Number.isNaN(timeMs)) return fail(badDate(date as string));
  return finish({
    credential: credential as string,
    signedHeaders: signedHeaders as string,
    signature: signature as string,
    amzDate: date as string,
    timeMs,
    presigned: true,
    expiresSeconds,
    securityToken: queryParam(pairs, 'X-Amz-Security-Token'),
    idx,
  });
}

/**
 * X-Amz-Expires: an integer, 0..604800. Wording is S3's (its code there is
 * AuthorizationQueryParametersError, which STS lacks): aws/aws-cli#5464, minio/minio#5162.
 */
function parseExpires(s: string): number | SigV4Error {
  let neg = false;
  let k = 0;
  if (s.charCodeAt(0) === 45 /* - */) {
    neg = true;
    k = 1;
  }
  if (s.length === k || s.length - k > 15) return incompleteSignature('X-Amz-Expires should be a number');
  for (let i = k; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return incompleteSignature('X-Amz-Expires should be a number');
  }
  if (neg) return incompleteSignature('X-Amz-Expires must be non-negative');
  const n = Number(s);
  if (n > MAX_EXPIRES_SECONDS) {
    return incompleteSignature(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  return n;
}

/** Rule 9 wording: mhart/dynalite (recorded) and scratchstack canonical.rs. */
const badDate = (got: string): SigV4Error =>
  incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${got}'. See http://en.wikipedia.org/wiki/ISO_8601`);

interface Pieces {
  credential: string;
  signedHeaders: string;
  signature: string;
  amzDate: string;
  timeMs: number;
  presigned: boolean;
  expiresSeconds?: number;
  securityToken: string | undefined;
  idx: HeaderIndex;
}

function finish(p: Pieces): ParseAuthResult {
  const names = p.signedHeaders === '' ? [] : p.signedHeaders.split(';');
  for (let i = 0; i < names.length; i++) names[i] = (names[i] as string).toLowerCase();
  // Rule 8: the host must be signed, or a signature could be replayed against another endpoint.
  if (!names.includes('host') && !names.includes(':authority')) {
    return fail(signatureDoesNotMatch(SIGV4_MESSAGES.hostMustBeSigned));
  }
  // X-Amz-Target picks the operation of a JSON-protocol call; both SDKs sign it, and an unsigned
  // one could be swapped for another operation under the same signature.
  if (!names.includes('x-amz-target') && firstHeader(p.idx, 'x-amz-target') !== undefined) {
    return fail(signatureDoesNotMatch("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."));
  }
  const parts = p.credential.split('/');
  if (parts.length !== 5) {
    // Recorded by mhart/dynalite; scratchstack auth.rs rule 12.
    return fail(
      incompleteSignature(
        `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${p.credential}'`,
      ),
    );
  }
  const [accessKeyId, date, region, service, term] = parts as [string, string, string, string, string];
  // Rule 13: scope errors are reported together, joined by spaces (dynalite's recorded answer);
  // any non-empty region is valid here (sdk-compat.md §2.2: clients sign with their own region).
  const scopeErrors: string[] = [];
  if (region === '') scopeErrors.push("Credential should be scoped to a valid region, not ''.");
  if (term !== 'aws4_request') {
    scopeErrors.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${term}'.`);
  }
  const day = p.amzDate.slice(0, 8);
  if (date !== day) {
    scopeErrors.push(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${day}', from '${p.amzDate}'.`,
    );
  }
  if (scopeErrors.length > 0) return fail(signatureDoesNotMatch(scopeErrors.join(' ')));
  const auth: { -readonly [K in keyof ParsedAuth]: ParsedAuth[K] } = {
    accessKeyId,
    date,
    region,
    service,
    scope: `${date}/${region}/${service}/${term}`,
    signedHeaders: names,
    signature: p.signature,
    amzDate: p.amzDate,
    timeMs: p.timeMs,
    presigned: p.presigned,
  };
  if (p.expiresSeconds !== undefined) auth.expiresSeconds = p.expiresSeconds;
  if (p.securityToken !== undefined) auth.securityToken = p.securityToken;
  return { ok: true, auth };
}
