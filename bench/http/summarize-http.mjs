// Markdown summary of an HTTP benchmark run: per (target, case, connections) the medians over
// rounds; ratios computed within each round (both sides measured minutes apart at most), then the
// median of the per-round ratios, each round's shown too; rounds where the floor ran below 75 % of
// its best round are named (a throttled floor makes Rolecall look faster against it). Load runs
// with non-2xx answers or socket errors are invalid: shown, counted, and left out of every ratio.
// usage: node bench/http/summarize-http.mjs [bench/results/http.jsonl] [--run=RUN_ID]   (default: the last run)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HTTP_TARGETS = [
  // [numerator target, denominator target, case, minimum ratio, what]
  ['rolecall', 'floor', 'GetCallerIdentity', 0.4, 'GetCallerIdentity, long-term key: full pipeline vs bare node:http'],
  ['rolecall', 'moto', 'GetCallerIdentity', 20, 'GetCallerIdentity, long-term key vs moto_server'],
  ['rolecall', 'floor', 'AssumeRole', 0.25, 'AssumeRole end to end vs bare node:http'],
  ['rolecall', 'moto', 'AssumeRole', 20, 'AssumeRole vs moto_server'],
  ['rolecall', 'floor', 'GetCallerIdentity+session', 0.4, 'GetCallerIdentity, session credentials vs bare node:http (same request)'],
  ['rolecall', 'rolecall-noaudit', 'GetCallerIdentity', 0.5, 'GetCallerIdentity, audit trail on vs off (auditing must not halve throughput)'],
  ['rolecall', 'rolecall-noaudit', 'AssumeRole', 0.5, 'AssumeRole, audit trail on vs off'],
];
const REFERENCE = [
  ['moto', 'floor', 'GetCallerIdentity', 'moto vs the floor'],
  ['moto', 'floor', 'AssumeRole', 'moto vs the floor'],
];

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (typeof x !== 'number' || Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const fr = (x) => (Number.isNaN(x) ? 'n/a' : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);
const CASE_TEXT = {
  GetCallerIdentity: 'GetCallerIdentity (long-term key)',
  AssumeRole: 'AssumeRole',
  'GetCallerIdentity+session': 'GetCallerIdentity (session credentials)',
};
/** median (min – max) of shares */
const share = (xs) => {
  const v = xs.filter((x) => typeof x === 'number');
  if (!v.length) return 'n/a';
  const m = median(v).toFixed(2);
  return v.length > 1 ? `${m} (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})` : m;
};
const TARGET_TEXT = { floor: 'floor (node:http, fixed XML)', rolecall: 'Rolecall', 'rolecall-noaudit': 'Rolecall, audit off', moto: 'moto_server' };

export function summarizeHttp(rows, meta = {}) {
  const runs = rows.filter((r) => r.target);
  const out = [];
  const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b);
  const conns = [...new Set(runs.map((r) => r.conns))].sort((a, b) => a - b);
  const measured = runs.filter((r) => r.wrk);
  const minShare = Math.min(...measured.map((r) => r.on_cpu_share));
  // Other processes' CPU time on the server's core and on wrk's core during the load runs.
  const maxOthers = Math.max(...measured.map((r) => r.others_on_server_core ?? NaN).filter((x) => !Number.isNaN(x)));
  const maxOthersWrk = Math.max(...measured.map((r) => r.others_on_wrk_core ?? NaN).filter((x) => !Number.isNaN(x)));
  out.push(`### HTTP benchmark — ${meta.date ?? '?'}, node ${meta.node ?? '?'}`);
  out.push('');
  out.push(
    `rounds: ${rounds.length}; wrk -t1 -c${conns.join('/')}, ${meta.warmup ?? 2} s warm-up + ${meta.seconds ?? '?'} s measured per case; ` +
      (meta.pinned ? `servers pinned to CPU ${meta.server_cpu}, wrk to CPU ${meta.wrk_cpu}` : 'NOT pinned (no taskset)') +
      `; ${meta.wrk ?? 'wrk'}${meta.moto ? `; moto ${meta.moto}` : ''}${meta.rolecall_data_fs ? `; Rolecall's data directory on ${meta.rolecall_data_fs}` : ''}; CPU: ${meta.cpu ?? '?'} × ${meta.ncpu ?? '?'}; ` +
      `loadavg at start ${meta.loadavg_start ?? '?'}, median 1-min loadavg at the start of the load runs ${median(measured.map((r) => r.loadavg1)).toFixed(2)}; ` +
      `other processes used up to ${Number.isFinite(maxOthers) ? maxOthers.toFixed(2) : 'n/a'} of the servers' core and up to ${Number.isFinite(maxOthersWrk) ? maxOthersWrk.toFixed(2) : 'n/a'} of wrk's core during a load run (0 = the machine was otherwise quiet).`,
  );
  const invalid = runs.filter((r) => !r.valid);
  if (invalid.length) {
    out.push('');
    out.push(`**${invalid.length} INVALID load run(s)** (left out of the ratios): ` + invalid.map((r) => `r${r.round} ${r.target} ${r.case} c=${r.conns}: ${r.invalid_reason}`).join('; '));
  }
  if ((Number.isFinite(maxOthers) && maxOthers > 0.1) || (Number.isFinite(maxOthersWrk) && maxOthersWrk > 0.25)) {
    out.push('');
    out.push('**Noisy run**: other processes took CPU time on the cores of the servers or of wrk during load runs (columns "others on …"). Wall-clock req/s are then pessimistic, the more so for the fastest servers (the floor, whose every request needs both wrk and the server scheduled promptly), which flatters ratios to the floor. The "req per server CPU-s" column (requests ÷ CPU seconds the server process used) is the steadier estimate; ratios are given on both bases. Rerun on a quiet machine for headline figures.');
  }
  out.push('');
  out.push('| target | case | conns | req/s (median) | min – max | req per server CPU-s | p50 µs | p99 µs | non-2xx (sum) | server on-CPU share | others on server core | others on wrk core | valid runs |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const order = ['floor', 'rolecall', 'moto'];
  const cases = ['GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity+session'];
  for (const kase of cases) {
    for (const t of order) {
      for (const c of conns) {
        const all = runs.filter((r) => r.target === t && r.case === kase && r.conns === c);
        if (!all.length) continue;
        const rs = all.filter((r) => r.wrk);
        const ok = all.filter((r) => r.valid);
        const rps = rs.map((r) => r.wrk.rps);
        out.push(`| ${TARGET_TEXT[t]} | ${CASE_TEXT[kase]} | ${c} | ${fmt(median(ok.map((r) => r.wrk.rps)))} | ${rps.length ? `${fmt(Math.min(...rps))} – ${fmt(Math.max(...rps))}` : 'n/a'} | ${fmt(median(ok.map((r) => r.rps_per_cpu_s)))} | ${fmt(median(ok.map((r) => r.wrk.p50_us)))} | ${fmt(median(ok.map((r) => r.wrk.p99_us)))} | ${rs.reduce((s, r) => s + r.wrk.non2xx, 0)} | ${share(rs.map((r) => r.on_cpu_share))} | ${share(rs.map((r) => r.others_on_server_core))} | ${share(rs.map((r) => r.others_on_wrk_core))} | ${ok.length}/${all.length} |`);
      }
    }
  }
  const get = (rd, t, kase, c) => runs.find((r) => r.round === rd && r.target === t && r.case === kase && r.conns === c && r.valid);
  const ratio = (a, b, kase, c, field) => {
    const per = rounds.map((rd) => {
      const x = get(rd, a, kase, c);
      const y = get(rd, b, kase, c);
      const fx = field === 'cpu' ? x?.rps_per_cpu_s : x?.wrk.rps;
      const fy = field === 'cpu' ? y?.rps_per_cpu_s : y?.wrk.rps;
      return fx && fy ? fx / fy : undefined;
    }).filter((v) => v !== undefined);
    return { value: median(per), n: per.length, per };
  };
  out.push('');
  out.push('Ratios of req/s, computed within each round, median over rounds (req/s on the wall clock; "CPU basis": requests per CPU-second of each server process):');
  out.push('');
  const hdr = conns.map((c) => `c=${c} | c=${c}, CPU basis`).join(' | ');
  out.push(`| ratio | ${hdr} | target | per round (c=${conns[0]}) |`);
  out.push(`|---|${conns.map(() => '---:|---:').join('|')}|---|---|`);
  const verdicts = [];
  for (const [a, b, kase, min, what] of HTTP_TARGETS) {
    const cells = conns.map((c) => {
      const w = ratio(a, b, kase, c, 'wall');
      const p = ratio(a, b, kase, c, 'cpu');
      const ok = w.value >= min;
      if (c === conns[0]) verdicts.push({ what, value: w.value, cpu: p.value, min, ok: Number.isNaN(w.value) ? undefined : ok, n: w.n });
      const mark = Number.isNaN(w.value) ? '' : ok ? ' ✓' : ' ✗';
      const nNote = w.n && w.n < rounds.length ? ` (${w.n}/${rounds.length} rounds)` : '';
      return `${fr(w.value)}${mark}${nNote} | ${fr(p.value)}${Number.isNaN(p.value) ? '' : p.value >= min ? ' ✓' : ' ✗'}`;
    });
    out.push(`| ${TARGET_TEXT[a]} / ${TARGET_TEXT[b]}: ${what} | ${cells.join(' | ')} | ≥ ${min}× | ${ratio(a, b, kase, conns[0], 'wall').per.map(fr).join(', ')} |`);
  }
  for (const [a, b, kase, what] of REFERENCE) {
    const cells = conns.map((c) => `${fr(ratio(a, b, kase, c, 'wall').value)} | ${fr(ratio(a, b, kase, c, 'cpu').value)}`);
    out.push(`| ${TARGET_TEXT[a]} / ${TARGET_TEXT[b]}: ${CASE_TEXT[kase]}, ${what} | ${cells.join(' | ')} | (reference) | |`);
  }
  const cells = conns.map((c) => {
    const x = (f) => median(rounds.map((rd) => { const s = get(rd, 'rolecall', 'GetCallerIdentity+session', c); const l = get(rd, 'rolecall', 'GetCallerIdentity', c); const fs = f === 'cpu' ? s?.rps_per_cpu_s : s?.wrk.rps; const fl = f === 'cpu' ? l?.rps_per_cpu_s : l?.wrk.rps; return fs && fl ? fs / fl : undefined; }));
    return `${fr(x('wall'))} | ${fr(x('cpu'))}`;
  });
  out.push(`| Rolecall session GetCallerIdentity / Rolecall long-term GetCallerIdentity | ${cells.join(' | ')} | (reference) | |`);
  out.push('');
  // A ratio against the floor is only as good as the floor's round: a host that throttles the
  // floor in one round (it happens on shared machines) makes everything look faster against it.
  const slowFloor = [];
  for (const kase of [...new Set(runs.filter((r) => r.target === 'floor').map((r) => r.case))]) {
    const per = rounds.map((rd) => [rd, get(rd, 'floor', kase, conns[0])?.wrk.rps]).filter(([, v]) => v !== undefined);
    const best = Math.max(...per.map(([, v]) => v));
    for (const [rd, v] of per) if (v < 0.75 * best) slowFloor.push(`r${rd} ${CASE_TEXT[kase]} ${fmt(v)} (best round ${fmt(best)})`);
  }
  if (slowFloor.length > 0) {
    out.push(`**The floor ran below 75 % of its best round** in: ${slowFloor.join('; ')}. Ratios against the floor in those rounds overstate Rolecall; read the per-round column.`);
    out.push('');
  }
  const known = verdicts.filter((v) => v.ok !== undefined);
  const met = known.filter((v) => v.ok).length;
  out.push(`Targets (c=${conns[0]}, wall clock): ${met} of ${HTTP_TARGETS.length} met${known.length < HTTP_TARGETS.length ? ` (${HTTP_TARGETS.length - known.length} not measured)` : ''}.` +
    (verdicts.some((v) => v.ok === false) ? ' Missed: ' + verdicts.filter((v) => v.ok === false).map((v) => `${v.what} ${fr(v.value)} < ${v.min}× (CPU basis ${fr(v.cpu)})`).join('; ') + '.' : '') +
    (slowFloor.length > 0 ? ' Some rounds had a slowed floor (above): the ratios against it are not to be trusted from this run.' : ''));
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) || join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'http.jsonl');
  if (!existsSync(file)) {
    console.error(`no results file ${file}: run node bench/http/run-http.mjs first`);
    process.exit(2);
  }
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const wanted = (args.find((a) => a.startsWith('--run=')) || '').slice(6) || [...lines].reverse().find((l) => l.meta)?.run;
  const mine = lines.filter((l) => l.run === wanted);
  const meta = { ...(mine.find((l) => l.meta)?.meta ?? {}), ...(mine.find((l) => l.meta_end)?.meta_end ?? {}) };
  console.log(summarizeHttp(mine.filter((l) => l.target), meta));
}
