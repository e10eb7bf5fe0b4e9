/**
 * Checking the OpenID Connect ID token of an AssumeRoleWithWebIdentity call, in the order and with
 * the errors STS uses: the token parses as a JWT; its `iss` names an IAM OIDC provider of the
 * role's account; its `aud` names one of the provider's client ids; its signature verifies with a
 * key from the issuer's JWKS; it has not expired.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
 *
 * INVARIANT: no claim of a token is returned (and so none reaches a trust policy) unless its
 * signature verified with a key the issuer published over a trusted connection, and its `iss`,
 * `aud` and `exp` passed the checks above.
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { AwsError } from '../../domain/aws-error.js';
import type { Clock } from '../../domain/clock.js';
import type { OidcProviderRecord, Store } from '../../store/ports.js';
import { normalizeOidcUrl } from '../iam/shared/oidc.js';

/** Where the issuers' signing keys come from (src/federation/oidc-keys.ts over HTTPS). */
export interface WebIdentityKeySource {
  keys(issuer: string, thumbprints: readonly string[], kid?: string): Promise<JSONWebKeySet>;
}

/** A key source failure, as src/federation/oidc-keys.ts reports it. */
interface KeyFailure {
  reason: 'unreachable' | 'untrusted-certificate' | 'bad-response';
  message: string;
}

/** The algorithms STS accepts for ID tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/** How long past exp (and before nbf) a token is still taken. */
export const CLOCK_SKEW_SECONDS = 300;

export const NO_VERIFICATION_KEY = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

export interface VerifiedWebIdentity {
  provider: OidcProviderRecord;
  /** The token's `iss`, as written (the response's `Provider`). */
  issuer: string;
  /** The audience that matched one of the provider's client ids (the response's `Audience`). */
  audience: string;
  /** The token's other audiences (`<provider>:oaud`). */
  otherAudiences: string[];
  subject: string;
  claims: JWTPayload;
}

function invalid(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

function isKeyFailure(e: unknown): e is KeyFailure {
  return e instanceof Error && typeof (e as Partial<KeyFailure>).reason === 'string' && e.name === 'IdpKeyError';
}

export async function verifyWebIdentityToken(
  deps: { store: Store; clock: Clock; keys: WebIdentityKeySource },
  roleAccount: string,
  token: string,
): Promise<VerifiedWebIdentity> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw invalid('The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)');
  }
  const issuer = unverified.iss;
  // The provider an `iss` names: the issuer without `https://`, host lowercased (shared/oidc.ts).
  const url = normalizeOidcUrl(issuer);
  if (typeof issuer !== 'string' || url === undefined) throw invalid('The ID Token provided has no valid issuer (iss).');
  const provider = await deps.store.oidcProviders.get(roleAccount, url);
  if (!provider) throw invalid(`No OpenIDConnect provider found in your account for ${issuer}`);

  const audiences = typeof unverified.aud === 'string' ? [unverified.aud] : Array.isArray(unverified.aud) ? unverified.aud.filter((a): a is string => typeof a === 'string') : [];
  const audience = audiences.find((a) => provider.clientIds.includes(a));
  if (audience === undefined) throw invalid('Incorrect token audience');

  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) throw invalid(`The token is signed with ${String(header.alg)}, which is not supported.`);
  let jwks: JSONWebKeySet;
  try {
    // The provider's stored url, not the token's spelling of it: one cache entry per provider.
    jwks = await deps.keys.keys(`https://${provider.url}`, provider.thumbprints, typeof header.kid === 'string' ? header.kid : undefined);
  } catch (e) {
    if (!isKeyFailure(e)) throw e;
    if (e.reason === 'untrusted-certificate') throw invalid("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint");
    throw invalid(NO_VERIFICATION_KEY);
  }

  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  let claims: JWTPayload;
  try {
    // IAM accepts a token up to five minutes past its exp (clock skew: IAM user guide, "OIDC federation").
    ({ payload: claims } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ALGORITHMS, currentDate: deps.clock.now(), requiredClaims: ['exp', 'sub'], clockTolerance: CLOCK_SKEW_SECONDS }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) {
      throw new AwsError('ExpiredTokenException', `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${String(unverified.exp)}`);
    }
    if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWKSMultipleMatchingKeys) throw invalid(NO_VERIFICATION_KEY);
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw invalid('Signature verification failed');
    if (e instanceof joseErrors.JWTClaimValidationFailed) throw invalid(`The ID Token provided is not valid: the "${e.claim}" claim ${e.reason === 'missing' ? 'is missing' : 'check failed'}.`);
    throw invalid('The ID Token provided is not valid.');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalid('The ID Token provided has no subject (sub).');
  return { provider, issuer, audience, otherAudiences: audiences.filter((a) => a !== audience), subject: claims.sub, claims };
}
