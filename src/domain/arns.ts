/**
 * ARN builders for IAM and STS entities. IAM ARNs have an empty region; the path sits between the
 * entity type and its name.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
export const PARTITION = 'aws';

/**
 * ARN syntax, `arn:partition:service:region:account:resource`, with a partition, a service and a
 * resource (STS answers "X is invalid" for one without: recorded AWS responses).
 */
export function isArn(s: unknown): s is string {
  return typeof s === 'string' && /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/s.test(s);
}

export type IamEntityType = 'user' | 'group' | 'role' | 'policy' | 'instance-profile' | 'mfa' | 'saml-provider' | 'oidc-provider';

export function iamArn(account: string, type: IamEntityType, path: string, name: string): string {
  return `arn:${PARTITION}:iam::${account}:${type}${path}${name}`;
}

export function rootArn(account: string): string {
  return `arn:${PARTITION}:iam::${account}:root`;
}

export function assumedRoleArn(account: string, roleName: string, sessionName: string): string {
  return `arn:${PARTITION}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

export function federatedUserArn(account: string, name: string): string {
  return `arn:${PARTITION}:sts::${account}:federated-user/${name}`;
}

/** IAM paths: `/` or `/a/b/`; 1..512 characters of U+0021..U+007E. */
export const PATH_RE = /^(\u002F)|(\u002F[\u0021-\u007E]+\u002F)$/;
export function isValidPath(p: string): boolean {
  return p.length >= 1 && p.length <= 512 && p.startsWith('/') && p.endsWith('/') && /^[\u0021-\u007E]+$/.test(p);
}
