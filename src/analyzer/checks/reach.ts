/**
 * Who can get in: trust reachable from outside every known account, cross-account trust without
 * an external id, account principals not narrowed to specific principals, services acting for
 * other accounts (confused deputy), and session tags settable from outside. Each is decided by
 * asking the engine-backed search for a request that gets through; the request is the witness.
 */
import { classifyAwsPrincipal, type Statement } from '../../policy/index.js';
import { describeWitness, statementKeys, type Analysis } from '../analysis.js';
import { arnServiceOf, EXTERNAL_ID, SOURCE_KEY_SERVICES } from '../keys.js';
import { accountMembers, serviceCandidate, type Candidate } from '../principals.js';
import type { Finding } from '../types.js';
import { instantiateArn, OUTSIDER_ORG, OUTSIDER_STRING } from '../values.js';
import { crossAccountCandidates, namesEveryone, outsiderCandidates, outsiderWebIdentities } from './callers.js';

const allows = (a: Analysis) => a.statements().filter((s) => s.Effect === 'Allow' && s.Principal);

/** TRUST_ANY_PRINCIPAL: a caller outside every known account (or identity provider) gets in. */
export function checkAnyPrincipal(a: Analysis): Finding[] {
  const out: Finding[] = [];
  const aws = outsiderCandidates(a);
  const web = outsiderWebIdentities(a);
  for (const st of allows(a)) {
    // Named identity providers are OIDC_UNRESTRICTED_SUBJECT's business; only "*" lets unnamed ones in.
    const candidates = namesEveryone(st) ? [...aws, ...web] : aws;
    const hit = a.find({ candidates, grant: (s) => s.source.index === st.index });
    if (!hit) continue;
    const w = a.witness(hit);
    const who = hit.candidate.principal.type === 'WebIdentity' ? `anyone with a token from ${w.principal}` : `principals of accounts outside every known account (${w.account})`;
    out.push(
      a.finding(
        'TRUST_ANY_PRINCIPAL',
        `Statement ${st.index} lets ${who} assume this role: for example ${describeWitness(w, statementKeys(st))}. Name the principals, or pin aws:PrincipalAccount / aws:PrincipalOrgID / aws:PrincipalArn to accounts you trust.`,
        [a.memberPath(st.index, ['Principal'])],
        { witness: w },
      ),
    );
  }
  return out;
}

/** CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID: a named account outside the zone of trust gets in without a fixed sts:ExternalId. */
export function checkCrossAccountExternalId(a: Analysis): Finding[] {
  if (!a.owner) {
    a.notes.push('CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID not checked: give the account id of the policy (--account-id) to tell cross-account trust from your own.');
    return [];
  }
  const candidates = crossAccountCandidates(a);
  if (!candidates.length) return [];
  const out: Finding[] = [];
  for (const st of allows(a)) {
    const hit = a.find({ candidates, grant: (s) => s.source.index === st.index, domains: { 'sts:externalid': [undefined, 'rolecall-unknown-external-id'] } });
    if (!hit) continue;
    const w = a.witness(hit);
    w.context[EXTERNAL_ID] = hit.context[EXTERNAL_ID] ?? null;
    const how = hit.context[EXTERNAL_ID] === undefined ? 'without an external id' : 'with an external id of its own choosing';
    out.push(
      a.finding(
        'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID',
        `Statement ${st.index} lets account ${w.account} (outside your zone of trust) assume this role ${how}: for example ${describeWitness(w, [...statementKeys(st), EXTERNAL_ID])}. Require "StringEquals": {"sts:ExternalId": "<value the third party gave you>"} (confused deputy).`,
        [a.memberPath(st.index, ['Principal'])],
        { witness: w },
      ),
    );
  }
  return out;
}

/** ACCOUNT_ROOT_TRUST_UNSCOPED: an account principal that any principal of that account satisfies. */
export function checkAccountRootUnscoped(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of allows(a)) {
    if (st.Principal?.kind !== 'map') continue;
    (st.Principal.AWS ?? []).forEach((v, j) => {
      const ref = classifyAwsPrincipal(v);
      if (ref?.t !== 'account') return;
      const orgFree = { 'aws:principalorgid': a.universe.domain('aws:principalorgid'), 'aws:principalorgpaths': a.universe.domain('aws:principalorgpaths') };
      const candidates: Candidate[] = accountMembers(ref.account).map((c) => ({ ...c, domains: orgFree }));
      const hit = a.find({ candidates, grant: (s) => s.source.index === st.index });
      if (!hit) return;
      const w = a.witness(hit);
      const own = a.owner === ref.account;
      out.push(
        a.finding(
          'ACCOUNT_ROOT_TRUST_UNSCOPED',
          `Statement ${st.index} trusts account ${ref.account} as a whole: "${v}" is not only the root user but every user and role that account's administrators allow to call sts:AssumeRole${own ? ' (in your own account: a privilege-escalation path for anyone allowed sts:AssumeRole on *)' : ''}; for example ${w.principal} gets in. Narrow it with aws:PrincipalArn (ArnEquals/ArnLike) or aws:PrincipalTag, or name the principals.`,
          [a.memberPath(st.index, ['Principal', 'AWS'], j)],
          { witness: w, severity: own ? 'SECURITY_WARNING' : 'WARNING' },
        ),
      );
    });
  }
  return out;
}

