/**
 * A small IAM → Cedar translator for the subset of identity policies where the two languages
 * decide alike, used by the differential test (test/differential-cedar.test.ts). Same approach as
 * the performance anchors' translator (/work/shared/anchors/workloads.mjs):
 *
 * - the request's action (lower-cased) and resource ARN travel as `context.action` and
 *   `context.resource` strings; IAM `*` wildcards become Cedar `like` patterns. IAM action
 *   matching is case-insensitive, so actions and action patterns are lower-cased on both sides.
 * - Resource wildcards are only accepted in the resource segment (after the fifth colon), where
 *   IAM's `*` spans every character, `/` and `:` included, exactly like Cedar's `like`.
 * - condition keys are lower-cased (IAM key names are case-insensitive) and read as
 *   `context["key"]`, guarded by `has` so that a missing key never raises a Cedar error:
 *   positive operators are false and negated ones (StringNotEquals, NotIpAddress) true when the
 *   key is absent, as in IAM.
 * - each key has one type: strings, IP addresses (Cedar `ipaddr` values) or booleans.
 *
 * Outside the subset (`?`, policy variables, NotPrincipal, other operators, set qualifiers,
 * IfExists, multivalued keys) the translator throws rather than approximate.
 */
import type { CedarValueJson, Context } from '@cedar-policy/cedar-wasm/nodejs';

export type KeyType = 'string' | 'ip' | 'bool';

export interface SubsetStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface SubsetPolicy {
  Version?: string;
  Statement: SubsetStatement | SubsetStatement[];
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** A Cedar string literal (printable ASCII only, so the escaping below is complete). */
function str(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new Error(`translator subset: non-ASCII text ${JSON.stringify(s)}`);
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A Cedar `like` pattern: IAM `*` stays a wildcard; IAM text has no literal `*` (that needs `${*}`). */
function pattern(s: string): string {
  if (s.includes('?')) throw new Error(`translator subset: '?' has no Cedar equivalent (${s})`);
  if (s.includes('${')) throw new Error(`translator subset: policy variables are not translated (${s})`);
  return str(s);
}

function resourceOk(r: string): void {
  if (r === '*' || !r.includes('*')) return;
  const parts = r.split(':');
  if (parts.length < 6 || parts.slice(0, 5).some((p) => p.includes('*'))) {
    throw new Error(`translator subset: resource wildcards only after the fifth colon (${r})`);
  }
}

/** Cedar expression: does `field` match any of the IAM patterns? */
function matchAny(field: string, patterns: string[], lower: boolean): string {
  const ps = patterns.map((p) => (lower ? p.toLowerCase() : p));
  if (ps.includes('*')) return 'true';
  return `(${ps.map((p) => (p.includes('*') ? `${field} like ${pattern(p)}` : `${field} == ${str(p)}`)).join(' || ')})`;
}

const OPERATOR_TYPE: Record<string, KeyType> = {
  StringEquals: 'string',
  StringNotEquals: 'string',
  StringLike: 'string',
  IpAddress: 'ip',
  NotIpAddress: 'ip',
  Bool: 'bool',
};

function conditionToCedar(op: string, rawKey: string, values: string[], keyTypes: Record<string, KeyType>): string {
  const key = rawKey.toLowerCase();
  const type = OPERATOR_TYPE[op];
  if (!type) throw new Error(`translator subset: operator ${op} is not translated`);
  if (keyTypes[key] !== type) throw new Error(`translator subset: ${op} on key ${rawKey} of type ${keyTypes[key] ?? 'unknown'}`);
  const ref = `context[${str(key)}]`;
  const has = `context has ${str(key)}`;
  const any = (f: (v: string) => string) => `(${values.map(f).join(' || ')})`;
  switch (op) {
    case 'StringEquals':
      return `(${has} && ${any((v) => `${ref} == ${str(v)}`)})`;
    case 'StringNotEquals':
      return `(!(${has}) || !${any((v) => `${ref} == ${str(v)}`)})`;
    case 'StringLike':
      return `(${has} && ${any((v) => `${ref} like ${pattern(v)}`)})`;
    case 'IpAddress':
      return `(${has} && ${any((v) => `${ref}.isInRange(ip(${str(v)}))`)})`;
    case 'NotIpAddress':
      return `(!(${has}) || !${any((v) => `${ref}.isInRange(ip(${str(v)}))`)})`;
    case 'Bool': {
      const bools = values.map((v) => {
        const l = v.toLowerCase();
        if (l !== 'true' && l !== 'false') throw new Error(`translator subset: Bool value ${v}`);
        return l;
      });
      return `(${has} && (${bools.map((b) => `${ref} == ${b}`).join(' || ')}))`;
    }
    default:
      throw new Error(`unreachable: ${op}`);
  }
}

export function statementToCedar(st: SubsetStatement, id: string, keyTypes: Record<string, KeyType>): string {
  const clauses: string[] = [];
  const actions = st.Action ?? st.NotAction;
  const resources = st.Resource ?? st.NotResource;
  if (!actions || !resources) throw new Error('translator subset: identity statements need Action/NotAction and Resource/NotResource');
  const a = matchAny('context.action', list(actions), true);
  clauses.push(st.NotAction ? `!${a}` : a);
  list(resources).forEach(resourceOk);
  const r = matchAny('context.resource', list(resources), false);
  clauses.push(st.NotResource ? `!${r}` : r);
  for (const [op, block] of Object.entries(st.Condition ?? {})) {
    for (const [key, vals] of Object.entries(block)) clauses.push(conditionToCedar(op, key, list(vals), keyTypes));
  }
  const effect = st.Effect === 'Allow' ? 'permit' : 'forbid';
  return `@id(${str(id)})\n${effect} (principal, action, resource)\nwhen { ${clauses.join(' && ')} };`;
}

export function policyToCedar(policy: SubsetPolicy, idPrefix: string, keyTypes: Record<string, KeyType>): string {
  return list(policy.Statement)
    .map((st, i) => statementToCedar(st, `${idPrefix}/${st.Sid ?? i}`, keyTypes))
    .join('\n');
}

/** The Cedar context for an IAM request (single-valued string context values). */
export function cedarContext(action: string, resource: string, context: Record<string, string>, keyTypes: Record<string, KeyType>): Context {
  const out: Record<string, CedarValueJson> = { action: action.toLowerCase(), resource };
  for (const [k0, v] of Object.entries(context)) {
    const k = k0.toLowerCase();
    if (k in out) throw new Error(`translator subset: key ${k0} given twice`);
    switch (keyTypes[k]) {
      case 'ip':
        out[k] = { __extn: { fn: 'ip', arg: v } };
        break;
      case 'bool':
        if (v !== 'true' && v !== 'false') throw new Error(`translator subset: Bool context value ${v}`);
        out[k] = v === 'true';
        break;
      case 'string':
        str(v);
        out[k] = v;
        break;
      default:
        throw new Error(`translator subset: context key ${k0} has no declared type`);
    }
  }
  return out;
}
