/**
 * SAML 2.0 metadata documents (CreateSAMLProvider / UpdateSAMLProvider): the IdP's entity id and
 * the certificates its assertions are signed with.
 * https://docs.oasis-open.org/security/saml/v2.0/saml-metadata-2.0-os.pdf
 *
 * What is accepted: a well-formed, namespace-aware XML document (no DOCTYPE: no DTDs, no entity
 * declarations, so no entity expansion or external fetch can happen) whose root element is
 * md:EntityDescriptor with a non-empty entityID, holding an md:IDPSSODescriptor with at least one
 * md:KeyDescriptor whose `use` is "signing" or absent and which carries a ds:X509Certificate that
 * node:crypto parses. Encryption-only keys are not signing keys. An EntitiesDescriptor (a
 * federation's aggregate) is not accepted: IAM takes one IdP's metadata.
 */
import { X509Certificate } from 'node:crypto';
import { childElements as children, readSamlXml } from './saml-xml.js';

export interface SamlMetadata {
  /** EntityDescriptor/@entityID: the Issuer of the IdP's responses and assertions. */
  entityId: string;
  /**
   * The IDPSSODescriptor's signing certificates (KeyDescriptor with use="signing" or no use), as
   * PEM (-----BEGIN CERTIFICATE-----).
   */
  signingCertificates: string[];
  /** EntityDescriptor/@validUntil, when present. */
  validUntil?: Date;
}

export const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** xs:dateTime (a missing time zone is read as UTC). */
const DATE_TIME = /^(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;

function parseDateTime(s: string): Date | undefined {
  const m = DATE_TIME.exec(s.trim());
  if (!m) return undefined;
  const d = new Date(m[8] ? s.trim() : `${s.trim()}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A certificate element's base64 DER as PEM, or undefined when it is not a certificate. */
function toPem(text: string): string | undefined {
  const b64 = text.replace(/\s+/g, '');
  if (b64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const pem = `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    return undefined;
  }
  return pem;
}

/** The metadata's entity id and signing certificates, or undefined when it is not usable IdP metadata. */
export function parseSamlMetadata(xml: string): SamlMetadata | undefined {
  if (typeof xml !== 'string' || xml.trim() === '') return undefined;
  // XXE hygiene: no document type declaration at all (saml-xml.ts).
  const read = readSamlXml(xml);
  if (!read.ok) return undefined;
  const root = read.doc.documentElement;
  if (root.namespaceURI !== MD_NS || root.localName !== 'EntityDescriptor') return undefined;
  const entityId = root.getAttribute('entityID') ?? '';
  if (entityId.trim() === '') return undefined;

  let validUntil: Date | undefined;
  if (root.hasAttribute('validUntil')) {
    validUntil = parseDateTime(root.getAttribute('validUntil') ?? '');
    if (!validUntil) return undefined;
  }

  const certificates: string[] = [];
  for (const idp of children(root, MD_NS, 'IDPSSODescriptor')) {
    for (const kd of children(idp, MD_NS, 'KeyDescriptor')) {
      const use = kd.hasAttribute('use') ? kd.getAttribute('use') : undefined;
      if (use !== undefined && use !== 'signing') continue;
      const found = kd.getElementsByTagNameNS(DS_NS, 'X509Certificate');
      for (let i = 0; i < found.length; i++) {
        const pem = toPem(found.item(i)?.textContent ?? '');
        if (pem === undefined) return undefined;
        if (!certificates.includes(pem)) certificates.push(pem);
      }
    }
  }
  if (certificates.length === 0) return undefined;
  return validUntil ? { entityId, signingCertificates: certificates, validUntil } : { entityId, signingCertificates: certificates };
}
