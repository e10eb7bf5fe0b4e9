/**
 * Who can assume a role, and what a principal can assume, over an inventory of accounts: every
 * edge "X can assume role R" is decided by the engine, with R's trust policy as the resource
 * policy (resourceType 'trust') and X's identity policies and boundary on the identity side, as
 * STS does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 * An account principal in a trust policy delegates to that account's identity policies; an
 * account outside the inventory is assumed to allow its principals everything (worst case).
 * Conditions are searched like lint witnesses; the keys a path needs (MFA, external id, source
 * identity, tags) are the ones whose removal makes the engine deny.
 */
import { classifyAwsPrincipal, compilePolicy, evaluate, parsePolicy, type CompiledPolicy, type ContextValue, type NamedPolicy, type Policy, type PolicySet } from '../policy/index.js';
import type { Inventory, InventoryRole, InventoryTag, InventoryUser } from './inventory.js';
import { classifyFederated } from './keys.js';
import { accountMembers, asOutsider, ASSUME, candidateForArn, roleSessionCandidate, serviceCandidate, userCandidate, webIdentityCandidate, type Candidate } from './principals.js';
import { ALLOW_ALL, principalApplies, WitnessSearch, type Hit } from './search.js';
import { OUTSIDER_ORG, Universe } from './values.js';

export type NodeKind = 'user' | 'role' | 'service' | 'federated' | 'account' | 'anyone';

export interface AssumeNode {
  /** ARN for users and roles; `service:NAME`, `federated:PROVIDER`, `account:ID`, `anyone`. */
  id: string;
  kind: NodeKind;
  label: string;
  account?: string;
  /** Not in the inventory (an account or principal the trust policies name from outside). */
  external: boolean;
}

export type ConditionKind = 'mfa' | 'external-id' | 'source-identity' | 'session-tag' | 'principal-tag' | 'source' | 'provider-claim' | 'other';

export interface EdgeCondition {
  key: string;
  /** A value that satisfies the trust policy (the witness the search found). */
  value: ContextValue;
  kind: ConditionKind;
  /**
   * The granting statement's own test of the key, when it has exactly one: the operator and the
   * values as written (e.g. `StringLike` ["repo:org/app:*"]), so a pattern reads as a pattern.
   */
  test?: { operator: string; values: string[] };
}

export interface AssumeEdge {
  from: string;
  /** The role's ARN. */
  to: string;
  action: string;
  crossAccount: boolean;
  /** The trust statement that allows it. */
  statement: number;
  /** What the request must carry (empty: nothing beyond who the caller is). */
  conditions: EdgeCondition[];
}

export interface AssumePath {
  /** Node ids from the assumer to the target. */
  nodes: string[];
  edges: AssumeEdge[];
  crossAccount: boolean;
  /** More than one hop: role chaining (each chained session lasts at most one hour). */
  chained: boolean;
}

export interface Assumer {
  node: AssumeNode;
  /** Hops on the shortest path. */
  distance: number;
  paths: AssumePath[];
  crossAccount: boolean;
}

export interface AssumeAnswer {
  direction: 'who' | 'what';
  /** The role (who) or the principal (what) asked about. */
  subject: AssumeNode;
  /** who: the principals that can assume the role; what: the roles the principal can assume. */
  results: Assumer[];
  nodes: AssumeNode[];
  edges: AssumeEdge[];
  notes: string[];
}

export interface GraphOptions {
  /** Most role-chaining hops to follow (default 8). */
  maxDepth?: number;
  /** Evaluations per edge question (default 2000). */
  budget?: number;
  /** Most paths listed per result (default 3). */
  maxPaths?: number;
  /** Share a decision between principals the engine cannot tell apart (default true; off for differential tests). */
  shareDecisions?: boolean;
}

const OUTSIDER_ACCOUNT = '999999999999';

function conditionKind(lower: string): ConditionKind {
  if (lower.startsWith('aws:multifactorauth')) return 'mfa';
  if (lower === 'sts:externalid') return 'external-id';
  if (lower === 'sts:sourceidentity' || lower === 'aws:sourceidentity') return 'source-identity';
  if (lower.startsWith('aws:requesttag/') || lower === 'aws:tagkeys' || lower === 'sts:transitivetagkeys') return 'session-tag';
  if (lower.startsWith('aws:principaltag/')) return 'principal-tag';
  if (lower.startsWith('aws:source')) return 'source';
  if (!lower.startsWith('aws:') && !lower.startsWith('sts:')) return 'provider-claim';
  return 'other';
}

