// The analyzer's benchmark (run against dist/: `npx tsc -p . && node bench/analyzer.mjs`):
//  lint     linting a trust policy of ~2,048 non-whitespace characters (the default trust-policy
//           quota) with every semantic check (external ids, any principal, OIDC, services, MFA,
//           condition pitfalls...), cold (fresh policy text each time: no cache helps) — target
//           under 50 ms;
//  who      who-can-assume over an inventory of 1,000 roles and 200 users in 3 accounts with chains
//           of roles across accounts, for a role its whole account may assume (graph built from scratch
//           each time) — target under 1 s;
//  what     what-can-assume for a user at the start of the chains, same inventory.
// Prints the medians (and p90) as a table and as one JSON line.
// Environment: BENCH_ANALYZER_RUNS (default 30 lint / 7 graph).
// A benchmark, never a test: nothing in `npm test` depends on it.
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { lintPolicy, whoCanAssume, whatCanAssume } = await import(join(root, 'dist/src/analyzer/index.js'));
const { parsePolicy, policySize } = await import(join(root, 'dist/src/policy/index.js'));

const OWN = '111111111111';
const PARTNER = '222222222222';

/** A realistic trust policy grown to just under 2,048 non-whitespace characters; `salt` makes each text unique. */
export function bigTrustPolicy(salt) {
  const st = [
    { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${PARTNER}:role/partner-deployer`, `arn:aws:iam::${PARTNER}:root`] }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'sts:ExternalId': `ext-${salt}` }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['project', 'cost-center'] } } },
    { Sid: 'GitHub', Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${OWN}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:octo-org/app:ref:refs/heads/main', 'repo:octo-org/app:environment:prod'] } } },
    { Sid: 'Ecs', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:ecs:*:${OWN}:*` }, StringEquals: { 'aws:SourceAccount': OWN } } },
    { Sid: 'Humans', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' }, ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${OWN}:user/ops/*`, `arn:aws:iam::${OWN}:role/admin-*`] } } },
    { Sid: 'Org', Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/org-reader-*' }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-*' } } },
    { Sid: 'NoOutsiders', Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, Bool: { 'aws:PrincipalIsAWSService': 'false' }, 'ForAnyValue:StringNotLike': { 'sts:TransitiveTagKeys': ['project', 'team'] } } },
  ];
  let policy = { Version: '2012-10-17', Statement: st };
  // Pad with more named partner roles up to the quota.
  const extra = st[0].Principal.AWS;
  for (let i = 0; policySize(JSON.stringify(policy)) < 1990; i++) extra.push(`arn:aws:iam::${PARTNER}:role/p${salt % 1000}x${i}`);
  return JSON.stringify(policy, null, 2);
}

