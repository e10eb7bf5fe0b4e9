/**
 * `rolecall lint`: the policy analyzer offline (no server, no data directory). Prints findings as
 * text (coloured on a terminal), JSON or SARIF 2.1.0, and exits non-zero when there is an error
 * or a finding at or above --fail-on, for CI.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { atLeast, formatJson, formatSarif, formatText, lintPolicy, POLICY_TYPES, type FileResult, type LintOptions, type Severity } from '../analyzer/index.js';
import type { PolicyType } from '../policy/index.js';

export const LINT_HELP = `rolecall lint [options] FILE...

Checks trust and permission policies for the classic mistakes (who can assume the role from
outside, missing external ids, confused deputies, OIDC subjects, MFA that can be bypassed, ...)
and grammar errors IAM would reject. Works offline. FILE '-' reads standard input.

  --type TYPE                 trust, identity, resource, boundary, session, scp or rcp (default: detected)
  --account-id ID             the account the policy belongs to (tells cross-account from your own)
  --trusted-accounts ID,ID    more accounts inside your zone of trust (e.g. your organization's)
  --permissions FILE          the role's permission policy (repeatable): enables SENSITIVE_ROLE_WITHOUT_MFA
  --boundary FILE             the role's permissions boundary
  --max-session-duration N    the role's MaxSessionDuration in seconds: enables EXCESSIVE_SESSION_DURATION
  --format text|json|sarif    output format (default text; coloured when standard output is a terminal)
  --fail-on LEVEL             error, security, warning or suggestion: exit 1 when a finding is at least
                              that severe (default error; errors always fail)
  --no-color                  plain text even on a terminal (NO_COLOR is honoured too)

Exit status: 0 no finding at or above --fail-on, 1 there is one, 2 a file could not be read,
252 bad usage. Finding ids and examples: docs/analyzer.md.
`;

const FAIL_ON: Record<string, Severity> = { error: 'ERROR', security: 'SECURITY_WARNING', warning: 'WARNING', suggestion: 'SUGGESTION' };

export interface LintIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTty?: boolean;
  env?: NodeJS.ProcessEnv;
  version?: string;
  readFile?: (path: string) => string;
}

function readDoc(path: string, io: LintIo): string {
  if (io.readFile) return io.readFile(path);
  return readFileSync(path === '-' ? 0 : path, 'utf8');
}

export function runLint(argv: string[], io: LintIo): number {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        type: { type: 'string' },
        'account-id': { type: 'string' },
        'trusted-accounts': { type: 'string' },
        permissions: { type: 'string', multiple: true },
        boundary: { type: 'string' },
        'max-session-duration': { type: 'string' },
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string', default: 'error' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    io.err(`rolecall lint: ${(e as Error).message}\n\n${LINT_HELP}`);
    return 252;
  }
  if (values.help) {
    io.out(LINT_HELP);
    return 0;
  }
  const usage = (msg: string) => {
    io.err(`rolecall lint: ${msg}\n\n${LINT_HELP}`);
    return 252;
  };
  if (!positionals.length) return usage('no FILE given');
  const type = values.type as string | undefined;
  if (type !== undefined && !POLICY_TYPES.includes(type as PolicyType)) return usage(`--type must be one of ${POLICY_TYPES.join(', ')}`);
  const format = values.format as string;
  if (!['text', 'json', 'sarif'].includes(format)) return usage('--format must be text, json or sarif');
  const failOn = FAIL_ON[values['fail-on'] as string];
  if (!failOn) return usage('--fail-on must be error, security, warning or suggestion');
  const accountId = values['account-id'] as string | undefined;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) return usage('--account-id must be 12 digits');
  const trusted = ((values['trusted-accounts'] as string | undefined) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (trusted.some((t) => !/^\d{12}$/.test(t))) return usage('--trusted-accounts takes 12-digit account ids, comma-separated');
  const maxRaw = values['max-session-duration'] as string | undefined;
  const max = maxRaw === undefined ? undefined : Number(maxRaw);
  if (max !== undefined && (!Number.isInteger(max) || max < 3600 || max > 43200)) return usage('--max-session-duration must be a whole number of seconds from 3600 to 43200');

  const options: LintOptions = {};
  if (type) options.type = type as PolicyType;
  if (accountId) options.accountId = accountId;
  if (trusted.length) options.trustedAccounts = trusted;
  try {
    const perms = values.permissions as string[] | undefined;
    const role: NonNullable<LintOptions['role']> = {};
    if (perms?.length) role.permissions = perms.map((p) => readDoc(p, io));
    if (values.boundary) role.boundary = readDoc(values.boundary as string, io);
    if (max !== undefined) role.maxSessionDuration = max;
    if (Object.keys(role).length) options.role = role;
  } catch (e) {
    io.err(`rolecall lint: ${(e as Error).message}\n`);
    return 2;
  }

  const results: FileResult[] = [];
  let unreadable = false;
  for (const file of positionals) {
    let text: string;
    try {
      text = readDoc(file, io);
    } catch (e) {
      io.err(`rolecall lint: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      unreadable = true;
      continue;
    }
    results.push({ file: file === '-' ? '<stdin>' : file, ...lintPolicy(text, options) });
  }
  const env = io.env ?? {};
  const color = format === 'text' && io.isTty === true && !values['no-color'] && env.NO_COLOR === undefined;
  if (format === 'json') io.out(formatJson(results));
  else if (format === 'sarif') io.out(formatSarif(results, { version: io.version ?? '0.0.0' }));
  else io.out(formatText(results, { color }));
  if (unreadable) return 2;
  const failing = results.some((r) => r.findings.some((f) => f.severity === 'ERROR' || atLeast(f.severity, failOn)));
  return failing ? 1 : 0;
}
