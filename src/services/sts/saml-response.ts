/**
 * Checking the SAML 2.0 authentication response of an AssumeRoleWithSAML call, as STS documents
 * it ("Configure SAML assertions for the authentication response"):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
 *
 * - The response (base64) is XML without a DTD (read by saml-xml.ts, as the metadata is), a samlp:Response whose status is Success, holding
 *   exactly one saml:Assertion (an EncryptedAssertion is refused: Rolecall holds no decryption key).
 * - The Assertion, or the whole Response, carries an XML signature that verifies with a signing
 *   certificate of the provider's metadata (never with a key from the message itself).
 * - Everything after that is read from what the signature covers (xml-crypto's signed
 *   references), parsed again: an element moved, copied or added around the signed one (XML
 *   signature wrapping) is never what gets read.
 * - Issuer = the metadata's entityID; one SubjectConfirmation (bearer) whose SubjectConfirmationData
 *   has a Recipient and a NotOnOrAfter in the future; Conditions' NotBefore / NotOnOrAfter; an
 *   AudienceRestriction, when present, naming AWS; IssueInstant at most 5 minutes old.
 *
 * INVARIANT: every value this module returns was covered by a signature that verified with a
 * certificate of the provider's metadata.
 */
import { SignedXml } from 'xml-crypto';
import { AwsError } from '../../domain/aws-error.js';
import type { SamlMetadata } from '../iam/shared/saml-metadata.js';
import { childElements as children, readSamlXml } from '../iam/shared/saml-xml.js';

