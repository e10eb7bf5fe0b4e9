/**
 * PostgreSQL errors, sorted: a constraint violation is the query layer's business (conflict,
 * dangling reference), a deadlock is retried by the transaction, and anything that says the
 * database is out of reach becomes StoreUnavailableError (the gateway answers 503). A cause's
 * text is scrubbed of the password before it goes into a message.
 */
import { StoreUnavailableError } from '../ports.js';
import type { DatabaseTarget } from './target.js';

/** SQLSTATE of a pg DatabaseError, or undefined. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** https://www.postgresql.org/docs/current/errcodes-appendix.html */
const UNAVAILABLE_STATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout
  '57P01', // admin_shutdown (pg_ctl stop/restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovery)
  '57P05', // idle_session_timeout
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
]);
const UNAVAILABLE_CLASSES = ['08', '53']; // connection exception, insufficient resources

const NODE_NET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'EHOSTDOWN', 'ENETDOWN']);

// pg's own errors carry no code: recognise them by their fixed messages.
const DRIVER_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /is not queryable/i,
  /connection timeout/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
];

export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const state = sqlState(err);
  if (state !== undefined) return UNAVAILABLE_STATES.has(state) || UNAVAILABLE_CLASSES.some((c) => state.startsWith(c));
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NODE_NET_ERRORS.has(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return DRIVER_MESSAGES.some((re) => re.test(message));
}

/** A short, password-free account of what went wrong. */
export function describeCause(err: unknown, target: DatabaseTarget): string {
  const state = sqlState(err);
  const code = (err as { code?: unknown } | null)?.code;
  let text = err instanceof Error ? err.message : String(err);
  // AggregateError (e.g. ECONNREFUSED on both ::1 and 127.0.0.1) has an empty message.
  if (!text && err instanceof AggregateError) text = err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  const prefix = state ? `SQLSTATE ${state}: ` : typeof code === 'string' && !text.includes(code) ? `${code}: ` : '';
  return target.scrub(`${prefix}${text || 'unknown error'} (${target.description})`);
}

/**
 * What the query layer sees: a StoreUnavailableError for anything that says the database is out
 * of reach (every failure to connect counts), else the driver's error unchanged.
 */
export function toStoreError(err: unknown, target: DatabaseTarget, connecting: boolean): unknown {
  if (err instanceof StoreUnavailableError) return err;
  if (connecting || isUnavailable(err)) return new StoreUnavailableError(describeCause(err, target));
  return err;
}
