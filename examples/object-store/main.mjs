#!/usr/bin/env node
/**
 * Runs the example object store:
 *
 *   ROLECALL_SERVICE_ACCESS_KEY_ID=AKIA... ROLECALL_SERVICE_SECRET_ACCESS_KEY=... \
 *     node examples/object-store/main.mjs --port 9000 --bucket data --bucket shared=policy.json
 *
 * --bucket NAME[=POLICY.json]  a bucket, optionally with a bucket policy file (repeatable)
 * --port PORT                  where to listen (default 9000)
 * --endpoint URL               Rolecall (default ROLECALL_ENDPOINT, else http://127.0.0.1:4747)
 * --account-id ID              the account that owns the buckets (default: the credential's, asked from Rolecall)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createObjectStore } from './object-store.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9000' },
    bucket: { type: 'string', multiple: true, default: [] },
    endpoint: { type: 'string' },
    'account-id': { type: 'string' },
  },
});

const env = process.env;
const accessKeyId = env.ROLECALL_SERVICE_ACCESS_KEY_ID;
const secretAccessKey = env.ROLECALL_SERVICE_SECRET_ACCESS_KEY;
if (!accessKeyId || !secretAccessKey) {
  console.error('Set ROLECALL_SERVICE_ACCESS_KEY_ID and ROLECALL_SERVICE_SECRET_ACCESS_KEY to an access key whose policies allow rolecall:Authorize.');
  process.exit(2);
}
const endpoint = values.endpoint ?? env.ROLECALL_ENDPOINT ?? 'http://127.0.0.1:4747';
const ownerAccountId = values['account-id'] ?? env.OBJECT_STORE_ACCOUNT_ID;
if (!ownerAccountId) {
  console.error('Set --account-id (or OBJECT_STORE_ACCOUNT_ID): the account that owns the buckets.');
  process.exit(2);
}
const buckets = {};
for (const spec of values.bucket) {
  const [name, file] = spec.split('=');
  buckets[name] = file ? { policy: readFileSync(file, 'utf8') } : {};
}
const store = createObjectStore({ rolecall: { endpoint, credentials: { accessKeyId, secretAccessKey } }, ownerAccountId, buckets });
const url = await store.listen(Number(values.port));
console.log(`object store on ${url} (buckets: ${Object.keys(buckets).join(', ') || 'none'}; decisions by ${endpoint})`);
