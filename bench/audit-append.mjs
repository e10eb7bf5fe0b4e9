// Micro-benchmark: µs per audit event appended to a fresh SQLite store, and lookup latencies.
// Run after `npx tsc -p .`: `node bench/audit-append.mjs`. Prints wall and CPU µs per event (the
// machine is shared: prefer CPU, compare alternating runs). Event ids are real UUIDv7
// (src/audit/ids.ts), event times are increasing with a little jitter (a slow request's event
// lands in a later batch than newer ones), as the server writes them.
// Env: PER (events per append, 16), EVENTS (events timed, 9600), KEYS (distinct access keys, 10),
// DROP (comma-separated audit indexes to drop before the run, to measure what an index costs),
// BIG (events in a second store for the read timings, 0 = skip; 100000 for the figures in
// docs/audit.md), DIST_DIR (compiled tree to load, relative to the repository: compare formats).
// docs/audit.md, "Storage and throughput".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID, randomBytes } from 'node:crypto';
const dist = (p) => (process.env.DIST_DIR ? new URL(`../${process.env.DIST_DIR}/src/${p}`, import.meta.url).href : `../dist/src/${p}`);
const { openSqliteStore } = await import(dist('store/sqlite/index.js'));
const { auditEventId } = await import(dist('audit/ids.js'));
const { cryptoRandom } = await import(dist('domain/random.js'));

const PER = Number(process.env.PER ?? 16);
const BATCHES = Math.max(1, Math.ceil(Number(process.env.EVENTS ?? 9600) / PER));
const KEYS = Number(process.env.KEYS ?? 10);
const BIG = Number(process.env.BIG ?? 0);
const accounts = ['123456789012', '210987654321'];
const T0 = Date.parse('2026-03-01T10:00:00Z');
let seq = 0;
function rec(i) {
  // Mostly increasing, one event in 50 up to 40 ms late (it was a slow request).
  const at = new Date(T0 + i - (i % 50 === 0 ? (seq++ % 40) : 0));
  const eventId = auditEventId(cryptoRandom, at);
  const json = JSON.stringify({ eventVersion: '1.08', userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE' + i, arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', accessKeyId: 'AKIAALICE00000000001', userName: 'alice' }, eventTime: at.toISOString(), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', awsRegion: 'us-east-1', sourceIPAddress: '127.0.0.1', userAgent: 'aws-sdk-js/3.0 ua/2.0 os/linux lang/js md/nodejs#20', requestParameters: null, responseElements: null, requestID: randomUUID(), eventID: eventId, readOnly: true, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: '123456789012', eventCategory: 'Management', tlsDetails: { tlsVersion: 'TLSv1.3', clientProvidedHostHeader: 'localhost' } });
  // Every 5000th event names a rare role: the "ResourceName, rare value" lookup.
  const role = i % 5000 === 7 ? 'arn:aws:iam::123456789012:role/rare' : 'arn:aws:iam::123456789012:role/app';
  return { eventId, accountId: accounts[i % 7 === 0 ? 1 : 0], eventTime: at, eventName: i % 3 ? 'GetCallerIdentity' : 'AssumeRole', eventSource: 'sts.amazonaws.com', readOnly: true, username: 'alice', accessKeyId: 'AKIAALICE0000000000' + (i % KEYS), resources: i % 3 && i % 5000 !== 7 ? [] : [{ type: 'AWS::IAM::Role', name: role }, { type: 'AWS::STS::AssumedRole', name: 'sess' }, { type: 'AWS::IAM::AccessKey', name: 'ASIAEXAMPLE' + i }], json, uses: [{ kind: 'access-key', id: 'AKIAALICE0000000000' + (i % KEYS), date: at, region: 'us-east-1', service: 'sts' }] };
}

async function timed(fn, reps) {
  const ms = [];
  let out;
  for (let r = 0; r < reps; r++) {
    const t = process.hrtime.bigint();
    out = await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { ms: +ms[Math.floor(ms.length / 2)].toFixed(2), n: out.length };
}

// 1. Appends.
{
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const store = await openSqliteStore({ dataDir: dir, masterKey: randomBytes(32) });
  if (process.env.DROP) { const { default: D } = await import('better-sqlite3'); const x = new D(join(dir, 'rolecall.db')); for (const i of process.env.DROP.split(',')) x.exec(`drop index ${i}`); x.close(); }
  let i = 0;
  const mk = () => Array.from({ length: PER }, () => rec(i++));
  for (let w = 0; w < Math.max(5, Math.ceil(800 / PER)); w++) await store.audit.append(mk());
  const batches = Array.from({ length: BATCHES }, mk);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const b of batches) await store.audit.append(b);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  const n = BATCHES * PER;
  console.log(JSON.stringify({ per: PER, perEventUs: +(ns / 1000 / n).toFixed(1), cpuPerEventUs: +((cpu.user + cpu.system) / n).toFixed(1), events: n }));
  // Lookups sanity timing (one of each attribute, page of 50, on this small store).
  const l0 = process.hrtime.bigint();
  for (const key of ['EventName', 'Username', 'AccessKeyId', 'EventSource', 'ReadOnly', 'ResourceType', 'EventId']) {
    const value = { EventName: 'AssumeRole', Username: 'alice', AccessKeyId: 'AKIAALICE00000000003', EventSource: 'sts.amazonaws.com', ReadOnly: 'true', ResourceType: 'AWS::IAM::Role', EventId: batches.flat().find((r, k) => k > 40 && r.accountId === '123456789012').eventId }[key];
    const r = await store.audit.lookup({ accountId: '123456789012', limit: 50, attribute: { key, value } });
    if (r.length === 0) console.log('empty', key);
  }
  console.log('lookups ms', +(Number(process.hrtime.bigint() - l0) / 1e6).toFixed(2));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

// 2. Reads on a store of BIG events (written 64 per append).
if (BIG > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const store = await openSqliteStore({ dataDir: dir, masterKey: randomBytes(32) });
  const f0 = process.hrtime.bigint();
  for (let i = 0; i < BIG; ) {
    const b = [];
    for (let k = 0; k < 64 && i < BIG; k++) b.push(rec(i++));
    await store.audit.append(b);
  }
  const fillMs = Number(process.hrtime.bigint() - f0) / 1e6;
  const acct = '123456789012';
  const q = (extra) => () => store.audit.lookup({ accountId: acct, limit: 51, ...extra });
  // A cursor halfway down the account's events (what page ~1000 of LookupEvents continues from).
  const all = await store.audit.lookup({ accountId: acct, limit: BIG });
  const mid = all[Math.floor(all.length / 2)];
  const after = { eventTime: mid.eventTime, eventId: mid.eventId };
  const res = {
    fillSeconds: +(fillMs / 1000).toFixed(1),
    newest50: await timed(q({}), 21),
    eventName50: await timed(q({ attribute: { key: 'EventName', value: 'AssumeRole' } }), 21),
    resourceNameRare: await timed(q({ attribute: { key: 'ResourceName', value: 'arn:aws:iam::123456789012:role/rare' } }), 21),
    deepCursor50: await timed(q({ after }), 21),
    deepCursorEventName50: await timed(q({ after, attribute: { key: 'EventName', value: 'AssumeRole' } }), 21),
    eventId: await timed(q({ attribute: { key: 'EventId', value: mid.eventId } }), 21),
    export1000: await timed(() => store.audit.lookup({ limit: 1000, order: 'oldest-first', after }), 11),
  };
  console.log(JSON.stringify({ big: BIG, ...res }));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
