/**
 * A development SAML 2.0 identity provider: what Okta, Entra ID or ADFS are to AWS, as files on
 * your machine. `initDevSamlIdp` makes a signing key and certificate and writes the IdP's metadata
 * (for CreateSAMLProvider); `devSamlResponse` signs an authentication response for AWS (base64,
 * for AssumeRoleWithSAML's SAMLAssertion), with the attributes AWS reads: Role, RoleSessionName,
 * PrincipalTag:*, TransitiveTagKeys, SourceIdentity.
 *
 * Not for production: whoever can read the directory can sign assertions for anyone.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

const ATTR = 'https://aws.amazon.com/SAML/Attributes/';

function paths(dir: string) {
  return { key: join(dir, 'saml-signing-key.pem'), cert: join(dir, 'saml-signing-cert.pem'), idp: join(dir, 'saml-idp.json'), metadata: join(dir, 'saml-metadata.xml') };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

/** The IdP's metadata document for its entity id and certificate. */
export function samlMetadataXml(entityId: string, certPem: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(entityId)}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>${certBody(certPem)}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.invalid/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

/** Makes the key, certificate and metadata (unless they exist for this entity id); returns the metadata's path. */
export async function initDevSamlIdp(dir: string, entityId: string): Promise<{ entityId: string; metadataFile: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = paths(dir);
  if (existsSync(p.idp) && (JSON.parse(readFileSync(p.idp, 'utf8')) as { entityId: string }).entityId === entityId) return { entityId, metadataFile: p.metadata };
  const pems = await generate([{ name: 'commonName', value: 'rolecall-dev-saml-idp' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256', notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000) });
  writeFileSync(p.key, pems.private, { mode: 0o600 });
  chmodSync(p.key, 0o600);
  writeFileSync(p.cert, pems.cert);
  writeFileSync(p.metadata, samlMetadataXml(entityId, pems.cert));
  writeFileSync(p.idp, JSON.stringify({ entityId }, null, 2) + '\n');
  return { entityId, metadataFile: p.metadata };
}

export interface DevSamlResponseOptions {
  /** NameID. */
  subject: string;
  /** NameID Format (default persistent). */
  nameIdFormat?: string;
  /** The Role attribute: each `roleArn,providerArn`. */
  roles: Array<{ roleArn: string; providerArn: string }>;
  /** The RoleSessionName attribute (omitted when undefined). */
  sessionName?: string;
  /** More attributes, by name (e.g. `https://aws.amazon.com/SAML/Attributes/PrincipalTag:team`). */
  attributes?: Record<string, string[]>;
  /** Default https://signin.aws.amazon.com/saml. */
  recipient?: string;
  /** Default urn:amazon:webservices. */
  audience?: string;
  /** Issue time (default now). */
  now?: Date;
  /** Seconds the assertion may be presented (default 300). */
  validSeconds?: number;
  /** AuthnStatement SessionNotOnOrAfter, when given. */
  sessionNotOnOrAfter?: Date;
  /** What the signature covers (default the Assertion). */
  sign?: 'assertion' | 'response';
  /** Another Issuer than the IdP's entity id. */
  issuer?: string;
}

function iso(d: Date): string {
  return d.toISOString();
}

/** A signed SAML response for AWS, base64-encoded (AssumeRoleWithSAML's SAMLAssertion). */
export function devSamlResponse(dir: string, opts: DevSamlResponseOptions): string {
  const p = paths(dir);
  const { entityId } = JSON.parse(readFileSync(p.idp, 'utf8')) as { entityId: string };
  const issuer = opts.issuer ?? entityId;
  const now = opts.now ?? new Date();
  const until = new Date(now.getTime() + (opts.validSeconds ?? 300) * 1000);
  const recipient = opts.recipient ?? 'https://signin.aws.amazon.com/saml';
  const attrs: Record<string, string[]> = { [`${ATTR}Role`]: opts.roles.map((r) => `${r.roleArn},${r.providerArn}`) };
  if (opts.sessionName !== undefined) attrs[`${ATTR}RoleSessionName`] = [opts.sessionName];
  Object.assign(attrs, opts.attributes ?? {});
  const attributeXml = Object.entries(attrs)
    .map(([name, values]) => `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
    .join('');
  const responseId = `_${randomUUID()}`;
  const assertionId = `_${randomUUID()}`;
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(recipient)}">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${esc(opts.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${esc(opts.subject)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(until)}" Recipient="${esc(recipient)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(new Date(now.getTime() - 5000))}" NotOnOrAfter="${iso(until)}"><saml:AudienceRestriction><saml:Audience>${esc(opts.audience ?? 'urn:amazon:webservices')}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${assertionId}"${opts.sessionNotOnOrAfter ? ` SessionNotOnOrAfter="${iso(opts.sessionNotOnOrAfter)}"` : ''}><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`;
  const whole = opts.sign === 'response';
  const target = whole ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  const sig = new SignedXml({
    privateKey: readFileSync(p.key),
    publicCert: readFileSync(p.cert),
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({ xpath: target, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  sig.computeSignature(xml, { location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return Buffer.from(sig.getSignedXml(), 'utf8').toString('base64');
}
