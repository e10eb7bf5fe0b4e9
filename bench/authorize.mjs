// The decision point, in process (no HTTP, no wrk): authorize calls per second with a warm
// decision cache and with none, beside the pure engine alone and beside SigV4 verification alone
// (parse + session-token open + signature check of the forwarded request). Medians over rounds.
// Target (docs/authorize.md#performance): the decision point adds no more than 2x the cost of
// SigV4 verification alone, i.e. authorize(warm) <= 3x sigv4.
//
//   npm run build && node bench/authorize.mjs            (BENCH_AUTHZ_ROUNDS=5, BENCH_AUTHZ_SECONDS=0.5)
//
// Each authorize call verifies TWO signatures (the service's own call to Rolecall and the
// forwarded request), parses the JSON body, checks rolecall:Authorize for the service and decides
// the forwarded request; the figures say how much of that the cache saves.
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '../dist/src/main.js';
import { signRequest } from '../dist/src/cli/sign-request.js';
import { decisionPointEndpoints } from '../dist/src/endpoints/authorize/index.js';
import { authenticate } from '../dist/src/gateway/authenticate.js';
import { sessionResolver } from '../dist/src/gateway/session-caller.js';
import { SessionTokenService } from '../dist/src/tokens/session-tokens.js';
import { StorePolicySource } from '../dist/src/authz/store-policy-source.js';
import { parseAuth, verifySignature } from '../dist/src/sigv4/index.js';
import { evaluate } from '../dist/src/policy/index.js';
import { systemClock } from '../dist/src/domain/clock.js';
import { cryptoRandom } from '../dist/src/domain/random.js';

const ROUNDS = Number(process.env.BENCH_AUTHZ_ROUNDS || 5);
const SECONDS = Number(process.env.BENCH_AUTHZ_SECONDS || 0.5);
const OBJECTS = 64; // distinct forwarded requests cycled through (distinct resources)
const REGION = 'us-east-1';
const sha = (b) => createHash('sha256').update(b).digest('hex');

