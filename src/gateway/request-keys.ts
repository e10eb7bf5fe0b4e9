/**
 * Global condition keys that describe the request itself.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import type { ContextValue } from '../policy/index.js';
import { isoSeconds } from '../domain/clock.js';

export interface RequestFacts {
  now: Date;
  sourceIp: string;
  userAgent?: string;
  secure: boolean;
  region: string;
}

export function requestKeys(f: RequestFacts): Record<string, ContextValue> {
  const c: Record<string, ContextValue> = {
    'aws:CurrentTime': isoSeconds(f.now),
    'aws:EpochTime': String(Math.floor(f.now.getTime() / 1000)),
    'aws:SecureTransport': f.secure ? 'true' : 'false',
    'aws:RequestedRegion': f.region,
    'aws:ViaAWSService': 'false',
  };
  // IPv4-mapped IPv6 socket addresses are reported as the IPv4 address AWS would see.
  const ip = f.sourceIp.startsWith('::ffff:') && f.sourceIp.includes('.') ? f.sourceIp.slice(7) : f.sourceIp;
  if (ip) c['aws:SourceIp'] = ip;
  if (f.userAgent) c['aws:UserAgent'] = f.userAgent;
  return c;
}
