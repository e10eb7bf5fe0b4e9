/**
 * 0006_oidc_providers: IAM OpenID Connect identity providers (CreateOpenIDConnectProvider and
 * siblings; AssumeRoleWithWebIdentity reads them). One row per (account, issuer url): the url
 * is stored without its `https://` scheme, host lowercased, no trailing slash, exactly as the
 * ARN writes it, so the primary key is IAM's "one provider per url" rule. Client ids,
 * thumbprints and tags are small JSON arrays (text), as elsewhere. Portable types only (text),
 * as in 0001_initial; `ifNotExists` makes a half-applied run safe to repeat.
 *
 * On PostgreSQL the table gets 0004's change-notification triggers (a provider feeds the
 * decisions of AssumeRoleWithWebIdentity, so every node must see a change at once).
 *
 * INVARIANT: a migration that has shipped is never edited; change the schema with a new file.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from './0004-change-notify.js';

const TABLE = 'oidc_providers';

export const oidcProviders: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable(TABLE)
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('client_ids', 'text', (c) => c.notNull())
      .addColumn('thumbprints', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_providers_pk', ['account_id', 'url'])
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
