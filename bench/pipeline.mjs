// In-process micro-benchmark of the request pipeline without HTTP: the same signed STS requests
// as bench/http/run-http.mjs, handed straight to the server's handler (RunningServer.handle), 16
// in flight, for a few seconds. Prints CPU µs per request per case, audit on and off. It
// separates what Rolecall's own code costs from node:http's share (which the floor pays too).
//
// Run after a build: `node bench/pipeline.mjs`. Env: CASES (GetCallerIdentity,AssumeRole,
// GetCallerIdentity+session), AUDIT (on,off), SECONDS (3), CONC (16). Profile one case:
// `CASES=AssumeRole AUDIT=on node --cpu-prof --cpu-prof-dir=/tmp/p bench/pipeline.mjs`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { signRequest } from './http/gen-wrk-lua.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// DIST_DIR: another build to measure (A/B comparisons), default dist/.
const { startServer } = await import(new URL(`../${process.env.DIST_DIR || 'dist'}/src/main.js`, import.meta.url).href);
const CASES = (process.env.CASES || 'GetCallerIdentity,AssumeRole,GetCallerIdentity+session').split(',');
const AUDITS = (process.env.AUDIT || 'on,off').split(',');
const SECONDS = Number(process.env.SECONDS || 3);
const CONC = Number(process.env.CONC || 16);
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/bench-role`;
const ROOT = { accessKeyId: 'AKIAROLECALLBENCHROOT', secretAccessKey: 'rolecall/bench/root/secret/key/0000000000' };

async function setup(endpoint) {
  const { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateRoleCommand } = await import('@aws-sdk/client-iam');
  const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: ROOT });
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey;
  await iam.send(new PutUserPolicyCommand({ UserName: 'bench', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN }] }) }));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bench` }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  iam.destroy();
  const user = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: user });
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'bench-session', DurationSeconds: 3600 }))).Credentials;
  sts.destroy();
  return { user, session: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } };
}

function httpRequest(signed, port) {
  const body = Buffer.from(signed.body);
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: Object.entries(signed.headers),
    body,
    bodySha256Hex: createHash('sha256').update(body).digest('hex'),
    remoteAddress: '127.0.0.1',
    localAddress: '127.0.0.1',
    localPort: port,
  };
}

const results = [];
for (const audit of AUDITS) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-pipeline-'));
  const running = await startServer({ host: '127.0.0.1', port: 0, dataDir, region: 'us-east-1', logLevel: 'silent', audit, accountId: ACCOUNT, rootAccessKeyId: ROOT.accessKeyId, rootSecretAccessKey: ROOT.secretAccessKey });
  try {
    const port = running.port;
    const { user, session } = await setup(running.url);
    const hostport = `127.0.0.1:${port}`;
    for (const kase of CASES) {
      const signed =
        kase === 'GetCallerIdentity+root'
          ? await signRequest({ hostport, action: 'GetCallerIdentity', akid: ROOT.accessKeyId, secret: ROOT.secretAccessKey })
          : kase === 'GetCallerIdentity+session'
          ? await signRequest({ hostport, action: 'GetCallerIdentity', akid: session.accessKeyId, secret: session.secretAccessKey, token: session.sessionToken })
          : await signRequest({ hostport, action: kase, akid: user.accessKeyId, secret: user.secretAccessKey });
      const req = httpRequest(signed, port);
      const first = await running.handle(req);
      if (first.status !== 200) throw new Error(`${kase}: ${first.status} ${first.body}`);
      const run = async (ms) => {
        let n = 0;
        const end = performance.now() + ms;
        const worker = async () => {
          while (performance.now() < end) {
            const r = await running.handle(req);
            if (r.status !== 200) throw new Error(`${kase}: ${r.status} ${r.body}`);
            n++;
          }
        };
        await Promise.all(Array.from({ length: CONC }, worker));
        return n;
      };
      await run(1000);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await run(SECONDS * 1000);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const st = running.audit?.stats;
      const row = { case: kase, audit, ...(st ? { eventsPerBatch: +(st.events / st.batches).toFixed(1), timedOutWaits: st.timedOutWaits } : {}), requests: n, perSec: Math.round((n / wall) * 1000), cpuUsPerRequest: +((cpu.user + cpu.system) / n).toFixed(1), sysUsPerRequest: +(cpu.system / n).toFixed(1) };
      results.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