/** aws:SourceArn values of resources owned by an outsider account. */
function outsiderSourceArns(a: Analysis, service: string): string[] {
  const out = new Set<string>();
  for (const [v] of a.universe.keys.get('aws:sourcearn')?.values ?? []) {
    if (!/[*?]/.test(v)) continue;
    for (const arn of instantiateArn(v, a.outsider, [OUTSIDER_STRING])) {
      const acct = arn.split(':')[4];
      if (acct === '' ? /[*?]/.test(v.split(':').slice(5).join(':')) : !a.known.has(acct as string)) out.add(arn);
    }
  }
  out.add(`arn:aws:${arnServiceOf(service)}:us-east-1:${a.outsider}:${OUTSIDER_STRING}`);
  return [...out];
}

/** SERVICE_TRUST_WITHOUT_SOURCE: a service principal assumes the role on behalf of another account's resource. */
export function checkServiceSource(a: Analysis): Finding[] {
  const out: Finding[] = [];
  const readsSource = [...a.universe.keys.keys()].some((k) => k.startsWith('aws:source') && k !== 'aws:sourceip' && !k.startsWith('aws:sourcevpc') && k !== 'aws:sourceidentity');
  for (const st of allows(a)) {
    if (st.Principal?.kind !== 'map') continue;
    (st.Principal.Service ?? []).forEach((svc, j) => {
      const known = SOURCE_KEY_SERVICES.has(svc.toLowerCase());
      if (!known && !readsSource) return;
      const hit = a.find({
        candidates: [serviceCandidate(svc)],
        grant: (s) => s.source.index === st.index,
        domains: {
          'aws:sourceaccount': [a.outsider],
          'aws:sourcearn': outsiderSourceArns(a, svc),
          'aws:sourceorgid': [undefined, OUTSIDER_ORG],
          'aws:sourceorgpaths': [undefined],
        },
      });
      if (!hit) return;
      const w = a.witness(hit);
      w.context['aws:SourceAccount'] = hit.context['aws:SourceAccount'] ?? a.outsider;
      out.push(
        a.finding(
          'SERVICE_TRUST_WITHOUT_SOURCE',
          `Statement ${st.index} lets ${svc} assume this role on behalf of resources in any account (cross-service confused deputy): for example for a resource of account ${a.outsider}. Add "StringEquals": {"aws:SourceAccount": "${a.owner ?? '<your account id>'}"} and/or an aws:SourceArn confined to your account.`,
          [a.memberPath(st.index, ['Principal', 'Service'], j)],
          { witness: w },
        ),
      );
    });
  }
  return out;
}

/** TAG_SESSION_UNCONSTRAINED: callers outside the account pass any session tag. */
export function checkTagSession(a: Analysis): Finding[] {
  const out: Finding[] = [];
  const candidates = [...outsiderCandidates(a), ...(a.owner ? crossAccountCandidates(a) : [])];
  const referenced = [...a.universe.keys.keys()].filter((k) => k.startsWith('aws:requesttag/') || k.startsWith('aws:principaltag/')).map((k) => k.slice(k.indexOf('/') + 1));
  const scenarios: Array<Record<string, Array<string | string[] | undefined>>> = [{ 'aws:tagkeys': [['rolecall-forged']], 'aws:requesttag/rolecall-forged': ['rolecall-forged-value'] }];
  for (const k of new Set(referenced)) scenarios.push({ 'aws:tagkeys': [[k]], [`aws:requesttag/${k}`]: ['rolecall-forged-value'] });
  for (const st of allows(a)) {
    const c = a.compiledStatement(st.index);
    if (!c || !c.action('sts:tagsession')) continue;
    for (const domains of scenarios) {
      const tagged = a.find({ candidates, actions: ['sts:TagSession'], grant: (s) => s.source.index === st.index, domains });
      // Tags are passed on the AssumeRole call: the same caller must be able to assume the role too.
      const hit = tagged && a.find({ candidates: [tagged.candidate], domains });
      if (!tagged || !hit) continue;
      const w = a.witness(tagged);
      const tagKey = (domains['aws:tagkeys']?.[0] as string[])[0] as string;
      out.push(
        a.finding(
          'TAG_SESSION_UNCONSTRAINED',
          `Statement ${st.index} lets ${w.principal} (outside your account) pass session tags without limits, e.g. the tag "${tagKey}": principal tags drive attribute-based access control, so they can be forged. Limit aws:TagKeys (ForAllValues:StringEquals) and aws:RequestTag/<key> values, or drop sts:TagSession.`,
          [a.memberPath(st.index, ['Action'])],
          { witness: w },
        ),
      );
      break;
    }
  }
  return out;
}

export function reachChecks(a: Analysis): Finding[] {
  return [...checkAnyPrincipal(a), ...checkCrossAccountExternalId(a), ...checkAccountRootUnscoped(a), ...checkServiceSource(a), ...checkTagSession(a)];
}

export type { Statement };
