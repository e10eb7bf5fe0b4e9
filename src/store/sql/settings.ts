/**
 * Settings: small values such as the token key ring, so every value is sealed at rest
 * (context `setting:<key>`).
 *
 * compareAndSet cannot compare sealed text with `expected` in SQL (sealing is randomized), so
 * it reads, opens and compares, then writes with a conditional UPDATE on the exact sealed text
 * it read. If anyone wrote in between, the UPDATE matches nothing and it re-reads: the write
 * happens only if the value is still the one compared (optimistic concurrency, atomic on any
 * engine and across nodes).
 */
import type { SettingsRepo } from '../ports.js';
import { count } from './codec.js';
import type { SqlContext } from './context.js';

const sealContext = (key: string) => `setting:${key}`;
const MAX_CAS_ROUNDS = 100;

export function settingsRepo(ctx: SqlContext): SettingsRepo {
  const seal = (key: string, value: string) => ctx.sealer.seal(value, sealContext(key));

  return {
    async get(key) {
      const r = await ctx.db().selectFrom('settings').select('value_sealed').where('key', '=', key).executeTakeFirst();
      return r && ctx.sealer.openString(r.value_sealed, sealContext(key));
    },

    async put(key, value) {
      const sealed = seal(key, value);
      await ctx
        .db()
        .insertInto('settings')
        .values({ key, value_sealed: sealed })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value_sealed: sealed }))
        .execute();
    },

    async compareAndSet(key, expected, value) {
      const db = ctx.db();
      if (expected === undefined) {
        const res = await db.insertInto('settings').values({ key, value_sealed: seal(key, value) }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
        return count(res.numInsertedOrUpdatedRows) === 1;
      }
      for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
        const cur = await db.selectFrom('settings').select('value_sealed').where('key', '=', key).executeTakeFirst();
        if (!cur || ctx.sealer.openString(cur.value_sealed, sealContext(key)) !== expected) return false;
        const res = await db.updateTable('settings').set({ value_sealed: seal(key, value) }).where('key', '=', key).where('value_sealed', '=', cur.value_sealed).executeTakeFirst();
        if (count(res.numUpdatedRows) === 1) return true;
      }
      throw new Error(`store: settings.compareAndSet(${JSON.stringify(key)}) lost ${MAX_CAS_ROUNDS} races in a row`);
    },
  };
}
