/**
 * The catalogue of finding ids: what each one means, its usual severity and the AWS page that
 * defines the rule (ValidatePolicy's `learnMoreLink`). The twelve trust-policy findings keep the
 * ids of the Rolecall trust-policy findings list verbatim; grammar problems found by the engine
 * carry JSON_SYNTAX_ERROR (as IAM Access Analyzer names it) or MALFORMED_POLICY_DOCUMENT (IAM's
 * error code, with IAM's message).
 */
import type { Severity } from './types.js';

const IAM = 'https://docs.aws.amazon.com/IAM/latest/UserGuide';

export interface FindingSpec {
  id: string;
  title: string;
  severity: Severity;
  learnMoreLink: string;
}

export const FINDINGS = {
  TRUST_ANY_PRINCIPAL: {
    title: 'Role assumable by principals outside every known account',
    severity: 'SECURITY_WARNING',
    learnMoreLink: `${IAM}/reference_policies_elements_principal.html#principal-anonymous`,
  },
  CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID: {
    title: 'Cross-account trust without a fixed external id',
    severity: 'SECURITY_WARNING',
    learnMoreLink: `${IAM}/id_roles_create_for-user_externalid.html`,
  },
  SERVICE_TRUST_WITHOUT_SOURCE: {
    title: 'Service principal without aws:SourceAccount / aws:SourceArn (confused deputy)',
    severity: 'SECURITY_WARNING',
    learnMoreLink: `${IAM}/confused-deputy.html#cross-service-confused-deputy-prevention`,
  },
  OIDC_UNRESTRICTED_SUBJECT: {
    title: 'OIDC principal without audience or subject restriction',
    severity: 'SECURITY_WARNING',
    learnMoreLink: `${IAM}/id_roles_create_for-idp_oidc.html`,
  },
  ACCOUNT_ROOT_TRUST_UNSCOPED: {
    title: 'Account principal not narrowed to specific principals',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/reference_policies_elements_principal.html#principal-accounts`,
  },
  NOTPRINCIPAL_IN_TRUST: {
    title: 'NotPrincipal in a trust policy, or Allow with NotPrincipal',
    severity: 'ERROR',
    learnMoreLink: `${IAM}/reference_policies_elements_notprincipal.html`,
  },
  SENSITIVE_ROLE_WITHOUT_MFA: {
    title: 'Privileged role assumable by people without MFA',
    severity: 'SECURITY_WARNING',
    learnMoreLink: `${IAM}/id_credentials_mfa_configure-api-require.html`,
  },
  MFA_CONDITION_BYPASSABLE: {
    title: 'MFA condition that can be bypassed',
    severity: 'SECURITY_WARNING',
    learnMoreLink: `${IAM}/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent`,
  },
  TRUST_PERMISSION_CONFUSION: {
    title: 'Trust policy and permission policy elements mixed up',
    severity: 'ERROR',
    learnMoreLink: `${IAM}/id_roles_terms-and-concepts.html#iam-term-trust-policy`,
  },
  FEDERATION_ACTION_MISMATCH: {
    title: 'Federated principal and action do not fit',
    severity: 'ERROR',
    learnMoreLink: `${IAM}/id_roles_create_for-idp_saml.html`,
  },
  EXCESSIVE_SESSION_DURATION: {
    title: 'MaxSessionDuration above one hour where it should not be',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/id_roles_update-role-settings.html#id_roles_update-session-duration`,
  },
  CONDITION_OPERATOR_PITFALL: {
    title: 'Condition that does not mean what it looks like',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/reference_policies_elements_condition_operators.html`,
  },
  ORPHANED_OR_REDUNDANT_PRINCIPAL: {
    title: 'Deleted, redundant or duplicated principal or statement',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/reference_policies_elements_principal.html#principal-roles`,
  },
  TAG_SESSION_UNCONSTRAINED: {
    title: 'Session tags settable by external principals without limits',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/id_session-tags.html`,
  },
  TRUST_SIZE_NEAR_QUOTA: {
    title: 'Trust policy at or over the size quota',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/reference_iam-quotas.html#reference_iam-quotas-entity-length`,
  },
  JSON_SYNTAX_ERROR: {
    title: 'The document is not JSON',
    severity: 'ERROR',
    learnMoreLink: `${IAM}/reference_policies_grammar.html`,
  },
  MALFORMED_POLICY_DOCUMENT: {
    title: 'IAM rejects the document (MalformedPolicyDocument)',
    severity: 'ERROR',
    learnMoreLink: `${IAM}/reference_policies_grammar.html`,
  },
  POLICY_GRAMMAR_WARNING: {
    title: 'Element IAM accepts but ignores',
    severity: 'WARNING',
    learnMoreLink: `${IAM}/reference_policies_elements.html`,
  },
} as const satisfies Record<string, Omit<FindingSpec, 'id'>>;

export type FindingId = keyof typeof FINDINGS;
export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

/** The twelve trust-policy findings of the findings list (thirteen ids: #7 has two), verbatim. */
export const TRUST_FINDING_IDS: readonly FindingId[] = [
  'TRUST_ANY_PRINCIPAL',
  'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID',
  'SERVICE_TRUST_WITHOUT_SOURCE',
  'OIDC_UNRESTRICTED_SUBJECT',
  'ACCOUNT_ROOT_TRUST_UNSCOPED',
  'NOTPRINCIPAL_IN_TRUST',
  'SENSITIVE_ROLE_WITHOUT_MFA',
  'MFA_CONDITION_BYPASSABLE',
  'TRUST_PERMISSION_CONFUSION',
  'FEDERATION_ACTION_MISMATCH',
  'EXCESSIVE_SESSION_DURATION',
  'CONDITION_OPERATOR_PITFALL',
  'ORPHANED_OR_REDUNDANT_PRINCIPAL',
];

export function findingSpec(id: FindingId): FindingSpec {
  return { id, ...FINDINGS[id] };
}

const RANK: Record<Severity, number> = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 };
export function severityRank(s: Severity): number {
  return RANK[s];
}
/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return RANK[s] <= RANK[threshold];
}
