/**
 * IAM OpenID Connect provider identifiers: the issuer url as IAM keeps it and the provider ARN.
 *
 * IAM stores an issuer `https://Host.Example.com/tenant` as `host.example.com/tenant`: no scheme
 * (GetOpenIDConnectProvider's `Url`, the ARN's resource part and the `<url>:aud` / `<url>:sub`
 * trust-policy condition keys all write it so), host lowercased, the path as written: a trailing
 * slash stays, since a token's `iss` must match it exactly (an Auth0 issuer
 * `https://tenant.auth0.com/` is the provider `tenant.auth0.com/`, and its keys
 * `tenant.auth0.com/:aud`). A url without
 * `https://`, with no host, or with a query, fragment or user info is not an issuer url.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
 */
import { iamArn } from '../../../domain/arns.js';

/** The stored form of an issuer url, or undefined when it is not a valid `https://` issuer url. */
export function normalizeOidcUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !/^https:\/\//i.test(raw)) return undefined;
  const rest = raw.slice('https://'.length);
  if (/[\s?#@\\]/.test(rest) || /[^\u0021-\u007E]/.test(rest)) return undefined;
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const path = slash < 0 ? '' : rest.slice(slash);
  // host[:port], DNS-ish labels: no empty label, no bare port.
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*(:\d{1,5})?$/.test(host)) return undefined;
  if (path.includes('//')) return undefined;
  return host + path;
}

/** arn:aws:iam::ACCOUNT:oidc-provider/URL (URL in its stored form). */
export function oidcProviderArn(accountId: string, url: string): string {
  return iamArn(accountId, 'oidc-provider', '/', url);
}

const ARN_RE = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/;

/** The account and stored url an OIDC provider ARN names, or undefined when it is not one. */
export function parseOidcProviderArn(arn: unknown): { accountId: string; url: string } | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = ARN_RE.exec(arn);
  return m ? { accountId: m[1] as string, url: m[2] as string } : undefined;
}
