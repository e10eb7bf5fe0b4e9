// Markdown summary of a benchmark run: per workload, medians over rounds; ratios computed inside
// each round (same run, same machine state), then the median of the per-round ratios.
// usage: node bench/summarize.mjs [bench/results/latest.jsonl]   (run.mjs calls summarize())
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TARGETS = {
  cedarRatio: 10, // Rolecall >= 10x cedar-wasm (preparsed, one set per role) on W1 and W2, one core
  w1Aim: 1_000_000, // ~1M decisions/s on W1 is the aim
};

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 0) => (Number.isNaN(x) ? 'n/a' : d === 0 || x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d));
const fr = (x) => (Number.isNaN(x) ? 'n/a' : x >= 10 ? `${x.toFixed(0)}×` : x >= 1 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);

const WORKLOAD_TEXT = {
  W1: 'one identity policy, 10 statements (conditions: tags, MFA, IP ranges, userid, TLS, region), one request',
  W2: '200 roles × 3 policies × ~10 statements, 20,000 seeded random requests',
  W2x10: '2,000 roles (10× W2), requests spread over all of them: 10× the policies loaded and touched',
  'W2x10-idle': "2,000 roles loaded, W2's exact requests (only W2's 200 roles touched)",
};
const ENGINE_ORDER = ['rolecall', 'rolecall-explain', 'cedar-preparsed-perrole', 'iamsim-unsafe', 'iamsim-safe'];

