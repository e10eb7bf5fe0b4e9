/**
 * The options by which a command that works on the store directly (not through the server)
 * names it: `--data-dir DIR` (SQLite), or `--database URL` with `--database-schema NAME`
 * (PostgreSQL), each also from its ROLECALL_* variable (config.ts).
 */
import { resolveSettings, type Settings } from '../config/config.js';

/** parseArgs options for the three flags. */
export const STORE_OPTIONS = { 'data-dir': { type: 'string' }, database: { type: 'string' }, 'database-schema': { type: 'string' } } as const;

/** The settings the store flags (as parsed with STORE_OPTIONS) and the environment give. */
export function storeSettings(values: Record<string, unknown>, extra: Parameters<typeof resolveSettings>[0] = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const flags: Parameters<typeof resolveSettings>[0] = { ...extra };
  if (typeof values['data-dir'] === 'string' && values['data-dir']) flags.dataDir = values['data-dir'];
  if (typeof values.database === 'string' && values.database) flags.database = values.database;
  if (typeof values['database-schema'] === 'string' && values['database-schema']) flags.databaseSchema = values['database-schema'];
  return resolveSettings(flags, env);
}
