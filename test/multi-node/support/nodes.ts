/**
 * Multi-node test support: real `rolecall start --database ...` processes (dist/src/cli/main.js)
 * on one PostgreSQL database, and a private PostgreSQL cluster for tests that restart it
 * (scripts/pg-test-cluster.sh). Every process and cluster a test starts is stopped by it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type Credentials } from '../../conformance/support/server.js';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const CLUSTER_SCRIPT = join(REPO, 'scripts', 'pg-test-cluster.sh');

export interface NodeOptions {
  database: string;
  schema: string;
  masterKey: string;
  accountId: string;
  root: Credentials;
  /** Pass the URL as `--database` (else through ROLECALL_DATABASE_URL). */
  viaFlag?: boolean;
  cacheTtlMs?: number;
  env?: Record<string, string>;
}

export interface RolecallNode {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr (its logs) so far. */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<string>;
}

export async function startNode(name: string, o: NodeOptions): Promise<RolecallNode> {
  const dataDir = mkdtempSync(join(tmpdir(), `rolecall-node-${name}-`));
  const args = [CLI, 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--account-id', o.accountId, '--root-access-key-id', o.root.accessKeyId, '--root-secret-access-key', o.root.secretAccessKey, '--log-level', 'info'];
  if (o.viaFlag) args.push('--database', o.database);
  if (o.cacheTtlMs !== undefined) args.push('--cache-ttl-ms', String(o.cacheTtlMs));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dataDir,
    ROLECALL_MASTER_KEY: o.masterKey,
    ROLECALL_DATABASE_SCHEMA: o.schema,
    ...(o.viaFlag ? {} : { ROLECALL_DATABASE_URL: o.database }),
    ...o.env,
  };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  void exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${name} did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /Rolecall listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`node ${name} exited (${how}) before listening:\n${out}`));
    });
  });
  return {
    name,
    url,
    child,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface Cluster {
  url: string;
  dir: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The binaries this machine has for a private cluster, or why not. */
export function privateClusterSkip(): string | undefined {
  if (!process.env.ROLECALL_TEST_DATABASE_URL) return 'PostgreSQL tests skipped: ROLECALL_TEST_DATABASE_URL is not set (.ci/run sets it)';
  return undefined;
}

/** A private PostgreSQL cluster (its own data dir and port), for tests that restart the server. */
export async function startCluster(): Promise<Cluster> {
  const r = await runProcess('bash', [CLUSTER_SCRIPT, 'start'], { env: process.env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`could not start a private PostgreSQL cluster (${r.code}):\n${r.stderr}`);
  const value = (k: string) => new RegExp(`export ${k}='([^']*)'`).exec(r.stdout)?.[1];
  const url = value('ROLECALL_TEST_DATABASE_URL');
  const dir = value('ROLECALL_TEST_PG_DIR');
  if (!url || !dir) throw new Error(`unexpected output from ${CLUSTER_SCRIPT}:\n${r.stdout}`);
  return {
    url,
    dir,
    async restart() {
      const x = await runProcess('bash', [CLUSTER_SCRIPT, 'restart', dir], { env: process.env, timeoutMs: 120_000 });
      if (x.code !== 0) throw new Error(`restart failed (${x.code}):\n${x.stderr}`);
    },
    async stop() {
      await runProcess('bash', [CLUSTER_SCRIPT, 'stop', dir], { env: process.env, timeoutMs: 120_000 });
    },
  };
}

/** The password of a database URL (to search the logs for it). */
export function passwordOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

/** What an SDK call ended with: 'ok', or the error's name and HTTP status. */
export async function outcome(p: Promise<unknown>): Promise<{ kind: string; status?: number; message?: string }> {
  try {
    await p;
    return { kind: 'ok' };
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    return { kind: err.name ?? 'Error', ...(status !== undefined ? { status } : {}), ...(err.message ? { message: err.message } : {}) };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
