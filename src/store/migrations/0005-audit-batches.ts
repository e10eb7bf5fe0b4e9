/**
 * 0005_audit_batches: audit storage format v2, one row per committed batch instead of one per
 * event (docs/audit.md, "Storage and throughput"). Per event, 0002's format wrote a table row,
 * five index entries and a few audit_lookup rows (7-12 B-tree inserts); v2 writes one event-id
 * row per event and, per batch, one row (three indexes) and one lookup row per distinct
 * (attribute, value).
 *
 * - audit_batches: one row per (batch, account): the events' text (line 1 a JSON array of
 *   per-event metadata, then each event's JSON verbatim, one per line; src/store/sql/
 *   audit-format.ts), min/max event time and span, keyed by the first event's id. Indexes:
 *   (account_id, max_time, batch_id) for lookups without attribute, (max_time, batch_id) for
 *   exports and retention, (span_ms) for max(span_ms), the bound the merge of overlapping
 *   batches relies on.
 * - audit_batch_lookup: posting lists, keyed in lookup order (account_id, attribute, value,
 *   max_time, group_id): one row per distinct (attribute, value) of a group of batches indexed
 *   together, listing the group's batches that hold it (batch_ids, JSON), their largest
 *   max_time and smallest min_time. Indexed on max_time too, for retention.
 * - audit_event_ids: event id -> batch (EventId lookups; the primary key keeps event ids unique,
 *   as 0002's did).
 * - audit_pending: batches not in audit_batch_lookup yet, with their (attribute, value) pairs:
 *   several batches are indexed together every few appends, one posting-list row per distinct
 *   value for all of them (lookups read pending batches directly).
 *
 * On SQLite the key-only tables are WITHOUT ROWID: the primary key is the table, one B-tree
 * per row instead of two. Every audit_events row is moved over (grouped per account into
 * batches of up to 64 consecutive events spanning at most a second, the JSON text unchanged),
 * then audit_events and audit_lookup are dropped.
 *
 * The encoding is written out here, not imported: this migration must keep producing format v2
 * whatever later code writes.
 *
 * INVARIANT: a migration that has shipped is never edited; change the schema with a new file.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from './0004-change-notify.js';

/** Old rows read per query while moving. */
const READ = 500;
/** Rows per INSERT while moving (7 columns x 100 stays far under either engine's parameter limit). */
const WRITE = 100;
const GROUP_EVENTS = 64;
const GROUP_SPAN_MS = 1000;

interface OldRow {
  event_id: string;
  account_id: string;
  event_time: string;
  event_name: string;
  event_source: string;
  read_only: number | string;
  username: string | null;
  access_key_id: string | null;
  resources: string;
  event: string;
}

type Meta = [string, number, string, string, 0 | 1, string | null, string | null, Array<[string, string]>, number];

async function insertAll(db: Kysely<any>, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE) await db.insertInto(table).values(rows.slice(i, i + WRITE)).execute();
}

async function writeGroup(db: Kysely<any>, rows: OldRow[]): Promise<void> {
  const first = rows[0]!;
  const metas: Meta[] = rows.map((r) => [
    r.event_id,
    Date.parse(r.event_time),
    r.event_name,
    r.event_source,
    Number(r.read_only) === 1 ? 1 : 0,
    r.username,
    r.access_key_id,
    (JSON.parse(r.resources) as Array<{ type: string; name: string }>).map((x) => [x.type, x.name]),
    r.event.length,
  ]);
  const times = metas.map((m) => m[1]);
  const min = Math.min(...times);
  const max = Math.max(...times);
  const maxTime = new Date(max).toISOString();
  const minTime = new Date(min).toISOString();
  await db
    .insertInto('audit_batches')
    .values({
      batch_id: first.event_id,
      account_id: first.account_id,
      min_time: minTime,
      max_time: maxTime,
      span_ms: max - min,
      event_count: rows.length,
      events: `${JSON.stringify(metas)}\n${rows.map((r) => r.event).join('\n')}`,
    })
    .execute();
  await insertAll(
    db,
    'audit_event_ids',
    rows.map((r) => ({ event_id: r.event_id, batch_id: first.event_id })),
  );
  const pairs = new Map<string, [string, string]>();
  const add = (a: string, v: string) => pairs.set(`${a}\u0000${v}`, [a, v]);
  for (const m of metas) {
    add('EventName', m[2]);
    add('EventSource', m[3]);
    add('ReadOnly', m[4] === 1 ? 'true' : 'false');
    if (m[5] !== null) add('Username', m[5]);
    if (m[6] !== null) add('AccessKeyId', m[6]);
    for (const [type, name] of m[7]) {
      add('ResourceType', type);
      add('ResourceName', name);
    }
  }
  await insertAll(
    db,
    'audit_batch_lookup',
    // Each moved batch is its own group (its posting lists list only itself).
    [...pairs.values()].map(([attribute, value]) => ({ account_id: first.account_id, attribute, value, max_time: maxTime, group_id: first.event_id, min_time: minTime, batch_ids: JSON.stringify([first.event_id]) })),
  );
}

