/**
 * The decision: AWS's policy evaluation logic as a pure function of the request and the policies
 * that apply to it. Bad data never throws; it becomes a diagnostic.
 *
 * Order (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
 *  1. an explicit Deny in any policy ⇒ explicitDeny
 *  2. RCPs, then SCPs: every level must allow
 *  3. a same-account resource-policy grant, as far as the principal it names allows (table in
 *     reference_policies_evaluation-logic.html); trust policies must always allow explicitly
 *  4. identity policies ∩ permissions boundary ∩ session policies
 *  Cross-account (reference_policies_evaluation-logic-cross-account.html): both the identity side
 *  and the resource policy must allow.
 */
import { accountOfArn } from './arn.js';
import { isParsedPolicy, parsePolicy } from './parse.js';
import { compilePolicy, isCompiled, type CompiledPolicy, type CompiledStatement } from './compile.js';
import type { CondEnv } from './conditions/index.js';
import { RequestContext } from './context.js';
import { strongerGrant, type GrantKind } from './principal.js';
import type {
  Decision,
  Diagnostic,
  EvaluationRequest,
  EvaluationResult,
  MismatchReason,
  Policy,
  PolicyKind,
  PolicyType,
  RequestPrincipal,
  StatementTrace,
} from './types.js';
import type { NamedPolicy, PolicySet } from './policy-set.js';

export interface EvaluateOptions {
  /** Record every statement looked at and why it did or did not apply. */
  explain?: boolean;
  /** The resource policy is a role trust policy (or another policy that must allow explicitly). */
  resourceType?: 'resource' | 'trust';
}

type Kind = PolicyKind;
const KIND_TYPE: Record<Kind, PolicyType> = { identity: 'identity', resource: 'resource', boundary: 'boundary', session: 'session', scp: 'scp', rcp: 'rcp' };

const compiledCache = new WeakMap<object, CompiledPolicy>();
const textCache = new Map<string, CompiledPolicy>();
const TEXT_CACHE_MAX = 1000;

function emptyPolicy(type: PolicyType, diagnostics: Diagnostic[]): CompiledPolicy {
  return { compiled: true, type, policy: { Statement: [] }, allow: [], deny: [], diagnostics };
}

/**
 * Accepts what callers hand over: a compiled policy, a model from parsePolicy, or a raw document
 * (object or JSON text), which is validated first. INVARIANT: never throws; a policy that cannot
 * be parsed or compiled grants and denies nothing and shows up as diagnostics.
 */
function compiledOf(np: NamedPolicy, kind: Kind, resourceType: 'resource' | 'trust'): CompiledPolicy {
  const p: unknown = np.policy;
  if (isCompiled(p)) return p;
  const type = kind === 'resource' ? resourceType : KIND_TYPE[kind];
  const isObject = typeof p === 'object' && p !== null;
  let c = isObject ? compiledCache.get(p) : typeof p === 'string' ? textCache.get(`${type}\u0000${p}`) : undefined;
  if (c) return c;
  try {
    if (isParsedPolicy(p)) c = compilePolicy(p, type);
    else if (isObject || typeof p === 'string') {
      const r = parsePolicy(p as string | object, { type });
      // cold path: a policy that does not parse, compiled (to its errors) once and cached
      c = r.ok ? compilePolicy(r.policy, type) : emptyPolicy(type, r.errors.map((e) => ({ ...e, path: `${np.id}: ${e.path}` })));
    } else {
      c = emptyPolicy(type, [{ code: 'MalformedPolicyDocument', message: `policy ${np.id} is not a policy document`, path: '', severity: 'error' }]);
    }
  } catch (e) {
    c = emptyPolicy(type, [{ code: 'MalformedPolicyDocument', message: `policy ${np.id} could not be compiled: ${(e as Error).message}`, path: '', severity: 'error' }]);
  }
  if (isObject) compiledCache.set(p, c);
  else if (typeof p === 'string') {
    if (textCache.size >= TEXT_CACHE_MAX) textCache.clear();
    textCache.set(`${type}\u0000${p}`, c);
  }
  return c;
}

