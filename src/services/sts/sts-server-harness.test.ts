/**
 * Test support for the STS operation tests (no tests here): a real Rolecall server on port 0 with
 * a temp data dir, fixed root keys and a ManualClock, and real AWS SDK for JavaScript v3 clients.
 * The SDK is loaded with a computed dynamic import so tsc does not type-check its declarations;
 * clients sign with the server's clock (systemClockOffset), so tests can move time.
 * Named `.test.ts` so that the import-boundary check (which exempts tests) allows importing main.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../config/config.js';
import { ManualClock } from '../../domain/clock.js';
import { startServer, type RunningServer } from '../../main.js';
import { base32Decode, totpCode } from '../iam/shared/totp.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A client whose `call('GetSessionToken', input)` sends GetSessionTokenCommand. */
export interface Client {
  call(operation: string, input?: Record<string, unknown>): Promise<any>;
}

type SdkModule = Record<string, any>;
let stsModule: Promise<SdkModule> | undefined;
let iamModule: Promise<SdkModule> | undefined;
const loadSts = () => (stsModule ??= import(String('@aws-sdk/client-sts')) as Promise<SdkModule>);
const loadIam = () => (iamModule ??= import(String('@aws-sdk/client-iam')) as Promise<SdkModule>);

export const doc = (statements: Array<Record<string, unknown>>): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** STS/IAM temporary credentials from an SDK response, in the shape clients take. */
export const credsOf = (r: { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }): Creds => ({
  accessKeyId: r.Credentials.AccessKeyId,
  secretAccessKey: r.Credentials.SecretAccessKey,
  sessionToken: r.Credentials.SessionToken,
});

export interface StsHarness {
  url: string;
  dataDir: string;
  running: RunningServer;
  clock: ManualClock;
  root: Creds;
  sts(creds?: Creds): Promise<Client>;
  iam(creds?: Creds): Promise<Client>;
  /** An IAM user with an access key and (optionally) an inline policy. */
  createUser(name: string, policy?: string): Promise<{ arn: string; id: string; creds: Creds }>;
  /** A virtual MFA device enabled for `userName`; returns its serial and a code generator. */
  enableMfa(userName: string): Promise<{ serial: string; code(at?: Date): string }>;
  close(): Promise<void>;
}

export async function startStsHarness(): Promise<StsHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-sts-'));
  const root: Creds = { accessKeyId: 'AKIAROLECALLSTSTEST1', secretAccessKey: 'rolecallStsTestRootSecret/Key+00000000000' };
  const settings: Settings = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    accountId: ACCOUNT,
    rootAccessKeyId: root.accessKeyId,
    rootSecretAccessKey: root.secretAccessKey,
    region: REGION,
    logLevel: 'silent',
  };
  // Whole seconds, a few seconds into a TOTP step: MFA codes are predictable.
  const clock = new ManualClock(Math.floor(Date.now() / 30_000) * 30_000 + 3_000);
  const running = await startServer(settings, { clock });
  const wrap = (mod: SdkModule, raw: any): Client => ({
    call(operation, input = {}) {
      const Command = mod[`${operation}Command`];
      if (typeof Command !== 'function') throw new Error(`no ${operation}Command in the SDK`);
      return raw.send(new Command(input));
    },
  });
  const opts = () => ({ endpoint: running.url, region: REGION, maxAttempts: 1, systemClockOffset: clock.now().getTime() - Date.now() });
  const h: StsHarness = {
    url: running.url,
    dataDir,
    running,
    clock,
    root,
    async sts(creds = root) {
      const mod = await loadSts();
      return wrap(mod, new mod.STSClient({ ...opts(), credentials: creds }));
    },
    async iam(creds = root) {
      const mod = await loadIam();
      return wrap(mod, new mod.IAMClient({ ...opts(), credentials: creds }));
    },
    async createUser(name, policy) {
      const iam = await h.iam();
      const u = (await iam.call('CreateUser', { UserName: name })).User;
      if (policy) await iam.call('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: policy });
      const k = (await iam.call('CreateAccessKey', { UserName: name })).AccessKey;
      return { arn: u.Arn, id: u.UserId, creds: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey } };
    },
    async enableMfa(userName) {
      const iam = await h.iam();
      const d = (await iam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: `${userName}-mfa` })).VirtualMFADevice;
      const seed = base32Decode(Buffer.from(d.Base32StringSeed).toString('ascii'));
      const now = clock.now();
      await iam.call('EnableMFADevice', { UserName: userName, SerialNumber: d.SerialNumber, AuthenticationCode1: totpCode(seed, new Date(now.getTime() - 30_000)), AuthenticationCode2: totpCode(seed, now) });
      // The enabling codes' steps are used up: move to a fresh step.
      clock.advance(30_000);
      return { serial: d.SerialNumber, code: (at = clock.now()) => totpCode(seed, at) };
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

export interface ExpectedError {
  code: string;
  status: number;
  message?: string | RegExp;
}

/** Awaits an SDK rejection and checks the wire error code, the HTTP status and the message. */
export async function expectAwsError(p: Promise<unknown>, expected: ExpectedError): Promise<any> {
  let err: any;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${expected.code}, but the call succeeded`);
  const code = err.Code ?? err.Error?.Code ?? err.name;
  assert.equal(code, expected.code, `error code (message: ${err.message})`);
  assert.equal(err.$metadata?.httpStatusCode, expected.status, `HTTP status of ${code}`);
  if (typeof expected.message === 'string') assert.equal(err.message, expected.message);
  else if (expected.message) assert.match(err.message, expected.message);
  return err;
}