export function summarize(rows, { verify, meta } = {}) {
  const out = [];
  const rounds = [...new Set(rows.map((x) => x.round))].sort((a, b) => a - b);
  const get = (rd, e, w) => rows.find((x) => x.round === rd && x.r.engine === e && x.r.workload === w)?.r;
  // field: 'decisions_per_s' (wall clock, the headline) or 'decisions_per_cpu_s' (process CPU time:
  // robust to other processes taking the pinned core, not to their cache pollution).
  const ratio = (ea, wa, eb, wb, field = 'decisions_per_s') => median(rounds.map((rd) => {
    const a = get(rd, ea, wa);
    const b = get(rd, eb, wb);
    return a?.[field] && b?.[field] ? a[field] / b[field] : undefined;
  }));
  const cpuRatio = (ea, wa, eb, wb) => ratio(ea, wa, eb, wb, 'decisions_per_cpu_s');
  const minShare = Math.min(...rows.map((x) => x.r.cpu_share ?? NaN));
  const noisy = minShare < 0.9;
  const node = rows[0]?.r.node ?? process.version;
  out.push(`## Policy-engine benchmark — ${meta?.date ?? new Date().toISOString().slice(0, 10)}, node ${node}`);
  out.push('');
  const bits = [`rounds: ${rounds.length}`];
  if (meta?.seconds) bits.push(`${meta.seconds} s timed + ${meta.warmup} s warmup per engine × workload`);
  bits.push(`each pair in its own process${rows.every((x) => x.pinned) ? `, pinned to one core (\`taskset -c ${meta?.core ?? 0}\`)` : ' (not pinned: no taskset)'}`);
  bits.push(`median 1-min loadavg at start of pairs: ${fmt(median(rows.map((x) => x.loadavg1)), 2)}`);
  bits.push(`lowest on-CPU share of a timed phase: ${fmt(minShare, 2)} (1.00 = the pinned core was ours throughout)`);
  if (meta?.cpu) bits.push(`CPU: ${meta.cpu}`);
  out.push(bits.join('; ') + '.');
  if (noisy) {
    out.push('');
    out.push(`**Noisy run**: other processes took the pinned core (on-CPU share down to ${fmt(minShare, 2)}); wall-clock figures are pessimistic and uneven. The "CPU-time basis" columns (decisions per second of this process's own CPU time) are the better estimate; rerun on a quiet machine for headline figures.`);
  }
  if (verify && !verify.skipped) {
    const parts = Object.entries(verify.workloads).map(([w, s]) => `${w} ${s.requests}: ${s.rolecall?.mismatches ?? '?'}`);
    out.push(`Verification vs iamsim-safe (mismatches, Allowed/Denied): ${verify.ok ? 'PASS' : 'FAIL'} — ${parts.join(', ')}.`);
  } else out.push('Verification: NOT RUN (BENCH_VERIFY=0): these figures were not checked against iamsim-safe.');
  out.push('');

  const workloads = [...new Set(rows.map((x) => x.r.workload))].sort((a, b) => Object.keys(WORKLOAD_TEXT).indexOf(a) - Object.keys(WORKLOAD_TEXT).indexOf(b));
  for (const w of workloads) {
    out.push(`### ${w}: ${WORKLOAD_TEXT[w] ?? ''}`);
    out.push('');
    out.push('| engine | decisions/s (median) | min – max over rounds | decisions per CPU-s | p50 µs | p99 µs | setup ms | RSS after setup MB | peak RSS MB | lowest on-CPU share |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const engines = [...new Set(rows.filter((x) => x.r.workload === w).map((x) => x.r.engine))]
      .sort((a, b) => ENGINE_ORDER.indexOf(a) - ENGINE_ORDER.indexOf(b));
    for (const e of engines) {
      const rs = rows.filter((x) => x.r.engine === e && x.r.workload === w).map((x) => x.r);
      const dps = rs.map((r) => r.decisions_per_s);
      out.push(`| ${e} | ${fmt(median(dps))} | ${fmt(Math.min(...dps))} – ${fmt(Math.max(...dps))} | ${fmt(median(rs.map((r) => r.decisions_per_cpu_s)))} | ${fmt(median(rs.map((r) => r.p50_us)), 2)} | ${fmt(median(rs.map((r) => r.p99_us)), 2)} | ${fmt(median(rs.map((r) => r.setup_ms)))} | ${fmt(median(rs.map((r) => r.rss_after_setup_mb)), 1)} | ${fmt(median(rs.map((r) => r.rss_peak_mb)), 1)} | ${fmt(Math.min(...rs.map((r) => r.cpu_share ?? NaN)), 2)} |`);
    }
    out.push('');
  }

  out.push('### Ratios (decisions/s; computed within each round, median over rounds)');
  out.push('');
  out.push('| ratio | W1 | W2 | W1, CPU-time basis | W2, CPU-time basis | target |');
  out.push('|---|---:|---:|---:|---:|---|');
  const verdict = (x, t) => (Number.isNaN(x) ? '' : x >= t ? ' ✓' : ' ✗ below target');
  const row = (label, ea, eb, target, t) => {
    const v = [ratio(ea, 'W1', eb, 'W1'), ratio(ea, 'W2', eb, 'W2'), cpuRatio(ea, 'W1', eb, 'W1'), cpuRatio(ea, 'W2', eb, 'W2')];
    out.push(`| ${label} | ${v.map((x) => fr(x) + (t ? verdict(x, t) : '')).join(' | ')} | ${target} |`);
  };
  row('rolecall / cedar-preparsed-perrole', 'rolecall', 'cedar-preparsed-perrole', `≥ ${TARGETS.cedarRatio}× on W1 and W2, one core`, TARGETS.cedarRatio);
  for (const b of ['iamsim-unsafe', 'iamsim-safe']) row(`rolecall / ${b}`, 'rolecall', b, '(reference)');
  row('rolecall-explain / cedar-preparsed-perrole', 'rolecall-explain', 'cedar-preparsed-perrole', '(explain mode)');
  row('rolecall-explain / rolecall', 'rolecall-explain', 'rolecall', '(cost of explain)');
  out.push('');
  const w1rows = rows.filter((x) => x.r.engine === 'rolecall' && x.r.workload === 'W1');
  const w1 = median(w1rows.map((x) => x.r.decisions_per_s));
  if (!Number.isNaN(w1)) {
    const w1cpu = median(w1rows.map((x) => x.r.decisions_per_cpu_s));
    out.push(`Rolecall W1: ${fmt(w1)} decisions/s on one core (${fmt(w1cpu)} per CPU-second); aim ~${fmt(TARGETS.w1Aim)}: ${w1 >= TARGETS.w1Aim ? '✓' : w1cpu >= TARGETS.w1Aim ? '✓ on CPU-time basis, ✗ wall clock (noisy run)' : '✗ below aim'}.`);
    out.push('');
  }
  const x10 = ratio('rolecall', 'W2x10', 'rolecall', 'W2');
  const idle = ratio('rolecall', 'W2x10-idle', 'rolecall', 'W2');
  if (!Number.isNaN(x10) || !Number.isNaN(idle)) {
    out.push('| rolecall, number of roles | decisions/s vs W2 (200 roles) | CPU-time basis |');
    out.push('|---|---:|---:|');
    if (!Number.isNaN(idle)) out.push(`| W2x10-idle / W2 (2,000 roles loaded, same requests: lookup cost) | ${fr(idle)} | ${fr(cpuRatio('rolecall', 'W2x10-idle', 'rolecall', 'W2'))} |`);
    if (!Number.isNaN(x10)) out.push(`| W2x10 / W2 (2,000 roles loaded and touched: working set 10×) | ${fr(x10)} | ${fr(cpuRatio('rolecall', 'W2x10', 'rolecall', 'W2'))} |`);
    out.push('');
  }
  return out.join('\n');
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = process.argv[2] || join(here, 'results', 'latest.jsonl');
  const rows = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const vf = join(dirname(file), 'verify.json');
  const verify = existsSync(vf) ? JSON.parse(readFileSync(vf, 'utf8')) : undefined;
  const metaRow = rows.find((x) => x.meta)?.meta;
  console.log(summarize(rows.filter((x) => x.r), { verify, meta: metaRow }));
}
