/**
 * access-analyzer:ValidatePolicy: Rolecall's policy analyzer behind IAM Access Analyzer's API, so
 * `aws accessanalyzer validate-policy` and the SDKs work against Rolecall. Findings are the
 * analyzer's (issueCode = finding id); the caller's account is the policy's owner account, so
 * cross-account trust is told from the caller's own.
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
 */
import { validatePolicy, type ValidatePolicyFinding, type ValidatePolicyType } from '../../analyzer/index.js';
import { AwsError } from '../../domain/aws-error.js';
import { defineOperation } from '../operation.js';

export interface ValidatePolicyInput {
  policyDocument: string;
  policyType: ValidatePolicyType;
  validatePolicyResourceType?: string;
  locale?: string;
  maxResults?: number;
  nextToken?: string;
}

const token = (offset: number) => Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
function offsetOf(t: string | undefined): number {
  if (t === undefined) return 0;
  try {
    const o = (JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw new AwsError('ValidationError', 'Invalid pagination token.');
}

export const validatePolicyOperation = defineOperation<ValidatePolicyInput, { findings: ValidatePolicyFinding[]; nextToken?: string }>({
  service: 'accessanalyzer',
  name: 'ValidatePolicy',
  action: 'access-analyzer:ValidatePolicy',
  resources: () => ['*'],
  async run(input, ctx) {
    const offset = offsetOf(input.nextToken);
    if (input.maxResults !== undefined && input.maxResults < 1) throw new AwsError('ValidationError', 'maxResults must be at least 1.');
    const opts: { resourceType?: string; accountId?: string } = {};
    if (input.validatePolicyResourceType) opts.resourceType = input.validatePolicyResourceType;
    if (ctx.caller?.accountId) opts.accountId = ctx.caller.accountId;
    const all = validatePolicy(input.policyDocument, input.policyType, opts);
    const end = input.maxResults === undefined ? all.length : Math.min(all.length, offset + input.maxResults);
    const out: { findings: ValidatePolicyFinding[]; nextToken?: string } = { findings: all.slice(offset, end) };
    if (end < all.length) out.nextToken = token(end);
    return out;
  },
});
