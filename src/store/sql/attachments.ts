import { sql } from 'kysely';
import type { AttachmentRecord, AttachmentRepo } from '../ports.js';
import { byText, count } from './codec.js';
import type { SqlContext } from './context.js';
import { findOwnerId, isOwnerType, requireOwnerId } from './owners.js';

export function attachmentRepo(ctx: SqlContext): AttachmentRepo {
  /** Attachments with their owner's current name (owners are users, groups or roles). */
  function withOwnerName() {
    return ctx
      .db()
      .selectFrom('attachments as a')
      .leftJoin('users as u', 'u.id', 'a.owner_id')
      .leftJoin('groups as g', 'g.id', 'a.owner_id')
      .leftJoin('roles as r', 'r.id', 'a.owner_id')
      .select((eb) => [
        'a.account_id',
        'a.owner_type',
        'a.policy_arn',
        eb.fn.coalesce('u.name', 'g.name', 'r.name').as('owner_name'),
        eb.fn.coalesce('u.name_lower', 'g.name_lower', 'r.name_lower').as('owner_name_lower'),
      ]);
  }

  function toRecord(r: { account_id: string; owner_type: string; policy_arn: string; owner_name: string | null }): AttachmentRecord {
    if (!isOwnerType(r.owner_type) || r.owner_name === null) throw new Error(`store: corrupt attachment row for ${r.policy_arn}`);
    return { accountId: r.account_id, ownerType: r.owner_type, ownerName: r.owner_name, policyArn: r.policy_arn };
  }

  return {
    async attach(a) {
      await ctx.atomic(async (db) => {
        const ownerId = await requireOwnerId(db, a.accountId, a.ownerType, a.ownerName);
        await db
          .insertInto('attachments')
          .values({ account_id: a.accountId, owner_type: a.ownerType, owner_id: ownerId, policy_arn: a.policyArn })
          .onConflict((oc) => oc.columns(['owner_id', 'policy_arn']).doNothing())
          .execute();
      });
    },

    async detach(a) {
      const ownerId = await findOwnerId(ctx.db(), a.accountId, a.ownerType, a.ownerName);
      if (ownerId === undefined) return false;
      const res = await ctx.db().deleteFrom('attachments').where('owner_id', '=', ownerId).where('policy_arn', '=', a.policyArn).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },

    async listForEntity(accountId, ownerType, ownerName) {
      const ownerId = await findOwnerId(ctx.db(), accountId, ownerType, ownerName);
      if (ownerId === undefined) return [];
      const rows = await withOwnerName().where('a.owner_id', '=', ownerId).orderBy(byText(ctx, 'a.policy_arn')).execute();
      return rows.map(toRecord);
    },

    async listForPolicy(policyArn) {
      const rows = await withOwnerName().where('a.policy_arn', '=', policyArn).orderBy(byText(ctx, 'a.account_id')).orderBy(byText(ctx, 'a.owner_type')).orderBy(byText(ctx, sql`coalesce(u.name_lower, g.name_lower, r.name_lower)`)).execute();
      return rows.map(toRecord);
    },

    async countBoundaryUsage(accountId, policyArn) {
      const db = ctx.db();
      // An AWS managed policy is shared by every account: each counts its own entities only.
      const u = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).where('permissions_boundary_arn', '=', policyArn).executeTakeFirstOrThrow();
      const r = await db.selectFrom('roles').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).where('permissions_boundary_arn', '=', policyArn).executeTakeFirstOrThrow();
      return Number(u.n) + Number(r.n);
    },
  };
}