const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-bench-authz-'));
const running = await startServer({ host: '127.0.0.1', port: 0, dataDir, region: REGION, logLevel: 'silent', authorizeAudit: 'off' });
try {
  // ---------------------------------------------------------------- setup through the real API
  async function call(creds, service, params) {
    const body = new URLSearchParams({ ...params, Version: service === 'iam' ? '2010-05-08' : '2011-06-15' }).toString();
    const s = signRequest({ method: 'POST', url: `${running.url}/`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, creds, { service, region: REGION, now: new Date() });
    const r = await fetch(s.url, { method: 'POST', headers: s.headers, body });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`${params.Action}: ${r.status} ${text}`);
    return (tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
  }
  const root = { accessKeyId: running.root.accessKeyId, secretAccessKey: running.root.secretAccessKey };
  const account = running.root.accountId;
  const policy = (stmts) => JSON.stringify({ Version: '2012-10-17', Statement: stmts });
  const keyOf = async (user) => {
    const x = await call(root, 'iam', { Action: 'CreateAccessKey', UserName: user });
    return { accessKeyId: x('AccessKeyId'), secretAccessKey: x('SecretAccessKey') };
  };
  await call(root, 'iam', { Action: 'CreateUser', UserName: 'svc' });
  await call(root, 'iam', { Action: 'PutUserPolicy', UserName: 'svc', PolicyName: 'authorize', PolicyDocument: policy([{ Effect: 'Allow', Action: 'rolecall:Authorize', Resource: '*' }]) });
  const svc = await keyOf('svc');
  await call(root, 'iam', { Action: 'CreateUser', UserName: 'alice' });
  await call(root, 'iam', { Action: 'PutUserPolicy', UserName: 'alice', PolicyName: 'assume', PolicyDocument: policy([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]) });
  const alice = await keyOf('alice');
  await call(root, 'iam', { Action: 'CreateRole', RoleName: 'reader', AssumeRolePolicyDocument: policy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/alice` }, Action: 'sts:AssumeRole' }]) });
  await call(root, 'iam', {
    Action: 'PutRolePolicy',
    RoleName: 'reader',
    PolicyName: 'perms',
    PolicyDocument: policy([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'] },
      { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::data/secret/*' },
    ]),
  });
  const a = await call(alice, 'sts', { Action: 'AssumeRole', RoleArn: `arn:aws:iam::${account}:role/reader`, RoleSessionName: 'bench' });
  const role = { accessKeyId: a('AccessKeyId'), secretAccessKey: a('SecretAccessKey'), sessionToken: a('SessionToken') };
  // Let AssumeRole's off-path RoleLastUsed write land before anything is cached.
  await new Promise((r) => setTimeout(r, 200));

  // ---------------------------------------------------------------- the requests
  const now = new Date();
  const forwarded = [];
  const authorizeReqs = [];
  for (let i = 0; i < OBJECTS; i++) {
    const path = `/data/reports/2026/file-${i}.csv`;
    const s = signRequest({ method: 'GET', url: `http://objects.internal:9000${path}?x-id=GetObject`, headers: { 'x-amz-content-sha256': sha(''), 'user-agent': 'aws-sdk-js/3 bench' }, body: '' }, role, { service: 's3', region: REGION, now });
    const raw = { method: 'GET', path, query: 'x-id=GetObject', headers: Object.entries(s.headers), bodySha256Hex: sha('') };
    forwarded.push(raw);
    const body = JSON.stringify({
      request: { method: raw.method, path: raw.path, query: raw.query, headers: raw.headers, bodySha256: raw.bodySha256Hex, sourceIp: '10.1.2.3' },
      authorizations: [{ action: 's3:GetObject', resources: [`arn:aws:s3:::data${path.slice('/data'.length)}`], resourceAccount: account }],
      signingName: 's3',
    });
    const o = signRequest({ method: 'POST', url: `${running.url}/_rolecall/authorize`, headers: { 'content-type': 'application/json' }, body }, svc, { service: 'rolecall', region: REGION, now });
    const u = new URL(o.url);
    authorizeReqs.push({ method: 'POST', path: u.pathname, query: '', headers: Object.entries(o.headers), body: Buffer.from(body), bodySha256Hex: sha(body), remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', localPort: running.port });
  }

  // ---------------------------------------------------------------- the subjects
  const store = running.store;
  const sessions = new SessionTokenService({ settings: store.settings, clock: systemClock, random: cryptoRandom });
  const resolveSessionToken = sessionResolver(sessions, store, () => Math.floor(Date.now() / 1000));
  const policySource = new StorePolicySource(store);
  const endpoint = (decisionCache) => decisionPointEndpoints({ store, clock: systemClock, random: cryptoRandom, resolveSessionToken, policySource, auditMode: 'off', decisionCache })[0];
  const warm = endpoint(true);
  const cold = endpoint(false);

  // Sanity: every call is allowed, and the answers are what the benchmark claims to time.
  for (const [name, e] of [['warm', warm], ['cold', cold]]) {
    const r = await e.handle(authorizeReqs[0]);
    const j = JSON.parse(r.body);
    if (r.status !== 200 || !j.allowed) throw new Error(`bench: ${name} authorize did not allow: ${r.status} ${r.body}`);
  }
  const { caller } = await authenticate(forwarded[0], parseAuth(forwarded[0]).auth, { store, now: new Date(), resolveSessionToken });
  const set = await policySource.policiesFor(caller);
  const ctx = { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'false', 'aws:CurrentTime': now.toISOString(), 'aws:PrincipalArn': caller.principal.roleArn, 'aws:userid': caller.userId };
  const secret = role.secretAccessKey;

  const subjects = {
    'sigv4-verify-only': async (i) => {
      const raw = forwarded[i % OBJECTS];
      const p = parseAuth(raw);
      const v = verifySignature(raw, p.auth, secret, new Date());
      if (!v.ok) throw new Error('verify');
    },
    'sigv4-authenticate': async (i) => {
      const raw = forwarded[i % OBJECTS];
      await authenticate(raw, parseAuth(raw).auth, { store, now: new Date(), resolveSessionToken });
    },
    'engine-only': async (i) => {
      const r = evaluate({ principal: caller.principal, action: 's3:GetObject', resource: `arn:aws:s3:::data/reports/2026/file-${i % OBJECTS}.csv`, context: ctx }, set);
      if (r.decision !== 'allowed') throw new Error('engine');
    },
    'authorize-warm': async (i) => {
      const r = await warm.handle(authorizeReqs[i % OBJECTS]);
      if (r.status !== 200) throw new Error(r.body);
    },
    'authorize-cold': async (i) => {
      const r = await cold.handle(authorizeReqs[i % OBJECTS]);
      if (r.status !== 200) throw new Error(r.body);
    },
  };

  /**
   * Calls per second of this process's CPU time (user + system), not of wall time: on a machine
   * shared with other work the process is descheduled at random, which wall-clock rates count
   * against whatever subject was running; CPU time does not (docs/authorize.md#performance).
   */
  async function measure(fn, seconds) {
    let n = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const end = t0 + seconds * 1000;
    let t = t0;
    while (t < end) {
      for (let k = 0; k < 32; k++, n++) await fn(n);
      t = performance.now();
    }
    const c = process.cpuUsage(c0);
    return (n / ((c.user + c.system) / 1000)) * 1000;
  }

  // BENCH_AUTHZ_ONLY=a,b times a subset (profiling); the ratios need sigv4-authenticate and authorize-warm.
  const only = process.env.BENCH_AUTHZ_ONLY ? new Set(process.env.BENCH_AUTHZ_ONLY.split(',')) : undefined;
  const names = Object.keys(subjects).filter((n) => !only || only.has(n));
  const results = Object.fromEntries(names.map((k) => [k, []]));
  for (const n of names) await measure(subjects[n], 0.3); // warmup (JIT, caches)
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no subject always runs first.
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      results[name].push(await measure(subjects[name], SECONDS));
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const med = Object.fromEntries(names.map((n) => [n, median(results[n])]));
  const us = (n) => 1e6 / med[n];
  console.log(`\nbench/authorize.mjs: in-process decision point, ${ROUNDS} rounds x ${SECONDS} s, medians of calls per CPU-second (node ${process.version})`);
  console.log('| subject | calls/CPU-s | CPU µs/call |');
  console.log('|---|---:|---:|');
  for (const n of names) console.log(`| ${n} | ${Math.round(med[n]).toLocaleString('en-US')} | ${us(n).toFixed(1)} |`);
  if (!med['sigv4-authenticate'] || !med['authorize-warm'] || !med['authorize-cold']) process.exit(0);
  const base = us('sigv4-authenticate');
  const added = us('authorize-warm') - base;
  console.log(`\nauthorize (warm) = ${(us('authorize-warm') / base).toFixed(2)}x SigV4 authentication alone; the decision point adds ${(added / base).toFixed(2)}x (target <= 2x)`);
  console.log(`authorize (cold) = ${(us('authorize-cold') / base).toFixed(2)}x; the cache saves ${(us('authorize-cold') - us('authorize-warm')).toFixed(1)} µs per call`);
  console.log(JSON.stringify({ bench: 'authorize', rounds: ROUNDS, seconds: SECONDS, callsPerSecond: Object.fromEntries(names.map((n) => [n, Math.round(med[n])])), addedOverSigv4: Number((added / base).toFixed(2)) }));
} finally {
  await running.close();
  rmSync(dataDir, { recursive: true, force: true });
}
