/**
 * Who is calling: the authenticated principal of a request, as the gateway hands it to
 * operations and to the authorizer.
 */
import type { RequestPrincipal } from '../policy/index.js';
import type { Tag } from '../store/ports.js';

/**
 * `service`: an AWS service principal (ec2.amazonaws.com, ...) assuming a role for a workload it
 * runs; never the signer of an API request, only the caller of a trust-policy evaluation.
 * `web-identity`: the holder of an OpenID Connect ID token or a SAML assertion calling
 * AssumeRoleWithWebIdentity / AssumeRoleWithSAML (unsigned); like `service`, only ever the caller
 * of a trust-policy evaluation.
 */
export type CallerKind = 'root' | 'user' | 'assumed-role' | 'federated-user' | 'service' | 'web-identity';

export interface Caller {
  kind: CallerKind;
  accountId: string;
  /** The request principal the policy engine sees. */
  principal: RequestPrincipal;
  /** `aws:userid`, as GetCallerIdentity reports it. */
  userId: string;
  arn: string;
  accessKeyId: string;
  /** IAM user name (kind 'user', and the federating user of 'federated-user'). */
  userName?: string;
  /** Principal tags: the user's tags, or the role's tags merged with session tags. */
  tags?: Tag[];
  /**
   * `web-identity`: how CloudTrail names this caller: `WebIdentityUser` (an OIDC token) or
   * `SAMLUser` (a SAML assertion), and its `identityProvider` (the OIDC provider's ARN; for SAML,
   * the NameQualifier).
   */
  federation?: { type: 'WebIdentityUser' | 'SAMLUser'; identityProvider: string };
  /** Assumed roles: the role's name, path, ARN. */
  roleName?: string;
  /** Temporary credentials: session facts (set by STS, next issue). */
  session?: {
    issuedAt: Date;
    expiresAt: Date;
    mfaAuthenticatedAt?: Date;
    sourceIdentity?: string;
    tags: Tag[];
    transitiveTagKeys: string[];
    /** Session policy documents (inline and managed), JSON text. */
    policies: string[];
    chainDepth: number;
    /** ARN of the long-term identity at the start of a role chain. */
    originalCaller: string;
    /** Role sessions from AssumeRoleWithWebIdentity / WithSAML: the provider's ARN (aws:FederatedProvider). */
    federatedProvider?: string;
    /** Those sessions: the identity provider's condition keys (`<url>:sub`, `saml:sub`, ...). */
    federatedKeys?: Record<string, string | string[]>;
    /** Federated users: the unique id (AIDA...) of the IAM user who called GetFederationToken (CloudTrail's sessionIssuer). */
    issuerId?: string;
  };
}
