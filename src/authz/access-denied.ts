/**
 * AWS's AccessDenied message shape. The prefix is "User:" for every principal type, as AWS writes it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
import { AwsError } from '../domain/aws-error.js';
import type { EvaluationResult, PolicyKind } from '../policy/index.js';

const KIND_NAME: Record<PolicyKind, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
};

export function accessDeniedMessage(principalArn: string, action: string, resource: string, result: Pick<EvaluationResult, 'decision' | 'deniedBy'>): string {
  const kind = KIND_NAME[result.deniedBy ?? 'identity'];
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  return result.decision === 'explicitDeny' ? `${head} with an explicit deny in ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}` : `${head} because no ${kind} allows the ${action} action`;
}

export function accessDenied(principalArn: string, action: string, resource: string, result: Pick<EvaluationResult, 'decision' | 'deniedBy'>): AwsError {
  return new AwsError('AccessDenied', accessDeniedMessage(principalArn, action, resource, result));
}
