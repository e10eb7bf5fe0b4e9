/**
 * Structural findings: deleted principals left as unique ids, redundant principals and statements
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles),
 * trust statements whose wildcard actions grant more than assuming
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html), Allow with NotPrincipal
 * in resource policies, and the trust policy size quota
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
import { classifyAwsPrincipal, parseOperator, policySize, type ConditionClause, type Statement } from '../../policy/index.js';
import type { Analysis } from '../analysis.js';
import { classifyFederated } from '../keys.js';
import type { Finding } from '../types.js';

const UNIQUE_PREFIXES: Record<string, string> = { AIDA: 'IAM user', AROA: 'IAM role', AGPA: 'group', ANPA: 'managed policy' };

export function checkOrphanedAndRedundant(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of a.statements()) {
    if (st.Principal?.kind !== 'map') continue;
    const values = st.Principal.AWS ?? [];
    const seen = new Map<string, number>();
    values.forEach((v, j) => {
      const path = a.memberPath(st.index, ['Principal', 'AWS'], j);
      const ref = classifyAwsPrincipal(v);
      if (ref?.t === 'unique-id') {
        const what = UNIQUE_PREFIXES[v.slice(0, 4)] ?? 'principal';
        out.push(
          a.finding(
            'ORPHANED_OR_REDUNDANT_PRINCIPAL',
            `"${v}" is a unique id, not an ARN: IAM shows it when the ${what} this trust named was deleted. It matches nobody (a re-created ${what} with the same name gets a new id), so this trust is silently broken. Remove it, or name the current principal by ARN.`,
            [path],
          ),
        );
      }
      const prev = seen.get(v);
      if (prev !== undefined) out.push(a.finding('ORPHANED_OR_REDUNDANT_PRINCIPAL', `"${v}" is listed twice in statement ${st.index}.`, [path], { severity: 'SUGGESTION' }));
      else seen.set(v, j);
      if (ref?.t === 'session') {
        const [, , , , acct, res] = v.split(':');
        const roleName = (res ?? '').split('/')[1];
        const role = values.find((x) => {
          const r = classifyAwsPrincipal(x);
          return r?.t === 'role' && x.split(':')[4] === acct && x.endsWith(`/${roleName}`);
        });
        if (role) {
          out.push(
            a.finding('ORPHANED_OR_REDUNDANT_PRINCIPAL', `The session "${v}" is redundant in statement ${st.index}: the same statement names its role "${role}", which covers every session of it.`, [path], { severity: 'SUGGESTION' }),
          );
        }
      }
    });
    (st.Principal.Service ?? []).forEach((v, j) => {
      if ((st.Principal as { Service: string[] }).Service.indexOf(v) !== j) out.push(a.finding('ORPHANED_OR_REDUNDANT_PRINCIPAL', `"${v}" is listed twice in statement ${st.index}.`, [a.memberPath(st.index, ['Principal', 'Service'], j)], { severity: 'SUGGESTION' }));
    });
  }
  out.push(...redundantStatements(a));
  return out;
}

// ---------------------------------------------------------------- redundant statements

function principalSet(st: Statement): Set<string> | 'any' | undefined {
  const p = st.Principal;
  if (!p) return undefined;
  if (p.kind === 'any' || (p.AWS ?? []).includes('*')) return 'any';
  return new Set([...(p.AWS ?? []).map((v) => `AWS:${v}`), ...(p.Service ?? []).map((v) => `Service:${v.toLowerCase()}`), ...(p.Federated ?? []).map((v) => `Federated:${v}`), ...(p.CanonicalUser ?? []).map((v) => `Canonical:${v}`)]);
}

/** True when clause `weak` holds whenever clause `strong` does (same key and operator, a weaker value set). */
function clauseImplied(weak: ConditionClause, strong: ConditionClause): boolean {
  if (weak.operator !== strong.operator || weak.key.toLowerCase() !== strong.key.toLowerCase()) return false;
  const op = parseOperator(weak.operator);
  if (!op) return false;
  const w = new Set(weak.values);
  const s = new Set(strong.values);
  const negated = op.info?.negated ?? false;
  // Positive operators: more values, fewer requirements. Negated ones: the other way round.
  return negated ? [...w].every((v) => s.has(v)) : [...s].every((v) => w.has(v));
}

/** True when every request `b` allows, `a` allows too (decided on the written elements only). */
function covers(an: Analysis, a: Statement, b: Statement): boolean {
  if (a.Effect !== 'Allow' || b.Effect !== 'Allow' || a.NotPrincipal || b.NotPrincipal || b.NotAction || a.NotResource || b.NotResource) return false;
  const pa = principalSet(a);
  const pb = principalSet(b);
  if ((pa === undefined) !== (pb === undefined)) return false;
  if (pa !== undefined && pa !== 'any' && (pb === 'any' || ![...(pb as Set<string>)].every((x) => pa.has(x)))) return false;
  const ca = an.compiledStatement(a.index);
  if (!ca) return false;
  const writtenA = new Set((a.Action ?? []).map((x) => x.toLowerCase()));
  for (const act of b.Action ?? []) {
    const l = act.toLowerCase();
    if (/[*?]/.test(l) ? !writtenA.has(l) && !writtenA.has('*') : !ca.action(l)) return false;
  }
  const ra = new Set(a.Resource ?? []);
  if (a.Resource && !a.Resource.includes('*') && !(b.Resource ?? []).every((r) => ra.has(r))) return false;
  return (a.Condition ?? []).every((wc) => (b.Condition ?? []).some((sc) => clauseImplied(wc, sc)));
}

