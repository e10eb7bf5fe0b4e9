/**
 * Conformance-test support: a real Rolecall server per test file (port 0, fresh temp data dir,
 * fixed root keys, random account id, silent logs), and the real clients that talk to it: the AWS
 * SDK for JavaScript v3 (loaded with a computed dynamic import so tsc does not type-check its
 * huge declarations), boto3 through python3, and the AWS CLI v1, both with an isolated HOME and
 * empty AWS config files so the developer's own configuration never leaks in.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Settings } from '../../../src/config/config.js';
import { startServer, type RunningServer } from '../../../src/main.js';
import { Sha256 } from '../../../src/sigv4/testkit.js';
import { dropSchemas, TEST_DATABASE_URL_ENV, testDatabaseUrl, uniqueSchema } from '../../../src/store/postgres/testing.js';

export const REGION = 'us-east-1';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface TestServer {
  url: string;
  port: number;
  accountId: string;
  dataDir: string;
  root: Credentials;
  running: RunningServer;
  /** Environment for a `rolecall` CLI command to open this server's store (PostgreSQL: its URL and schema). */
  storeEnv: Record<string, string>;
  /** Restart on the same data dir (persistence tests). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Root keys for one test server, configured as its fixed root keys (they survive a restart). */
export function rootKeys(): Credentials {
  let id = 'AKIAROLECALLTEST';
  while (id.length < 20) id += String(randomInt(10));
  return { accessKeyId: id, secretAccessKey: 'rolecallConformanceRootSecret/Key+0000000' };
}

export function randomAccountId(): string {
  let s = String(randomInt(1, 10));
  while (s.length < 12) s += String(randomInt(10));
  return s;
}

/** A private temp directory (the caller removes it). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rolecall-conf-${prefix}-`));
}

/**
 * The store the test servers use: SQLite in their data dir, or with
 * ROLECALL_TEST_ENGINE=postgres a fresh schema of the ROLECALL_TEST_DATABASE_URL database per
 * server (so test files run in parallel on one database). `dispose` drops the schema.
 */
export const TEST_ENGINE_ENV = 'ROLECALL_TEST_ENGINE';

export function testEngine(): 'sqlite' | 'postgres' {
  const e = (process.env[TEST_ENGINE_ENV] ?? 'sqlite').trim().toLowerCase();
  if (e === 'sqlite' || e === '') return 'sqlite';
  if (e === 'postgres' || e === 'postgresql') return 'postgres';
  throw new Error(`${TEST_ENGINE_ENV} must be sqlite or postgres, got ${JSON.stringify(e)}`);
}

export function testStoreSettings(): { settings: Pick<Settings, 'database' | 'databaseSchema'>; dispose(): Promise<void> } {
  if (testEngine() === 'sqlite') return { settings: {}, dispose: async () => undefined };
  const url = testDatabaseUrl();
  if (!url) throw new Error(`${TEST_ENGINE_ENV}=postgres needs ${TEST_DATABASE_URL_ENV}`);
  const schema = uniqueSchema('conf');
  return { settings: { database: url, databaseSchema: schema }, dispose: () => dropSchemas(url, [schema]) };
}

export async function startTestServer(opts: { dataDir?: string; accountId?: string; root?: Credentials; settings?: Partial<Settings> } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir('data');
  const accountId = opts.accountId ?? randomAccountId();
  const root = opts.root ?? rootKeys();
  const engine = testStoreSettings();
  const settings: Settings = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    accountId,
    rootAccessKeyId: root.accessKeyId,
    rootSecretAccessKey: root.secretAccessKey,
    region: REGION,
    logLevel: 'silent',
    ...engine.settings,
    ...opts.settings,
  };
  let running = await startServer(settings);
  const ts: TestServer = {
    url: running.url,
    port: running.port,
    accountId,
    dataDir,
    root,
    running,
    storeEnv: {
      ...(settings.database ? { ROLECALL_DATABASE_URL: settings.database } : {}),
      ...(settings.databaseSchema ? { ROLECALL_DATABASE_SCHEMA: settings.databaseSchema } : {}),
    },
    async restart() {
      await running.close();
      running = await startServer(settings);
      ts.running = running;
      ts.url = running.url;
      ts.port = running.port;
    },
    async close() {
      await running.close();
      await engine.dispose();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return ts;
}

// ---------------------------------------------------------------- AWS SDK for JavaScript v3

/** The SDK modules, typed loosely on purpose (see the file comment). */
export type SdkModule = Record<string, any>;

let iamModule: Promise<SdkModule> | undefined;
let stsModule: Promise<SdkModule> | undefined;

// The SDK warns once per process about Node 20 (sdk-compat.md §2.8 item 10); not news in a test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export function loadIam(): Promise<SdkModule> {
  iamModule ??= import(String('@aws-sdk/client-iam')) as Promise<SdkModule>;
  return iamModule;
}

