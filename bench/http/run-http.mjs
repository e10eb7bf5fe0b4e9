// The HTTP part of `npm run bench` (also runnable alone: `node bench/http/run-http.mjs`, after a
// build). wrk replays one SigV4-signed STS request against, in the same run and round:
//   floor     bench/http/floor-server.mjs: bare node:http answering fixed XML (no verification);
//   rolecall  `node dist/src/cli/main.js start`: the full pipeline (SigV4 verify, key or session
//             token lookup, routing, authorization, the operation, serialization);
//   moto      `moto_server` (default settings: it does not check signatures).
// Cases: GetCallerIdentity signed with a user's long-term key; AssumeRole (same user, a role
// whose trust policy names it); GetCallerIdentity signed with session credentials from a real
// AssumeRole (X-Amz-Security-Token). The floor gets the same signed requests as Rolecall (it
// ignores the signature), moto the first two.
//
// Servers run pinned to one core (taskset -c BENCH_HTTP_SERVER_CPU, default 0), wrk to another
// (BENCH_HTTP_WRK_CPU, default 1), `wrk -t1 -cN`, a 2 s warm-up discarded, then
// BENCH_HTTP_SECONDS measured. Every round starts fresh servers, checks that the exact request
// wrk will replay answers HTTP 200 (twice: replays must be accepted), then measures the targets
// in an order rotated each round. Ratios are computed within each round; the summary reports the
// median of the per-round ratios. A load run with any non-2xx answer or socket error is invalid:
// it is flagged and left out of the ratios.
//
// Environment:
//   BENCH_HTTP_ROUNDS (3)  BENCH_HTTP_SECONDS (5)  BENCH_HTTP_WARMUP (2)  BENCH_HTTP_CONNS (16; e.g. 16,64)
//   BENCH_HTTP_TARGETS (floor,rolecall,rolecall-noaudit,moto)  BENCH_HTTP_CASES (all: GetCallerIdentity,AssumeRole,
//   GetCallerIdentity+session)  BENCH_HTTP_DATA_DIR (parent of Rolecall's temporary data directory;
//   default the OS temp dir)  BENCH_HTTP_PROF=1 (Rolecall under --cpu-prof, profiles
//   in bench/results/http-prof/)  BENCH_HTTP_NODE_ARGS (extra node flags for Rolecall, space-separated)  BENCH_HTTP_SERVER_STDOUT (a file
//   for Rolecall's standard output: --trace-gc-nvp lines)  BENCH_HTTP_DIST (the build
//   to run as Rolecall, relative to the repository: dist; another copy for A/B comparisons)  BENCH_HTTP_OUT (bench/results/http.jsonl, appended)
// Everything listens on 127.0.0.1; every load run is bounded (wrk -d, and killed at +20 s); every
// child process is stopped at the end, on errors and on SIGINT/SIGTERM too.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { signRequest, wrkLua, DEFAULT_AKID, DEFAULT_SECRET } from './gen-wrk-lua.mjs';
import { summarizeHttp } from './summarize-http.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const resultsDir = join(root, 'bench', 'results');
const OUT = process.env.BENCH_HTTP_OUT || join(resultsDir, 'http.jsonl');
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS || 3);
const SECS = Math.min(Number(process.env.BENCH_HTTP_SECONDS || 5), 60);
const WARM = Number(process.env.BENCH_HTTP_WARMUP || 2);
const CONNS = (process.env.BENCH_HTTP_CONNS || '16').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const TARGETS = (process.env.BENCH_HTTP_TARGETS || 'floor,rolecall,rolecall-noaudit,moto').split(',').map((s) => s.trim()).filter(Boolean);
const PROF = process.env.BENCH_HTTP_PROF === '1';
const DATA_PARENT = process.env.BENCH_HTTP_DATA_DIR || undefined; // where Rolecall's temporary data directories go (default: the OS temp dir)
const ONLY_CASES = process.env.BENCH_HTTP_CASES ? new Set(process.env.BENCH_HTTP_CASES.split(',').map((s) => s.trim())) : undefined;
const SERVER_CPU = String(process.env.BENCH_HTTP_SERVER_CPU ?? 0);
const WRK_CPU = String(process.env.BENCH_HTTP_WRK_CPU ?? 1);
const HOST = '127.0.0.1';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/bench-role`;
const ROOT_KEYS = { accessKeyId: 'AKIAROLECALLBENCHROOT', secretAccessKey: 'rolecall/bench/root/secret/key/0000000000' };
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const log = (s) => console.log(`bench:http: ${s}`);
// The SDK clients used for setup warn about node 20 support once per process: not our concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// ------------------------------------------------------------------------------ processes

const children = new Set();
const work = mkdtempSync(join(tmpdir(), 'rolecall-bench-http-'));
const dataDirs = [];

function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]) };
  } catch {
    return undefined;
  }
}
function descendants(pid) {
  const byParent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(d);
    if (st) (byParent.get(st.ppid) ?? byParent.set(st.ppid, []).get(st.ppid)).push(Number(d));
  }
  const out = [];
  const walk = (p) => { for (const c of byParent.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}
/** CPU seconds (user, system) used so far by a process and its descendants (moto's pyenv shim execs; threads count in the process). */
function treeCpu(pid) {
  let user = 0;
  let system = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const st = procStat(p);
    user += st?.utime ?? 0;
    system += st?.stime ?? 0;
  }
  return { user: user / CLK_TCK, system: system / CLK_TCK };
}
/** Scheduler figures (ns) of every thread of a process tree: time on a CPU, time runnable but waiting for one. */
function treeSched(pid, withChildren = true) {
  const threads = new Map();
  for (const p of withChildren ? [pid, ...descendants(pid)] : [pid]) {
    let tasks = [];
    try { tasks = readdirSync(`/proc/${p}/task`); } catch { /* gone */ }
    for (const t of tasks) {
      try {
        const [run, wait] = readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
        let name = '?';
        try { name = readFileSync(`/proc/${p}/task/${t}/comm`, 'utf8').trim(); } catch { /* gone */ }
        threads.set(`${p}/${t}`, { run, wait, name: t === String(p) ? 'main' : name });
      } catch { /* gone */ }
    }
  }
  return threads;
}
/**
 * The busiest thread between two treeSched snapshots (the one that ran most: a node server's main
 * thread, wrk's worker): its share of the window on a CPU and runnable-but-waiting for a CPU.
 */
function busiestThread(a, b, seconds) {
  let best;
  for (const [k, y] of b) {
    const x = a.get(k);
    if (!x) continue;
    const run = y.run - x.run;
    if (!best || run > best.run) best = { run, wait: y.wait - x.wait };
  }
  return best && seconds > 0 ? { on_cpu: Number((best.run / 1e9 / seconds).toFixed(2)), runq_wait: Number((best.wait / 1e9 / seconds).toFixed(2)) } : undefined;
}
/**
 * Each thread's share of the window on a CPU: each process's main thread as "main", the others
 * summed by name (node's helper threads, V8's GC and compiler threads and worker_threads all
 * carry the process's name), busiest first: where a server's CPU went besides its event loop.
 */
function threadShares(a, b, seconds) {
  const by = new Map();
  for (const [k, y] of b) {
    const x = a.get(k);
    const run = y.run - (x?.run ?? 0);
    if (run > 0) by.set(y.name, (by.get(y.name) ?? 0) + run);
  }
  return Object.fromEntries([...by].sort((p, q) => q[1] - p[1]).filter(([, run]) => run / 1e9 / seconds >= 0.005).map(([n, run]) => [n, Number((run / 1e9 / seconds).toFixed(3))]));
}
/** Busy time (s) of each CPU so far, from /proc/stat (everything but idle and iowait). */
function cpuBusy() {
  const out = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = (v.slice(0, 8).reduce((a, b) => a + b, 0) - v[3] - v[4]) / CLK_TCK; // user nice system idle iowait irq softirq steal
  }
  return out;
}
function killTree(pid, sig) {
  for (const p of [...descendants(pid), pid]) {
    try { process.kill(p, sig); } catch { /* gone */ }
  }
}
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
async function stop(child, graceMs = PROF ? 30_000 : 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((res) => child.once('exit', res));
  killTree(child.pid, 'SIGTERM');
  const t = setTimeout(() => killTree(child.pid, 'SIGKILL'), graceMs);
  await done;
  clearTimeout(t);
}
function stopAllSync() {
  for (const c of children) killTree(c.pid, 'SIGKILL');
}
process.on('exit', () => {
  stopAllSync();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`bench:http: ${sig}, stopping every child process`);
    stopAllSync();
    process.exit(130);
  });
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const pinned = has('taskset') && spawnSync('taskset', ['-c', `${SERVER_CPU},${WRK_CPU}`, 'true']).status === 0;
const pin = (cpu, cmd, args) => (pinned ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args]);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One raw HTTP request with exactly the given headers (what wrk will send). */
function rawRequest(port, { method, path, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, method, path, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function waitReady(child, port, probe, what, timeoutMs = 60_000) {
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      await probe(port);
      return Math.round(performance.now() - t0);
    } catch {
      if (performance.now() - t0 > timeoutMs) throw new Error(`${what} did not answer on ${HOST}:${port} within ${timeoutMs / 1000} s`);
      await sleep(50);
    }
  }
}
const probeGet = (path) => (port) => rawRequest(port, { method: 'GET', path, headers: { host: `${HOST}:${port}` }, body: '' }).then((r) => { if (r.status !== 200) throw new Error(String(r.status)); });
const probeAny = (port) => rawRequest(port, { method: 'POST', path: '/', headers: { host: `${HOST}:${port}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });

function tail(file, n = 30) {
  try { return readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n'); } catch { return ''; }
}

// ------------------------------------------------------------------------------ wrk

function ensureWrk() {
  if (has('wrk')) return;
  log('wrk (the HTTP load generator) is not installed; installing the Debian package: apt-get install -y wrk');
  if (process.getuid?.() !== 0) throw new Error('wrk is missing and this is not root: install it (apt-get install wrk) and rerun');
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) {
    log('apt-get install failed; running apt-get update first, then installing again');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', timeout: 300_000 });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', timeout: 300_000 });
  }
  if (r.status !== 0 || !has('wrk')) throw new Error('could not install wrk (apt-get install -y wrk); install it and rerun');
  log('wrk installed');
}

function runWrk(port, luaFile, conns, secs, stats) {
  const [cmd, args] = pin(WRK_CPU, 'wrk', ['-t1', `-c${conns}`, `-d${secs}s`, '--timeout', '5s', '-s', luaFile, `http://${HOST}:${port}/`]);
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    // wrk's own scheduler figures, polled (its /proc entry goes when it exits): is the load generator keeping up?
    // (per thread, kept from the last poll that saw it: wrk's worker thread ends before the process)
    const first = new Map();
    const last = new Map();
    const poll = stats ? setInterval(() => {
      const now = performance.now();
      for (const [k, v] of treeSched(child.pid, false)) { // wrk has no children: no /proc scan every 100 ms
        if (!first.has(k)) first.set(k, { ...v, t: now });
        last.set(k, { ...v, t: now });
      }
    }, 100) : undefined;
    const killer = setTimeout(() => killTree(child.pid, 'SIGKILL'), (secs + 20) * 1000); // every load run is bounded
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      if (stats && first.size) {
        let best;
        for (const [k, y] of last) {
          const x = first.get(k);
          const run = y.run - x.run;
          if (y.t > x.t && (!best || run > best.run)) best = { run, wait: y.wait - x.wait, ms: y.t - x.t };
        }
        if (best) {
          stats.wrk_on_cpu_share = Number((best.run / 1e6 / best.ms).toFixed(2));
          stats.wrk_runq_wait_share = Number((best.wait / 1e6 / best.ms).toFixed(2));
        }
        let run = 0;
        for (const [k, y] of last) run += y.run - first.get(k).run;
        stats.wrk_cpu_s = run / 1e9;
      }
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (!line) return reject(new Error(`wrk failed (${code ?? signal}): ${out}${err}`));
      const j = JSON.parse(line.slice(8));
      j.rps = Math.round((j.requests / j.duration_us) * 1e6);
      resolve(j);
    });
  });
}