function redundantStatements(an: Analysis): Finding[] {
  const out: Finding[] = [];
  const sts = an.statements();
  for (const b of sts) {
    const by = sts.find((a) => a !== b && covers(an, a, b) && (!covers(an, b, a) || a.index < b.index));
    if (by) {
      out.push(
        an.finding(
          'ORPHANED_OR_REDUNDANT_PRINCIPAL',
          `Statement ${b.index} is redundant: statement ${by.index} already allows everything it allows${(by.Condition ?? []).length < (b.Condition ?? []).length ? ', with fewer conditions (check that this was not meant to narrow it)' : ''}.`,
          [an.stmtPath(b.index)],
          { severity: 'SUGGESTION' },
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- trust statements granting more than assuming

const TRUST_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext'];

export function checkTrustActionWildcards(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of a.statements()) {
    if (st.Effect !== 'Allow') continue;
    const c = a.compiledStatement(st.index);
    if (!c) continue;
    const written = (st.Action ?? st.NotAction ?? []).map((x) => x.toLowerCase());
    const wild = st.NotAction !== undefined || written.some((x) => /[*?]/.test(x));
    if (!wild) continue;
    // The assume action the statement's principals call is the intended one; the rest come along.
    const p = st.Principal;
    const fed = p?.kind === 'map' ? (p.Federated ?? []).map((f) => classifyFederated(f).kind) : [];
    const intended = new Set<string>();
    if (!p || p.kind === 'any' || (p.AWS ?? []).length || (p.Service ?? []).length) intended.add('sts:AssumeRole');
    if (fed.includes('saml')) intended.add('sts:AssumeRoleWithSAML');
    if (fed.includes('oidc')) intended.add('sts:AssumeRoleWithWebIdentity');
    const extra = TRUST_ACTIONS.filter((x) => c.action(x.toLowerCase()) && !written.includes(x.toLowerCase()) && !intended.has(x));
    if (!extra.length) continue;
    const key = st.NotAction ? 'NotAction' : 'Action';
    out.push(
      a.finding(
        'TRUST_PERMISSION_CONFUSION',
        `Statement ${st.index} uses ${st.NotAction ? 'NotAction' : `"${(st.Action ?? []).find((x) => /[*?]/.test(x))}"`}, which also grants ${extra.join(', ')}${extra.some((x) => /TagSession|SetSourceIdentity/.test(x)) ? ' (passing session tags and setting the source identity, which other policies may trust)' : ''}. List the actions the principals need, usually just sts:AssumeRole.`,
        [a.memberPath(st.index, [key])],
        { severity: extra.some((x) => /TagSession|SetSourceIdentity/.test(x)) ? 'SECURITY_WARNING' : 'WARNING' },
      ),
    );
  }
  return out;
}

/** Allow with NotPrincipal in a resource policy: everyone but the listed principals, anonymous included. */
export function checkAllowNotPrincipal(a: Analysis): Finding[] {
  return a
    .statements()
    .filter((st) => st.Effect === 'Allow' && st.NotPrincipal)
    .map((st) =>
      a.finding(
        'NOTPRINCIPAL_IN_TRUST',
        `Statement ${st.index} allows every principal except those listed in NotPrincipal, anonymous callers included. Use "Principal": "*" with a Condition on aws:PrincipalArn (ArnNotEquals) instead.`,
        [a.memberPath(st.index, ['NotPrincipal'])],
        { severity: 'SECURITY_WARNING' },
      ),
    );
}

/** Default quota 2,048 non-whitespace characters, adjustable up to 4,096. */
export const TRUST_QUOTA = 2048;
export const TRUST_QUOTA_MAX = 4096;

export function checkTrustSize(a: Analysis): Finding[] {
  if (a.text === undefined) return [];
  const size = policySize(a.text);
  if (size > TRUST_QUOTA_MAX) return [a.finding('TRUST_SIZE_NEAR_QUOTA', `The trust policy has ${size} characters (whitespace not counted), more than the largest quota IAM allows (${TRUST_QUOTA_MAX}): CreateRole and UpdateAssumeRolePolicy fail with LimitExceeded.`, [[]], { severity: 'ERROR' })];
  if (size > TRUST_QUOTA) return [a.finding('TRUST_SIZE_NEAR_QUOTA', `The trust policy has ${size} characters (whitespace not counted), more than the default quota of ${TRUST_QUOTA}: IAM refuses it with LimitExceeded unless the account's "Role trust policy length" quota was raised (up to ${TRUST_QUOTA_MAX}).`, [[]], { severity: 'ERROR' })];
  if (size > TRUST_QUOTA * 0.9) return [a.finding('TRUST_SIZE_NEAR_QUOTA', `The trust policy has ${size} of ${TRUST_QUOTA} characters (whitespace not counted): little room is left for more principals or conditions.`, [[]], { severity: 'WARNING' })];
  return [];
}
