/**
 * The authentication errors AWS answers with, wording verbatim, each with where it was seen.
 * Statuses: IAM/STS "Common Errors" pages (IncompleteSignature 400, InvalidClientTokenId 403,
 * MissingAuthenticationToken 403) and the SigV4 troubleshooting page (SignatureDoesNotMatch 403,
 * https://docs.aws.amazon.com/general/latest/gr/signature-v4-troubleshooting.html, linked from aws/aws-cli#6676).
 *
 * INVARIANT: no message is built from the secret key, the signing key or the expected signature.
 * Messages may echo what the client itself sent (its Authorization header, its dates), as AWS does.
 */
import type { SigV4Error, SigV4ErrorCode, SigV4JsonErrorCode } from './types.js';

export const SIGV4_MESSAGES = {
  /** STS GetCallerIdentity without credentials: cert-manager/aws-privateca-issuer#40 ("StatusCode: 403 ... MissingAuthenticationToken"). */
  missingAuthenticationToken: 'Request is missing Authentication Token',
  /** STS/IAM/EC2 via awscli and SDKs: aws/aws-cli#135, aws/aws-sdk-ruby#374. */
  signatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  /** Unknown access key id, STS AssumeRole body: jrl84/amazon-sp-api#218; barnybug/cli53#278 (403). */
  invalidClientTokenId: 'The security token included in the request is invalid.',
  /**
   * A session token that does not verify: same code, no final period (STS body in
   * aws-azure-login/aws-azure-login#251; mhart/dynalite's recorded DynamoDB answers keep the same split).
   */
  invalidSecurityToken: 'The security token included in the request is invalid',
  /** STS GetCallerIdentity with an expired session: pulumi/pulumi-aws#2560 (403), prowler-cloud/prowler#789. */
  expiredToken: 'The security token included in the request is expired',
  /** Presigned URL past X-Amz-Expires (S3's wording and code; STS has none of its own): aws/aws-sdk-js#3493. */
  presignedExpired: 'Request has expired',
  /** dacut/scratchstack-aws-signature constants.rs (AWS auth error ordering, rule 8). */
  hostMustBeSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
} as const;

const STATUS: Record<SigV4ErrorCode, number> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  ExpiredToken: 403,
  AccessDenied: 403,
};

export function sigv4Error(code: SigV4ErrorCode, message: string): SigV4Error {
  return { code, message, status: STATUS[code] };
}

/** No Authorization header and no X-Amz-Algorithm on an operation that needs a signature. */
export const missingAuthenticationToken = (): SigV4Error =>
  sigv4Error('MissingAuthenticationToken', SIGV4_MESSAGES.missingAuthenticationToken);

export const incompleteSignature = (message: string): SigV4Error => sigv4Error('IncompleteSignature', message);

export const signatureDoesNotMatch = (message: string = SIGV4_MESSAGES.signatureDoesNotMatch): SigV4Error =>
  sigv4Error('SignatureDoesNotMatch', message);

/** The access key id is not in the store (use after `parseAuth`, before `verifySignature`). */
export const invalidClientTokenId = (): SigV4Error => sigv4Error('InvalidClientTokenId', SIGV4_MESSAGES.invalidClientTokenId);

/** X-Amz-Security-Token does not unseal, or does not belong to the access key id. */
export const invalidSecurityToken = (): SigV4Error => sigv4Error('InvalidClientTokenId', SIGV4_MESSAGES.invalidSecurityToken);

/** The session behind X-Amz-Security-Token has expired. */
export const expiredToken = (): SigV4Error => sigv4Error('ExpiredToken', SIGV4_MESSAGES.expiredToken);

/**
 * The scope names another service than the endpoint serves. Wording: the SigV4 troubleshooting
 * page ("Credential should be scoped to correct service: 'service'") and mhart/dynalite's recorded
 * DynamoDB answer, which ends with a period.
 */
export const wrongService = (expected: string): SigV4Error =>
  signatureDoesNotMatch(`Credential should be scoped to correct service: '${expected}'.`);

const JSON_CODE: Record<SigV4ErrorCode, SigV4JsonErrorCode> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  AccessDenied: 'AccessDeniedException',
};

/**
 * The same error as an awsJson (Coral) service names it, for CloudTrail. Mapping from
 * mhart/dynalite's recorded DynamoDB answers (InvalidSignatureException, UnrecognizedClientException,
 * IncompleteSignatureException, MissingAuthenticationTokenException) and the JSON-protocol
 * "InvalidSignatureException: Signature expired" reports in aws/aws-sdk-js#527 and #1938.
 */
export function toJsonProtocolError(error: SigV4Error): SigV4Error<SigV4JsonErrorCode> {
  return { code: JSON_CODE[error.code], message: error.message, status: error.status };
}
