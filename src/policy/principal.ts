/**
 * Principal and NotPrincipal: which principals a resource-based (or trust) policy statement names,
 * and how the name it matched limits the grant.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (resource-based policies table)
 */
import { parseArn } from './arn.js';
import type { PrincipalBlock, RequestPrincipal } from './types.js';

/**
 * How a resource policy grant applies in the same account:
 * - `standalone`: a user ARN, role-session ARN, federated-user ARN, `*`, service or federated
 *   principal; no identity policy, boundary or session policy limits it.
 * - `limited`: the role ARN for one of its sessions, or the user ARN for that user's federated
 *   session; limited by a permissions boundary or session policy (not the identity policy).
 * - `account`: the account; delegates to the account's identity policies.
 */
export type GrantKind = 'standalone' | 'limited' | 'account';
const RANK: Record<GrantKind, number> = { account: 1, limited: 2, standalone: 3 };
export function strongerGrant(a: GrantKind | undefined, b: GrantKind): GrantKind {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

export type AwsPrincipalRef =
  | { t: 'any' }
  | { t: 'account'; account: string }
  | { t: 'user'; arn: string }
  | { t: 'role'; arn: string }
  | { t: 'session'; arn: string }
  | { t: 'federated-user'; arn: string }
  | { t: 'unique-id'; id: string };

const ACCOUNT_RE = /^\d{12}$/;
const UNIQUE_ID_RE = /^A[A-Z]{3}[A-Z0-9]{12,124}$/;

/** Classify an `AWS` principal value; undefined when it is not a valid principal. */
export function classifyAwsPrincipal(v: string): AwsPrincipalRef | undefined {
  if (v === '*') return { t: 'any' };
  if (ACCOUNT_RE.test(v)) return { t: 'account', account: v };
  if (UNIQUE_ID_RE.test(v)) return { t: 'unique-id', id: v };
  const a = parseArn(v);
  if (!a || v.includes('*') || v.includes('?') || !ACCOUNT_RE.test(a.account) || a.region !== '') return undefined;
  if (a.service === 'iam') {
    if (a.resource === 'root') return { t: 'account', account: a.account };
    if (/^user\/(.+\/)?[\w+=,.@-]+$/.test(a.resource)) return { t: 'user', arn: v };
    if (/^role\/(.+\/)?[\w+=,.@-]+$/.test(a.resource)) return { t: 'role', arn: v };
    return undefined;
  }
  if (a.service === 'sts') {
    if (/^assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/.test(a.resource)) return { t: 'session', arn: v };
    if (/^federated-user\/[\w+=,.@-]+$/.test(a.resource)) return { t: 'federated-user', arn: v };
  }
  return undefined;
}

export interface CompiledPrincipal {
  /** The strongest grant kind this block gives `p`, or undefined when it does not name `p`. */
  match(p: RequestPrincipal): GrantKind | undefined;
  /** NotPrincipal: true when every identity layer of `p` (account, user/role, session) is listed. */
  excludes(p: RequestPrincipal): boolean;
}

function matchRef(ref: AwsPrincipalRef, p: RequestPrincipal): GrantKind | undefined {
  switch (ref.t) {
    case 'any':
      return 'standalone';
    case 'account':
      return (p.type === 'User' || p.type === 'AssumedRole' || p.type === 'FederatedUser' || p.type === 'Account') && p.account === ref.account
        ? 'account'
        : undefined;
    case 'user':
      if (p.type === 'User' && p.arn === ref.arn) return 'standalone';
      if (p.type === 'FederatedUser' && p.userArn === ref.arn) return 'limited';
      return undefined;
    case 'role':
      return p.type === 'AssumedRole' && p.roleArn === ref.arn ? 'limited' : undefined;
    case 'session':
    case 'federated-user':
      return p.arn === ref.arn && (p.type === 'AssumedRole' || p.type === 'FederatedUser') ? 'standalone' : undefined;
    case 'unique-id':
      if (p.type === 'User' && p.id === ref.id) return 'standalone';
      if (p.type === 'AssumedRole' && p.roleId === ref.id) return 'limited';
      return undefined;
  }
}

/** The identity layers AWS checks for NotPrincipal: account, then user/role, then session. */
function layers(p: RequestPrincipal): Array<(ref: AwsPrincipalRef) => boolean> {
  const acct = (ref: AwsPrincipalRef) => ref.t === 'account' && ref.account === p.account;
  switch (p.type) {
    case 'Account':
      return [acct];
    case 'User':
      return [acct, (r) => (r.t === 'user' && r.arn === p.arn) || (r.t === 'unique-id' && r.id === p.id)];
    case 'AssumedRole':
      return [
        acct,
        (r) => (r.t === 'role' && r.arn === p.roleArn) || (r.t === 'unique-id' && r.id === p.roleId),
        (r) => r.t === 'session' && r.arn === p.arn,
      ];
    case 'FederatedUser':
      return [acct, (r) => r.t === 'federated-user' && r.arn === p.arn];
    default:
      return [() => false];
  }
}

export function compilePrincipal(block: PrincipalBlock): CompiledPrincipal {
  if (block.kind === 'any') {
    return { match: () => 'standalone', excludes: () => true };
  }
  const aws = (block.AWS ?? []).map((v) => classifyAwsPrincipal(v)).filter((r): r is AwsPrincipalRef => r !== undefined);
  const services = new Set((block.Service ?? []).map((s) => s.toLowerCase()));
  const federated = new Set(block.Federated ?? []);
  const canonical = new Set(block.CanonicalUser ?? []);
  const anyAws = aws.some((r) => r.t === 'any');
  return {
    match(p) {
      if (p.type === 'Service') return p.service !== undefined && services.has(p.service.toLowerCase()) ? 'standalone' : anyAws ? 'standalone' : undefined;
      if (p.type === 'WebIdentity') return p.provider !== undefined && federated.has(p.provider) ? 'standalone' : anyAws ? 'standalone' : undefined;
      if (p.canonicalUser !== undefined && canonical.has(p.canonicalUser)) return 'standalone';
      let best: GrantKind | undefined;
      for (const ref of aws) {
        const k = matchRef(ref, p);
        if (k) best = strongerGrant(best, k);
      }
      return best;
    },
    excludes(p) {
      if (anyAws) return true;
      if (p.type === 'Service') return p.service !== undefined && services.has(p.service.toLowerCase());
      if (p.type === 'WebIdentity') return p.provider !== undefined && federated.has(p.provider);
      if (p.type === 'Anonymous') return false;
      return layers(p).every((layer) => aws.some(layer));
    },
  };
}

/** Derive a request principal from an ARN (user, role session, federated user, account root). */
export function principalFromArn(arn: string, ids: { id?: string; roleId?: string } = {}): RequestPrincipal | undefined {
  const a = parseArn(arn);
  if (!a) return undefined;
  if (a.service === 'iam' && a.resource === 'root') return { type: 'Account', account: a.account, arn, id: a.account };
  if (a.service === 'iam' && a.resource.startsWith('user/')) {
    const p: RequestPrincipal = { type: 'User', account: a.account, arn };
    if (ids.id) p.id = ids.id;
    return p;
  }
  if (a.service === 'sts' && a.resource.startsWith('assumed-role/')) {
    const [, role, session] = a.resource.split('/');
    if (!role || !session) return undefined;
    const p: RequestPrincipal = { type: 'AssumedRole', account: a.account, arn, roleArn: `arn:${a.partition}:iam::${a.account}:role/${role}` };
    if (ids.roleId) {
      p.roleId = ids.roleId;
      p.id = `${ids.roleId}:${session}`;
    }
    return p;
  }
  if (a.service === 'sts' && a.resource.startsWith('federated-user/')) {
    return { type: 'FederatedUser', account: a.account, arn, id: `${a.account}:${a.resource.slice(15)}` };
  }
  return undefined;
}

/**
 * The principal keys AWS puts in every signed request's context.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export function principalContext(p: RequestPrincipal): Record<string, string> {
  const c: Record<string, string> = {};
  const type = p.type === 'Service' || p.type === 'WebIdentity' ? undefined : p.type;
  if (type) c['aws:PrincipalType'] = type;
  if (p.account) c['aws:PrincipalAccount'] = p.account;
  if (p.type === 'AssumedRole' && p.roleArn) c['aws:PrincipalArn'] = p.roleArn;
  else if (p.arn) c['aws:PrincipalArn'] = p.arn;
  if (p.type === 'User' && p.arn) c['aws:username'] = p.arn.slice(p.arn.lastIndexOf('/') + 1);
  if (p.type === 'Account' && p.account) c['aws:userid'] = p.account;
  else if (p.type === 'Anonymous') c['aws:userid'] = 'anonymous';
  else if (p.id) c['aws:userid'] = p.id;
  if (p.type === 'Service') {
    c['aws:PrincipalIsAWSService'] = 'true';
    if (p.service) c['aws:PrincipalServiceName'] = p.service;
  } else if (p.type !== 'Anonymous' && p.type !== 'WebIdentity') c['aws:PrincipalIsAWSService'] = 'false';
  return c;
}
