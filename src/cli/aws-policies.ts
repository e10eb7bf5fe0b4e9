/**
 * `rolecall aws-policies import FILE...`: loads AWS managed policies from what
 * `aws iam get-account-authorization-details` printed (src/services/iam/aws-managed-import.ts).
 * Works on the data directory (or --database) directly, like `rolecall account`; a running server
 * sees the policies once its read cache expires (a few seconds).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '../main.js';
import { importAwsManagedPolicies, type AwsManagedImportReport } from '../services/iam/aws-managed-import.js';
import { STORE_OPTIONS, storeSettings } from './store-flags.js';

export const AWS_POLICIES_HELP = `rolecall aws-policies import FILE... [--data-dir DIR | --database URL]

Imports AWS managed policies (arn:aws:iam::aws:policy/...) into Rolecall, from the JSON that
the AWS CLI prints for an AWS account ('-': standard input):

  aws iam get-account-authorization-details --filter AWSManagedPolicy > aws-managed.json
  npx rolecall aws-policies import aws-managed.json

Every account on this Rolecall can then attach them, use them as permissions boundaries and
session policies, and read them (list-policies --scope AWS, get-policy-version); none can change
them. Their ids, versions, dates and documents are AWS's. Importing again adds new versions and
moves the default; nothing is removed. Prints what was imported, updated, unchanged or skipped
(with why), as JSON; the exit status is 1 if anything was skipped.
`;

export async function runAwsPolicies(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...STORE_OPTIONS, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const [sub, ...files] = positionals;
  if (values.help || sub !== 'import' || files.length === 0) {
    (values.help ? out : err)(AWS_POLICIES_HELP);
    return values.help ? 0 : 252;
  }
  const inputs = files.map((f) => {
    try {
      return JSON.parse(readFileSync(f === '-' ? 0 : f, 'utf8')) as unknown;
    } catch (e) {
      throw new Error(`${f === '-' ? 'standard input' : f}: ${(e as Error).message}`);
    }
  });
  const store = await openStore(storeSettings(values));
  const total: AwsManagedImportReport = { imported: [], updated: [], unchanged: [], skipped: [] };
  try {
    for (const json of inputs) {
      const r = await importAwsManagedPolicies(store, json);
      total.imported.push(...r.imported);
      total.updated.push(...r.updated);
      total.unchanged.push(...r.unchanged);
      total.skipped.push(...r.skipped);
    }
  } finally {
    await store.close();
  }
  out(
    JSON.stringify(
      { Imported: total.imported, Updated: total.updated, Unchanged: total.unchanged, Skipped: total.skipped.map((s) => ({ Arn: s.arn, Reason: s.reason })) },
      null,
      4,
    ) + '\n',
  );
  return total.skipped.length > 0 ? 1 : 0;
}