interface Scan {
  allowed: boolean;
  grant?: GrantKind;
}

class Evaluation implements CondEnv {
  readonly matchedDeny: StatementTrace[] = [];
  readonly matchedAllow: StatementTrace[] = [];
  readonly trace: StatementTrace[] | undefined;
  readonly diagnostics: Diagnostic[] = [];
  missingKeys: Set<string> | undefined;

  constructor(
    readonly action: string,
    readonly resource: string,
    readonly principal: RequestPrincipal,
    private readonly ctx: RequestContext,
    explain: boolean,
  ) {
    this.trace = explain ? [] : undefined;
  }

  // CondEnv: what compiled conditions read.
  get(key: string, lowerKey: string) {
    return this.ctx.get(key, lowerKey);
  }
  single(key: string, lowerKey: string) {
    return this.ctx.single(key, lowerKey);
  }
  missing(name: string) {
    (this.missingKeys ??= new Set()).add(name);
  }

  /** True when the statement applies to the request. */
  private applies(s: CompiledStatement): boolean {
    if (!s.action(this.action)) return false;
    if (s.resource !== undefined && !s.resource(this.resource, this)) return false;
    if (s.principal !== undefined && !this.principalHit(s)) return false;
    const conds = s.conditions;
    for (let i = 0; i < conds.length; i++) if (!conds[i]!.test(this)) return false;
    return true;
  }

  private principalHit(s: CompiledStatement): boolean {
    const cp = s.principal!;
    return s.notPrincipal ? !cp.excludes(this.principal) : cp.match(this.principal) !== undefined;
  }

  /** Why a statement does not apply (explain mode), or undefined when it applies. */
  private mismatch(s: CompiledStatement): MismatchReason | undefined {
    if (!s.action(this.action)) return { element: s.notAction ? 'NotAction' : 'Action' };
    if (s.resource && !s.resource(this.resource, this)) return { element: s.notResource ? 'NotResource' : 'Resource' };
    if (s.principal && !this.principalHit(s)) return { element: s.notPrincipal ? 'NotPrincipal' : 'Principal' };
    for (const c of s.conditions) {
      if (!c.test(this)) {
        const v = this.ctx.get(c.clause.key, c.lowerKey);
        const detail = v === undefined ? 'key not present in the request context' : `request value ${JSON.stringify(v)} did not satisfy the condition`;
        return { element: 'Condition', operator: c.clause.operator, key: c.clause.key, detail };
      }
    }
    return undefined;
  }

  /** Explain mode asks mismatch() for the reason; the fast path only asks whether it applies. */
  private check(s: CompiledStatement): MismatchReason | undefined | true {
    if (this.trace) return this.mismatch(s) ?? true;
    return this.applies(s) ? true : undefined;
  }

  private traceOf(np: NamedPolicy, kind: Kind, s: CompiledStatement, matched: boolean, reason?: MismatchReason): StatementTrace {
    const t: StatementTrace = { policyId: np.id, policyKind: kind, index: s.source.index, effect: s.effect, matched, statement: s.source };
    if (np.sourceType) t.sourceType = np.sourceType;
    if (s.source.Sid !== undefined) t.sid = s.source.Sid;
    if (s.source.span) t.span = s.source.span;
    if (reason) t.reason = reason;
    return t;
  }

