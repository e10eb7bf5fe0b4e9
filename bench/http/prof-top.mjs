// Hot spots of a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof`, e.g. with
// BENCH_HTTP_PROF=1): self time per function and inclusive ("total") time per function, in % of
// the samples (idle and GC shown as such).
// usage: node bench/http/prof-top.mjs FILE.cpuprofile [N=30] [--filter=TEXT] [--by-module]
//   --filter=TEXT  only samples under a frame whose name/url contains TEXT
//   --by-module    also self time grouped by package (node_modules/NAME), Rolecall folder
//                  (dist/src/DIR) or node built-in module
import { readFileSync } from 'node:fs';

const [file, nArg, ...flags] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/http/prof-top.mjs FILE.cpuprofile [N=30] [--filter=TEXT]');
  process.exit(2);
}
const N = Number(nArg || 30);
const filter = (flags.find((f) => f.startsWith('--filter=')) || '').slice(9);
const byModule = flags.includes('--by-module');
const prof = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (u) => (u || '').replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const counts = new Map();
for (const id of prof.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const self = new Map();
const modules = new Map();
const moduleOf = (n) => {
  const u = n.callFrame.url || '';
  const f = n.callFrame.functionName;
  let m;
  if ((m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u))) return m[1];
  if ((m = /\/dist\/src\/([^/]+)\//.exec(u))) return `rolecall ${m[1]}/`;
  if ((m = /^node:(?:internal\/)?([^/]+)/.exec(u))) return `node:${m[1]}`;
  return u ? u.replace(/^file:\/\//, '') : f; // (garbage collector), (program), native functions such as writev
};
const total = new Map();
let all = 0;
let idle = 0;
for (const [id, c] of counts) {
  const n = nodes.get(id);
  const name = n.callFrame.functionName;
  if (name === '(idle)') { idle += c; continue; }
  const chain = [];
  for (let x = id; x !== undefined; x = parent.get(x)) chain.push(nodes.get(x));
  if (filter && !chain.some((m) => label(m).includes(filter))) continue;
  all += c;
  self.set(label(n), (self.get(label(n)) ?? 0) + c);
  modules.set(moduleOf(n), (modules.get(moduleOf(n)) ?? 0) + c);
  for (const l of new Set(chain.map(label))) total.set(l, (total.get(l) ?? 0) + c);
}
const pct = (c) => ((100 * c) / all).toFixed(1).padStart(5);
console.log(`${file}: ${prof.samples.length} samples, ${((100 * idle) / prof.samples.length).toFixed(1)} % idle; percentages of the ${all} busy samples${filter ? ` under "${filter}"` : ''}`);
console.log('\nself time:');
for (const [l, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${pct(c)} %  ${l}`);
console.log('\ninclusive time:');
for (const [l, c] of [...total].sort((a, b) => b[1] - a[1]).filter(([l]) => !l.startsWith('(root)')).slice(0, N)) console.log(`${pct(c)} %  ${l}`);
if (byModule) {
  console.log('\nself time by module:');
  for (const [l, c] of [...modules].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${pct(c)} %  ${l}`);
}
