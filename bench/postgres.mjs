// PostgreSQL vs SQLite, and two nodes vs one, measured in the same run (after a build:
// `node bench/postgres.mjs`). wrk replays one SigV4-signed STS request (bench/http/gen-wrk-lua.mjs,
// the same requests as bench/http/run-http.mjs) against:
//   sqlite-1   one `rolecall start` node on its SQLite file;
//   pg-1       one node on PostgreSQL;
//   pg-2       two nodes on the same PostgreSQL schema, loaded at once by two wrk processes
//              (half the connections each); the figure is their sum.
// Cases: GetCallerIdentity and AssumeRole signed with an IAM user's long-term key.
//
// PostgreSQL: BENCH_PG_URL, else ROLECALL_TEST_DATABASE_URL, else a private throwaway cluster
// (scripts/pg-test-cluster.sh, stopped at the end). Each configuration gets a fresh schema.
// Every round starts fresh nodes, checks the exact request wrk replays answers 200, and measures
// the configurations in an order rotated each round; ratios are per round, the summary gives
// their median. A load run with any non-2xx answer or socket error is flagged invalid.
//
// Environment: BENCH_PG_ROUNDS (2)  BENCH_PG_SECONDS (5)  BENCH_PG_WARMUP (1)  BENCH_PG_CONNS (16)
//   BENCH_PG_CONFIGS (sqlite-1,pg-1,pg-2)  BENCH_PG_CASES (GetCallerIdentity,AssumeRole)
//   BENCH_PG_OUT (bench/results/postgres.jsonl, appended)
// Everything listens on 127.0.0.1; every load run is bounded (wrk -d, killed at +20 s); every child
// process (nodes, wrk, a private cluster) is stopped at the end, on errors and on SIGINT/SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { signRequest, wrkLua } from './http/gen-wrk-lua.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const OUT = process.env.BENCH_PG_OUT || join(root, 'bench', 'results', 'postgres.jsonl');
const ROUNDS = Number(process.env.BENCH_PG_ROUNDS || 2);
const SECS = Math.min(Number(process.env.BENCH_PG_SECONDS || 5), 60);
const WARM = Number(process.env.BENCH_PG_WARMUP || 1);
const CONNS = Number(process.env.BENCH_PG_CONNS || 16);
const CONFIGS = (process.env.BENCH_PG_CONFIGS || 'sqlite-1,pg-1,pg-2').split(',').map((s) => s.trim()).filter(Boolean);
const CASES = (process.env.BENCH_PG_CASES || 'GetCallerIdentity,AssumeRole').split(',').map((s) => s.trim()).filter(Boolean);
const HOST = '127.0.0.1';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/bench-role`;
const ROOT_KEYS = { accessKeyId: 'AKIAROLECALLBENCHROOT', secretAccessKey: 'rolecall/bench/root/secret/key/0000000000' };
const MASTER_KEY = randomBytes(32).toString('base64');
const log = (s) => console.log(`bench:postgres: ${s}`);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// ------------------------------------------------------------------------------ processes

const children = new Set();
const work = mkdtempSync(join(tmpdir(), 'rolecall-bench-pg-'));
let privateCluster;
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(t);
}
function cleanupSync() {
  for (const c of children) c.kill('SIGKILL');
  if (privateCluster) spawnSync('bash', [join(root, 'scripts', 'pg-test-cluster.sh'), 'stop', privateCluster], { stdio: 'ignore' });
  privateCluster = undefined;
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`bench:postgres: ${sig}, stopping every child process`);
    process.exit(130);
  });
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

async function databaseUrl() {
  const given = process.env.BENCH_PG_URL || process.env.ROLECALL_TEST_DATABASE_URL;
  if (given) return given;
  log('no BENCH_PG_URL / ROLECALL_TEST_DATABASE_URL: starting a private PostgreSQL cluster');
  const r = spawnSync('bash', [join(root, 'scripts', 'pg-test-cluster.sh'), 'start'], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`could not start PostgreSQL: ${r.stderr}`);
  privateCluster = /ROLECALL_TEST_PG_DIR='([^']*)'/.exec(r.stdout)?.[1];
  return /ROLECALL_TEST_DATABASE_URL='([^']*)'/.exec(r.stdout)?.[1];
}

async function dropSchema(url, schema) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

/** A `rolecall start` node; resolves with its port once it listens. */
async function startNode(name, store) {
  const dataDir = mkdtempSync(join(work, `data-${name}-`));
  const args = [join(root, 'dist', 'src', 'cli', 'main.js'), 'start', '--host', HOST, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'];
  const env = {
    PATH: process.env.PATH,
    HOME: dataDir,
    ROLECALL_ROOT_ACCESS_KEY_ID: ROOT_KEYS.accessKeyId,
    ROLECALL_ROOT_SECRET_ACCESS_KEY: ROOT_KEYS.secretAccessKey,
    ROLECALL_ACCOUNT_ID: ACCOUNT,
    ROLECALL_MASTER_KEY: MASTER_KEY,
    ...(store.url ? { ROLECALL_DATABASE_URL: store.url, ROLECALL_DATABASE_SCHEMA: store.schema } : {}),
  };
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${out}`));
    });
  });
  return { child, port, output: () => out };
}

