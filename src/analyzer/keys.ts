/**
 * What the analyzer knows about condition keys: their type, whether they can be absent, whether
 * they are multivalued, and which describe the caller. From the global condition keys page
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html) and
 * the IAM/STS keys page (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html).
 * Keys are compared lower-cased, as IAM compares key names.
 */

export type KeyType = 'string' | 'arn' | 'bool' | 'numeric' | 'date' | 'ip' | 'account';

const TYPES: Record<string, KeyType> = {
  'aws:principalarn': 'arn',
  'aws:principalaccount': 'account',
  'aws:sourcearn': 'arn',
  'aws:sourceaccount': 'account',
  'aws:resourceaccount': 'account',
  'aws:multifactorauthpresent': 'bool',
  'aws:securetransport': 'bool',
  'aws:viaawsservice': 'bool',
  'aws:principalisawsservice': 'bool',
  'aws:multifactorauthage': 'numeric',
  'aws:epochtime': 'numeric',
  'sts:durationseconds': 'numeric',
  'aws:currenttime': 'date',
  'aws:tokenissuetime': 'date',
  'aws:sourceip': 'ip',
  'aws:vpcsourceip': 'ip',
};

export function keyType(lower: string): KeyType {
  return TYPES[lower] ?? 'string';
}

/** Keys whose request value is a list (they need ForAnyValue/ForAllValues). */
const MULTI = new Set([
  'aws:tagkeys',
  'aws:principalservicenameslist',
  'aws:calledvia',
  'aws:principalorgpaths',
  'aws:sourceorgpaths',
  'aws:resourceorgpaths',
  'sts:transitivetagkeys',
  'cognito-identity.amazonaws.com:amr',
]);
export function isMultiValued(lower: string): boolean {
  return MULTI.has(lower) || lower.endsWith(':amr');
}

/** Keys present in every signed request (they never test as absent for an IAM caller). */
const ALWAYS_PRESENT = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principaltype',
  'aws:userid',
  'aws:currenttime',
  'aws:epochtime',
  'aws:securetransport',
  'aws:principalisawsservice',
  'aws:viaawsservice',
  'aws:requestedregion',
  'sts:rolesessionname',
]);
export function alwaysPresent(lower: string): boolean {
  // Identity-provider claims every token or assertion carries (audience, subject).
  return ALWAYS_PRESENT.has(lower) || /:(aud|sub|app_id|user_id)$/.test(lower);
}

/** Keys that describe who the caller is (the principal's own facts). */
export function isPrincipalKey(lower: string): boolean {
  return lower.startsWith('aws:principal') || lower === 'aws:userid' || lower === 'aws:username';
}

/** Keys that say who is calling or on whose behalf: `IfExists` on them in an Allow lets callers without them through. */
export function isIdentityKey(lower: string): boolean {
  return isPrincipalKey(lower) || lower === 'aws:sourceidentity' || lower.startsWith('aws:source') && lower !== 'aws:sourceip' && lower !== 'aws:sourcevpc' && lower !== 'aws:sourcevpce';
}

export function isMfaKey(lower: string): boolean {
  return lower === 'aws:multifactorauthpresent' || lower === 'aws:multifactorauthage';
}

export const MFA_PRESENT = 'aws:MultiFactorAuthPresent';
export const MFA_AGE = 'aws:MultiFactorAuthAge';
export const EXTERNAL_ID = 'sts:ExternalId';

/**
 * Services documented to put aws:SourceArn / aws:SourceAccount in the request when they assume a
 * role, so a trust policy can pin them (each service's "Cross-service confused deputy prevention"
 * page). Services that do not (EC2 instance roles, Lambda, API Gateway, Glue, Backup: prowler's
 * false-positive lessons, prowler-cloud/prowler#2810) are deliberately absent.
 */
export const SOURCE_KEY_SERVICES: ReadonlySet<string> = new Set([
  'bedrock.amazonaws.com',
  'batchoperations.s3.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
  'dms.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'events.amazonaws.com',
  'iot.amazonaws.com',
  'logs.amazonaws.com',
  'monitoring.rds.amazonaws.com',
  'personalize.amazonaws.com',
  'pipes.amazonaws.com',
  's3.amazonaws.com',
  'scheduler.amazonaws.com',
  'ssm.amazonaws.com',
  'states.amazonaws.com',
  'transfer.amazonaws.com',
  'vpc-flow-logs.amazonaws.com',
]);

const ARN_SERVICE: Record<string, string> = {
  'ecs-tasks': 'ecs',
  'vpc-flow-logs': 'ec2',
  'monitoring.rds': 'rds',
  'batchoperations.s3': 's3',
};
/** The ARN service prefix of a service principal's resources (`ecs-tasks.amazonaws.com` → `ecs`). */
export function arnServiceOf(servicePrincipal: string): string {
  const base = servicePrincipal.replace(/\.amazonaws\.com(\.cn)?$/, '');
  return ARN_SERVICE[base] ?? base.split('.')[0] ?? base;
}

/** Web identity providers AWS knows by name (AssumeRoleWithWebIdentity without an OIDC provider ARN). */
export const WELL_KNOWN_WEB_IDENTITY = new Set(['accounts.google.com', 'graph.facebook.com', 'www.amazon.com', 'cognito-identity.amazonaws.com']);

export type FederatedKind = 'saml' | 'oidc' | 'invalid';
export interface FederatedInfo {
  kind: FederatedKind;
  /** The prefix of the provider's condition keys: `token.actions.githubusercontent.com`, `accounts.google.com`, `saml`. */
  keyPrefix: string;
  /** The key naming the audience (client) the token was issued to. */
  audienceKey: string;
  /** The key naming the subject (the workload or user), when the provider has one worth pinning. */
  subjectKey?: string;
  github: boolean;
}

/**
 * Classify a `Federated` principal value: a SAML provider ARN, an OIDC provider ARN, or one of
 * the well-known web identity providers.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 */
export function classifyFederated(v: string): FederatedInfo {
  const m = /^arn:aws[\w-]*:iam::\d{12}:(saml-provider|oidc-provider)\/(.+)$/.exec(v);
  if (m && m[1] === 'saml-provider') return { kind: 'saml', keyPrefix: 'SAML', audienceKey: 'SAML:aud', github: false };
  if (m && m[1] === 'oidc-provider') {
    const host = m[2] as string;
    const github = host === 'token.actions.githubusercontent.com';
    return { kind: 'oidc', keyPrefix: host, audienceKey: `${host}:aud`, subjectKey: `${host}:sub`, github };
  }
  if (v === 'graph.facebook.com' || v === 'www.amazon.com') return { kind: 'oidc', keyPrefix: v, audienceKey: `${v}:app_id`, github: false };
  if (WELL_KNOWN_WEB_IDENTITY.has(v)) return { kind: 'oidc', keyPrefix: v, audienceKey: `${v}:aud`, github: false };
  return { kind: 'invalid', keyPrefix: v, audienceKey: `${v}:aud`, github: false };
}