function tagContext(tags: InventoryTag[]): Record<string, string> {
  const c: Record<string, string> = {};
  for (const t of tags) c[`aws:PrincipalTag/${t.Key}`] = t.Value;
  return c;
}

function modelOf(np: NamedPolicy): Policy | undefined {
  const p = np.policy as unknown;
  if (typeof p === 'object' && p !== null && Array.isArray((p as Policy).Statement)) return p as Policy;
  if (typeof p === 'object' && p !== null && (p as CompiledPolicy).compiled === true) return (p as CompiledPolicy).policy;
  return undefined;
}

interface RoleInfo {
  role: InventoryRole;
  trust: CompiledPolicy | undefined;
  arns: Set<string>;
  accounts: Set<string>;
  ids: Set<string>;
  any: boolean;
  services: Set<string>;
  federated: Set<string>;
  /** The trust policy reads keys that tell one principal of an account from another. */
  personal: boolean;
  /** Every principal ARN or unique id any statement (Allow or Deny) names. */
  mentioned: Set<string>;
}

/** Keys whose value differs between principals of the same account and kind. */
function personalKey(lower: string): boolean {
  return lower === 'aws:principalarn' || lower === 'aws:userid' || lower === 'aws:username' || lower.startsWith('aws:principaltag/') || lower === 'aws:sourceidentity';
}

