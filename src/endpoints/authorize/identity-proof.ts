/**
 * Identity proofs: a signed sts:GetCallerIdentity request that someone hands over instead of
 * their credentials, and that Rolecall verifies as STS would answer it. Two shapes are in use:
 *
 * - Vault's AWS auth method (iam auth type): `iam_http_request_method`, and base64 of
 *   `iam_request_url`, `iam_request_body`, `iam_request_headers` (a JSON map of header name to
 *   values, Go's http.Header; Host comes from the URL). The optional `X-Vault-AWS-IAM-Server-ID`
 *   header binds the proof to one server.
 *   https://developer.hashicorp.com/vault/docs/auth/aws#iam-auth-method
 * - The EKS authenticator's bearer token: `k8s-aws-v1.` + base64url (no padding) of a presigned
 *   GET GetCallerIdentity URL whose signed `x-k8s-aws-id` header names the cluster.
 *   https://github.com/kubernetes-sigs/aws-iam-authenticator#how-does-it-work
 *   A plain presigned URL is accepted as a token too.
 *
 * This module only turns a proof into the raw request to verify; nothing here is secret.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { ParsedAuth, RawRequest } from '../../sigv4/index.js';
import { checkPath, decodeBase64, headerPairs, sha256Hex } from './forwarded-request.js';
import { isRecord, validation } from './http-json.js';

export const K8S_TOKEN_PREFIX = 'k8s-aws-v1.';
export const K8S_CLUSTER_HEADER = 'x-k8s-aws-id';
export const VAULT_SERVER_ID_HEADER = 'x-vault-aws-iam-server-id';
/** Tokens longer than this are refused before decoding (a presigned URL with a session token is ~2 KB). */
const MAX_TOKEN_CHARS = 16_384;

export interface IdentityProof {
  raw: RawRequest;
  /** The decoded form/query parameters of the signed request (Action, Version, X-Amz-*). */
  params: URLSearchParams;
  /** The header that binds the proof to an audience, and the value the verifier expects. */
  audience?: { header: string; expected?: string };
}

export const invalidProof = (message: string): AwsError => new AwsError('InvalidIdentityToken', message);

