// One engine x one workload per process (clean JIT state, clean RSS figures); prints one JSON line.
// usage: node --expose-gc bench/bench-engine.mjs <engine> <W1|W2|W2x10|W2x10-idle> [seconds=3] [warmupSeconds=1]
// run.mjs pins it to one core:  taskset -c 0 node --expose-gc bench/bench-engine.mjs rolecall W1
//
// Phases, all after setup():
//  1. warmup      : calls for warmupSeconds, results discarded (JIT, caches);
//  2. throughput  : calls for `seconds`, the clock read once per batch of BATCH calls, so timer
//                   overhead does not count against fast engines -> decisions_per_s (wall clock),
//                   plus cpu_share (process CPU time / wall time: < 1 means the core was shared);
//  3. latency     : calls for latencySeconds with a clock read around every call -> p50/p99/mean µs
//                   (these include ~2 performance.now() calls, tens of ns).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ENGINES, loadWorkload } from './engines.mjs';

const [engine, wname, secArg, warmArg] = process.argv.slice(2);
if (!ENGINES[engine]) {
  console.error(`unknown engine ${engine}; one of ${Object.keys(ENGINES).join(', ')}`);
  process.exit(2);
}
const SECONDS = Number(secArg || 3);
const WARMUP = Number(warmArg || 1);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS || Math.max(0.5, Math.min(1, SECONDS / 3)));
const MAX_SAMPLES = 4_000_000;
const BATCH = 64;

const memKB = (field) => {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
};
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
const gc = () => globalThis.gc?.();

const rssStart = memKB('VmRSS');
await ENGINES[engine].load();
const w = loadWorkload(wname);
gc();
const rssWorkload = memKB('VmRSS'); // node + the engine's library + workload objects, before setup
const tSetup = performance.now();
const adapter = await ENGINES[engine].setup(w);
const setupMs = performance.now() - tSetup;
gc();
const rssSetup = memKB('VmRSS');
const call = adapter.call;

/** Throughput: no clock inside the batch. Returns { n, elapsed ms, mix }. */
async function throughput(seconds) {
  const mix = {};
  let n = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let now = t0;
  if (adapter.async) {
    while (now < deadline) {
      for (let k = 0; k < BATCH; k++, n++) {
        const d = await call(n);
        mix[d] = (mix[d] || 0) + 1;
      }
      now = performance.now();
    }
  } else {
    while (now < deadline) {
      for (let k = 0; k < BATCH; k++, n++) {
        const d = call(n);
        mix[d] = (mix[d] || 0) + 1;
      }
      now = performance.now();
    }
  }
  return { n, elapsed: now - t0, mix };
}

/** Latency: clock around every call. Returns sorted per-call durations in ms. */
async function latency(seconds) {
  const lat = new Float64Array(MAX_SAMPLES);
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  if (adapter.async) {
    for (;;) {
      const s = performance.now();
      await call(n);
      const e = performance.now();
      lat[n++] = e - s;
      if (e > deadline || n >= MAX_SAMPLES) break;
    }
  } else {
    for (;;) {
      const s = performance.now();
      call(n);
      const e = performance.now();
      lat[n++] = e - s;
      if (e > deadline || n >= MAX_SAMPLES) break;
    }
  }
  return lat.subarray(0, n).sort();
}

// BENCH_CPU_PROF=file.cpuprofile: V8 CPU profile of the throughput phase only (not setup/warmup).
const profOut = process.env.BENCH_CPU_PROF;
let session;
const post = (method, params) => new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));

await throughput(WARMUP);
if (profOut) {
  const { Session } = await import('node:inspector');
  session = new Session();
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const { n, elapsed, mix } = await throughput(SECONDS);
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
if (profOut) {
  const { profile } = await post('Profiler.stop');
  (await import('node:fs')).writeFileSync(profOut, JSON.stringify(profile));
  session.disconnect();
}
const sorted = await latency(LATENCY_SECONDS);
const m = sorted.length;
const pct = (p) => sorted[Math.min(m - 1, Math.floor((p / 100) * m))] * 1000; // µs
let sum = 0;
for (let i = 0; i < m; i++) sum += sorted[i];

console.log(JSON.stringify({
  engine,
  workload: wname,
  node: process.version,
  roles: w.roles.length,
  requests_in_workload: adapter.count,
  decisions: n,
  seconds: Math.round(elapsed) / 1000,
  decisions_per_s: Math.round((n / elapsed) * 1000),
  // Share of the timed wall-clock this process was on a CPU: well below 1 means something else
  // ran on the pinned core and decisions_per_s is pessimistic (decisions_per_cpu_s less so).
  cpu_share: +(cpuSeconds / (elapsed / 1000)).toFixed(3),
  decisions_per_cpu_s: Math.round(n / cpuSeconds),
  latency_samples: m,
  p50_us: +pct(50).toFixed(2),
  p99_us: +pct(99).toFixed(2),
  mean_us: +((sum / m) * 1000).toFixed(2),
  decision_mix: mix,
  setup_ms: Math.round(setupMs),
  rss_start_mb: mb(rssStart),
  rss_after_workload_mb: mb(rssWorkload),
  rss_after_setup_mb: mb(rssSetup),
  rss_end_mb: mb(memKB('VmRSS')),
  rss_peak_mb: mb(memKB('VmHWM')),
  gc_exposed: typeof globalThis.gc === 'function',
}));
