/**
 * CONDITION_OPERATOR_PITFALL: conditions that do not mean what they look like
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
 * `*` under a non-Like string operator (a literal star), ForAllValues on a single-valued key (true
 * when the key is absent), a set qualifier on Null, a negated operator in an Allow on a key that
 * can be absent (absent passes), `...IfExists` in an Allow on a key that says who is calling
 * (callers without the key pass). The last three are reported only when the engine lets a request
 * through that way; the request is the witness.
 */
import { parseOperator, type ConditionClause, type Statement } from '../../policy/index.js';
import { describeWitness, type Analysis } from '../analysis.js';
import { alwaysPresent, isIdentityKey, isMfaKey, isMultiValued } from '../keys.js';
import { userCandidate, type Candidate } from '../principals.js';
import type { Hit } from '../search.js';
import type { Finding, Severity, Witness } from '../types.js';
import { instantiateArn } from '../values.js';
import { statementCandidates } from './callers.js';

/** `*` or `?` outside the `${*}` / `${?}` escapes. */
function hasBareWildcard(v: string): boolean {
  return /[*?]/.test(v.replace(/\$\{[*?$]\}/g, ''));
}

function identityRequest(a: Analysis, st: Statement): { action: string; resource: string } {
  const act = (st.Action ?? ['rolecall:AnyAction'])[0] as string;
  const action = act === '*' ? 'rolecall:AnyAction' : act.replace(/\*/g, 'Rolecall').replace(/\?/g, 'X');
  const r = (st.Resource ?? ['*'])[0] as string;
  const resource = r === '*' || r.includes('${') ? '*' : /[*?]/.test(r) ? instantiateArn(r, a.owner ?? a.outsider, ['rolecall-x'])[0] ?? '*' : r;
  return { action, resource };
}

/** A request allowed by `st` with `key` absent from the context. */
function absentWitness(a: Analysis, st: Statement, key: string): Hit | undefined {
  const lower = key.toLowerCase();
  const domains = { [lower]: [undefined] };
  if (a.type === 'trust' || a.type === 'resource') {
    const candidates: Candidate[] = statementCandidates(a, st);
    if (!candidates.length) return undefined;
    return a.find({ candidates, grant: (s) => s.source.index === st.index, domains });
  }
  const holder = userCandidate(`arn:aws:iam::${a.owner ?? '000000000000'}:user/rolecall-policy-holder`);
  if (!holder) return undefined;
  const { action, resource } = identityRequest(a, st);
  return a.find({ target: { policy: a.compiled, kind: 'identity', resource }, candidates: [holder], actions: [action], grant: (s) => s.source.index === st.index, domains });
}

export function checkConditionPitfalls(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of a.statements()) {
    for (const c of st.Condition ?? []) {
      const f = clausePitfall(a, st, c);
      if (f) out.push(f);
    }
  }
  return out;
}

function clausePitfall(a: Analysis, st: Statement, c: ConditionClause): Finding | undefined {
  const op = parseOperator(c.operator);
  if (!op) return undefined;
  const lower = c.key.toLowerCase();
  const path = a.conditionPath(st.index, c.operator, c.key);
  const report = (message: string, severity: Severity, witness?: Witness) => a.finding('CONDITION_OPERATOR_PITFALL', message, [path], { severity, ...(witness ? { witness } : {}) });

  if (op.name === 'Null' && op.qualifier) {
    return report(`${c.operator} on ${c.key}: Null tests whether the key is present; the ${op.qualifier} qualifier adds nothing and makes the condition harder to read. Use plain "Null".`, 'SUGGESTION');
  }
  const nonLikeString = op.info && /^String(Not)?Equals(IgnoreCase)?$/.test(op.name);
  if (nonLikeString) {
    const j = c.values.findIndex(hasBareWildcard);
    if (j >= 0) {
      const like = op.name.includes('Not') ? 'StringNotLike' : 'StringLike';
      return a.finding(
        'CONDITION_OPERATOR_PITFALL',
        `${c.operator} compares "${c.values[j]}" literally: * and ? are wildcards only under ${like} (and Arn operators). Use ${op.qualifier ? `${op.qualifier}:` : ''}${like}${op.ifExists ? 'IfExists' : ''} if a pattern is meant.`,
        [a.locator.has([...path, { index: j }]) ? [...path, { index: j }] : path],
      );
    }
  }
  if (op.qualifier === 'ForAllValues' && !isMultiValued(lower)) {
    if (st.Effect !== 'Allow') {
      return report(`ForAllValues on ${c.key}, a single-valued key: set operators are for multivalued keys (aws:TagKeys, ...). Use the plain operator.`, 'WARNING');
    }
    const hit = absentWitness(a, st, c.key);
    const w = hit && a.witness(hit);
    return report(
      `ForAllValues on ${c.key}, a single-valued key, is true when the key is absent, so this Allow lets requests without it through${w ? `: for example ${describeWitness(w, [c.key])}` : ''}. Use the plain operator (or add "Null": {"${c.key}": "false"}).`,
      w ? 'SECURITY_WARNING' : 'WARNING',
      w,
    );
  }
  if (st.Effect !== 'Allow' || isMfaKey(lower)) return undefined; // MFA conditions: MFA_CONDITION_BYPASSABLE
  if (op.ifExists && isIdentityKey(lower)) {
    const hit = absentWitness(a, st, c.key);
    if (hit) {
      const w = a.witness(hit);
      return report(
        `${c.operator} on ${c.key} in an Allow lets callers that do not carry ${c.key} through: for example ${describeWitness(w, [c.key])}. Drop IfExists so the key must be present.`,
        'SECURITY_WARNING',
        w,
      );
    }
  }
  if (op.info?.negated && !alwaysPresent(lower)) {
    const hit = absentWitness(a, st, c.key);
    if (hit) {
      const w = a.witness(hit);
      return report(
        `${c.operator} on ${c.key} in an Allow holds when the request has no ${c.key} at all (a negated operator is true for a missing key): for example ${describeWitness(w, [c.key])}. Add "Null": {"${c.key}": "false"} or state what is allowed with a positive operator.`,
        'WARNING',
        w,
      );
    }
  }
  return undefined;
}
