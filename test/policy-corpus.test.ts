/**
 * Runs the language-independent corpus in test/policy-cases/ (format: its README.md) against the
 * engine. One node:test per case, grouped per file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, parsePolicy, principalContext, principalFromArn } from '../src/policy/index.js';
import type { NamedPolicy, PolicySet, PolicyType, RequestPrincipal, Policy } from '../src/policy/index.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled tests live in dist/test; the corpus stays in the source tree.
const corpusDir = join(here, '..', '..', 'test', 'policy-cases');

interface Case {
  name: string;
  source: string;
  policies?: {
    identity?: unknown[];
    resource?: unknown;
    resourceType?: 'resource' | 'trust';
    boundary?: unknown;
    session?: unknown[];
    scp?: unknown[][];
    rcp?: unknown[][];
  };
  request?: { principal?: string | RequestPrincipal; action: string; resource: string; resourceAccount?: string; context?: Record<string, never> };
  parse?: { type: PolicyType; document: string | object };
  expect: { decision?: string; matchedSids?: string[]; error?: string; message?: string; valid?: boolean };
}

function load(doc: unknown, type: PolicyType, id: string): NamedPolicy {
  const r = parsePolicy(doc as string | object, { type });
  if (!r.ok) throw new Error(`case policy ${id} does not parse: ${JSON.stringify(r.errors)}`);
  return { id, policy: r.policy as Policy };
}

export function buildCase(c: Case): { set: PolicySet; request: Parameters<typeof evaluate>[0]; resourceType: 'resource' | 'trust' } {
  const p = c.policies ?? {};
  const resourceType = p.resourceType ?? 'resource';
  const set: PolicySet = {};
  if (p.identity) set.identity = p.identity.map((d, i) => load(d, 'identity', `identity.${i + 1}`));
  if (p.resource !== undefined) set.resource = load(p.resource, resourceType, 'resource');
  if (p.boundary !== undefined) set.boundary = load(p.boundary, 'boundary', 'boundary');
  if (p.session) set.session = p.session.map((d, i) => load(d, 'session', `session.${i + 1}`));
  if (p.scp) set.scp = p.scp.map((lvl, l) => lvl.map((d, i) => load(d, 'scp', `scp.${l + 1}.${i + 1}`)));
  if (p.rcp) set.rcp = p.rcp.map((lvl, l) => lvl.map((d, i) => load(d, 'rcp', `rcp.${l + 1}.${i + 1}`)));
  const rq = c.request!;
  const pr = rq.principal ?? 'arn:aws:iam::111122223333:user/alice';
  const principal = typeof pr === 'string' ? principalFromArn(pr) : pr;
  if (!principal) throw new Error(`bad principal ${String(pr)}`);
  const context = { ...principalContext(principal), ...(rq.context ?? {}) };
  const request: Parameters<typeof evaluate>[0] = { principal, action: rq.action, resource: rq.resource, context };
  if (rq.resourceAccount) request.resourceAccount = rq.resourceAccount;
  return { set, request, resourceType };
}

const files = readdirSync(corpusDir).filter((f) => f.endsWith('.json')).sort();
let total = 0;
for (const file of files) {
  const data = JSON.parse(readFileSync(join(corpusDir, file), 'utf8')) as { area: string; cases: Case[] };
  total += data.cases.length;
  describe(`corpus ${file}`, () => {
    for (const c of data.cases) {
      it(c.name, () => {
        assert.ok(c.source?.startsWith('https://'), 'every case names its AWS documentation page');
        if (c.parse) {
          const r = parsePolicy(c.parse.document, { type: c.parse.type });
          if (c.expect.valid) assert.equal(r.ok, true, `expected valid, got ${JSON.stringify(!r.ok && r.errors)}`);
          else {
            assert.equal(r.ok, false, 'expected a MalformedPolicyDocument error');
            if (!r.ok) {
              assert.ok(r.errors.some((e) => e.code === c.expect.error), JSON.stringify(r.errors));
              if (c.expect.message) assert.ok(r.errors.some((e) => e.message === c.expect.message), `messages: ${r.errors.map((e) => e.message).join(' | ')}`);
            }
          }
          return;
        }
        const { set, request, resourceType } = buildCase(c);
        const r = evaluate(request, set, { explain: true, resourceType });
        assert.equal(r.decision, c.expect.decision, `reason: ${r.reason}\ntrace: ${JSON.stringify(r.trace?.filter((t) => !t.matched).map((t) => [t.policyId, t.sid ?? t.index, t.reason]))}`);
        if (c.expect.matchedSids) assert.deepEqual(r.matched.map((m) => m.sid).sort(), [...c.expect.matchedSids].sort());
      });
    }
  });
}

describe('corpus size', () => {
  it('holds at least 300 cases', () => {
    assert.ok(total >= 300, `only ${total} cases`);
  });
});
