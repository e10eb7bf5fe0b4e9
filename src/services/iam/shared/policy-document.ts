/**
 * Validate a policy document on write, as IAM does: grammar per policy type with AWS's
 * MalformedPolicyDocument messages, and the size quotas (non-whitespace characters) as
 * LimitExceeded. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import { AwsError } from '../../../domain/aws-error.js';
import { parsePolicy, policySize, type Policy, type PolicyType } from '../../../policy/index.js';

export const POLICY_SIZE_LIMITS = {
  managed: 6144,
  trust: 2048,
  userInlineTotal: 2048,
  groupInlineTotal: 5120,
  roleInlineTotal: 10240,
  session: 2048,
} as const;

/** Parses or throws the AWS error. `quota` names the limit for LimitExceeded messages. */
export function validatePolicyDocument(document: string, type: PolicyType, limit?: { max: number; quota: string }): Policy {
  if (limit && policySize(document) > limit.max) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for ${limit.quota}: ${limit.max}`);
  }
  const r = parsePolicy(document, { type });
  if (!r.ok) {
    const e = r.errors[0]!;
    if (e.code === 'LimitExceeded') throw new AwsError('LimitExceeded', e.message);
    throw new AwsError('MalformedPolicyDocument', e.message);
  }
  return r.policy;
}
