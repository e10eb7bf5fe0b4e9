/**
 * IAM user and role ARNs in a role's trust policy are bound to the entity's unique id when the
 * policy is saved; the API shows the ARN again while that entity exists. After it is deleted the
 * bare unique id (`AIDA…`, `AROA…`) appears in its place, and re-creating an entity with the
 * same name does NOT restore trust: the new entity has a new id.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 *
 * A principal ARN naming a user or role that does not exist is refused on save with
 * `MalformedPolicyDocument: Invalid principal in policy: "AWS":"<arn>"`. Principals of accounts
 * that do not live in this Rolecall cannot be checked and are kept as written.
 */
import { AwsError } from '../../../domain/aws-error.js';
import { classifyAwsPrincipal, parseArn, type Policy } from '../../../policy/index.js';
import type { RoleRecord, Store } from '../../../store/ports.js';

export type TrustPrincipalIds = RoleRecord['trustPrincipalIds'];

function awsPrincipalValues(policy: Policy): string[] {
  const out: string[] = [];
  for (const st of policy.Statement) {
    for (const block of [st.Principal, st.NotPrincipal]) {
      if (block && block.kind === 'map' && block.AWS) out.push(...block.AWS);
    }
  }
  return out;
}

/** Split `arn:aws:iam::A:user/path/name` into the entity kind, account and name. */
function entityOf(arn: string): { kind: 'user' | 'role'; account: string; name: string } | undefined {
  const ref = classifyAwsPrincipal(arn);
  if (!ref || (ref.t !== 'user' && ref.t !== 'role')) return undefined;
  const a = parseArn(arn);
  if (!a) return undefined;
  return { kind: ref.t, account: a.account, name: a.resource.slice(a.resource.lastIndexOf('/') + 1) };
}

/**
 * Binds the user/role principals of a (validated) trust policy to unique ids, or throws
 * MalformedPolicyDocument for a principal naming an entity that does not exist.
 */
export async function resolveTrustPrincipals(policy: Policy, store: Store, callerAccountId: string): Promise<TrustPrincipalIds> {
  const out: TrustPrincipalIds = [];
  const seen = new Set<string>();
  const accountKnown = new Map<string, boolean>();
  for (const value of awsPrincipalValues(policy)) {
    if (seen.has(value)) continue;
    seen.add(value);
    const ent = entityOf(value);
    if (!ent) continue;
    if (ent.account !== callerAccountId) {
      let known = accountKnown.get(ent.account);
      if (known === undefined) {
        known = (await store.accounts.get(ent.account)) !== undefined;
        accountKnown.set(ent.account, known);
      }
      if (!known) continue; // INVARIANT: only accounts we hold can be checked
    }
    const rec = ent.kind === 'user' ? await store.users.get(ent.account, ent.name) : await store.roles.get(ent.account, ent.name);
    // The ARN must name the entity exactly (path and name as stored).
    if (!rec || rec.arn !== value) {
      throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${value}"`);
    }
    out.push({ arn: value, id: rec.id });
  }
  return out;
}

async function currentArnOf(store: Store, id: string): Promise<string | undefined> {
  if (id.startsWith('AIDA')) return (await store.users.getById(id))?.arn;
  if (id.startsWith('AROA')) return (await store.roles.getById(id))?.arn;
  return (await store.users.getById(id))?.arn ?? (await store.roles.getById(id))?.arn;
}

function rewrite(v: unknown, map: Map<string, string>): unknown {
  if (typeof v === 'string') return map.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => rewrite(x, map));
  return v;
}

/**
 * The trust policy as IAM shows it and as the engine must see it: every bound principal is
 * replaced by the current ARN of the entity holding its unique id (so a renamed user still
 * matches), or by the bare unique id when that entity is gone (which matches nobody new).
 * Returns the stored text unchanged when nothing needs rewriting. Only `Principal`/`NotPrincipal`
 * values change; condition values such as `aws:PrincipalArn` are not bound (as in IAM).
 */
export async function effectiveTrustPolicy(role: RoleRecord, store: Store): Promise<string> {
  if (role.trustPrincipalIds.length === 0) return role.assumeRolePolicyDocument;
  const map = new Map<string, string>();
  for (const { arn, id } of role.trustPrincipalIds) {
    const now = (await currentArnOf(store, id)) ?? id;
    if (now !== arn) map.set(arn, now);
  }
  if (map.size === 0) return role.assumeRolePolicyDocument;
  const doc = JSON.parse(role.assumeRolePolicyDocument) as Record<string, unknown>;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const st of statements as Array<Record<string, unknown>>) {
    for (const key of ['Principal', 'NotPrincipal']) {
      const block = st?.[key];
      if (block && typeof block === 'object' && !Array.isArray(block) && 'AWS' in block) {
        (block as Record<string, unknown>).AWS = rewrite((block as Record<string, unknown>).AWS, map);
      }
    }
  }
  return JSON.stringify(doc);
}
