/**
 * Types of the policy analyzer: findings with their locations and witnesses, lint options and
 * results. Finding locations use the shape of IAM Access Analyzer's ValidatePolicy
 * (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html):
 * a path of `{value: key}` / `{index: i}` / `{key: k}` elements and a span whose line starts at 1,
 * column at 0 and offset at 0.
 */
import type { ContextValue, PolicyType } from '../policy/index.js';

/** ValidatePolicy's finding types, most severe first. */
export type Severity = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';
export const SEVERITIES: readonly Severity[] = ['ERROR', 'SECURITY_WARNING', 'WARNING', 'SUGGESTION'];

/** One step into the JSON document: an object member's value, an array item, or a member's key. */
export type PathElement = { value: string } | { index: number } | { key: string };

export interface SpanPosition {
  /** 1-based line. */
  line: number;
  /** 0-based column (as ValidatePolicy reports it; text and SARIF output add 1). */
  column: number;
  /** 0-based character offset into the document. */
  offset: number;
}

export interface Location {
  path: PathElement[];
  /** Absent only when the document was given as a value rather than as text. */
  span?: { start: SpanPosition; end: SpanPosition };
}

/** The request a finding's witness describes: evaluated by the engine, it is allowed. */
export interface Witness {
  /** What kind of caller: `User`, `AssumedRole`, `Service`, `WebIdentity`, ... */
  principalType: string;
  /** The caller: principal ARN, service name, or identity provider. */
  principal: string;
  account?: string;
  action: string;
  /** The statement (0-based) whose Allow let the request through. */
  statement?: number;
  /**
   * The condition keys the policy reads, with the values this request carries; `null` means the
   * key is absent from the request context.
   */
  context: Record<string, ContextValue | null>;
}

export interface Finding {
  /** The finding id (ValidatePolicy's `issueCode`), e.g. `TRUST_ANY_PRINCIPAL`. */
  id: string;
  severity: Severity;
  message: string;
  locations: Location[];
  /** The AWS documentation page that defines the rule. */
  learnMoreLink: string;
  /** For findings decided by evaluating requests: one request that gets through. */
  witness?: Witness;
}

/** What the lint knows about the role a trust policy belongs to (all optional). */
export interface RoleFacts {
  /** The role's MaxSessionDuration in seconds. */
  maxSessionDuration?: number;
  /** The role's permission policies (identity policies), as JSON text or objects. */
  permissions?: Array<string | object>;
  /** The role's permissions boundary, if any. */
  boundary?: string | object;
}

export interface LintOptions {
  /** The policy type; detected from the document when absent. */
  type?: PolicyType;
  /** The account the policy belongs to: tells "own account" from "cross-account". */
  accountId?: string;
  /** More accounts inside the zone of trust (for example the other accounts of your organization). */
  trustedAccounts?: string[];
  /** Facts about the role (trust policies), for the MFA and session-duration findings. */
  role?: RoleFacts;
  /** Evaluations allowed per semantic question (default 3000; ten times that per document). */
  budget?: number;
}

export interface LintResult {
  type: PolicyType;
  /** True when the type was detected rather than given. */
  detected: boolean;
  findings: Finding[];
  /** Checks that could not run and why (e.g. no account id for cross-account checks). */
  notes: string[];
}
