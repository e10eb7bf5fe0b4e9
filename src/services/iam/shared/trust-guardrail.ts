/**
 * The optional trust guardrail (`--trust-guardrail=error|security`, ROLECALL_TRUST_GUARDRAIL):
 * CreateRole and UpdateAssumeRolePolicy refuse a trust policy whose analyzer findings reach the
 * level, with a MalformedPolicyDocument error naming the finding. Off by default: AWS accepts
 * such policies, and Rolecall does too unless asked.
 */
import { atLeast, lintPolicy } from '../../../analyzer/index.js';
import { AwsError } from '../../../domain/aws-error.js';
import type { OperationContext } from '../../operation.js';

export function enforceTrustGuardrail(ctx: OperationContext, document: string, accountId: string, maxSessionDuration?: number): void {
  const level = ctx.trustGuardrail;
  if (!level) return;
  const threshold = level === 'error' ? 'ERROR' : 'SECURITY_WARNING';
  const r = lintPolicy(document, { type: 'trust', accountId, ...(maxSessionDuration !== undefined ? { role: { maxSessionDuration } } : {}) });
  const f = r.findings.find((x) => atLeast(x.severity, threshold));
  if (f) throw new AwsError('MalformedPolicyDocument', `Refused by the trust guardrail (--trust-guardrail=${level}): ${f.id}: ${f.message}`);
}
