/**
 * Versioned schema migrations, shipped in code (no directory scanning: works from a bundle).
 * Names sort lexically, so they are zero-padded: 0001_initial, 0002_..., applied in order and
 * recorded in `rolecall_migration`. Every adapter runs `migrateToLatest` when it opens; running
 * it again is a no-op.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { initial } from './0001-initial.js';
import { audit } from './0002-audit.js';
import { instances } from './0003-instances.js';
import { changeNotify } from './0004-change-notify.js';
import { auditBatches } from './0005-audit-batches.js';
import { oidcProviders } from './0006-oidc-providers.js';
import { samlProviders } from './0007-saml-providers.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': initial,
  '0002_audit': audit,
  '0003_instances': instances,
  '0004_change_notify': changeNotify,
  '0005_audit_batches': auditBatches,
  '0006_oidc_providers': oidcProviders,
  '0007_saml_providers': samlProviders,
});

export const MIGRATION_TABLE = 'rolecall_migration';
export const MIGRATION_LOCK_TABLE = 'rolecall_migration_lock';

const provider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};

/**
 * Applies every pending migration; throws (with the failing migration's name) on error.
 * `schema` (PostgreSQL) names the schema of the bookkeeping tables: Kysely otherwise looks for
 * them in every schema of the database, and one Rolecall's would hide another's.
 */
export async function migrateToLatest(db: Kysely<any>, opts: { schema?: string } = {}): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(opts.schema !== undefined ? { migrationTableSchema: opts.schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return results;
}

/** The latest migration's name: what a fully migrated database records last. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1) as string;