// ------------------------------------------------------------------------------ targets

function startFloor(port) {
  const [cmd, args] = pin(SERVER_CPU, process.execPath, [join(here, 'floor-server.mjs')]);
  return track(spawn(cmd, args, { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] }));
}

async function startRolecall(port, round, extraEnv = {}) {
  const dataDir = mkdtempSync(join(DATA_PARENT ?? work, `rolecall-bench-data-r${round}-`));
  dataDirs.push(dataDir);
  const logFile = join(work, `rolecall-r${round}.log`);
  const nodeArgs = (process.env.BENCH_HTTP_NODE_ARGS || '').split(' ').filter(Boolean);
  if (PROF) {
    const profDir = join(resultsDir, 'http-prof');
    mkdirSync(profDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=rolecall-r${round}-${Date.now()}.cpuprofile`);
  }
  const main = join(root, process.env.BENCH_HTTP_DIST || 'dist', 'src', 'cli', 'main.js');
  const [cmd, args] = pin(SERVER_CPU, process.execPath, [...nodeArgs, main, 'start', '--host', HOST, '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn']);
  const env = { ...process.env, ROLECALL_ROOT_ACCESS_KEY_ID: ROOT_KEYS.accessKeyId, ROLECALL_ROOT_SECRET_ACCESS_KEY: ROOT_KEYS.secretAccessKey, ROLECALL_ACCOUNT_ID: ACCOUNT };
  for (const k of ['ROLECALL_HOST', 'ROLECALL_PORT', 'ROLECALL_DATA_DIR', 'ROLECALL_REGION', 'ROLECALL_LOG_LEVEL', 'ROLECALL_AUDIT']) delete env[k];
  Object.assign(env, extraEnv);
  // BENCH_HTTP_SERVER_STDOUT: a file for the server's standard output (e.g. node's --trace-gc-nvp lines).
  const stdoutFile = process.env.BENCH_HTTP_SERVER_STDOUT;
  const child = track(spawn(cmd, args, { env, stdio: ['ignore', stdoutFile ? 'pipe' : 'ignore', 'pipe'] }));
  child.stderr.on('data', (d) => appendFileSync(logFile, d));
  if (stdoutFile) child.stdout.on('data', (d) => appendFileSync(stdoutFile, d));
  child.logFile = logFile;
  return child;
}

/** Through the real API, as a user would: a user with a key, a role trusting it, one AssumeRole. */
async function setupRolecall(port) {
  const { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateRoleCommand } = await import('@aws-sdk/client-iam');
  const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const endpoint = `http://${HOST}:${port}`;
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: ROOT_KEYS });
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey;
  await iam.send(new PutUserPolicyCommand({
    UserName: 'bench', PolicyName: 'assume-bench-role',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN }] }),
  }));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bench` }, Action: 'sts:AssumeRole' }] };
  const role = (await iam.send(new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role;
  if (role.Arn !== ROLE_ARN) throw new Error(`unexpected role ARN ${role.Arn}`);
  iam.destroy();
  const user = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: user });
  const who = await sts.send(new GetCallerIdentityCommand({}));
  if (who.Arn !== `arn:aws:iam::${ACCOUNT}:user/bench`) throw new Error(`GetCallerIdentity with the user's key says ${who.Arn}`);
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'bench-session', DurationSeconds: 3600 }))).Credentials;
  sts.destroy();
  return { user, session: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } };
}

