/**
 * IAM SAML provider identifiers: the provider ARN `arn:aws:iam::ACCOUNT:saml-provider/NAME` and
 * the name rule (SAMLProviderNameType: 1 to 128 characters of `[\w._-]`).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
 */
import { iamArn } from '../../../domain/arns.js';

/** SAMLProviderNameType's pattern, as the model writes it. */
export const SAML_PROVIDER_NAME_PATTERN = { re: /^(?:[\w._-]+)$/, text: '[\\w._-]+' } as const;

/** arn:aws:iam::ACCOUNT:saml-provider/NAME */
export function samlProviderArn(accountId: string, name: string): string {
  return iamArn(accountId, 'saml-provider', '/', name);
}

const ARN_RE = /^arn:aws:iam::(\d{12}):saml-provider\/([\w._-]{1,128})$/;

/** The account and name a SAML provider ARN names, or undefined when it is not one. */
export function parseSamlProviderArn(arn: unknown): { accountId: string; name: string } | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = ARN_RE.exec(arn);
  return m ? { accountId: m[1] as string, name: m[2] as string } : undefined;
}
