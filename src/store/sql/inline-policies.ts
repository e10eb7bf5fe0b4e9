import type { InlinePolicyRecord, InlinePolicyRepo, PrincipalEntityType } from '../ports.js';
import { byText, count, lower } from './codec.js';
import type { SqlContext } from './context.js';
import { findOwnerId, requireOwnerId } from './owners.js';

export function inlinePolicyRepo(ctx: SqlContext): InlinePolicyRepo {
  /** Rows of one owner, with the owner's current name. */
  function ownerRows(accountId: string, ownerType: PrincipalEntityType, ownerName: string) {
    const db = ctx.db();
    const table = ({ user: 'users', group: 'groups', role: 'roles' } as const)[ownerType] as 'users';
    return db
      .selectFrom('inline_policies as i')
      .innerJoin(`${table} as o`, 'o.id', 'i.owner_id')
      .select(['i.policy_name', 'i.document', 'o.name as owner_name'])
      .where('i.owner_type', '=', ownerType)
      .where('o.account_id', '=', accountId)
      .where('o.name_lower', '=', lower(ownerName));
  }

  function toRecord(accountId: string, ownerType: PrincipalEntityType, r: { policy_name: string; document: string; owner_name: string }): InlinePolicyRecord {
    return { accountId, ownerType, ownerName: r.owner_name, policyName: r.policy_name, document: r.document };
  }

  return {
    async put(p) {
      await ctx.atomic(async (db) => {
        const ownerId = await requireOwnerId(db, p.accountId, p.ownerType, p.ownerName);
        await db
          .insertInto('inline_policies')
          .values({
            account_id: p.accountId,
            owner_type: p.ownerType,
            owner_id: ownerId,
            policy_name: p.policyName,
            policy_name_lower: lower(p.policyName),
            document: p.document,
          })
          .onConflict((oc) => oc.columns(['owner_id', 'policy_name_lower']).doUpdateSet({ document: p.document, policy_name: p.policyName }))
          .execute();
      });
    },

    async get(accountId, ownerType, ownerName, policyName) {
      const r = await ownerRows(accountId, ownerType, ownerName).where('i.policy_name_lower', '=', lower(policyName)).executeTakeFirst();
      return r && toRecord(accountId, ownerType, r);
    },

    async list(accountId, ownerType, ownerName) {
      const rows = await ownerRows(accountId, ownerType, ownerName).orderBy(byText(ctx, 'i.policy_name_lower')).execute();
      return rows.map((r) => toRecord(accountId, ownerType, r));
    },

    async delete(accountId, ownerType, ownerName, policyName) {
      const ownerId = await findOwnerId(ctx.db(), accountId, ownerType, ownerName);
      if (ownerId === undefined) return false;
      const res = await ctx.db().deleteFrom('inline_policies').where('owner_id', '=', ownerId).where('policy_name_lower', '=', lower(policyName)).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}
