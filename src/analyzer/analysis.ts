/**
 * One analysis of one policy document: the parsed (and, for grammar errors, repaired) model, its
 * compiled form, who is inside the zone of trust, the witness search, and helpers the checks share
 * to build findings with locations and witnesses.
 */
import { compilePolicy, type CompiledPolicy, type CompiledStatement, type ContextValue, type Policy, type PolicyType, type Statement } from '../policy/index.js';
import { findingSpec, type FindingId } from './findings.js';
import type { Locator } from './locate.js';
import { describePrincipal, type Candidate } from './principals.js';
import { WitnessSearch, type Hit, type Question } from './search.js';
import type { Finding, LintOptions, PathElement, Severity, Witness } from './types.js';
import { Universe } from './values.js';

export const UNKNOWN_OWNER = '000000000000';
const OUTSIDER_ACCOUNTS = ['999999999999', '888888888888', '777777777777', '666666666666', '555555555555'];

export interface AnalysisInput {
  text?: string;
  raw: unknown;
  locator: Locator;
  type: PolicyType;
  policy: Policy;
  /** Statements replaced during repair (they grant and deny nothing). */
  neutralized: Set<number>;
  options: LintOptions;
}

export class Analysis {
  readonly text: string | undefined;
  readonly raw: unknown;
  readonly locator: Locator;
  readonly type: PolicyType;
  readonly policy: Policy;
  readonly compiled: CompiledPolicy;
  readonly neutralized: Set<number>;
  readonly options: LintOptions;
  readonly owner: string | undefined;
  /** The owner and the trusted accounts. */
  readonly zone: Set<string>;
  /** The zone plus every account id written in the document. */
  readonly known: Set<string>;
  readonly outsider: string;
  readonly roleArn: string;
  readonly universe: Universe;
  readonly search: WitnessSearch;
  readonly budget: number;
  readonly totalBudget: number;
  readonly notes: string[] = [];

  constructor(input: AnalysisInput) {
    this.text = input.text;
    this.raw = input.raw;
    this.locator = input.locator;
    this.type = input.type;
    this.policy = input.policy;
    this.neutralized = input.neutralized;
    this.options = input.options;
    this.compiled = compilePolicy(input.policy, input.type === 'trust' ? 'trust' : input.type);
    this.owner = input.options.accountId;
    this.zone = new Set([...(this.owner ? [this.owner] : []), ...(input.options.trustedAccounts ?? [])]);
    this.known = new Set(this.zone);
    const scan = input.text ?? JSON.stringify(input.raw);
    for (const m of scan.matchAll(/(?<!\d)\d{12}(?!\d)/g)) this.known.add(m[0]);
    this.outsider = OUTSIDER_ACCOUNTS.find((a) => !this.known.has(a)) ?? '444444444444';
    this.roleArn = `arn:aws:iam::${this.owner ?? UNKNOWN_OWNER}:role/rolecall-analyzed-role`;
    this.universe = new Universe(this.outsider).add(input.policy);
    this.search = new WitnessSearch(this.universe);
    this.budget = input.options.budget ?? 3000;
    this.totalBudget = this.budget * 10;
  }

  /** Statements that take part (not neutralized by repair). */
  statements(): Statement[] {
    return this.policy.Statement.filter((s) => !this.neutralized.has(s.index));
  }

  compiledStatement(index: number): CompiledStatement | undefined {
    return this.compiled.allow.find((s) => s.source.index === index) ?? this.compiled.deny.find((s) => s.source.index === index);
  }

  stmtPath(index: number): PathElement[] {
    return this.policy.singleStatement ? [{ value: 'Statement' }] : [{ value: 'Statement' }, { index }];
  }

  /** Path to a member of a statement, e.g. (`Principal`, `AWS`) and the value's index when it is in an array. */
  memberPath(index: number, keys: string[], item?: number): PathElement[] {
    const p = [...this.stmtPath(index), ...keys.map((value) => ({ value }))];
    if (item !== undefined) {
      const withIndex = [...p, { index: item }];
      if (this.locator.has(withIndex)) return withIndex;
    }
    return p;
  }

  conditionPath(index: number, operator: string, key: string): PathElement[] {
    return [...this.stmtPath(index), { value: 'Condition' }, { value: operator }, { value: key }];
  }

  /**
   * Ask the engine-backed search, within the per-question budget and what is left of the
   * per-document one (so a pathological document cannot make a lint slow; a note says when the
   * budget ran out, since a check may then have missed a witness).
   */
  find(q: Omit<Question, 'target'> & { target?: Question['target'] }): Hit | undefined {
    const target = q.target ?? { policy: this.compiled, kind: 'resource' as const, resourceType: this.type === 'trust' ? ('trust' as const) : ('resource' as const), resource: this.roleArn, resourceAccount: this.owner ?? UNKNOWN_OWNER };
    const left = this.totalBudget - this.search.evaluations;
    if (left <= 0) {
      this.notes.push(`The semantic search stopped after ${this.totalBudget} evaluations: some condition-dependent checks are incomplete.`);
      return undefined;
    }
    return this.search.find({ ...q, target, budget: Math.min(q.budget ?? this.budget, left) });
  }

  finding(id: FindingId, message: string, paths: PathElement[][], extra: { severity?: Severity; witness?: Witness } = {}): Finding {
    const spec = findingSpec(id);
    const f: Finding = {
      id,
      severity: extra.severity ?? spec.severity,
      message,
      locations: (paths.length ? paths : [[]]).map((p) => this.locator.locate(p)),
      learnMoreLink: spec.learnMoreLink,
    };
    if (extra.witness) f.witness = extra.witness;
    return f;
  }

  /** The witness of a hit: the caller, the action, and every key the policy reads (null = absent). */
  witness(hit: Hit): Witness {
    const p = hit.candidate.principal;
    const context: Record<string, ContextValue | null> = {};
    const lowerCtx = new Map(Object.entries(hit.context).map(([k, v]) => [k.toLowerCase(), v] as const));
    for (const [lower, facts] of this.universe.keys) {
      const v = lowerCtx.get(lower);
      context[facts.name] = v === undefined ? null : v;
    }
    const w: Witness = { principalType: p.type, principal: describePrincipal(p), action: hit.action, statement: hit.statement, context };
    if (p.account) w.account = p.account;
    return w;
  }
}

/** "arn:…:user/x calling sts:AssumeRole with sts:ExternalId absent and aws:SourceIp 10.0.0.1". */
export function describeWitness(w: Witness, keys?: string[]): string {
  const shown = Object.entries(w.context).filter(([k]) => !keys || keys.some((x) => x.toLowerCase() === k.toLowerCase()));
  const parts = shown.map(([k, v]) => (v === null ? `${k} absent` : `${k} = ${JSON.stringify(v)}`));
  return `${w.principal} calling ${w.action}${parts.length ? ` with ${parts.join(', ')}` : ''}`;
}

/** The condition keys a statement reads (as written). */
export function statementKeys(st: Statement): string[] {
  return [...new Set((st.Condition ?? []).map((c) => c.key))];
}

export type { Candidate };
