/**
 * Property-based tests of the policy engine (fast-check): monotonicity of Deny, Allow, boundaries
 * and session policies, determinism, invariance under statement order / policy splitting / name
 * case, the string operators against a reference definition, the parse/serialize round trip, the
 * explanation invariants, and totality (evaluate never throws on bad data). Counterexamples that
 * fast-check found are kept at the end as plain example tests.
 *
 * Generators: test/support/policy-arbitraries.ts. Runs are seeded (ROLECALL_FC_SEED overrides the
 * seed, ROLECALL_FC_RUNS scales the run counts) so that a failure reproduces.
 *
 * Rules the properties rest on:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, loadPolicy, parsePolicy, serializePolicy } from '../src/policy/index.js';
import type { Decision, EvaluationRequest, EvaluationResult, NamedPolicy, Policy, PolicySet, PolicyType } from '../src/policy/index.js';
import {
  addStatement,
  buildRequest,
  buildSet,
  principalBlock,
  policyDoc,
  principalOf,
  requestCase,
  setCase,
  statement,
  statementsOf,
  targetsOf,
  type Doc,
  type SetCase,
  type Target,
} from './support/policy-arbitraries.js';

const SEED = Number(process.env.ROLECALL_FC_SEED ?? 20241128);
const SCALE = Number(process.env.ROLECALL_FC_RUNS ?? 1);
const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(n * SCALE)), seed: SEED, includeErrorInReport: true });

const DECISIONS: readonly Decision[] = ['allowed', 'explicitDeny', 'implicitDeny'];
const decide = (req: EvaluationRequest, set: PolicySet, explain = false): EvaluationResult => evaluate(req, set, { explain });

/** `after` grants nothing `before` did not, and keeps every explicit deny. */
function assertNotWider(before: Decision, after: Decision, what: string): void {
  if (after === 'allowed') assert.equal(before, 'allowed', `${what}: ${before} became allowed`);
  if (before === 'explicitDeny') assert.equal(after, 'explicitDeny', `${what}: an explicit deny became ${after}`);
}

/** The id buildSet gives the target policy, and the index the added statement gets in it. */
function addedAt(c: SetCase, t: Target): { policyId: string; index: number } {
  switch (t.kind) {
    case 'identity':
      return { policyId: `identity.${t.i + 1}`, index: statementsOf(c.identity[t.i]!).length };
    case 'newIdentity':
      return { policyId: `identity.${c.identity.length + 1}`, index: 0 };
    case 'resource':
      return { policyId: 'resource', index: statementsOf(c.resource!).length };
    case 'boundary':
      return { policyId: 'boundary', index: statementsOf(c.boundary!).length };
    case 'session':
      return { policyId: `session.${t.i + 1}`, index: statementsOf(c.session![t.i]!).length };
    case 'scp':
      return { policyId: `scp.${t.l + 1}.${t.i + 1}`, index: statementsOf(c.scp![t.l]![t.i]!).length };
  }
}

/** Everything of a result that must not depend on explain mode, caching or the policy's form. */
function summary(r: EvaluationResult) {
  return {
    decision: r.decision,
    reason: r.reason,
    // The statement object itself may differ in form (an empty Condition block): `comparable` below judges that.
    matched: r.matched.map(({ reason: _r, statement: _s, ...t }) => t),
    missingContextKeys: [...(r.missingContextKeys ?? [])].sort(),
    diagnostics: r.diagnostics,
  };
}

/** The model without what the round trip may legitimately change (see the round-trip test). */
function comparable(p: Policy): unknown {
  return {
    ...(p.Version !== undefined ? { Version: p.Version } : {}),
    ...(p.Id !== undefined ? { Id: p.Id } : {}),
    Statement: p.Statement.map(({ span: _span, ...st }) => {
      // `"Condition": {}` parses to an empty clause list and serializes to no Condition at all;
      // both mean "no condition" (checked separately below).
      if (st.Condition && st.Condition.length === 0) delete st.Condition;
      return st;
    }),
  };
}

function parsed(doc: unknown, type: PolicyType): Policy {
  const r = parsePolicy(doc as object, { type });
  assert.ok(r.ok, `does not parse as ${type}: ${JSON.stringify(!r.ok && r.errors)}\n${typeof doc === 'string' ? doc : JSON.stringify(doc)}`);
  return r.policy;
}

