/**
 * Kysely's SQLite driver prepares every query anew; preparing is most of a small query's cost.
 * This wraps the better-sqlite3 database so each distinct SQL text is prepared once (SQLite
 * re-prepares a cached statement by itself after a schema change). Bounded: queries are built
 * by the query layer from a fixed set of shapes, so the cache stays small; a burst of unusual
 * shapes only clears it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

const MAX_STATEMENTS = 1000;

export function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= MAX_STATEMENTS) cache.clear();
        stmt = db.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
