/**
 * The SAML response checks, against responses signed by the development IdP with real keys:
 * each refusal, and XML signature wrapping (the reader only ever sees the signed bytes).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { devSamlResponse, initDevSamlIdp, type DevSamlResponseOptions } from '../../federation/dev-saml-idp.js';
import { AwsError } from '../../domain/aws-error.js';
import type { SamlMetadata } from '../iam/shared/saml-metadata.js';
import { verifySamlResponse } from './saml-response.js';

const ENTITY = 'https://idp.example.test/saml';
const ROLE = 'arn:aws:iam::111122223333:role/saml-admin';
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/corp';
const NOW = new Date('2026-12-02T12:00:00Z');

function rejects(fn: () => unknown, code: string, message?: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('SAML response verification', () => {
  let dir: string;
  let other: string;
  let metadata: SamlMetadata;
  const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
  const xmlOf = (r: string) => Buffer.from(r, 'base64').toString('utf8');
  const make = (over: Partial<DevSamlResponseOptions> = {}) => devSamlResponse(dir, { subject: 'alice', roles: [{ roleArn: ROLE, providerArn: PROVIDER }], sessionName: 'alice', now: NOW, ...over });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rolecall-saml-'));
    other = mkdtempSync(join(tmpdir(), 'rolecall-saml-other-'));
    await initDevSamlIdp(dir, ENTITY);
    await initDevSamlIdp(other, ENTITY);
    metadata = { entityId: ENTITY, signingCertificates: [readFileSync(join(dir, 'saml-signing-cert.pem'), 'utf8')] };
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  it('reads a response whose Assertion is signed, and one whose Response is signed', () => {
    for (const sign of ['assertion', 'response'] as const) {
      const a = verifySamlResponse(make({ sign, attributes: { 'urn:oid:0.9.2342.19200300.100.1.3': ['alice@example.test'] } }), metadata, NOW);
      assert.equal(a.issuer, ENTITY);
      assert.equal(a.subject, 'alice');
      assert.equal(a.subjectType, 'persistent');
      assert.equal(a.recipient, 'https://signin.aws.amazon.com/saml');
      assert.deepEqual(a.attributes.get('https://aws.amazon.com/SAML/Attributes/Role'), [`${ROLE},${PROVIDER}`]);
      assert.deepEqual(a.attributes.get('urn:oid:0.9.2342.19200300.100.1.3'), ['alice@example.test']);
    }
    // Line breaks in the base64, as IdPs' forms send it.
    assert.equal(verifySamlResponse(make().replace(/(.{76})/g, '$1\n'), metadata, NOW).subject, 'alice');
  });

  it('refuses a changed byte, another key, or no signature (Response signature invalid)', () => {
    rejects(() => verifySamlResponse(b64(xmlOf(make()).replace('>alice</saml:NameID>', '>admin</saml:NameID>')), metadata, NOW), 'InvalidIdentityToken', 'Response signature invalid');
    rejects(() => verifySamlResponse(devSamlResponse(other, { subject: 'alice', roles: [], now: NOW }), metadata, NOW), 'InvalidIdentityToken', 'Response signature invalid');
    const unsigned = xmlOf(make()).replace(/<Signature[\s\S]*<\/Signature>/, '');
    rejects(() => verifySamlResponse(b64(unsigned), metadata, NOW), 'InvalidIdentityToken', 'Response signature invalid');
  });

  it('reads only what the signature covers (XML signature wrapping)', () => {
    const signed = xmlOf(make());
    const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
    // An unsigned assertion for "admin" in front, the signed one hidden in an extension.
    const evil = assertion.replace(/<Signature[\s\S]*<\/Signature>/, '').replace('>alice</saml:NameID>', '>admin</saml:NameID>').replace(/ID="[^"]+"/, 'ID="_evil"');
    const wrapped = signed.replace(assertion, `${evil}<samlp:Extensions>${assertion}</samlp:Extensions>`);
    try {
      const a = verifySamlResponse(b64(wrapped), metadata, NOW);
      assert.equal(a.subject, 'alice', 'only the signed assertion may be read');
    } catch (e) {
      assert.ok(e instanceof AwsError && e.code === 'InvalidIdentityToken', String(e));
    }
    // The evil assertion carrying a copy of the signature (which references the signed one).
    const sigXml = /<Signature[\s\S]*<\/Signature>/.exec(assertion)![0];
    const evilWithSig = evil.replace('</saml:Issuer>', `</saml:Issuer>${sigXml}`);
    const wrapped2 = signed.replace(assertion, `${evilWithSig}<samlp:Extensions>${assertion.replace(sigXml, '')}</samlp:Extensions>`);
    // The signature verifies (over the hidden assertion) but does not sign the one holding it.
    rejects(() => verifySamlResponse(b64(wrapped2), metadata, NOW), 'InvalidIdentityToken', 'Response signature invalid');
    // Two assertions side by side: refused outright.
    rejects(() => verifySamlResponse(b64(signed.replace(assertion, `${assertion}${evil}`)), metadata, NOW), 'InvalidIdentityToken', /exactly one Assertion/);
  });

  it('checks the issuer, the times, the recipient and the audience', () => {
    rejects(() => verifySamlResponse(make({ issuer: 'https://someone.else/' }), metadata, NOW), 'InvalidIdentityToken', 'Issuer not present in specified provider');
    rejects(() => verifySamlResponse(make({ validSeconds: 60 }), metadata, new Date(NOW.getTime() + 61_000)), 'ExpiredTokenException', 'Response has expired');
    rejects(() => verifySamlResponse(make({ validSeconds: 3600 }), metadata, new Date(NOW.getTime() + 301_000)), 'ExpiredTokenException', 'Token must be redeemed within 5 minutes of issuance');
    rejects(() => verifySamlResponse(make(), metadata, new Date(NOW.getTime() - 60_000)), 'InvalidIdentityToken', /not valid yet/);
    rejects(() => verifySamlResponse(make({ recipient: 'https://evil.example/acs' }), metadata, NOW), 'InvalidIdentityToken', /Recipient/);
    rejects(() => verifySamlResponse(make({ audience: 'urn:someone:else' }), metadata, NOW), 'InvalidIdentityToken', /AudienceRestriction/);
    assert.equal(verifySamlResponse(make({ recipient: 'https://us-east-2.signin.aws.amazon.com/saml' }), metadata, NOW).recipient, 'https://us-east-2.signin.aws.amazon.com/saml');
    assert.equal(verifySamlResponse(make({ recipient: 'https://signin.aws.amazon.com/static/saml' }), metadata, NOW).recipient, 'https://signin.aws.amazon.com/static/saml');
    // SubjectType drops only the SAML 2.0 prefix; saml:sub_type shortens only persistent and transient.
    const email = verifySamlResponse(make({ nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' }), metadata, NOW);
    assert.deepEqual([email.subjectType, email.subjectTypeKey], ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress']);
    const entity = verifySamlResponse(make({ nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity' }), metadata, NOW);
    assert.deepEqual([entity.subjectType, entity.subjectTypeKey], ['entity', 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity']);
    const transient = verifySamlResponse(make({ nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }), metadata, NOW);
    assert.deepEqual([transient.subjectType, transient.subjectTypeKey], ['transient', 'transient']);
  });

  it('refuses what is not a successful, plain, DTD-free SAML response', () => {
    rejects(() => verifySamlResponse('not base64 at all!', metadata, NOW), 'InvalidIdentityToken', /not base64/);
    rejects(() => verifySamlResponse(b64('<a><b></a>'), metadata, NOW), 'InvalidIdentityToken', /not well-formed|not a samlp:Response/);
    rejects(() => verifySamlResponse(b64('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'), metadata, NOW), 'InvalidIdentityToken', /not well-formed|not a samlp:Response/);
    rejects(() => verifySamlResponse(b64('<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'), metadata, NOW), 'InvalidIdentityToken', /document type/);
    rejects(() => verifySamlResponse(b64('<x xmlns="urn:oasis:names:tc:SAML:2.0:protocol"/>'), metadata, NOW), 'InvalidIdentityToken', /not a samlp:Response/);
    const failed = xmlOf(make()).replace('status:Success', 'status:Requester');
    rejects(() => verifySamlResponse(b64(failed), metadata, NOW), 'InvalidIdentityToken', /not Success/);
    const encrypted = xmlOf(make()).replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, '<saml:EncryptedAssertion/>');
    rejects(() => verifySamlResponse(b64(encrypted), metadata, NOW), 'InvalidIdentityToken', /encrypted/);
  });
});
