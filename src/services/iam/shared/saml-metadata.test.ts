import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { idpMetadata, testIdpKey, type TestIdpKey } from './saml-metadata-harness.test.js';
import { parseSamlMetadata } from './saml-metadata.js';

describe('SAML metadata parser', () => {
  let a: TestIdpKey;
  let b: TestIdpKey;
  before(async () => {
    [a, b] = await Promise.all([testIdpKey('idp.example.com'), testIdpKey('rollover.example.com')]);
  });

  it('reads the entity id, the signing certificate as PEM, and validUntil', () => {
    const m = parseSamlMetadata(idpMetadata({ entityId: 'https://idp.example.com/saml', certs: [a.certBase64], validUntil: '2031-05-06T07:08:09Z' }));
    assert.ok(m);
    assert.equal(m.entityId, 'https://idp.example.com/saml');
    assert.deepEqual(m.validUntil, new Date(Date.UTC(2031, 4, 6, 7, 8, 9)));
    assert.equal(m.signingCertificates.length, 1);
    const pem = m.signingCertificates[0] as string;
    assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    assert.equal(new X509Certificate(pem).fingerprint256, new X509Certificate(a.cert).fingerprint256);
  });

  it('takes KeyDescriptors without use; validUntil is optional (a missing time zone is UTC)', () => {
    const m = parseSamlMetadata(idpMetadata({ certs: [a.certBase64], use: undefined }));
    assert.equal(m?.signingCertificates.length, 1);
    assert.equal(m?.validUntil, undefined);
    assert.deepEqual(parseSamlMetadata(idpMetadata({ certs: [a.certBase64], validUntil: '2030-01-02T03:04:05' }))?.validUntil, new Date(Date.UTC(2030, 0, 2, 3, 4, 5)));
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64], validUntil: 'next year' })), undefined, 'an unreadable validUntil');
  });

  it('returns every signing certificate (rollover), once each, and skips encryption keys', () => {
    const m = parseSamlMetadata(idpMetadata({ certs: [a.certBase64, b.certBase64, a.certBase64] }));
    assert.deepEqual(m?.signingCertificates.map((p) => new X509Certificate(p).subject), ['CN=idp.example.com', 'CN=rollover.example.com']);
    const mixed = idpMetadata({ certs: [a.certBase64] }).replace('<md:NameIDFormat>', `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b.certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n<md:NameIDFormat>`);
    assert.deepEqual(parseSamlMetadata(mixed)?.signingCertificates.map((p) => new X509Certificate(p).subject), ['CN=idp.example.com']);
  });

  it('accepts any namespace prefix (or a default namespace)', () => {
    const unprefixed = idpMetadata({ certs: [a.certBase64] })
      .replace('xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"', 'xmlns="urn:oasis:names:tc:SAML:2.0:metadata"')
      .replace(/md:/g, '');
    assert.equal(parseSamlMetadata(unprefixed)?.signingCertificates.length, 1);
    const other = idpMetadata({ certs: [a.certBase64] }).replace(/md:/g, 'm:').replace('xmlns:md=', 'xmlns:m=').replace(/<(\/?)ds:/g, '<$1sig:').replace('xmlns:ds=', 'xmlns:sig=');
    assert.equal(parseSamlMetadata(other)?.entityId, 'https://idp.example.com/saml');
  });

  it('refuses metadata with encryption keys only', () => {
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64], use: 'encryption' })), undefined);
  });

  it('refuses a missing or empty entityID, a wrong root or namespace, and no IDPSSODescriptor', () => {
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64] }).replace(/ entityID="[^"]*"/, '')), undefined);
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64], entityId: '' })), undefined);
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64] }).replace(/urn:oasis:names:tc:SAML:2\.0:metadata"/, 'urn:example:other"')), undefined);
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64] }).replace(/IDPSSODescriptor/g, 'SPSSODescriptor')), undefined);
    const wrapped = idpMetadata({ certs: [a.certBase64] }).replace('<md:EntityDescriptor ', '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntityDescriptor ').replace('</md:EntityDescriptor>', '</md:EntityDescriptor></md:EntitiesDescriptor>');
    assert.equal(parseSamlMetadata(wrapped), undefined, 'an EntitiesDescriptor aggregate');
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [] })), undefined, 'no certificate');
  });

  it('refuses what is not XML, and certificates that are not certificates', () => {
    for (const bad of ['', '   ', 'not xml at all', '{"entityID": "x"}', idpMetadata({ certs: [a.certBase64] }).replace('</md:EntityDescriptor>', ''), idpMetadata({ certs: [a.certBase64] }).replace('<md:NameIDFormat>', '<md:NameIDFormat a="1" a="2">')]) {
      assert.equal(parseSamlMetadata(bad), undefined, bad.slice(0, 60));
    }
    assert.equal(parseSamlMetadata(idpMetadata({ certs: ['bm90IGEgY2VydGlmaWNhdGU='] })), undefined, 'base64 that is not DER');
    assert.equal(parseSamlMetadata(idpMetadata({ certs: ['***'] })), undefined, 'not base64');
    assert.equal(parseSamlMetadata(idpMetadata({ certs: [a.certBase64, a.certBase64.slice(0, 200)] })), undefined, 'one bad certificate spoils the document');
  });

  it('refuses any DOCTYPE (no DTDs, no entities)', () => {
    const good = idpMetadata({ certs: [a.certBase64] });
    const xxe = good.replace('<md:EntityDescriptor', '<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<md:EntityDescriptor').replace('entityID="https://idp.example.com/saml"', 'entityID="&x;"');
    assert.equal(parseSamlMetadata(xxe), undefined);
    assert.equal(parseSamlMetadata(good.replace('<md:EntityDescriptor', '<!DOCTYPE md:EntityDescriptor>\n<md:EntityDescriptor')), undefined);
    assert.equal(parseSamlMetadata(good.replace('<md:EntityDescriptor', '<!doctype md:EntityDescriptor>\n<md:EntityDescriptor')), undefined);
  });
});
