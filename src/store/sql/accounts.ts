import type { AccountRecord, AccountRepo } from '../ports.js';
import { byText, compact, dateToText, guardConflict, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import type { AccountsTable } from './schema.js';

function toRecord(r: AccountsTable): AccountRecord {
  return compact({ id: r.id, createdAt: textToDate(r.created_at), alias: r.alias ?? undefined });
}

export function accountRepo(ctx: SqlContext): AccountRepo {
  return {
    async create(a) {
      await guardConflict(ctx, 'account', a.id, () =>
        ctx.db().insertInto('accounts').values({ id: a.id, alias: a.alias ?? null, created_at: dateToText(a.createdAt) }).execute(),
      );
    },
    async get(id) {
      const r = await ctx.db().selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toRecord(r);
    },
    async list() {
      const rows = await ctx.db().selectFrom('accounts').selectAll().orderBy(byText(ctx, 'id')).execute();
      return rows.map(toRecord);
    },
  };
}
