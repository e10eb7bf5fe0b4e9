/**
 * 0004_change_notify: on PostgreSQL, every committed change to the IAM tables sends a
 * notification on channel `rolecall_changes` (payload `<schema>.<table>`), so every node drops
 * its read cache within milliseconds instead of waiting for the cache's time-to-live
 * (docs/postgres.md). Triggers, not the application, send it: the notification is part of the
 * writing transaction (delivered at commit, never for a rollback), and writes from a CLI
 * command or another tool notify too.
 *
 * On SQLite it does nothing: one server owns the file, its own writes invalidate its cache, and
 * the time-to-live bounds what a CLI command's write takes to show.
 *
 * Usage stamps (`last_used_*` on access keys and roles, written at most once a minute per key
 * or role) change nothing a request is decided on, so an update touching only them does not
 * notify: otherwise every first use of a key in a minute would flush every node's cache.
 *
 * INVARIANT: a shipped migration is never edited; a table added later that feeds cached reads
 * gets its trigger in a new migration (CHANGE_TABLES below is this migration's list).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const CHANGE_CHANNEL = 'rolecall_changes';

const CHANGE_TABLES = [
  'accounts',
  'users',
  'groups',
  'group_members',
  'roles',
  'managed_policies',
  'policy_versions',
  'inline_policies',
  'attachments',
  'access_keys',
  'mfa_devices',
  'instance_profiles',
  'instance_profile_roles',
  'settings',
] as const;

/** PostgreSQL numbers its parameters ($1); SQLite (and MySQL) use `?`. Public API only. */
export function isPostgres(db: Kysely<any>): boolean {
  return sql`${0}`.compile(db).sql === '$1';
}

export const changeNotify: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    if (!isPostgres(db)) return;
    await sql`
      create or replace function rolecall_notify_change() returns trigger language plpgsql as $fn$
      begin
        if tg_op = 'UPDATE' and tg_table_name in ('access_keys', 'roles')
           and (to_jsonb(new) - 'last_used_date' - 'last_used_service' - 'last_used_region')
             = (to_jsonb(old) - 'last_used_date' - 'last_used_service' - 'last_used_region') then
          return null;
        end if;
        perform pg_notify(${sql.lit(CHANGE_CHANNEL)}, tg_table_schema || '.' || tg_table_name);
        return null;
      end
      $fn$`.execute(db);
    for (const t of CHANGE_TABLES) {
      await sql`drop trigger if exists rolecall_changes on ${sql.table(t)}`.execute(db);
      await sql`create trigger rolecall_changes after insert or update or delete on ${sql.table(t)} for each row execute function rolecall_notify_change()`.execute(db);
      await sql`drop trigger if exists rolecall_changes_truncate on ${sql.table(t)}`.execute(db);
      await sql`create trigger rolecall_changes_truncate after truncate on ${sql.table(t)} for each statement execute function rolecall_notify_change()`.execute(db);
    }
  },

  async down(db: Kysely<any>): Promise<void> {
    if (!isPostgres(db)) return;
    for (const t of CHANGE_TABLES) {
      await sql`drop trigger if exists rolecall_changes on ${sql.table(t)}`.execute(db);
      await sql`drop trigger if exists rolecall_changes_truncate on ${sql.table(t)}`.execute(db);
    }
    await sql`drop function if exists rolecall_notify_change()`.execute(db);
  },
};
