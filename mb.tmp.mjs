import { openSqliteStore } from './dist/src/store/sqlite/index.js';
import { apiCallEvents } from './dist/src/audit/api-call.js';
import { toAuditRecord } from './dist/src/audit/record.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const caller = { kind: 'user', accountId: '123456789012', principal: { type: 'User' }, userId: 'AIDAXXXXXXXXXXXXXXX1', arn: 'arn:aws:iam::123456789012:user/alice', accessKeyId: 'AKIAXXXXXXXXXXXXXXX1', userName: 'alice' };
const mk = (op, svc) => { const [e] = apiCallEvents({ service: svc, operation: op, input: {}, output: { UserId: 'x', Account: '1', Arn: 'a' }, caller, region: 'us-east-1', sourceIp: '127.0.0.1', userAgent: 'aws-sdk-js/3.1168.0 ua/2.1 os/linux#6.18.44-fc-v1045 lang/js md/nodejs#20.20.2 api/sts#3.1168.0 m/N,E,e', requestId: randomUUID(), time: new Date() }, { newId: randomUUID }); return e; };
for (const fsync of [false, true]) {
  const s = await openSqliteStore({ filename: join(mkdtempSync(join(tmpdir(), 'mb-')), 'x.db'), masterKey: randomBytes(32), auditFsync: fsync });
  const B = 16, N = 300;
  let t0 = performance.now(); let build = 0;
  for (let i = 0; i < N; i++) {
    const tb = performance.now();
    const recs = Array.from({ length: B }, () => toAuditRecord(mk('GetCallerIdentity', 'sts'), new Date()));
    build += performance.now() - tb;
    await s.audit.append(recs);
  }
  const dt = performance.now() - t0;
  console.log(`fsync=${fsync}: ${(dt / N).toFixed(2)} ms per batch of ${B} (${(dt / N / B * 1000).toFixed(0)} us/event, of which build ${(build / N / B * 1000).toFixed(0)} us)`);
  await s.close();
}
