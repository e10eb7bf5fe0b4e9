/**
 * MFA and session length: privileged roles people reach without MFA, MFA conditions written so
 * that long-term keys or non-MFA sessions pass
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html,
 * the four documented combinations of Bool/BoolIfExists with Allow/Deny), and MaxSessionDuration
 * above one hour on privileged, cross-account or chaining-only roles
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
 */
import { evaluate, parsePolicy, type NamedPolicy, type Statement } from '../../policy/index.js';
import { describeWitness, type Analysis } from '../analysis.js';
import { isMfaKey, MFA_AGE, MFA_PRESENT } from '../keys.js';
import { roleSessionCandidate, userCandidate, type Candidate } from '../principals.js';
import type { Hit } from '../search.js';
import type { Finding } from '../types.js';
import { instantiateArn } from '../values.js';
import { crossAccountCandidates, namedAccounts, namesEveryone, outsiderCandidates, statementCandidates } from './callers.js';

const NO_MFA = { 'aws:multifactorauthpresent': [undefined, 'false'], 'aws:multifactorauthage': [undefined] };

function mfaStatements(a: Analysis): Statement[] {
  return a.statements().filter((s) => (s.Condition ?? []).some((c) => isMfaKey(c.key.toLowerCase())));
}

/** Actions whose grant makes a role privileged: everything, IAM writes that escalate, assuming any role. */
const PRIVILEGED: Array<[string, (acct: string) => string[]]> = [
  ['rolecall:AnyAction', () => ['*']],
  ...['CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile', 'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'UpdateAssumeRolePolicy', 'AddUserToGroup', 'PassRole'].map(
    (n): [string, (acct: string) => string[]] => [`iam:${n}`, (acct) => [`arn:aws:iam::${acct}:user/rolecall-any`, `arn:aws:iam::${acct}:role/rolecall-any`, `arn:aws:iam::${acct}:group/rolecall-any`, `arn:aws:iam::${acct}:policy/rolecall-any`, '*']],
  ),
  ['sts:AssumeRole', (acct) => [`arn:aws:iam::${acct}:role/rolecall-any`]],
  ['organizations:LeaveOrganization', () => ['*']],
];

/** The role's permission policies as the engine takes them; undefined when none were given. */
function permissionSet(a: Analysis): { identity: NamedPolicy[]; boundary?: NamedPolicy } | undefined {
  const perms = a.options.role?.permissions;
  if (!perms) return undefined;
  const identity: NamedPolicy[] = [];
  perms.forEach((doc, i) => {
    const r = parsePolicy(doc as string | object, { type: 'identity' });
    if (r.ok) identity.push({ id: `permissions.${i + 1}`, policy: r.policy });
    else a.notes.push(`Permission policy ${i + 1} was not used: ${r.errors[0]?.message ?? 'it does not parse'}.`);
  });
  const out: { identity: NamedPolicy[]; boundary?: NamedPolicy } = { identity };
  const b = a.options.role?.boundary;
  if (b) {
    const r = parsePolicy(b as string | object, { type: 'boundary' });
    if (r.ok) out.boundary = { id: 'boundary', policy: r.policy };
  }
  return out;
}

/** The first privileged action the role's permissions allow, or undefined. */
export function privilegedAction(a: Analysis): string | undefined {
  const set = permissionSet(a);
  if (!set) return undefined;
  const acct = a.owner ?? '000000000000';
  const session = roleSessionCandidate(a.roleArn);
  if (!session) return undefined;
  for (const [action, resources] of PRIVILEGED) {
    for (const resource of resources(acct)) {
      const r = evaluate({ principal: session.principal, action, resource, context: session.fixed }, { ...set, session: [] });
      if (r.decision === 'allowed') return action === 'rolecall:AnyAction' ? '*' : action;
    }
  }
  return undefined;
}

/** People: IAM users a statement names, users of the accounts it names, outside users when it names everyone. */
function humanCandidates(a: Analysis, st: Statement): Candidate[] {
  return statementCandidates(a, st, { services: false, federated: false }).filter((c) => c.principal.type === 'User');
}

export function checkSensitiveWithoutMfa(a: Analysis): Finding[] {
  if (!a.options.role?.permissions) {
    a.notes.push('SENSITIVE_ROLE_WITHOUT_MFA not checked: give the role\'s permission policies (--permissions) to tell whether it is privileged.');
    return [];
  }
  if (mfaStatements(a).length) return []; // the policy asks for MFA: MFA_CONDITION_BYPASSABLE judges how
  const privileged = privilegedAction(a);
  if (!privileged) return [];
  const out: Finding[] = [];
  for (const st of a.statements()) {
    if (st.Effect !== 'Allow') continue;
    const candidates = humanCandidates(a, st);
    if (!candidates.length) continue;
    const hit = a.find({ candidates, grant: (s) => s.source.index === st.index, domains: NO_MFA });
    if (!hit) continue;
    const w = a.witness(hit);
    w.context[MFA_PRESENT] = hit.context[MFA_PRESENT] ?? null;
    out.push(
      a.finding(
        'SENSITIVE_ROLE_WITHOUT_MFA',
        `This role's permissions allow ${privileged}, and statement ${st.index} lets people assume it without MFA: for example ${describeWitness(w, [MFA_PRESENT])}. Require "Bool": {"aws:MultiFactorAuthPresent": "true"} (or NumericLessThan aws:MultiFactorAuthAge).`,
        [a.memberPath(st.index, ['Principal'])],
        { witness: w },
      ),
    );
  }
  return out;
}