export function loadSts(): Promise<SdkModule> {
  stsModule ??= import(String('@aws-sdk/client-sts')) as Promise<SdkModule>;
  return stsModule;
}

/** A client whose `call('CreateRole', input)` sends `CreateRoleCommand`. */
export interface Client {
  raw: any;
  call(operation: string, input?: Record<string, unknown>): Promise<any>;
}

function wrap(mod: SdkModule, raw: any): Client {
  return {
    raw,
    call(operation, input = {}) {
      const Command = mod[`${operation}Command`];
      if (typeof Command !== 'function') throw new Error(`no ${operation}Command in the SDK`);
      return raw.send(new Command(input));
    },
  };
}

export interface ClientOptions {
  systemClockOffset?: number;
}

export async function iamClient(url: string, credentials: Credentials, opts: ClientOptions = {}): Promise<Client> {
  const mod = await loadIam();
  return wrap(mod, new mod.IAMClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1, ...opts }));
}

export async function stsClient(url: string, credentials: Credentials, opts: ClientOptions = {}): Promise<Client> {
  const mod = await loadSts();
  return wrap(mod, new mod.STSClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1, ...opts }));
}

export interface ExpectedError {
  name: string;
  status: number;
  message?: string | RegExp;
}

/** Awaits a rejection from the JS SDK and checks the modeled error name, HTTP status and message. */
export async function expectError(p: Promise<unknown>, expected: ExpectedError): Promise<any> {
  let err: any;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${expected.name}, but the call succeeded`);
  const got = { name: err.name ?? err.Code, status: err.$metadata?.httpStatusCode, message: err.message };
  assert.equal(got.name, expected.name, `error name (message: ${got.message})`);
  assert.equal(got.status, expected.status, `HTTP status of ${got.name}`);
  if (typeof expected.message === 'string') assert.equal(got.message, expected.message);
  else if (expected.message) assert.match(got.message, expected.message);
  return err;
}

/** Policy documents come back URL-encoded from IAM; the JS SDK leaves them so. */
export function decodeDoc(s: string | undefined): unknown {
  assert.equal(typeof s, 'string', 'policy document missing');
  return JSON.parse(decodeURIComponent(s as string));
}

export function doc(statements: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export const TRUST_EC2 = doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
export const ALLOW_ALL = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]);

/** Retries `fn` until it stops throwing (for effects the server writes off the request path). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

// ---------------------------------------------------------------- boto3 and the AWS CLI

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program, never rejecting: the exit code is part of the result. */
export function runProcess(file: string, args: string[], opts: { env: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number }): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(err);
        return;
      }
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** An isolated HOME with empty AWS config and credentials files. */
export interface IsolatedHome {
  dir: string;
  env(server: { url: string }, creds: Credentials, extra?: Record<string, string>): NodeJS.ProcessEnv;
  cleanup(): void;
}

export function isolatedHome(): IsolatedHome {
  const dir = tempDir('home');
  writeFileSync(join(dir, 'config'), '');
  writeFileSync(join(dir, 'credentials'), '');
  return {
    dir,
    env(server, creds, extra = {}) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        AWS_CONFIG_FILE: join(dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
        AWS_ENDPOINT_URL_IAM: server.url,
        AWS_ENDPOINT_URL_STS: server.url,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_DEFAULT_REGION: REGION,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
        AWS_PAGER: '',
        PYTHONDONTWRITEBYTECODE: '1',
        ...extra,
      };
      if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken;
      for (const k of ['PYENV_ROOT', 'PYENV_VERSION', 'LANG', 'LC_ALL']) if (process.env[k]) env[k] = process.env[k];
      return env;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Tools {
  /** The python3 executable (behind any version-manager shim), or undefined without python3. */
  python?: string;
  boto3: boolean;
  /** The AWS CLI executable, or undefined when it is not installed. */
  aws?: string;
}

/**
 * python3, boto3 and the AWS CLI, resolved once behind any version-manager shim (pyenv's costs
 * ~0.4 s a process). Tests that need a missing one skip, saying so.
 */
let tools: Promise<Tools> | undefined;
export function resolveTools(): Promise<Tools> {
  const probe = [
    'import importlib.util, json, os, shutil, sys',
    'aws = os.path.join(os.path.dirname(sys.executable), "aws")',
    'print(json.dumps({"python": sys.executable, "boto3": importlib.util.find_spec("boto3") is not None, "aws": aws if os.path.exists(aws) else shutil.which("aws")}))',
  ].join('\n');
  tools ??= runProcess('python3', ['-c', probe], { env: process.env }).then(
    (r) => {
      if (r.code !== 0) return { boto3: false };
      const t = JSON.parse(r.stdout) as { python: string; boto3: boolean; aws: string | null };
      return { python: existsSync(t.python) ? t.python : 'python3', boto3: t.boto3, ...(t.aws ? { aws: t.aws } : {}) };
    },
    () => ({ boto3: false }),
  );
  return tools;
}

/**
 * Runs a python3 script (boto3 preinstalled) that prints one JSON document on its last stdout
 * line, and returns it parsed. The script gets ENDPOINT through the environment too.
 */
export async function runPython(script: string, env: NodeJS.ProcessEnv): Promise<any> {
  const { python = 'python3' } = await resolveTools();
  const r = await runProcess(python, ['-c', script], { env: { ...env, ENDPOINT: env.AWS_ENDPOINT_URL_IAM ?? '' } });
  assert.equal(r.code, 0, `python3 failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null');
}

