/**
 * `rolecall audit export`: the audit trail as JSON lines (one CloudTrail event per line, oldest
 * first), read straight from the store in the data directory, for SIEM tools and archives.
 * Safe while the server runs (SQLite WAL readers do not block the writer).
 */
import { parseArgs } from 'node:util';
import { STORE_OPTIONS, storeSettings } from './store-flags.js';
import { openStore } from '../main.js';
import type { AuditCursor, AuditQuery, Store } from '../store/ports.js';

export const AUDIT_HELP = `rolecall audit export [--data-dir DIR] [--since TIME] [--until TIME] [--account ID]

Writes the audit trail to stdout as JSON lines: one CloudTrail-format event per line, oldest
first, exactly as 'aws cloudtrail lookup-events' returns them in CloudTrailEvent. Reads the store
in the data directory directly (the server may be running).

  --data-dir DIR   the data directory (default ROLECALL_DATA_DIR, else ~/.rolecall)
  --database URL   read the trail from this PostgreSQL database (default ROLECALL_DATABASE_URL)
  --since TIME     events at or after TIME (ISO 8601, e.g. 2026-05-01T00:00:00Z)
  --until TIME     events before TIME
  --account ID     one account's events (default: every account)

Example: rolecall audit export --since "$(date -u -d '1 hour ago' +%FT%TZ)" | jq -c 'select(.eventName == "AssumeRole")'
`;

const PAGE = 1000;

function parseTime(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: not a date-time: ${v}`);
  return d;
}

class UsageError extends Error {}

/** Streams every matching event to `out`, one line each; returns how many. */
export async function exportAudit(store: Store, q: { accountId?: string; since?: Date; until?: Date }, out: (line: string) => void): Promise<number> {
  let after: AuditCursor | undefined;
  let n = 0;
  for (;;) {
    const query: AuditQuery = { limit: PAGE, order: 'oldest-first' };
    if (q.accountId !== undefined) query.accountId = q.accountId;
    if (q.since) query.from = q.since;
    if (q.until) query.before = q.until;
    if (after) query.after = after;
    const page = await store.audit.lookup(query);
    for (const r of page) out(`${r.json}\n`);
    n += page.length;
    const last = page.at(-1);
    if (page.length < PAGE || !last) return n;
    after = { eventTime: last.eventTime, eventId: last.eventId };
  }
}

export async function runAudit(argv: string[], out: (s: string) => void, err: (s: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { ...STORE_OPTIONS, since: { type: 'string' }, until: { type: 'string' }, account: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    err(`rolecall audit: ${(e as Error).message}\n\n${AUDIT_HELP}`);
    return 252;
  }
  if (values.help) {
    out(AUDIT_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'export') {
    err(AUDIT_HELP);
    return 252;
  }
  let since: Date | undefined;
  let until: Date | undefined;
  const account = values.account as string | undefined;
  try {
    since = parseTime('--since', values.since as string | undefined);
    until = parseTime('--until', values.until as string | undefined);
    if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError(`--account: not a 12-digit account id: ${account}`);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`rolecall audit: ${e.message}\n`);
      return 252;
    }
    throw e;
  }
  const settings = storeSettings(values, {}, env);
  const store = await openStore(settings);
  try {
    await exportAudit(store, { ...(account ? { accountId: account } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}) }, out);
  } finally {
    await store.close();
  }
  return 0;
}
