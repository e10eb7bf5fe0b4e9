/**
 * The instance metadata service of one simulated instance, IMDSv2-compatible (and IMDSv1 when
 * the instance allows it): what the AWS SDKs' instance-profile providers call.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
 *
 * - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1..21600) returns a
 *   session token; a missing or bad TTL is 400, a request carrying X-Forwarded-For is 403 (IMDS
 *   refuses proxied token requests).
 * - Every other request is a GET (or HEAD). A token, when sent, must be valid for THIS instance
 *   and unexpired (else 401); without one, the request is IMDSv1, refused with 401 when the
 *   instance requires tokens (HttpTokens=required).
 * - The instance is identified by the listener the request arrived on (one loopback port per
 *   instance), never by the path: the JS SDK drops any path prefix of the endpoint. The hop
 *   limit is ignored (loopback has no hops).
 *
 * Tokens are stateless: instance id and expiry under an HMAC with a key held by this process
 * (a restart invalidates them; the SDKs fetch a new token for every credential refresh).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { isoSeconds } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import type { InstanceRecord } from '../store/ports.js';
import type { InstanceService } from '../services/workloads/instances.js';

const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const MAX_TTL = 21600;


function header(req: HttpRequest, name: string): string | undefined {
  for (const [k, v] of req.headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

const text = (status: number, body: string, extra: Record<string, string> = {}): HttpResponse => ({ status, headers: { 'content-type': 'text/plain', server: 'EC2ws', ...extra }, body });
const json = (value: unknown): HttpResponse => text(200, JSON.stringify(value, null, 2));

/** IMDS error pages are small HTML documents; SDKs only look at the status. */
function errorPage(status: number, title: string): HttpResponse {
  const body = `<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n <head>\n  <title>${status} - ${title}</title>\n </head>\n <body>\n  <h1>${status} - ${title}</h1>\n </body>\n</html>\n`;
  return { status, headers: { 'content-type': 'text/html', server: 'EC2ws' }, body };
}

/** Stateless IMDSv2 session tokens bound to one instance. */
export class ImdsTokens {
  private readonly key: Buffer;

  constructor(random: Random) {
    this.key = random.bytes(32);
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload, 'utf8').digest();
  }

  issue(instanceId: string, expiresAtMs: number): string {
    const payload = `${instanceId}.${Math.floor(expiresAtMs / 1000)}`;
    return `${Buffer.from(payload, 'utf8').toString('base64url')}.${this.mac(payload).toString('base64url')}`;
  }

  /** True when the token was issued for this instance and has not expired. */
  valid(token: string, instanceId: string, nowMs: number): boolean {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 512) return false;
    const payload = Buffer.from(token.slice(0, dot), 'base64url').toString('utf8');
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = this.mac(payload);
    // INVARIANT: the MAC is compared in constant time before anything in the payload is trusted.
    if (given.length !== want.length || !timingSafeEqual(given, want)) return false;
    const sep = payload.lastIndexOf('.');
    const id = payload.slice(0, sep);
    const exp = Number(payload.slice(sep + 1));
    return id === instanceId && Number.isFinite(exp) && nowMs < exp * 1000;
  }
}

export interface ImdsDeps {
  instances: InstanceService;
  clock: Clock;
  tokens: ImdsTokens;
}

function listing(entries: string[]): HttpResponse {
  return text(200, entries.join('\n'));
}

function hostname(i: InstanceRecord): string {
  const ip = i.privateIp.replace(/\./g, '-');
  return i.region === 'us-east-1' ? `ip-${ip}.ec2.internal` : `ip-${ip}.${i.region}.compute.internal`;
}

