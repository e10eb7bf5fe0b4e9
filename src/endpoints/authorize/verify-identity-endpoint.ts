/**
 * `POST /_rolecall/verify-identity`: verifies an identity proof (identity-proof.ts) and answers
 * who signed it, as sts:GetCallerIdentity would (Account, Arn, UserId), plus the principal's
 * facts. The proof is the credential, so the call itself needs no signature, exactly as anyone
 * holding a presigned GetCallerIdentity URL can send it to STS.
 *
 * A proof is accepted for 15 minutes after its X-Amz-Date, whatever X-Amz-Expires says (AWS STS's
 * presigned-URL rule, applied by the gateway's authentication for the `sts` signing name), and
 * never after the session behind it expired (ExpiredToken). Failures answer AWS's code with its
 * HTTP status: SignatureDoesNotMatch, InvalidClientTokenId, ExpiredToken, AccessDenied
 * ("Request has expired"), IncompleteSignature; a proof that is not a GetCallerIdentity call, or
 * whose audience does not match, is InvalidIdentityToken (400).
 */
import type { IdentityAnswer } from '../../client/authorize/types.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Clock } from '../../domain/clock.js';
import { isoSeconds } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { HttpRequest, HttpResponse } from '../../http/server.js';
import { parseAuth } from '../../sigv4/index.js';
import type { Endpoint } from '../endpoint.js';
import { authenticateRaw, type AuthDeps } from './authenticate-call.js';
import { checkAudience, checkIsGetCallerIdentity, invalidProof, tokenProof, vaultProof, type IdentityProof } from './identity-proof.js';
import { errorResponse, jsonResponse, optionalString, readJsonObject, validation } from './http-json.js';
import { principalView } from './principal-view.js';
import type { Logger } from './authorize-endpoint.js';

export const VERIFY_IDENTITY_PATH = '/_rolecall/verify-identity';
/** STS accepts a signed GetCallerIdentity for 15 minutes (presigned: whatever X-Amz-Expires says). */
export const PROOF_LIFETIME_SECONDS = 900;

export interface VerifyIdentityDeps extends AuthDeps {
  clock: Clock;
  random: Random;
  logger?: Logger;
}


export function proofOf(body: Record<string, unknown>): IdentityProof {
  const token = optionalString(body, 'token', '');
  if (token !== undefined) return tokenProof(token.trim(), optionalString(body, 'clusterId', ''));
  if (body.iam_request_url !== undefined) return vaultProof(body, optionalString(body, 'serverId', ''));
  throw validation('Send {"token": "k8s-aws-v1...." | presigned URL, "clusterId"?} or Vault login data {iam_http_request_method, iam_request_url, iam_request_body, iam_request_headers, "serverId"?}.');
}

/** Verifies the proof; throws AWS's error when it does not hold. */
export async function verifyProof(proof: IdentityProof, deps: AuthDeps, now: Date): Promise<IdentityAnswer> {
  const parsed = parseAuth(proof.raw);
  // Shape problems and the wrong service come back from authenticateRaw with AWS's codes.
  if (parsed.ok && !parsed.auth) throw invalidProof('The request is not signed.');
  checkIsGetCallerIdentity(proof);
  // The audience before the signature: an EKS token's x-k8s-aws-id value is not in the token.
  const audience = parsed.ok && parsed.auth ? checkAudience(proof, parsed.auth) : undefined;
  const { caller, auth } = await authenticateRaw(proof.raw, deps, now, { signingName: 'sts' });
  let expires = auth.timeMs + PROOF_LIFETIME_SECONDS * 1000;
  if (caller.session && caller.session.expiresAt.getTime() < expires) expires = caller.session.expiresAt.getTime();
  const answer: IdentityAnswer = { Account: caller.accountId, Arn: caller.arn, UserId: caller.userId, principal: principalView(caller), expiresAt: isoSeconds(expires) };
  if (audience !== undefined) answer.audience = audience;
  return answer;
}

export class VerifyIdentityEndpoint implements Endpoint {
  readonly name = 'verify-identity';

  constructor(private readonly deps: VerifyIdentityDeps) {}

  matches(req: HttpRequest): boolean {
    return req.path === VERIFY_IDENTITY_PATH;
  }

  async handle(req: HttpRequest): Promise<HttpResponse> {
    const requestId = this.deps.random.uuid();
    try {
      if (req.method !== 'POST') throw validation(`${VERIFY_IDENTITY_PATH} takes POST.`);
      const proof = proofOf(readJsonObject(req));
      const answer = await verifyProof(proof, this.deps, this.deps.clock.now());
      return jsonResponse(200, answer, requestId);
    } catch (e) {
      if (e instanceof AwsError) return errorResponse(e, requestId);
      this.deps.logger?.error({ err: e, requestId }, 'verify-identity: internal error');
      return errorResponse(new AwsError('InternalFailure', 'We encountered an internal error. Please try again.'), requestId);
    }
  }
}
