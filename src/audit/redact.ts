/**
 * requestParameters / responseElements: an operation's input or output in CloudTrail's shape
 * (members lower-camel-cased as CloudTrail writes them, `roleArn`, `sAMLAssertionID`; dates in
 * the Java-style text CloudTrail shows, "Jul 18, 2014 3:07:39 PM"), with every secret removed.
 *
 * INVARIANT: a member named in SECRET_MEMBERS never reaches an event, in any nesting: no secret
 * access key, session token, TOTP code, password, private key, MFA seed or QR code, SAML
 * assertion or web identity token. CloudTrail itself leaves `tokenCode` out of AssumeRole's
 * requestParameters (IAM user guide, "Example cross-account AWS STS API events"). A test checks
 * that every member the AWS models mark sensitive is listed here.
 */

/** Secret-bearing members (input and output), by their AWS (PascalCase) member name. */
export const SECRET_MEMBERS: ReadonlySet<string> = new Set([
  // Sensitive in the IAM and STS models.
  'SecretAccessKey',
  'Password',
  'OldPassword',
  'NewPassword',
  'PrivateKey',
  'AddPrivateKey',
  'Base32StringSeed',
  'QRCodePNG',
  'ServicePassword',
  'ServiceCredentialSecret',
  'SAMLAssertion',
  'WebIdentityToken',
  'TradeInToken',
  // Sensitive in the Access Analyzer model (camelCase members): the policy a caller validates is
  // shown as hidden, as CloudTrail does for sensitive members.
  'policyDocument',
  'newPolicyDocument',
  'existingPolicyDocument',
  // Not marked sensitive in the models, secret all the same.
  'SessionToken',
  'TokenCode',
  'AuthenticationCode1',
  'AuthenticationCode2',
]);

export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Jul 18, 2014 3:07:39 PM" (UTC): how CloudTrail renders dates inside responseElements. */
export function cloudTrailDate(d: Date): string {
  const h = d.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}

/**
 * `value` in CloudTrail's shape; the string values of secret members are added to `secrets`
 * (so error messages can be scrubbed of them too). Blobs are left out: the only blobs IAM and
 * STS carry are secrets (MFA seed, QR code).
 */
export function toCloudTrailShape(value: unknown, secrets?: string[]): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return cloudTrailDate(value);
  if (value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const c = toCloudTrailShape(v, secrets);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_MEMBERS.has(k)) {
        if (secrets && typeof v === 'string' && v.length > 0) secrets.push(v);
        continue;
      }
      const c = toCloudTrailShape(v, secrets);
      if (c !== undefined) out[lowerFirst(k)] = c;
    }
    return out;
  }
  return value;
}

/** A structure for requestParameters / responseElements: `null` when nothing is left. */
export function cloudTrailElements(value: unknown, secrets?: string[]): Record<string, unknown> | null {
  const c = toCloudTrailShape(value, secrets);
  return c !== undefined && c !== null && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length > 0 ? (c as Record<string, unknown>) : null;
}

/**
 * Removes secret values from free text (an error message may echo an input, as a validation
 * error does: "Value '12345' at 'tokenCode' failed to satisfy constraint"). Values shorter than
 * four characters are left alone: they carry no secret and would mangle the text.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(ECHOED_SECRET, (_m, member: string) => `Value '${HIDDEN}' at '${member}'`);
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join(HIDDEN);
  return out;
}

/**
 * A validation error naming a secret member, "Value '12345' at 'tokenCode' failed to satisfy
 * constraint": the request did not parse, so there is no decoded input to take the value from.
 */
const ECHOED_SECRET = new RegExp(`Value '[^']*' at '((?:[\\w]+\\.)*(?:${[...SECRET_MEMBERS].map((m) => m[0]!.toLowerCase() + m.slice(1)).join('|')}))'`, 'g');