/** The handler for one instance's metadata listener. */
export function imdsHandler(deps: ImdsDeps, instanceId: string): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    const i = await deps.instances.running(instanceId);
    if (!i) return errorPage(404, 'Not Found');
    const now = deps.clock.now().getTime();

    if (req.path === '/latest/api/token') {
      if (req.method !== 'PUT') return errorPage(405, 'Method Not Allowed');
      if (header(req, 'x-forwarded-for') !== undefined) return errorPage(403, 'Forbidden');
      const ttlText = header(req, TTL_HEADER);
      const ttl = ttlText !== undefined && /^\d{1,6}$/.test(ttlText.trim()) ? Number(ttlText.trim()) : NaN;
      if (!(ttl >= 1 && ttl <= MAX_TTL)) return errorPage(400, 'Bad Request');
      return text(200, deps.tokens.issue(i.id, now + ttl * 1000), { [TTL_HEADER]: String(ttl) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return errorPage(405, 'Method Not Allowed');

    const token = header(req, TOKEN_HEADER);
    if (token !== undefined ? !deps.tokens.valid(token, i.id, now) : i.httpTokens === 'required') return errorPage(401, 'Unauthorized');

    const path = req.path.replace(/\/+$/, '') || '/';
    return route(deps, i, path);
  };
}

async function route(deps: ImdsDeps, i: InstanceRecord, path: string): Promise<HttpResponse> {
  switch (path) {
    case '/':
      return listing(['latest']);
    case '/latest':
      return listing(['dynamic', 'meta-data']);
    case '/latest/dynamic':
      return listing(['instance-identity/']);
    case '/latest/dynamic/instance-identity':
      return listing(['document']);
    case '/latest/dynamic/instance-identity/document':
      return json({
        accountId: i.accountId,
        architecture: 'x86_64',
        availabilityZone: i.availabilityZone,
        billingProducts: null,
        devpayProductCodes: null,
        marketplaceProductCodes: null,
        imageId: i.imageId,
        instanceId: i.id,
        instanceType: i.instanceType,
        kernelId: null,
        pendingTime: isoSeconds(i.launchedAt),
        privateIp: i.privateIp,
        ramdiskId: null,
        region: i.region,
        version: '2017-09-30',
      });
    case '/latest/meta-data': {
      const hasRole = (await deps.instances.profileOf(i))?.roleName !== undefined;
      return listing(['ami-id', 'hostname', ...(hasRole ? ['iam/'] : []), 'instance-id', 'instance-type', 'local-hostname', 'local-ipv4', 'placement/']);
    }
    case '/latest/meta-data/ami-id':
      return text(200, i.imageId);
    case '/latest/meta-data/instance-id':
      return text(200, i.id);
    case '/latest/meta-data/instance-type':
      return text(200, i.instanceType);
    case '/latest/meta-data/hostname':
    case '/latest/meta-data/local-hostname':
      return text(200, hostname(i));
    case '/latest/meta-data/local-ipv4':
      return text(200, i.privateIp);
    case '/latest/meta-data/placement':
      return listing(['availability-zone', 'region']);
    case '/latest/meta-data/placement/availability-zone':
      return text(200, i.availabilityZone);
    case '/latest/meta-data/placement/region':
      return text(200, i.region);
  }
  if (path === '/latest/meta-data/iam' || path.startsWith('/latest/meta-data/iam/')) return iam(deps, i, path.slice('/latest/meta-data/iam'.length));
  return errorPage(404, 'Not Found');
}

/** iam/: info and security-credentials, present only while the instance profile holds a role. */
async function iam(deps: ImdsDeps, i: InstanceRecord, rest: string): Promise<HttpResponse> {
  const p = await deps.instances.profileOf(i);
  if (!p || p.roleName === undefined) return errorPage(404, 'Not Found');
  if (rest === '') return listing(['info', 'security-credentials/']);
  if (rest === '/security-credentials') return text(200, p.roleName);
  const credentialsFor = rest.startsWith('/security-credentials/') ? rest.slice('/security-credentials/'.length) : undefined;
  if (rest !== '/info' && credentialsFor !== p.roleName) return errorPage(404, 'Not Found');
  const c = await deps.instances.credentials(i);
  if (!c) return errorPage(404, 'Not Found');
  if (!c.ok) return json({ Code: c.code, Message: c.message, LastUpdated: isoSeconds(c.at) });
  const creds = c.session.Credentials;
  const lastUpdated = new Date(creds.Expiration.getTime() - deps.instances.sessions.durationSeconds * 1000);
  if (rest === '/info') return json({ Code: 'Success', LastUpdated: isoSeconds(lastUpdated), InstanceProfileArn: c.profile.arn, InstanceProfileId: c.profile.id });
  // Second precision with Z: botocore parses Expiration with %Y-%m-%dT%H:%M:%SZ.
  return json({
    Code: 'Success',
    LastUpdated: isoSeconds(lastUpdated),
    Type: 'AWS-HMAC',
    AccessKeyId: creds.AccessKeyId,
    SecretAccessKey: creds.SecretAccessKey,
    Token: creds.SessionToken,
    Expiration: isoSeconds(creds.Expiration),
  });
}
