/**
 * Identity federation: OIDC principals that any audience or subject can use
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html, GitHub:
 * https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services),
 * and principals whose action cannot fit them: SAML ↔ AssumeRoleWithSAML, OIDC ↔
 * AssumeRoleWithWebIdentity, IAM Roles Anywhere ↔ AssumeRole + SetSourceIdentity + TagSession
 * (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html), SAML:aud
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html).
 */
import type { Statement } from '../../policy/index.js';
import { describeWitness, statementKeys, type Analysis } from '../analysis.js';
import { classifyFederated } from '../keys.js';
import { ASSUME, ASSUME_SAML, ASSUME_WEB, webIdentityCandidate } from '../principals.js';
import type { Finding, Severity } from '../types.js';

const allows = (a: Analysis) => a.statements().filter((s) => s.Effect === 'Allow' && s.Principal?.kind === 'map');

/** GitHub repository owners named in `repo:OWNER/...` subject patterns. */
function githubOwners(a: Analysis, subKey: string): string[] {
  const owners = new Set<string>();
  for (const [v] of a.universe.keys.get(subKey.toLowerCase())?.values ?? []) {
    const m = /^repo:([^/*?]+)\//.exec(v);
    if (m) owners.add(m[1] as string);
  }
  return [...owners];
}

export function checkOidc(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of allows(a)) {
    const fed = st.Principal?.kind === 'map' ? st.Principal.Federated ?? [] : [];
    fed.forEach((provider, j) => {
      const info = classifyFederated(provider);
      if (info.kind !== 'oidc') return;
      const path = a.memberPath(st.index, ['Principal', 'Federated'], j);
      const cand = webIdentityCandidate(provider, false);
      const ask = (key: string, value: string) => a.find({ candidates: [cand], grant: (s) => s.source.index === st.index, domains: { [key.toLowerCase()]: [value] } });
      const report = (what: string, severity: Severity, hit: NonNullable<ReturnType<typeof ask>>, fix: string) => {
        const w = a.witness(hit);
        out.push(a.finding('OIDC_UNRESTRICTED_SUBJECT', `Statement ${st.index} lets ${what} assume this role through ${provider}: for example ${describeWitness(w, statementKeys(st))}. ${fix}`, [path], { witness: w, severity }));
      };
      const wellKnown = !provider.startsWith('arn:');
      const audHit = ask(info.audienceKey, 'rolecall-unexpected-audience');
      if (audHit) {
        report(
          `tokens issued to any audience (client)`,
          wellKnown ? 'SECURITY_WARNING' : 'WARNING',
          audHit,
          `Require "StringEquals": {"${info.audienceKey}": "<your client id>"}${info.github ? ' ("sts.amazonaws.com" for GitHub Actions)' : ''}.`,
        );
      }
      if (!info.subjectKey) return;
      const outsiderSub = info.github ? 'repo:rolecall-outsider/rolecall-repo:ref:refs/heads/main' : 'rolecall-outsider-subject';
      const subHit = ask(info.subjectKey, outsiderSub);
      if (subHit) {
        report(
          info.github ? 'workflows of any GitHub repository' : 'any subject (workload or user) of the provider',
          'SECURITY_WARNING',
          subHit,
          info.github
            ? `Require "StringEquals" or "StringLike": {"${info.subjectKey}": "repo:<owner>/<repo>:ref:refs/heads/<branch>"}.`
            : `Require "StringEquals": {"${info.subjectKey}": "<the subject that may assume the role>"}.`,
        );
        return;
      }
      if (!info.github) return;
      for (const owner of githubOwners(a, info.subjectKey)) {
        const hit = ask(info.subjectKey, `repo:${owner}/rolecall-other-repo:ref:refs/heads/main`);
        if (hit) {
          report(`every repository of the GitHub owner "${owner}"`, 'WARNING', hit, `Name the repository (and branch or environment) in ${info.subjectKey}.`);
          break;
        }
      }
    });
  }
  return out;
}

const ROLES_ANYWHERE = 'rolesanywhere.amazonaws.com';
const ROLES_ANYWHERE_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];

/** Which principal kinds an explicit trust action serves. */
function actionFits(action: string, kinds: { aws: boolean; service: boolean; saml: boolean; oidc: boolean }): boolean {
  const a = action.toLowerCase();
  if (a === 'sts:assumerole') return kinds.aws || kinds.service;
  if (a === 'sts:assumerolewithsaml') return kinds.saml;
  if (a === 'sts:assumerolewithwebidentity') return kinds.oidc;
  return true; // TagSession, SetSourceIdentity, SetContext and unknown sts actions serve every kind
}

export function checkFederationActions(a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const st of allows(a)) {
    const c = a.compiledStatement(st.index);
    if (!c || st.Principal?.kind !== 'map') continue;
    const p = st.Principal;
    const kinds = { aws: (p.AWS ?? []).length > 0, service: (p.Service ?? []).length > 0, saml: false, oidc: false };
    (p.Federated ?? []).forEach((f, j) => {
      const info = classifyFederated(f);
      const path = a.memberPath(st.index, ['Principal', 'Federated'], j);
      if (info.kind === 'invalid') {
        out.push(
          a.finding(
            'FEDERATION_ACTION_MISMATCH',
            `"${f}" is not a federated principal: use the ARN of a SAML provider (arn:aws:iam::ACCOUNT:saml-provider/NAME), of an OIDC provider (arn:aws:iam::ACCOUNT:oidc-provider/HOST), or accounts.google.com, graph.facebook.com, www.amazon.com or cognito-identity.amazonaws.com.`,
            [path],
          ),
        );
        return;
      }
      kinds[info.kind] = true;
      const needed = info.kind === 'saml' ? ASSUME_SAML : ASSUME_WEB;
      if (!c.action(needed.toLowerCase())) {
        out.push(a.finding('FEDERATION_ACTION_MISMATCH', `Statement ${st.index} names the ${info.kind.toUpperCase()} provider ${f} but does not allow ${needed}, the only action it can call: nobody can use this statement.`, [path]));
        return;
      }
      if (info.kind === 'saml') {
        const hit = a.find({ candidates: [webIdentityCandidate(f, true)], grant: (s) => s.source.index === st.index, domains: { 'saml:aud': ['https://rolecall-outsider.example.com/saml'] } });
        if (hit) {
          const w = a.witness(hit);
          out.push(
            a.finding(
              'FEDERATION_ACTION_MISMATCH',
              `Statement ${st.index} accepts SAML assertions from ${f} for any recipient (SAML:aud is not pinned): ${describeWitness(w, statementKeys(st))}. Require "StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}.`,
              [path],
              { witness: w, severity: 'WARNING' },
            ),
          );
        }
      }
    });
    (st.Action ?? []).forEach((act, j) => {
      if (/[*?]/.test(act) || actionFits(act, kinds)) return;
      out.push(
        a.finding(
          'FEDERATION_ACTION_MISMATCH',
          `Statement ${st.index} allows ${act}, which none of its principals can call (${act.toLowerCase() === 'sts:assumerole' ? 'federated principals call AssumeRoleWithSAML or AssumeRoleWithWebIdentity' : act.toLowerCase().endsWith('withsaml') ? 'only a SAML provider calls it' : 'only an OIDC or web identity provider calls it'}).`,
          [a.memberPath(st.index, ['Action'], j)],
        ),
      );
    });
    if ((p.Service ?? []).some((s) => s.toLowerCase() === ROLES_ANYWHERE)) {
      const missing = ROLES_ANYWHERE_ACTIONS.filter((x) => !c.action(x.toLowerCase()));
      if (missing.length) {
        out.push(
          a.finding(
            'FEDERATION_ACTION_MISMATCH',
            `Statement ${st.index} trusts IAM Roles Anywhere but does not allow ${missing.join(', ')}: a Roles Anywhere trust policy must allow sts:AssumeRole, sts:SetSourceIdentity and sts:TagSession.`,
            [a.memberPath(st.index, ['Action'])],
          ),
        );
      }
    }
  }
  return out;
}

export const FEDERATED_ACTIONS = [ASSUME, ASSUME_SAML, ASSUME_WEB];
export type { Statement };
