/**
 * `rolecall env`: shell exports so the AWS CLI and SDKs talk to Rolecall with the account's root
 * credentials. Per-service endpoint variables (not AWS_ENDPOINT_URL, which would capture every
 * service), and both AWS_REGION (JS SDK) and AWS_DEFAULT_REGION (boto3, AWS CLI).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from '../config/config.js';
import { STORE_OPTIONS, storeSettings } from './store-flags.js';
import { openStore } from '../main.js';
import { ensureFirstAccount, rootCredentials } from '../services/accounts/accounts.js';
import { systemClock } from '../domain/clock.js';
import { cryptoRandom } from '../domain/random.js';

export const ENV_HELP = `rolecall env [--data-dir DIR | --database URL] [--endpoint URL] [--account-id ID]

Prints shell exports for the AWS CLI and SDKs: per-service endpoints (IAM, STS, CloudTrail,
IAM Access Analyzer), the
region, and the root credentials of the account (the first one unless --account-id is given).
Use it as:  eval "$(npx rolecall env)"

  --endpoint URL   Rolecall's URL (default ROLECALL_ENDPOINT, else http://127.0.0.1:${DEFAULT_PORT})
  --database URL   read the account from this PostgreSQL database (default ROLECALL_DATABASE_URL)
`;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function runEnv(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...STORE_OPTIONS, endpoint: { type: 'string' }, 'account-id': { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    out(ENV_HELP);
    return 0;
  }
  const settings = storeSettings(values, values.region ? { region: values.region } : {});
  const endpoint = values.endpoint ?? process.env.ROLECALL_ENDPOINT ?? `http://127.0.0.1:${settings.port}`;
  const store = await openStore(settings);
  try {
    const accountId = values['account-id'] ?? settings.accountId;
    const creds = accountId
      ? await rootCredentials(store, accountId)
      : (await ensureFirstAccount(store, cryptoRandom, systemClock, { ...(settings.rootAccessKeyId ? { rootAccessKeyId: settings.rootAccessKeyId, rootSecretAccessKey: settings.rootSecretAccessKey } : {}) })).credentials;
    const lines = [
      ['AWS_ENDPOINT_URL_IAM', endpoint],
      ['AWS_ENDPOINT_URL_STS', endpoint],
      ['AWS_ENDPOINT_URL_CLOUDTRAIL', endpoint],
      ['AWS_ENDPOINT_URL_ACCESSANALYZER', endpoint],
      ['AWS_REGION', settings.region],
      ['AWS_DEFAULT_REGION', settings.region],
      ['AWS_ACCESS_KEY_ID', creds.accessKeyId],
      ['AWS_SECRET_ACCESS_KEY', creds.secretAccessKey],
    ].map(([k, v]) => `export ${k}=${shellQuote(v as string)}`);
    lines.push('unset AWS_SESSION_TOKEN AWS_PROFILE');
    out(lines.join('\n') + '\n');
    return 0;
  } finally {
    await store.close();
  }
}