  /** Walk one policy: record matching Denys; return whether an Allow applies and the best grant. */
  scan(np: NamedPolicy, kind: Kind, resourceType: 'resource' | 'trust'): Scan {
    const cp = compiledOf(np, kind, resourceType);
    if (cp.diagnostics.length) this.diagnostics.push(...cp.diagnostics);
    const trace = this.trace;
    for (const s of cp.deny) {
      const r = this.check(s);
      if (r === true) {
        const t = this.traceOf(np, kind, s, true);
        this.matchedDeny.push(t);
        if (trace) trace.push(t);
      } else if (trace && r) trace.push(this.traceOf(np, kind, s, false, r));
    }
    const out: Scan = { allowed: false };
    for (const s of cp.allow) {
      const r = this.check(s);
      if (r !== true) {
        if (trace && r) trace.push(this.traceOf(np, kind, s, false, r));
        continue;
      }
      out.allowed = true;
      if (kind === 'resource') {
        const g = s.principal ? (s.notPrincipal ? 'standalone' : s.principal.match(this.principal)) : 'standalone';
        if (g) out.grant = strongerGrant(out.grant, g);
      }
      const t = this.traceOf(np, kind, s, true);
      // Grants are identity and resource statements; boundary, session and Organizations
      // statements only limit, so they show in the trace and details, not among the matches.
      if (kind === 'identity' || kind === 'resource') this.matchedAllow.push(t);
      if (trace) trace.push(t);
    }
    return out;
  }

  scanAll(list: NamedPolicy[] | undefined, kind: Kind, resourceType: 'resource' | 'trust'): boolean {
    let allowed = false;
    if (list) for (const np of list) if (this.scan(np, kind, resourceType).allowed) allowed = true;
    return allowed;
  }

  /** Organizations policies: every level must allow. */
  scanLevels(levels: NamedPolicy[][] | undefined, kind: 'scp' | 'rcp'): boolean {
    if (!levels) return true;
    let all = true;
    for (const level of levels) if (!this.scanAll(level, kind, 'resource')) all = false;
    return all;
  }
}

const TEMP_ALLOW_DECISION = (b: boolean): Decision => (b ? 'allowed' : 'implicitDeny');