/** A concrete action and resource a statement covers, for asking about identity policies. */
function concreteRequests(a: Analysis, st: Statement): Array<[string, string]> {
  const acts = (st.Action ?? ['rolecall:AnyAction']).map((x) => (x === '*' ? 'rolecall:AnyAction' : x.replace(/\*/g, 'Rolecall').replace(/\?/g, 'X')));
  const resList = st.Resource ?? ['*'];
  const res = resList.flatMap((r) => (r === '*' ? ['*'] : r.includes('${') ? [] : /[*?]/.test(r) ? instantiateArn(r, a.owner ?? a.outsider, ['rolecall-x']).slice(0, 1) : [r]));
  const out: Array<[string, string]> = [];
  for (const x of acts.slice(0, 3)) for (const r of (res.length ? res : ['*']).slice(0, 2)) out.push([x, r]);
  return out;
}

function bypassMessage(st: Statement, hit: Hit): string {
  const c = (st.Condition ?? []).find((x) => isMfaKey(x.key.toLowerCase()));
  const how = hit.context[MFA_PRESENT] === undefined ? 'without MFA information at all (long-term access keys)' : 'with temporary credentials obtained without MFA';
  const fix =
    st.Effect === 'Allow'
      ? `In an Allow use "Bool": {"aws:MultiFactorAuthPresent": "true"} (BoolIfExists also lets long-term keys through; "false" and Null allow requests without MFA).`
      : `In a Deny use "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"} (plain Bool does not deny long-term keys, which carry no MFA key).`;
  return `The MFA condition of statement ${st.index}${c ? ` (${c.operator} ${c.key})` : ''} does not stop requests ${how}. ${fix}`;
}

export function checkMfaBypass(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of mfaStatements(a)) {
    const clause = (st.Condition ?? []).find((x) => isMfaKey(x.key.toLowerCase()));
    const path = clause ? a.conditionPath(st.index, clause.operator, clause.key) : a.stmtPath(st.index);
    let hit: Hit | undefined;
    if (a.type === 'identity' || a.type === 'boundary' || a.type === 'session') {
      const holder = userCandidate(`arn:aws:iam::${a.owner ?? '000000000000'}:user/rolecall-policy-holder`);
      if (!holder) continue;
      const sources = st.Effect === 'Allow' ? [st] : a.statements().filter((s) => s.Effect === 'Allow');
      for (const src of sources) {
        for (const [action, resource] of concreteRequests(a, src)) {
          const c = a.compiledStatement(st.index);
          if (st.Effect === 'Deny' && c && !c.action(action.toLowerCase())) continue;
          hit = a.find({ target: { policy: a.compiled, kind: 'identity', resource }, candidates: [holder], actions: [action], domains: NO_MFA });
          if (hit) break;
        }
        if (hit) break;
      }
    } else {
      const candidates = statementCandidates(a, st, { services: false, federated: false });
      if (!candidates.length) continue;
      hit = a.find({ candidates, domains: NO_MFA });
    }
    if (!hit) continue;
    const w = a.witness(hit);
    w.context[MFA_PRESENT] = hit.context[MFA_PRESENT] ?? null;
    out.push(a.finding('MFA_CONDITION_BYPASSABLE', `${bypassMessage(st, hit)} Witness: ${describeWitness(w, [MFA_PRESENT, MFA_AGE])}.`, [path], { witness: w }));
  }
  return out;
}

export function checkSessionDuration(a: Analysis): Finding[] {
  const max = a.options.role?.maxSessionDuration;
  if (max === undefined) {
    a.notes.push('EXCESSIVE_SESSION_DURATION not checked: give the role\'s MaxSessionDuration (--max-session-duration).');
    return [];
  }
  if (max <= 3600) return [];
  const reasons: string[] = [];
  let witnessHit: Hit | undefined;
  const privileged = a.options.role?.permissions ? privilegedAction(a) : undefined;
  if (privileged) reasons.push(`its permissions allow ${privileged}`);
  if (a.owner) {
    const cross = a.find({ candidates: [...outsiderCandidates(a), ...crossAccountCandidates(a)] });
    if (cross) {
      witnessHit = cross;
      reasons.push(`principals of account ${cross.candidate.principal.account} can assume it`);
    }
  }
  // Chaining only: some role session gets in, but no user, service or identity provider does.
  const allows = a.statements().filter((s) => s.Effect === 'Allow');
  const others = allows.some((s) => s.Principal?.kind === 'map' && ((s.Principal.Service ?? []).length || (s.Principal.Federated ?? []).length));
  if (!others && !allows.some(namesEveryone)) {
    const users: Candidate[] = [];
    const roles: Candidate[] = [];
    for (const st of allows) for (const c of statementCandidates(a, st, { services: false, federated: false })) (c.principal.type === 'User' ? users : roles).push(c);
    for (const named of namedAccounts(a).values()) for (const c of named) (c.principal.type === 'User' ? users : roles).push(c);
    if (roles.length && !a.find({ candidates: users })) {
      const r = a.find({ candidates: roles });
      if (r) {
        witnessHit ??= r;
        reasons.push('only role sessions can assume it (role chaining), and chained sessions are capped at one hour whatever MaxSessionDuration says');
      }
    }
  }
  if (!reasons.length) return [];
  const first = a.statements().find((s) => s.Effect === 'Allow');
  return [
    a.finding(
      'EXCESSIVE_SESSION_DURATION',
      `MaxSessionDuration is ${max} s (${(max / 3600).toFixed(max % 3600 ? 1 : 0)} h) but ${reasons.join('; ')}. Keep it at 3600 s unless long sessions are needed.`,
      [first ? a.stmtPath(first.index) : []],
      witnessHit ? { witness: a.witness(witnessHit) } : {},
    ),
  ];
}
