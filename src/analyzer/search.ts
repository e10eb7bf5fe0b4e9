/**
 * The witness search: is there a request that the engine allows, for one of these callers, with
 * these keys pinned? It enumerates request contexts over candidate values (values.ts) and asks the
 * real engine (`evaluate`) about each; the first allowed request is the witness. The search only
 * prunes what cannot matter: for the statement that should grant, values that fail one of its
 * single-key clauses are dropped, and keys no Deny, no variable and no other policy reads are
 * fixed to their first passing value. Every witness it returns is a request the engine allowed.
 */
import { compilePolicy, evaluate, type CompiledPolicy, type CompiledStatement, type ContextValue, type NamedPolicy, type Policy, type PolicySet, type RequestPrincipal } from '../policy/index.js';
import type { CondEnv } from '../policy/conditions/index.js';
import { isPrincipalKey } from './keys.js';
import type { Candidate } from './principals.js';
import { SHARED_VARIABLE_VALUE, variableKeys, type Domain, type Universe } from './values.js';

export interface Target {
  /** The policy whose Allow must grant: a trust (or resource) policy, or an identity policy. */
  policy: CompiledPolicy;
  kind: 'resource' | 'identity';
  resourceType?: 'trust' | 'resource';
  /** The resource of the request (the role ARN for a trust policy). */
  resource: string;
  resourceAccount?: string;
}

export interface Question {
  target: Target;
  candidates: Candidate[];
  /** Pinned keys (lower-cased key → the only values to try); beats generated candidates. */
  domains?: Record<string, Domain>;
  /** Only these statements of the target may be the granting one. */
  grant?: (s: CompiledStatement) => boolean;
  /** These actions instead of each candidate's own. */
  actions?: string[];
  /** Most evaluations to spend on this question. */
  budget?: number;
}

export interface Hit {
  candidate: Candidate;
  action: string;
  /** The full request context of the allowed request. */
  context: Record<string, ContextValue>;
  /** The granting statement's index in the target policy. */
  statement: number;
  /** Keys the search varied (lower-cased) and the value chosen (undefined: absent). */
  chosen: Map<string, ContextValue | undefined>;
}

export const ALLOW_ALL: NamedPolicy = {
  id: 'rolecall-analyzer-any-identity',
  policy: compilePolicy({ Version: '2012-10-17', Statement: [{ index: 0, Effect: 'Allow', Action: ['*'], Resource: ['*'] }] }, 'identity'),
};

export const DEFAULT_BUDGET = 3000;
const TARGET_ID = 'rolecall-analyzer-target';

export function principalApplies(s: CompiledStatement, p: RequestPrincipal): boolean {
  if (!s.principal) return true;
  return s.notPrincipal ? !s.principal.excludes(p) : s.principal.match(p) !== undefined;
}

/** A condition environment holding one key. */
function oneKeyEnv(lower: string, value: ContextValue | undefined): CondEnv {
  const v = value === undefined ? undefined : Array.isArray(value) ? value.map(String) : String(value);
  return {
    get: (_k, lk) => (lk === lower ? v : undefined),
    single: (_k, lk) => (lk === lower && typeof v === 'string' ? v : undefined),
    missing: () => {},
  };
}

function hasVariables(values: string[], variablesOn: boolean): boolean {
  return variablesOn && values.some((v) => variableKeys(v).length > 0);
}

/** Condition keys of a parsed policy's statements, lower-cased, with the keys their variables read. */
function policyKeys(p: Policy, into: Set<string>): void {
  const on = p.Version === '2012-10-17';
  for (const st of p.Statement) for (const c of st.Condition ?? []) {
    into.add(c.key.toLowerCase());
    if (on) for (const v of c.values) for (const r of variableKeys(v)) into.add(r);
  }
}

function namedPolicyModel(np: NamedPolicy | undefined): Policy | undefined {
  if (!np) return undefined;
  const p = np.policy as { compiled?: true; policy?: Policy; Statement?: unknown };
  if (p && typeof p === 'object' && p.compiled === true && p.policy) return p.policy;
  if (p && typeof p === 'object' && Array.isArray(p.Statement)) return p as unknown as Policy;
  return undefined;
}

const identityKeyCache = new WeakMap<object, Set<string>>();
function identityKeys(c: Candidate): Set<string> {
  const cacheKey = c.identity ?? ALLOW_ALL;
  let s = identityKeyCache.get(cacheKey);
  if (!s) {
    s = new Set();
    for (const np of c.identity ?? []) {
      const m = namedPolicyModel(np);
      if (m) policyKeys(m, s);
    }
    identityKeyCache.set(cacheKey, s);
  }
  if (c.boundary) {
    const m = namedPolicyModel(c.boundary);
    if (m) {
      const t = new Set(s);
      policyKeys(m, t);
      return t;
    }
  }
  return s;
}

