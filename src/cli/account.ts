/** `rolecall account create|list`: accounts for cross-account work, each with its own root keys. */
import { parseArgs } from 'node:util';
import { systemClock } from '../domain/clock.js';
import { cryptoRandom } from '../domain/random.js';
import { openStore } from '../main.js';
import { createAccount } from '../services/accounts/accounts.js';
import { STORE_OPTIONS, storeSettings } from './store-flags.js';

export const ACCOUNT_HELP = `rolecall account create [--data-dir DIR | --database URL] [--account-id ID]
rolecall account list [--data-dir DIR | --database URL]

'create' adds an account with new root credentials and prints them as JSON; then
'rolecall env --account-id ID' prints exports for it. Works on the data directory directly
(the server may be running); with --database (or ROLECALL_DATABASE_URL), on that PostgreSQL
database, which needs the nodes' master key (ROLECALL_MASTER_KEY).
`;

export async function runAccount(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...STORE_OPTIONS, 'account-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const sub = positionals[0];
  if (values.help || (sub !== 'create' && sub !== 'list')) {
    out(ACCOUNT_HELP);
    return values.help ? 0 : 252;
  }
  const settings = storeSettings(values);
  const store = await openStore(settings);
  try {
    if (sub === 'list') {
      const accounts = await store.accounts.list();
      out(JSON.stringify({ Accounts: accounts.map((a) => ({ AccountId: a.id, CreatedAt: a.createdAt.toISOString() })) }, null, 4) + '\n');
      return 0;
    }
    const opts = values['account-id'] ? { accountId: values['account-id'] } : {};
    const c = await createAccount(store, cryptoRandom, systemClock, opts);
    out(JSON.stringify({ AccountId: c.accountId, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey }, null, 4) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}
