/**
 * 0002_audit: the audit trail (CloudTrail-format events) and the last-use table derived from it.
 * Portable schema builder and types only (text, integer), as 0001_initial.
 *
 * - audit_events: one row per event copy (a cross-account AssumeRole has one per account), the
 *   event JSON verbatim plus the LookupEvents attributes as columns. Every index leads with
 *   account_id (a lookup never crosses accounts) and ends with (event_time, event_id), the
 *   newest-first order and the paging cursor, so a page is an index range scan.
 * - audit_lookup: ResourceType / ResourceName lookups (an event has several resources, and
 *   several of one type): one row per distinct (event, attribute, value), keyed in lookup order
 *   (account_id, attribute, value, event_time, event_id); pruning finds an event's rows from its
 *   `resources` column.
 * - audit_last_used: RoleLastUsed / GetAccessKeyLastUsed, upserted with the events' batch.
 *
 * The legacy last-use columns of roles and access_keys are copied over, so an upgraded store
 * keeps reporting what it knew.
 *
 * INVARIANT: a migration that has shipped is never edited; change the schema with a new file.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const audit: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const s = db.schema;

    await s
      .createTable('audit_events')
      .ifNotExists()
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('event_time', 'text', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('event_source', 'text', (c) => c.notNull())
      .addColumn('read_only', 'integer', (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('access_key_id', 'text')
      .addColumn('resources', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('audit_events_time').ifNotExists().on('audit_events').columns(['account_id', 'event_time', 'event_id']).execute();
    await s.createIndex('audit_events_name').ifNotExists().on('audit_events').columns(['account_id', 'event_name', 'event_time', 'event_id']).execute();
    await s.createIndex('audit_events_username').ifNotExists().on('audit_events').columns(['account_id', 'username', 'event_time', 'event_id']).execute();
    await s.createIndex('audit_events_access_key').ifNotExists().on('audit_events').columns(['account_id', 'access_key_id', 'event_time', 'event_id']).execute();
    // Retention pruning and exports across accounts.
    await s.createIndex('audit_events_all_time').ifNotExists().on('audit_events').columns(['event_time', 'event_id']).execute();

    await s
      .createTable('audit_lookup')
      .ifNotExists()
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('attribute', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('event_time', 'text', (c) => c.notNull())
      // The lookup order itself is the key: one B-tree per row besides the table (an event id
      // fixes account and time, so this is also one row per distinct (event, attribute, value)).
      .addPrimaryKeyConstraint('audit_lookup_pk', ['account_id', 'attribute', 'value', 'event_time', 'event_id'])
      .execute();

    await s
      .createTable('audit_last_used')
      .ifNotExists()
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('service', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_last_used_pk', ['kind', 'id'])
      .execute();

    // What the legacy columns knew (written before the audit trail existed).
    await db
      .insertInto('audit_last_used')
      .columns(['kind', 'id', 'used_at', 'region', 'service'])
      .expression((eb: any) =>
        eb
          .selectFrom('roles')
          .select([sql.lit('role').as('kind'), 'id', 'last_used_date as used_at', eb.fn.coalesce('last_used_region', sql.lit('')).as('region'), sql.lit('sts').as('service')])
          .where('last_used_date', 'is not', null),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('audit_last_used')
      .columns(['kind', 'id', 'used_at', 'region', 'service'])
      .expression((eb: any) =>
        eb
          .selectFrom('access_keys')
          .select([sql.lit('access-key').as('kind'), 'access_key_id as id', 'last_used_date as used_at', eb.fn.coalesce('last_used_region', sql.lit('')).as('region'), eb.fn.coalesce('last_used_service', sql.lit('')).as('service')])
          .where('last_used_date', 'is not', null),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  },
};
