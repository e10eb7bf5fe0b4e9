// Before timing anything: Rolecall must decide exactly as iam-simulate's validated API
// (iamsim-safe) on the benchmark's own data, or the speed figures mean nothing.
//   gate : rolecall and rolecall-explain vs iamsim-safe, Allowed/Denied, on W1, the first N W2
//          requests (BENCH_VERIFY_N, default 3000) and the first N/3 W2x10 requests;
//   info : explicit vs implicit deny against iam-simulate's three-way answer, and the two other
//          anchors (cedar-preparsed-perrole on W1/W2, iamsim-unsafe) vs iamsim-safe.
// Any gate mismatch prints examples (request, the role's policies, both answers) and exits 1.
// Writes bench/results/verify.json.
// usage: node bench/verify.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, iamsimOverall, loadWorkload } from './engines.mjs';
import { W1_EXPECTED } from './workloads.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_VERIFY_N || 3000);
const PLAN = [['W1', 1], ['W2', N], ['W2x10', Math.ceil(N / 3)]];
const GATED = ['rolecall', 'rolecall-explain'];
const INFO = ['cedar-preparsed-perrole', 'iamsim-unsafe'];
const FINE = { allowed: 'Allowed', explicitDeny: 'ExplicitlyDenied', implicitDeny: 'ImplicitlyDenied' };
const norm = (d) => (d === 'allowed' || d === 'Allowed' ? 'Allowed' : 'Denied');

for (const e of [...GATED, ...INFO]) await ENGINES[e].load();
const { evaluate, parsePolicy, compilePolicy } = await import('../dist/src/policy/index.js');

const report = { ok: true, node: process.version, reference: 'iamsim-safe', workloads: {} };
let failed = false;
for (const [wname, want] of PLAN) {
  const w = loadWorkload(wname);
  const limit = Math.min(want, w.requests.length);
  const ref = [];
  let t0 = performance.now();
  for (let i = 0; i < limit; i++) ref.push(await iamsimOverall(w, i));
  console.log(`verify ${wname}: iamsim-safe reference, ${limit} requests, ${Math.round(performance.now() - t0)} ms`);
  const summary = { requests: limit, referenceMix: count(ref.map(norm)) };
  if (wname === 'W1') summary.expected = W1_EXPECTED;
  for (const e of [...GATED, ...INFO]) {
    // cedar-wasm's preparsed-set store grows superlinearly (2,000 sets: over a minute): W1/W2 only.
    if (e === 'cedar-preparsed-perrole' && wname === 'W2x10') continue;
    t0 = performance.now();
    const a = await ENGINES[e].setup(w);
    let mism = 0;
    let fine = 0;
    const examples = [];
    const fineExamples = [];
    for (let i = 0; i < limit; i++) {
      const got = await a.call(i);
      if (norm(got) !== norm(ref[i])) {
        mism++;
        if (examples.length < 3) examples.push(example(w, i, e, got, ref[i]));
      } else if (FINE[got] && FINE[got] !== ref[i]) {
        fine++;
        if (fineExamples.length < 2) fineExamples.push(example(w, i, e, got, ref[i]));
      }
    }
    const s = { mismatches: mism };
    if (FINE[(await a.call(0))]) s.explicitVsImplicitDisagreements = fine;
    if (examples.length) s.examples = examples;
    if (fineExamples.length) s.explicitVsImplicitExamples = fineExamples;
    summary[e] = s;
    const gated = GATED.includes(e);
    if (gated && mism) failed = true;
    const tag = mism ? (gated ? 'FAIL' : 'note') : 'ok';
    console.log(`verify ${wname} (${limit} requests) ${e}: ${tag}, ${mism} mismatches vs iamsim-safe${s.explicitVsImplicitDisagreements !== undefined ? `, ${fine} explicit/implicit-deny differences` : ''} (${Math.round(performance.now() - t0)} ms)`);
  }
  if (wname === 'W1' && norm(ref[0]) !== W1_EXPECTED) {
    failed = true;
    console.log(`verify W1: iamsim-safe answered ${ref[0]}, expected ${W1_EXPECTED}`);
  }
  report.workloads[wname] = summary;
}
report.ok = !failed;
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'verify.json'), JSON.stringify(report, null, 1) + '\n');

if (failed) {
  console.log('\nVERIFY FAILED: Rolecall disagrees with iam-simulate (an engine bug, or a reference bug). Examples:');
  for (const [wname, s] of Object.entries(report.workloads)) {
    for (const e of GATED) for (const ex of s[e].examples ?? []) console.log(JSON.stringify({ workload: wname, engine: e, ...ex }, null, 1));
  }
  process.exit(1);
}
for (const [wname, s] of Object.entries(report.workloads)) {
  for (const e of GATED) for (const ex of s[e].explicitVsImplicitExamples ?? []) console.log('note: explicit vs implicit deny differs (not gated):', JSON.stringify({ workload: wname, ...ex }));
}
console.log('verify: Rolecall decides exactly as iamsim-safe on every checked request.');

function count(xs) {
  return xs.reduce((m, x) => ((m[x] = (m[x] || 0) + 1), m), {});
}

/** A mismatch, with everything needed to reproduce it: request, policies, both answers, and why. */
function example(w, i, engine, got, want) {
  const rq = w.requests[i % w.requests.length];
  const role = w.roles[rq.role];
  const out = { i, engine, got, iamsimSafe: want, request: { role: role.name, action: rq.action, resource: rq.resource, context: rq.context }, policies: role.policies };
  if (engine.startsWith('rolecall')) {
    // Rolecall's own account of the decision.
    const identity = role.policies.map((p) => ({ id: p.name, policy: compilePolicy(parsePolicy(p.policy, { type: 'identity' }).policy, 'identity') }));
    const name = role.arn.slice(role.arn.lastIndexOf('/') + 1);
    const r = evaluate({ principal: { type: 'AssumedRole', account: '123456789012', arn: `arn:aws:sts::123456789012:assumed-role/${name}/bench`, roleArn: role.arn }, action: rq.action, resource: rq.resource, context: rq.context }, { identity }, { explain: true });
    out.rolecall = { decision: r.decision, reason: r.reason, matched: r.matched.map((t) => `${t.policyId}#${t.sid ?? t.index}`) };
  }
  return out;
}