function splitUrl(text: string, where: string): { host: string; path: string; query: string } {
  const m = /^https?:\/\/([^/?#\s]+)([^?#\s]*)(?:\?([^#\s]*))?$/.exec(text);
  if (!m) throw invalidProof(`${where} is not an http(s) URL.`);
  const path = m[2] || '/';
  checkPath(path, `${where}: the `);
  return { host: m[1] as string, path, query: m[3] ?? '' };
}

/** An EKS-style token or a presigned URL; the cluster id is what x-k8s-aws-id must have been signed with. */
export function tokenProof(token: string, clusterId: string | undefined): IdentityProof {
  if (token.length > MAX_TOKEN_CHARS) throw invalidProof('The token is too long.');
  let url: string;
  if (token.startsWith(K8S_TOKEN_PREFIX)) {
    const b64 = token.slice(K8S_TOKEN_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(b64)) throw invalidProof('The token is not a k8s-aws-v1. token: its payload is not base64url.');
    url = Buffer.from(b64, 'base64url').toString('utf8');
  } else if (/^https?:\/\//.test(token)) {
    url = token;
  } else {
    throw invalidProof('The token must be a k8s-aws-v1. token or a presigned GetCallerIdentity URL.');
  }
  const u = splitUrl(url, 'The token URL');
  const headers: Array<[string, string]> = [['host', u.host]];
  if (clusterId !== undefined) headers.push([K8S_CLUSTER_HEADER, clusterId]);
  return {
    raw: { method: 'GET', path: u.path, query: u.query, headers, bodySha256Hex: sha256Hex(Buffer.alloc(0)) },
    params: new URLSearchParams(u.query),
    audience: { header: K8S_CLUSTER_HEADER, ...(clusterId !== undefined ? { expected: clusterId } : {}) },
  };
}

function b64Field(o: Record<string, unknown>, key: string, required: boolean): Buffer | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw validation(`${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw validation(`${key} must be base64 text.`);
  return decodeBase64(v, key);
}

/** Vault's iam login data. */
export function vaultProof(o: Record<string, unknown>, serverId: string | undefined): IdentityProof {
  const method = o.iam_http_request_method;
  if (typeof method !== 'string' || !/^[A-Z]{3,7}$/.test(method)) throw validation('iam_http_request_method must be an HTTP method (POST).');
  const url = (b64Field(o, 'iam_request_url', true) as Buffer).toString('utf8');
  const body = b64Field(o, 'iam_request_body', false) ?? Buffer.alloc(0);
  const headersJson = (b64Field(o, 'iam_request_headers', true) as Buffer).toString('utf8');
  let parsedHeaders: unknown;
  try {
    parsedHeaders = JSON.parse(headersJson);
  } catch {
    throw validation('iam_request_headers must be base64 of a JSON map of header names to values.');
  }
  if (!isRecord(parsedHeaders)) throw validation('iam_request_headers must be base64 of a JSON map of header names to values.');
  const u = splitUrl(url, 'iam_request_url');
  const headers = headerPairs(parsedHeaders, 'iam_request_');
  // Go keeps Host and Content-Length outside http.Header; Vault rebuilds them from the URL and
  // the body, and so do we.
  if (!headers.some(([n]) => n.toLowerCase() === 'host')) headers.unshift(['Host', u.host]);
  if (!headers.some(([n]) => n.toLowerCase() === 'content-length') && body.length > 0) headers.push(['Content-Length', String(body.length)]);
  const params = new URLSearchParams(u.query);
  if (method === 'POST') for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  return {
    raw: { method, path: u.path, query: u.query, headers, bodySha256Hex: sha256Hex(body) },
    params,
    audience: { header: VAULT_SERVER_ID_HEADER, ...(serverId !== undefined ? { expected: serverId } : {}) },
  };
}

const ALLOWED_PARAM = /^(Action|Version|X-Amz-[A-Za-z0-9-]+)$/i;

/** The signed request must be sts:GetCallerIdentity and nothing else. */
export function checkIsGetCallerIdentity(p: IdentityProof): void {
  if (p.params.get('Action') !== 'GetCallerIdentity') throw invalidProof('The signed request is not an sts:GetCallerIdentity call.');
  const version = p.params.get('Version');
  if (version !== null && version !== '2011-06-15') throw invalidProof(`The signed request has Version ${version}; sts:GetCallerIdentity is 2011-06-15.`);
  for (const k of p.params.keys()) if (!ALLOWED_PARAM.test(k)) throw invalidProof(`The signed request carries the parameter ${k}, which GetCallerIdentity does not take.`);
}

/**
 * The audience header: when the verifier expects one, it must be signed (a value nobody signed
 * binds nothing); when it expects none and the token signed one it cannot know (EKS tokens do not
 * carry the value), the proof cannot be verified. Vault proofs carry the value: it is reported.
 */
export function checkAudience(p: IdentityProof, auth: ParsedAuth): string | undefined {
  const a = p.audience;
  if (!a) return undefined;
  const signed = auth.signedHeaders.includes(a.header);
  if (a.expected !== undefined) {
    if (!signed) throw invalidProof(`The signed request does not sign the ${a.header} header; this verifier expects '${a.expected}'.`);
    const got = p.raw.headers.find(([n]) => n.toLowerCase() === a.header)?.[1];
    if (got === undefined || got.trim() !== a.expected) throw invalidProof(`The signed request is for ${a.header} '${got ?? ''}', not '${a.expected}'.`);
    return a.expected;
  }
  if (!signed) return undefined;
  const got = p.raw.headers.find(([n]) => n.toLowerCase() === a.header)?.[1];
  if (got === undefined) throw invalidProof(`The token signs the ${a.header} header: pass the value it was made for (clusterId).`);
  return got.trim();
}
