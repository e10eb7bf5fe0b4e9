/**
 * Access keys. The secret is sealed before it is written (context `access-key:<id>`, so a sealed
 * secret copied onto another key's row does not open) and opened on every read.
 */
import type { Updateable } from 'kysely';
import type { AccessKeyRecord, AccessKeyRepo, AccessKeyStatus } from '../ports.js';
import { byText, compact, count, dateToText, guardConflict, lower, optDate, required, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import { requireUserId } from './owners.js';
import type { AccessKeysTable } from './schema.js';

const sealContext = (accessKeyId: string) => `access-key:${accessKeyId}`;

export function accessKeyRepo(ctx: SqlContext): AccessKeyRepo {
  function select() {
    return ctx.db().selectFrom('access_keys as k').leftJoin('users as u', 'u.id', 'k.user_id').selectAll('k').select('u.name as user_name');
  }

  function toRecord(r: AccessKeysTable & { user_name: string | null }): AccessKeyRecord {
    const lastUsedDate = optDate(r.last_used_date);
    return compact({
      accessKeyId: r.access_key_id,
      accountId: r.account_id,
      userName: r.user_name ?? undefined,
      secretAccessKey: ctx.sealer.openString(r.secret_sealed, sealContext(r.access_key_id)),
      status: r.status as AccessKeyStatus,
      createdAt: textToDate(r.created_at),
      lastUsed: lastUsedDate && { date: lastUsedDate, service: r.last_used_service ?? '', region: r.last_used_region ?? '' },
    });
  }

  return {
    async create(k) {
      await ctx.atomic(async (db) => {
        const userId = k.userName === undefined ? null : await requireUserId(db, k.accountId, k.userName);
        await guardConflict(ctx, 'access key', k.accessKeyId, () =>
          db
            .insertInto('access_keys')
            .values({
              access_key_id: k.accessKeyId,
              account_id: k.accountId,
              user_id: userId,
              secret_sealed: ctx.sealer.seal(k.secretAccessKey, sealContext(k.accessKeyId)),
              status: k.status,
              created_at: dateToText(k.createdAt),
              last_used_date: k.lastUsed ? dateToText(k.lastUsed.date) : null,
              last_used_service: k.lastUsed ? k.lastUsed.service : null,
              last_used_region: k.lastUsed ? k.lastUsed.region : null,
            })
            .execute(),
        );
      });
    },

    async get(accessKeyId) {
      const r = await select().where('k.access_key_id', '=', accessKeyId).executeTakeFirst();
      return r && toRecord(r);
    },

    async listForUser(accountId, userName) {
      let q = select().where('k.account_id', '=', accountId);
      q = userName === undefined ? q.where('k.user_id', 'is', null) : q.where('u.name_lower', '=', lower(userName));
      const rows = await q.orderBy(byText(ctx, 'k.created_at')).orderBy(byText(ctx, 'k.access_key_id')).execute();
      return rows.map(toRecord);
    },

    async update(accessKeyId, patch) {
      return ctx.atomic(async (db) => {
        const set: Updateable<AccessKeysTable> = {};
        if (patch.status !== undefined) set.status = required('status', patch.status);
        if (patch.lastUsed !== undefined) {
          set.last_used_date = patch.lastUsed ? dateToText(patch.lastUsed.date) : null;
          set.last_used_service = patch.lastUsed ? patch.lastUsed.service : null;
          set.last_used_region = patch.lastUsed ? patch.lastUsed.region : null;
        }
        if (patch.userName !== undefined) {
          if (patch.userName === null) set.user_id = null;
          else {
            const key = await db.selectFrom('access_keys').select('account_id').where('access_key_id', '=', accessKeyId).executeTakeFirst();
            if (!key) return false;
            set.user_id = await requireUserId(db, key.account_id, patch.userName);
          }
        }
        if (Object.keys(set).length === 0) {
          return (await db.selectFrom('access_keys').select('access_key_id').where('access_key_id', '=', accessKeyId).executeTakeFirst()) !== undefined;
        }
        const res = await db.updateTable('access_keys').set(set).where('access_key_id', '=', accessKeyId).executeTakeFirst();
        return count(res.numUpdatedRows) > 0;
      });
    },

    async delete(accessKeyId) {
      const res = await ctx.db().deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}
