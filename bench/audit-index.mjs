// Micro-benchmark: CPU µs per audit event indexed into a SQLite store, for events shaped as the
// server writes them (an AssumeRole or a session GetCallerIdentity), appended PER at a time as
// the audit journal's index pass does (src/store/sqlite/audit-journal.ts: chunks of 256). CPU
// counts every thread (the WAL checkpointer's too). docs/audit.md, "Storage and throughput".
//
// Run after a build: `node bench/audit-index.mjs`. Env:
//   SHAPE     AssumeRole (default) or GetCallerIdentity
//   KEYS      ordered (default: issued key ids as the server makes them, TimeOrderedIds) or random
//   SESSIONS  fixed (default: one session name), clock (`aws-sdk-js-<ms>`, unique per call, as
//             the JS SDK's default), uuid (a random UUID per call)
//   EVENTS    events timed (60000), after 40 untimed appends; PER (256); DIST_DIR (dist)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';

const D = process.env.DIST_DIR || 'dist';
const load = (p) => import(new URL(`../${D}/src/${p}`, import.meta.url).href);
const { openSqliteStore } = await load('store/sqlite/index.js');
const { auditEventId } = await load('audit/ids.js');
const { cryptoRandom } = await load('domain/random.js');
const { toAuditRecord } = await load('audit/record.js');
const { newId, TimeOrderedIds } = await load('domain/ids.js');

const SHAPE = process.env.SHAPE || 'AssumeRole';
const KEYS = process.env.KEYS || 'ordered';
const SESSIONS = process.env.SESSIONS || 'fixed';
const PER = Number(process.env.PER ?? 256);
const EVENTS = Number(process.env.EVENTS ?? 60000);
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/bench-role`;
const ids = new TimeOrderedIds(cryptoRandom);
const T0 = Date.now();
let i = 0;

function event() {
  const at = new Date(T0 + (i++ >> 3));
  const common = { eventTime: at.toISOString().slice(0, 19) + 'Z', eventSource: 'sts.amazonaws.com', awsRegion: 'us-east-1', sourceIPAddress: '127.0.0.1', userAgent: 'aws-sdk-js/3', requestID: randomUUID(), eventID: auditEventId(cryptoRandom, at), readOnly: true, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: ACCOUNT, eventCategory: 'Management' };
  if (SHAPE === 'GetCallerIdentity') {
    return [at, { eventVersion: '1.11', userIdentity: { type: 'AssumedRole', principalId: 'AROACL3HWN224JCWZPAK:bench', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/bench-role/bench`, accountId: ACCOUNT, accessKeyId: 'ASIA2KQ7VSZ3JNOZ2DKG', sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROACL3HWN224JCWZPAK', arn: ROLE, accountId: ACCOUNT, userName: 'bench-role' }, attributes: { creationDate: '2026-12-02T12:30:56Z', mfaAuthenticated: 'false' } } }, eventName: 'GetCallerIdentity', requestParameters: null, responseElements: null, ...common }];
  }
  const session = SESSIONS === 'clock' ? `aws-sdk-js-${T0 + i * 3}` : SESSIONS === 'uuid' ? randomUUID() : 'bench';
  const key = KEYS === 'random' ? newId(cryptoRandom, 'ASIA') : ids.next('ASIA', at.getTime());
  return [at, {
    eventVersion: '1.11',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAVIDXVGHQLWHIJZZH', arn: `arn:aws:iam::${ACCOUNT}:user/bench`, accountId: ACCOUNT, accessKeyId: 'AKIA567OT42SDDDIOY55', userName: 'bench' },
    eventName: 'AssumeRole',
    requestParameters: { roleArn: ROLE, roleSessionName: session, durationSeconds: 3600 },
    responseElements: { credentials: { accessKeyId: key, expiration: 'Dec 2, 2026 1:30:56 PM' }, assumedRoleUser: { assumedRoleId: `AROACL3HWN224JCWZPAK:${session}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/bench-role/${session}` } },
    resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: ROLE }],
    ...common,
  }];
}
const batch = () => Array.from({ length: PER }, () => { const [at, e] = event(); return toAuditRecord(e, at); });

const dir = mkdtempSync(join(tmpdir(), 'audit-index-'));
const store = await openSqliteStore({ dataDir: dir, masterKey: randomBytes(32) });
try {
  for (let w = 0; w < 40; w++) await store.audit.append(batch());
  // Built before timing: only the store's work is measured.
  const batches = Array.from({ length: Math.ceil(EVENTS / PER) }, batch);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of batches) await store.audit.append(b);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const n = batches.length * PER;
  console.log(JSON.stringify({ shape: SHAPE, keys: KEYS, sessions: SESSIONS, per: PER, events: n, stored: n + 40 * PER, wallUsPerEvent: +((wall * 1000) / n).toFixed(1), cpuUsPerEvent: +((cpu.user + cpu.system) / n).toFixed(1), sysUsPerEvent: +(cpu.system / n).toFixed(1) }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
