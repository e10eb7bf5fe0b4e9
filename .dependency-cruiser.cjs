/**
 * Import boundaries (see DESIGN.md): the pure layers do no I/O, services do not know the wire or
 * concrete stores, and only main.ts wires adapters. `npm test` runs this check.
 */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|child_process|cluster|worker_threads|os|process|readline|repl|tls|vm|inspector|v8|perf_hooks|timers|timers/promises)$';
const PURE = '^src/(policy|sigv4|protocol|analyzer)/';
module.exports = {
  forbidden: [
    {
      name: 'pure-no-io',
      comment: 'policy/, sigv4/, protocol/ and analyzer/ are pure: no I/O modules.',
      severity: 'error',
      from: { path: PURE },
      to: { path: IO_MODULES },
    },
    {
      name: 'pure-no-io-deps',
      comment: 'Pure layers may not import I/O-bearing project layers.',
      severity: 'error',
      from: { path: PURE },
      to: { path: '^src/(store|http|gateway|endpoints|cli|config|audit|services|authz|tokens|console|main\\.ts)' },
    },
    {
      name: 'policy-standalone',
      comment: 'The policy engine depends on nothing else in the project.',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: { path: '^src/', pathNot: '^src/policy/' },
    },
    {
      name: 'services-no-wire',
      comment: 'services/ never import protocol/, gateway/, http/ or a concrete store.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/(protocol|gateway|http|store/(sqlite|postgres|memory|sql))/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
