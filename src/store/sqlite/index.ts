export { AUDIT_JOURNAL_DIR, openSqliteStore, SQLITE_FILE, type OpenSqliteStoreOptions, type SqliteStore } from './open-sqlite-store.js';
