/**
 * STS conformance support: a real server on an injected ManualClock (so session expiry and TOTP
 * steps are testable without sleeping), and small builders for the principals STS tests need:
 * IAM users with keys, roles with trust policies, virtual MFA devices enabled with real TOTP
 * codes, a second account (created on the server's own store, as `rolecall account create`
 * does), and clients signing with the temporary credentials AssumeRole hands out.
 *
 * The clock starts at the real time and only moves when a test moves it, so requests signed by
 * real clients stay inside the 15-minute skew window until a test advances it far; a test that
 * does should give its JS clients `systemClockOffset` (see `skewedOptions`).
 */
import type { AuditTrail, CloudTrailEvent } from '../../../src/audit/event.js';
import { cryptoRandom } from '../../../src/domain/random.js';
import { ManualClock } from '../../../src/domain/clock.js';
import type { Settings } from '../../../src/config/config.js';
import { startServer, type RunningServer } from '../../../src/main.js';
import { createAccount } from '../../../src/services/accounts/accounts.js';
import { base32Decode, timeStep, totpCode } from '../../../src/services/iam/shared/totp.js';
import { randomAccountId, REGION, testStoreSettings, rootKeys, runProcess, tempDir, iamClient, stsClient, doc, type Client, type Credentials, type ProcResult } from './server.js';
import { existsSync, rmSync } from 'node:fs';

/** An audit trail that keeps a copy of every event it is given (startServer's `audit` option). */
export class RecordingTrail implements AuditTrail {
  readonly events: CloudTrailEvent[] = [];
  async record(e: CloudTrailEvent): Promise<void> {
    this.events.push(structuredClone(e));
  }
}

export interface StsServer {
  url: string;
  accountId: string;
  root: Credentials;
  clock: ManualClock;
  running: RunningServer;
  /** Milliseconds the server clock is ahead of real time (for systemClockOffset). */
  offsetMs(): number;
  close(): Promise<void>;
}

