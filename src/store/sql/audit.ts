/**
 * The audit trail over the shared SQL layer (portable SQL only: SQLite and PostgreSQL).
 *
 * Writes come in batches from the group-commit writer (src/audit/writer.ts): one transaction per
 * batch, INSERT texts compiled once and reused (multi-row in a few fixed sizes, so a
 * prepared-statement cache holds a handful of shapes; or one row per statement where the dialect
 * says that is cheaper: SQLite), and one upsert per distinct role/key used in the batch.
 *
 * Reads are index range scans: every lookup is (account, attribute, value) then
 * (event_time, event_id) in order, and the paging cursor continues from the last row returned.
 */
import { CompiledQuery, sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { AuditLastUsed, AuditQuery, AuditRecord, AuditRepo, AuditUse } from '../ports.js';
import { count, dateToText, fromJson, textToDate, toJson } from './codec.js';
import type { SqlContext } from './context.js';
import type { AuditEventsTable, AuditLastUsedTable, AuditLookupTable, Database } from './schema.js';

/** Rows per INSERT statement, largest first: any batch is a few statements of these sizes. */
const CHUNKS = [64, 32, 16, 8, 4, 2, 1] as const;
/** Ids per `IN (...)` list when pruning. */
const DELETE_CHUNK = 500;

function* chunks<T>(rows: T[], singleRow: boolean): Generator<T[]> {
  let i = 0;
  for (const size of singleRow ? [1] : CHUNKS) {
    while (rows.length - i >= size) {
      yield rows.slice(i, i + size);
      i += size;
    }
  }
}

/** The columns of audit_events a lookup attribute filters on (resources go through audit_lookup). */
const COLUMN: Record<string, 'event_id' | 'event_name' | 'username' | 'event_source' | 'access_key_id'> = {
  EventId: 'event_id',
  EventName: 'event_name',
  Username: 'username',
  EventSource: 'event_source',
  AccessKeyId: 'access_key_id',
};

function toRecord(r: AuditEventsTable): AuditRecord {
  const rec: AuditRecord = {
    eventId: r.event_id,
    accountId: r.account_id,
    eventTime: textToDate(r.event_time),
    eventName: r.event_name,
    eventSource: r.event_source,
    readOnly: Number(r.read_only) === 1,
    resources: fromJson(r.resources),
    json: r.event,
  };
  if (r.username !== null) rec.username = r.username;
  if (r.access_key_id !== null) rec.accessKeyId = r.access_key_id;
  return rec;
}

/** The latest use per (kind, id) in a batch: one upsert each, and never the same key twice in a statement. */
function latestUses(records: AuditRecord[]): AuditLastUsedTable[] {
  const latest = new Map<string, AuditUse>();
  for (const r of records) {
    for (const u of r.uses ?? []) {
      const k = `${u.kind}\u0000${u.id}`;
      const cur = latest.get(k);
      if (!cur || cur.date.getTime() <= u.date.getTime()) latest.set(k, u);
    }
  }
  return [...latest.values()].map((u) => ({ kind: u.kind, id: u.id, used_at: dateToText(u.date), region: u.region, service: u.service }));
}

const EVENT_COLUMNS = ['event_id', 'account_id', 'event_time', 'event_name', 'event_source', 'read_only', 'username', 'access_key_id', 'resources', 'event'] as const;
const LOOKUP_COLUMNS = ['event_id', 'account_id', 'attribute', 'value', 'event_time'] as const;
const LAST_USED_COLUMNS = ['kind', 'id', 'used_at', 'region', 'service'] as const;
type Insert = 'events' | 'lookup' | 'lastUsed';

export function auditRepo(ctx: SqlContext): AuditRepo {
  /**
   * The INSERT texts, compiled once per (statement, rows) for this store's dialect. Building and
   * compiling a 16-row INSERT with Kysely's query builder cost more CPU per event than SQLite's
   * own work (docs/audit.md, "Storage and throughput"); the text never changes, only the
   * parameters, so the batch binds fresh parameters to the cached text (and the SQLite adapter's
   * statement cache reuses the prepared statement).
   */
  const compiled = new Map<string, string>();
  function insertSql(db: Kysely<Database>, kind: Insert, rows: number): string {
    const key = `${kind}:${rows}`;
    let text = compiled.get(key);
    if (text === undefined) {
      const row = (cols: readonly string[]) => Object.fromEntries(cols.map((c) => [c, null]));
      if (kind === 'events') text = db.insertInto('audit_events').values(Array.from({ length: rows }, () => row(EVENT_COLUMNS) as never)).compile().sql;
      else if (kind === 'lookup') text = db.insertInto('audit_lookup').values(Array.from({ length: rows }, () => row(LOOKUP_COLUMNS) as never)).compile().sql;
      else
        text = db
          .insertInto('audit_last_used')
          .values(Array.from({ length: rows }, () => row(LAST_USED_COLUMNS) as never))
          .onConflict((oc) =>
            oc
              .columns(['kind', 'id'])
              .doUpdateSet({ used_at: sql`excluded.used_at`, region: sql`excluded.region`, service: sql`excluded.service` })
              // Another node (or an out-of-order batch) may have written a later use already.
              .where(sql<SqlBool>`${sql.ref('audit_last_used.used_at')} < ${sql.ref('excluded.used_at')}`),
          )
          .compile().sql;
      compiled.set(key, text);
    }
    return text;
  }
  /** Rows (objects) to one INSERT's parameters, row by row in `cols` order (as compiled above). */
  async function insertRows<R extends object>(db: Kysely<Database>, kind: Insert, cols: readonly (keyof R & string)[], rows: R[]): Promise<void> {
    for (const c of chunks(rows, ctx.dialect.auditSingleRowInserts === true)) {
      const params: unknown[] = [];
      for (const r of c) for (const col of cols) params.push(r[col as keyof R]);
      await db.executeQuery(CompiledQuery.raw(insertSql(db, kind, c.length), params));
    }
  }

  async function insertEvents(db: Kysely<Database>, records: AuditRecord[]): Promise<void> {
    const events: AuditEventsTable[] = [];
    const lookups: AuditLookupTable[] = [];
    for (const r of records) {
      const time = dateToText(r.eventTime);
      events.push({
        event_id: r.eventId,
        account_id: r.accountId,
        event_time: time,
        event_name: r.eventName,
        event_source: r.eventSource,
        read_only: r.readOnly ? 1 : 0,
        username: r.username ?? null,
        access_key_id: r.accessKeyId ?? null,
        resources: toJson(r.resources.map((x) => ({ type: x.type, name: x.name }))),
        event: r.json,
      });
      // One row per distinct (attribute, value): an AssumeRole names three AWS::STS::AssumedRole.
      const seen = new Set<string>();
      for (const res of r.resources) {
        for (const [attribute, value] of [
          ['ResourceType', res.type],
          ['ResourceName', res.name],
        ] as const) {
          const k = `${attribute}\u0000${value}`;
          if (seen.has(k)) continue;
          seen.add(k);
          lookups.push({ event_id: r.eventId, account_id: r.accountId, attribute, value, event_time: time });
        }
      }
    }
    await insertRows(db, 'events', EVENT_COLUMNS, events);
    await insertRows(db, 'lookup', LOOKUP_COLUMNS, lookups);
    await insertRows(db, 'lastUsed', LAST_USED_COLUMNS, latestUses(records));
  }

  return {
    async append(records) {
      if (records.length === 0) return;
      await ctx.auditBatch((db) => insertEvents(db, records));
    },

    async lookup(q: AuditQuery) {
      const newest = (q.order ?? 'newest-first') === 'newest-first';
      const attr = q.attribute;
      const viaResources = attr !== undefined && (attr.key === 'ResourceType' || attr.key === 'ResourceName');
      // The table whose (event_time, event_id) drives the order: the index range scan's table.
      const t = viaResources ? 'l' : 'e';
      const ref = (col: string) => sql.ref(`${t}.${col}`);
      const db = ctx.db();
      let qb: any = viaResources
        ? db.selectFrom('audit_lookup as l').innerJoin('audit_events as e', 'e.event_id', 'l.event_id').selectAll('e').where('l.attribute', '=', attr!.key).where('l.value', '=', attr!.value)
        : db.selectFrom('audit_events as e').selectAll('e');
      if (q.accountId !== undefined) qb = qb.where(`${t}.account_id`, '=', q.accountId);
      if (attr && !viaResources) {
        if (attr.key === 'ReadOnly') {
          const v = attr.value.toLowerCase();
          if (v !== 'true' && v !== 'false') return [];
          qb = qb.where('e.read_only', '=', v === 'true' ? 1 : 0);
        } else {
          const col = COLUMN[attr.key];
          if (!col) return [];
          qb = qb.where(`e.${col}`, '=', attr.value);
        }
      }
      if (q.from) qb = qb.where(`${t}.event_time`, '>=', dateToText(q.from));
      if (q.before) qb = qb.where(`${t}.event_time`, '<', dateToText(q.before));
      if (q.after) {
        const time = dateToText(q.after.eventTime);
        const op = newest ? sql.raw('<') : sql.raw('>');
        qb = qb.where(sql<SqlBool>`(${ref('event_time')} ${op} ${time} or (${ref('event_time')} = ${time} and ${ref('event_id')} ${op} ${q.after.eventId}))` as Expression<SqlBool>);
      }
      const dir = newest ? 'desc' : 'asc';
      const rows = (await qb.orderBy(`${t}.event_time`, dir).orderBy(`${t}.event_id`, dir).limit(q.limit).execute()) as AuditEventsTable[];
      return rows.map(toRecord);
    },

    async lastUsed(kind, id): Promise<AuditLastUsed | undefined> {
      const r = await ctx.db().selectFrom('audit_last_used').select(['used_at', 'region', 'service']).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      return r && { date: textToDate(r.used_at), region: r.region, service: r.service };
    },

    async prune(before, limit = 10_000) {
      const cutoff = dateToText(before);
      return ctx.atomic(async (db) => {
        // The oldest events first, in (event_time, event_id) order: what is deleted is exactly
        // every event up to the last one selected.
        const rows = await db.selectFrom('audit_events').select(['event_id', 'account_id', 'event_time', 'resources']).where('event_time', '<', cutoff).orderBy('event_time').orderBy('event_id').limit(limit).execute();
        const last = rows.at(-1);
        if (!last) return 0;
        // audit_lookup is keyed (account, attribute, value, time, id): delete each (account,
        // attribute, value) group's rows up to the last pruned event, an index range each.
        const groups = new Map<string, [string, string, string]>();
        for (const r of rows) {
          for (const res of fromJson<Array<{ type: string; name: string }>>(r.resources)) {
            for (const [attribute, value] of [
              ['ResourceType', res.type],
              ['ResourceName', res.name],
            ] as const) groups.set(`${r.account_id}\u0000${attribute}\u0000${value}`, [r.account_id, attribute, value]);
          }
        }
        for (const [account, attribute, value] of groups.values()) {
          await db
            .deleteFrom('audit_lookup')
            .where('account_id', '=', account)
            .where('attribute', '=', attribute)
            .where('value', '=', value)
            .where((eb) => eb.or([eb('event_time', '<', last.event_time), eb.and([eb('event_time', '=', last.event_time), eb('event_id', '<=', last.event_id)])]))
            .execute();
        }
        let deleted = 0;
        const ids = rows.map((r) => r.event_id);
        for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
          deleted += count((await db.deleteFrom('audit_events').where('event_id', 'in', ids.slice(i, i + DELETE_CHUNK)).executeTakeFirst()).numDeletedRows);
        }
        return deleted;
      });
    },

    async pruneLastUsed(before) {
      const res = await ctx.db().deleteFrom('audit_last_used').where('used_at', '<', dateToText(before)).executeTakeFirst();
      return count(res.numDeletedRows);
    },
  };
}
