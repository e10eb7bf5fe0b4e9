/**
 * The lint as IAM Access Analyzer's ValidatePolicy answers it
 * (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html):
 * policy types mapped to the analyzer's, findings as `ValidatePolicyFinding`s whose `issueCode`
 * is the finding id.
 */
import type { PolicyType } from '../policy/index.js';
import { lintPolicy } from './lint.js';
import type { Finding, PathElement, SpanPosition } from './types.js';

export type ValidatePolicyType = 'IDENTITY_POLICY' | 'RESOURCE_POLICY' | 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export interface ValidatePolicyFinding {
  findingDetails: string;
  findingType: Finding['severity'];
  issueCode: string;
  learnMoreLink: string;
  locations: Array<{ path: PathElement[]; span: { start: SpanPosition; end: SpanPosition } }>;
}

/** ValidatePolicy's policyType (and resource type) as the analyzer's policy type. */
export function policyTypeOf(policyType: ValidatePolicyType, resourceType?: string): PolicyType {
  switch (policyType) {
    case 'IDENTITY_POLICY':
      return 'identity';
    case 'SERVICE_CONTROL_POLICY':
      return 'scp';
    case 'RESOURCE_CONTROL_POLICY':
      return 'rcp';
    default:
      return resourceType === 'AWS::IAM::AssumeRolePolicyDocument' ? 'trust' : 'resource';
  }
}

const ORIGIN: SpanPosition = { line: 1, column: 0, offset: 0 };

export function toValidatePolicyFinding(f: Finding): ValidatePolicyFinding {
  return {
    findingDetails: f.message,
    findingType: f.severity,
    issueCode: f.id,
    learnMoreLink: f.learnMoreLink,
    locations: f.locations.map((l) => ({ path: l.path, span: l.span ?? { start: ORIGIN, end: ORIGIN } })),
  };
}

/** Every ValidatePolicy finding for a document, for the policy's owner account. */
export function validatePolicy(document: string, policyType: ValidatePolicyType, opts: { resourceType?: string; accountId?: string } = {}): ValidatePolicyFinding[] {
  const r = lintPolicy(document, { type: policyTypeOf(policyType, opts.resourceType), ...(opts.accountId ? { accountId: opts.accountId } : {}) });
  return r.findings.map(toValidatePolicyFinding);
}
