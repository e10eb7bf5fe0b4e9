/**
 * Instance profiles. roleNames are rows of instance_profile_roles (ordered by position) that
 * reference roles by id: listForRole is an index lookup and a deleted role leaves its profiles.
 */
import type { Kysely } from 'kysely';
import type { InstanceProfileRecord, InstanceProfileRepo } from '../ports.js';
import { byText, count, dateToText, fromJson, guardConflict, lower, startsWith, tagsToText, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import { requireOwnerId } from './owners.js';
import type { Database, InstanceProfilesTable } from './schema.js';

async function roleNamesOf(db: Kysely<Database>, profileIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(profileIds.map((id) => [id, []]));
  if (profileIds.length === 0) return out;
  const rows = await db
    .selectFrom('instance_profile_roles as pr')
    .innerJoin('roles as r', 'r.id', 'pr.role_id')
    .select(['pr.profile_id', 'r.name'])
    .where('pr.profile_id', 'in', profileIds)
    .orderBy('pr.profile_id')
    .orderBy('pr.position')
    .execute();
  for (const r of rows) out.get(r.profile_id)?.push(r.name);
  return out;
}

async function setRoles(db: Kysely<Database>, profileId: string, accountId: string, roleNames: readonly string[]): Promise<void> {
  await db.deleteFrom('instance_profile_roles').where('profile_id', '=', profileId).execute();
  const seen = new Set<string>();
  let position = 0;
  for (const name of roleNames) {
    if (seen.has(lower(name))) continue;
    seen.add(lower(name));
    const roleId = await requireOwnerId(db, accountId, 'role', name);
    await db.insertInto('instance_profile_roles').values({ profile_id: profileId, role_id: roleId, position: position++ }).execute();
  }
}

export function instanceProfileRepo(ctx: SqlContext): InstanceProfileRepo {
  async function toRecords(db: Kysely<Database>, rows: InstanceProfilesTable[]): Promise<InstanceProfileRecord[]> {
    const roles = await roleNamesOf(db, rows.map((r) => r.id));
    return rows.map((r) => ({
      accountId: r.account_id,
      name: r.name,
      path: r.path,
      id: r.id,
      arn: r.arn,
      createdAt: textToDate(r.created_at),
      roleNames: roles.get(r.id) ?? [],
      tags: fromJson(r.tags),
    }));
  }

  async function find(db: Kysely<Database>, accountId: string, name: string) {
    return db.selectFrom('instance_profiles').selectAll().where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
  }

  return {
    async create(p) {
      await ctx.atomic(async (db) => {
        await guardConflict(ctx, 'instance profile', p.name, () =>
          db
            .insertInto('instance_profiles')
            .values({ id: p.id, account_id: p.accountId, name: p.name, name_lower: lower(p.name), path: p.path, arn: p.arn, created_at: dateToText(p.createdAt), tags: tagsToText(p.tags) })
            .execute(),
        );
        await setRoles(db, p.id, p.accountId, p.roleNames);
      });
    },

    async get(accountId, name) {
      const db = ctx.db();
      const r = await find(db, accountId, name);
      return r && (await toRecords(db, [r]))[0];
    },

    async list(accountId, pathPrefix) {
      const db = ctx.db();
      let q = db.selectFrom('instance_profiles').selectAll().where('account_id', '=', accountId);
      if (pathPrefix !== undefined) q = q.where(startsWith('path', pathPrefix));
      return toRecords(db, await q.orderBy(byText(ctx, 'name_lower')).execute());
    },

    async listForRole(accountId, roleName) {
      const db = ctx.db();
      const rows = await db
        .selectFrom('instance_profiles')
        .selectAll()
        .where('id', 'in', db.selectFrom('instance_profile_roles as pr').innerJoin('roles as r', 'r.id', 'pr.role_id').select('pr.profile_id').where('r.account_id', '=', accountId).where('r.name_lower', '=', lower(roleName)))
        .orderBy(byText(ctx, 'name_lower'))
        .execute();
      return toRecords(db, rows);
    },

    async update(accountId, name, patch) {
      return ctx.atomic(async (db) => {
        const p = await find(db, accountId, name);
        if (!p) return false;
        if (patch.tags !== undefined) await db.updateTable('instance_profiles').set({ tags: tagsToText(patch.tags) }).where('id', '=', p.id).execute();
        if (patch.roleNames !== undefined) await setRoles(db, p.id, accountId, patch.roleNames ?? []);
        return true;
      });
    },

    async delete(accountId, name) {
      const res = await ctx.db().deleteFrom('instance_profiles').where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
      return count(res.numDeletedRows) > 0; // roles: ON DELETE CASCADE
    },
  };
}
