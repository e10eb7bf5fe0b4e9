/**
 * The request context of a forwarded request: the global keys Rolecall derives itself (time,
 * source IP, TLS, region, user agent, and everything about the principal) plus the keys the
 * service computed (`s3:prefix`, `aws:ResourceTag/...`, `aws:RequestTag/...`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 *
 * INVARIANT: a service cannot speak for the principal or the clock: keys about who signed the
 * request or when are refused, so a buggy or hostile service cannot widen a principal's rights by
 * claiming MFA, another ARN or another time.
 */
import { callerContext } from '../../authz/authorizer.js';
import type { Caller } from '../../domain/caller.js';
import { requestKeys } from '../../gateway/request-keys.js';
import type { ContextValue } from '../../policy/index.js';
import type { RawRequest } from '../../sigv4/index.js';
import { header, isRecord, validation } from './http-json.js';

const RESERVED = new Set(
  [
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:PrincipalType',
    'aws:PrincipalIsAWSService',
    'aws:PrincipalServiceName',
    'aws:PrincipalServiceNamesList',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:userid',
    'aws:username',
    'aws:TokenIssueTime',
    'aws:MultiFactorAuthPresent',
    'aws:MultiFactorAuthAge',
    'aws:SourceIdentity',
    'aws:FederatedProvider',
    'aws:CurrentTime',
    'aws:EpochTime',
    'aws:RequestedRegion',
    'aws:SecureTransport',
    'aws:SourceIp',
    'aws:UserAgent',
    'aws:Referer',
  ].map((k) => k.toLowerCase()),
);
const RESERVED_PREFIXES = ['aws:principaltag/'];

const KEY = /^[A-Za-z0-9-]+:[^\s]{1,250}$/;
const MAX_KEYS = 100;
const MAX_VALUES = 256;

export function isReservedKey(key: string): boolean {
  const k = key.toLowerCase();
  return RESERVED.has(k) || RESERVED_PREFIXES.some((p) => k.startsWith(p));
}

/** Validates a service-provided context map. */
export function serviceContext(v: unknown, where: string): Record<string, ContextValue> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw validation(`${where}context must be a map of condition keys to values.`);
  const keys = Object.keys(v);
  if (keys.length > MAX_KEYS) throw validation(`${where}context: at most ${MAX_KEYS} keys.`);
  const out: Record<string, ContextValue> = {};
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  for (const key of keys) {
    if (!KEY.test(key)) throw validation(`${where}context: '${key.slice(0, 80)}' is not a condition key (service:name).`);
    if (isReservedKey(key)) throw validation(`${where}context: ${key} is set by Rolecall from the signed request; a service may not supply it.`);
    const value = v[key];
    if (Array.isArray(value)) {
      if (value.length > MAX_VALUES || !value.every(scalar)) throw validation(`${where}context: ${key} must be a string, number, boolean or a list of them.`);
      out[key] = value as Array<string | number | boolean>;
    } else if (scalar(value)) {
      out[key] = value as string | number | boolean;
    } else {
      throw validation(`${where}context: ${key} must be a string, number, boolean or a list of them.`);
    }
  }
  return out;
}

export interface RequestFactsIn {
  raw: RawRequest;
  region: string;
  sourceIp: string;
  secureTransport: boolean;
  now: Date;
}

/** Keys about the request itself (one set per forwarded request). */
export function requestContext(f: RequestFactsIn): Record<string, ContextValue> {
  const ua = header(f.raw, 'user-agent');
  const c = requestKeys({ now: f.now, sourceIp: f.sourceIp, secure: f.secureTransport, region: f.region, ...(ua !== undefined ? { userAgent: ua } : {}) });
  const referer = header(f.raw, 'referer');
  if (referer !== undefined) c['aws:Referer'] = referer;
  return c;
}

/**
 * A text that determines every key of `requestContext(f)` except the time keys: the facts it is
 * made from (decision cache keys; see decision-cache.ts).
 */
export function requestKeyText(f: RequestFactsIn): string {
  return `${f.sourceIp}\u0001${f.secureTransport ? 1 : 0}\u0001${f.region}\u0001${header(f.raw, 'user-agent') ?? '\u0000'}\u0001${header(f.raw, 'referer') ?? '\u0000'}`;
}

/**
 * Request keys, then the service's keys, then the principal's (which nothing may override).
 * Copied key by key: spreading three objects with `:`-keys costs ~10x more in V8 (measured).
 */
export function fullContext(request: Record<string, ContextValue>, service: Record<string, ContextValue>, caller: Caller, now: Date): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const k in request) out[k] = request[k] as ContextValue;
  for (const k in service) out[k] = service[k] as ContextValue;
  const c = callerContext(caller, now);
  for (const k in c) out[k] = c[k] as ContextValue;
  return out;
}
