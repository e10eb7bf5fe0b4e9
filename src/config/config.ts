/**
 * Settings: command-line flags win over `ROLECALL_*` environment variables, which win over
 * defaults. Every setting is listed here once, with its flag, variable and default, so `--help`
 * and the README are generated from the same table.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DEFAULT_PORT = 4747; // clashes with neither LocalStack (4566) nor moto (5000)
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'us-east-1';

export interface Settings {
  host: string;
  port: number;
  dataDir: string;
  accountId?: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  region: string;
  logLevel: string;
  /** The audit trail (default on); `off` records nothing (for benchmarks). */
  audit?: 'on' | 'off';
  /** Days audit events are kept (default 90; 0 keeps them forever). */
  auditRetentionDays?: number;
  /** `on`: fsync every audit batch (power-loss durable); `off` (default): durable across server crashes. */
  auditFsync?: 'on' | 'off';
  /** PostgreSQL URL (many nodes); unset: SQLite in dataDir. Holds a password: never log it. */
  database?: string;
  /** PostgreSQL schema for the tables (default: the connection's search_path). */
  databaseSchema?: string;
  databasePoolMax?: number;
  databaseConnectTimeoutMs?: number;
  databaseStatementTimeoutMs?: number;
  /** How long cached keys, identities and policies are served before a re-read (ms). */
  cacheTtlMs?: number;

  /** Which decision-point decisions are audited (default `denials`). */
  authorizeAudit?: AuthorizeAuditMode;
  /**
   * Refuse trust policies (CreateRole, UpdateAssumeRolePolicy) with analyzer findings at or above
   * this level: `error`, `security` (security warnings and errors), or `off` (AWS's behaviour).
   */
  trustGuardrail?: TrustGuardrail;
}

export type TrustGuardrail = 'error' | 'security' | 'off';
export const TRUST_GUARDRAILS: readonly TrustGuardrail[] = ['error', 'security', 'off'];

export type AuthorizeAuditMode = 'denials' | 'all' | 'off';
const AUTHORIZE_AUDIT_MODES: readonly string[] = ['denials', 'all', 'off'];

export const DEFAULT_CACHE_TTL_MS = 1000;

export interface SettingSpec {
  key: keyof Settings;
  flag: string;
  env: string;
  help: string;
  default?: string;
}

export const SETTINGS: SettingSpec[] = [
  { key: 'host', flag: '--host', env: 'ROLECALL_HOST', help: 'address to listen on', default: DEFAULT_HOST },
  { key: 'port', flag: '--port', env: 'ROLECALL_PORT', help: 'port to listen on (0 picks a free one)', default: String(DEFAULT_PORT) },
  { key: 'dataDir', flag: '--data-dir', env: 'ROLECALL_DATA_DIR', help: 'where the SQLite database, master key and root credentials live', default: '~/.rolecall' },
  { key: 'accountId', flag: '--account-id', env: 'ROLECALL_ACCOUNT_ID', help: 'account id of the first account (random on first start otherwise)' },
  { key: 'rootAccessKeyId', flag: '--root-access-key-id', env: 'ROLECALL_ROOT_ACCESS_KEY_ID', help: 'fix the first account\'s root access key id (AKIA...)' },
  { key: 'rootSecretAccessKey', flag: '--root-secret-access-key', env: 'ROLECALL_ROOT_SECRET_ACCESS_KEY', help: 'fix the first account\'s root secret access key' },
  { key: 'region', flag: '--region', env: 'ROLECALL_REGION', help: 'region reported to clients', default: DEFAULT_REGION },
  { key: 'logLevel', flag: '--log-level', env: 'ROLECALL_LOG_LEVEL', help: 'fatal, error, warn, info, debug, trace or silent', default: 'info' },
  { key: 'audit', flag: '--audit', env: 'ROLECALL_AUDIT', help: 'record every call CloudTrail-style (on) or nothing (off, for benchmarks)', default: 'on' },
  { key: 'auditRetentionDays', flag: '--audit-retention-days', env: 'ROLECALL_AUDIT_RETENTION_DAYS', help: 'days audit events are kept (0: forever)', default: '90' },
  { key: 'auditFsync', flag: '--audit-fsync', env: 'ROLECALL_AUDIT_FSYNC', help: 'fsync each audit batch: on (survives power loss) or off (survives server crashes)', default: 'off' },
  { key: 'database', flag: '--database', env: 'ROLECALL_DATABASE_URL', help: 'PostgreSQL URL (postgres://user:password@host:5432/db) shared by many nodes; unset: SQLite in the data dir' },
  { key: 'databaseSchema', flag: '--database-schema', env: 'ROLECALL_DATABASE_SCHEMA', help: "PostgreSQL schema for Rolecall's tables, created if missing (default: the search_path's first)" },
  { key: 'databasePoolMax', flag: '--database-pool-max', env: 'ROLECALL_DATABASE_POOL_MAX', help: 'PostgreSQL connections per node for queries (+1 listening for changes)', default: '10' },
  { key: 'databaseConnectTimeoutMs', flag: '--database-connect-timeout-ms', env: 'ROLECALL_DATABASE_CONNECT_TIMEOUT_MS', help: 'give up connecting to PostgreSQL (or waiting for a pooled connection) after this', default: '5000' },
  { key: 'databaseStatementTimeoutMs', flag: '--database-statement-timeout-ms', env: 'ROLECALL_DATABASE_STATEMENT_TIMEOUT_MS', help: 'PostgreSQL cancels a statement running longer (0: no limit)', default: '5000' },
  { key: 'cacheTtlMs', flag: '--cache-ttl-ms', env: 'ROLECALL_CACHE_TTL_MS', help: "serve keys, identities and policies from memory this long (the bound on how long another node's change can go unseen)", default: String(DEFAULT_CACHE_TTL_MS) },
  { key: 'authorizeAudit', flag: '--authorize-audit', env: 'ROLECALL_AUTHORIZE_AUDIT', help: 'decision point (/_rolecall/authorize) decisions to audit: denials, all or off', default: 'denials' },
  { key: 'trustGuardrail', flag: '--trust-guardrail', env: 'ROLECALL_TRUST_GUARDRAIL', help: 'refuse trust policies with analyzer findings: error, security or off (AWS accepts them)', default: 'off' },
];

