/**
 * The audit trail over the shared SQL layer (portable SQL only: SQLite and PostgreSQL), storage
 * format v2: one row per (committed batch, account), not per event (docs/audit.md, "Storage
 * and throughput"; the text format is in audit-format.ts, the schema in migration 0005).
 *
 * Writes come in batches from the group-commit writer (src/audit/writer.ts): one transaction per
 * batch holding one `audit_batches` row per account, one `audit_event_ids` row per event (the
 * EventId lookup, and what rejects a repeated event id), one `audit_pending` row per batch row
 * (its distinct (attribute, value) pairs), and one upsert per distinct role/key used. Every
 * INDEX_EVERY appends, the pending batches are indexed together: one `audit_batch_lookup` row
 * (a posting list of batch ids) per distinct (account, attribute, value) of the whole group.
 * An append of DIRECT_INDEX_MIN records or more (the SQLite audit journal's chunks) is a group
 * by itself: its posting lists are written at once, without pending rows.
 * INSERT texts are compiled once and reused (multi-row in a few fixed sizes, or one row per
 * statement where the dialect says that is cheaper: SQLite).
 *
 * Reads merge batches: candidate batches come in `max_time` order from an index range scan
 * (`audit_batches` by account, or the posting lists of (account, attribute, value) plus the few
 * pending batches), are decoded and filtered event by event, and an event is returned only once
 * no unread batch can hold an event before it in the query's order. Batches overlap in time (a
 * slow request's event lands in a later batch than newer events; several PostgreSQL nodes write
 * at once), which is why: see `scan`.
 */
