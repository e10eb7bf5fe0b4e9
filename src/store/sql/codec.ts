/**
 * Value conversions between records and rows, and small query helpers shared by the repos.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { StoreConflictError, StoreReferenceError, type Tag } from '../ports.js';
import type { SqlContext } from './context.js';

/** Dates are stored as ISO-8601 UTC text with milliseconds: exact for a JS Date. */
export function dateToText(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError('store: invalid Date');
  return d.toISOString();
}

export function textToDate(s: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new Error(`store: corrupt date ${JSON.stringify(s)}`);
  return d;
}

export function optDate(s: string | null | undefined): Date | undefined {
  return s === null || s === undefined ? undefined : textToDate(s);
}

export function toJson(v: unknown): string {
  return JSON.stringify(v);
}

export function fromJson<T>(s: string): T {
  return JSON.parse(s) as T;
}

export function tagsToText(tags: Tag[] | null | undefined): string {
  return toJson((tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value })));
}

/** IAM names are ASCII ([\w+=,.@-]), so JS and SQL lower-casing agree. */
export function lower(name: string): string {
  return name.toLowerCase();
}

export function count(n: bigint | number | undefined): number {
  return Number(n ?? 0);
}

/**
 * `column` starts with `prefix`, case-sensitively and with no wildcard characters (IAM paths may
 * contain `%` and `_`, and SQLite's LIKE ignores case), in SQL both engines speak.
 */
export function startsWith(column: string, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`substr(${sql.ref(column)}, 1, ${sql.lit(prefix.length)}) = ${prefix}`;
}

/**
 * ORDER BY key for a text column (or expression): code-point order on every engine. IAM names
 * are ASCII, so this is also the order of their upper-/lower-case-insensitive `name_lower`.
 */
export function byText(ctx: SqlContext, column: string | Expression<unknown>): RawBuilder<string> {
  const e = typeof column === 'string' ? sql.ref(column) : column;
  const c = ctx.dialect.binaryCollation;
  return c === undefined ? sql<string>`${e}` : sql<string>`${e} collate ${sql.id(c)}`;
}

/** Drops properties whose value is undefined (records omit absent optional fields). */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/** Runs a write, turning the dialect's unique violation into StoreConflictError. */
export async function guardConflict<T>(ctx: SqlContext, entity: string, key: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (ctx.dialect.isUniqueViolation(e)) throw new StoreConflictError(entity, key);
    if (ctx.dialect.isForeignKeyViolation(e)) throw new StoreReferenceError(entity, key);
    throw e;
  }
}

/** A required field given as null in a patch: a caller bug, never a silent clear. */
export function required<T>(field: string, v: T | null): T {
  if (v === null) throw new TypeError(`store: ${field} cannot be cleared`);
  return v;
}
