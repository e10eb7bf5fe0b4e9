/**
 * Types of the pure policy engine: the policy document model, the request to evaluate, and the
 * decision with its explanation. Names follow the AWS documentation:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

/** Where a policy sits in the evaluation; decides which elements are allowed. */
export type PolicyType =
  | 'identity' // inline or managed policy of a user, group or role
  | 'resource' // resource-based policy (bucket policy, queue policy...)
  | 'trust' // a role's trust policy: the resource policy of sts:AssumeRole*
  | 'boundary' // permissions boundary (a managed policy; grammar of identity policies)
  | 'session' // session policy passed to AssumeRole* / GetFederationToken
  | 'scp' // AWS Organizations service control policy
  | 'rcp'; // AWS Organizations resource control policy

export type Effect = 'Allow' | 'Deny';

/** 1-based line and column, as in the IAM simulator's StartPosition/EndPosition. */
export interface Position {
  Line: number;
  Column: number;
}
export interface Span {
  start: Position;
  end: Position;
}

/** A principal block: `"*"` or a map of principal type to values. */
export type PrincipalBlock =
  | { kind: 'any' }
  | {
      kind: 'map';
      AWS?: string[];
      Service?: string[];
      Federated?: string[];
      CanonicalUser?: string[];
    };

/** One condition: operator (with optional set qualifier and IfExists) applied to one key. */
export interface ConditionClause {
  /** The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  /** The key exactly as written, e.g. `aws:PrincipalTag/team`. */
  key: string;
  values: string[];
}

export interface Statement {
  Sid?: string;
  Effect: Effect;
  Principal?: PrincipalBlock;
  NotPrincipal?: PrincipalBlock;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionClause[];
  /** Index of the statement in the document (0-based). */
  index: number;
  /** Where the statement object sits in the source text, when parsed from text. */
  span?: Span;
}

export interface Policy {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: Statement[];
  /** True when the document's Statement was a single object rather than an array. */
  singleStatement?: boolean;
}

/** A problem with a document: AWS's error code and message plus where it is. */
export interface Diagnostic {
  code: 'MalformedPolicyDocument' | 'LimitExceeded';
  message: string;
  /** JSON path into the document, e.g. `Statement[1].Condition.StringEqualz`. */
  path: string;
  position?: Position;
  severity: 'error' | 'warning';
}

export type ParseResult =
  | { ok: true; policy: Policy; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

// ------------------------------------------------------------------------------ requests

/**
 * `aws:PrincipalType` values plus the non-AWS-account callers that appear in resource policies.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
export type PrincipalKind =
  | 'Account' // the account root user
  | 'User'
  | 'AssumedRole'
  | 'FederatedUser' // GetFederationToken session
  | 'Service' // an AWS service principal acting for a resource (ec2.amazonaws.com)
  | 'WebIdentity' // a caller of AssumeRoleWithWebIdentity / AssumeRoleWithSAML (Federated principal)
  | 'Anonymous';

export interface RequestPrincipal {
  type: PrincipalKind;
  /** Account that owns the principal (absent for services, web identities, anonymous). */
  account?: string;
  /** The request principal ARN: user ARN, assumed-role session ARN, federated-user ARN, root ARN. */
  arn?: string;
  /** Unique id: AIDA... for users, AROA...:session for role sessions, account:name for federated. */
  id?: string;
  /** AssumedRole: the role's ARN (with path) and unique id (AROA...). */
  roleArn?: string;
  roleId?: string;
  /** FederatedUser: the IAM user who called GetFederationToken. */
  userArn?: string;
  /** Service: the service principal name, e.g. `ec2.amazonaws.com`. */
  service?: string;
  /** WebIdentity: the provider as written in trust policies (OIDC provider ARN, `accounts.google.com`, SAML provider ARN). */
  provider?: string;
  /** Canonical user id (S3). */
  canonicalUser?: string;
}

/** A context value: a single value, or a list (multivalued key). Non-strings are stringified. */
export type ContextValue = string | number | boolean | Array<string | number | boolean>;

export interface EvaluationRequest {
  principal: RequestPrincipal;
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** Resource ARN, or `*` when the action has no resource. */
  resource: string;
  /** Account that owns the resource; defaults to the ARN's account, then the principal's. */
  resourceAccount?: string;
  /** Request context keys (names are case-insensitive). */
  context?: Record<string, ContextValue | undefined>;
}

/** The slots of a PolicySet (see policy-set.ts). */
export type PolicyKind = 'identity' | 'resource' | 'boundary' | 'session' | 'scp' | 'rcp';

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** Why a statement did not apply (explain mode). */
export type MismatchReason =
  | { element: 'Action' | 'NotAction' | 'Resource' | 'NotResource' | 'Principal' | 'NotPrincipal' }
  | { element: 'Condition'; operator: string; key: string; detail: string };

export interface StatementTrace {
  policyId: string;
  policyKind: PolicyKind;
  sourceType?: string;
  index: number;
  sid?: string;
  effect: Effect;
  matched: boolean;
  span?: Span;
  /** Why it did not apply (explain mode only). */
  reason?: MismatchReason;
  /** The statement itself (a reference into the parsed policy), for callers that describe it. */
  statement?: Statement;
}

export interface EvaluationResult {
  decision: Decision;
  /** The statements that decided: every matching Deny, or the identity and resource-policy Allows that granted. */
  matched: StatementTrace[];
  /** Every statement looked at (explain mode only). */
  trace?: StatementTrace[];
  /** Condition keys the relevant statements used that the request context lacked. */
  missingContextKeys?: string[];
  /** Per policy type: did it allow? (explain mode only) */
  details?: {
    identity?: Decision;
    resource?: Decision;
    boundary?: Decision;
    session?: Decision;
    scp?: Decision;
    rcp?: Decision;
    crossAccount: boolean;
    /** How the resource policy's grant was limited (see EVAL table "resource-based policies"). */
    resourceGrant?: 'standalone' | 'limited-by-boundary-and-session' | 'delegated-to-account' | 'none';
  };
  /**
   * For a denial, the policy type that caused it: the type of the first matching Deny, or the
   * first layer that did not allow (as AWS's AccessDenied messages name it).
   */
  deniedBy?: PolicyKind;
  /** A plain-language summary of why. */
  reason: string;
  /** Problems met while evaluating (bad data never throws). */
  diagnostics: Diagnostic[];
}
