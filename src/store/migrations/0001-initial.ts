/**
 * 0001_initial: the first schema. Written with Kysely's schema builder and portable types only
 * (text, integer, bigint), so the same migration runs on SQLite and PostgreSQL.
 *
 * INVARIANT: a migration that has shipped is never edited; change the schema with a new file.
 * `ifNotExists` everywhere makes a half-applied run (a dialect without transactional DDL) safe
 * to repeat.
 */
import type { Kysely, Migration } from 'kysely';

/** Unique id of a user, group or role: the polymorphic owner of inline policies/attachments. */
const ID = 'text';

export const initial: Migration = {
  // Kysely<any>: a migration sees the schema as it was then, not today's Database type.
  async up(db: Kysely<any>): Promise<void> {
    const s = db.schema;

    await s
      .createTable('accounts')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('alias', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await s
      .createTable('users')
      .ifNotExists()
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('permissions_boundary_arn', 'text')
      .addColumn('password_last_used', 'text')
      .execute();
    await s.createIndex('users_account_name').ifNotExists().unique().on('users').columns(['account_id', 'name_lower']).execute();
    await s.createIndex('users_boundary').ifNotExists().on('users').column('permissions_boundary_arn').execute();

    await s
      .createTable('groups')
      .ifNotExists()
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('groups_account_name').ifNotExists().unique().on('groups').columns(['account_id', 'name_lower']).execute();

    await s
      .createTable('group_members')
      .ifNotExists()
      .addColumn('group_id', ID, (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('user_id', ID, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
      .execute();
    await s.createIndex('group_members_user').ifNotExists().on('group_members').column('user_id').execute();

    await s
      .createTable('roles')
      .ifNotExists()
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('assume_role_policy_document', 'text', (c) => c.notNull())
      .addColumn('trust_principal_ids', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('max_session_duration', 'integer', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('permissions_boundary_arn', 'text')
      .addColumn('last_used_date', 'text')
      .addColumn('last_used_region', 'text')
      .execute();
    await s.createIndex('roles_account_name').ifNotExists().unique().on('roles').columns(['account_id', 'name_lower']).execute();
    await s.createIndex('roles_boundary').ifNotExists().on('roles').column('permissions_boundary_arn').execute();

    await s
      .createTable('managed_policies')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('default_version_id', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('managed_policies_account_name').ifNotExists().unique().on('managed_policies').columns(['account_id', 'name_lower']).execute();
    await s.createIndex('managed_policies_arn').ifNotExists().unique().on('managed_policies').column('arn').execute();

    await s
      .createTable('policy_versions')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull().references('managed_policies.id').onDelete('cascade'))
      .addColumn('version_id', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policy_versions_pk', ['policy_id', 'version_id'])
      .execute();

    // Owners are users, groups or roles (one id space: the prefixes differ), so no foreign
    // key; the repos delete these rows with their owner, in the same transaction.
    await s
      .createTable('inline_policies')
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('owner_id', ID, (c) => c.notNull())
      .addColumn('policy_name', 'text', (c) => c.notNull())
      .addColumn('policy_name_lower', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('inline_policies_pk', ['owner_id', 'policy_name_lower'])
      .execute();

    // policy_arn is not a foreign key: AWS managed policies may be referenced without a row.
    await s
      .createTable('attachments')
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('owner_id', ID, (c) => c.notNull())
      .addColumn('policy_arn', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('attachments_pk', ['owner_id', 'policy_arn'])
      .execute();
    await s.createIndex('attachments_policy').ifNotExists().on('attachments').column('policy_arn').execute();

    await s
      .createTable('access_keys')
      .ifNotExists()
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      // A deleted user's keys go with it: they must never authenticate again.
      .addColumn('user_id', ID, (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_date', 'text')
      .addColumn('last_used_service', 'text')
      .addColumn('last_used_region', 'text')
      .execute();
    await s.createIndex('access_keys_owner').ifNotExists().on('access_keys').columns(['account_id', 'user_id']).execute();

    await s
      .createTable('mfa_devices')
      .ifNotExists()
      .addColumn('serial_number', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('seed_sealed', 'text', (c) => c.notNull())
      .addColumn('user_id', ID, (c) => c.references('users.id').onDelete('set null'))
      .addColumn('enabled_at', 'text')
      .addColumn('last_used_time_step', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('mfa_devices_account_name').ifNotExists().unique().on('mfa_devices').columns(['account_id', 'name_lower']).execute();
    await s.createIndex('mfa_devices_user').ifNotExists().on('mfa_devices').column('user_id').execute();

    await s
      .createTable('instance_profiles')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('instance_profiles_account_name').ifNotExists().unique().on('instance_profiles').columns(['account_id', 'name_lower']).execute();

    // roleNames as rows, not JSON: listForRole is an indexed lookup, and deleting a role
    // removes it from its profiles.
    await s
      .createTable('instance_profile_roles')
      .ifNotExists()
      .addColumn('profile_id', 'text', (c) => c.notNull().references('instance_profiles.id').onDelete('cascade'))
      .addColumn('role_id', ID, (c) => c.notNull().references('roles.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('instance_profile_roles_pk', ['profile_id', 'role_id'])
      .execute();
    await s.createIndex('instance_profile_roles_role').ifNotExists().on('instance_profile_roles').column('role_id').execute();

    await s
      .createTable('settings')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value_sealed', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of [
      'settings',
      'instance_profile_roles',
      'instance_profiles',
      'mfa_devices',
      'access_keys',
      'attachments',
      'inline_policies',
      'policy_versions',
      'managed_policies',
      'roles',
      'group_members',
      'groups',
      'users',
      'accounts',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
