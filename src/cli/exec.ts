/**
 * Role credentials for a command or a tool:
 * - `rolecall exec --role ROLE -- COMMAND`: assumes ROLE with the caller's own keys (environment
 *   or profile, like aws-vault) through sts:AssumeRole on the server, optionally with MFA, and
 *   runs COMMAND with the session in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
 * - `rolecall exec --service lambda.amazonaws.com --role ROLE -- COMMAND`: COMMAND runs as a
 *   Lambda function's code, with its execution role's session (assumed by lambda.amazonaws.com,
 *   session name = function name) in those variables and nothing of the caller's.
 * - `rolecall creds --role ROLE`: the session as `credential_process` output (Version 1 JSON), so
 *   any SDK or tool gets role credentials from a profile.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../domain/clock.js';
import { ApiError, callSts, callWorkload, COMMON_HELP, COMMON_OPTIONS, parseDuration, resolveTarget, splitCommand, xmlText, type Target } from './rolecall-api.js';
import { runCommand, workloadEnv } from './workload-env.js';

export const EXEC_HELP = `rolecall exec --role ROLE [--mfa-serial ARN] [--duration 1h] -- COMMAND...
rolecall exec --service lambda.amazonaws.com --role ROLE [--function-name NAME] -- COMMAND...

Runs COMMAND with a role's temporary credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN.

Without --service: you assume ROLE (name or ARN) with your own keys (environment, AWS_PROFILE or
--source-profile), through sts:AssumeRole; the role's trust policy decides, as on AWS.
With --service lambda.amazonaws.com: COMMAND runs as a Lambda function's code; the execution
role is assumed by lambda.amazonaws.com (its trust policy must allow it) with the function name
as session name; passing the role needs lambda:CreateFunction and iam:PassRole.

Options:
  --role ROLE            the role (name or ARN)
  --mfa-serial ARN       your MFA device (asks for the code unless --token-code is given)
  --token-code CODE      the MFA code
  --duration D           session length: 3600, 900s, 15m, 1h (default 1h)
  --session-name NAME    the role session name (default rolecall-<epoch seconds>)
  --service NAME         lambda.amazonaws.com: run as the function's code
  --function-name NAME   the function name (session name) for --service (default rolecall-exec)
${COMMON_HELP}
`;

export const CREDS_HELP = `rolecall creds --role ROLE [--mfa-serial ARN] [--token-code CODE] [--duration 1h]

Assumes ROLE with your own keys and prints the credentials as a credential_process answer:
  {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": ...}

In ~/.aws/config:
  [profile deployer]
  credential_process = npx rolecall creds --role deployer --source-profile me

Options: as 'rolecall exec' (--role, --mfa-serial, --token-code, --duration, --session-name, and
${COMMON_HELP.trimStart()}
`;

const EXEC_OPTIONS = {
  ...COMMON_OPTIONS,
  role: { type: 'string' },
  'mfa-serial': { type: 'string' },
  'token-code': { type: 'string' },
  duration: { type: 'string' },
  'session-name': { type: 'string' },
  service: { type: 'string' },
  'function-name': { type: 'string' },
} as const;

export interface ExecDeps {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Asks for the MFA code (default: a line from stdin, prompted on stderr). */
  askMfaCode?: (serial: string) => Promise<string>;
}

