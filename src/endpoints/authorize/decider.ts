/**
 * Decisions for one principal: the principal's policies from the PolicySource (identity,
 * boundary, session), the target's resource policy from the service, the pure engine, and the
 * decision cache in front. Unlike the gateway's Authorizer it never throws a denial: the service
 * gets every decision with the statements that made it.
 */
import type { PolicySource } from '../../authz/authorizer.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import { evaluate, parsePolicy, type ContextValue, type EvaluationResult, type NamedPolicy, type PolicySet } from '../../policy/index.js';
import { decisionKey, timeSensitive, type DecisionCache } from './decision-cache.js';

/** A resource-based policy the service sent, parsed once per text. */
export interface ResourcePolicy {
  text: string;
  named: NamedPolicy;
}

const parsedResourcePolicies = new Map<string, ResourcePolicy>();
const PARSED_MAX = 2000;

/**
 * Parse a resource policy (JSON text or object) with the resource-policy grammar; a bad one is
 * MalformedPolicyDocument, with the engine's wording, as PutBucketPolicy would answer.
 */
export function resourcePolicy(v: unknown, where: string): ResourcePolicy | undefined {
  if (v === undefined || v === null) return undefined;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  let rp = parsedResourcePolicies.get(text);
  if (rp) return rp;
  const r = parsePolicy(text, { type: 'resource' });
  if (!r.ok) throw new AwsError('MalformedPolicyDocument', `${where}resourcePolicy: ${r.errors[0]?.message ?? 'invalid policy'}`);
  rp = { text, named: { id: r.policy.Id ?? 'resource-policy', policy: r.policy, sourceType: 'resource' } };
  if (parsedResourcePolicies.size >= PARSED_MAX) parsedResourcePolicies.clear();
  parsedResourcePolicies.set(text, rp);
  return rp;
}

export interface DecisionQuery {
  action: string;
  resource: string;
  resourceAccount: string;
  /** Text that determines the context's non-principal, non-time keys (decision-cache.ts). */
  contextKey: string;
  /** The full request context; built only when a decision is evaluated (or explained). */
  context: () => Record<string, ContextValue>;
  resourcePolicy?: ResourcePolicy;
}

export interface Decided {
  result: EvaluationResult;
  /** Served from the decision cache. */
  cached: boolean;
}

export class Decider {
  constructor(
    private readonly source: PolicySource,
    private readonly cache?: DecisionCache,
  ) {}

  /** One decision per query, in order; the caller's policies are read at most once. */
  async decideAll(caller: Caller, queries: readonly DecisionQuery[]): Promise<Decided[]> {
    let base: Promise<PolicySet> | undefined;
    const out: Decided[] = [];
    for (const q of queries) {
      let key: string | undefined;
      let gen = 0;
      if (this.cache) {
        gen = this.cache.generation();
        key = decisionKey(q.action, q.resource, q.resourceAccount, q.resourcePolicy?.text, q.contextKey);
        const hit = this.cache.get(caller, key);
        if (hit) {
          out.push({ result: hit, cached: true });
          continue;
        }
      }
      base ??= this.source.policiesFor(caller);
      const set: PolicySet = { ...(await base) };
      if (q.resourcePolicy) set.resource = q.resourcePolicy.named;
      const r = evaluate({ principal: caller.principal, action: q.action, resource: q.resource, resourceAccount: q.resourceAccount, context: q.context() }, set, { resourceType: 'resource' });
      if (this.cache && key !== undefined && !timeSensitive(set)) this.cache.set(caller, key, gen, r);
      out.push({ result: r, cached: false });
    }
    return out;
  }

  async decide(caller: Caller, q: DecisionQuery): Promise<EvaluationResult> {
    return ((await this.decideAll(caller, [q]))[0] as Decided).result;
  }
}
