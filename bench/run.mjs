// `npm run bench`: parts run one after the other (BENCH_PARTS, default engines,http,analyzer,authorize,postgres):
//  engines: verify, then R rounds of every (engine, workload) pair of PLAN, each pair in a fresh
//    node process pinned to one core, rotating the engine order each round; writes
//    bench/results/latest.jsonl (+ verify.json, latest.md) and prints a markdown summary;
//  http: bench/http/run-http.mjs (Rolecall over HTTP vs a bare node:http floor and moto_server,
//    under wrk; appends to bench/results/http.jsonl, writes http.md; BENCH_HTTP_* variables, see
//    that file and docs/benchmarks.md);
//  analyzer: bench/analyzer.mjs (lint of a 2 KB trust policy, who/what-can-assume over 1,000 roles);
//  authorize: bench/authorize.mjs (decision point calls vs SigV4 verification alone, in process);
//  postgres: bench/postgres.mjs (AssumeRole/GetCallerIdentity on PostgreSQL vs SQLite, two nodes vs one).
// Environment (engines part):
//   BENCH_ROUNDS   rounds (default 3)          BENCH_SECONDS  timed seconds per pair (default 3)
//   BENCH_WARMUP   warmup seconds (default 1)  BENCH_ENGINES  comma list to run a subset
//   BENCH_CPU      core to pin to (default 0)   BENCH_VERIFY=0 skip verification (summary says so)
// A benchmark, never a test: nothing in `npm test` depends on it.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAN } from './engines.mjs';
import { summarize } from './summarize.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results');
const ALL_PARTS = ['engines', 'http', 'analyzer', 'authorize', 'postgres'];
const PARTS = new Set((process.env.BENCH_PARTS || ALL_PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
for (const p of PARTS) {
  if (!ALL_PARTS.includes(p)) {
    console.error(`BENCH_PARTS: unknown part '${p}' (parts: ${ALL_PARTS.join(', ')})`);
    process.exit(2);
  }
}

/** A part that is one script of its own (it prints its own summary, anchors in the same run). */
function runScriptPart(name) {
  console.log(`\nbench: ${name} part (bench/${name}.mjs)`);
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: the ${name} part failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
function runOtherParts() {
  if (PARTS.has('http')) runHttpPart();
  for (const p of ['analyzer', 'authorize', 'postgres']) if (PARTS.has(p)) runScriptPart(p);
}

/** The HTTP part, in its own process (it starts and stops its servers and wrk itself). */
function runHttpPart() {
  console.log('\nbench: HTTP part (bench/http/run-http.mjs)');
  const h = spawnSync(process.execPath, [join(here, 'http', 'run-http.mjs')], { stdio: 'inherit' });
  if (h.status !== 0) {
    console.error(`bench: the HTTP part ${h.status === 3 ? 'had invalid load runs (non-2xx answers or socket errors; see above)' : `failed (exit ${h.status ?? h.signal})`}`);
    process.exit(1);
  }
}
if (!PARTS.has('engines')) {
  runOtherParts();
  process.exit(0);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const SECONDS = Number(process.env.BENCH_SECONDS || 3);
const WARMUP = Number(process.env.BENCH_WARMUP || 1);
const only = process.env.BENCH_ENGINES ? new Set(process.env.BENCH_ENGINES.split(',').map((s) => s.trim())) : undefined;
const plan = PLAN.filter(([e]) => !only || only.has(e));
if (!plan.length) {
  console.error(`BENCH_ENGINES matches no engine; engines: ${PLAN.map(([e]) => e).join(', ')}`);
  process.exit(2);
}
mkdirSync(resultsDir, { recursive: true });

// 1. Verify: the figures mean nothing if Rolecall decides differently from the reference.
let verify;
if (process.env.BENCH_VERIFY !== '0') {
  const v = spawnSync(process.execPath, [join(here, 'verify.mjs')], { stdio: 'inherit' });
  if (v.status !== 0) {
    console.error('bench: verification failed; not timing anything (see above).');
    process.exit(1);
  }
  verify = JSON.parse(readFileSync(join(resultsDir, 'verify.json'), 'utf8'));
} else {
  console.log('bench: BENCH_VERIFY=0, verification skipped');
  writeFileSync(join(resultsDir, 'verify.json'), JSON.stringify({ skipped: true }) + '\n');
}

// 2. Rounds.
const CORE = String(process.env.BENCH_CPU || 0);
const pinned = spawnSync('taskset', ['-c', CORE, 'true']).status === 0;
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? 'unknown').trim();
const meta = { date: new Date().toISOString().slice(0, 10), node: process.version, cpu, rounds: ROUNDS, seconds: SECONDS, warmup: WARMUP, pinned, core: pinned ? CORE : undefined };
const out = join(resultsDir, 'latest.jsonl');
writeFileSync(out, JSON.stringify({ meta }) + '\n');
const loadavg1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const rows = [];
const t0 = Date.now();
console.log(`bench: ${ROUNDS} rounds × ${plan.reduce((s, [, ws]) => s + ws.length, 0)} pairs, ${SECONDS} s each${pinned ? `, pinned to core ${CORE}` : ' (taskset not found: not pinned)'}`);
for (let round = 1; round <= ROUNDS; round++) {
  const rot = (round - 1) % plan.length;
  const order = [...plan.slice(rot), ...plan.slice(0, rot)];
  for (const [engine, workloads] of order) {
    for (const wl of workloads) {
      const args = ['--expose-gc', join(here, 'bench-engine.mjs'), engine, wl, String(SECONDS), String(WARMUP)];
      const load = loadavg1();
      const p = pinned
        ? spawnSync('taskset', ['-c', CORE, process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 })
        : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (p.status !== 0) {
        console.error(`bench: ${engine} ${wl} failed (exit ${p.status}):\n${p.stderr}`);
        process.exit(1);
      }
      const r = JSON.parse(p.stdout.trim().split('\n').pop());
      const row = { round, loadavg1: load, pinned, r };
      rows.push(row);
      appendFileSync(out, JSON.stringify(row) + '\n');
      console.log(`round ${round} ${engine.padEnd(24)} ${wl.padEnd(10)} ${String(r.decisions_per_s).padStart(9)} decisions/s  p50 ${r.p50_us} µs  p99 ${r.p99_us} µs  setup ${r.setup_ms} ms`);
    }
  }
}
meta.wall_seconds = Math.round((Date.now() - t0) / 1000);

// 3. Summary.
const md = summarize(rows, { verify, meta });
writeFileSync(join(resultsDir, 'latest.md'), md + '\n');
console.log('\n' + md);
console.log(`\n(raw results: ${out}; this summary: ${join(resultsDir, 'latest.md')}; ${meta.wall_seconds} s of rounds)`);

// 4. The HTTP part and the feature parts.
runOtherParts();
