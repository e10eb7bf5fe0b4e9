/**
 * 0007_saml_providers: IAM SAML 2.0 identity providers (CreateSAMLProvider and siblings;
 * AssumeRoleWithSAML reads them). One row per (account, name): the primary key is IAM's "one
 * provider per name" rule. The metadata document is kept as uploaded (GetSAMLProvider returns it;
 * up to 10,000,000 characters, so text), with the dates IAM reports and the tags as a JSON array.
 * Portable types only (text), as in 0001_initial; `ifNotExists` makes a half-applied run safe to
 * repeat.
 *
 * On PostgreSQL the table gets 0004's change-notification triggers (a provider's certificates
 * decide AssumeRoleWithSAML, so every node must see a change at once).
 *
 * INVARIANT: a migration that has shipped is never edited; change the schema with a new file.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from './0004-change-notify.js';

const TABLE = 'saml_providers';

export const samlProviders: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable(TABLE)
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('metadata_document', 'text', (c) => c.notNull())
      .addColumn('uuid', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('saml_providers_pk', ['account_id', 'name'])
      .execute();

    if (!isPostgres(db)) return;
    // rolecall_notify_change() is 0004's; the triggers are the ones 0004 puts on its tables.
    await sql`drop trigger if exists rolecall_changes on ${sql.table(TABLE)}`.execute(db);
    await sql`create trigger rolecall_changes after insert or update or delete on ${sql.table(TABLE)} for each row execute function rolecall_notify_change()`.execute(db);
    await sql`drop trigger if exists rolecall_changes_truncate on ${sql.table(TABLE)}`.execute(db);
    await sql`create trigger rolecall_changes_truncate after truncate on ${sql.table(TABLE)} for each statement execute function rolecall_notify_change()`.execute(db);
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable(TABLE).ifExists().execute();
  },
};