function fixedLookup(fixed: Record<string, ContextValue>, lower: string): ContextValue | undefined {
  for (const k in fixed) if (k.toLowerCase() === lower) return fixed[k];
  return undefined;
}

/** Real requests keep some keys together; contexts that cannot happen are skipped. */
function realistic(ctx: Record<string, ContextValue>, lowers: Map<string, string>): boolean {
  const get = (l: string) => {
    const k = lowers.get(l);
    return k === undefined ? undefined : ctx[k];
  };
  // aws:MultiFactorAuthAge exists only when MFA authenticated the credentials.
  if (get('aws:multifactorauthage') !== undefined && String(get('aws:multifactorauthpresent')).toLowerCase() !== 'true') return false;
  // aws:TagKeys lists exactly the keys of the request's tags.
  const tagKeys = get('aws:tagkeys');
  const requestTags = [...lowers.keys()].filter((l) => l.startsWith('aws:requesttag/') && get(l) !== undefined).map((l) => l.slice('aws:requesttag/'.length));
  if (tagKeys !== undefined) {
    const listed = (Array.isArray(tagKeys) ? tagKeys : [tagKeys]).map((t) => String(t).toLowerCase());
    if (requestTags.some((t) => !listed.includes(t))) return false;
  }
  return true;
}

export class WitnessSearch {
  /** Evaluations spent by this search object, over all questions. */
  evaluations = 0;

  constructor(private readonly universe: Universe) {}

  find(q: Question): Hit | undefined {
    const start = q.budget ?? DEFAULT_BUDGET;
    const r = this.findWithin(q, start);
    this.evaluations += start - r.left;
    return r.hit;
  }

  private findWithin(q: Question, initial: number): { hit?: Hit; left: number } {
    let budget = initial;
    const target = q.target;
    for (const cand of q.candidates) {
      const actions = q.actions ?? (target.kind === 'identity' ? [] : cand.actions);
      for (const action of actions) {
        const lowerAction = action.toLowerCase();
        const grants = target.policy.allow.filter(
          (s) => s.action(lowerAction) && (target.kind === 'identity' ? resourceMayMatch(s, target.resource) : principalApplies(s, cand.principal)) && (!q.grant || q.grant(s)),
        );
        if (!grants.length) continue;
        const denies = target.policy.deny.filter((s) => s.action(lowerAction) && (target.kind === 'identity' || principalApplies(s, cand.principal)));
        for (const s of grants) {
          const r = this.searchStatement(q, cand, action, s, denies, budget);
          budget = r.budget;
          if (r.hit) return { hit: r.hit, left: budget };
          if (budget <= 0) return { left: 0 };
        }
      }
    }
    return { left: budget };
  }

  private domainFor(q: Question, cand: Candidate, lower: string): Domain {
    const fixed = fixedLookup(cand.fixed, lower);
    if (fixed !== undefined) return [fixed];
    // The resource's own facts are not the caller's to choose: the role lives in its account.
    if (lower === 'aws:resourceaccount' && q.target.resourceAccount) return [q.target.resourceAccount];
    if (q.domains && Object.hasOwn(q.domains, lower)) return q.domains[lower] as Domain;
    if (cand.domains && Object.hasOwn(cand.domains, lower)) return cand.domains[lower] as Domain;
    if (isPrincipalKey(lower)) {
      if (lower.startsWith('aws:principaltag/') && cand.freePrincipalTags) return this.universe.domain(lower);
      return [undefined];
    }
    return this.universe.domain(lower);
  }

