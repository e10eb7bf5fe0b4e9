/**
 * MFA devices. The TOTP seed is sealed before it is written (context `mfa-seed:<serial>`).
 */
import type { Updateable } from 'kysely';
import type { MfaDeviceRecord, MfaDeviceRepo } from '../ports.js';
import { byText, compact, count, dateToText, fromJson, guardConflict, lower, optDate, tagsToText, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import { requireUserId } from './owners.js';
import type { MfaDevicesTable } from './schema.js';

const sealContext = (serialNumber: string) => `mfa-seed:${serialNumber}`;

export function mfaDeviceRepo(ctx: SqlContext): MfaDeviceRepo {
  function select() {
    return ctx.db().selectFrom('mfa_devices as d').leftJoin('users as u', 'u.id', 'd.user_id').selectAll('d').select('u.name as user_name');
  }

  function toRecord(r: MfaDevicesTable & { user_name: string | null }): MfaDeviceRecord {
    return compact({
      accountId: r.account_id,
      serialNumber: r.serial_number,
      path: r.path,
      name: r.name,
      seed: ctx.sealer.open(r.seed_sealed, sealContext(r.serial_number)),
      userName: r.user_name ?? undefined,
      enabledAt: optDate(r.enabled_at),
      // bigint columns come back as number (SQLite) or string (PostgreSQL).
      lastUsedTimeStep: r.last_used_time_step === null ? undefined : Number(r.last_used_time_step),
      createdAt: textToDate(r.created_at),
      tags: fromJson(r.tags),
    });
  }

  return {
    async create(d) {
      await ctx.atomic(async (db) => {
        const userId = d.userName === undefined ? null : await requireUserId(db, d.accountId, d.userName);
        await guardConflict(ctx, 'mfa device', d.serialNumber, () =>
          db
            .insertInto('mfa_devices')
            .values({
              serial_number: d.serialNumber,
              account_id: d.accountId,
              name: d.name,
              name_lower: lower(d.name),
              path: d.path,
              seed_sealed: ctx.sealer.seal(d.seed, sealContext(d.serialNumber)),
              user_id: userId,
              enabled_at: d.enabledAt ? dateToText(d.enabledAt) : null,
              last_used_time_step: d.lastUsedTimeStep ?? null,
              created_at: dateToText(d.createdAt),
              tags: tagsToText(d.tags),
            })
            .execute(),
        );
      });
    },

    async get(serialNumber) {
      const r = await select().where('d.serial_number', '=', serialNumber).executeTakeFirst();
      return r && toRecord(r);
    },

    async list(accountId) {
      const rows = await select().where('d.account_id', '=', accountId).orderBy(byText(ctx, 'd.name_lower')).execute();
      return rows.map(toRecord);
    },

    async update(serialNumber, patch) {
      return ctx.atomic(async (db) => {
        const set: Updateable<MfaDevicesTable> = {};
        if (patch.enabledAt !== undefined) set.enabled_at = patch.enabledAt ? dateToText(patch.enabledAt) : null;
        if (patch.lastUsedTimeStep !== undefined) set.last_used_time_step = patch.lastUsedTimeStep;
        if (patch.tags !== undefined) set.tags = tagsToText(patch.tags);
        if (patch.userName !== undefined) {
          if (patch.userName === null) set.user_id = null;
          else {
            const dev = await db.selectFrom('mfa_devices').select('account_id').where('serial_number', '=', serialNumber).executeTakeFirst();
            if (!dev) return false;
            set.user_id = await requireUserId(db, dev.account_id, patch.userName);
          }
        }
        if (Object.keys(set).length === 0) {
          return (await db.selectFrom('mfa_devices').select('serial_number').where('serial_number', '=', serialNumber).executeTakeFirst()) !== undefined;
        }
        const res = await db.updateTable('mfa_devices').set(set).where('serial_number', '=', serialNumber).executeTakeFirst();
        return count(res.numUpdatedRows) > 0;
      });
    },

    async consumeTimeStep(serialNumber, step) {
      if (!Number.isSafeInteger(step)) throw new TypeError('store: TOTP time step must be an integer');
      // INVARIANT: one conditional UPDATE, so two requests (or two nodes) presenting the same
      // code cannot both succeed: the database serializes the writes and the second one's
      // condition is false.
      const res = await ctx
        .db()
        .updateTable('mfa_devices')
        .set({ last_used_time_step: step })
        .where('serial_number', '=', serialNumber)
        .where((eb) => eb.or([eb('last_used_time_step', 'is', null), eb('last_used_time_step', '<', step)]))
        .executeTakeFirst();
      return count(res.numUpdatedRows) === 1;
    },

    async delete(serialNumber) {
      const res = await ctx.db().deleteFrom('mfa_devices').where('serial_number', '=', serialNumber).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}
