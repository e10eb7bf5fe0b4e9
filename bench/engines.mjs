// Engine adapters for the policy-engine benchmark, after shared/anchors/engines.mjs.
//
// Each adapter has
//   load()    -> imports its library (outside setup timing, so setup_ms is compile work only and
//                each child process holds only the library it measures: clean RSS figures);
//   setup(w)  -> all one-time work (parsing, compiling, preparsing, building request objects),
//                outside the timed region; returns { call(i) -> decision | Promise, count, async? }.
// call(i) does what a server would do per request: find the caller's policies by role name, then
// decide. Nothing is parsed or compiled inside call().
//
// The anchors' adapters (cedar-preparsed-perrole, iamsim-unsafe, iamsim-safe) are copied from
// shared/anchors/engines.mjs (same calls, same request encoding) so that nothing here imports
// ../shared at run time. @cloud-copilot/iam-simulate is AGPL: only bench/ may import it.
import { ACCOUNT, W1_POLICY, W1_REQUEST, buildW2, policyToCedar, cedarRequest, cedarDecision, normIam } from './workloads.mjs';

// ------------------------------------------------------------------------------ workloads

export const WORKLOADS = ['W1', 'W2', 'W2x10', 'W2x10-idle'];

export function loadWorkload(name) {
  if (name === 'W1') {
    return {
      name,
      roles: [{ name: 'analytics-reader', arn: W1_REQUEST.principal, policies: [{ name: 'w1', policy: W1_POLICY }] }],
      requests: [{ role: 0, ...W1_REQUEST }],
      principalScope: () => 'principal',
    };
  }
  // W2: 200 roles (the anchors' W2).
  // W2x10: the same generator with 10x the roles (2,000) and requests spread over all of them, so
  //   10x the policies are loaded AND touched (the working set no longer fits in CPU caches).
  // W2x10-idle: the 2,000 roles of W2x10 loaded, but W2's exact 20,000 requests, which only touch
  //   the first 200 (buildW2 generates roles first from the seed, so roles 0..199 are W2's roles,
  //   identical): isolates the cost of the lookup from the cost of a bigger working set.
  const scope = (role) => `principal == Role::"${role.name}"`;
  if (name === 'W2') return { name, ...buildW2(), principalScope: scope };
  if (name === 'W2x10') return { name, ...buildW2({ roles: 2000, requests: 20000 }), principalScope: scope };
  if (name === 'W2x10-idle') {
    return { name, roles: buildW2({ roles: 2000, requests: 0 }).roles, requests: buildW2().requests, principalScope: scope };
  }
  throw new Error('unknown workload ' + name);
}

// ------------------------------------------------------------------------------ Rolecall

let rolecallLib;
async function loadRolecall() {
  rolecallLib ??= await import('../dist/src/policy/index.js');
  return rolecallLib;
}

