/**
 * The identity-based policies of an IAM user, group or role, and its permissions boundary, as the
 * policy engine takes them. The gateway's authorizer calls this for every request (for a user, a
 * role session, or the user behind a federated session) and SimulatePrincipalPolicy uses it too.
 *
 * A user gets its inline and attached managed policies plus those of every group it belongs to;
 * managed policies are evaluated at their default version. Groups have no boundary.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * INVARIANT: fail closed. A stored document that no longer parses, or an attachment whose policy
 * vanished, is an error (ServiceFailure), never a silently dropped policy: dropping one could drop
 * a Deny.
 */
import { AwsError } from '../../../domain/aws-error.js';
import type { Caller } from '../../../domain/caller.js';
import { parsePolicy, type NamedPolicy, type Policy, type PolicyType } from '../../../policy/index.js';
import type { PrincipalEntityType, Store } from '../../../store/ports.js';

/** An IAM entity whose policies are wanted. */
export interface IdentityRef {
  type: PrincipalEntityType;
  accountId: string;
  name: string;
}

export interface IdentityPolicySet {
  /** Inline policies (`sourceType` user/group/role, id = policy name) and managed policies
   * (`sourceType` user-managed/aws-managed, id = policy name), in that order per entity. */
  identity: NamedPolicy[];
  /** The entity's permissions boundary, when it has one. */
  boundary?: NamedPolicy;
}

/** The entity a caller's identity policies come from; undefined for the root user. */
export function identityOfCaller(caller: Caller): IdentityRef | undefined {
  switch (caller.kind) {
    case 'user':
    case 'federated-user':
      return caller.userName ? { type: 'user', accountId: caller.accountId, name: caller.userName } : undefined;
    case 'assumed-role':
      return caller.roleName ? { type: 'role', accountId: caller.accountId, name: caller.roleName } : undefined;
    default:
      return undefined;
  }
}

/**
 * Parsed documents by (type, text): every request reads its caller's policies, and the same
 * parsed model lets the engine reuse its compiled form (compiled once per model object).
 * Bounded; cleared when full.
 */
const parsed = new Map<string, Policy>();
const PARSED_MAX = 5000;

function load(doc: string, type: PolicyType, id: string, sourceType: string): NamedPolicy {
  const key = `${type}\u0000${doc}`;
  let policy = parsed.get(key);
  if (!policy) {
    const r = parsePolicy(doc, { type });
    if (!r.ok) throw new AwsError('ServiceFailure', `Stored policy ${id} could not be parsed: ${r.errors[0]?.message ?? 'unknown error'}`);
    policy = r.policy;
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(key, policy);
  }
  return { id, policy, sourceType };
}

async function managed(store: Store, arn: string, type: PolicyType): Promise<NamedPolicy> {
  const p = await store.policies.get(arn);
  const v = p && (await store.policies.getVersion(arn, p.defaultVersionId));
  if (!p || !v) throw new AwsError('ServiceFailure', `Managed policy ${arn} is referenced but missing.`);
  return load(v.document, type, p.name, p.accountId === 'aws' ? 'aws-managed' : 'user-managed');
}

async function entityPolicies(store: Store, ref: IdentityRef): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const ip of await store.inlinePolicies.list(ref.accountId, ref.type, ref.name)) {
    out.push(load(ip.document, 'identity', ip.policyName, ref.type));
  }
  for (const a of await store.attachments.listForEntity(ref.accountId, ref.type, ref.name)) {
    out.push(await managed(store, a.policyArn, 'identity'));
  }
  return out;
}

/**
 * Identity policies and boundary of a user, group or role, or of a caller (IAM user, role session,
 * the IAM user behind a federated session). An entity that does not exist has no policies: the
 * result is empty, and callers that must report NoSuchEntity check existence themselves. The root
 * user has no identity policies (the authorizer treats it apart).
 *
 * INVARIANT: a caller bound to a unique id (a role session's `roleId`, a user's `id`) only gets
 * the policies of that very entity: a role or user deleted and re-created under the same name
 * is another entity, and the old credentials get nothing from it.
 */
export async function identityPolicySet(store: Store, principal: IdentityRef | Caller): Promise<IdentityPolicySet> {
  const ref = 'type' in principal ? principal : identityOfCaller(principal);
  if (!ref) return { identity: [] };
  let boundaryArn: string | undefined;
  if (ref.type === 'user') {
    const user = await store.users.get(ref.accountId, ref.name);
    if (!user || !sameEntity(principal, user.id)) return { identity: [] };
    boundaryArn = user.permissionsBoundaryArn;
  } else if (ref.type === 'role') {
    const role = await store.roles.get(ref.accountId, ref.name);
    if (!role || !sameEntity(principal, role.id)) return { identity: [] };
    boundaryArn = role.permissionsBoundaryArn;
  }
  const identity = await entityPolicies(store, ref);
  if (ref.type === 'user') {
    for (const g of await store.groups.listGroupsForUser(ref.accountId, ref.name)) {
      identity.push(...(await entityPolicies(store, { type: 'group', accountId: ref.accountId, name: g.name })));
    }
  }
  const set: IdentityPolicySet = { identity };
  if (boundaryArn) set.boundary = await managed(store, boundaryArn, 'boundary');
  return set;
}

/** False when the caller carries the unique id of another entity than the one found by name. */
function sameEntity(principal: IdentityRef | Caller, id: string): boolean {
  if ('type' in principal) return true;
  const p = principal.principal;
  if (principal.kind === 'assumed-role') return p.roleId === undefined || p.roleId === id;
  if (principal.kind === 'user') return p.id === undefined || p.id === id;
  return true;
}