import { CompiledQuery, sql, type Kysely, type SqlBool } from 'kysely';
import type { AuditLastUsed, AuditQuery, AuditRecord, AuditRepo, AuditUse } from '../ports.js';
import { attributeFilter, DecodedBatch, encodeBatch, eventMeta, lookupPairs, toRecord, type AuditEventMeta } from './audit-format.js';
import { count, dateToText, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import type { AuditBatchesTable, AuditBatchLookupTable, AuditEventIdsTable, AuditLastUsedTable, AuditPendingTable, Database } from './schema.js';

/** Rows per INSERT statement, largest first: any batch is a few statements of these sizes. */
const CHUNKS = [64, 32, 16, 8, 4, 2, 1] as const;
/** Ids per `IN (...)` list when pruning. */
const DELETE_CHUNK = 500;
/** Candidate batches read per query by a lookup: the first page, then doubling up to the last. */
const FIRST_PAGE = 8;
const MAX_PAGE = 128;
/**
 * Pending batches are indexed every this many appends (of this store object), at most INDEX_MAX
 * at a time. A lookup row per batch and distinct value dirties about one index page each, and
 * at commit every dirty page is written out: the largest part of a batch's cost (docs/audit.md,
 * "Storage and throughput"). One posting list for 8 batches makes a value repeated across them
 * (an access key, an event name) one row and one page instead of 8.
 */
const INDEX_EVERY = 8;
/**
 * Events per batch row at most: a lookup decodes a candidate batch's whole header, so a
 * 500-event append is stored as several rows (each still one row for many events).
 */
const MAX_BATCH_EVENTS = 64;
const INDEX_MAX = 256;
/**
 * Appends of at least this many records (the audit journal's chunks of 256) get their posting
 * lists in their own transaction, without audit_pending: they are a group by themselves, and a
 * pending row would be written, read back, parsed and deleted for nothing (its pairs list every
 * distinct value of the batch: every value unique to an event, too). Smaller appends (a server
 * without the journal writes a batch of the requests in flight, ~16 events) are grouped through
 * audit_pending.
 */
const DIRECT_INDEX_MIN = MAX_BATCH_EVENTS;
/** Batch rows per posting list at most (a lookup reads a list's batches together). */
const GROUP_BATCHES = 16;

function* chunks<T>(rows: T[], singleRow: boolean): Generator<T[]> {
  let i = 0;
  for (const size of singleRow ? [1] : CHUNKS) {
    while (rows.length - i >= size) {
      yield rows.slice(i, i + size);
      i += size;
    }
  }
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

const BATCH_COLUMNS = ['batch_id', 'account_id', 'min_time', 'max_time', 'span_ms', 'event_count', 'events'] as const;
const EVENT_ID_COLUMNS = ['event_id', 'batch_id'] as const;
const LOOKUP_COLUMNS = ['account_id', 'attribute', 'value', 'max_time', 'group_id', 'min_time', 'batch_ids'] as const;
const PENDING_COLUMNS = ['batch_id', 'account_id', 'min_time', 'max_time', 'pairs'] as const;
const LAST_USED_COLUMNS = ['kind', 'id', 'used_at', 'region', 'service'] as const;
type Insert = 'audit_batches' | 'audit_event_ids' | 'audit_batch_lookup' | 'audit_pending' | 'audit_last_used';

/** A candidate batch as a lookup reads it. */
interface BatchRow {
  batch_id: string;
  account_id: string;
  max_time: string;
  events: string;
}

/** An event that passed the query's filters: where it is, and its sort key. */
interface Hit {
  t: number;
  id: string;
  row: BatchRow;
  batch: DecodedBatch;
  i: number;
}

const newestFirst = (a: Hit, b: Hit): number => b.t - a.t || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const oldestFirst = (a: Hit, b: Hit): number => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** One batch row (per account) and its lookup and event-id rows. */
function batchRows(accountId: string, records: AuditRecord[], metas: AuditEventMeta[], batchId: string) {
  let min = Infinity;
  let max = -Infinity;
  for (const m of metas) {
    if (m[1] < min) min = m[1];
    if (m[1] > max) max = m[1];
  }
  const maxTime = dateToText(new Date(max));
  const minTime = dateToText(new Date(min));
  const batch: AuditBatchesTable = {
    batch_id: batchId,
    account_id: accountId,
    min_time: minTime,
    max_time: maxTime,
    span_ms: max - min,
    event_count: metas.length,
    events: encodeBatch(
      metas,
      records.map((r) => r.json),
    ),
  };
  const pending: Indexable = { batch_id: batchId, account_id: accountId, min_time: minTime, max_time: maxTime, pairs: lookupPairs(metas) };
  return { batch, pending };
}

/** A batch to write posting lists for: an audit_pending row with its pairs parsed. */
interface Indexable {
  batch_id: string;
  account_id: string;
  min_time: string;
  max_time: string;
  pairs: Array<[string, string]>;
}

const pendingRow = (b: Indexable): AuditPendingTable => ({ batch_id: b.batch_id, account_id: b.account_id, min_time: b.min_time, max_time: b.max_time, pairs: JSON.stringify(b.pairs) });
const byBatchId = (a: { batch_id: string }, b: { batch_id: string }): number => (a.batch_id < b.batch_id ? -1 : a.batch_id > b.batch_id ? 1 : 0);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** The order of audit_batch_lookup's key: (account_id, attribute, value, max_time, group_id). */
const byLookupKey = (a: AuditBatchLookupTable, b: AuditBatchLookupTable): number =>
  cmp(a.account_id, b.account_id) || cmp(a.attribute, b.attribute) || cmp(a.value, b.value) || cmp(a.max_time, b.max_time) || cmp(a.group_id, b.group_id);

export function auditRepo(ctx: SqlContext): AuditRepo {
  /**
   * The INSERT texts, compiled once per (table, rows) for this store's dialect. Building and
   * compiling an INSERT with Kysely's query builder costs more CPU than the database's own work
   * for a row (docs/audit.md, "Storage and throughput"); the text never changes, only the
   * parameters, so a batch binds fresh parameters to the cached text (and the SQLite adapter's
   * statement cache reuses the prepared statement).
   */
  const compiled = new Map<string, string>();
  const existingSql = new Map<number, string>();
  function insertSql(db: Kysely<Database>, table: Insert, cols: readonly string[], rows: number): string {
    const key = `${table}:${rows}`;
    let text = compiled.get(key);
    if (text === undefined) {
      const values = Array.from({ length: rows }, () => Object.fromEntries(cols.map((c) => [c, null])) as never);
      if (table !== 'audit_last_used') text = db.insertInto(table).values(values).compile().sql;
      else
        text = db
          .insertInto('audit_last_used')
          .values(values)
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
  /** Rows (objects) to INSERT parameters, row by row in `cols` order (as compiled above). */
  async function insertRows<R extends object>(db: Kysely<Database>, table: Insert, cols: readonly (keyof R & string)[], rows: R[]): Promise<void> {
    for (const c of chunks(rows, ctx.dialect.auditSingleRowInserts === true)) {
      const params: unknown[] = [];
      for (const r of c) for (const col of cols) params.push(r[col as keyof R]);
      const text = insertSql(db, table, cols, c.length);
      if (ctx.dialect.runInBatch) ctx.dialect.runInBatch(text, params);
      else await db.executeQuery(CompiledQuery.raw(text, params));
    }
  }

  async function insertBatch(db: Kysely<Database>, records: AuditRecord[]): Promise<void> {
    // One batch row per account: a lookup never crosses accounts, so its candidate batches hold
    // only its own events.
    const byAccount = new Map<string, AuditRecord[]>();
    for (const r of records) {
      const list = byAccount.get(r.accountId);
      if (list) list.push(r);
      else byAccount.set(r.accountId, [r]);
    }
    const batches: AuditBatchesTable[] = [];
    const ids: AuditEventIdsTable[] = [];
    const pending: Indexable[] = [];
    for (const [accountId, all] of byAccount) for (let at = 0; at < all.length; at += MAX_BATCH_EVENTS) {
      const recs = all.slice(at, at + MAX_BATCH_EVENTS);
      const metas = recs.map(eventMeta);
      // The first event's id names the batch: unique, as event ids are (audit_event_ids).
      const batchId = recs[0]!.eventId;
      const rows = batchRows(accountId, recs, metas, batchId);
      batches.push(rows.batch);
      pending.push(rows.pending);
      for (const r of recs) ids.push({ event_id: r.eventId, batch_id: batchId });
    }
    await insertRows(db, 'audit_batches', BATCH_COLUMNS, batches);
    await insertRows(db, 'audit_event_ids', EVENT_ID_COLUMNS, ids);
    await insertRows(db, 'audit_last_used', LAST_USED_COLUMNS, latestUses(records));
    if (records.length >= DIRECT_INDEX_MIN) {
      // Large enough to be a group of its own (the audit journal's chunks): its posting lists
      // now, without the round trip through audit_pending.
      await insertPostingLists(db, pending);
      return;
    }
    await insertRows(db, 'audit_pending', PENDING_COLUMNS, pending.map(pendingRow));
    appendsSinceIndex += 1;
    if (appendsSinceIndex >= INDEX_EVERY) {
      appendsSinceIndex = 0;
      await indexPending(db);
    }
  }

  /** The posting lists of these batches, GROUP_BATCHES per group, in batch id order. */
  async function insertPostingLists(db: Kysely<Database>, batches: Indexable[]): Promise<void> {
    batches.sort(byBatchId);
    const rows: AuditBatchLookupTable[] = [];
    for (let at = 0; at < batches.length; at += GROUP_BATCHES) rows.push(...postingLists(batches.slice(at, at + GROUP_BATCHES)));
    // In key order: consecutive inserts land on the same index pages (unique values, such as the
    // key an AssumeRole issued, would otherwise each touch a page of their own).
    rows.sort(byLookupKey);
    await insertRows(db, 'audit_batch_lookup', LOOKUP_COLUMNS, rows);
  }

  let appendsSinceIndex = 0;
  /**
   * Writes the lookup rows of the oldest pending batches (in the appending transaction: no
   * transaction of its own). Whatever is pending after a crash, or was appended by another
   * node, is taken by a later call; on PostgreSQL, rows another node is indexing right now are
   * skipped (SKIP LOCKED), and DELETE ... RETURNING hands each batch to exactly one indexer.
   */
  async function indexPending(db: Kysely<Database>): Promise<void> {
    let pick = db.selectFrom('audit_pending').select('batch_id').orderBy('batch_id').limit(INDEX_MAX);
    if (ctx.dialect.skipLocked) pick = pick.forUpdate().skipLocked();
    const taken = await db.deleteFrom('audit_pending').where('batch_id', 'in', pick).returning(['batch_id', 'account_id', 'min_time', 'max_time', 'pairs']).execute();
    await insertPostingLists(db, taken.map((t) => ({ batch_id: t.batch_id, account_id: t.account_id, min_time: t.min_time, max_time: t.max_time, pairs: JSON.parse(t.pairs) as Array<[string, string]> })));
  }

  /** One posting list per (account, attribute, value) of a group of batches. */
  function postingLists(taken: Indexable[]): AuditBatchLookupTable[] {
    // The group is named after its smallest batch id (each batch is indexed once: no two groups share a name).
    const groupId = taken[0]!.batch_id;
    const lists = new Map<string, { account_id: string; attribute: string; value: string; max: string; min: string; ids: string[] }>();
    for (const p of taken) {
      for (const [attribute, value] of p.pairs) {
        const k = `${p.account_id}\u0000${attribute}\u0000${value}`;
        const l = lists.get(k);
        if (!l) lists.set(k, { account_id: p.account_id, attribute, value, max: p.max_time, min: p.min_time, ids: [p.batch_id] });
        else {
          l.ids.push(p.batch_id);
          if (p.max_time > l.max) l.max = p.max_time;
          if (p.min_time < l.min) l.min = p.min_time;
        }
      }
    }
    return [...lists.values()].map((l) => ({ account_id: l.account_id, attribute: l.attribute, value: l.value, max_time: l.max, group_id: groupId, min_time: l.min, batch_ids: JSON.stringify(l.ids) }));
  }

  /**
   * The events matching q, in its order, at most q.limit, with where each one is stored.
   *
   * Candidate batches come in batch `max_time` order, newest first (oldest first for an
   * oldest-first query), a page at a time, continuing from the last batch read (keyset on
   * (max_time, batch_id)). S is the largest `span_ms` of any batch (`max(span_ms)`, an index
   * lookup), so every event of a batch lies in [max_time - S, max_time]:
   *
   * - newest first: every unread batch has max_time <= that of the last batch read (L), so an
   *   event later than L can no longer be preceded. A cursor (or `before`) at T skips every
   *   batch with max_time > T + S: their events are all later than T.
   * - oldest first: every unread batch's events are at or after L - S, so an event before L - S
   *   is final. A cursor (or `from`) at T skips every batch with max_time < T.
   *
   * So the scan stops once it holds `limit` events that are final (or no batch is left); ties on
   * a time are never cut (an unread batch with max_time = t may hold an event at t with a later
   * id). Correct for any data; the cost is the batches read beyond the page, few while batches
   * span milliseconds.
   */
  async function scan(db: Kysely<Database>, q: AuditQuery): Promise<Hit[]> {
    if (q.limit <= 0) return [];
    const newest = (q.order ?? 'newest-first') === 'newest-first';
    const attr = q.attribute;
    const filter = attr === undefined ? undefined : attributeFilter(attr.key, attr.value);
    if (attr !== undefined && filter === undefined) return [];
    const fromMs = q.from?.getTime();
    const beforeMs = q.before?.getTime();
    const after = q.after && { t: q.after.eventTime.getTime(), id: q.after.eventId };

    let span: number | undefined;
    const maxSpan = async (): Promise<number> => {
      if (span === undefined) {
        const r = await db
          .selectFrom('audit_batches')
          .select((eb) => eb.fn.max('span_ms').as('s'))
          .executeTakeFirst();
        span = Number(r?.s ?? 0);
      }
      return span;
    };

    // The candidate batches come from one ordered stream: posting lists (attribute lookups of an
    // account, newest first), the account's batches, every batch (exports), or the one batch
    // holding an event id. Posting lists order by their largest max_time, so what is said
    // above of batches holds of them (no unread list holds a batch with a later max_time);
    // oldest-first attribute lookups (LookupEvents is newest first; exports take no attribute)
    // read the account's batches instead.
    const byEventId = attr?.key === 'EventId';
    const viaLookup = newest && attr !== undefined && !byEventId && q.accountId !== undefined;
    const cols = ['b.batch_id', 'b.account_id', 'b.max_time', 'b.events'] as const;
    // The batches that can hold an event in range (see above).
    const bounds: Array<['max' | 'min', '<=' | '<' | '>=', string]> = [];
    if (newest) {
      const hi = Math.min(beforeMs ?? Infinity, after?.t ?? Infinity);
      if (hi !== Infinity) {
        bounds.push(['min', '<=', dateToText(new Date(hi))]);
        if (!viaLookup) bounds.push(['max', '<=', dateToText(new Date(hi + (await maxSpan())))]);
      }
      if (fromMs !== undefined) bounds.push(['max', '>=', dateToText(new Date(fromMs))]);
    } else {
      const lo = Math.max(fromMs ?? -Infinity, after?.t ?? -Infinity);
      if (lo !== -Infinity) bounds.push(['max', '>=', dateToText(new Date(lo))]);
      if (beforeMs !== undefined) bounds.push(['max', '<', dateToText(new Date(beforeMs + (await maxSpan())))], ['min', '<', dateToText(new Date(beforeMs))]);
    }
    const bound = (qb: any, table: string): any => bounds.reduce((x, [col, op, v]) => x.where(`${table}.${col}_time`, op, v), qb);

    const keep = (m: AuditEventMeta): boolean => {
      const time = m[1];
      if (fromMs !== undefined && time < fromMs) return false;
      if (beforeMs !== undefined && time >= beforeMs) return false;
      if (after) {
        if (newest ? time > after.t || (time === after.t && m[0] >= after.id) : time < after.t || (time === after.t && m[0] <= after.id)) return false;
      }
      return filter === undefined || filter.test(m);
    };
    let hits: Hit[] = [];
    const read = new Set<string>();
    const take = (row: BatchRow) => {
      if (read.has(row.batch_id)) return;
      read.add(row.batch_id);
      const batch = new DecodedBatch(row.events);
      batch.metas.forEach((m, i) => {
        if (keep(m)) hits.push({ t: m[1], id: m[0], row, batch, i });
      });
    };

    let stream: any;
    let idCol: string;
    /** Pending batches holding the value, latest max_time first, not read yet. */
    let pendingQueue: Array<{ batch_id: string; max_time: string }> = [];
    const fetchBatches = async (ids: string[]) => {
      const wanted = ids.filter((id) => !read.has(id));
      for (let i = 0; i < wanted.length; i += DELETE_CHUNK) {
        for (const row of (await bound(db.selectFrom('audit_batches as b').select(cols).where('b.account_id', '=', q.accountId!).where('b.batch_id', 'in', wanted.slice(i, i + DELETE_CHUNK)), 'b').execute()) as BatchRow[]) take(row);
      }
    };
    if (viaLookup) {
      // Batches not in the posting lists yet (audit_pending: a few, the latest) are read first,
      // whole; one indexed in the meantime by another node is then skipped (`read`).
      // Their pairs say which hold the value; those join the stream in max_time order (below).
      const pending = (await bound(db.selectFrom('audit_pending as b').select(['b.batch_id', 'b.max_time', 'b.pairs']).where('b.account_id', '=', q.accountId!), 'b').execute()) as Array<{ batch_id: string; max_time: string; pairs: string }>;
      pendingQueue = pending.filter((p) => (JSON.parse(p.pairs) as Array<[string, string]>).some(([a, v]) => a === attr!.key && v === filter!.value)).sort((a, b) => (a.max_time < b.max_time ? 1 : a.max_time > b.max_time ? -1 : 0));
      stream = bound(db.selectFrom('audit_batch_lookup as s').select(['s.max_time', 's.group_id as id', 's.batch_ids']).where('s.account_id', '=', q.accountId!).where('s.attribute', '=', attr!.key).where('s.value', '=', filter!.value), 's');
      idCol = 's.group_id';
    } else if (byEventId) {
      stream = db.selectFrom('audit_event_ids as i').innerJoin('audit_batches as s', 's.batch_id', 'i.batch_id').select(['s.max_time', 's.batch_id as id', 's.account_id', 's.events']).where('i.event_id', '=', filter!.value);
      if (q.accountId !== undefined) stream = stream.where('s.account_id', '=', q.accountId);
      idCol = 's.batch_id';
    } else {
      stream = bound(db.selectFrom('audit_batches as s').select(['s.max_time', 's.batch_id as id', 's.account_id', 's.events']), 's');
      if (q.accountId !== undefined) stream = stream.where('s.account_id', '=', q.accountId);
      idCol = 's.batch_id';
    }

    const dir = newest ? 'desc' : 'asc';
    const op = sql.raw(newest ? '<' : '>');
    const cmp = newest ? newestFirst : oldestFirst;
    let key: { max_time: string; id: string } | undefined;
    // A posting list names up to INDEX_EVERY batches (or more, after a backlog): start smaller.
    for (let size = viaLookup ? 1 : FIRST_PAGE; ; size = Math.min(size * 2, MAX_PAGE)) {
      let qb = stream;
      if (key) qb = qb.where(sql<SqlBool>`(${sql.ref('s.max_time')} ${op} ${key.max_time} or (${sql.ref('s.max_time')} = ${key.max_time} and ${sql.ref(idCol)} ${op} ${key.id}))`);
      const page = (await qb.orderBy('s.max_time', dir).orderBy(idCol, dir).limit(size).execute()) as Array<{ max_time: string; id: string; batch_ids?: string; account_id?: string; events?: string }>;
      if (viaLookup) {
        // The lists' batches, and the pending ones from the same time on (all of them once the
        // lists are exhausted): every batch left unread then ends at or before the last list.
        const floor = page.length < size ? undefined : page.at(-1)!.max_time;
        const due = pendingQueue.filter((p) => floor === undefined || p.max_time >= floor);
        pendingQueue = pendingQueue.filter((p) => !due.includes(p));
        await fetchBatches([...new Set([...page.flatMap((l) => JSON.parse(l.batch_ids!) as string[]), ...due.map((p) => p.batch_id)])]);
      } else {
        for (const r of page) take({ batch_id: r.id, account_id: r.account_id!, max_time: r.max_time, events: r.events! });
      }
      hits.sort(cmp);
      if (hits.length > q.limit) hits = hits.slice(0, q.limit);
      const last = page.at(-1);
      if (page.length < size || !last) break;
      key = { max_time: last.max_time, id: last.id };
      if (hits.length === q.limit) {
        const edge = hits[q.limit - 1]!.t;
        const lastMax = textToDate(last.max_time).getTime();
        if (newest ? edge > lastMax : edge < lastMax - (await maxSpan())) break;
      }
    }
    return hits;
  }

  return {
    async append(records) {
      if (records.length === 0) return;
      await ctx.auditBatch((db) => insertBatch(db, records));
    },

    async lookup(q: AuditQuery) {
      const hits = await scan(ctx.db(), q);
      return hits.map((h) => toRecord(h.row.account_id, h.batch.metas[h.i]!, h.batch.json(h.i)));
    },

    async maxEventId(): Promise<string | undefined> {
      const row = await ctx.db().selectFrom('audit_event_ids').select((eb) => eb.fn.max('event_id').as('max')).executeTakeFirst();
      return row?.max ?? undefined;
    },

    async existingEventIds(eventIds): Promise<Set<string>> {
      // Asked once per journaled batch: the query text is compiled once per batch size (as the
      // INSERTs are), not built with the query builder on every call.
      const found = new Set<string>();
      const db = ctx.db();
      for (let at = 0; at < eventIds.length; at += 500) {
        const ids = eventIds.slice(at, at + 500);
        let text = existingSql.get(ids.length);
        if (text === undefined) {
          text = db.selectFrom('audit_event_ids').select('event_id').where('event_id', 'in', ids).compile().sql;
          existingSql.set(ids.length, text);
        }
        const rows = await db.executeQuery<{ event_id: string }>(CompiledQuery.raw(text, ids));
        for (const r of rows.rows) found.add(r.event_id);
      }
      return found;
    },

    async lastUsed(kind, id): Promise<AuditLastUsed | undefined> {
      const r = await ctx.db().selectFrom('audit_last_used').select(['used_at', 'region', 'service']).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      return r && { date: textToDate(r.used_at), region: r.region, service: r.service };
    },

    /**
     * Exactly the oldest `limit` events before the cut-off (in (eventTime, eventId) order, as
     * an oldest-first lookup returns them) are deleted. A batch losing all its events goes; a
     * batch losing some (it straddles the cut-off, or the limit) is rewritten with the rest.
     * Posting lists go once every batch they list is gone: those whose max_time is before the
     * last deleted event's time (every event of theirs is at or before it, so deleted). A list
     * naming a batch that is gone, or a value the rewritten batch no longer has, costs a lookup
     * a batch read for nothing until then, never a wrong answer (events are filtered one by one).
     */
    async prune(before, limit = 10_000) {
      return ctx.atomic(async (db) => {
        const hits = await scan(db, { limit, order: 'oldest-first', before });
        if (hits.length === 0) return 0;
        const byBatch = new Map<string, { row: BatchRow; batch: DecodedBatch; gone: Set<number> }>();
        for (const h of hits) {
          let g = byBatch.get(h.row.batch_id);
          if (!g) byBatch.set(h.row.batch_id, (g = { row: h.row, batch: h.batch, gone: new Set() }));
          g.gone.add(h.i);
        }
        const emptied: string[] = [];
        for (const { row, batch, gone } of byBatch.values()) {
          const metas = batch.metas;
          const kept = metas.flatMap((_, i) => (gone.has(i) ? [] : [i]));
          if (kept.length === 0) {
            emptied.push(row.batch_id);
            continue;
          }
          const rewritten = batchRows(
            row.account_id,
            kept.map((i) => ({ json: batch.json(i) }) as AuditRecord),
            kept.map((i) => metas[i]!),
            row.batch_id,
          );
          await db
            .updateTable('audit_batches')
            .set({ min_time: rewritten.batch.min_time, max_time: rewritten.batch.max_time, span_ms: rewritten.batch.span_ms, event_count: rewritten.batch.event_count, events: rewritten.batch.events })
            .where('batch_id', '=', row.batch_id)
            .execute();
          // Not indexed yet: index what is left when the time comes.
          await db.updateTable('audit_pending').set({ min_time: rewritten.pending.min_time, max_time: rewritten.pending.max_time, pairs: JSON.stringify(rewritten.pending.pairs) }).where('batch_id', '=', row.batch_id).execute();
        }
        const ids = hits.map((h) => h.id);
        for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
          await db.deleteFrom('audit_event_ids').where('event_id', 'in', ids.slice(i, i + DELETE_CHUNK)).execute();
        }
        for (let i = 0; i < emptied.length; i += DELETE_CHUNK) {
          const chunk = emptied.slice(i, i + DELETE_CHUNK);
          await db.deleteFrom('audit_batches').where('batch_id', 'in', chunk).execute();
          await db.deleteFrom('audit_pending').where('batch_id', 'in', chunk).execute();
        }
        await db.deleteFrom('audit_batch_lookup').where('max_time', '<', dateToText(new Date(hits.at(-1)!.t))).execute();
        return hits.length;
      });
    },

    async pruneLastUsed(before) {
      const res = await ctx.db().deleteFrom('audit_last_used').where('used_at', '<', dateToText(before)).executeTakeFirst();
      return count(res.numDeletedRows);
    },
  };
}
