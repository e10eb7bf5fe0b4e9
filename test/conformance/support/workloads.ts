/**
 * Service-role conformance support: a real server on a ManualClock with a recording audit trail
 * (restartable on the same data dir), signed calls to the workload API under /_rolecall/, raw
 * instance-metadata requests, and the `rolecall` command run as a child process.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Settings } from '../../../src/config/config.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { startServer, type RunningServer } from '../../../src/main.js';
import { isolatedHome, randomAccountId, rawHttp, REGION, rootKeys, runProcess, Sha256, tempDir, type Credentials, type IsolatedHome, type ProcResult, type RawResponse } from './server.js';
import { RecordingTrail, type StsServer } from './sts-fixture.js';

export { RecordingTrail };


export interface WorkloadServer extends StsServer {
  dataDir: string;
  audit: RecordingTrail;
  restart(): Promise<void>;
}

export async function startWorkloadServer(): Promise<WorkloadServer> {
  const dataDir = tempDir('svc');
  const accountId = randomAccountId();
  const root = rootKeys();
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const audit = new RecordingTrail();
  const settings: Settings = { host: '127.0.0.1', port: 0, dataDir, accountId, rootAccessKeyId: root.accessKeyId, rootSecretAccessKey: root.secretAccessKey, region: REGION, logLevel: 'silent' };
  let running: RunningServer = await startServer(settings, { clock, audit });
  const ws: WorkloadServer = {
    url: running.url,
    accountId,
    root,
    clock,
    running,
    dataDir,
    audit,
    offsetMs: () => clock.now().getTime() - Date.now(),
    async restart() {
      const port = running.port;
      await running.close();
      running = await startServer({ ...settings, port }, { clock, audit });
      ws.running = running;
      ws.url = running.url;
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return ws;
}

export interface ApiAnswer {
  status: number;
  body: any;
}

/** A SigV4-signed JSON call to the workload API (`/_rolecall/<service>/<op>`). */
export async function workloadCall(url: string, creds: Credentials, service: 'ec2' | 'ecs' | 'lambda', op: string, input: unknown, opts: { signingDate?: Date } = {}): Promise<ApiAnswer> {
  const u = new URL(url);
  const body = JSON.stringify(input);
  const path = `/_rolecall/${service}/${op}`;
  const signer = new SignatureV4({ service, region: REGION, sha256: Sha256, credentials: creds, uriEscapePath: true });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, query: {}, headers: { host: u.host, 'content-type': 'application/json' }, body },
    opts.signingDate ? { signingDate: opts.signingDate } : {},
  );
  const r = await rawHttp(url, { method: 'POST', path, headers: signed.headers as Record<string, string>, body });
  return { status: r.status, body: r.body ? JSON.parse(r.body) : undefined };
}

/** One request to an instance metadata endpoint. */
export function imds(endpoint: string, path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return rawHttp(endpoint, { method: opts.method ?? 'GET', path, headers: opts.headers ?? {} });
}

/** An IMDSv2 token for the instance at `endpoint`. */
export async function imdsToken(endpoint: string, ttl = 21600): Promise<string> {
  const r = await imds(endpoint, '/latest/api/token', { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) } });
  if (r.status !== 200) throw new Error(`token PUT answered ${r.status}`);
  return r.body;
}

export const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
/** The checkout (its node_modules resolve `node --input-type=module -e` scripts run from there). */
export const CHECKOUT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Runs `rolecall ARGS...` with an isolated HOME (empty AWS config files), the server's endpoint
 * variables and the given credentials in the environment, as a user would after
 * `eval "$(npx rolecall env)"`.
 */
export function runRolecall(home: IsolatedHome, server: { url: string }, creds: Credentials, args: string[], extra: Record<string, string> = {}, input?: string): Promise<ProcResult> {
  const env = home.env(server, creds, { AWS_REGION: REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra });
  return runProcess(process.execPath, [CLI, ...args], { env, cwd: CHECKOUT, ...(input !== undefined ? { input } : {}), timeoutMs: 90_000 });
}

export { isolatedHome };
