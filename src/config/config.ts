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
  /**
   * Refuse trust policies (CreateRole, UpdateAssumeRolePolicy) with analyzer findings at or above
   * this level: `error`, `security` (security warnings and errors), or `off` (AWS's behaviour).
   */
  trustGuardrail?: TrustGuardrail;
}

export type TrustGuardrail = 'error' | 'security' | 'off';
export const TRUST_GUARDRAILS: readonly TrustGuardrail[] = ['error', 'security', 'off'];

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
  if (raw.trustGuardrail !== undefined && !TRUST_GUARDRAILS.includes(raw.trustGuardrail as TrustGuardrail)) throw new Error(`invalid trust guardrail (error, security or off): ${raw.trustGuardrail}`);
  const settings: Settings = {
    host: raw.host as string,
    port,
    dataDir: resolve(expandHome(raw.dataDir ?? defaultDataDir())),
    region: raw.region as string,
    logLevel: raw.logLevel as string,
  };
  if (raw.accountId) settings.accountId = raw.accountId;
  if (raw.rootAccessKeyId) settings.rootAccessKeyId = raw.rootAccessKeyId;
  if (raw.rootSecretAccessKey) settings.rootSecretAccessKey = raw.rootSecretAccessKey;
  if (raw.trustGuardrail && raw.trustGuardrail !== 'off') settings.trustGuardrail = raw.trustGuardrail as TrustGuardrail;
  return settings;
}

export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${(s.flag + ' VALUE').padEnd(34)} ${s.help}${s.default ? ` (default ${s.default})` : ''}\n  ${''.padEnd(34)} env ${s.env}`).join('\n');
}