interface Session {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

function askOnStdin(err: (s: string) => void) {
  return (serial: string) =>
    new Promise<string>((resolve, reject) => {
      err(`Enter MFA code for ${serial}: `);
      const rl = createInterface({ input: process.stdin });
      rl.once('line', (line) => {
        resolve(line.trim()); // before close(), which emits 'close' synchronously
        rl.close();
      });
      rl.once('close', () => reject(new Error('no MFA code given')));
    });
}

/** The role's ARN: as given, or a name in the caller's account (asked with GetCallerIdentity). */
async function roleArn(t: Target, role: string, now: Date): Promise<string> {
  if (role.startsWith('arn:')) return role;
  const account = xmlText(await callSts(t, { Action: 'GetCallerIdentity' }, now), 'Account');
  return `arn:aws:iam::${account}:role/${role}`;
}

/** sts:AssumeRole with the caller's keys. */
async function assumeAsCaller(t: Target, values: Record<string, string | boolean | undefined>, deps: ExecDeps, err: (s: string) => void): Promise<Session> {
  const clock = deps.clock ?? systemClock;
  const params: Record<string, string> = {
    Action: 'AssumeRole',
    RoleArn: await roleArn(t, values.role as string, clock.now()),
    RoleSessionName: (values['session-name'] as string | undefined) ?? `rolecall-${Math.floor(clock.now().getTime() / 1000)}`,
    DurationSeconds: String(parseDuration((values.duration as string | undefined) ?? '1h')),
  };
  const serial = values['mfa-serial'] as string | undefined;
  if (serial) {
    params.SerialNumber = serial;
    params.TokenCode = (values['token-code'] as string | undefined) ?? (await (deps.askMfaCode ?? askOnStdin(err))(serial));
  } else if (values['token-code']) throw new Error('--token-code needs --mfa-serial');
  const xml = await callSts(t, params, clock.now());
  const get = (tag: string) => {
    const v = xmlText(xml, tag);
    if (v === undefined) throw new Error(`AssumeRole answer without ${tag}`);
    return v;
  };
  return { AccessKeyId: get('AccessKeyId'), SecretAccessKey: get('SecretAccessKey'), SessionToken: get('SessionToken'), Expiration: get('Expiration') };
}

function parse(argv: string[]) {
  const { args, command } = splitCommand(argv);
  const { values, positionals } = parseArgs({ args, options: EXEC_OPTIONS, strict: true, allowPositionals: true });
  return { values, positionals, command };
}

function fail(e: unknown, err: (s: string) => void): number {
  err(`rolecall: ${e instanceof ApiError ? e.describe() : (e as Error).message}\n`);
  return e instanceof ApiError ? 254 : 255;
}

export async function runExec(argv: string[], out: (s: string) => void, err: (s: string) => void, deps: ExecDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? systemClock;
  const { values, positionals, command } = parse(argv);
  if (values.help) {
    out(EXEC_HELP);
    return 0;
  }
  if (!values.role || positionals.length || !command || !command.length) {
    err(`rolecall exec: expected --role ROLE -- COMMAND...\n\n${EXEC_HELP}`);
    return 252;
  }
  try {
    if (values.service !== undefined) {
      if (values.service !== 'lambda.amazonaws.com') throw new Error(`--service ${values.service}: exec runs Lambda functions (lambda.amazonaws.com); use 'rolecall instance run' for EC2 and 'rolecall task run' for ECS tasks`);
      if (values['mfa-serial'] || values['token-code'] || values['session-name']) throw new Error('--mfa-serial, --token-code and --session-name are for assuming a role yourself, not with --service');
      const t = await resolveTarget(values, env, { rootFallback: true });
      const input: Record<string, unknown> = { Role: values.role, DurationSeconds: parseDuration(values.duration ?? '1h') };
      if (values['function-name']) input.FunctionName = values['function-name'];
      const r = await callWorkload(t, 'lambda', 'ExecutionCredentials', input, clock.now());
      // The variables Lambda's runtime environment defines for the credentials and the function.
      const w = workloadEnv(env, t.region, {
        AWS_ACCESS_KEY_ID: r.Credentials.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: r.Credentials.SecretAccessKey,
        AWS_SESSION_TOKEN: r.Credentials.SessionToken,
        AWS_LAMBDA_FUNCTION_NAME: r.FunctionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      });
      try {
        return await runCommand(command, w.env);
      } finally {
        w.cleanup();
      }
    }
    if (values['function-name']) throw new Error('--function-name goes with --service lambda.amazonaws.com');
    const t = await resolveTarget(values, env, { rootFallback: false });
    const s = await assumeAsCaller(t, values, deps, err);
    const child: NodeJS.ProcessEnv = { ...env, AWS_ACCESS_KEY_ID: s.AccessKeyId, AWS_SECRET_ACCESS_KEY: s.SecretAccessKey, AWS_SESSION_TOKEN: s.SessionToken, AWS_CREDENTIAL_EXPIRATION: s.Expiration };
    // The session, not a profile, must be what the SDKs pick up.
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN']) delete child[k];
    return await runCommand(command, child);
  } catch (e) {
    return fail(e, err);
  }
}

export async function runCreds(argv: string[], out: (s: string) => void, err: (s: string) => void, deps: ExecDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const { values, positionals, command } = parse(argv);
  if (values.help) {
    out(CREDS_HELP);
    return 0;
  }
  if (!values.role || positionals.length || command || values.service || values['function-name']) {
    err(`rolecall creds: expected --role ROLE\n\n${CREDS_HELP}`);
    return 252;
  }
  try {
    const t = await resolveTarget(values, env, { rootFallback: false });
    const s = await assumeAsCaller(t, values, deps, err);
    out(JSON.stringify({ Version: 1, AccessKeyId: s.AccessKeyId, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken, Expiration: s.Expiration }) + '\n');
    return 0;
  } catch (e) {
    return fail(e, err);
  }
}
