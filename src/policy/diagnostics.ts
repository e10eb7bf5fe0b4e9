/**
 * The MalformedPolicyDocument messages IAM returns, worded as AWS words them, in one place.
 * AWS's messages carry no location; ours add the JSON path and line/column in separate fields
 * so that the message text stays what SDK users already match on.
 */
import type { Diagnostic, Position } from './types.js';

export const MSG = {
  invalidJson: 'This policy contains invalid Json',
  syntax: 'Syntax errors in policy.',
  invalidChars: 'The policy contains invalid characters.',
  version: 'The policy must contain a valid version string',
  missingStatement: 'Missing required field Statement',
  missingEffect: 'Missing required field Effect',
  badEffect: (v: string) => `Invalid effect: ${v}`,
  missingAction: 'Policy statement must contain actions.',
  missingResource: 'Policy statement must contain resources.',
  missingPrincipal: 'Missing required field Principal',
  principalInIdentity: 'Policy document should not specify a principal.',
  prohibited: (field: string) => `Has prohibited field ${field}`,
  actionVendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  actionVendorWildcard: (a: string) => `Action vendors cannot contain wildcards: ${a}`,
  resourceArn: (r: string) => `Resource ${r} must be in ARN format or "*".`,
  resourceVendorWildcard: (r: string) => `Resource vendor must be fully qualified and cannot contain regexes: ${r}`,
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
  invalidPrincipalType: (type: string) => `Invalid principal in policy: unknown principal type ${type}`,
  // AWS's words for `"Principal": {}` or `{"AWS": []}` (e.g. Terraform with an empty identifier
  // list): hashicorp/terraform-provider-aws#7756, terraform-aws-modules/terraform-aws-iam#47.
  noPrincipals: 'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  conditionType: (op: string) => `Invalid Condition type : ${op}`,
  conditionKeyEmpty: 'Condition key must not be empty.',
  conditionValue: (op: string, key: string, v: string) => `Invalid value for condition ${op} on key ${key}: ${v}`,
  sidUnique: 'Statement IDs (SID) in a single policy must be unique.',
  sidChars: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  idInIdentity: 'Has prohibited field Id',
  sizeLimit: (limit: number) => `Cannot exceed quota for PolicySize: ${limit}`,
  empty: 'Policy document must not be empty.',
} as const;

export function malformed(message: string, path: string, position?: Position, severity: 'error' | 'warning' = 'error'): Diagnostic {
  const d: Diagnostic = { code: 'MalformedPolicyDocument', message, path, severity };
  if (position) d.position = position;
  return d;
}