export function defaultDataDir(): string {
  return join(homedir(), '.rolecall');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

/** Resolve settings from parsed flag values and the environment. */
export function resolveSettings(flags: Partial<Record<keyof Settings, string>>, env: NodeJS.ProcessEnv = process.env): Settings {
  const get = (s: SettingSpec): string | undefined => flags[s.key] ?? env[s.env] ?? s.default;
  const raw = Object.fromEntries(SETTINGS.map((s) => [s.key, get(s)])) as Record<keyof Settings, string | undefined>;
  const port = Number(raw.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${raw.port}`);
  if (raw.accountId !== undefined && !/^\d{12}$/.test(raw.accountId)) throw new Error(`invalid account id (12 digits): ${raw.accountId}`);
  if ((raw.rootAccessKeyId === undefined) !== (raw.rootSecretAccessKey === undefined)) {
    throw new Error('set both ROLECALL_ROOT_ACCESS_KEY_ID and ROLECALL_ROOT_SECRET_ACCESS_KEY, or neither');
  }
  if (raw.rootAccessKeyId !== undefined && !/^AKIA[A-Z0-9]{12,124}$/.test(raw.rootAccessKeyId)) throw new Error('the root access key id must look like AKIA followed by 12+ upper-case letters or digits');
  const audit = (raw.audit ?? 'on').toLowerCase();
  if (audit !== 'on' && audit !== 'off') throw new Error(`invalid audit setting (on or off): ${raw.audit}`);
  const auditFsync = (raw.auditFsync ?? 'off').toLowerCase();
  if (auditFsync !== 'on' && auditFsync !== 'off') throw new Error(`invalid audit fsync setting (on or off): ${raw.auditFsync}`);
  const retention = Number(raw.auditRetentionDays ?? '90');
  if (!/^\d+$/.test(raw.auditRetentionDays ?? '90') || !Number.isSafeInteger(retention)) throw new Error(`invalid audit retention (whole days, 0 for forever): ${raw.auditRetentionDays}`);
  if (raw.authorizeAudit !== undefined && !AUTHORIZE_AUDIT_MODES.includes(raw.authorizeAudit)) throw new Error(`invalid authorize audit mode (denials, all or off): ${raw.authorizeAudit}`);
  if (raw.trustGuardrail !== undefined && !TRUST_GUARDRAILS.includes(raw.trustGuardrail as TrustGuardrail)) throw new Error(`invalid trust guardrail (error, security or off): ${raw.trustGuardrail}`);
  const settings: Settings = {
    host: raw.host as string,
    port,
    dataDir: resolve(expandHome(raw.dataDir ?? defaultDataDir())),
    region: raw.region as string,
    logLevel: raw.logLevel as string,
    audit,
    auditRetentionDays: retention,
    auditFsync,
  };
  if (raw.database !== undefined && raw.database.trim() !== '') {
    // Never echo the URL: it may hold a password.
    if (!/^postgres(ql)?:\/\/./i.test(raw.database.trim())) throw new Error('the database URL must look like postgres://user:password@host:5432/database');
    settings.database = raw.database.trim();
  }
  if (raw.databaseSchema !== undefined && raw.databaseSchema !== '') {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw.databaseSchema)) throw new Error(`invalid database schema ${JSON.stringify(raw.databaseSchema)} (lower-case letters, digits and _, at most 63)`);
    settings.databaseSchema = raw.databaseSchema;
  }
  settings.databasePoolMax = wholeNumber('database pool size', raw.databasePoolMax, 1, 1000);
  settings.databaseConnectTimeoutMs = wholeNumber('database connect timeout', raw.databaseConnectTimeoutMs, 1, 600_000);
  settings.databaseStatementTimeoutMs = wholeNumber('database statement timeout', raw.databaseStatementTimeoutMs, 0, 3_600_000);
  settings.cacheTtlMs = wholeNumber('cache TTL', raw.cacheTtlMs, 0, 3_600_000);
  if (raw.authorizeAudit) settings.authorizeAudit = raw.authorizeAudit as AuthorizeAuditMode;
  if (raw.accountId) settings.accountId = raw.accountId;
  if (raw.rootAccessKeyId) settings.rootAccessKeyId = raw.rootAccessKeyId;
  if (raw.rootSecretAccessKey) settings.rootSecretAccessKey = raw.rootSecretAccessKey;
  if (raw.trustGuardrail && raw.trustGuardrail !== 'off') settings.trustGuardrail = raw.trustGuardrail as TrustGuardrail;
  return settings;
}

function wholeNumber(what: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`invalid ${what}: ${text} (a whole number from ${min} to ${max})`);
  return n;
}

export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${(s.flag + ' VALUE').padEnd(34)} ${s.help}${s.default ? ` (default ${s.default})` : ''}\n  ${''.padEnd(34)} env ${s.env}`).join('\n');
}