export function evaluate(request: EvaluationRequest, set: PolicySet, options: EvaluateOptions = {}): EvaluationResult {
  const resourceType = options.resourceType ?? 'resource';
  const p = request.principal;
  const resourceAccount = request.resourceAccount ?? accountOfArn(request.resource) ?? p.account;
  const ev = new Evaluation(request.action.toLowerCase(), request.resource, p, new RequestContext(request.context, resourceAccount), options.explain === true);

  // Walk every applicable policy once: Denys are collected from all of them.
  const identityAllows = p.type === 'Account' ? true : ev.scanAll(set.identity, 'identity', resourceType);
  const res = set.resource ? ev.scan(set.resource, 'resource', resourceType) : { allowed: false };
  const boundaryAllows = set.boundary ? ev.scan(set.boundary, 'boundary', resourceType).allowed : true;
  let sessionAllows = true;
  if (set.session) {
    // Several session policies (inline + managed ARNs) together form the session's policy.
    sessionAllows = set.session.length ? ev.scanAll(set.session, 'session', resourceType) : p.type !== 'FederatedUser';
  }
  const scpAllows = ev.scanLevels(set.scp, 'scp');
  const rcpAllows = ev.scanLevels(set.rcp, 'rcp');

  const hasIdentitySide = p.type === 'User' || p.type === 'AssumedRole' || p.type === 'FederatedUser' || p.type === 'Account';
  const crossAccount = !hasIdentitySide || resourceAccount !== p.account;
  const identitySide = hasIdentitySide && identityAllows && boundaryAllows && sessionAllows;

  let decision: Decision;
  let reason: string;
  let deniedBy: PolicyKind | undefined;
  let resourceGrant: NonNullable<EvaluationResult['details']>['resourceGrant'] = 'none';
  if (ev.matchedDeny.length) {
    decision = 'explicitDeny';
    const d = ev.matchedDeny[0]!;
    deniedBy = d.policyKind;
    reason = `explicitly denied by ${d.sid ? `statement "${d.sid}"` : `statement ${d.index}`} of ${d.policyKind} policy ${d.policyId}`;
  } else if (!rcpAllows) {
    decision = 'implicitDeny';
    deniedBy = 'rcp';
    reason = 'no resource control policy allows it at every level';
  } else if (!scpAllows) {
    decision = 'implicitDeny';
    deniedBy = 'scp';
    reason = 'no service control policy allows it at every level';
  } else if (crossAccount) {
    const side = hasIdentitySide ? identitySide : true;
    resourceGrant = res.allowed ? (hasIdentitySide ? 'delegated-to-account' : 'standalone') : 'none';
    if (!hasIdentitySide && res.grant !== 'standalone') resourceGrant = 'none';
    decision = TEMP_ALLOW_DECISION(res.allowed && side && (hasIdentitySide || res.grant === 'standalone'));
    reason = decision === 'allowed'
      ? hasIdentitySide ? 'allowed by both the resource policy and the principal\'s policies (cross-account)' : 'allowed by the resource policy'
      : !res.allowed
        ? set.resource ? 'the resource policy does not allow the principal' : 'cross-account access needs a resource policy that allows the principal'
        : explainIdentitySide(identityAllows, boundaryAllows, sessionAllows);
  } else {
    const g = res.allowed ? res.grant : undefined;
    if (g === 'standalone') {
      decision = 'allowed';
      resourceGrant = 'standalone';
      reason = 'allowed by the resource policy, which names the principal';
    } else if (g === 'limited' && boundaryAllows && sessionAllows) {
      decision = 'allowed';
      resourceGrant = 'limited-by-boundary-and-session';
      reason = 'allowed by the resource policy, which names the role (or federating user), within the boundary and session policies';
    } else if (resourceType === 'trust' && !res.allowed) {
      decision = 'implicitDeny';
      reason = set.resource ? 'the trust policy does not allow the principal' : 'a role can only be assumed when its trust policy allows it';
    } else if (identitySide) {
      decision = 'allowed';
      if (g) resourceGrant = g === 'account' ? 'delegated-to-account' : 'limited-by-boundary-and-session';
      reason = 'allowed by the principal\'s identity policies';
    } else {
      decision = 'implicitDeny';
      if (g) resourceGrant = g === 'account' ? 'delegated-to-account' : 'limited-by-boundary-and-session';
      reason = explainIdentitySide(identityAllows, boundaryAllows, sessionAllows);
    }
  }

  if (decision === 'implicitDeny' && deniedBy === undefined) {
    deniedBy = !res.allowed && (crossAccount || resourceType === 'trust') ? 'resource' : !identityAllows ? 'identity' : !boundaryAllows ? 'boundary' : !sessionAllows ? 'session' : 'identity';
  }
  const result: EvaluationResult = {
    decision,
    matched: decision === 'explicitDeny' ? ev.matchedDeny : decision === 'allowed' ? ev.matchedAllow : [],
    reason,
    diagnostics: ev.diagnostics,
  };
  if (deniedBy) result.deniedBy = deniedBy;
  if (ev.missingKeys) result.missingContextKeys = [...ev.missingKeys];
  if (ev.trace) {
    result.trace = ev.trace;
    const details: NonNullable<EvaluationResult['details']> = { crossAccount, resourceGrant };
    if (set.identity) details.identity = TEMP_ALLOW_DECISION(identityAllows);
    if (set.resource) details.resource = TEMP_ALLOW_DECISION(res.allowed);
    if (set.boundary) details.boundary = TEMP_ALLOW_DECISION(boundaryAllows);
    if (set.session) details.session = TEMP_ALLOW_DECISION(sessionAllows);
    if (set.scp) details.scp = TEMP_ALLOW_DECISION(scpAllows);
    if (set.rcp) details.rcp = TEMP_ALLOW_DECISION(rcpAllows);
    for (const d of ev.matchedDeny) details[d.policyKind] = 'explicitDeny';
    result.details = details;
  }
  return result;
}

function explainIdentitySide(identity: boolean, boundary: boolean, session: boolean): string {
  if (!identity) return 'no identity-based policy allows it';
  if (!boundary) return 'the permissions boundary does not allow it';
  if (!session) return 'the session policy does not allow it';
  return 'not allowed';
}
