/**
 * sts:AssumeRoleWithSAML: an unsigned call whose caller holds a SAML 2.0 authentication response
 * signed by the IdP an IAM SAML provider describes (Okta, Entra ID, ADFS, Keycloak, ...). The
 * response is checked (saml-response.ts), the assertion must offer the requested (role, provider)
 * pair in its Role attribute, and the role's trust policy is evaluated alone for a `Federated`
 * principal naming the provider, with the assertion as `saml:*` keys.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../domain/aws-error.js';
import type { Tag } from '../../store/ports.js';
import { parseSamlProviderArn } from '../iam/shared/saml.js';
import { parseSamlMetadata } from '../iam/shared/saml-metadata.js';
import { defineOperation } from '../operation.js';
import { assumeFederated, federatedCaller, federatedSourceIdentity } from './federated-session.js';
import { findRoleByArn, ROLE_ARN_RE } from './role-trust.js';
import { verifySamlResponse, type VerifiedSamlAssertion } from './saml-response.js';
import { resolveSessionTags } from './session-tags.js';

export interface AssumeRoleWithSAMLInput {
  RoleArn: string;
  PrincipalArn: string;
  SAMLAssertion: string;
  PolicyArns?: Array<{ arn?: string }>;
  Policy?: string;
  DurationSeconds?: number;
}

const ATTR = 'https://aws.amazon.com/SAML/Attributes/';
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;

/**
 * Attributes that become `saml:*` keys (IAM user guide, "Mapping SAML attributes to AWS trust
 * policy context keys"): the eduPerson and X.500 attributes, by OID.
 */
const ATTRIBUTE_KEYS: Readonly<Record<string, string>> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'saml:edupersonaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': 'saml:edupersonnickname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': 'saml:edupersonorgdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': 'saml:edupersonorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': 'saml:edupersonprimaryaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'saml:edupersonprincipalname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'saml:edupersonentitlement',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': 'saml:edupersonprimaryorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'saml:edupersonscopedaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'saml:edupersontargetedid',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': 'saml:edupersonassurance',
  'urn:oid:2.5.4.3': 'saml:cn',
  'urn:oid:2.5.4.42': 'saml:givenName',
  'urn:oid:2.5.4.4': 'saml:surname',
  'urn:oid:0.9.2342.19200300.100.1.3': 'saml:mail',
  'urn:oid:0.9.2342.19200300.100.1.1': 'saml:uid',
  'urn:oid:2.5.4.45': 'saml:x500UniqueIdentifier',
};

const notAuthorized = () => new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML');
const invalid = (message: string) => new AwsError('InvalidIdentityToken', message);

