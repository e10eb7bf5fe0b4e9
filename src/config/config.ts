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
}

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
  if (raw.accountId) settings.accountId = raw.accountId;
  if (raw.rootAccessKeyId) settings.rootAccessKeyId = raw.rootAccessKeyId;
  if (raw.rootSecretAccessKey) settings.rootSecretAccessKey = raw.rootSecretAccessKey;
  return settings;
}

export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${(s.flag + ' VALUE').padEnd(34)} ${s.help}${s.default ? ` (default ${s.default})` : ''}\n  ${''.padEnd(34)} env ${s.env}`).join('\n');
}
