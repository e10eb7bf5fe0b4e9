/**
 * Compile a parsed policy into matchers, once, so evaluation does no parsing: actions lower-cased
 * into a Set plus globs, resources into segment-aware matchers, conditions into closures.
 */
import { compileArnPattern, resolveArnTemplateSource } from './arn.js';
import { compileCondition, type CompiledCondition, type CondEnv } from './conditions/index.js';
import { malformed, MSG } from './diagnostics.js';
import { parsePolicy, type ParseOptions } from './parse.js';
import { compilePrincipal, type CompiledPrincipal } from './principal.js';
import { parseTemplate, type Template } from './variables.js';
import { anyOf, compileGlob, type Matcher } from './wildcard.js';
import type { Diagnostic, Effect, Policy, PolicyType, Statement } from './types.js';

export type ResourceTest = (resource: string, env: CondEnv) => boolean;

export interface CompiledStatement {
  source: Statement;
  effect: Effect;
  /** Tests a lower-cased action; already accounts for NotAction. */
  action: Matcher;
  notAction: boolean;
  /** Tests the resource; already accounts for NotResource. Undefined when the statement has no resource element (trust policies). */
  resource?: ResourceTest;
  notResource: boolean;
  principal?: CompiledPrincipal;
  notPrincipal: boolean;
  conditions: CompiledCondition[];
}

export interface CompiledPolicy {
  readonly compiled: true;
  type: PolicyType;
  policy: Policy;
  /** Deny statements first is not assumed; both lists keep document order. */
  allow: CompiledStatement[];
  deny: CompiledStatement[];
  diagnostics: Diagnostic[];
}

/** Only objects made by compilePolicy count as compiled: the flag alone is not trusted. */
const COMPILED = new WeakSet<object>();
export function isCompiled(p: unknown): p is CompiledPolicy {
  return typeof p === 'object' && p !== null && COMPILED.has(p);
}

function compileActions(patterns: string[]): Matcher {
  return anyOf(patterns.map((p) => p.toLowerCase()), compileGlob);
}

const variableRegexCache = new Map<string, RegExp>();
function cachedRegex(src: string): RegExp {
  let re = variableRegexCache.get(src);
  if (!re) {
    if (variableRegexCache.size > 10_000) variableRegexCache.clear();
    re = new RegExp(`^${src}$`);
    variableRegexCache.set(src, re);
  }
  return re;
}

function compileResources(patterns: string[], variablesOn: boolean): ResourceTest {
  const plain: string[] = [];
  const templates: Template[] = [];
  for (const p of patterns) {
    // Variables are recognised only after the fifth colon (the resource segment).
    let t: Template | undefined;
    if (variablesOn && p.includes('${')) {
      const cut = nthColon(p, 5);
      if (cut >= 0 && p.indexOf('${') > cut) t = parseTemplate(p);
    }
    if (t) templates.push(t);
    else plain.push(p);
  }
  const stat = plain.length ? anyOf(plain, compileArnPattern) : () => false;
  if (!templates.length) return (r) => stat(r);
  return (r, env) => {
    if (stat(r)) return true;
    for (const t of templates) {
      const src = resolveArnTemplateSource(t, env);
      if (src !== undefined && cachedRegex(src).test(r)) return true;
    }
    return false;
  };
}

function nthColon(s: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = s.indexOf(':', at + 1);
    if (at < 0) return -1;
  }
  return at;
}

export function compileStatement(st: Statement, variablesOn: boolean, diagnostics: Diagnostic[]): CompiledStatement {
  const notAction = st.NotAction !== undefined;
  const actionBase = compileActions(st.Action ?? st.NotAction ?? []);
  const notResource = st.NotResource !== undefined;
  const resList = st.Resource ?? st.NotResource;
  const resBase = resList ? compileResources(resList, variablesOn) : undefined;
  const conditions: CompiledCondition[] = [];
  for (const clause of st.Condition ?? []) {
    const c = compileCondition(clause, variablesOn);
    if (c.ok) conditions.push(c.cond);
    else {
      diagnostics.push(malformed(c.error === 'operator' ? MSG.conditionType(clause.operator) : MSG.conditionValue(clause.operator, clause.key, c.detail), `Statement[${st.index}].Condition.${clause.operator}.${clause.key}`, undefined, 'warning'));
      conditions.push({ clause, lowerKey: clause.key.toLowerCase(), test: () => false });
    }
  }
  const out: CompiledStatement = {
    source: st,
    effect: st.Effect,
    action: notAction ? (a) => !actionBase(a) : actionBase,
    notAction,
    notResource,
    notPrincipal: st.NotPrincipal !== undefined,
    conditions,
  };
  if (resBase) out.resource = notResource ? (r, env) => !resBase(r, env) : resBase;
  const pb = st.Principal ?? st.NotPrincipal;
  if (pb) out.principal = compilePrincipal(pb);
  return out;
}

export function compilePolicy(policy: Policy, type: PolicyType = 'identity'): CompiledPolicy {
  const diagnostics: Diagnostic[] = [];
  const variablesOn = policy.Version === '2012-10-17';
  const allow: CompiledStatement[] = [];
  const deny: CompiledStatement[] = [];
  for (const st of policy.Statement) {
    const c = compileStatement(st, variablesOn, diagnostics);
    (c.effect === 'Deny' ? deny : allow).push(c);
  }
  const out: CompiledPolicy = { compiled: true, type, policy, allow, deny, diagnostics };
  COMPILED.add(out);
  return out;
}

/** Parse and compile in one step; the diagnostics say why when it fails. */
export function loadPolicy(doc: string | object, options: ParseOptions = {}):
  | { ok: true; policy: CompiledPolicy; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const r = parsePolicy(doc, options);
  if (!r.ok) return r;
  return { ok: true, policy: compilePolicy(r.policy, options.type ?? 'identity'), warnings: r.warnings };
}