/** A user with a key and a role trusting it, through the real API (once per store). */
async function setup(port) {
  const { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateRoleCommand } = await import('@aws-sdk/client-iam');
  const iam = new IAMClient({ endpoint: `http://${HOST}:${port}`, region: 'us-east-1', credentials: ROOT_KEYS, maxAttempts: 1 });
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey;
  await iam.send(new PutUserPolicyCommand({ UserName: 'bench', PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN }] }) }));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bench` }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  iam.destroy();
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

async function check(port, signed) {
  const res = await fetch(`http://${HOST}:${port}/`, { method: 'POST', headers: signed.headers, body: signed.body });
  if (res.status !== 200) throw new Error(`check request answered ${res.status}: ${await res.text()}`);
}

function runWrk(port, luaFile, conns, secs) {
  return new Promise((resolve, reject) => {
    const child = track(spawn('wrk', ['-t1', `-c${conns}`, `-d${secs}s`, '--timeout', '5s', '-s', luaFile, `http://${HOST}:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (secs + 20) * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (!line) return reject(new Error(`wrk failed (${code ?? signal}): ${out}`));
      resolve(JSON.parse(line.slice(8)));
    });
  });
}

/** Loads every node at once (connections split between them); returns the summed figures. */
async function load(nodes, luaFiles, secs) {
  const per = Math.max(1, Math.floor(CONNS / nodes.length));
  const runs = await Promise.all(nodes.map((n, i) => runWrk(n.port, luaFiles[i], per, secs)));
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const errors = runs.reduce((a, r) => a + r.non2xx + r.connect_err + r.read_err + r.write_err + r.timeout_err, 0);
  const seconds = Math.max(...runs.map((r) => r.duration_us)) / 1e6;
  return { rps: Math.round(requests / seconds), requests, errors, p50_ms: Math.max(...runs.map((r) => r.p50_us)) / 1000, p99_ms: Math.max(...runs.map((r) => r.p99_us)) / 1000 };
}

// ------------------------------------------------------------------------------ main

async function measureConfig(config, url, round) {
  const [engine, countText] = config.split('-');
  const count = Number(countText);
  const schema = `bench_${round}_${config.replace('-', '_')}_${randomBytes(3).toString('hex')}`;
  const store = engine === 'pg' ? { url, schema } : {};
  const nodes = [];
  const out = {};
  try {
    // SQLite: one node only (the file is one node's). PostgreSQL: the first node migrates.
    nodes.push(await startNode(`${config}-0`, store));
    for (let i = 1; i < count; i++) nodes.push(await startNode(`${config}-${i}`, store));
    const user = await setup(nodes[0].port);
    await sleep(200); // let the other nodes hear of the new user (and the cache TTL needs nothing more)
    for (const action of CASES) {
      const luaFiles = [];
      for (const n of nodes) {
        const signed = await signRequest({ hostport: `${HOST}:${n.port}`, action, akid: user.accessKeyId, secret: user.secretAccessKey, roleArn: ROLE_ARN });
        await check(n.port, signed);
        await check(n.port, signed);
        const f = join(work, `${config}-${n.port}-${action}.lua`);
        writeFileSync(f, wrkLua(signed));
        luaFiles.push(f);
      }
      if (WARM > 0) await load(nodes, luaFiles, WARM);
      const r = await load(nodes, luaFiles, SECS);
      out[action] = r;
      log(`round ${round} ${config.padEnd(8)} ${action.padEnd(17)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50_ms.toFixed(1)} ms  p99 ${r.p99_ms.toFixed(1)} ms${r.errors ? `  INVALID: ${r.errors} errors` : ''}`);
    }
  } finally {
    await Promise.all(nodes.map((n) => stop(n.child)));
    if (engine === 'pg') await dropSchema(url, schema).catch(() => undefined);
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function main() {
  if (!has('wrk')) throw new Error('wrk is not installed (apt-get install wrk)');
  const url = CONFIGS.some((c) => c.startsWith('pg')) ? await databaseUrl() : undefined;
  log(`${ROUNDS} rounds x ${SECS} s, ${CONNS} connections, configs ${CONFIGS.join(', ')}, cases ${CASES.join(', ')}; ${cpus().length} CPUs shared by the nodes, PostgreSQL and wrk`);
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = CONFIGS.map((_, i) => CONFIGS[(i + round - 1) % CONFIGS.length]);
    const results = {};
    for (const c of order) results[c] = await measureConfig(c, url, round);
    rounds.push(results);
  }
  const ratio = (a, b, action) => median(rounds.map((r) => (r[a]?.[action]?.errors || r[b]?.[action]?.errors ? NaN : r[a]?.[action]?.rps / r[b]?.[action]?.rps)).filter((x) => Number.isFinite(x)));
  const summary = { at: new Date().toISOString(), rounds: ROUNDS, seconds: SECS, conns: CONNS, cpus: cpus().length, results: rounds, ratios: {} };
  for (const action of CASES) {
    const med = Object.fromEntries(CONFIGS.map((c) => [c, median(rounds.map((r) => r[c]?.[action]?.rps).filter(Number.isFinite))]));
    summary.ratios[action] = { 'pg-1/sqlite-1': ratio('pg-1', 'sqlite-1', action), 'pg-2/pg-1': ratio('pg-2', 'pg-1', action) };
    log(`${action}: median req/s ${CONFIGS.map((c) => `${c} ${med[c]}`).join(', ')}; PostgreSQL/SQLite ${summary.ratios[action]['pg-1/sqlite-1']?.toFixed(2)}, two nodes/one ${summary.ratios[action]['pg-2/pg-1']?.toFixed(2)}`);
  }
  mkdirSync(dirname(OUT), { recursive: true });
  appendFileSync(OUT, JSON.stringify(summary) + '\n');
  log(`appended to ${OUT}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench:postgres: ${e.stack ?? e}`);
    process.exit(1);
  },
);
