/** `rolecall start`: the server, on one port, until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { resolveSettings, settingsHelp, SETTINGS, type Settings } from '../config/config.js';
import { startServer } from '../main.js';

export const START_HELP = `rolecall start [options]

Starts Rolecall: IAM, STS and CloudTrail over the AWS wire protocols on one HTTP port, with the
embedded SQLite store in the data directory, or with --database postgres://... a PostgreSQL
database that many nodes share (docs/postgres.md). The first start creates an account and its
root credentials; 'rolecall env' prints them as shell exports.

Options (each also from its environment variable):
${settingsHelp()}
`;

export function settingsFromArgs(argv: string[], allowPositionals = false): { settings: Settings; help: boolean; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const s of SETTINGS) options[s.flag.slice(2)] = { type: 'string' };
  const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
  const flags: Partial<Record<keyof Settings, string>> = {};
  for (const s of SETTINGS) {
    const v = values[s.flag.slice(2)];
    if (typeof v === 'string') flags[s.key] = v;
  }
  return { settings: resolveSettings(flags), help: values.help === true, positionals };
}

export async function runStart(argv: string[], out: (s: string) => void): Promise<number> {
  const { settings, help } = settingsFromArgs(argv);
  if (help) {
    out(START_HELP);
    return 0;
  }
  const server = await startServer(settings);
  // The database URL may hold a password: never printed (the user has it, or it is in ROLECALL_DATABASE_URL).
  let dbHint = settings.database !== undefined && process.env.ROLECALL_DATABASE_URL === undefined ? " --database '<the database URL>'" : '';
  if (settings.databaseSchema !== undefined && process.env.ROLECALL_DATABASE_SCHEMA === undefined) dbHint += ` --database-schema ${settings.databaseSchema}`;
  const envCmd = `eval "$(npx rolecall env${settings.dataDir !== resolveSettings({}).dataDir ? ` --data-dir ${settings.dataDir}` : ''}${dbHint}${server.port !== 4747 ? ` --endpoint ${server.url}` : ''})"`;
  out(
    `Rolecall listening on ${server.url}\n` +
      `  account ${server.root.accountId}${server.createdAccount ? ' (created now)' : ''}, store: ${server.storeDescription}\n` +
      `  health: ${server.url}/_rolecall/health\n\n` +
      `Next steps, in another shell:\n` +
      `  ${envCmd}      # endpoints, region and the root credentials\n` +
      `  aws iam list-roles\n` +
      `  aws sts get-caller-identity\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  out('Rolecall stopped.\n');
  return 0;
}
