/**
 * Test support (no tests here): SAML 2.0 IdP metadata documents around real certificates made
 * with `selfsigned`, for the metadata parser, the IAM SAML provider operations and their
 * conformance tests (and AssumeRoleWithSAML's).
 */
import { generate } from 'selfsigned';

export interface TestIdpKey {
  /** PEM private key (PKCS#8). */
  privateKey: string;
  /** PEM certificate. */
  cert: string;
  /** The certificate's base64 DER body, as metadata carries it. */
  certBase64: string;
}

/** A self-signed RSA-2048 / SHA-256 certificate for CN=`commonName`. */
export async function testIdpKey(commonName = 'idp.example.com'): Promise<TestIdpKey> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
  const certBase64 = pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return { privateKey: pems.private, cert: pems.cert, certBase64 };
}

export interface MetadataOptions {
  entityId?: string;
  /** Base64 DER certificates; each gets its own KeyDescriptor. */
  certs: string[];
  /** KeyDescriptor use (undefined: no use attribute). */
  use?: string | undefined;
  validUntil?: string;
  ssoUrl?: string;
}

/** An md:EntityDescriptor with one IDPSSODescriptor, the way IdPs (Okta, Entra, Keycloak) write it. */
export function idpMetadata(o: MetadataOptions): string {
  const entityId = o.entityId ?? 'https://idp.example.com/saml';
  const use = 'use' in o ? o.use : 'signing';
  const useAttr = use === undefined ? '' : ` use="${use}"`;
  const validUntil = o.validUntil ? ` validUntil="${o.validUntil}"` : '';
  const keys = o.certs
    .map(
      (c) => `    <md:KeyDescriptor${useAttr}>
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>${c.replace(/(.{64})/g, '$1\n')}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"${validUntil}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
${keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${o.ssoUrl ?? 'https://idp.example.com/saml/sso'}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${o.ssoUrl ?? 'https://idp.example.com/saml/sso'}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}
