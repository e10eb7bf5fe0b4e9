import type { Updateable } from 'kysely';
import type { RoleRecord, RoleRepo } from '../ports.js';
import { byText, compact, count, dateToText, fromJson, guardConflict, lower, optDate, required, startsWith, tagsToText, textToDate, toJson } from './codec.js';
import type { SqlContext } from './context.js';
import { deleteOwnedRows, findOwnerId } from './owners.js';
import type { RolesTable } from './schema.js';

function toRecord(r: RolesTable): RoleRecord {
  const lastUsedDate = optDate(r.last_used_date);
  return compact({
    accountId: r.account_id,
    name: r.name,
    path: r.path,
    id: r.id,
    arn: r.arn,
    createdAt: textToDate(r.created_at),
    assumeRolePolicyDocument: r.assume_role_policy_document,
    trustPrincipalIds: fromJson(r.trust_principal_ids),
    description: r.description ?? undefined,
    maxSessionDuration: Number(r.max_session_duration),
    tags: fromJson(r.tags),
    permissionsBoundaryArn: r.permissions_boundary_arn ?? undefined,
    lastUsed: lastUsedDate && { date: lastUsedDate, region: r.last_used_region ?? '' },
  });
}

function trustIdsToText(ids: RoleRecord['trustPrincipalIds'] | null): string {
  return toJson((ids ?? []).map((p) => ({ arn: p.arn, id: p.id })));
}

export function roleRepo(ctx: SqlContext): RoleRepo {
  return {
    async create(r) {
      await guardConflict(ctx, 'role', r.name, () =>
        ctx
          .db()
          .insertInto('roles')
          .values({
            id: r.id,
            account_id: r.accountId,
            name: r.name,
            name_lower: lower(r.name),
            path: r.path,
            arn: r.arn,
            created_at: dateToText(r.createdAt),
            assume_role_policy_document: r.assumeRolePolicyDocument,
            trust_principal_ids: trustIdsToText(r.trustPrincipalIds),
            description: r.description ?? null,
            max_session_duration: r.maxSessionDuration,
            tags: tagsToText(r.tags),
            permissions_boundary_arn: r.permissionsBoundaryArn ?? null,
            last_used_date: r.lastUsed ? dateToText(r.lastUsed.date) : null,
            last_used_region: r.lastUsed ? r.lastUsed.region : null,
          })
          .execute(),
      );
    },

    async get(accountId, name) {
      const r = await ctx.db().selectFrom('roles').selectAll().where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
      return r && toRecord(r);
    },

    async getById(id) {
      const r = await ctx.db().selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toRecord(r);
    },

    async list(accountId, pathPrefix) {
      let q = ctx.db().selectFrom('roles').selectAll().where('account_id', '=', accountId);
      if (pathPrefix !== undefined) q = q.where(startsWith('path', pathPrefix));
      return (await q.orderBy(byText(ctx, 'name_lower')).execute()).map(toRecord);
    },

    async update(accountId, name, patch) {
      const set: Updateable<RolesTable> = {};
      if (patch.assumeRolePolicyDocument !== undefined) set.assume_role_policy_document = required('assumeRolePolicyDocument', patch.assumeRolePolicyDocument);
      if (patch.trustPrincipalIds !== undefined) set.trust_principal_ids = trustIdsToText(patch.trustPrincipalIds);
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.maxSessionDuration !== undefined) set.max_session_duration = required('maxSessionDuration', patch.maxSessionDuration);
      if (patch.tags !== undefined) set.tags = tagsToText(patch.tags);
      if (patch.permissionsBoundaryArn !== undefined) set.permissions_boundary_arn = patch.permissionsBoundaryArn;
      if (patch.lastUsed !== undefined) {
        set.last_used_date = patch.lastUsed ? dateToText(patch.lastUsed.date) : null;
        set.last_used_region = patch.lastUsed ? patch.lastUsed.region : null;
      }
      if (Object.keys(set).length === 0) return (await findOwnerId(ctx.db(), accountId, 'role', name)) !== undefined;
      const res = await ctx.db().updateTable('roles').set(set).where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
      return count(res.numUpdatedRows) > 0;
    },

    async delete(accountId, name) {
      return ctx.atomic(async (db) => {
        const id = await findOwnerId(db, accountId, 'role', name);
        if (id === undefined) return false;
        await deleteOwnedRows(db, id);
        // instance_profile_roles: ON DELETE CASCADE. Other roles' trustPrincipalIds keep this
        // id on purpose: AWS trust survives by unique id, and a new role of this name is not it.
        const res = await db.deleteFrom('roles').where('id', '=', id).executeTakeFirst();
        return count(res.numDeletedRows) > 0;
      });
    },
  };
}
