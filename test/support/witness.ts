/** Test support: replay an analyzer witness through the engine, built from the witness alone. */
import assert from 'node:assert/strict';
import type { Finding } from '../../src/analyzer/index.js';
import { evaluate, parsePolicy, principalContext, principalFromArn, type ContextValue, type PolicyType, type RequestPrincipal } from '../../src/policy/index.js';

const ANY_IDENTITY = { id: 'any', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

/** The request a witness describes, evaluated by the engine on its own. */
export function replayWitness(policyDoc: unknown, type: PolicyType, f: Finding, owner = '000000000000'): string {
  const w = f.witness!;
  let principal: RequestPrincipal | undefined;
  if (w.principalType === 'Service') principal = { type: 'Service', service: w.principal };
  else if (w.principalType === 'WebIdentity') principal = { type: 'WebIdentity', provider: w.principal };
  else principal = principalFromArn(w.principal);
  assert.ok(principal, `witness principal ${w.principal}`);
  const context: Record<string, ContextValue> = principalContext(principal);
  for (const [k, v] of Object.entries(w.context)) {
    if (v === null) {
      for (const c of Object.keys(context)) if (c.toLowerCase() === k.toLowerCase()) delete context[c];
    } else context[k] = v;
  }
  const parsed = parsePolicy(policyDoc as object, { type: type === 'trust' ? 'trust' : type });
  assert.ok(parsed.ok, 'policy parses');
  if (type === 'trust' || type === 'resource') {
    const r = evaluate(
      { principal, action: w.action, resource: `arn:aws:iam::${owner}:role/rolecall-analyzed-role`, resourceAccount: owner, context },
      { resource: { id: 'p', policy: parsed.policy }, identity: [ANY_IDENTITY] },
      { resourceType: type === 'trust' ? 'trust' : 'resource' },
    );
    return r.decision;
  }
  return 'skipped';
}