export const auditBatches: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const s = db.schema;
    const sqlite = !isPostgres(db);

    await s
      .createTable('audit_batches')
      .ifNotExists()
      .addColumn('batch_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('min_time', 'text', (c) => c.notNull())
      .addColumn('max_time', 'text', (c) => c.notNull())
      .addColumn('span_ms', 'integer', (c) => c.notNull())
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('audit_batches_account_time').ifNotExists().on('audit_batches').columns(['account_id', 'max_time', 'batch_id']).execute();
    await s.createIndex('audit_batches_time').ifNotExists().on('audit_batches').columns(['max_time', 'batch_id']).execute();
    await s.createIndex('audit_batches_span').ifNotExists().on('audit_batches').column('span_ms').execute();

    let lookup = s
      .createTable('audit_batch_lookup')
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('attribute', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('max_time', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('min_time', 'text', (c) => c.notNull())
      .addColumn('batch_ids', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_batch_lookup_pk', ['account_id', 'attribute', 'value', 'max_time', 'group_id']);
    if (sqlite) lookup = lookup.modifyEnd(sql`without rowid`);
    await lookup.execute();
    await s.createIndex('audit_batch_lookup_time').ifNotExists().on('audit_batch_lookup').column('max_time').execute();

    let ids = s
      .createTable('audit_event_ids')
      .ifNotExists()
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('batch_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_event_ids_pk', ['event_id']);
    if (sqlite) ids = ids.modifyEnd(sql`without rowid`);
    await ids.execute();

    let pending = s
      .createTable('audit_pending')
      .ifNotExists()
      .addColumn('batch_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('min_time', 'text', (c) => c.notNull())
      .addColumn('max_time', 'text', (c) => c.notNull())
      .addColumn('pairs', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_pending_pk', ['batch_id']);
    if (sqlite) pending = pending.modifyEnd(sql`without rowid`);
    await pending.execute();

    // Move the events over, per account in time order (0002's audit_events_time index).
    let group: OldRow[] = [];
    let last: OldRow | undefined;
    for (;;) {
      let q = db.selectFrom('audit_events').selectAll();
      if (last) {
        const k = last;
        q = q.where((eb: any) =>
          eb.or([
            eb('account_id', '>', k.account_id),
            eb.and([eb('account_id', '=', k.account_id), eb.or([eb('event_time', '>', k.event_time), eb.and([eb('event_time', '=', k.event_time), eb('event_id', '>', k.event_id)])])]),
          ]),
        );
      }
      const rows = (await q.orderBy('account_id').orderBy('event_time').orderBy('event_id').limit(READ).execute()) as OldRow[];
      for (const r of rows) {
        const head = group[0];
        if (head && (head.account_id !== r.account_id || group.length >= GROUP_EVENTS || Date.parse(r.event_time) - Date.parse(head.event_time) > GROUP_SPAN_MS)) {
          await writeGroup(db, group);
          group = [];
        }
        group.push(r);
      }
      last = rows.at(-1);
      if (rows.length < READ) break;
    }
    if (group.length > 0) await writeGroup(db, group);

    await s.dropTable('audit_lookup').ifExists().execute();
    await s.dropTable('audit_events').ifExists().execute();
  },
};