  private searchStatement(q: Question, cand: Candidate, action: string, s: CompiledStatement, denies: CompiledStatement[], budget: number): { hit?: Hit; budget: number } {
    const target = q.target;
    const variablesOn = target.policy.policy.Version === '2012-10-17';
    // Keys that matter: the granting statement's, the Denys', the caller's own policies'.
    const own = new Set<string>();
    const shared = new Set<string>();
    for (const c of s.conditions) {
      own.add(c.lowerKey);
      if (hasVariables(c.clause.values, variablesOn)) for (const v of c.clause.values) for (const r of variableKeys(v)) shared.add(r);
    }
    for (const d of denies) for (const c of d.conditions) {
      shared.add(c.lowerKey);
      if (hasVariables(c.clause.values, variablesOn)) for (const v of c.clause.values) for (const r of variableKeys(v)) shared.add(r);
    }
    if (target.kind === 'resource' && cand.identity) for (const k of identityKeys(cand)) shared.add(k);
    if (target.kind === 'resource' && !cand.identity && cand.boundary) for (const k of identityKeys(cand)) shared.add(k);
    // Keys kept together in real requests must be searched together.
    const all = new Set([...own, ...shared]);
    const hasTags = [...all].some((k) => k.startsWith('aws:requesttag/'));
    if (hasTags && all.has('aws:tagkeys')) {
      for (const k of all) if (k.startsWith('aws:requesttag/') || k === 'aws:tagkeys') shared.add(k);
    }
    if (all.has('aws:multifactorauthage') && all.has('aws:multifactorauthpresent')) {
      shared.add('aws:multifactorauthage');
      shared.add('aws:multifactorauthpresent');
    }
    for (const k of Object.keys(q.domains ?? {})) if (all.has(k)) shared.add(k);

    const keys = [...all];
    const domains: Domain[] = [];
    for (const k of keys) {
      let dom = this.domainFor(q, cand, k);
      // Values a variable of this statement would compare with: the caller's own facts.
      const extra: string[] = [];
      for (const c of s.conditions) {
        if (c.lowerKey !== k || !hasVariables(c.clause.values, variablesOn)) continue;
        for (const v of c.clause.values) {
          const resolved = v.replace(/\$\{([^}]*)\}/g, (m, inner: string) => {
            const ref = inner.replace(/\s*,\s*'[^']*'\s*$/, '').trim().toLowerCase();
            const f = fixedLookup(cand.fixed, ref);
            return typeof f === 'string' ? f : SHARED_VARIABLE_VALUE;
          });
          if (!resolved.includes('*') && !resolved.includes('?')) extra.push(resolved);
        }
      }
      if (extra.length && dom.length > 1) dom = [...dom, ...extra.filter((e) => !dom.includes(e))];
      // Drop values that fail one of the granting statement's own single-key clauses.
      const clauses = s.conditions.filter((c) => c.lowerKey === k && !hasVariables(c.clause.values, variablesOn));
      if (clauses.length) dom = dom.filter((v) => clauses.every((c) => c.test(oneKeyEnv(k, v))));
      if (!dom.length) return { budget };
      // A key only this statement reads: any passing value does.
      if (!shared.has(k)) dom = dom.slice(0, 1);
      domains.push(dom);
    }

    const spelled = keys.map((k) => fixedKeyName(cand.fixed, k) ?? this.universe.spelling(k));
    const lowers = new Map(keys.map((k, i) => [k, spelled[i] as string]));
    const set = this.policySet(target, cand);
    const idx = keys.map(() => 0);
    for (;;) {
      if (budget <= 0) return { budget };
      const ctx: Record<string, ContextValue> = { ...cand.fixed };
      const chosen = new Map<string, ContextValue | undefined>();
      for (let i = 0; i < keys.length; i++) {
        const v = (domains[i] as Domain)[idx[i] as number];
        chosen.set(keys[i] as string, v);
        if (v !== undefined) ctx[spelled[i] as string] = v;
        else delete ctx[spelled[i] as string];
      }
      // A request carrying tags names their keys in aws:TagKeys.
      if (!lowers.has('aws:tagkeys')) {
        const tags = keys.filter((k) => k.startsWith('aws:requesttag/') && chosen.get(k) !== undefined).map((k) => (lowers.get(k) as string).slice('aws:RequestTag/'.length));
        if (tags.length) ctx['aws:TagKeys'] = tags;
      }
      if (realistic(ctx, lowers)) {
        budget--;
        const r = evaluate(
          { principal: cand.principal, action, resource: target.resource, ...(target.resourceAccount ? { resourceAccount: target.resourceAccount } : {}), context: ctx },
          set,
          { resourceType: target.resourceType ?? (target.kind === 'identity' ? 'resource' : 'trust') },
        );
        if (r.decision === 'allowed') {
          const granting = r.matched.find((m) => m.policyId === TARGET_ID && (!q.grant || target.policy.allow.some((st) => st.source.index === m.index && q.grant!(st))));
          if (granting) return { hit: { candidate: cand, action, context: ctx, statement: granting.index, chosen }, budget };
        }
      }
      // Next assignment (odometer).
      let i = keys.length - 1;
      while (i >= 0) {
        idx[i] = (idx[i] as number) + 1;
        if ((idx[i] as number) < (domains[i] as Domain).length) break;
        idx[i] = 0;
        i--;
      }
      if (i < 0) return { budget };
    }
  }

  private policySet(target: Target, cand: Candidate): PolicySet {
    const t: NamedPolicy = { id: TARGET_ID, policy: target.policy };
    if (target.kind === 'identity') return { identity: [t] };
    const set: PolicySet = { resource: t, identity: cand.identity ?? [ALLOW_ALL] };
    if (cand.boundary) set.boundary = cand.boundary;
    return set;
  }
}

const NO_ENV: CondEnv = { get: () => undefined, single: () => undefined, missing: () => {} };
/** False only when the statement's Resource cannot match (entries with variables may). */
function resourceMayMatch(s: CompiledStatement, resource: string): boolean {
  if (!s.resource) return true;
  const list = s.source.Resource ?? s.source.NotResource ?? [];
  if (list.some((r) => r.includes('${'))) return true;
  return s.resource(resource, NO_ENV);
}

function fixedKeyName(fixed: Record<string, ContextValue>, lower: string): string | undefined {
  for (const k in fixed) if (k.toLowerCase() === lower) return k;
  return undefined;
}

export { TARGET_ID };
