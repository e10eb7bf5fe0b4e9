/**
 * Request-level constraint checks from the IAM service model (length, pattern, range, required),
 * worded as IAM words its `ValidationError`s:
 *
 *   1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint:
 *   Member must satisfy regular expression pattern: [\w+=,.@-]+
 *
 * Several failures are joined with `; ` under "N validation errors detected". IAM leaves the value
 * out for some members (tags, tag keys, version ids: "Value at 'versionId' ..."), as recorded
 * against AWS; `showValue: false` reproduces that. The wire layer may validate the model first;
 * these checks keep operations correct when called directly and produce the same text.
 */
import { AwsError } from '../../../domain/aws-error.js';

export interface FieldRule {
  /** The member's wire name in lowerCamelCase, as IAM reports it (`roleName`, `maxSessionDuration`). */
  name: string;
  value: unknown;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  /** Full-match pattern and its text as the model writes it. */
  pattern?: { re: RegExp; text: string };
  minValue?: number;
  maxValue?: number;
  /** Allowed values of an enum member, in the model's order. */
  enumValues?: readonly string[];
  /** Default true; false for members IAM does not echo. */
  showValue?: boolean;
}

function describe(rule: FieldRule): string {
  if (rule.showValue === false) return `Value at '${rule.name}'`;
  return `Value '${String(rule.value)}' at '${rule.name}'`;
}

/**
 * Every constraint a member violates, in the order the wire layer (src/protocol/validate.ts) and
 * AWS report them: pattern, then length, then enum or range.
 */
function violations(rule: FieldRule): string[] {
  const v = rule.value;
  if (v === undefined || v === null) {
    return rule.required ? [`Value null at '${rule.name}' failed to satisfy constraint: Member must not be null`] : [];
  }
  const at = describe(rule);
  const out: string[] = [];
  const fail = (constraint: string) => out.push(`${at} failed to satisfy constraint: ${constraint}`);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail('Member must be an integer');
    if (rule.minValue !== undefined && v < rule.minValue) fail(`Member must have value greater than or equal to ${rule.minValue}`);
    if (rule.maxValue !== undefined && v > rule.maxValue) fail(`Member must have value less than or equal to ${rule.maxValue}`);
    return out;
  }
  if (rule.pattern && typeof v === 'string' && !rule.pattern.re.test(v)) fail(`Member must satisfy regular expression pattern: ${rule.pattern.text}`);
  const len = Array.isArray(v) ? v.length : typeof v === 'string' ? [...v].length : undefined;
  if (len !== undefined) {
    if (rule.minLength !== undefined && len < rule.minLength) fail(`Member must have length greater than or equal to ${rule.minLength}`);
    if (rule.maxLength !== undefined && len > rule.maxLength) fail(`Member must have length less than or equal to ${rule.maxLength}`);
  }
  if (rule.enumValues && typeof v === 'string' && !rule.enumValues.includes(v)) fail(`Member must satisfy enum value set: [${rule.enumValues.join(', ')}]`);
  return out;
}

/** Throws one ValidationError listing every failing member, or returns. */
export function checkFields(rules: FieldRule[]): void {
  const errors = rules.flatMap(violations);
  if (errors.length === 0) return;
  const n = errors.length;
  throw new AwsError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`);
}

/** Anchors a model pattern for a full match (the model's patterns are whole-value patterns). */
function p(text: string, flags = ''): { re: RegExp; text: string } {
  return { re: new RegExp(`^(?:${text})$`, flags), text };
}

// Patterns exactly as the IAM model (2010-05-08) writes them.
export const PATTERNS = {
  /** roleNameType, policyNameType, userNameType, groupNameType, instanceProfileNameType. */
  entityName: p('[\\w+=,.@-]+'),
  /** pathType: `/` or `/a/b/`. */
  path: { re: /^(?:\/|\/[\u0021-\u007E]+\/)$/, text: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  /** pathPrefixType (ListRoles, ListUsers...). */
  pathPrefix: { re: /^\/[\u0021-\u007F]*$/, text: '\\u002F[\\u0021-\\u007F]*' },
  /** policyPathType (CreatePolicy Path, ListPolicies/ListAttached*Policies PathPrefix). */
  policyPath: p('((/[A-Za-z0-9\\.,\\+@=_-]+)*)/'),
  /** roleDescriptionType. */
  roleDescription: { re: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  /** policyVersionIdType. */
  versionId: p('v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?'),
  /** serialNumberType (an MFA device's serial number: a virtual device's ARN). */
  serialNumber: p('[\\w+=/:,.@-]+'),
  /** markerType. */
  marker: { re: /^[\u0020-\u00FF]+$/, text: '[\\u0020-\\u00FF]+' },
  /** tagKeyType / tagValueType. */
  tagKey: { re: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  tagValue: { re: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
} as const;

// Common member rules.
export const rules = {
  roleName: (v: unknown, required = true): FieldRule => ({ name: 'roleName', value: v, required, minLength: 1, maxLength: 64, pattern: PATTERNS.entityName }),
  policyName: (v: unknown): FieldRule => ({ name: 'policyName', value: v, required: true, minLength: 1, maxLength: 128, pattern: PATTERNS.entityName }),
  path: (v: unknown): FieldRule => ({ name: 'path', value: v, minLength: 1, maxLength: 512, pattern: PATTERNS.path }),
  policyPath: (v: unknown): FieldRule => ({ name: 'path', value: v, minLength: 1, maxLength: 512, pattern: PATTERNS.policyPath }),
  /** Policy documents: the model's 1..131072; the grammar itself is the engine's to judge. */
  document: (name: string, v: unknown): FieldRule => ({ name, value: v, required: true, minLength: 1, maxLength: 131072, showValue: false }),
  arn: (name: string, v: unknown, required = true): FieldRule => ({ name, value: v, required, minLength: 20, maxLength: 2048 }),
  serialNumber: (v: unknown): FieldRule => ({ name: 'serialNumber', value: v, required: true, minLength: 9, maxLength: 256, pattern: PATTERNS.serialNumber }),
  versionId: (v: unknown): FieldRule => ({ name: 'versionId', value: v, required: true, pattern: PATTERNS.versionId, showValue: false }),
  marker: (v: unknown): FieldRule => ({ name: 'marker', value: v, minLength: 1, maxLength: 320, pattern: PATTERNS.marker }),
  maxItems: (v: unknown): FieldRule => ({ name: 'maxItems', value: v, minValue: 1, maxValue: 1000 }),
};

/** Marker + MaxItems rules for a paginated list operation. */
export function pageRules(input: { Marker?: unknown; MaxItems?: unknown }): FieldRule[] {
  return [rules.marker(input.Marker), rules.maxItems(input.MaxItems)];
}
