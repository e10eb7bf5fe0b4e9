/**
 * A minimal SigV4 signer for the `rolecall` command's own calls to the AWS APIs (the AWS SDKs are
 * development dependencies only). It reuses the verifier's canonicalization (src/sigv4), so what
 * it signs is exactly what the server checks; the tests also compare it with @smithy/signature-v4.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalRequest, formatAmzDate, signingKey, stringToSign, type ParsedAuth, type RawRequest } from '../sigv4/index.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  url: string;
  /** Extra headers to send and sign (names in any case). */
  headers?: Record<string, string>;
  body: string;
}

export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function signRequest(req: RequestToSign, creds: SigningCredentials, opts: { service: string; region: string; now: Date }): SignedRequest {
  const url = new URL(req.url);
  const amzDate = formatAmzDate(opts.now.getTime());
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${opts.region}/${opts.service}/aws4_request`;
  const headers: Record<string, string> = { host: url.host, 'x-amz-date': amzDate };
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const signedHeaders = Object.keys(headers).sort();
  const raw: RawRequest = {
    method: req.method,
    path: url.pathname || '/',
    query: url.search.startsWith('?') ? url.search.slice(1) : url.search,
    headers: signedHeaders.map((n) => [n, headers[n] as string] as const),
    bodySha256Hex: createHash('sha256').update(req.body, 'utf8').digest('hex'),
  };
  const auth: ParsedAuth = {
    accessKeyId: creds.accessKeyId,
    date,
    region: opts.region,
    service: opts.service,
    scope,
    signedHeaders,
    signature: '',
    amzDate,
    timeMs: opts.now.getTime(),
    presigned: false,
  };
  const canonical = canonicalRequest(raw, auth, raw.bodySha256Hex);
  if (canonical === undefined) throw new Error('sign-request: a signed header is missing');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, date, opts.region, opts.service)).update(stringToSign(auth, canonical), 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { method: req.method, url: url.toString(), headers, body: req.body };
}