const typedDoc: fc.Arbitrary<{ type: PolicyType; doc: Doc }> = fc.oneof(
  { weight: 3, arbitrary: policyDoc().map((doc) => ({ type: 'identity' as PolicyType, doc })) },
  { weight: 2, arbitrary: policyDoc({ withPrincipal: true }).map((doc) => ({ type: 'resource' as PolicyType, doc })) },
  { weight: 1, arbitrary: policyDoc().map((doc) => ({ type: 'scp' as PolicyType, doc })) },
  { weight: 1, arbitrary: policyDoc().map((doc) => ({ type: 'session' as PolicyType, doc })) },
);

const alice = principalOf('alice');
const plainRequest: EvaluationRequest = { principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/k' };

const ALLOW_ALL: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

// ------------------------------------------------------------------------------ monotonicity

describe('policy properties: adding policies', () => {
  it('adding a Deny statement or a Deny policy never widens access', () => {
    fc.assert(
      fc.property(setCase, requestCase, fc.nat(), statement({ effect: 'Deny' }), principalBlock, (c, r, pick, deny, principal) => {
        const targets = targetsOf(c);
        const target = targets[pick % targets.length]!;
        const req = buildRequest(r);
        const before = decide(req, buildSet(c)).decision;
        const after = decide(req, buildSet(addStatement(c, target, deny, principal)), true);
        if (before === 'allowed') assert.ok(after.decision === 'allowed' || after.decision === 'explicitDeny', `allowed became ${after.decision}`);
        else assert.notEqual(after.decision, 'allowed', `${before} became allowed`);
        if (before === 'explicitDeny') assert.equal(after.decision, 'explicitDeny');
        if (before !== 'explicitDeny' && after.decision === 'explicitDeny') {
          // Only the added statement can have made the difference, and it is reported.
          const at = addedAt(c, target);
          assert.ok(
            after.matched.some((m) => m.policyId === at.policyId && m.index === at.index && m.effect === 'Deny'),
            `new explicit deny not attributed to the added statement ${JSON.stringify(at)}: ${JSON.stringify(after.matched)}`,
          );
        }
      }),
      runs(1000),
    );
  });

  it('adding an Allow statement never takes access away', () => {
    fc.assert(
      fc.property(setCase, requestCase, fc.nat(), statement({ effect: 'Allow' }), principalBlock, (c, r, pick, allow, principal) => {
        const targets = targetsOf(c);
        const target = targets[pick % targets.length]!;
        const req = buildRequest(r);
        const before = decide(req, buildSet(c)).decision;
        const after = decide(req, buildSet(addStatement(c, target, allow, principal))).decision;
        if (before === 'allowed') assert.equal(after, 'allowed', 'allowed became denied after adding an Allow');
        assert.equal(after === 'explicitDeny', before === 'explicitDeny', `adding an Allow turned ${before} into ${after}`);
      }),
      runs(1000),
    );
  });

  it('adding a permissions boundary or session policies never widens access', () => {
    fc.assert(
      fc.property(
        setCase,
        requestCase,
        policyDoc({ maxStatements: 2 }),
        fc.array(policyDoc({ maxStatements: 2 }), { minLength: 1, maxLength: 2 }),
        (c0, r, boundary, session) => {
          const c: SetCase = { ...c0 };
          delete c.boundary;
          delete c.session;
          const req = buildRequest(r);
          const d = (x: SetCase) => decide(req, buildSet(x)).decision;
          const base = d(c);
          // `session: []` is a session without a session policy: for users, role sessions and the
          // root user it is the same as no session at all (only GetFederationToken needs one).
          assert.equal(d({ ...c, session: [] }), base, 'session: [] differs from no session');
          const withBoundary = d({ ...c, boundary });
          const withSession = d({ ...c, session });
          const withBoth = d({ ...c, boundary, session });
          assertNotWider(base, withBoundary, 'boundary');
          assertNotWider(base, withSession, 'session policy');
          assertNotWider(withBoundary, withBoth, 'session policy on top of a boundary');
          assertNotWider(withSession, withBoth, 'boundary on top of a session policy');
          // A boundary or session policy that allows everything takes nothing away.
          assert.equal(d({ ...c, boundary: ALLOW_ALL }), base, 'allow-all boundary changed the decision');
          assert.equal(d({ ...c, session: [ALLOW_ALL] }), base, 'allow-all session policy changed the decision');
        },
      ),
      runs(500),
    );
  });
});

// ------------------------------------------------------------------------------ determinism

describe('policy properties: determinism', () => {
  it('the same input gives the same decision: twice, explain on and off, models, raw documents and compiled policies', () => {
    fc.assert(
      fc.property(setCase, requestCase, (c, r) => {
        const req = buildRequest(r);
        const reqBefore = structuredClone(req);
        const set = buildSet(c);
        const first = summary(decide(req, set));
        assert.deepEqual(summary(decide(req, set)), first, 'second evaluation (compile cache) differs');
        assert.deepEqual(summary(decide(req, set, true)), first, 'explain mode differs');
        assert.deepEqual(summary(decide(req, buildSet(c), true)), first, 'freshly parsed set differs');
        assert.deepEqual(summary(decide(req, buildSet(c, 'raw'))), first, 'raw documents differ from parsed models');
        const compiled = (np: NamedPolicy, type: PolicyType): NamedPolicy => {
          const l = loadPolicy(serializePolicy(np.policy as Policy), { type });
          assert.ok(l.ok);
          return { id: np.id, policy: l.policy };
        };
        const cs: PolicySet = { identity: set.identity!.map((p) => compiled(p, 'identity')) };
        if (set.resource) cs.resource = compiled(set.resource, 'resource');
        if (set.boundary) cs.boundary = compiled(set.boundary, 'boundary');
        if (set.session) cs.session = set.session.map((p) => compiled(p, 'session'));
        if (set.scp) cs.scp = set.scp.map((l) => l.map((p) => compiled(p, 'scp')));
        assert.deepEqual(summary(decide(req, cs)).decision, first.decision, 'compiled policies differ');
        assert.deepEqual(req, reqBefore, 'evaluate modified the request');
      }),
      runs(500),
    );
  });
});

describe('policy properties: invariances', () => {
  it('statement and policy order, one policy per statement, and the case of the action and context keys do not change the decision', () => {
    const reorder = (d: Doc): Doc => ({ ...d, Statement: [...statementsOf(d)].reverse() });
    fc.assert(
      fc.property(setCase, requestCase, (c, r) => {
        const req = buildRequest(r);
        const base = decide(req, buildSet(c)).decision;
        const reversed: SetCase = { identity: c.identity.map(reorder).reverse() };
        if (c.resource) reversed.resource = reorder(c.resource);
        if (c.boundary) reversed.boundary = reorder(c.boundary);
        if (c.session) reversed.session = c.session.map(reorder).reverse();
        if (c.scp) reversed.scp = c.scp.map((l) => l.map(reorder).reverse());
        assert.equal(decide(req, buildSet(reversed)).decision, base, 'statement or policy order changed the decision');
        const split: SetCase = { ...c, identity: c.identity.flatMap((d) => statementsOf(d).map((st) => ({ ...(d.Version ? { Version: d.Version } : {}), Statement: [st] }))) };
        assert.equal(decide(req, buildSet(split)).decision, base, 'one identity policy per statement changed the decision');
        const upper: EvaluationRequest = {
          ...req,
          action: req.action.toUpperCase(),
          context: Object.fromEntries(Object.entries(req.context ?? {}).map(([k, v]) => [k.toUpperCase(), v])),
        };
        assert.equal(decide(upper, buildSet(c)).decision, base, 'the case of the action or of context key names changed the decision');
      }),
      runs(400),
    );
  });
});

// ------------------------------------------------------------------------------ operator oracle

/** Reference glob: `*` any run, `?` one character, everything else literal. */
function refGlob(pattern: string, s: string): boolean {
  const src = [...pattern].map((ch) => (ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`).test(s);
}

/** The string operators on one single-valued key, as the condition operators page defines them. */
function refString(op: string, ifExists: boolean, values: string[], x: string | undefined): boolean {
  const negated = op.includes('Not');
  if (x === undefined) return ifExists || negated;
  const hit = values.some((v) => {
    switch (op.replace('Not', '')) {
      case 'StringEquals':
        return x === v;
      case 'StringEqualsIgnoreCase':
        return x.toLowerCase() === v.toLowerCase();
      case 'StringLike':
        return refGlob(v, x);
      default:
        throw new Error(op);
    }
  });
  return negated ? !hit : hit;
}

const smallText = fc.array(fc.constantFrom('a', 'b', 'A', '*', '?', '/'), { maxLength: 4 }).map((cs) => cs.join(''));

describe('policy properties: string operators against a reference', () => {
  it('StringEquals, StringEqualsIgnoreCase, StringLike and their negations (and IfExists) on a single-valued key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'),
        fc.boolean(),
        fc.array(smallText, { minLength: 1, maxLength: 3 }),
        fc.option(smallText, { nil: undefined }),
        (op, ifExists, values, x) => {
          const operator = `${op}${ifExists ? 'IfExists' : ''}`;
          const policy = parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { [operator]: { 'aws:PrincipalTag/team': values } } }] }, 'identity');
          const req: EvaluationRequest = { principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/k', context: x === undefined ? {} : { 'aws:PrincipalTag/team': x } };
          const got = evaluate(req, { identity: [{ id: 'p', policy }] }).decision === 'allowed';
          assert.equal(got, refString(op, ifExists, values, x), `${operator} ${JSON.stringify(values)} against ${JSON.stringify(x)}`);
        },
      ),
      runs(2000),
    );
  });
});

// ------------------------------------------------------------------------------ round trip

describe('policy properties: parse / serialize', () => {
  it('parse(serialize(p)) is p, and the serialized document re-parses as text', () => {
    fc.assert(
      fc.property(typedDoc, ({ type, doc }) => {
        const p = parsed(doc, type);
        const s = serializePolicy(p);
        const again = parsed(s, type);
        assert.deepEqual(comparable(again), comparable(p), 'parse(serialize(p)) differs from p');
        assert.deepEqual(serializePolicy(again), s, 'serialize is not stable');
        const text = JSON.stringify(s, null, 2);
        const fromText = parsed(text, type);
        assert.deepEqual(comparable(fromText), comparable(p), 'the serialized text parses to a different model');
        for (const st of fromText.Statement) assert.ok(st.span && st.span.start.Line <= st.span.end.Line, 'statement parsed from text has no span');
        assert.deepEqual(comparable(parsed(JSON.stringify(doc), type)), comparable(p), 'the original text and the object parse differently');
      }),
      runs(1500),
    );
  });

  it('the round trip keeps the decision', () => {
    fc.assert(
      fc.property(setCase, requestCase, (c, r) => {
        const req = buildRequest(r);
        const set = buildSet(c);
        const rt = (np: NamedPolicy, type: PolicyType): NamedPolicy => ({ id: np.id, policy: parsed(serializePolicy(np.policy as Policy), type) });
        const set2: PolicySet = { identity: set.identity!.map((p) => rt(p, 'identity')) };
        if (set.resource) set2.resource = rt(set.resource, 'resource');
        if (set.boundary) set2.boundary = rt(set.boundary, 'boundary');
        if (set.session) set2.session = set.session.map((p) => rt(p, 'session'));
        if (set.scp) set2.scp = set.scp.map((l) => l.map((p) => rt(p, 'scp')));
        assert.deepEqual(summary(decide(req, set2)), summary(decide(req, set)));
      }),
      runs(300),
    );
  });
});

// ------------------------------------------------------------------------------ explanation

describe('policy properties: explanations', () => {
  it('explicitDeny lists a matched Deny, allowed lists a matched Allow (or the caller is the root user), implicitDeny lists nothing', () => {
    fc.assert(
      fc.property(setCase, requestCase, fc.boolean(), (c, r, explain) => {
        const req = buildRequest(r);
        const set = buildSet(c);
        const res = decide(req, set, explain);
        assert.ok(DECISIONS.includes(res.decision));
        const statementOf = (policyId: string, index: number) => {
          const all: NamedPolicy[] = [...(set.identity ?? []), ...(set.resource ? [set.resource] : []), ...(set.boundary ? [set.boundary] : []), ...(set.session ?? []), ...(set.scp ?? []).flat()];
          return (all.find((p) => p.id === policyId)?.policy as Policy | undefined)?.Statement.find((s) => s.index === index);
        };
        for (const m of res.matched) {
          assert.equal(m.matched, true);
          assert.equal(statementOf(m.policyId, m.index)?.Effect, m.effect, `matched ${m.policyId}[${m.index}] is not a ${m.effect} statement of the set`);
        }
        switch (res.decision) {
          case 'explicitDeny':
            assert.ok(res.matched.length > 0, 'explicitDeny without a matched statement');
            assert.ok(res.matched.every((m) => m.effect === 'Deny'), 'explicitDeny lists an Allow');
            break;
          case 'allowed':
            assert.ok(res.matched.every((m) => m.effect === 'Allow'), 'allowed lists a Deny');
            if (req.principal.type !== 'Account') {
              assert.ok(
                res.matched.some((m) => m.policyKind === 'identity' || m.policyKind === 'resource'),
                `allowed without a matched identity or resource Allow: ${JSON.stringify(res.matched)}`,
              );
            }
            break;
          case 'implicitDeny':
            assert.deepEqual(res.matched, []);
            break;
        }
      }),
      runs(1500),
    );
  });
});

// ------------------------------------------------------------------------------ totality

type Slot = 'identity' | 'resource' | 'boundary' | 'session' | 'scp';
const slot = fc.constantFrom<Slot>('identity', 'identity', 'resource', 'boundary', 'session', 'scp');

function setWith(where: Slot, policy: unknown): PolicySet {
  const np: NamedPolicy = { id: 'fuzzed', policy: policy as Policy };
  switch (where) {
    case 'identity':
      return { identity: [np] };
    case 'resource':
      return { identity: [], resource: np };
    case 'boundary':
      return { identity: [], boundary: np };
    case 'session':
      return { identity: [], session: [np] };
    case 'scp':
      return { identity: [], scp: [[np]] };
  }
}

function assertTotal(req: EvaluationRequest, set: PolicySet): EvaluationResult {
  let res: EvaluationResult | undefined;
  try {
    res = evaluate(req, set, { explain: true });
  } catch (e) {
    assert.fail(`evaluate threw: ${(e as Error)?.stack ?? String(e)}`);
  }
  assert.ok(res && DECISIONS.includes(res.decision), 'no decision');
  assert.ok(Array.isArray(res.diagnostics), 'no diagnostics');
  return res;
}

const WORDS = ['Version', 'Statement', 'Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition', 'Id', 'AWS', 'Service',
  'StringEquals', 'ForAnyValue:StringLike', 'NumericLessThanIfExists', 'IpAddress', 'Bool', 'Null', 'DateGreaterThan', 'ArnLike', 'aws:SourceIp', 'aws:username', 'operator', 'key', 'values', 'index'];
const LEAVES = ['2012-10-17', '2008-10-17', 'Allow', 'Deny', '*', 's3:GetObject', 's3:*', 'arn:aws:s3:::data-bucket/*', 'arn:aws:s3:::${aws:username}', '${aws:username}', 'true', '10.0.0.0/8', '', 'x'];

/** JSON objects spelled with policy words: wrong shapes, wrong types, missing and extra elements. */
const policyShapedObject: fc.Arbitrary<unknown> = fc.object({
  key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.string() }),
  values: [fc.constantFrom(...LEAVES), fc.integer(), fc.boolean(), fc.constant(null), fc.double()],
  maxDepth: 4,
  maxKeys: 5,
});

/** A valid document with one subtree replaced by arbitrary JSON. */
const mutatedDoc: fc.Arbitrary<unknown> = fc.tuple(policyDoc(), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })).map(([doc, path, value]) => {
  const root = structuredClone(doc) as unknown;
  let node = root;
  for (let i = 0; i < path.length; i++) {
    if (node === null || typeof node !== 'object') break;
    const keys = Array.isArray(node) ? node.map((_, k) => k) : Object.keys(node);
    if (!keys.length) break;
    const k = keys[path[i]! % keys.length]!;
    const last = i === path.length - 1;
    const child = (node as Record<string | number, unknown>)[k];
    if (last || child === null || typeof child !== 'object') {
      (node as Record<string | number, unknown>)[k] = value;
      break;
    }
    node = child;
  }
  return root;
});

/** Context values of every shape the ContextValue type allows, including odd strings and numbers. */
const anyContext = fc.dictionary(
  fc.oneof(fc.constantFrom('aws:SourceIp', 'aws:username', 'aws:PrincipalTag/team', 'aws:CurrentTime', 'aws:MultiFactorAuthAge', 'aws:SecureTransport', 'aws:TagKeys', 'aws:SourceArn'), fc.string()),
  fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 3 })),
  { maxKeys: 6, noNullPrototype: true },
);

describe('policy properties: evaluate never throws', () => {
  it('on any JSON value as the policy document (fc.jsonValue)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), slot, requestCase, (doc, where, r) => {
        assertTotal(buildRequest(r), setWith(where, doc));
      }),
      runs(1000),
    );
  });

  it('on any value at all as the policy document (fc.anything)', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true }), slot, requestCase, (doc, where, r) => {
        assertTotal(buildRequest(r), setWith(where, doc));
      }),
      runs(1000),
    );
  });

  it('on JSON objects spelled with policy words, and on valid policies with a part replaced, with any context', () => {
    fc.assert(
      fc.property(fc.oneof(policyShapedObject, mutatedDoc), slot, requestCase, anyContext, (doc, where, r, extra) => {
        const req = buildRequest(r);
        req.context = { ...req.context, ...extra };
        const res = assertTotal(req, setWith(where, doc));
        // A document that does not validate grants nothing: alone in the identity slot it cannot allow.
        if (where === 'identity' && req.principal.type !== 'Account' && !parsePolicy(doc as object).ok) {
          assert.notEqual(res.decision, 'allowed', 'an invalid document granted access');
        }
      }),
      runs(2000),
    );
  });

  it('on an object that claims to be a compiled policy', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('allow', 'deny', 'diagnostics', 'policy', 'type', 'Statement'), fc.jsonValue({ maxDepth: 1 }), { noNullPrototype: true }), requestCase, (extra, r) => {
        assertTotal(buildRequest(r), setWith('identity', { ...extra, compiled: true }));
      }),
      runs(200),
    );
  });
});

// ------------------------------------------------------------------------------ counterexamples


describe('policy properties: counterexamples kept as examples', () => {
  // Shrunk counterexamples of "evaluate never throws": evaluate.ts documents "Bad data never
  // throws; it becomes a diagnostic", but a primitive document reaches isCompiled(null) or
  // compiledCache.set(<primitive>) outside the try/catch.
  for (const doc of [null, '', 0, true]) {
    it(`evaluate does not throw when the policy document is ${JSON.stringify(doc)}`, () => {
      const res = assertTotal(plainRequest, setWith('identity', doc));
      assert.equal(res.decision, 'implicitDeny');
      assert.ok(res.diagnostics.length > 0);
    });
  }

  it('evaluate reads a policy given as JSON text like the same document as an object', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    assert.equal(assertTotal(plainRequest, setWith('identity', text)).decision, 'allowed');
    assert.equal(assertTotal(plainRequest, setWith('identity', JSON.parse(text))).decision, 'allowed');
  });

  it('evaluate does not throw when a JSON document claims {"compiled": true}', () => {
    const res = assertTotal(plainRequest, setWith('identity', { compiled: true }));
    assert.equal(res.decision, 'implicitDeny');
  });

  it(
    'a raw document whose statements carry an "index" is still validated before it grants',
    () => {
      const doc = { Version: '2012-10-17', Statement: [{ index: 0, Effect: 'Bogus', Action: ['*'] }] };
      assert.equal(parsePolicy(doc).ok, false);
      assert.notEqual(evaluate(plainRequest, setWith('identity', doc)).decision, 'allowed');
    },
  );

  // Shrunk counterexample of the string-operator oracle (and of the Cedar differential test):
  // StringEquals is "exact matching, case sensitive"; only StringLike/StringNotLike take wildcards
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
  // compileString builds StringEquals with anyOf(), which returns "match everything" for a "*" value.
  for (const [op, expected] of [['StringEquals', 'implicitDeny'], ['StringNotEquals', 'allowed'], ['ForAnyValue:StringEquals', 'implicitDeny']] as const) {
    it(`${op} "*" is the literal text "*", not a wildcard`, () => {
      const policy = parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { [op]: { 'aws:PrincipalTag/team': '*' } } }] }, 'identity');
      const at = (team: string) => evaluate({ ...plainRequest, context: { 'aws:PrincipalTag/team': team } }, { identity: [{ id: 'p', policy }] }).decision;
      assert.equal(at('data'), expected, `${op} "*" against "data"`);
      assert.equal(at('*'), expected === 'allowed' ? 'implicitDeny' : 'allowed', `${op} "*" against "*"`);
    });
  }

  it('shrunk oracle counterexample: StringEquals ["*", ""] does not match "a"', () => {
    assert.equal(refString('StringEquals', false, ['*', ''], 'a'), false);
    const policy = parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': ['*', ''] } } }] }, 'identity');
    assert.equal(evaluate({ ...plainRequest, context: { 'aws:PrincipalTag/team': 'a' } }, { identity: [{ id: 'p', policy }] }).decision, 'implicitDeny');
  });

  it('"Condition": {} is no condition: it serializes away and decides like a statement without one', () => {
    const withEmpty = parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: {} }] }, 'identity');
    const without = parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }, 'identity');
    assert.deepEqual(withEmpty.Statement[0]?.Condition, []);
    assert.deepEqual(serializePolicy(withEmpty), serializePolicy(without));
    assert.equal(evaluate(plainRequest, { identity: [{ id: 'a', policy: withEmpty }] }).decision, 'allowed');
    assert.equal(evaluate(plainRequest, { identity: [{ id: 'b', policy: without }] }).decision, 'allowed');
  });
});
