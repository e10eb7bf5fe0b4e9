/**
 * Managed policies and their versions.
 *
 * INVARIANT: a policy has at most one default version, by construction: the default is the
 * policy row's `default_version_id` and a version's `isDefault` is derived from it, so no
 * sequence of writes can leave two defaults (or flags that disagree with defaultVersionId).
 */
import { sql, type Kysely, type Updateable } from 'kysely';
import { StoreReferenceError, type ManagedPolicyRecord, type ManagedPolicyRepo, type PolicyVersionRecord } from '../ports.js';
import { byText, compact, count, dateToText, fromJson, guardConflict, lower, required, startsWith, tagsToText, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import type { Database, ManagedPoliciesTable, PolicyVersionsTable } from './schema.js';

/** AWS managed policies live under this pseudo account id. */
export const AWS_ACCOUNT = 'aws';

function toRecord(r: ManagedPoliciesTable): ManagedPolicyRecord {
  return compact({
    accountId: r.account_id,
    name: r.name,
    path: r.path,
    id: r.id,
    arn: r.arn,
    description: r.description ?? undefined,
    createdAt: textToDate(r.created_at),
    updatedAt: textToDate(r.updated_at),
    defaultVersionId: r.default_version_id,
    tags: fromJson(r.tags),
  });
}

function versionToRecord(arn: string, defaultVersionId: string, v: PolicyVersionsTable): PolicyVersionRecord {
  return { policyArn: arn, versionId: v.version_id, document: v.document, isDefault: v.version_id === defaultVersionId, createdAt: textToDate(v.created_at) };
}

/** v1, v2, ..., v10 in numeric order. */
function versionOrder(a: string, b: string): number {
  const na = /^v(\d+)$/.exec(a)?.[1];
  const nb = /^v(\d+)$/.exec(b)?.[1];
  if (na !== undefined && nb !== undefined) return Number(na) - Number(nb);
  return a < b ? -1 : a > b ? 1 : 0;
}

async function findPolicy(db: Kysely<Database>, arn: string) {
  return db.selectFrom('managed_policies').select(['id', 'default_version_id']).where('arn', '=', arn).executeTakeFirst();
}

function insertVersion(ctx: SqlContext, db: Kysely<Database>, policyId: string, v: PolicyVersionRecord) {
  return guardConflict(ctx, 'policy version', `${v.policyArn} ${v.versionId}`, () =>
    db.insertInto('policy_versions').values({ policy_id: policyId, version_id: v.versionId, document: v.document, created_at: dateToText(v.createdAt) }).execute(),
  );
}

export function policyRepo(ctx: SqlContext): ManagedPolicyRepo {
  return {
    async create(p, firstVersion) {
      await ctx.atomic(async (db) => {
        await guardConflict(ctx, 'policy', p.name, () =>
          db
            .insertInto('managed_policies')
            .values({
              id: p.id,
              account_id: p.accountId,
              name: p.name,
              name_lower: lower(p.name),
              path: p.path,
              arn: p.arn,
              description: p.description ?? null,
              created_at: dateToText(p.createdAt),
              updated_at: dateToText(p.updatedAt),
              default_version_id: p.defaultVersionId,
              tags: tagsToText(p.tags),
            })
            .execute(),
        );
        await insertVersion(ctx, db, p.id, { ...firstVersion, policyArn: p.arn }); // cold path: CreatePolicy
      });
    },

    async get(arn) {
      const r = await ctx.db().selectFrom('managed_policies').selectAll().where('arn', '=', arn).executeTakeFirst();
      return r && toRecord(r);
    },

    async list(accountId, opts = {}) {
      let q = ctx
        .db()
        .selectFrom('managed_policies')
        .selectAll()
        .where((eb) => (opts.includeAws && accountId !== AWS_ACCOUNT ? eb.or([eb('account_id', '=', accountId), eb('account_id', '=', AWS_ACCOUNT)]) : eb('account_id', '=', accountId)));
      if (opts.pathPrefix !== undefined) q = q.where(startsWith('path', opts.pathPrefix));
      return (await q.orderBy(byText(ctx, 'name_lower')).orderBy(byText(ctx, 'account_id')).execute()).map(toRecord);
    },

    async update(arn, patch) {
      const set: Updateable<ManagedPoliciesTable> = {};
      if (patch.defaultVersionId !== undefined) set.default_version_id = required('defaultVersionId', patch.defaultVersionId);
      if (patch.updatedAt !== undefined) set.updated_at = dateToText(required('updatedAt', patch.updatedAt));
      if (patch.tags !== undefined) set.tags = tagsToText(patch.tags);
      if (patch.description !== undefined) set.description = patch.description;
      if (Object.keys(set).length === 0) return (await findPolicy(ctx.db(), arn)) !== undefined;
      const res = await ctx.db().updateTable('managed_policies').set(set).where('arn', '=', arn).executeTakeFirst();
      return count(res.numUpdatedRows) > 0;
    },

    async delete(arn) {
      return ctx.atomic(async (db) => {
        const p = await findPolicy(db, arn);
        if (!p) return false;
        await db.deleteFrom('attachments').where('policy_arn', '=', arn).execute();
        const res = await db.deleteFrom('managed_policies').where('id', '=', p.id).executeTakeFirst(); // versions: ON DELETE CASCADE
        return count(res.numDeletedRows) > 0;
      });
    },

    async addVersion(v) {
      await ctx.atomic(async (db) => {
        const p = await findPolicy(db, v.policyArn);
        if (!p) throw new StoreReferenceError('policy', v.policyArn);
        await insertVersion(ctx, db, p.id, v);
        if (v.isDefault) {
          await db.updateTable('managed_policies').set({ default_version_id: v.versionId, updated_at: dateToText(v.createdAt) }).where('id', '=', p.id).execute();
        }
      });
    },

    async getVersion(arn, versionId) {
      const r = await ctx
        .db()
        .selectFrom('policy_versions as v')
        .innerJoin('managed_policies as p', 'p.id', 'v.policy_id')
        .selectAll('v')
        .select('p.default_version_id')
        .where('p.arn', '=', arn)
        .where('v.version_id', '=', versionId)
        .executeTakeFirst();
      return r && versionToRecord(arn, r.default_version_id, r);
    },

    async listVersions(arn) {
      const rows = await ctx
        .db()
        .selectFrom('policy_versions as v')
        .innerJoin('managed_policies as p', 'p.id', 'v.policy_id')
        .selectAll('v')
        .select('p.default_version_id')
        .where('p.arn', '=', arn)
        .execute();
      return rows.sort((a, b) => versionOrder(a.version_id, b.version_id)).map((r) => versionToRecord(arn, r.default_version_id, r));
    },

    async deleteVersion(arn, versionId) {
      const db = ctx.db();
      const res = await db
        .deleteFrom('policy_versions')
        .where('policy_id', 'in', db.selectFrom('managed_policies').select('id').where('arn', '=', arn))
        .where('version_id', '=', versionId)
        .executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },

    async setDefaultVersion(arn, versionId, updatedAt) {
      // One conditional statement: it switches the default only if that version exists.
      const res = await ctx
        .db()
        .updateTable('managed_policies')
        .set({ default_version_id: versionId, updated_at: dateToText(updatedAt) })
        .where('arn', '=', arn)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('policy_versions')
              .select(sql.lit(1).as('one'))
              .whereRef('policy_versions.policy_id', '=', 'managed_policies.id')
              .where('policy_versions.version_id', '=', versionId),
          ),
        )
        .executeTakeFirst();
      return count(res.numUpdatedRows) > 0;
    },
  };
}