/** 1,000 roles and 200 users in three accounts: service roles, chains across accounts, account-trusting roles. */
export function inventory() {
  const A = OWN, B = PARTNER, C = '333333333333';
  const accounts = [A, B, C];
  const pol = (id, statements) => ({ id, policy: parsePolicy({ Version: '2012-10-17', Statement: statements }, { type: 'identity' }).policy });
  const assumeAll = pol('assume-all', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
  const assumeOwn = (acct) => pol(`assume-${acct}`, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${acct}:role/*` }]);
  const readOnly = pol('read', [{ Effect: 'Allow', Action: ['s3:GetObject', 'ec2:Describe*'], Resource: '*' }]);
  const trust = (...s) => JSON.stringify({ Version: '2012-10-17', Statement: s });
  let n = 0;
  const id = (p) => `${p}${String(++n).padStart(16, '0')}`;
  const users = [];
  for (let i = 0; i < 200; i++) {
    const acct = accounts[i % 3];
    const policies = i % 10 === 0 ? [assumeAll] : i % 4 === 0 ? [assumeOwn(acct)] : [readOnly];
    users.push({ accountId: acct, name: `user${i}`, id: id('AIDA'), arn: `arn:aws:iam::${acct}:user/user${i}`, tags: [{ Key: 'team', Value: `t${i % 7}` }], policies, mfaEnabled: i % 3 === 0 });
  }
  const roles = [];
  const role = (acct, name, t, policies = []) => roles.push({ accountId: acct, name, path: '/', id: id('AROA'), arn: `arn:aws:iam::${acct}:role/${name}`, tags: [], policies, trustPolicy: t, maxSessionDuration: 3600 });
  // 30 chains of 5 roles, each hop possibly into another account, with external ids and MFA.
  for (let c = 0; c < 30; c++) {
    for (let h = 0; h < 5; h++) {
      const acct = accounts[(c + h) % 3];
      const prev = h === 0 ? undefined : `arn:aws:iam::${accounts[(c + h - 1) % 3]}:role/chain${c}-hop${h - 1}`;
      const t = prev
        ? trust({ Effect: 'Allow', Principal: { AWS: prev }, Action: 'sts:AssumeRole', Condition: prev.includes(`::${acct}:`) ? undefined : { StringEquals: { 'sts:ExternalId': `chain${c}-${h}` } } })
        : trust({ Effect: 'Allow', Principal: { AWS: acct }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } });
      role(acct, `chain${c}-hop${h}`, t, [assumeAll]);
    }
  }
  // Service roles, account-trusting roles, roles trusting named users, OIDC roles.
  const services = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'states.amazonaws.com'];
  for (let i = 0; roles.length < 1000; i++) {
    const acct = accounts[i % 3];
    switch (i % 5) {
      case 0:
        role(acct, `svc${i}`, trust({ Effect: 'Allow', Principal: { Service: services[i % services.length] }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': acct } } }), [readOnly]);
        break;
      case 1:
        role(acct, `acct${i}`, trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }), [readOnly]);
        break;
      case 2:
        role(acct, `named${i}`, trust({ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${acct}:user/user${i % 200}`, `arn:aws:iam::${acct}:role/chain${i % 30}-hop4`] }, Action: 'sts:AssumeRole' }), [assumeOwn(acct)]);
        break;
      case 3:
        role(acct, `gh${i}`, trust({ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${acct}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': `repo:octo/r${i}:ref:refs/heads/main` } } }), [readOnly]);
        break;
      default:
        role(acct, `partner${i}`, trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accounts[(i + 1) % 3]}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': `p${i}` } } }), [assumeAll]);
    }
  }
  return { accounts, users, roles };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), min: s[0], runs: s.length };
}

function time(runs, fn) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();

function main() {
  const lintRuns = Number(process.env.BENCH_ANALYZER_RUNS ?? 30);
  const graphRuns = Math.max(3, Math.round(lintRuns / 4));

  // Warm the JIT the way a long-running server or a CI run over many files is warm.
  for (let i = 0; i < 5; i++) lintPolicy(bigTrustPolicy(100000 + i), { accountId: OWN });
  const sample = bigTrustPolicy(1);
  const lint = stats(time(lintRuns, (i) => lintPolicy(bigTrustPolicy(i + 2), { accountId: OWN })));
  const findings = lintPolicy(sample, { accountId: OWN }).findings.map((f) => f.id);

  const inv = inventory();
  const target = inv.roles.find((r) => r.name === 'acct1').arn;
  whoCanAssume(inv, target);
  const who = stats(time(graphRuns, () => whoCanAssume(inv, target)));
  const whoAnswer = whoCanAssume(inv, target);
  const start = inv.users.find((u) => u.name === 'user0').arn;
  const what = stats(time(graphRuns, () => whatCanAssume(inv, start)));
  const whatAnswer = whatCanAssume(inv, start);

  const fmt = (x) => `${x.toFixed(2)} ms`;
  console.log('| analyzer workload | median | p90 | runs | target |');
  console.log('|---|---|---|---|---|');
  console.log(`| lint a ${policySize(sample)}-character trust policy (${findings.length} findings) | ${fmt(lint.median)} | ${fmt(lint.p90)} | ${lint.runs} | < 50 ms |`);
  console.log(`| who-can-assume, ${inv.roles.length} roles / ${inv.users.length} users (${whoAnswer.results.length} assumers) | ${fmt(who.median)} | ${fmt(who.p90)} | ${who.runs} | < 1000 ms |`);
  console.log(`| what-can-assume, same inventory (${whatAnswer.results.length} roles) | ${fmt(what.median)} | ${fmt(what.p90)} | ${what.runs} | < 1000 ms |`);
  console.log(JSON.stringify({ bench: 'analyzer', lintMedianMs: lint.median, lintP90Ms: lint.p90, lintChars: policySize(sample), lintFindings: findings, whoMedianMs: who.median, whoP90Ms: who.p90, whoAssumers: whoAnswer.results.length, whatMedianMs: what.median, whatRoles: whatAnswer.results.length, roles: inv.roles.length, users: inv.users.length }));
}
