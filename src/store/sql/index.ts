export { createSqlStore, type SqlStoreOptions } from './sql-store.js';
export type { SqlDialectHooks } from './context.js';
export type { Database } from './schema.js';
export { AWS_ACCOUNT } from './policies.js';
