import type { Updateable } from 'kysely';
import type { UserRecord, UserRepo } from '../ports.js';
import { byText, compact, count, dateToText, fromJson, guardConflict, lower, optDate, required, startsWith, tagsToText, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import { deleteOwnedRows } from './owners.js';
import type { UsersTable } from './schema.js';

export function userToRecord(r: UsersTable): UserRecord {
  return compact({
    accountId: r.account_id,
    name: r.name,
    path: r.path,
    id: r.id,
    arn: r.arn,
    createdAt: textToDate(r.created_at),
    tags: fromJson(r.tags),
    permissionsBoundaryArn: r.permissions_boundary_arn ?? undefined,
    passwordLastUsed: optDate(r.password_last_used),
  });
}

export function userRepo(ctx: SqlContext): UserRepo {
  return {
    async create(u) {
      await guardConflict(ctx, 'user', u.name, () =>
        ctx
          .db()
          .insertInto('users')
          .values({
            id: u.id,
            account_id: u.accountId,
            name: u.name,
            name_lower: lower(u.name),
            path: u.path,
            arn: u.arn,
            created_at: dateToText(u.createdAt),
            tags: tagsToText(u.tags),
            permissions_boundary_arn: u.permissionsBoundaryArn ?? null,
            password_last_used: u.passwordLastUsed ? dateToText(u.passwordLastUsed) : null,
          })
          .execute(),
      );
    },

    async get(accountId, name) {
      const r = await ctx.db().selectFrom('users').selectAll().where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
      return r && userToRecord(r);
    },

    async getById(id) {
      const r = await ctx.db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && userToRecord(r);
    },

    async list(accountId, pathPrefix) {
      let q = ctx.db().selectFrom('users').selectAll().where('account_id', '=', accountId);
      if (pathPrefix !== undefined) q = q.where(startsWith('path', pathPrefix));
      const rows = await q.orderBy(byText(ctx, 'name_lower')).execute();
      return rows.map(userToRecord);
    },

    async update(accountId, name, patch) {
      const set: Updateable<UsersTable> = {};
      if (patch.name !== undefined) {
        const n = required('name', patch.name);
        set.name = n;
        set.name_lower = lower(n);
      }
      if (patch.path !== undefined) set.path = required('path', patch.path);
      if (patch.arn !== undefined) set.arn = required('arn', patch.arn);
      if (patch.tags !== undefined) set.tags = tagsToText(patch.tags);
      if (patch.permissionsBoundaryArn !== undefined) set.permissions_boundary_arn = patch.permissionsBoundaryArn;
      const where = { accountId, nameLower: lower(name) };
      if (Object.keys(set).length === 0) {
        const r = await ctx.db().selectFrom('users').select('id').where('account_id', '=', where.accountId).where('name_lower', '=', where.nameLower).executeTakeFirst();
        return r !== undefined;
      }
      // Memberships, keys, MFA devices and policies reference the user's id: a rename is one row.
      const res = await guardConflict(ctx, 'user', set.name ?? name, () =>
        ctx.db().updateTable('users').set(set).where('account_id', '=', where.accountId).where('name_lower', '=', where.nameLower).executeTakeFirst(),
      );
      return count(res.numUpdatedRows) > 0;
    },

    async delete(accountId, name) {
      return ctx.atomic(async (db) => {
        const row = await db.selectFrom('users').select('id').where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
        if (!row) return false;
        await deleteOwnedRows(db, row.id);
        // An MFA device outlives its user (AWS virtual devices do) but is no longer enabled.
        await db.updateTable('mfa_devices').set({ user_id: null, enabled_at: null }).where('user_id', '=', row.id).execute();
        // group_members and access_keys go by ON DELETE CASCADE.
        const res = await db.deleteFrom('users').where('id', '=', row.id).executeTakeFirst();
        return count(res.numDeletedRows) > 0;
      });
    },
  };
}