function readsPersonal(p: Policy): boolean {
  const on = p.Version === '2012-10-17';
  return p.Statement.some((st) => (st.Condition ?? []).some((c) => personalKey(c.key.toLowerCase()) || (on && c.values.some((v) => /\$\{\s*aws:(principalarn|userid|username|principaltag\/)/i.test(v)))) || (st.Resource ?? []).some((r) => on && r.includes('${')));
}

interface Caller {
  node: AssumeNode;
  candidate: Candidate;
  /** Named by ARN or unique id in the trust policy (a same-account grant needs no identity policy). */
  named?: boolean;
}

export class AssumeGraph {
  private readonly users = new Map<string, InventoryUser>();
  private readonly roles = new Map<string, InventoryRole>();
  private readonly byId = new Map<string, InventoryUser | InventoryRole>();
  private readonly accounts: Set<string>;
  /** Accounts with an enabled MFA device: role sessions there may present an MFA code. */
  private readonly mfaAccounts = new Set<string>();
  private readonly info = new Map<string, RoleInfo>();
  /** Edges decided so far: role ARN → caller (principal ARN or node id) → edge or null. */
  private readonly edgeCache = new Map<string, Map<string, AssumeEdge | null>>();
  private readonly compiledIdentity = new WeakMap<object, CompiledPolicy>();
  private readonly nodes = new Map<string, AssumeNode>();
  readonly notes: string[] = [];
  private readonly budget: number;

  constructor(private readonly inv: Inventory, private readonly opts: GraphOptions = {}) {
    this.budget = opts.budget ?? 2000;
    this.accounts = new Set(inv.accounts);
    for (const u of inv.users) {
      if (u.mfaEnabled) this.mfaAccounts.add(u.accountId);
      this.users.set(u.arn, u);
      this.byId.set(u.id, u);
    }
    for (const r of inv.roles) {
      this.roles.set(r.arn, r);
      this.byId.set(r.id, r);
    }
  }

  role(arn: string): InventoryRole | undefined {
    return this.roles.get(arn);
  }

  /** Roles named `name` (any account), for looking a role up by name. */
  rolesNamed(name: string): InventoryRole[] {
    return this.inv.roles.filter((r) => r.name === name);
  }

  private node(n: AssumeNode): AssumeNode {
    const have = this.nodes.get(n.id);
    if (have) return have;
    this.nodes.set(n.id, n);
    return n;
  }

  private roleInfo(role: InventoryRole): RoleInfo {
    let ri = this.info.get(role.arn);
    if (ri) return ri;
    const parsed = parsePolicy(role.trustPolicy as string | object, { type: 'trust' });
    ri = { role, trust: parsed.ok ? compilePolicy(parsed.policy, 'trust') : undefined, arns: new Set(), accounts: new Set(), ids: new Set(), any: false, services: new Set(), federated: new Set(), personal: parsed.ok && readsPersonal(parsed.policy), mentioned: new Set() };
    if (!parsed.ok) this.notes.push(`${role.arn}: the trust policy does not parse (${parsed.errors[0]?.message}); nobody can assume it.`);
    else {
      for (const st of parsed.policy.Statement) {
        for (const b of [st.Principal, st.NotPrincipal]) if (b?.kind === 'map') for (const v of b.AWS ?? []) ri.mentioned.add(v);
        if (st.Effect !== 'Allow' || !st.Principal) continue;
        if (st.Principal.kind === 'any') {
          ri.any = true;
          continue;
        }
        for (const v of st.Principal.AWS ?? []) {
          const ref = classifyAwsPrincipal(v);
          if (!ref) continue;
          if (ref.t === 'any') ri.any = true;
          else if (ref.t === 'account') ri.accounts.add(ref.account);
          else if (ref.t === 'unique-id') ri.ids.add(ref.id);
          else ri.arns.add(v);
        }
        for (const s of st.Principal.Service ?? []) ri.services.add(s);
        for (const f of st.Principal.Federated ?? []) ri.federated.add(f);
      }
    }
    this.info.set(role.arn, ri);
    return ri;
  }

  // ------------------------------------------------------------------ callers

  /** Callers of inventory principals (default session for roles), built once. */
  private readonly baseCallers = new Map<string, Caller | undefined>();
  private entityCaller(e: InventoryUser | InventoryRole): Caller | undefined {
    if (this.baseCallers.has(e.arn)) return this.baseCallers.get(e.arn);
    const c = 'mfaEnabled' in e ? this.userCaller(e) : this.roleCaller(e as InventoryRole);
    this.baseCallers.set(e.arn, c);
    return c;
  }

  private entitiesByAccount: Map<string, Array<InventoryUser | InventoryRole>> | undefined;
  private entitiesOf(account: string): Array<InventoryUser | InventoryRole> {
    if (!this.entitiesByAccount) {
      this.entitiesByAccount = new Map();
      for (const e of [...this.inv.users, ...this.inv.roles]) {
        let l = this.entitiesByAccount.get(e.accountId);
        if (!l) this.entitiesByAccount.set(e.accountId, (l = []));
        l.push(e);
      }
    }
    return this.entitiesByAccount.get(account) ?? [];
  }

  private userCaller(u: InventoryUser): Caller | undefined {
    const c = userCandidate(u.arn, u.id);
    if (!c) return undefined;
    c.fixed = { ...c.fixed, ...tagContext(u.tags) };
    c.identity = u.policies;
    if (u.boundary) c.boundary = u.boundary;
    // Long-term keys carry no MFA key; GetSessionToken sessions say false, or true with a device.
    c.domains = {
      'aws:multifactorauthpresent': u.mfaEnabled ? [undefined, 'false', 'true'] : [undefined, 'false'],
      'aws:multifactorauthage': u.mfaEnabled ? [undefined, '0'] : [undefined],
    };
    return { node: this.node({ id: u.arn, kind: 'user', label: u.arn, account: u.accountId, external: false }), candidate: c };
  }

  private roleCaller(r: InventoryRole, session?: string): Caller | undefined {
    const c = roleSessionCandidate(r.arn, r.id, session);
    if (!c) return undefined;
    c.fixed = { ...c.fixed, ...tagContext(r.tags) };
    c.identity = r.policies;
    if (r.boundary) c.boundary = r.boundary;
    // A role session says MFA only when an MFA code was presented when it was made (or on this
    // call): possible where the account has an enabled MFA device.
    const mfa = this.mfaAccounts.has(r.accountId);
    c.domains = { 'aws:multifactorauthpresent': mfa ? ['false', 'true'] : ['false'], 'aws:multifactorauthage': mfa ? [undefined, '0'] : [undefined] };
    return { node: this.node({ id: r.arn, kind: 'role', label: r.arn, account: r.accountId, external: false }), candidate: c };
  }

  /** The callers a role's trust policy could let in. */
  private callersOf(ri: RoleInfo): Caller[] {
    const out: Caller[] = [];
    const r = ri.role;
    const seen = new Set<string>();
    const consider = (entity: InventoryUser | InventoryRole | undefined) => {
      if (!entity || seen.has(entity.arn)) return;
      seen.add(entity.arn);
      const caller = this.entityCaller(entity);
      if (!caller) return;
      const named = ri.arns.has(entity.arn) || ri.ids.has(entity.id);
      // Not named, and not let in by "*" in its own account (a grant that needs no identity
      // policy): only its own policies can let it in, and they allow no sts:AssumeRole at all.
      if (!named && !(ri.any && entity.accountId === ri.role.accountId) && !this.assumeCapable(caller.candidate)) return;
      out.push({ node: caller.node, candidate: caller.candidate, named });
    };
    if (ri.any) for (const e of [...this.inv.users, ...this.inv.roles]) consider(e);
    for (const a of ri.accounts) for (const e of this.entitiesOf(a)) consider(e);
    for (const a of ri.arns) consider(this.users.get(a) ?? this.roles.get(a));
    for (const i of ri.ids) consider(this.byId.get(i));
    // Specific role sessions named in the trust policy.
    for (const arn of ri.arns) {
      const ref = classifyAwsPrincipal(arn);
      if (ref?.t !== 'session') continue;
      const [, acct, rest] = /^arn:[^:]+:sts::(\d{12}):assumed-role\/(.+)$/.exec(arn) ?? [];
      const [roleName, session] = (rest ?? '').split('/');
      const x = this.inv.roles.find((y) => y.accountId === acct && y.name === roleName);
      if (x && session) {
        const caller = this.roleCaller(x, session);
        if (caller) out.push({ ...caller, named: true });
      }
    }
    // Principals outside the inventory.
    for (const acct of ri.accounts) {
      if (this.accounts.has(acct)) continue;
      const node = this.node({ id: `account:${acct}`, kind: 'account', label: `account ${acct}`, account: acct, external: true });
      for (const c of accountMembers(acct)) out.push({ node, candidate: asOutsider(c, OUTSIDER_ORG) });
    }
    for (const arn of ri.arns) {
      const acct = arn.split(':')[4] as string;
      if (this.accounts.has(acct)) continue;
      const c = candidateForArn(arn);
      if (c) out.push({ node: this.node({ id: arn, kind: c.principal.type === 'User' ? 'user' : 'role', label: arn, account: acct, external: true }), candidate: asOutsider(c, OUTSIDER_ORG), named: true });
    }
    if (ri.any) {
      const outsider = [OUTSIDER_ACCOUNT, '888888888888'].find((a) => !this.accounts.has(a)) ?? '777777777777';
      const node = this.node({ id: 'anyone', kind: 'anyone', label: 'anyone (any AWS account)', external: true });
      for (const c of accountMembers(outsider, 'rolecall-outsider')) out.push({ node, candidate: asOutsider(c, OUTSIDER_ORG) });
    }
    for (const s of ri.services) out.push({ node: this.node({ id: `service:${s}`, kind: 'service', label: s, external: true }), candidate: { ...serviceCandidate(s), domains: { 'aws:sourceaccount': [r.accountId, undefined] } } });
    for (const f of ri.federated) {
      const info = classifyFederated(f);
      if (info.kind === 'invalid') continue;
      out.push({ node: this.node({ id: `federated:${f}`, kind: 'federated', label: f, external: true }), candidate: webIdentityCandidate(f, info.kind === 'saml') });
    }
    return out;
  }

  // ------------------------------------------------------------------ edges

  private compiled(np: NamedPolicy): CompiledPolicy | undefined {
    const p = np.policy as object;
    let c = this.compiledIdentity.get(p);
    if (!c) {
      const m = modelOf(np) ?? (() => {
        const r = parsePolicy(np.policy as string | object, { type: 'identity' });
        return r.ok ? r.policy : undefined;
      })();
      if (!m) return undefined;
      c = compilePolicy(m, 'identity');
      this.compiledIdentity.set(p, c);
    }
    return c;
  }

  private readonly capable = new WeakMap<Candidate, boolean>();
  /** Whether any identity statement of the caller allows sts:AssumeRole on some resource. */
  private assumeCapable(c: Candidate): boolean {
    let v = this.capable.get(c);
    if (v === undefined) {
      v = !c.identity || c.identity.some((np) => this.compiled(np)?.allow.some((s) => s.action('sts:assumerole')) ?? false);
      this.capable.set(c, v);
    }
    return v;
  }

  /** False when no identity statement can allow sts:AssumeRole on the role (conditions aside). */
  private identityMayAssume(c: Candidate, roleArn: string): boolean {
    const nullEnv = { get: () => undefined, single: () => undefined, missing: () => {} };
    for (const np of c.identity ?? []) {
      const cp = this.compiled(np);
      if (!cp) continue;
      for (const s of cp.allow) {
        if (!s.action('sts:assumerole')) continue;
        const res = s.source.Resource ?? s.source.NotResource ?? [];
        if (!s.resource || res.some((x) => x.includes('${')) || s.resource(roleArn, nullEnv)) return true;
      }
    }
    return false;
  }

  private policySet(ri: RoleInfo, c: Candidate): PolicySet {
    const set: PolicySet = { resource: { id: `${ri.role.arn}#trust`, policy: ri.trust! }, identity: c.identity ?? [ALLOW_ALL] };
    if (c.boundary) set.boundary = c.boundary;
    return set;
  }

  private allowed(ri: RoleInfo, c: Candidate, action: string, context: Record<string, ContextValue>): { ok: boolean; statement: number } {
    const r = evaluate({ principal: c.principal, action, resource: ri.role.arn, resourceAccount: ri.role.accountId, context }, this.policySet(ri, c), { resourceType: 'trust' });
    const m = r.decision === 'allowed' ? r.matched.find((t) => t.policyKind === 'resource') : undefined;
    return { ok: !!m, statement: m?.index ?? -1 };
  }

  private edge(ri: RoleInfo, caller: Caller): AssumeEdge | undefined {
    let perRole = this.edgeCache.get(ri.role.arn);
    if (!perRole) this.edgeCache.set(ri.role.arn, (perRole = new Map()));
    const key = caller.candidate.principal.arn ?? caller.node.id;
    const cached = perRole.get(key);
    if (cached !== undefined) return cached ?? undefined;
    // Principals the decision cannot tell apart share it: same account and kind, same policy
    // objects, same MFA possibilities, not named, and no policy reading who exactly they are.
    const cls = this.classKey(ri, caller);
    const shared = cls !== undefined ? this.classCache.get(cls) : undefined;
    let e: AssumeEdge | undefined;
    if (shared !== undefined) e = shared === null ? undefined : { ...shared, from: caller.node.id };
    else {
      e = this.decideEdge(ri, caller);
      if (cls !== undefined) this.classCache.set(cls, e ?? null);
    }
    perRole.set(key, e ?? null);
    return e;
  }

  private readonly classCache = new Map<string, AssumeEdge | null>();
  private readonly policyIds = new WeakMap<object, number>();
  private policyCounter = 0;
  private readonly personalPolicies = new WeakMap<object, boolean>();

  private readonly callerKeys = new WeakMap<Candidate, string | null>();

  private classKey(ri: RoleInfo, caller: Caller): string | undefined {
    const c = caller.candidate;
    const p = c.principal;
    if (caller.named || ri.personal || this.opts.shareDecisions === false) return undefined;
    if (ri.mentioned.has(p.arn ?? '') || ri.mentioned.has(p.roleArn ?? '') || ri.mentioned.has(p.id ?? '') || ri.mentioned.has(p.roleId ?? '')) return undefined;
    let k = this.callerKeys.get(c);
    if (k === undefined) {
      k = this.callerClass(c) ?? null;
      this.callerKeys.set(c, k);
    }
    return k === null ? undefined : `${ri.role.arn}\u0000${k}`;
  }

  /** What the decision can see of a caller when no policy names it or reads who exactly it is. */
  private callerClass(c: Candidate): string | undefined {
    const p = c.principal;
    if ((p.type !== 'User' && p.type !== 'AssumedRole') || !c.identity) return undefined;
    const ids: number[] = [];
    for (const np of [...c.identity, ...(c.boundary ? [c.boundary] : [])]) {
      const obj = np.policy as object;
      let personal = this.personalPolicies.get(obj);
      if (personal === undefined) {
        const m = modelOf(np);
        personal = m ? readsPersonal(m) : true;
        this.personalPolicies.set(obj, personal);
      }
      if (personal) return undefined;
      let id = this.policyIds.get(obj);
      if (id === undefined) this.policyIds.set(obj, (id = ++this.policyCounter));
      ids.push(id);
    }
    if (c.boundary) ids.push(-1);
    return `${p.type}\u0000${p.account}\u0000${ids.join(',')}\u0000${JSON.stringify(c.domains ?? {})}`;
  }

  private decideEdge(ri: RoleInfo, caller: Caller): AssumeEdge | undefined {
    if (!ri.trust) return undefined;
    const c = caller.candidate;
    const acct = c.principal.account;
    const cross = acct !== undefined && acct !== ri.role.accountId;
    const iam = c.principal.type === 'User' || c.principal.type === 'AssumedRole';
    // The identity side matters across accounts, and in the account when only an account
    // principal names the caller ("*" and the caller's own ARN grant on their own).
    if (iam && c.identity && (cross || (!caller.named && !ri.any)) && !this.identityMayAssume(c, ri.role.arn)) return undefined;
    const action = c.actions[0] ?? ASSUME;
    // No trust statement for this caller and action: nothing to search.
    const grants = ri.trust.allow.filter((s) => s.action(action.toLowerCase()) && principalApplies(s, c.principal));
    if (!grants.length) return undefined;
    // Fast path: who the caller is suffices.
    const quick = this.allowed(ri, c, action, c.fixed);
    let hit: Pick<Hit, 'context' | 'statement' | 'chosen'> | undefined = quick.ok ? { context: c.fixed, statement: quick.statement, chosen: new Map() } : undefined;
    if (!hit) {
      const universe = new Universe(OUTSIDER_ACCOUNT).add(ri.trust.policy);
      for (const np of [...(c.identity ?? []), ...(c.boundary ? [c.boundary] : [])]) {
        const m = modelOf(np) ?? this.compiled(np)?.policy;
        if (m) universe.add(m);
      }
      hit = new WitnessSearch(universe).find({ target: { policy: ri.trust, kind: 'resource', resourceType: 'trust', resource: ri.role.arn, resourceAccount: ri.role.accountId }, candidates: [c], budget: this.budget });
    }
    if (!hit) return undefined;
    // The keys this request needs: those whose removal makes the engine deny.
    const conditions: EdgeCondition[] = [];
    for (const [lower, v] of hit.chosen) {
      if (v === undefined) continue;
      const without: Record<string, ContextValue> = {};
      for (const [k, val] of Object.entries(hit.context)) if (k.toLowerCase() !== lower) without[k] = val;
      if (lower === 'aws:multifactorauthpresent') for (const k of Object.keys(without)) if (k.toLowerCase() === 'aws:multifactorauthage') delete without[k];
      if (!this.allowed(ri, c, action, without).ok) {
        const name = Object.keys(hit.context).find((k) => k.toLowerCase() === lower) ?? lower;
        const cond: EdgeCondition = { key: name, value: v, kind: conditionKind(lower) };
        const tests = (ri.trust?.policy.Statement[hit.statement]?.Condition ?? []).filter((t) => t.key.toLowerCase() === lower);
        if (tests.length === 1) cond.test = { operator: tests[0]!.operator, values: tests[0]!.values };
        conditions.push(cond);
      }
    }
    return { from: caller.node.id, to: ri.role.arn, action, crossAccount: cross, statement: hit.statement, conditions };
  }

  /** Every edge into a role. */
  edgesInto(role: InventoryRole): AssumeEdge[] {
    const ri = this.roleInfo(role);
    const out: AssumeEdge[] = [];
    const seen = new Set<string>();
    for (const caller of this.callersOf(ri)) {
      if (seen.has(caller.node.id)) continue;
      const e = this.edge(ri, caller);
      if (e) {
        seen.add(caller.node.id);
        out.push(e);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ questions

  /** Who can assume `roleArn`, directly or through chains of roles. */
  whoCanAssume(roleArn: string): AssumeAnswer {
    const target = this.roles.get(roleArn);
    if (!target) throw new Error(`no role ${roleArn} in the inventory`);
    const subject = this.node({ id: target.arn, kind: 'role', label: target.arn, account: target.accountId, external: false });
    const maxDepth = this.opts.maxDepth ?? 8;
    const dist = new Map<string, number>([[target.arn, 0]]);
    const edges: AssumeEdge[] = [];
    const queue: InventoryRole[] = [target];
    while (queue.length) {
      const r = queue.shift() as InventoryRole;
      const d = dist.get(r.arn) as number;
      for (const e of this.edgesInto(r)) {
        edges.push(e);
        if (!dist.has(e.from)) {
          dist.set(e.from, d + 1);
          const next = this.roles.get(e.from);
          if (next && d + 1 < maxDepth) queue.push(next);
        }
      }
    }
    const results: Assumer[] = [];
    const index = AssumeGraph.index(edges, true);
    for (const [id, d] of dist) {
      if (id === target.arn) continue;
      const paths = this.paths(id, target.arn, dist, index, true);
      if (!paths.length) continue;
      results.push({ node: this.nodes.get(id) as AssumeNode, distance: d, paths, crossAccount: paths.some((p) => p.crossAccount) });
    }
    return this.answer('who', subject, results, edges);
  }

  /** The roles `principalArn` (a user, a role or one of its sessions, or a service principal) can assume, directly or by chaining. */
  whatCanAssume(principal: string): AssumeAnswer {
    const start = this.startCaller(principal);
    if (!start) throw new Error(`${principal} is not a user, role, role session or service principal`);
    const maxDepth = this.opts.maxDepth ?? 8;
    const dist = new Map<string, number>([[start.node.id, 0]]);
    const edges: AssumeEdge[] = [];
    const queue: Caller[] = [start];
    while (queue.length) {
      const caller = queue.shift() as Caller;
      const d = dist.get(caller.node.id) as number;
      for (const ri of this.rolesNaming(caller)) {
        const role = ri.role;
        const e = this.edge(ri, { ...caller, named: this.names(ri, caller) });
        if (!e) continue;
        edges.push(e);
        if (!dist.has(role.arn)) {
          dist.set(role.arn, d + 1);
          this.node({ id: role.arn, kind: 'role', label: role.arn, account: role.accountId, external: false });
          const next = this.entityCaller(role);
          if (next && d + 1 < maxDepth) queue.push(next);
        }
      }
    }
    const results: Assumer[] = [];
    const index = AssumeGraph.index(edges, false);
    for (const [id, d] of dist) {
      if (id === start.node.id) continue;
      const paths = this.paths(start.node.id, id, dist, index, false);
      if (!paths.length) continue;
      results.push({ node: this.nodes.get(id) as AssumeNode, distance: d, paths, crossAccount: paths.some((p) => p.crossAccount) });
    }
    return this.answer('what', start.node, results, edges);
  }

  private startCaller(p: string): Caller | undefined {
    const user = this.users.get(p);
    if (user) return this.userCaller(user);
    const role = this.roles.get(p);
    if (role) return this.roleCaller(role);
    const m = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(p);
    if (m) {
      const r = this.inv.roles.find((x) => x.accountId === m[1] && x.name === m[2]);
      if (r) return this.roleCaller(r, m[3]);
    }
    if (!p.startsWith('arn:') && /\.amazonaws\.com(\.cn)?$/.test(p)) return { node: this.node({ id: `service:${p}`, kind: 'service', label: p, external: true }), candidate: serviceCandidate(p) };
    const c = candidateForArn(p);
    if (c) return { node: this.node({ id: p, kind: c.principal.type === 'User' ? 'user' : 'role', label: p, account: c.principal.account as string, external: true }), candidate: asOutsider(c, OUTSIDER_ORG) };
    return undefined;
  }

  private tokenIndex: Map<string, RoleInfo[]> | undefined;

  /** Roles whose trust policy could name the caller (by ARN, unique id, account, service, provider, or "*"). */
  private rolesNaming(caller: Caller): RoleInfo[] {
    if (!this.tokenIndex) {
      const idx = new Map<string, RoleInfo[]>();
      const put = (k: string, ri: RoleInfo) => {
        let l = idx.get(k);
        if (!l) idx.set(k, (l = []));
        if (l[l.length - 1] !== ri) l.push(ri);
      };
      for (const role of this.inv.roles) {
        const ri = this.roleInfo(role);
        if (ri.any) put('*', ri);
        for (const a of ri.arns) put(a, ri);
        for (const i of ri.ids) put(i, ri);
        for (const a of ri.accounts) put(`account:${a}`, ri);
        for (const sv of ri.services) put(`service:${sv}`, ri);
        for (const f of ri.federated) put(`federated:${f}`, ri);
      }
      this.tokenIndex = idx;
    }
    const p = caller.candidate.principal;
    const keys = ['*'];
    if (p.type === 'Service') keys.push(`service:${p.service}`);
    else if (p.type === 'WebIdentity') keys.push(`federated:${p.provider}`);
    else for (const k of [p.arn, p.roleArn, p.id, p.roleId, p.account ? `account:${p.account}` : undefined]) if (k) keys.push(k);
    const seen = new Set<RoleInfo>();
    const out: RoleInfo[] = [];
    for (const k of keys) for (const ri of this.tokenIndex.get(k) ?? []) if (!seen.has(ri)) {
      seen.add(ri);
      out.push(ri);
    }
    return out;
  }

  /** Whether the role's trust policy names the caller specifically (by ARN or unique id). */
  private names(ri: RoleInfo, caller: Caller): boolean {
    const p = caller.candidate.principal;
    return ri.arns.has(p.arn ?? '') || (p.roleArn !== undefined && ri.arns.has(p.roleArn)) || (p.id !== undefined && ri.ids.has(p.id)) || (p.roleId !== undefined && ri.ids.has(p.roleId));
  }

  /**
   * Shortest paths from `start` to `end` along the distances: `dist` is the distance to `end`
   * (who) or from `start` (what). Walks from the end of known distance toward the other, so only
   * paths between the two are explored.
   */
  private paths(start: string, end: string, dist: Map<string, number>, index: Map<string, AssumeEdge[]>, towardTarget: boolean): AssumePath[] {
    const max = this.opts.maxPaths ?? 3;
    const out: AssumePath[] = [];
    const from = towardTarget ? start : end;
    const goal = towardTarget ? end : start;
    const walk = (node: string, nodes: string[], hops: AssumeEdge[]) => {
      if (out.length >= max) return;
      if (node === goal && hops.length) {
        const ordered = towardTarget ? hops : [...hops].reverse();
        out.push({ nodes: towardTarget ? nodes : [...nodes].reverse(), edges: ordered, crossAccount: ordered.some((e) => e.crossAccount), chained: ordered.length > 1 });
        return;
      }
      const dn = dist.get(node) as number;
      for (const e of index.get(node) ?? []) {
        const next = towardTarget ? e.to : e.from;
        if (dist.get(next) !== dn - 1 || nodes.includes(next)) continue;
        walk(next, [...nodes, next], [...hops, e]);
      }
    };
    walk(from, [from], []);
    return out;
  }

  /** Edges by the node a path walk leaves from: who walks forward from assumers, what backward from roles. */
  private static index(edges: AssumeEdge[], towardTarget: boolean): Map<string, AssumeEdge[]> {
    const index = new Map<string, AssumeEdge[]>();
    for (const e of edges) {
      const k = towardTarget ? e.from : e.to;
      let l = index.get(k);
      if (!l) index.set(k, (l = []));
      l.push(e);
    }
    return index;
  }

  private answer(direction: 'who' | 'what', subject: AssumeNode, results: Assumer[], edges: AssumeEdge[]): AssumeAnswer {
    const order: Record<NodeKind, number> = { anyone: 0, account: 1, federated: 2, service: 3, user: 4, role: 5 };
    results.sort((a, b) => a.distance - b.distance || order[a.node.kind] - order[b.node.kind] || a.node.label.localeCompare(b.node.label));
    const used = new Set<string>([subject.id]);
    for (const e of edges) {
      used.add(e.from);
      used.add(e.to);
    }
    return { direction, subject, results, nodes: [...used].map((id) => this.nodes.get(id) ?? { id, kind: 'role', label: id, external: false }), edges, notes: [...new Set(this.notes)] };
  }
}

export function whoCanAssume(inv: Inventory, roleArn: string, opts?: GraphOptions): AssumeAnswer {
  return new AssumeGraph(inv, opts).whoCanAssume(roleArn);
}

export function whatCanAssume(inv: Inventory, principal: string, opts?: GraphOptions): AssumeAnswer {
  return new AssumeGraph(inv, opts).whatCanAssume(principal);
}