/** Python prelude for boto3 scripts: clients, an error catcher and a JSON printer. */
export const PY_PRELUDE = `
import json, os, sys, datetime, boto3, botocore
from botocore.exceptions import ClientError
sess = boto3.session.Session()
iam = sess.client('iam', endpoint_url=os.environ['ENDPOINT'])
sts = sess.client('sts', endpoint_url=os.environ['ENDPOINT'])
out = {}
def err(fn, *a, **kw):
    try:
        fn(*a, **kw)
        return None
    except ClientError as e:
        return {'Code': e.response['Error'].get('Code'), 'Message': e.response['Error'].get('Message'), 'Type': e.response['Error'].get('Type'), 'Status': e.response['ResponseMetadata'].get('HTTPStatusCode'), 'Class': type(e).__name__}
def emit():
    print(json.dumps(out, default=lambda o: o.isoformat() if isinstance(o, datetime.datetime) else str(o)))
`;

/** Runs `aws ARGS...` (CLI v1) with JSON output. */
export async function runAws(args: string[], env: NodeJS.ProcessEnv): Promise<ProcResult> {
  const { aws = 'aws' } = await resolveTools();
  return runProcess(aws, [...args, '--output', 'json'], { env });
}

/** Runs a bash script. */
export function runBash(script: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<ProcResult> {
  return runProcess('bash', ['-c', script], { env, ...(cwd ? { cwd } : {}) });
}

// ---------------------------------------------------------------- raw HTTP and manual signing

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers and body bytes (node:http, no client in between). */
export function rawHttp(url: string, req: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: u.hostname, port: u.port, method: req.method, path: req.path, headers: req.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

export { Sha256 };

/** A SigV4 signer for `service` (any signing name: tests of the scope check sign for others too). */
export function signer(credentials: Credentials, service: string, applyChecksum = false): SignatureV4 {
  return new SignatureV4({ service, region: REGION, sha256: Sha256, credentials, uriEscapePath: true, applyChecksum });
}

export interface SignedForm {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A form POST signed with @smithy/signature-v4, ready for rawHttp. `style: 'js'` (default) sends
 * and signs x-amz-content-sha256 as the JS SDK does; `'botocore'` leaves it out, as boto3 and the
 * AWS CLI do, so the server hashes the body itself.
 */
export async function signForm(url: string, credentials: Credentials, service: string, body: string, opts: { signingDate?: Date; style?: 'js' | 'botocore' } = {}): Promise<SignedForm> {
  const u = new URL(url);
  const headers: Record<string, string> = { host: u.host, 'content-type': 'application/x-www-form-urlencoded' };
  if ((opts.style ?? 'js') === 'js') {
    headers['content-length'] = String(Buffer.byteLength(body));
    headers['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  }
  const signed = await signer(credentials, service).sign(
    { method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers, body },
    opts.signingDate ? { signingDate: opts.signingDate } : {},
  );
  return { method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body };
}

/** smithy's escapeUri: encodeURIComponent plus !'()*. */
const escapeUri = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** A presigned GET URL for STS GetCallerIdentity, made with @smithy/signature-v4 `presign`. */
export async function presignGetCallerIdentity(url: string, credentials: Credentials, opts: { expiresIn?: number; signingDate?: Date } = {}): Promise<string> {
  const u = new URL(url);
  const presigned = await signer(credentials, 'sts').presign(
    { method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: u.host } },
    { expiresIn: opts.expiresIn ?? 60, ...(opts.signingDate ? { signingDate: opts.signingDate } : {}) },
  );
  const query = Object.entries(presigned.query ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${escapeUri(k)}=${escapeUri(String(v))}`)
    .join('&');
  return `${url}/?${query}`;
}

/** The awsQuery error document's code and message. */
export function xmlError(body: string): { code: string | undefined; message: string | undefined; type: string | undefined } {
  const pick = (tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)?.[1];
  return { code: pick('Code'), message: pick('Message')?.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'), type: pick('Type') };
}
