/**
 * Test support (imported by the *.test.ts files here only): sign requests with the AWS SDK for
 * JavaScript's own signer, @smithy/signature-v4, and turn the result into the RawRequest a server
 * would see on the wire. Pure: node:crypto and the signer, no I/O.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RawRequest } from './types.js';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const toBuffer = (d: SourceData): Buffer =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** The `sha256` constructor smithy wants (what @smithy/hash-node provides), on node:crypto. */
export class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: SourceData): void {
    this.h.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

export const sha256Hex = (body: string | Buffer): string => createHash('sha256').update(body).digest('hex');

/** smithy's escapeUri: encodeURIComponent plus !'()*. */
export const escapeUri = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** smithy's buildQueryString (querystring-builder): sorted keys, repeated keys for arrays. */
export function buildQueryString(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const k = escapeUri(key);
    if (Array.isArray(value)) for (const v of value) parts.push(`${k}=${escapeUri(v)}`);
    else parts.push(typeof value === 'string' ? `${k}=${escapeUri(value)}` : k);
  }
  return parts.join('&');
}

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const CREDS: Creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export interface SignSpec {
  method?: string;
  path?: string;
  query?: Record<string, string | string[] | null>;
  /** Header names as the client would send them (case kept on the wire). */
  headers?: Record<string, string>;
  body?: string;
  region?: string;
  service?: string;
  creds?: Creds;
  date?: Date;
  /** true (default): smithy adds x-amz-content-sha256, as the JS SDK does; false: botocore-like. */
  applyChecksum?: boolean;
  host?: string;
}

export const DEFAULT_DATE = new Date('2026-01-28T05:46:25Z');

function baseRequest(spec: SignSpec) {
  const host = spec.host ?? '127.0.0.1:4566';
  return {
    method: spec.method ?? 'POST',
    protocol: 'http:',
    hostname: host.split(':')[0] as string,
    path: spec.path ?? '/',
    query: { ...(spec.query ?? {}) },
    headers: { host, ...(spec.headers ?? {}) },
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  };
}

function signer(spec: SignSpec): SignatureV4 {
  return new SignatureV4({
    credentials: spec.creds ?? CREDS,
    region: spec.region ?? 'us-east-1',
    service: spec.service ?? 'sts',
    sha256: Sha256,
    applyChecksum: spec.applyChecksum ?? true,
  });
}

/** Sign with an Authorization header, as the JS SDK does; returns the wire request. */
export async function signHeader(spec: SignSpec): Promise<RawRequest> {
  const signed = await signer(spec).sign(baseRequest(spec) as never, { signingDate: spec.date ?? DEFAULT_DATE });
  const r = signed as unknown as { method: string; path: string; query: Record<string, string | string[] | null>; headers: Record<string, string> };
  return {
    method: r.method,
    path: r.path,
    query: buildQueryString(r.query ?? {}),
    headers: Object.entries(r.headers),
    bodySha256Hex: sha256Hex(spec.body ?? ''),
  };
}

/** A presigned URL, as smithy's presign makes it (e.g. for GetCallerIdentity). */
export async function presign(spec: SignSpec & { expiresIn?: number }): Promise<RawRequest> {
  const signed = await signer(spec).presign(baseRequest({ method: 'GET', ...spec }) as never, {
    signingDate: spec.date ?? DEFAULT_DATE,
    expiresIn: spec.expiresIn ?? 900,
  });
  const r = signed as unknown as { method: string; path: string; query: Record<string, string | string[] | null>; headers: Record<string, string> };
  return {
    method: r.method,
    path: r.path,
    query: buildQueryString(r.query),
    headers: Object.entries(r.headers),
    bodySha256Hex: sha256Hex(spec.body ?? ''),
  };
}

/** Replace (or add) a header on the wire, keeping the others in order. */
export function withHeader(req: RawRequest, name: string, value: string | undefined): RawRequest {
  const lower = name.toLowerCase();
  const headers = req.headers.filter(([n]) => n.toLowerCase() !== lower);
  if (value !== undefined) headers.push([name, value]);
  return { ...req, headers };
}

export const headerOf = (req: RawRequest, name: string): string | undefined =>
  req.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

/** Typical STS form body as the JS SDK serializes it. */
export const STS_ASSUME_ROLE_BODY =
  'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&DurationSeconds=3600';

/** The JS SDK v3 STS client's header set (sdk-compat.md §2.2), before signing adds the rest. */
export const JS_SDK_HEADERS: Record<string, string> = {
  'content-type': 'application/x-www-form-urlencoded',
  'x-amz-user-agent': 'aws-sdk-js/3.1169.0',
  'user-agent': 'aws-sdk-js/3.1169.0 ua/2.1 os/linux#6.18 lang/js md/nodejs#20.20.2 api/sts#3.1169.0 m/N,E,e',
  'amz-sdk-invocation-id': '33313418-2940-4976-a1ed-755c29b3cad3',
  'amz-sdk-request': 'attempt=1; max=3',
};
