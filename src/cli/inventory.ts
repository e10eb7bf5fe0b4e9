/**
 * Reads the inventory snapshot the analyzer works on from the store: every account, user and role
 * with the policies the authorizer would use (inline, attached, group policies, boundary), each
 * role's trust policy as IAM evaluates it (deleted principals left as their unique ids), and which
 * users have an enabled MFA device.
 */
import type { Inventory, InventoryRole, InventoryUser } from '../analyzer/index.js';
import { identityPolicySet, type IdentityPolicySet } from '../services/iam/shared/identity-policies.js';
import { effectiveTrustPolicy } from '../services/iam/shared/trust-principals.js';
import type { Store } from '../store/ports.js';

export async function loadInventory(store: Store, notes: string[] = []): Promise<Inventory> {
  const inv: Inventory = { accounts: [], users: [], roles: [] };
  const policiesOf = async (type: 'user' | 'role', accountId: string, name: string): Promise<IdentityPolicySet> => {
    try {
      return await identityPolicySet(store, { type, accountId, name });
    } catch (e) {
      notes.push(`${type} ${name} in ${accountId}: ${(e as Error).message}; its policies were left out.`);
      return { identity: [] };
    }
  };
  for (const account of await store.accounts.list()) {
    inv.accounts.push(account.id);
    const mfaUsers = new Set((await store.mfaDevices.list(account.id)).filter((d) => d.userName !== undefined && d.enabledAt !== undefined).map((d) => (d.userName as string).toLowerCase()));
    for (const u of await store.users.list(account.id)) {
      const p = await policiesOf('user', account.id, u.name);
      const user: InventoryUser = { accountId: u.accountId, name: u.name, id: u.id, arn: u.arn, tags: u.tags, policies: p.identity, mfaEnabled: mfaUsers.has(u.name.toLowerCase()) };
      if (p.boundary) user.boundary = p.boundary;
      inv.users.push(user);
    }
    for (const r of await store.roles.list(account.id)) {
      const p = await policiesOf('role', account.id, r.name);
      const role: InventoryRole = {
        accountId: r.accountId,
        name: r.name,
        path: r.path,
        id: r.id,
        arn: r.arn,
        tags: r.tags,
        policies: p.identity,
        trustPolicy: await effectiveTrustPolicy(r, store),
        maxSessionDuration: r.maxSessionDuration,
      };
      if (p.boundary) role.boundary = p.boundary;
      inv.roles.push(role);
    }
  }
  return inv;
}
