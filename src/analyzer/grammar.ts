/**
 * The engine's grammar diagnostics as findings. Most keep IAM's MalformedPolicyDocument message
 * under MALFORMED_POLICY_DOCUMENT; those that are one of the trust-policy mistakes get that
 * finding's id (NotPrincipal in a trust policy, Resource in a trust policy, non-STS actions, a
 * Principal in a permission policy, NullIfExists, a bad federated principal). Also: the type
 * detection and the repair that lets semantic checks run on a trust policy IAM would reject for
 * one of those mistakes.
 */
import { POLICY_MESSAGES as MSG, type Diagnostic, type PolicyType } from '../policy/index.js';
import type { FindingId } from './findings.js';

export interface GrammarMapping {
  id: FindingId;
  message: string;
}

const explain: Array<[(m: string) => boolean, FindingId, (m: string) => string]> = [
  [(m) => m === MSG.invalidJson, 'JSON_SYNTAX_ERROR', (m) => `${m}.`],
  [(m) => m === MSG.prohibited('NotPrincipal'), 'NOTPRINCIPAL_IN_TRUST', (m) => `IAM rejects this trust policy: "${m}". NotPrincipal is not allowed in role trust policies; name the principals that may assume the role.`],
  [
    (m) => m === MSG.prohibited('Resource') || m === MSG.prohibited('NotResource'),
    'TRUST_PERMISSION_CONFUSION',
    (m) => `IAM rejects this trust policy: "${m}". A trust policy says who may assume the role (its resource is the role itself); what the role may do belongs in its permission policies.`,
  ],
  [(m) => m === MSG.trustActions, 'TRUST_PERMISSION_CONFUSION', (m) => `IAM rejects this trust policy: "${m}". Permissions such as s3:* belong in the role's permission policies, not in its trust policy.`],
  [(m) => m === MSG.principalInIdentity, 'TRUST_PERMISSION_CONFUSION', (m) => `IAM rejects this permission policy: "${m}". Principal belongs in trust and resource policies; in a permission policy the principal is whoever the policy is attached to.`],
  [(m) => /^Invalid Condition type : (ForAnyValue:|ForAllValues:)?NullIfExists$/.test(m), 'CONDITION_OPERATOR_PITFALL', (m) => `IAM rejects this policy: "${m}". Null already says what happens when the key is absent; it has no IfExists form.`],
  [(m) => m.startsWith('Invalid principal in policy: "Federated"'), 'FEDERATION_ACTION_MISMATCH', (m) => `IAM rejects this policy: "${m}". A federated principal is a SAML or OIDC provider ARN, or a well-known web identity provider.`],
  [(m) => /^Invalid value for condition (ForAnyValue:|ForAllValues:)?(Bool|Null)(IfExists)? /.test(m), 'CONDITION_OPERATOR_PITFALL', (m) => `${m}: IAM accepts it, but the condition never matches (Bool and Null take "true" or "false").`],
];

export function mapDiagnostic(d: Diagnostic): GrammarMapping {
  for (const [test, id, text] of explain) if (test(d.message)) return { id, message: text(d.message) };
  if (d.severity === 'warning') return { id: 'POLICY_GRAMMAR_WARNING', message: d.message };
  return { id: 'MALFORMED_POLICY_DOCUMENT', message: `IAM rejects this policy: "${d.message}"` };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * The policy type of a document, when not given: a Principal makes it a trust or resource
 * policy; a trust policy when its actions are STS actions or it has no Resource.
 */
export function detectType(raw: unknown): PolicyType {
  if (!isObject(raw)) return 'identity';
  const list = Array.isArray(raw.Statement) ? raw.Statement : raw.Statement !== undefined ? [raw.Statement] : [];
  const sts = list.filter(isObject);
  if (!sts.some((s) => 'Principal' in s || 'NotPrincipal' in s)) return 'identity';
  const actions = sts.flatMap((s) => strings(s.Action ?? s.NotAction));
  const stsOnly = actions.length > 0 && actions.every((a) => a === '*' || a.toLowerCase().startsWith('sts:'));
  const hasResource = sts.some((s) => 'Resource' in s || 'NotResource' in s);
  return stsOnly || !hasResource ? 'trust' : 'resource';
}

/** Stands in for a statement the semantic checks must ignore: it matches no real action. */
const NEUTRAL_TRUST = { Effect: 'Deny', Principal: '*', Action: 'sts:RolecallNeutralizedStatement' };

/**
 * A copy of the document without the elements IAM rejects for the mistakes above (Resource in a
 * trust policy, non-STS actions, NotPrincipal statements, Principal in a permission policy), so
 * that the semantic checks still run. Statement indexes are kept.
 */
export function repair(raw: unknown, type: PolicyType): { doc: Json; neutralized: Set<number> } | undefined {
  if (!isObject(raw) || raw.Statement === undefined) return undefined;
  const single = !Array.isArray(raw.Statement);
  const list = single ? [raw.Statement] : (raw.Statement as unknown[]);
  const neutralized = new Set<number>();
  const trust = type === 'trust';
  const fixed = list.map((st, i) => {
    if (!isObject(st)) return st;
    const s: Json = { ...st };
    if (trust) {
      delete s.Resource;
      delete s.NotResource;
      if ('NotPrincipal' in s) {
        neutralized.add(i);
        return NEUTRAL_TRUST;
      }
      for (const key of ['Action', 'NotAction']) {
        if (!(key in s)) continue;
        const kept = strings(s[key]).filter((a) => a === '*' || a.toLowerCase().startsWith('sts:'));
        if (!kept.length) {
          neutralized.add(i);
          return NEUTRAL_TRUST;
        }
        s[key] = kept;
      }
    } else if (type === 'identity' || type === 'boundary' || type === 'session' || type === 'scp') {
      delete s.Principal;
      delete s.NotPrincipal;
    }
    return s;
  });
  return { doc: { ...raw, Statement: single ? fixed[0] : fixed }, neutralized };
}
