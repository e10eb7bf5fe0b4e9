/**
 * Running a command "as a workload": in an environment where the only AWS credentials are the
 * ones the workload gets from its service (instance metadata, container endpoint, Lambda's
 * variables). Every variable through which the caller's own identity could leak into the default
 * credential chain of the SDKs and the AWS CLI is removed, and the shared config and credentials
 * files point at empty files, so nothing of the caller's ~/.aws is read.
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Variables that select or carry credentials in the SDKs' default chains. */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_V1_DISABLED',
];

export interface WorkloadEnv {
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/**
 * The caller's environment without any credential variable, with empty AWS config and
 * credentials files, the region kept (or set), and `set` added.
 */
export function workloadEnv(base: NodeJS.ProcessEnv, region: string, set: Record<string, string>): WorkloadEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of CREDENTIAL_VARIABLES) delete env[k];
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-workload-'));
  writeFileSync(join(dir, 'config'), '', { mode: 0o600 });
  writeFileSync(join(dir, 'credentials'), '', { mode: 0o600 });
  env.AWS_CONFIG_FILE = join(dir, 'config');
  env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  if (!env.AWS_REGION) env.AWS_REGION = region;
  if (!env.AWS_DEFAULT_REGION) env.AWS_DEFAULT_REGION = env.AWS_REGION;
  Object.assign(env, set);
  return { env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs `command` with the terminal attached; resolves with its exit code (128 + signal number
 * when a signal ended it, as shells report). SIGINT/SIGTERM/SIGHUP are passed on to it.
 */
export function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = command;
  if (!file) return Promise.reject(new Error('no command given after --'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, forward(sig)] as const);
    for (const [sig, h] of handlers) process.on(sig, h);
    const done = () => {
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.on('error', (e) => {
      done();
      reject(new Error(`could not run ${file}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      done();
      const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
      resolve(code ?? 128 + (signal ? (signals[signal] ?? 1) : 1));
    });
  });
}
