/**
 * The callers the checks ask about, built from a statement's Principal and from the policy's own
 * patterns: outsiders (accounts nobody named), members of named accounts, named users and roles,
 * services and identity providers.
 */
import { classifyAwsPrincipal, type Statement } from '../../policy/index.js';
import type { Analysis } from '../analysis.js';
import { accountMembers, asOutsider, candidateForArn, serviceCandidate, webIdentityCandidate, type Candidate } from '../principals.js';
import { classifyFederated } from '../keys.js';
import { fillAccount, instantiateArn, OUTSIDER_ORG } from '../values.js';

/** True when the statement names every principal (`"*"` or `{"AWS": "*"}`). */
export function namesEveryone(st: Statement): boolean {
  const p = st.Principal;
  return !!p && (p.kind === 'any' || (p.AWS ?? []).includes('*'));
}

/**
 * IAM callers in accounts outside every known account: the default outsider account, and the
 * accounts and principals that wildcard patterns on aws:PrincipalArn / aws:PrincipalAccount let in.
 */
export function outsiderCandidates(a: Analysis): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const push = (c: Candidate | undefined) => {
    const acct = c?.principal.account;
    if (!c || !acct || a.known.has(acct) || seen.has(c.principal.arn ?? '')) return;
    seen.add(c.principal.arn ?? '');
    out.push(asOutsider(c, OUTSIDER_ORG));
  };
  for (const [v] of a.universe.keys.get('aws:principalarn')?.values ?? []) {
    if (/[*?]/.test(v)) for (const arn of instantiateArn(v, a.outsider, ['rolecall-outsider'])) push(candidateForArn(arn));
  }
  for (const [v] of a.universe.keys.get('aws:principalaccount')?.values ?? []) {
    if (!/[*?]/.test(v)) continue;
    for (const d of [a.outsider.charAt(0), '8']) {
      const acct = fillAccount(v, d);
      if (acct) accountMembers(acct, 'rolecall-outsider').forEach(push);
    }
  }
  accountMembers(a.outsider, 'rolecall-outsider').forEach(push);
  return out;
}

/** Web identities of providers nobody named: only a statement naming everyone lets them in. */
export function outsiderWebIdentities(a: Analysis): Candidate[] {
  return [
    webIdentityCandidate('accounts.google.com', false),
    webIdentityCandidate(`arn:aws:iam::${a.outsider}:oidc-provider/rolecall-outsider.example.com`, false),
    webIdentityCandidate(`arn:aws:iam::${a.outsider}:saml-provider/rolecall-outsider`, true),
  ];
}

/** Accounts a policy names (any 12-digit account id it contains: Principal values, condition values), with the named callers in each. */
export function namedAccounts(a: Analysis): Map<string, Candidate[]> {
  const out = new Map<string, Candidate[]>();
  const add = (acct: string, c?: Candidate) => {
    let l = out.get(acct);
    if (!l) out.set(acct, (l = []));
    if (c && !l.some((x) => x.principal.arn === c.principal.arn)) l.push(c);
  };
  // Every account the document mentions is known, whichever statement mentions it.
  for (const acct of a.known) if (!a.zone.has(acct) || acct === a.owner) add(acct);
  for (const st of a.statements()) {
    if (!st.Principal || st.Principal.kind !== 'map') continue;
    for (const v of st.Principal.AWS ?? []) {
      const ref = classifyAwsPrincipal(v);
      if (!ref) continue;
      if (ref.t === 'account') add(ref.account);
      else if (ref.t === 'user' || ref.t === 'role' || ref.t === 'session') add(v.split(':')[4] as string, candidateForArn(v));
    }
  }
  for (const [v] of a.universe.keys.get('aws:principalaccount')?.values ?? []) if (/^\d{12}$/.test(v)) add(v);
  const arnValues = [...(a.universe.keys.get('aws:principalarn')?.values.keys() ?? [])];
  for (const v of arnValues) {
    for (const arn of /[*?]/.test(v) ? instantiateArn(v, a.outsider, ['rolecall-any']) : [v]) {
      const c = candidateForArn(arn);
      const acct = c?.principal.account;
      if (c && acct && (!/[*?]/.test(v) || a.known.has(acct))) add(acct, c);
    }
  }
  // Patterns with a wildcard account (`arn:aws:iam::*:role/deploy`) name principals in every named account.
  for (const acct of [...out.keys()]) {
    for (const v of arnValues) {
      const segs = v.split(':');
      if (segs.length < 6 || !/[*?]/.test(segs[4] as string)) continue;
      segs[4] = acct;
      for (const arn of instantiateArn(segs.join(':'), a.outsider, ['rolecall-any'])) add(acct, candidateForArn(arn));
    }
  }
  return out;
}

/** Callers of named accounts outside the zone of trust: the named ones and arbitrary members. */
export function crossAccountCandidates(a: Analysis): Candidate[] {
  const out: Candidate[] = [];
  for (const [acct, named] of namedAccounts(a)) {
    if (a.zone.has(acct)) continue;
    for (const c of [...named, ...accountMembers(acct)]) out.push(asOutsider(c, OUTSIDER_ORG));
  }
  return out;
}

/** Every caller a statement's Principal could name, plus outsiders when it names everyone. */
export function statementCandidates(a: Analysis, st: Statement, opts: { aws?: boolean; services?: boolean; federated?: boolean } = {}): Candidate[] {
  const want = { aws: opts.aws ?? true, services: opts.services ?? true, federated: opts.federated ?? true };
  const out: Candidate[] = [];
  const p = st.Principal;
  if (!p) return out;
  if (namesEveryone(st)) {
    if (want.aws) {
      out.push(...outsiderCandidates(a));
      if (a.owner) out.push(...accountMembers(a.owner));
      for (const named of namedAccounts(a).values()) out.push(...named);
    }
    if (want.services) out.push(serviceCandidate('rolecall-any-service.amazonaws.com'));
    if (want.federated) out.push(...outsiderWebIdentities(a));
  }
  if (p.kind !== 'map') return out;
  if (want.aws) {
    const named = p.AWS?.length ? namedAccounts(a) : new Map<string, Candidate[]>();
    for (const v of p.AWS ?? []) {
      const ref = classifyAwsPrincipal(v);
      if (!ref) continue;
      if (ref.t === 'account') out.push(...[...accountMembers(ref.account), ...(named.get(ref.account) ?? [])].map((c) => (a.zone.has(ref.account) ? c : asOutsider(c, OUTSIDER_ORG))));
      else if (ref.t === 'user' || ref.t === 'role' || ref.t === 'session') {
        const c = candidateForArn(v);
        if (c) out.push(c);
      }
    }
  }
  if (want.services) for (const s of p.Service ?? []) out.push(serviceCandidate(s));
  if (want.federated) {
    for (const f of p.Federated ?? []) {
      const info = classifyFederated(f);
      if (info.kind !== 'invalid') out.push(webIdentityCandidate(f, info.kind === 'saml'));
    }
  }
  return out;
}
