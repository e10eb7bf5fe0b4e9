import type { Updateable } from 'kysely';
import { StoreReferenceError, type GroupRecord, type GroupRepo } from '../ports.js';
import { byText, count, dateToText, guardConflict, lower, required, startsWith, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import { deleteOwnedRows, findOwnerId } from './owners.js';
import type { GroupsTable } from './schema.js';

function toRecord(r: GroupsTable): GroupRecord {
  return { accountId: r.account_id, name: r.name, path: r.path, id: r.id, arn: r.arn, createdAt: textToDate(r.created_at) };
}

export function groupRepo(ctx: SqlContext): GroupRepo {
  return {
    async create(g) {
      await guardConflict(ctx, 'group', g.name, () =>
        ctx
          .db()
          .insertInto('groups')
          .values({ id: g.id, account_id: g.accountId, name: g.name, name_lower: lower(g.name), path: g.path, arn: g.arn, created_at: dateToText(g.createdAt) })
          .execute(),
      );
    },

    async get(accountId, name) {
      const r = await ctx.db().selectFrom('groups').selectAll().where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
      return r && toRecord(r);
    },

    async list(accountId, pathPrefix) {
      let q = ctx.db().selectFrom('groups').selectAll().where('account_id', '=', accountId);
      if (pathPrefix !== undefined) q = q.where(startsWith('path', pathPrefix));
      return (await q.orderBy(byText(ctx, 'name_lower')).execute()).map(toRecord);
    },

    async update(accountId, name, patch) {
      const set: Updateable<GroupsTable> = {};
      if (patch.name !== undefined) {
        const n = required('name', patch.name);
        set.name = n;
        set.name_lower = lower(n);
      }
      if (patch.path !== undefined) set.path = required('path', patch.path);
      if (patch.arn !== undefined) set.arn = required('arn', patch.arn);
      if (Object.keys(set).length === 0) return (await findOwnerId(ctx.db(), accountId, 'group', name)) !== undefined;
      const res = await guardConflict(ctx, 'group', set.name ?? name, () =>
        ctx.db().updateTable('groups').set(set).where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst(),
      );
      return count(res.numUpdatedRows) > 0;
    },

    async delete(accountId, name) {
      return ctx.atomic(async (db) => {
        const id = await findOwnerId(db, accountId, 'group', name);
        if (id === undefined) return false;
        await deleteOwnedRows(db, id);
        const res = await db.deleteFrom('groups').where('id', '=', id).executeTakeFirst(); // members: ON DELETE CASCADE
        return count(res.numDeletedRows) > 0;
      });
    },

    async addUser(accountId, groupName, userName) {
      await ctx.atomic(async (db) => {
        const groupId = await findOwnerId(db, accountId, 'group', groupName);
        if (groupId === undefined) throw new StoreReferenceError('group', `${accountId}/${groupName}`);
        const userId = await findOwnerId(db, accountId, 'user', userName);
        if (userId === undefined) throw new StoreReferenceError('user', `${accountId}/${userName}`);
        // Idempotent, as AddUserToGroup is.
        await db
          .insertInto('group_members')
          .values({ group_id: groupId, user_id: userId })
          .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
          .execute();
      });
    },

    async removeUser(accountId, groupName, userName) {
      const db = ctx.db();
      const res = await db
        .deleteFrom('group_members')
        .where('group_id', 'in', db.selectFrom('groups').select('id').where('account_id', '=', accountId).where('name_lower', '=', lower(groupName)))
        .where('user_id', 'in', db.selectFrom('users').select('id').where('account_id', '=', accountId).where('name_lower', '=', lower(userName)))
        .executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },

    async listUsers(accountId, groupName) {
      const rows = await ctx
        .db()
        .selectFrom('group_members as m')
        .innerJoin('groups as g', 'g.id', 'm.group_id')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select('u.name')
        .where('g.account_id', '=', accountId)
        .where('g.name_lower', '=', lower(groupName))
        .orderBy(byText(ctx, 'u.name_lower'))
        .execute();
      return rows.map((r) => r.name);
    },

    async listGroupsForUser(accountId, userName) {
      const rows = await ctx
        .db()
        .selectFrom('group_members as m')
        .innerJoin('groups as g', 'g.id', 'm.group_id')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .selectAll('g')
        .where('u.account_id', '=', accountId)
        .where('u.name_lower', '=', lower(userName))
        .orderBy(byText(ctx, 'g.name_lower'))
        .execute();
      return rows.map(toRecord);
    },
  };
}