/** The caller of a request: a session of the role (what STS credentials map to). */
function rolePrincipal(role) {
  const name = role.arn.slice(role.arn.lastIndexOf('/') + 1);
  return { type: 'AssumedRole', account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/bench`, roleArn: role.arn };
}

/**
 * Parse + compile every role's policies once; index roleName -> PolicySet (a Map, so the W2
 * lookup costs the same with 200 or 2,000 roles). Requests are prebuilt objects that carry the
 * role name; call(i) looks the set up by name, then evaluates.
 */
function rolecallSetup(w, options) {
  const { parsePolicy, compilePolicy, evaluate } = rolecallLib;
  const index = new Map();
  for (const role of w.roles) {
    const identity = role.policies.map((p) => {
      const r = parsePolicy(p.policy, { type: 'identity' });
      if (!r.ok) throw new Error(`rolecall: ${p.name} does not parse: ${JSON.stringify(r.errors).slice(0, 400)}`);
      return { id: p.name, policy: compilePolicy(r.policy, 'identity') };
    });
    index.set(role.name, { identity });
  }
  const principals = w.roles.map(rolePrincipal);
  const reqs = w.requests.map((rq) => ({
    roleName: w.roles[rq.role].name,
    request: { principal: principals[rq.role], action: rq.action, resource: rq.resource, context: rq.context },
  }));
  const n = reqs.length;
  const policies = w.roles.reduce((s, r) => s + r.policies.length, 0);
  if (options) {
    return {
      count: n,
      policies,
      call: (i) => {
        const q = reqs[i % n];
        return evaluate(q.request, index.get(q.roleName), options).decision;
      },
    };
  }
  return {
    count: n,
    policies,
    call: (i) => {
      const q = reqs[i % n];
      return evaluate(q.request, index.get(q.roleName)).decision;
    },
  };
}

// ------------------------------------------------------------------------------ anchors (copied)

let iamsimLib;
let cedarLib;
const loadIamsim = async () => (iamsimLib ??= await import('@cloud-copilot/iam-simulate'));
const loadCedar = async () => (cedarLib ??= await import('@cedar-policy/cedar-wasm/nodejs'));

function iamSims(w) {
  return w.requests.map((rq) => ({
    request: {
      principal: rq.principal,
      action: rq.action,
      resource: { resource: rq.resource, accountId: ACCOUNT },
      contextVariables: rq.context,
    },
    identityPolicies: w.roles[rq.role].policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }));
}

function roleCedarText(w, role) {
  return role.policies.map((p) => policyToCedar(p.policy, p.name, w.principalScope(role))).join('\n');
}

// ------------------------------------------------------------------------------ registry

export const ENGINES = {
  // Rolecall, compiled policies, decision only.
  rolecall: { load: loadRolecall, setup: (w) => rolecallSetup(w, undefined) },
  // Rolecall with the full explanation (trace of every statement looked at).
  'rolecall-explain': { load: loadRolecall, setup: (w) => rolecallSetup(w, { explain: true }) },
  // Cedar (wasm), one preparsed policy set per role, looked up by id.
  'cedar-preparsed-perrole': {
    load: loadCedar,
    setup(w) {
      const cedar = cedarLib;
      w.roles.forEach((role) => {
        const ok = cedar.preparsePolicySet('r:' + role.name, { staticPolicies: roleCedarText(w, role) });
        if (ok.type !== 'success') throw new Error('preparse failed: ' + JSON.stringify(ok.errors).slice(0, 500));
      });
      const calls = w.requests.map((rq) => ({ ...cedarRequest('Role', w.roles[rq.role].name, rq), preparsedPolicySetId: 'r:' + w.roles[rq.role].name, entities: [] }));
      const n = calls.length;
      return { count: n, call: (i) => cedarDecision(cedar.statefulIsAuthorized(calls[i % n])) };
    },
  },
  // iam-simulate, runUnsafeSimulation (no validation; sync).
  'iamsim-unsafe': {
    load: loadIamsim,
    setup(w) {
      const { runUnsafeSimulation } = iamsimLib;
      const sims = iamSims(w);
      const n = sims.length;
      return { count: n, call: (i) => normIam(runUnsafeSimulation(sims[i % n], {})) };
    },
  },
  // iam-simulate, public validated API (validates policies, action, ARN, context keys on every call; async).
  'iamsim-safe': {
    load: loadIamsim,
    setup(w) {
      const { runSimulation } = iamsimLib;
      const sims = iamSims(w);
      const n = sims.length;
      return {
        count: n,
        async: true,
        call: async (i) => {
          const r = await runSimulation(sims[i % n], {});
          if (r.resultType === 'error') throw new Error('iam-simulate error: ' + JSON.stringify(r.errors).slice(0, 400));
          return normIam(r.overallResult);
        },
      };
    },
  },
};

/** iam-simulate's three-way answer (for verify.mjs's finer comparison). */
export async function iamsimOverall(w, i) {
  await loadIamsim();
  const sims = (w._sims ??= iamSims(w));
  const r = await iamsimLib.runSimulation(sims[i], {});
  if (r.resultType === 'error') throw new Error('iam-simulate error: ' + JSON.stringify(r.errors).slice(0, 400));
  return r.overallResult; // 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied'
}

/** Engines and the workloads each one runs in `npm run bench`. */
export const PLAN = [
  ['rolecall', ['W1', 'W2', 'W2x10', 'W2x10-idle']],
  ['rolecall-explain', ['W1', 'W2']],
  ['cedar-preparsed-perrole', ['W1', 'W2']],
  ['iamsim-unsafe', ['W1', 'W2']],
  ['iamsim-safe', ['W1', 'W2']],
];
