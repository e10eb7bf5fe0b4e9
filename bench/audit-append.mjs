// Micro-benchmark: µs per audit event appended to a fresh SQLite store (16 events per append).
// Run after `npx tsc -p .`: `node bench/audit-append.mjs`. Prints wall and CPU µs per event (the
// machine is shared: prefer CPU, compare alternating runs). Env: PER (events per append, 16),
// BATCHES (600), KEYS (distinct access keys, 10), DROP (comma-separated audit indexes to drop
// before the run, to measure what an index costs). docs/audit.md, "Storage and throughput".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID, randomBytes } from 'node:crypto';
const { openSqliteStore } = await import(process.env.DIST_DIR ? new URL(`../${process.env.DIST_DIR}/src/store/sqlite/index.js`, import.meta.url).href : '../dist/src/store/sqlite/index.js');

const PER = Number(process.env.PER ?? 16);
const BATCHES = Number(process.env.BATCHES ?? 600);
const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
const store = await openSqliteStore({ dataDir: dir, masterKey: randomBytes(32) });
if (process.env.DROP) { const { default: D } = await import('better-sqlite3'); const x = new D(join(dir, 'rolecall.db')); for (const i of process.env.DROP.split(',')) x.exec(`drop index ${i}`); x.close(); }
const accounts = ['123456789012', '210987654321'];
let t = Date.parse('2026-03-01T10:00:00Z');
function rec(i) {
  const eventId = randomUUID();
  const at = new Date(t++);
  const json = JSON.stringify({ eventVersion: '1.08', userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE' + i, arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', accessKeyId: 'AKIAALICE00000000001', userName: 'alice' }, eventTime: at.toISOString(), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', awsRegion: 'us-east-1', sourceIPAddress: '127.0.0.1', userAgent: 'aws-sdk-js/3.0 ua/2.0 os/linux lang/js md/nodejs#20', requestParameters: null, responseElements: null, requestID: randomUUID(), eventID: eventId, readOnly: true, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: '123456789012', eventCategory: 'Management', tlsDetails: { tlsVersion: 'TLSv1.3', clientProvidedHostHeader: 'localhost' } });
  return { eventId, accountId: accounts[i % 7 === 0 ? 1 : 0], eventTime: at, eventName: i % 3 ? 'GetCallerIdentity' : 'AssumeRole', eventSource: 'sts.amazonaws.com', readOnly: true, username: 'alice', accessKeyId: 'AKIAALICE0000000000' + (i % Number(process.env.KEYS ?? 10)), resources: i % 3 ? [] : [{ type: 'AWS::IAM::Role', name: 'arn:aws:iam::123456789012:role/app' }, { type: 'AWS::STS::AssumedRole', name: 'sess' }, { type: 'AWS::IAM::AccessKey', name: 'ASIAEXAMPLE' + i }], json, uses: [{ kind: 'access-key', id: 'AKIAALICE0000000000' + (i % Number(process.env.KEYS ?? 10)), date: at, region: 'us-east-1', service: 'sts' }] };
}
let i = 0;
const mk = () => Array.from({ length: PER }, () => rec(i++));
for (let w = 0; w < 50; w++) await store.audit.append(mk());
const batches = Array.from({ length: BATCHES }, mk);
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (const b of batches) await store.audit.append(b);
const ns = Number(process.hrtime.bigint() - t0);
const cpu = process.cpuUsage(c0);
const n = BATCHES * PER;
console.log(JSON.stringify({ perEventUs: +(ns / 1000 / n).toFixed(1), cpuPerEventUs: +((cpu.user + cpu.system) / n).toFixed(1), events: n }));
// lookups sanity timing
const l0 = process.hrtime.bigint();
for (const key of ['EventName', 'Username', 'AccessKeyId', 'EventSource', 'ReadOnly', 'ResourceType', 'EventId']) {
  const value = { EventName: 'AssumeRole', Username: 'alice', AccessKeyId: 'AKIAALICE00000000003', EventSource: 'sts.amazonaws.com', ReadOnly: 'true', ResourceType: 'AWS::IAM::Role', EventId: batches[5][3].eventId }[key];
  const r = await store.audit.lookup({ accountId: '123456789012', limit: 50, attribute: { key, value } });
  if (r.length === 0) console.log('empty', key);
}
console.log('lookups ms', Number(process.hrtime.bigint() - l0) / 1e6);
await store.close();
rmSync(dir, { recursive: true, force: true });
