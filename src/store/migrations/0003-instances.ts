/**
 * 0003_instances: simulated EC2 instances and ECS tasks (docs/service-roles.md), so a restarted
 * server serves their credential endpoints again. Portable types only (text, integer), as in
 * 0001_initial; `ifNotExists` makes a half-applied run safe to repeat.
 *
 * INVARIANT: a migration that has shipped is never edited; change the schema with a new file.
 */
import type { Kysely, Migration } from 'kysely';

export const instances: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const s = db.schema;
    await s
      .createTable('instances')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('availability_zone', 'text', (c) => c.notNull())
      .addColumn('image_id', 'text', (c) => c.notNull())
      .addColumn('instance_type', 'text', (c) => c.notNull())
      .addColumn('private_ip', 'text', (c) => c.notNull())
      .addColumn('instance_profile_arn', 'text', (c) => c.notNull())
      .addColumn('instance_profile_id', 'text', (c) => c.notNull())
      .addColumn('http_tokens', 'text', (c) => c.notNull())
      .addColumn('imds_port', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('launched_at', 'text', (c) => c.notNull())
      .addColumn('launched_by', 'text', (c) => c.notNull())
      .addColumn('terminated_at', 'text')
      .execute();
    await s.createIndex('instances_account').ifNotExists().on('instances').columns(['account_id', 'launched_at']).execute();

    await s
      .createTable('tasks')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('role_arn', 'text', (c) => c.notNull())
      .addColumn('token_sha256', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('started_by', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('tasks_account').ifNotExists().on('tasks').columns(['account_id', 'started_at']).execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('tasks').ifExists().execute();
    await db.schema.dropTable('instances').ifExists().execute();
  },
};
