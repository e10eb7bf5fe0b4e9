/**
 * The shapes the SigV4 verifier works on. Everything is plain data: the HTTP layer builds a
 * `RawRequest` from what arrived on the wire (see raw-request.ts), and the verifier never sees
 * a socket, a clock or a key store.
 */

/**
 * One HTTP request exactly as it arrived. Nothing here may be normalized by a framework.
 * INVARIANT: not mutated between `parseAuth` and `verifySignature` (both phases share a
 * per-object index of its headers and query).
 */
export interface RawRequest {
  /** Request method as sent (node gives it upper-cased). */
  readonly method: string;
  /** The raw request-target path, as sent, without the query (e.g. `/` or `/a%20b`). */
  readonly path: string;
  /** The raw query string without the leading `?` (`''` when there is none). */
  readonly query: string;
  /** Raw header pairs in arrival order, names in their original case (node's `rawHeaders`, paired). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Lower-case hex SHA-256 of the exact body bytes (the empty-string hash when there is no body). */
  readonly bodySha256Hex: string;
}

/**
 * Error codes this module emits, in the awsQuery spelling IAM and STS use. A JSON-protocol
 * service (CloudTrail) renders them through `toJsonProtocolError` (errors.ts).
 */
export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'ExpiredToken'
  | 'AccessDenied';

/** The awsJson spelling of the same errors (Coral's `...Exception` names). */
export type SigV4JsonErrorCode =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'ExpiredTokenException'
  | 'AccessDeniedException';

/** An authentication failure as data. INVARIANT: `message` never holds anything derived from a secret. */
export interface SigV4Error<C extends string = SigV4ErrorCode> {
  readonly code: C;
  readonly message: string;
  /** HTTP status AWS answers with. */
  readonly status: number;
}

/** What `parseAuth` learned from the Authorization header or the presigned query. */
export interface ParsedAuth {
  /** The access key id from the credential scope (look the secret up with it, or unseal the token). */
  readonly accessKeyId: string;
  /** Scope date, `YYYYMMDD`; always equal to `amzDate.slice(0, 8)`. */
  readonly date: string;
  /** Scope region, as the client sent it (any region is accepted; never route on it). */
  readonly region: string;
  /** Scope service (`sts`, `iam`, `cloudtrail`, ...); the router checks it, not this module. */
  readonly service: string;
  /** `date/region/service/aws4_request`: the credential scope as it enters the string to sign. */
  readonly scope: string;
  /** Lower-cased names from SignedHeaders / X-Amz-SignedHeaders, in the order sent. */
  readonly signedHeaders: readonly string[];
  /** The signature the client sent (hex). Not secret, but never needed in messages. */
  readonly signature: string;
  /** Request time in ISO 8601 basic format (`20260128T054625Z`), as it enters the string to sign. */
  readonly amzDate: string;
  /** `amzDate` as epoch milliseconds. */
  readonly timeMs: number;
  /** True for query-string (presigned URL) authentication. */
  readonly presigned: boolean;
  /** X-Amz-Expires of a presigned URL (1..604800), when the URL carries one. */
  readonly expiresSeconds?: number;
  /** X-Amz-Security-Token (header or query), when present: the caller unseals it to find the secret. */
  readonly securityToken?: string;
}

export type ParseAuthResult =
  | { readonly ok: true; readonly auth: ParsedAuth }
  /** Neither an Authorization header nor X-Amz-Algorithm: an unsigned request. */
  | { readonly ok: true; readonly auth: undefined }
  | { readonly ok: false; readonly error: SigV4Error };

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly error: SigV4Error };

export interface VerifyOptions {
  /** Allowed clock skew either way, in seconds. AWS: 15 minutes. */
  readonly maxSkewSeconds?: number;
  /**
   * Optional cap on a presigned URL's life, counted from X-Amz-Date, in seconds. Unset: the URL
   * lives for its X-Amz-Expires.
   */
  readonly presignedMaxAgeSeconds?: number;
  /**
   * A fixed presigned-URL life that replaces X-Amz-Expires: AWS STS ignores X-Amz-Expires and
   * allows 15 minutes (aws/aws-sdk-go#2167, aws/aws-sdk-ruby#2887); set 900 for that behaviour.
   */
  readonly presignedLifetimeSeconds?: number;
  /**
   * Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` (or STREAMING-UNSIGNED-PAYLOAD-TRAILER) over a
   * non-empty body: the signature then does not cover the body, which S3 allows and STS/IAM must
   * not. Off by default.
   */
  readonly allowUnsignedPayload?: boolean;
}
