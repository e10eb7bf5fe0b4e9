/**
 * The wire contract of Rolecall's decision point, shared by the server (src/endpoints/authorize/)
 * and the client library (`rolecall/authorize`). Plain JSON; docs/authorize.md has examples.
 */

/** A condition-context value, as in IAM policies: one value or a list (multivalued key). */
export type ContextValueJson = string | number | boolean | Array<string | number | boolean>;

/** The request exactly as the protected service received it. */
export interface ForwardedRequest {
  /** HTTP method as received (`GET`, `PUT`...). */
  method: string;
  /** The raw request-target path without the query (`/bucket/a%20b`), never decoded. */
  path: string;
  /** The raw query string without `?` (`''` when none). */
  query?: string;
  /**
   * Header pairs in arrival order with their original case (node's `rawHeaders`, paired), or a
   * map of name to value(s).
   */
  headers: Array<[string, string]> | Record<string, string | string[]>;
  /** The body, base64. Either this or `bodySha256` (prefer the hash: bodies stay with the service). */
  body?: string;
  /** Lower-case hex SHA-256 of the exact body bytes. Absent with no `body`: the empty body. */
  bodySha256?: string;
  /** The client's IP address (aws:SourceIp). */
  sourceIp?: string;
  /** Whether the client used TLS (aws:SecureTransport). */
  secureTransport?: boolean;
}

/** One thing the request asks to do. */
export interface AuthorizationTarget {
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** Resource ARNs (`*` for actions without a resource). */
  resources: string[];
  /**
   * Condition keys the service computed (`s3:prefix`, `aws:ResourceTag/team`...). Keys that
   * describe the principal or the time (aws:PrincipalArn, aws:CurrentTime...) are Rolecall's and
   * are refused here.
   */
  context?: Record<string, ContextValueJson>;
  /** The target's resource-based policy (JSON text or object), e.g. a bucket policy. */
  resourcePolicy?: string | Record<string, unknown>;
  /**
   * The account that owns the resources. Default: the ARN's account, else the account of the
   * service credential that asks (the service owns what it serves).
   */
  resourceAccount?: string;
}

export interface AuthorizeRequest {
  request: ForwardedRequest;
  /** Everything the request asks for; each (action, resource) gets a decision. */
  authorizations: AuthorizationTarget[];
  /**
   * The signing name the forwarded request must be scoped to (`s3` for an S3-compatible service).
   * Unset: any.
   */
  signingName?: string;
  /** Accept UNSIGNED-PAYLOAD over a body, as S3 does (off: the signature must cover the body). */
  allowUnsignedPayload?: boolean;
}

export type DecisionName = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface MatchedStatementJson {
  /** The policy's name or ARN-derived name, as IAM reports it (`perms`, `ReadOnly`, `bucket-policy`). */
  policyId: string;
  /** `role`, `user`, `group`, `user-managed`, `aws-managed`, `resource`, `session`, `boundary`... */
  policyType: string;
  /** Which kind of policy it is in the evaluation (identity, resource, boundary, session). */
  policyKind: string;
  sid?: string;
  /** 0-based index of the statement in its document. */
  statementIndex: number;
  effect: 'Allow' | 'Deny';
}

export interface DecisionJson {
  action: string;
  resource: string;
  decision: DecisionName;
  /** The statements that decided: every matching Deny, or the Allows that granted. */
  matchedStatements: MatchedStatementJson[];
  /** Served from the decision cache (docs/authorize.md#caching). */
  cached: boolean;
  /** Denials: the policy type that caused it (identity, resource, boundary, session). */
  deniedBy?: string;
  /** Denials: AWS's AccessDenied message. */
  message?: string;
  /** Denials: an encoded authorization message (sts:DecodeAuthorizationMessage decodes it). */
  encodedMessage?: string;
}

export interface SessionFactsJson {
  issuedAt: string;
  expiresAt: string;
  mfaAuthenticated: boolean;
  mfaAuthenticatedAt?: string;
  sourceIdentity?: string;
  /** 0 for a session made from long-term keys, 1+ for role chaining. */
  chainDepth: number;
  /** The long-term identity at the start of a role chain. */
  originalCaller?: string;
  /** How many session policies limit the session. */
  sessionPolicies: number;
}

export interface PrincipalJson {
  /** As GetCallerIdentity: Arn, Account, UserId. */
  arn: string;
  accountId: string;
  userId: string;
  /** aws:PrincipalType: Account, User, AssumedRole, FederatedUser. */
  type: string;
  accessKeyId: string;
  /** aws:PrincipalArn: the role ARN for a role session, else `arn`. */
  principalArn: string;
  userName?: string;
  roleName?: string;
  roleId?: string;
  session?: SessionFactsJson;
  /** aws:PrincipalTag/*: user tags, or role tags overridden by session tags. */
  tags: Record<string, string>;
}

export interface AwsErrorJson {
  code: string;
  message: string;
  /** The HTTP status AWS answers this error with. */
  status: number;
}

/**
 * 200 answer. `authenticated: false` means the forwarded request failed SigV4 verification:
 * `error` carries AWS's code (SignatureDoesNotMatch, InvalidClientTokenId, ExpiredToken,
 * IncompleteSignature, MissingAuthenticationToken, AccessDenied for an expired presigned URL).
 */
export interface AuthorizeAnswer {
  requestId: string;
  authenticated: boolean;
  /** True when every (action, resource) is allowed. */
  allowed: boolean;
  /** Overall: allowed, else explicitDeny if any decision is one, else implicitDeny. */
  decision: DecisionName;
  principal?: PrincipalJson;
  decisions: DecisionJson[];
  error?: AwsErrorJson;
}

/** Answer of verify-identity: as GetCallerIdentity, plus the principal's facts. */
export interface IdentityAnswer {
  Account: string;
  Arn: string;
  UserId: string;
  principal: PrincipalJson;
  /** The audience the proof was bound to (x-k8s-aws-id / X-Vault-AWS-IAM-Server-ID), when signed. */
  audience?: string;
  /** When the proof stops being accepted. */
  expiresAt: string;
}

/** Vault's AWS auth method login data (iam_request_* are base64). */
export interface VaultLoginData {
  iam_http_request_method: string;
  iam_request_url: string;
  iam_request_body?: string;
  iam_request_headers: string;
}

/**
 * Either a token (an EKS-style `k8s-aws-v1.` token, or a presigned GetCallerIdentity URL as is)
 * with the cluster id its `x-k8s-aws-id` header was signed with, or Vault-style login data with
 * the `X-Vault-AWS-IAM-Server-ID` value it must have signed. When an audience is expected, the
 * proof must sign it. A token that signs x-k8s-aws-id needs `clusterId` (the value is not in the
 * token); Vault data carry their server id, which the answer reports when none is expected.
 */
export type VerifyIdentityRequest = { token: string; clusterId?: string } | (VaultLoginData & { serverId?: string });

/** Error answers (non-200) of both endpoints. */
export interface ErrorAnswer {
  requestId: string;
  error: AwsErrorJson;
}