export async function startStsServer(opts: { audit?: AuditTrail; settings?: Partial<Settings> } = {}): Promise<StsServer> {
  const dataDir = tempDir('sts');
  const accountId = randomAccountId();
  const root = rootKeys();
  // Whole seconds: sessions are issued at second precision, so Expiration - now is exact.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
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
  const running = await startServer(settings, { clock, ...(opts.audit ? { audit: opts.audit } : {}) });
  return {
    url: running.url,
    accountId,
    root,
    clock,
    running,
    offsetMs: () => clock.now().getTime() - Date.now(),
    async close() {
      await running.close();
      await engine.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JS client options that sign at the server's (possibly advanced) time. */
export function skewedOptions(s: StsServer): { systemClockOffset: number } {
  return { systemClockOffset: s.offsetMs() };
}

/** A second account on the same server, with its own root keys. */
export async function secondAccount(s: StsServer): Promise<{ accountId: string; root: Credentials }> {
  const r = await createAccount(s.running.store, cryptoRandom, s.clock);
  return { accountId: r.accountId, root: { accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey } };
}

export interface Principal {
  arn: string;
  creds: Credentials;
  sts: Client;
  iam: Client;
}

/**
 * The fixtures' setup calls, sent once more when the connection dropped before any answer came:
 * a kept-alive socket the server closed after its idle timeout (node's 5 s) just as the call
 * reused it. An SDK retries that by itself; test clients send once (`maxAttempts: 1`) so that
 * tests see every answer as it is. Never resent after an answer.
 */
function setupClient(c: Client): Client {
  const dropped = (e: any) => e?.$metadata?.httpStatusCode === undefined && (e?.code === 'ECONNRESET' || /socket hang up/i.test(String(e?.message)));
  return {
    raw: c.raw,
    async call(operation, input) {
      try {
        return await c.call(operation, input);
      } catch (e) {
        if (!dropped(e)) throw e;
        return c.call(operation, input);
      }
    },
  };
}

/** Builders bound to one account's root IAM client. */
export class Account {
  constructor(
    readonly s: StsServer,
    readonly accountId: string,
    readonly rootIam: Client,
  ) {}

  static async of(s: StsServer, accountId: string, root: Credentials): Promise<Account> {
    return new Account(s, accountId, setupClient(await iamClient(s.url, root)));
  }

  arn(kind: 'user' | 'role' | 'policy' | 'mfa', name: string, path = '/'): string {
    return `arn:aws:iam::${this.accountId}:${kind}${path}${name}`;
  }

  /** An IAM user with an access key and, optionally, an inline policy. */
  async user(name: string, policy?: string): Promise<Principal> {
    await this.rootIam.call('CreateUser', { UserName: name });
    if (policy) await this.rootIam.call('PutUserPolicy', { UserName: name, PolicyName: 'inline', PolicyDocument: policy });
    const k = (await this.rootIam.call('CreateAccessKey', { UserName: name })).AccessKey;
    const creds = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
    return { arn: this.arn('user', name), creds, sts: await stsClient(this.s.url, creds), iam: await iamClient(this.s.url, creds) };
  }

  /** A role with a trust policy, an optional inline permission policy and options. */
  async role(name: string, trust: string, opts: { policy?: string; path?: string; maxSessionDuration?: number; tags?: Array<{ Key: string; Value: string }> } = {}): Promise<{ arn: string; id: string; name: string }> {
    const r = (
      await this.rootIam.call('CreateRole', {
        RoleName: name,
        AssumeRolePolicyDocument: trust,
        ...(opts.path ? { Path: opts.path } : {}),
        ...(opts.maxSessionDuration ? { MaxSessionDuration: opts.maxSessionDuration } : {}),
        ...(opts.tags ? { Tags: opts.tags } : {}),
      })
    ).Role;
    if (opts.policy) await this.rootIam.call('PutRolePolicy', { RoleName: name, PolicyName: 'perms', PolicyDocument: opts.policy });
    return { arn: r.Arn, id: r.RoleId, name };
  }

  /** A virtual MFA device, enabled for `userName` with two consecutive codes at the server's time. */
  async mfa(userName: string): Promise<Mfa> {
    const d = (await this.rootIam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: `${userName}-mfa` })).VirtualMFADevice;
    const seed = base32Decode(Buffer.from(d.Base32StringSeed).toString('ascii'));
    const now = this.s.clock.now();
    const prev = new Date(now.getTime() - 30_000);
    // Consumes the current time step: the next usable code is one step later.
    await this.rootIam.call('EnableMFADevice', { UserName: userName, SerialNumber: d.SerialNumber, AuthenticationCode1: totpCode(seed, prev), AuthenticationCode2: totpCode(seed, now) });
    return new Mfa(this.s, d.SerialNumber, seed);
  }
}

/** An enabled virtual MFA device; `next()` moves the server clock one step and gives its code. */
export class Mfa {
  constructor(
    readonly s: StsServer,
    readonly serial: string,
    readonly seed: Buffer,
  ) {}

  code(): string {
    return totpCode(this.seed, this.s.clock.now());
  }

  /** Advances the server clock to the next 30-second step and returns that step's code. */
  next(): string {
    const now = this.s.clock.now();
    const nextStepStart = (timeStep(now) + 1) * 30_000;
    this.s.clock.advance(nextStepStart - now.getTime() + 1_000);
    return this.code();
  }
}

/** The temporary credentials of an AssumeRole answer, as SDK credentials. */
export function sessionCreds(out: any): Credentials {
  const c = out.Credentials;
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** STS and IAM clients signing with a session's credentials. */
export async function sessionClients(s: StsServer, out: any, opts: { systemClockOffset?: number } = {}): Promise<{ creds: Credentials; sts: Client; iam: Client }> {
  const creds = sessionCreds(out);
  return { creds, sts: await stsClient(s.url, creds, opts), iam: await iamClient(s.url, creds, opts) };
}

/** Trust policy statements. */
export function trust(principal: string | string[] | Record<string, unknown>, opts: { actions?: string[]; condition?: Record<string, unknown> } = {}): string {
  const p = typeof principal === 'string' || Array.isArray(principal) ? { AWS: principal } : principal;
  return doc([{ Effect: 'Allow', Principal: p, Action: opts.actions ?? 'sts:AssumeRole', ...(opts.condition ? { Condition: opts.condition } : {}) }]);
}

export function allow(action: string | string[], resource: string | string[] = '*', condition?: Record<string, unknown>): string {
  return doc([{ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }]);
}

/** AssumeRole's plain AccessDenied message. */
export function assumeDenied(callerArn: string, roleArn: string, action = 'sts:AssumeRole'): string {
  return `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`;
}

/**
 * Runs a program with `input` on stdin and no controlling terminal (`setsid`, when present), so
 * that botocore's getpass-based MFA prompt reads the code from stdin and never from /dev/tty.
 */
export async function runDetached(program: 'python3' | 'aws', args: string[], env: NodeJS.ProcessEnv, input: string): Promise<ProcResult> {
  const file = (await realTools())[program];
  const setsid = ['/usr/bin/setsid', '/bin/setsid'].find((p) => existsSync(p));
  return setsid ? runProcess(setsid, ['-w', file, ...args], { env, input }) : runProcess(file, args, { env, input });
}

/** python3 and aws behind any version-manager shim (as server.ts resolves them for runPython / runAws). */
let tools: Promise<{ python3: string; aws: string }> | undefined;
function realTools(): Promise<{ python3: string; aws: string }> {
  tools ??= runProcess('python3', ['-c', 'import os, sys; print(sys.executable); print(os.path.join(os.path.dirname(sys.executable), "aws"))'], { env: process.env }).then(
    (r) => {
      const [python3, aws] = r.stdout.trim().split('\n');
      return { python3: r.code === 0 && python3 && existsSync(python3) ? python3 : 'python3', aws: r.code === 0 && aws && existsSync(aws) ? aws : 'aws' };
    },
    () => ({ python3: 'python3', aws: 'aws' }),
  );
  return tools;
}
