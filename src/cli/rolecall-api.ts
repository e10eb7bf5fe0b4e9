/**
 * The `rolecall` command's signed calls to a Rolecall server: STS (awsQuery, e.g. AssumeRole)
 * and the workload API under /_rolecall/ (SigV4-signed JSON), with where to find the server,
 * the region, and the caller's credentials (the AWS chain, else the data directory's root keys
 * for commands that launch workloads, as `rolecall role revoke-sessions` does).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolveSettings } from '../config/config.js';
import { callerCredentials, type FoundCredentials } from './aws-credentials.js';
import { signRequest, type SigningCredentials } from './sign-request.js';

export interface Target {
  endpoint: string;
  region: string;
  creds: SigningCredentials;
}

export interface CommonFlags {
  endpoint?: string;
  region?: string;
  'data-dir'?: string;
  'source-profile'?: string;
}

/** Flags every command that calls the server accepts. */
export const COMMON_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'data-dir': { type: 'string' },
  'source-profile': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMON_HELP = `  --endpoint URL         Rolecall's URL (default AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL,
                         ROLECALL_ENDPOINT, else http://127.0.0.1:PORT)
  --region REGION        region (default AWS_REGION, AWS_DEFAULT_REGION, else the setting)
  --source-profile NAME  sign with this profile's keys instead of the environment's
  --data-dir DIR         where root credentials are (launch commands, when no keys are found)`;

/** An AWS API error as the server answered it. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly operation: string,
  ) {
    super(message);
  }

  /** The AWS CLI's wording. */
  describe(): string {
    return `An error occurred (${this.code}) when calling the ${this.operation} operation: ${this.message}`;
  }
}

export async function resolveTarget(flags: CommonFlags, env: NodeJS.ProcessEnv, opts: { rootFallback: boolean }): Promise<Target & { from: string }> {
  const settings = resolveSettings(flags['data-dir'] ? { dataDir: flags['data-dir'] } : {}, env);
  const endpoint = flags.endpoint ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL ?? env.ROLECALL_ENDPOINT ?? `http://127.0.0.1:${settings.port}`;
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? settings.region;
  let found: FoundCredentials | undefined = callerCredentials(env, flags['source-profile']);
  if (!found && opts.rootFallback) {
    // Only this fallback needs the store: imported here so `rolecall creds` starts fast.
    const { openStore } = await import('../main.js');
    const { rootCredentials } = await import('../services/accounts/accounts.js');
    const store = await openStore(settings.dataDir);
    try {
      const accountId = settings.accountId ?? (await store.accounts.list())[0]?.id;
      if (accountId) {
        const r = await rootCredentials(store, accountId);
        found = { creds: { accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey }, from: `root of ${accountId} (${settings.dataDir})` };
      }
    } finally {
      await store.close();
    }
  }
  if (!found) throw new Error('Unable to locate credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or --source-profile (eval "$(npx rolecall env)" sets keys)');
  return { endpoint, region, creds: found.creds, from: found.from };
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export function send(req: { method: string; url: string; headers: Record<string, string>; body: string }): Promise<HttpAnswer> {
  const u = new URL(req.url);
  const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = fn(u, { method: req.method, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

async function sendOrExplain(t: Target, req: Parameters<typeof send>[0]): Promise<HttpAnswer> {
  try {
    return await send(req);
  } catch (e) {
    throw new Error(`could not reach Rolecall at ${t.endpoint}: ${(e as Error).message}`);
  }
}

/** A workload API call (`POST /_rolecall/<service>/<op>`, JSON); throws ApiError on an error answer. */
export async function callWorkload(t: Target, service: 'ec2' | 'ecs' | 'lambda', op: string, input: unknown, now: Date): Promise<any> {
  const url = new URL(`/_rolecall/${service}/${op}`, t.endpoint).toString();
  const signed = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }, t.creds, { service, region: t.region, now });
  const a = await sendOrExplain(t, signed);
  let body: any;
  try {
    body = JSON.parse(a.body);
  } catch {
    throw new ApiError('InternalFailure', `unexpected answer (HTTP ${a.status}) from ${t.endpoint}`, a.status, op);
  }
  if (a.status !== 200) throw new ApiError(String(body?.__type ?? 'Unknown'), String(body?.message ?? ''), a.status, op);
  return body;
}

const unescapeXml = (s: string) => s.replace(/&(lt|gt|quot|apos|amp|#x?[0-9a-fA-F]+);/g, (m, e: string) => {
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
  if (named[e] !== undefined) return named[e] as string;
  const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
  return Number.isFinite(code) ? String.fromCodePoint(code) : m;
});

/** The text of the first `<tag>` element of an awsQuery answer. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1] as string) : undefined;
}

/** An STS (awsQuery) call; returns the XML answer, throws ApiError on an error answer. */
export async function callSts(t: Target, params: Record<string, string>, now: Date): Promise<string> {
  const body = new URLSearchParams({ ...params, Version: '2011-06-15' }).toString();
  const signed = signRequest({ method: 'POST', url: new URL('/', t.endpoint).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }, t.creds, { service: 'sts', region: t.region, now });
  const a = await sendOrExplain(t, signed);
  if (a.status !== 200) throw new ApiError(xmlText(a.body, 'Code') ?? 'Unknown', xmlText(a.body, 'Message') ?? `HTTP ${a.status}`, a.status, params.Action ?? 'STS');
  return a.body;
}

/** Seconds from `3600`, `900s`, `15m`, `1h`, `1h30m`. */
export function parseDuration(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (!m || s === '') throw new Error(`invalid duration '${s}' (examples: 3600, 900s, 15m, 1h, 1h30m)`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** Splits `args -- command...` at the first `--`. */
export function splitCommand(argv: string[]): { args: string[]; command: string[] | undefined } {
  const i = argv.indexOf('--');
  return i < 0 ? { args: argv, command: undefined } : { args: argv.slice(0, i), command: argv.slice(i + 1) };
}
