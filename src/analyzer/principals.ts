/**
 * Candidate callers for the witness search: concrete request principals (an IAM user, a role
 * session, a service, a web identity) with the context keys that describe them. Outsiders are
 * built in accounts no policy names, or in accounts that a wildcard pattern in the policy
 * (`arn:aws:iam::*:role/deploy`, `StringLike aws:PrincipalAccount 1111*`) lets in.
 */
import { classifyAwsPrincipal, principalContext, type ContextValue, type NamedPolicy, type RequestPrincipal } from '../policy/index.js';
import type { Domain } from './values.js';

export interface Candidate {
  principal: RequestPrincipal;
  /** Context keys fixed by who the caller is (aws:PrincipalArn, aws:PrincipalTag/..., ...). */
  fixed: Record<string, ContextValue>;
  /**
   * Domains for caller keys this candidate may vary (lower-cased key → values), e.g. an
   * outsider's organization id. Caller keys not fixed and not listed here are absent; with
   * `freePrincipalTags` the caller's tags are free (an outsider tags its own principals).
   */
  domains?: Record<string, Domain>;
  freePrincipalTags?: boolean;
  /** Identity policies of the caller; absent means "its account allows everything" (worst case). */
  identity?: NamedPolicy[];
  boundary?: NamedPolicy;
  /** The actions this caller would call (`sts:AssumeRole` for IAM callers). */
  actions: string[];
}

export const ASSUME = 'sts:AssumeRole';
export const ASSUME_WEB = 'sts:AssumeRoleWithWebIdentity';
export const ASSUME_SAML = 'sts:AssumeRoleWithSAML';

const SESSION = 'rolecall-session';

function uniqueId(prefix: string, seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return prefix + h.toString(36).toUpperCase().padStart(16, 'Q').slice(0, 16);
}

function base(p: RequestPrincipal, actions: string[]): Candidate {
  return { principal: p, fixed: principalContext(p), actions };
}

export function userCandidate(arn: string, id?: string): Candidate | undefined {
  const ref = classifyAwsPrincipal(arn);
  if (!ref || ref.t !== 'user') return undefined;
  const account = arn.split(':')[4] as string;
  return base({ type: 'User', account, arn, id: id ?? uniqueId('AIDA', arn) }, [ASSUME]);
}

/** A session of the role (`arn:aws:iam::A:role/path/name`), or the session ARN itself. */
export function roleSessionCandidate(arn: string, roleId?: string, session = SESSION): Candidate | undefined {
  const ref = classifyAwsPrincipal(arn);
  if (!ref) return undefined;
  const parts = arn.split(':');
  const account = parts[4] as string;
  const partition = parts[1] as string;
  if (ref.t === 'role') {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const rid = roleId ?? uniqueId('AROA', arn);
    return base({ type: 'AssumedRole', account, arn: `arn:${partition}:sts::${account}:assumed-role/${name}/${session}`, roleArn: arn, roleId: rid, id: `${rid}:${session}` }, [ASSUME]);
  }
  if (ref.t === 'session') {
    const [, name, sess] = (parts.slice(5).join(':')).split('/') as [string, string, string];
    const roleArn = `arn:${partition}:iam::${account}:role/${name}`;
    const rid = roleId ?? uniqueId('AROA', roleArn);
    return base({ type: 'AssumedRole', account, arn, roleArn, roleId: rid, id: `${rid}:${sess}` }, [ASSUME]);
  }
  return undefined;
}

export function serviceCandidate(service: string): Candidate {
  return base({ type: 'Service', service }, [ASSUME]);
}

export function webIdentityCandidate(provider: string, saml: boolean): Candidate {
  return base({ type: 'WebIdentity', provider }, [saml ? ASSUME_SAML : ASSUME_WEB]);
}

/** An arbitrary user and an arbitrary role session of an account. */
export function accountMembers(account: string, name = 'rolecall-any'): Candidate[] {
  return [userCandidate(`arn:aws:iam::${account}:user/${name}-user`), roleSessionCandidate(`arn:aws:iam::${account}:role/${name}-role`)].filter((c): c is Candidate => c !== undefined);
}

/** A user or role (session) from a concrete principal ARN: user, role, or role session ARN. */
export function candidateForArn(arn: string): Candidate | undefined {
  return userCandidate(arn) ?? roleSessionCandidate(arn);
}

/** Make a candidate an outsider: its organization is not yours, its tags are its own. */
export function asOutsider(c: Candidate, outsiderOrg: string): Candidate {
  return { ...c, domains: { ...c.domains, 'aws:principalorgid': [undefined, outsiderOrg], 'aws:principalorgpaths': [undefined] }, freePrincipalTags: true };
}

export function accountOf(c: Candidate): string | undefined {
  return c.principal.account;
}

/** How a witness names its caller. */
export function describePrincipal(p: RequestPrincipal): string {
  if (p.type === 'Service') return p.service ?? 'service';
  if (p.type === 'WebIdentity') return p.provider ?? 'web identity';
  return p.arn ?? p.type;
}
