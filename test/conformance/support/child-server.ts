/**
 * The real `rolecall start` in a child process (`node dist/src/cli/main.js start`, configured by
 * ROLECALL_* variables), for tests that need what an in-process server cannot give: a SIGKILL
 * mid-load, or the exact bytes the server writes to its logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomAccountId, rootKeys, type Credentials } from './server.js';

/** dist/src/cli/main.js, next to this compiled file's dist/test/conformance/support. */
export const CLI_MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

export interface ChildServer {
  url: string;
  accountId: string;
  root: Credentials;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export interface ChildServerOptions {
  dataDir: string;
  accountId?: string;
  root?: Credentials;
  env?: Record<string, string>;
}

export async function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const accountId = opts.accountId ?? randomAccountId();
  const root = opts.root ?? rootKeys();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: opts.dataDir,
    ROLECALL_DATA_DIR: opts.dataDir,
    ROLECALL_PORT: '0',
    ROLECALL_HOST: '127.0.0.1',
    ROLECALL_ACCOUNT_ID: accountId,
    ROLECALL_ROOT_ACCESS_KEY_ID: root.accessKeyId,
    ROLECALL_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey,
    ROLECALL_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const proc = spawn(process.execPath, [CLI_MAIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rolecall start did not come up:\n${out}`)), 20_000);
    const check = () => {
      const m = /Rolecall listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`rolecall start exited (${String(how)}):\n${out}`));
    });
  });
  return {
    url,
    accountId,
    root,
    proc,
    output: () => out,
    exited,
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