export const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const NAMEID_PREFIX = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
/** The audiences AWS accepts: its sign-in endpoint's SAML service and its entity id. */
const AWS_AUDIENCES = /^(urn:amazon:webservices(:govcloud|:cn)?|https:\/\/([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/(static\/)?saml(\/.*)?)$/;
/** How old a response may be (STS: "Token must be redeemed within 5 minutes of issuance"). */
const REDEEM_WITHIN_MS = 5 * 60 * 1000;

export interface VerifiedSamlAssertion {
  /** The Assertion's Issuer (the provider's entity id). */
  issuer: string;
  /** NameID: the response's `Subject`, `saml:sub`. */
  subject: string;
  /**
   * The response's `SubjectType`: NameID/@Format with the prefix urn:oasis:names:tc:SAML:2.0:nameid-format:
   * removed (`persistent`, `transient`, `emailAddress`...), any other format as written.
   */
  subjectType: string;
  /** `saml:sub_type`: `persistent`, `transient`, or the format's full URI. */
  subjectTypeKey: string;
  /** SubjectConfirmationData/@Recipient: the response's `Audience`, `saml:aud`. */
  recipient: string;
  /** AuthnStatement/@SessionNotOnOrAfter, when present: the session ends by then. */
  sessionNotOnOrAfter?: Date;
  /** Attribute Name -> its AttributeValues' text, in document order. */
  attributes: Map<string, string[]>;
}

const invalid = (message: string) => new AwsError('InvalidIdentityToken', message);
const expired = (message: string) => new AwsError('ExpiredTokenException', message);

function parseXml(text: string): Document {
  const read = readSamlXml(text);
  if (!read.ok) throw invalid(`Invalid SAML response: ${read.reason}`);
  return read.doc;
}

function child(parent: Element, ns: string, local: string): Element | undefined {
  return children(parent, ns, local)[0];
}

const text = (e: Element | undefined): string => (e?.textContent ?? '').trim();

function time(value: string | null, what: string): Date | undefined {
  if (value === null || value === '') return undefined;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(d.getTime())) throw invalid(`Invalid SAML response: ${what} is not a UTC dateTime`);
  return d;
}

/** The one element a verified signature covers, parsed from the signed bytes, or undefined. */
function verifiedElement(xml: string, signature: Element, certificates: readonly string[]): Element | undefined {
  for (const publicCert of certificates) {
    const sig = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
    try {
      sig.loadSignature(signature as unknown as Node);
      if (!sig.checkSignature(xml)) continue;
    } catch {
      continue;
    }
    const refs = sig.getSignedReferences();
    if (refs.length !== 1) return undefined;
    return parseXml(refs[0] as string).documentElement as unknown as Element;
  }
  return undefined;
}

/**
 * The assertion of a base64 SAML response, verified against the provider's metadata at `now`.
 * Throws AwsError (InvalidIdentityToken, ExpiredTokenException) as STS answers.
 */
export function verifySamlResponse(samlResponse: string, metadata: SamlMetadata, now: Date): VerifiedSamlAssertion {
  const compact = samlResponse.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw invalid('Invalid SAML response: not base64');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  const doc = parseXml(xml);
  const response = doc.documentElement as unknown as Element;
  if (response.namespaceURI !== SAMLP || response.localName !== 'Response') throw invalid('Invalid SAML response: the document is not a samlp:Response');
  const status = child(response, SAMLP, 'Status');
  const code = status && child(status, SAMLP, 'StatusCode');
  if (code?.getAttribute('Value') !== SUCCESS) throw invalid('Invalid SAML response: the response status is not Success');
  if (children(response, SAML, 'EncryptedAssertion').length) throw invalid('Invalid SAML response: encrypted assertions are not supported');
  const assertions = children(response, SAML, 'Assertion');
  if (assertions.length !== 1) throw invalid('Invalid SAML response: the response must hold exactly one Assertion');

  // The signature: on the Assertion, else on the Response. Only the signed bytes are read on.
  const certs = metadata.signingCertificates;
  let assertion: Element | undefined;
  // The signed element must also be the one holding the signature (same ID): a signature moved
  // onto another element is refused, not followed to wherever its reference points.
  const sameId = (signed: Element, holder: Element) => !!signed.getAttribute('ID') && signed.getAttribute('ID') === holder.getAttribute('ID');
  const assertionSig = child(assertions[0] as Element, DS, 'Signature');
  if (assertionSig) {
    const signed = verifiedElement(xml, assertionSig, certs);
    if (signed?.namespaceURI === SAML && signed.localName === 'Assertion' && sameId(signed, assertions[0] as Element)) assertion = signed;
  }
  if (!assertion) {
    const responseSig = child(response, DS, 'Signature');
    const signed = responseSig && verifiedElement(xml, responseSig, certs);
    if (signed?.namespaceURI === SAMLP && signed.localName === 'Response' && sameId(signed, response)) {
      const inner = children(signed, SAML, 'Assertion');
      if (inner.length === 1) assertion = inner[0];
    }
  }
  if (!assertion) throw invalid('Response signature invalid');

  const issuer = text(child(assertion, SAML, 'Issuer'));
  if (issuer !== metadata.entityId) throw invalid('Issuer not present in specified provider');

  const issued = time(assertion.getAttribute('IssueInstant'), 'IssueInstant');
  if (!issued) throw invalid('Invalid SAML response: the Assertion has no IssueInstant');
  if (now.getTime() - issued.getTime() > REDEEM_WITHIN_MS) throw expired('Token must be redeemed within 5 minutes of issuance');

  const subjectEl = child(assertion, SAML, 'Subject');
  const nameId = subjectEl && child(subjectEl, SAML, 'NameID');
  const subject = text(nameId);
  if (!subjectEl || !nameId || subject === '') throw invalid('Invalid SAML response: the Subject has no NameID');
  // No Format is SAML's default, urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified.
  const format = nameId.getAttribute('Format') || 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
  const subjectType = format.startsWith(NAMEID_PREFIX) ? format.slice(NAMEID_PREFIX.length) : format;
  const subjectTypeKey = subjectType === 'persistent' || subjectType === 'transient' ? subjectType : format;

  const confirmations = children(subjectEl, SAML, 'SubjectConfirmation');
  if (confirmations.length !== 1 || confirmations[0]!.getAttribute('Method') !== BEARER) throw invalid('Invalid SAML response: exactly one bearer SubjectConfirmation is required');
  const data = child(confirmations[0]!, SAML, 'SubjectConfirmationData');
  const recipient = data?.getAttribute('Recipient') ?? '';
  const confirmUntil = data ? time(data.getAttribute('NotOnOrAfter'), 'SubjectConfirmationData NotOnOrAfter') : undefined;
  if (!data || recipient === '' || !confirmUntil) throw invalid('Invalid SAML response: SubjectConfirmationData needs a Recipient and a NotOnOrAfter');
  if (!AWS_AUDIENCES.test(recipient)) throw invalid(`Invalid SAML response: the Recipient ${recipient} is not an AWS sign-in endpoint`);
  if (now >= confirmUntil) throw expired('Response has expired');

  const conditions = child(assertion, SAML, 'Conditions');
  if (conditions) {
    const notBefore = time(conditions.getAttribute('NotBefore'), 'Conditions NotBefore');
    const notOnOrAfter = time(conditions.getAttribute('NotOnOrAfter'), 'Conditions NotOnOrAfter');
    if (notBefore && now < notBefore) throw invalid('Invalid SAML response: the assertion is not valid yet');
    if (notOnOrAfter && now >= notOnOrAfter) throw expired('Response has expired');
    for (const restriction of children(conditions, SAML, 'AudienceRestriction')) {
      const audiences = children(restriction, SAML, 'Audience').map((a) => text(a));
      if (!audiences.some((a) => AWS_AUDIENCES.test(a))) throw invalid('Invalid SAML response: the AudienceRestriction does not name AWS (urn:amazon:webservices)');
    }
  }

  const authn = child(assertion, SAML, 'AuthnStatement');
  const sessionNotOnOrAfter = authn ? time(authn.getAttribute('SessionNotOnOrAfter'), 'SessionNotOnOrAfter') : undefined;

  const attributes = new Map<string, string[]>();
  for (const statement of children(assertion, SAML, 'AttributeStatement')) {
    for (const attr of children(statement, SAML, 'Attribute')) {
      const name = attr.getAttribute('Name') ?? '';
      if (name === '') continue;
      const values = children(attr, SAML, 'AttributeValue').map((v) => text(v));
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return { issuer, subject, subjectType, subjectTypeKey, recipient, ...(sessionNotOnOrAfter ? { sessionNotOnOrAfter } : {}), attributes };
}