/** BASE64(SHA1(issuer + account + "/" + provider name)): the response's NameQualifier, `saml:namequalifier`. */
export function nameQualifier(issuer: string, accountId: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${accountId}/${providerName}`).digest('base64');
}

/** The Role attribute's values offer this (role, provider) pair, in either order. */
function offersRole(a: VerifiedSamlAssertion, roleArn: string, providerArn: string): boolean {
  for (const v of a.attributes.get(`${ATTR}Role`) ?? []) {
    const parts = v.split(',').map((s) => s.trim());
    if (parts.length === 2 && parts.includes(roleArn) && parts.includes(providerArn) && roleArn !== providerArn) return true;
  }
  return false;
}

/** Session tags from `PrincipalTag:K` attributes and the `TransitiveTagKeys` attribute. */
function assertionTags(a: VerifiedSamlAssertion): { tags: Tag[]; transitive: string[] } {
  const tags: Tag[] = [];
  for (const [name, values] of a.attributes) {
    if (!name.startsWith(`${ATTR}PrincipalTag:`)) continue;
    if (values.length !== 1) throw invalid(`The ${name} attribute must have exactly one value`);
    tags.push({ Key: name.slice(`${ATTR}PrincipalTag:`.length), Value: values[0] as string });
  }
  return { tags, transitive: a.attributes.get(`${ATTR}TransitiveTagKeys`) ?? [] };
}

export const assumeRoleWithSAML = defineOperation<AssumeRoleWithSAMLInput, Record<string, unknown>>({
  service: 'sts',
  name: 'AssumeRoleWithSAML',
  // Unsigned; the signed assertion is the credential and the trust policy the only policy.
  auth: 'none',
  resources: (input) => [input.RoleArn],
  async run(input, ctx) {
    const roleAccount = ROLE_ARN_RE.exec(input.RoleArn)?.[1];
    const named = parseSamlProviderArn(input.PrincipalArn);
    if (roleAccount === undefined || !named) throw new AwsError('ValidationError', 'Request ARN is invalid');
    const provider = named.accountId === roleAccount ? await ctx.store.samlProviders.get(named.accountId, named.name) : undefined;
    if (!provider) throw invalid("Specified provider doesn't exist");
    const now = ctx.clock.now();
    if (provider.validUntil <= now) throw invalid('The SAML provider has expired (its ValidUntil is past)');
    const metadata = parseSamlMetadata(provider.metadataDocument);
    if (!metadata) throw invalid('The SAML provider metadata could not be parsed');
    const a = verifySamlResponse(input.SAMLAssertion, metadata, now);

    const qualifier = nameQualifier(a.issuer, provider.accountId, provider.name);
    const caller = federatedCaller({ providerArn: provider.arn, accountId: provider.accountId, principalId: `${qualifier}:${a.subject}`, subject: a.subject, type: 'SAMLUser', identityProvider: qualifier });
    ctx.unsignedCaller = caller;

    const sessionName = a.attributes.get(`${ATTR}RoleSessionName`)?.[0];
    if (sessionName === undefined) throw invalid('RoleSessionName is required in AuthnResponse');
    if (!SESSION_NAME_RE.test(sessionName)) throw invalid('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
    const sourceIdentity = federatedSourceIdentity(a.attributes.get(`${ATTR}SourceIdentity`)?.[0]);
    if (!offersRole(a, input.RoleArn, provider.arn)) throw notAuthorized();
    const role = await findRoleByArn(ctx.store, input.RoleArn);
    if (!role) throw notAuthorized();

    const passed = assertionTags(a);
    const tags = resolveSessionTags(passed.tags, passed.transitive, undefined);
    const idpKeys: Record<string, string | string[]> = {
      'saml:aud': a.recipient,
      'saml:iss': a.issuer,
      'saml:sub': a.subject,
      'saml:sub_type': a.subjectTypeKey,
      'saml:namequalifier': qualifier,
    };
    for (const [name, values] of a.attributes) {
      const key = ATTRIBUTE_KEYS[name];
      if (key && values.length) idpKeys[key] = values.length === 1 ? (values[0] as string) : values;
    }
    const { session, packedPolicySize: packed } = await assumeFederated(ctx, {
      caller,
      role,
      action: 'sts:AssumeRoleWithSAML',
      idpKeys,
      sessionName,
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      tags,
      ...(input.DurationSeconds !== undefined ? { durationSeconds: input.DurationSeconds } : {}),
      // The session ends at DurationSeconds or at the assertion's SessionNotOnOrAfter, whichever is first.
      ...(a.sessionNotOnOrAfter ? { endsBy: Math.floor(a.sessionNotOnOrAfter.getTime() / 1000) } : {}),
      policies: input,
      providerArn: provider.arn,
      denied: notAuthorized,
    });
    const out: Record<string, unknown> = { Credentials: session.Credentials, AssumedRoleUser: session.AssumedRoleUser };
    if (packed !== undefined) out.PackedPolicySize = packed;
    out.Subject = a.subject;
    out.SubjectType = a.subjectType;
    out.Issuer = a.issuer;
    out.Audience = a.recipient;
    out.NameQualifier = qualifier;
    if (sourceIdentity !== undefined) out.SourceIdentity = sourceIdentity;
    return out;
  },
});
