/**
 * `rolecall who-can-assume ROLE` and `rolecall what-can-assume PRINCIPAL`: the analyzer over the
 * live inventory, read directly from the data directory (the server may be running).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AssumeGraph, type AssumeAnswer } from '../analyzer/index.js';
import { formatAnswerJson, formatAnswerText, formatDot, formatMermaid } from '../analyzer/report/graph.js';
import { STORE_OPTIONS, storeSettings } from './store-flags.js';
import { openStore } from '../main.js';
import { loadInventory } from './inventory.js';

export const WHO_HELP = `rolecall who-can-assume ROLE [options]
rolecall what-can-assume PRINCIPAL [options]

who-can-assume: every user, role, service, identity provider and account that can assume ROLE
(an ARN, or a role name when only one account has it), directly or through chains of roles,
with what each hop needs (MFA, external id, source identity, tags) and which hops cross
accounts. what-can-assume: the roles PRINCIPAL (a user, role or role-session ARN, or a service
principal such as ecs-tasks.amazonaws.com) can assume, the same way in the other direction.
Every hop is decided by the policy engine: the role's trust policy and the caller's own
identity policies and permissions boundary. Reads the data directory directly.

  --data-dir DIR               the Rolecall data directory (default ROLECALL_DATA_DIR, else ~/.rolecall)
  --database URL               read the inventory from this PostgreSQL database (default ROLECALL_DATABASE_URL)
  --database-schema NAME       its schema (default ROLECALL_DATABASE_SCHEMA)
  --format text|json|mermaid|dot   output (default text; mermaid and dot draw the graph)
  --max-depth N                most role-chaining hops to follow (default 8)
  --no-color                   plain text even on a terminal
`;

export interface WhoIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTty?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function runWhoCanAssume(direction: 'who' | 'what', argv: string[], io: WhoIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { ...STORE_OPTIONS, format: { type: 'string', default: 'text' }, 'max-depth': { type: 'string' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    io.err(`rolecall ${direction}-can-assume: ${(e as Error).message}\n\n${WHO_HELP}`);
    return 252;
  }
  if (values.help) {
    io.out(WHO_HELP);
    return 0;
  }
  const usage = (msg: string) => {
    io.err(`rolecall ${direction}-can-assume: ${msg}\n\n${WHO_HELP}`);
    return 252;
  };
  if (positionals.length !== 1) return usage(direction === 'who' ? 'give one ROLE' : 'give one PRINCIPAL');
  const format = values.format as string;
  if (!['text', 'json', 'mermaid', 'dot'].includes(format)) return usage('--format must be text, json, mermaid or dot');
  const maxDepth = values['max-depth'] === undefined ? 8 : Number(values['max-depth']);
  if (!Number.isInteger(maxDepth) || maxDepth < 1) return usage('--max-depth must be a positive whole number');
  const settings = storeSettings(values, {}, io.env ?? process.env);
  if (settings.database === undefined && !existsSync(join(settings.dataDir, 'rolecall.db'))) {
    io.err(`rolecall ${direction}-can-assume: no Rolecall data in ${settings.dataDir} (start the server once, or give --data-dir)\n`);
    return 2;
  }
  const store = await openStore(settings);
  let answer: AssumeAnswer;
  let stats: string;
  try {
    const notes: string[] = [];
    const inv = await loadInventory(store, notes);
    const graph = new AssumeGraph(inv, { maxDepth });
    graph.notes.push(...notes);
    stats = `analysed ${inv.roles.length} roles and ${inv.users.length} users in ${inv.accounts.length} account${inv.accounts.length === 1 ? '' : 's'}`;
    const subject = positionals[0] as string;
    if (direction === 'who') {
      let arn = subject;
      if (!subject.startsWith('arn:')) {
        const named = graph.rolesNamed(subject);
        if (named.length === 0) {
          io.err(`rolecall who-can-assume: no role named ${subject}\n`);
          return 1;
        }
        if (named.length > 1) {
          io.err(`rolecall who-can-assume: several roles are named ${subject}; give the ARN:\n${named.map((r) => `  ${r.arn}\n`).join('')}`);
          return 1;
        }
        arn = (named[0] as { arn: string }).arn;
      }
      if (!graph.role(arn)) {
        io.err(`rolecall who-can-assume: no role ${arn}\n`);
        return 1;
      }
      answer = graph.whoCanAssume(arn);
    } else {
      try {
        answer = graph.whatCanAssume(subject);
      } catch (e) {
        io.err(`rolecall what-can-assume: ${(e as Error).message}\n`);
        return 1;
      }
    }
  } finally {
    await store.close();
  }
  const color = io.isTty === true && !values['no-color'] && (io.env ?? {}).NO_COLOR === undefined;
  if (format === 'json') io.out(formatAnswerJson(answer));
  else if (format === 'mermaid') io.out(formatMermaid(answer));
  else if (format === 'dot') io.out(formatDot(answer));
  else io.out(formatAnswerText(answer, { color, stats }));
  return 0;
}
