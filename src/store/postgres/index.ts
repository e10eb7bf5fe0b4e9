export { openPostgresStore, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_POOL_MAX, DEFAULT_STATEMENT_TIMEOUT_MS, type OpenPostgresStoreOptions, type PostgresStore } from './open-postgres-store.js';
export { isPostgresUrl, parseDatabaseUrl, type DatabaseTarget } from './target.js';
export type { StoreLog } from './pool.js';