// moto: a role created with boto3 as the anchors do (moto's default settings do not check signatures).
const MOTO_SETUP_PY = `
import sys, json, boto3
port = sys.argv[1]
kw = dict(endpoint_url=f'http://127.0.0.1:{port}', region_name='us-east-1',
          aws_access_key_id='${DEFAULT_AKID}', aws_secret_access_key='${DEFAULT_SECRET}')
iam = boto3.client('iam', **kw)
trust = {'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::${ACCOUNT}:root'},'Action':'sts:AssumeRole'}]}
r = iam.create_role(RoleName='bench-role', AssumeRolePolicyDocument=json.dumps(trust))
print(json.dumps({'arn': r['Role']['Arn']}))
`;
function motoAvailable() {
  if (!has('moto_server')) return 'moto_server is not on PATH';
  const r = spawnSync('python3', ['-c', 'import boto3, moto; print(moto.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'python3 cannot import boto3 and moto';
}
function startMoto(port) {
  const [cmd, args] = pin(SERVER_CPU, 'moto_server', ['-H', HOST, '-p', String(port)]);
  return track(spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] }));
}
function setupMoto(port) {
  const r = spawnSync('python3', ['-c', MOTO_SETUP_PY, String(port)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error('moto setup failed: ' + r.stderr);
  const { arn } = JSON.parse(r.stdout.trim().split('\n').pop());
  if (arn !== ROLE_ARN) throw new Error(`moto created ${arn}, expected ${ROLE_ARN}`);
}

// ------------------------------------------------------------------------------ the run

const CASES = {
  floor: ['GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity+session'],
  rolecall: ['GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity+session'],
  // The same server with ROLECALL_AUDIT=off: what the audit trail costs (issue: must not halve throughput).
  'rolecall-noaudit': ['GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity+session'],
  moto: ['GetCallerIdentity', 'AssumeRole'],
};
/** What the 200 answer must say (Rolecall: the real caller; floor and moto: an STS answer). */
function expectation(target, kase) {
  const all = (...res) => ({ test: (s) => res.every((re) => re.test(s)) });
  if (!target.startsWith('rolecall')) return kase === 'AssumeRole' ? all(/<AssumeRoleResponse[\s>]/, /<SessionToken>[^<]+</) : all(/<GetCallerIdentityResponse[\s>]/, /<Arn>/);
  if (kase === 'GetCallerIdentity') return all(new RegExp(`<Arn>arn:aws:iam::${ACCOUNT}:user/bench</Arn>`));
  if (kase === 'AssumeRole') return all(new RegExp(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/bench-role/bench</Arn>`), /<AccessKeyId>ASIA/, /<SessionToken>[^<]+</);
  return all(new RegExp(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/bench-role/bench-session</Arn>`));
}

const runId = new Date().toISOString();
const rows = [];
function record(row) {
  const full = { run: runId, ...row };
  rows.push(full);
  appendFileSync(OUT, JSON.stringify(full) + '\n');
  const w = row.wrk;
  console.log(`[r${row.round}] ${row.target.padEnd(8)} ${row.case.padEnd(25)} c=${row.conns}: ${String(w.rps).padStart(6)} req/s  p50 ${w.p50_us} µs  p99 ${w.p99_us} µs  non2xx ${w.non2xx}  server on-CPU ${row.on_cpu_share.toFixed(2)}, wrk ${row.wrk_on_cpu_share ?? '?'}; others on their cores ${row.others_on_server_core ?? '?'} / ${row.others_on_wrk_core ?? '?'}  load ${row.loadavg1}${row.valid ? '' : '  INVALID: ' + row.invalid_reason}`);
}
const loadavg1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

async function measure({ round, target, server, port, kase, creds }) {
  const session = kase.endsWith('+session');
  const action = session ? 'GetCallerIdentity' : kase;
  const c = session ? creds.session : creds.user;
  for (const conns of CONNS) {
    const signed = await signRequest({ hostport: `${HOST}:${port}`, action, akid: c.accessKeyId, secret: c.secretAccessKey, token: c.sessionToken, roleArn: ROLE_ARN });
    const lua = join(work, `wrk-${target}-${kase}-${conns}.lua`);
    writeFileSync(lua, wrkLua(signed));
    // The exact request wrk will replay must be accepted, and accepted again when replayed.
    const first = await rawRequest(port, signed);
    const replay = await rawRequest(port, signed);
    const want = expectation(target, kase);
    const precheck = { status: first.status, replay_status: replay.status, body_ok: want.test(first.body) && want.test(replay.body) };
    if (first.status !== 200 || replay.status !== 200 || !precheck.body_ok) {
      const row = { round, target, case: kase, conns, precheck, valid: false, invalid_reason: `precheck failed: HTTP ${first.status}/${replay.status}: ${first.body.replace(/\s+/g, ' ').slice(0, 300)}` };
      rows.push({ run: runId, ...row });
      appendFileSync(OUT, JSON.stringify({ run: runId, ...row }) + '\n');
      console.log(`[r${round}] ${target} ${kase} c=${conns}: INVALID, not measured: ${row.invalid_reason}`);
      continue;
    }
    await runWrk(port, lua, conns, WARM); // warm-up, discarded
    const load = loadavg1();
    const cpu0 = treeCpu(server.pid);
    const sch0 = treeSched(server.pid);
    const busy0 = cpuBusy();
    const t0 = performance.now();
    const wrkStats = {};
    const w = await runWrk(port, lua, conns, SECS, wrkStats);
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = treeCpu(server.pid);
    const sch1 = treeSched(server.pid);
    const busy1 = cpuBusy();
    // What else ran on the two cores: their busy time minus the server's CPU time (server core) or
    // wrk's (wrk core), as a share of the run. ~0 on a quiet machine.
    const other = (core, own) => (pinned && busy1[core] !== undefined ? Number(Math.max(0, (busy1[core] - busy0[core] - own) / wall).toFixed(2)) : null);
    const wrkCpu = wrkStats.wrk_cpu_s;
    delete wrkStats.wrk_cpu_s;
    const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    const sys = cpu1.system - cpu0.system;
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`${target} died during the load run`);
    const errors = w.non2xx + w.connect_err + w.read_err + w.write_err + w.timeout_err;
    const row = {
      round, target, case: kase, conns, pinned, loadavg1: load, precheck,
      server_cpu_s: Number(cpu.toFixed(2)), server_sys_s: Number(sys.toFixed(2)), wall_s: Number(wall.toFixed(2)),
      // share of the wall time the server process was on a CPU (1.00 = all of the pinned core)
      on_cpu_share: Number(Math.min(cpu / (w.duration_us / 1e6), 9.99).toFixed(2)),
      // share of the wall time the server's busiest thread (a node server's event loop) was runnable
      // but waiting for its core: other processes, or the server's own helper threads (GC, moto's
      // per-connection threads), pinned to the same core
      runq_wait_share: busiestThread(sch0, sch1, wall)?.runq_wait ?? null,
      busiest_thread_on_cpu_share: busiestThread(sch0, sch1, wall)?.on_cpu ?? null,
      // every thread's share, by name (see threadShares)
      thread_shares: threadShares(sch0, sch1, wall),
      ...wrkStats,
      others_on_server_core: other(SERVER_CPU, cpu),
      others_on_wrk_core: wrkCpu !== undefined ? other(WRK_CPU, wrkCpu) : null,
      rps_per_cpu_s: cpu > 0 ? Math.round(w.requests / cpu) : null,
      wrk: w,
      valid: errors === 0,
    };
    if (errors) row.invalid_reason = `${w.non2xx} non-2xx, ${w.connect_err + w.read_err + w.write_err} socket errors, ${w.timeout_err} timeouts`;
    record(row);
  }
}

async function main() {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/src/cli/main.js is missing: build first (npx tsc -p . or npm run build)');
  ensureWrk();
  mkdirSync(dirname(OUT), { recursive: true });
  let targets = TARGETS.filter((t) => CASES[t]);
  if (targets.includes('moto')) {
    const why = motoAvailable();
    if (why) {
      log(`moto is not measured: ${why} (the ratios to moto will be n/a)`);
      targets = targets.filter((t) => t !== 'moto');
    }
  }
  if ((targets.includes('floor') || targets.includes('moto')) && !targets.includes('rolecall')) {
    log('note: the floor session case needs Rolecall (its session token); without rolecall only the long-term cases run');
  }
  const wrkVersion = (spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout || '').split('\n')[0].replace(/ Copyright.*/, '').trim();
  const motoVersion = targets.includes('moto') ? spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).stdout.trim() : undefined;
  const meta = {
    date: runId.slice(0, 10), node: process.version, wrk: wrkVersion, moto: motoVersion, cpu: (cpus()[0]?.model ?? 'unknown').trim(), ncpu: cpus().length,
    rounds: ROUNDS, seconds: SECS, warmup: WARM, conns: CONNS, targets, pinned, server_cpu: pinned ? SERVER_CPU : undefined, wrk_cpu: pinned ? WRK_CPU : undefined,
    prof: PROF || undefined, rolecall_data_fs: spawnSync('stat', ['-f', '-c', '%T', DATA_PARENT ?? tmpdir()], { encoding: 'utf8' }).stdout.trim() || undefined,
    loadavg_start: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
  appendFileSync(OUT, JSON.stringify({ run: runId, meta }) + '\n');
  log(`${ROUNDS} rounds × [${targets.join(', ')}], wrk -t1 -c${CONNS.join('/')} , ${WARM} s warm-up + ${SECS} s measured per case${pinned ? `; servers on CPU ${SERVER_CPU}, wrk on CPU ${WRK_CPU}` : ' (taskset missing: NOT pinned)'}`);
  const t0 = Date.now();
  for (let round = 1; round <= ROUNDS; round++) {
    const started = [];
    try {
      // Start and set up every server of the round first (Rolecall's session token is also what the
      // floor's session case sends); idle servers take no CPU while the others are measured.
      const servers = {};
      if (targets.includes('floor')) {
        const port = await freePort();
        const child = startFloor(port);
        started.push(child);
        const ready = await waitReady(child, port, probeGet('/__stats'), 'floor server');
        servers.floor = { child, port, ready };
      }
      let creds;
      if (targets.includes('rolecall')) {
        const port = await freePort();
        const child = await startRolecall(port, round);
        started.push(child);
        let ready;
        try {
          ready = await waitReady(child, port, probeGet('/_rolecall/health'), 'rolecall');
          creds = await setupRolecall(port);
        } catch (e) {
          throw new Error(`${e.message}\n--- rolecall stderr ---\n${tail(child.logFile)}`);
        }
        servers.rolecall = { child, port, ready };
      }
      if (targets.includes('rolecall-noaudit')) {
        const port = await freePort();
        const child = await startRolecall(port, round, { ROLECALL_AUDIT: 'off' });
        started.push(child);
        let ready, own;
        try {
          ready = await waitReady(child, port, probeGet('/_rolecall/health'), 'rolecall-noaudit');
          own = await setupRolecall(port); // its own token keys: sessions of the other server do not open here
        } catch (e) {
          throw new Error(`${e.message}\n--- rolecall-noaudit stderr ---\n${tail(child.logFile)}`);
        }
        servers['rolecall-noaudit'] = { child, port, ready, creds: { user: own.user, session: own.session } };
      }
      if (targets.includes('moto')) {
        const port = await freePort();
        const child = startMoto(port);
        started.push(child);
        const ready = await waitReady(child, port, probeAny, 'moto_server');
        setupMoto(port);
        servers.moto = { child, port, ready };
      }
      const longTerm = creds ? { user: creds.user, session: creds.session } : { user: { accessKeyId: DEFAULT_AKID, secretAccessKey: DEFAULT_SECRET } };
      const rot = (round - 1) % targets.length;
      const order = [...targets.slice(rot), ...targets.slice(0, rot)];
      for (const target of order) {
        const s = servers[target];
        // moto ignores signatures; it is sent the anchors' example key (same request shape and size).
        const c = target === 'moto' ? { user: { accessKeyId: DEFAULT_AKID, secretAccessKey: DEFAULT_SECRET } } : s.creds ?? longTerm;
        for (const kase of CASES[target]) {
          if (kase.endsWith('+session') && !c.session) continue;
          if (ONLY_CASES && !ONLY_CASES.has(kase)) continue;
          await measure({ round, target, server: s.child, port: s.port, kase, creds: c });
        }
      }
    } finally {
      for (const c of started) await stop(c);
    }
  }
  meta.wall_seconds = Math.round((Date.now() - t0) / 1000);
  meta.loadavg_end = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  appendFileSync(OUT, JSON.stringify({ run: runId, meta_end: { wall_seconds: meta.wall_seconds, loadavg_end: meta.loadavg_end } }) + '\n');
  const md = summarizeHttp(rows, meta);
  const mdFile = OUT.replace(/\.jsonl$/, '') + '.md'; // bench/results/http.md by default
  writeFileSync(mdFile, md + '\n');
  console.log('\n' + md);
  console.log(`\n(raw results appended to ${OUT}, run "${runId}"; this summary: ${mdFile}; ${meta.wall_seconds} s)`);
  if (PROF) console.log(`CPU profiles of Rolecall: ${join(resultsDir, 'http-prof')} (node bench/http/prof-top.mjs FILE)`);
  return rows.some((r) => !r.valid) ? 3 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => {
    console.error(`bench:http: failed: ${e.stack || e.message}`);
    stopAllSync();
    process.exitCode = 1;
  },
);
