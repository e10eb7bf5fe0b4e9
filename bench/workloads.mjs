// COPY of the shared anchors' workload definitions (shared/anchors/workloads.mjs), unchanged below
// this header, so that Rolecall's figures and the anchors' figures are measured on the same data.
// Do not edit: if the anchors' workloads change, copy the file again.

// Workload definitions shared by the engine benchmarks.
//  W1: one identity policy, 10 statements, one request.
//  W2: 200 roles x 3 attached policies x ~10 statements, random (role, action, resource) requests.
// Plus a small IAM -> Cedar translator for the statement subset used here.
// Everything is deterministic (seeded PRNG) so every engine sees the same data.

export const ACCOUNT = '123456789012';
const A = ACCOUNT;

// ---------------------------------------------------------------- PRNG
export function rng(seed) {
  // mulberry32
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, arr) => arr[Math.floor(r() * arr.length)];

// ---------------------------------------------------------------- W1
export const W1_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadCorpData', Effect: 'Allow', Action: ['s3:Get*', 's3:List*'],
      Resource: ['arn:aws:s3:::corp-data-*', 'arn:aws:s3:::corp-data-*/*'],
      Condition: { StringEquals: { 'aws:PrincipalTag/team': ['analytics', 'data-eng'] } } },
    { Sid: 'DenyDeleteWithoutMfa', Effect: 'Deny', Action: 's3:Delete*', Resource: '*',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
    { Sid: 'Ec2DescribeFromCorpNet', Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } } },
    { Sid: 'DenyFromBlockedNet', Effect: 'Deny', Action: '*', Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
    { Sid: 'OrdersTables', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
      Resource: `arn:aws:dynamodb:us-east-1:${A}:table/orders-*`,
      Condition: { StringLike: { 'aws:userid': 'AROA*:app-*' } } },
    { Sid: 'JobQueues', Effect: 'Allow', Action: 'sqs:*', Resource: `arn:aws:sqs:*:${A}:jobs-*` },
    { Sid: 'DenyIamAndOrgs', Effect: 'Deny', Action: ['iam:*', 'organizations:*'], Resource: '*' },
    { Sid: 'KmsForDataTeams', Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:us-east-1:${A}:key/*`,
      Condition: { StringLike: { 'aws:PrincipalTag/team': 'data-*' } } },
    { Sid: 'AppLogsTls', Effect: 'Allow', Action: 'logs:*', Resource: `arn:aws:logs:*:${A}:log-group:/app/*`,
      Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    { Sid: 'DenyOutsideUsEast1', Effect: 'Deny', Action: ['s3:PutBucket*', 's3:DeleteBucket*'], Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'ap-south-1'] } } },
  ],
};

export const W1_REQUEST = {
  principal: `arn:aws:iam::${A}:role/analytics-reader`,
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::corp-data-prod/reports/2024/q1.csv',
  context: {
    'aws:PrincipalTag/team': 'analytics',
    'aws:MultiFactorAuthPresent': 'true',
    'aws:SourceIp': '10.1.2.3',
    'aws:SecureTransport': 'true',
    'aws:userid': 'AROAEXAMPLEID:app-reporting',
    'aws:RequestedRegion': 'us-east-1',
  },
};
export const W1_EXPECTED = 'Allowed';

// ---------------------------------------------------------------- W2
// Actions with a resource-ARN builder that is valid for that action (iam-simulate validates this).
const REGIONS = ['us-east-1', 'us-west-2'];
export const ACTIONS = [
  ['s3:GetObject', (a) => `arn:aws:s3:::${a}-data/obj/${a}.json`],
  ['s3:PutObject', (a) => `arn:aws:s3:::${a}-data/upload/${a}.bin`],
  ['s3:DeleteObject', (a) => `arn:aws:s3:::${a}-data/tmp/x`],
  ['s3:ListBucket', (a) => `arn:aws:s3:::${a}-data`],
  ['s3:PutBucketPolicy', (a) => `arn:aws:s3:::${a}-data`],
  ['dynamodb:GetItem', (a) => `arn:aws:dynamodb:us-east-1:${A}:table/${a}-orders`],
  ['dynamodb:PutItem', (a) => `arn:aws:dynamodb:us-east-1:${A}:table/${a}-orders`],
  ['dynamodb:Query', (a) => `arn:aws:dynamodb:us-east-1:${A}:table/${a}-events`],
  ['dynamodb:DeleteTable', (a) => `arn:aws:dynamodb:us-east-1:${A}:table/${a}-events`],
  ['sqs:SendMessage', (a) => `arn:aws:sqs:us-east-1:${A}:${a}-jobs`],
  ['sqs:ReceiveMessage', (a) => `arn:aws:sqs:us-west-2:${A}:${a}-jobs`],
  ['sns:Publish', (a) => `arn:aws:sns:us-east-1:${A}:${a}-alerts`],
  ['lambda:InvokeFunction', (a) => `arn:aws:lambda:us-east-1:${A}:function:${a}-worker`],
  ['ecr:BatchGetImage', (a) => `arn:aws:ecr:us-east-1:${A}:repository/${a}-images`],
  ['states:StartExecution', (a) => `arn:aws:states:us-east-1:${A}:stateMachine:${a}-flow`],
  ['logs:PutLogEvents', (a) => `arn:aws:logs:us-east-1:${A}:log-group:/app/${a}:log-stream:main`],
  ['secretsmanager:GetSecretValue', (a) => `arn:aws:secretsmanager:us-east-1:${A}:secret:${a}/db-AbCdEf`],
  ['ssm:GetParameter', (a) => `arn:aws:ssm:us-east-1:${A}:parameter/${a}/config`],
  ['ec2:DescribeInstances', () => '*'],
  ['ec2:StopInstances', (a) => `arn:aws:ec2:us-east-1:${A}:instance/i-0${a.length}abc${a.slice(-2)}`],
  ['iam:PassRole', (a) => `arn:aws:iam::${A}:role/${a}-task`],
  ['sts:AssumeRole', (a) => `arn:aws:iam::${A}:role/${a}-deployer`],
];

const SERVICES = ['s3', 'dynamodb', 'sqs', 'sns', 'lambda', 'ecr', 'states', 'logs', 'secretsmanager', 'ssm', 'ec2'];

// Statement generators: (r, app, team) -> IAM statement. Mix of exact/wildcard actions & resources.
const STMT_GENS = [
  (r, app) => ({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: [`arn:aws:s3:::${app}-*`, `arn:aws:s3:::${app}-*/*`] }),
  (r, app) => ({ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${app}-data/upload/*` }),
  (r, app) => ({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], Resource: `arn:aws:dynamodb:*:${A}:table/${app}-*` }),
  (r, app) => ({ Effect: 'Allow', Action: 'sqs:*', Resource: `arn:aws:sqs:*:${A}:${app}-*` }),
  (r, app) => ({ Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${A}:${app}-alerts` }),
  (r, app) => ({ Effect: 'Allow', Action: 'lambda:Invoke*', Resource: `arn:aws:lambda:us-east-1:${A}:function:${app}-*` }),
  (r, app) => ({ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlFor*', 'states:Start*'], Resource: [`arn:aws:ecr:*:${A}:repository/${app}-*`, `arn:aws:states:*:${A}:stateMachine:${app}-*`] }),
  (r, app) => ({ Effect: 'Allow', Action: 'logs:*', Resource: `arn:aws:logs:*:${A}:log-group:/app/${app}*` }),
  (r, app) => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:*:${A}:secret:${app}/*` }),
  (r, app) => ({ Effect: 'Allow', Action: ['ssm:GetParameter*'], Resource: `arn:aws:ssm:*:${A}:parameter/${app}/*` }),
  (r) => ({ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }),
  (r, app) => ({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: `arn:aws:iam::${A}:role/${app}-*` }),
  (r, app) => ({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${A}:role/${app}-deployer` }),
  (r) => ({ Effect: 'Allow', Action: `${pick(r, SERVICES)}:*`, Resource: '*' }),
  // Denies
  (r) => ({ Effect: 'Deny', Action: ['s3:Delete*', 'dynamodb:Delete*'], Resource: '*' }),
  (r) => ({ Effect: 'Deny', Action: ['s3:PutBucket*', 'iam:*'], Resource: '*' }),
  (r, app) => ({ Effect: 'Deny', Action: '*', Resource: `arn:aws:*:*:${A}:*${app}-secret*` }),
  (r) => ({ Effect: 'Deny', Action: 'ec2:StopInstances', Resource: `arn:aws:ec2:*:${A}:instance/*` }),
  (r) => ({ Effect: 'Deny', Action: `${pick(r, SERVICES)}:*`, Resource: '*' }),
];

// Condition generators (global keys only, so iam-simulate's per-action key validation accepts them).
const COND_GENS = [
  (r, app, team) => ({ StringEquals: { 'aws:PrincipalTag/team': team } }),
  (r, app, team) => ({ StringEquals: { 'aws:PrincipalTag/team': [team, pick(r, TEAMS)] } }),
  (r, app) => ({ StringLike: { 'aws:userid': `AROA*:${app}-*` } }),
  (r) => ({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }),
  (r) => ({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
  (r) => ({ Bool: { 'aws:SecureTransport': 'true' } }),
  (r) => ({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } }),
  (r) => ({ StringEquals: { 'aws:RequestedRegion': pick(r, REGIONS) } }),
  (r, app, team) => ({ StringEquals: { 'aws:PrincipalTag/team': team }, Bool: { 'aws:SecureTransport': 'true' } }),
];
const TEAMS = ['payments', 'search', 'ml', 'platform', 'web', 'mobile', 'data', 'infra'];
const N_APPS = 40;

export function buildW2({ roles = 200, policiesPerRole = 3, requests = 20000, seed = 42 } = {}) {
  const r = rng(seed);
  const roleList = [];
  for (let i = 0; i < roles; i++) {
    const app = `app${String(i % N_APPS).padStart(2, '0')}`;
    const team = TEAMS[i % TEAMS.length];
    const name = `role-${String(i).padStart(3, '0')}`;
    const policies = [];
    for (let p = 0; p < policiesPerRole; p++) {
      const nStmts = 8 + Math.floor(r() * 5); // 8..12, mean 10
      const Statement = [];
      for (let s = 0; s < nStmts; s++) {
        // ~75% allow generators, ~25% deny generators
        const gen = r() < 0.75 ? STMT_GENS[Math.floor(r() * 14)] : STMT_GENS[14 + Math.floor(r() * 5)];
        const st = { Sid: `S${s}`, ...gen(r, app, team) };
        const cp = st.Effect === 'Deny' ? 0.5 : 0.4; // share of statements with a Condition block
        if (r() < cp) {
          const cg = st.Effect === 'Deny'
            ? pick(r, [COND_GENS[4], COND_GENS[6], COND_GENS[7], COND_GENS[0]])
            : pick(r, COND_GENS);
          st.Condition = cg(r, app, team);
        }
        Statement.push(st);
      }
      policies.push({ name: `${name}-policy-${p}`, policy: { Version: '2012-10-17', Statement } });
    }
    roleList.push({ name, arn: `arn:aws:iam::${A}:role/${name}`, app, team, policies });
  }
  const IPS = ['10.20.30.40', '10.0.0.7', '192.168.1.10', '203.0.113.9', '198.51.100.23'];
  const reqs = [];
  for (let k = 0; k < requests; k++) {
    const ri = Math.floor(r() * roles);
    const role = roleList[ri];
    const [action, mk] = pick(r, ACTIONS);
    const targetApp = r() < 0.7 ? role.app : `app${String(Math.floor(r() * N_APPS)).padStart(2, '0')}`;
    const team = r() < 0.9 ? role.team : pick(r, TEAMS);
    reqs.push({
      role: ri,
      principal: role.arn,
      action,
      resource: mk(targetApp),
      context: {
        'aws:PrincipalTag/team': team,
        'aws:SourceIp': pick(r, IPS),
        'aws:SecureTransport': r() < 0.9 ? 'true' : 'false',
        'aws:MultiFactorAuthPresent': r() < 0.5 ? 'true' : 'false',
        'aws:RequestedRegion': r() < 0.8 ? 'us-east-1' : 'us-west-2',
        'aws:userid': `AROAEXAMPLE${ri}:${r() < 0.8 ? role.app : 'other'}-session`,
      },
    });
  }
  return { roles: roleList, requests: reqs };
}

// ---------------------------------------------------------------- IAM -> Cedar
// Subset: Effect, Action/Resource (string|array, '*' wildcards), Condition with
// StringEquals, StringNotEquals, StringLike, IpAddress, NotIpAddress, Bool.
// Encoding choices (approximations are listed in README.md):
//  * action name and resource ARN are passed as context.action / context.resource strings and
//    matched with Cedar `like` (Cedar cannot pattern-match entity ids). Actions are lower-cased
//    on both sides because IAM action matching is case-insensitive and `like` is not.
//  * IAM '?' single-char wildcards have no Cedar equivalent (not used in these workloads).
//  * condition keys are lower-cased (IAM key names are case-insensitive), read as context["key"].
//  * aws:SourceIp is passed as a Cedar ipaddr extension value; Bool keys as Cedar booleans.
const BOOL_KEYS = new Set(['aws:securetransport', 'aws:multifactorauthpresent']);
const IP_KEYS = new Set(['aws:sourceip']);
const arr = (x) => (Array.isArray(x) ? x : [x]);
const q = (s) => JSON.stringify(s); // Cedar string literal (JSON escaping is compatible for our ASCII data)
const likePat = (s) => q(s.replace(/\\/g, '\\\\')); // '*' stays a wildcard

function matchList(field, patterns, lower) {
  const ps = arr(patterns).map((p) => (lower ? p.toLowerCase() : p));
  if (ps.includes('*')) return null; // no constraint
  const parts = ps.map((p) => (p.includes('*') ? `${field} like ${likePat(p)}` : `${field} == ${q(p)}`));
  return parts.length === 1 ? parts[0] : `(${parts.join(' || ')})`;
}

function condToCedar(cond) {
  const out = [];
  for (const [op, kv] of Object.entries(cond)) {
    for (const [rawKey, vals] of Object.entries(kv)) {
      const key = rawKey.toLowerCase();
      const ref = `context[${q(key)}]`;
      const has = `context has ${q(key)}`;
      const vs = arr(vals);
      let body;
      switch (op) {
        case 'StringEquals': body = `${has} && (${vs.map((v) => `${ref} == ${q(v)}`).join(' || ')})`; break;
        case 'StringNotEquals': body = `!(${has}) || !(${vs.map((v) => `${ref} == ${q(v)}`).join(' || ')})`; break;
        case 'StringLike': body = `${has} && (${vs.map((v) => `${ref} like ${likePat(v)}`).join(' || ')})`; break;
        case 'IpAddress': body = `${has} && (${vs.map((v) => `${ref}.isInRange(ip(${q(v)}))`).join(' || ')})`; break;
        case 'NotIpAddress': body = `!(${has}) || !(${vs.map((v) => `${ref}.isInRange(ip(${q(v)}))`).join(' || ')})`; break;
        case 'Bool': body = `${has} && (${vs.map((v) => `${ref} == ${String(v).toLowerCase() === 'true'}`).join(' || ')})`; break;
        default: throw new Error(`condition operator not supported by translator: ${op}`);
      }
      out.push(`(${body})`);
    }
  }
  return out;
}

// principalScope: Cedar principal scope text, e.g. 'principal' or 'principal == Role::"role-001"'
export function statementToCedar(st, id, principalScope = 'principal') {
  if (st.NotAction || st.NotResource || st.Principal) throw new Error('translator subset: NotAction/NotResource/Principal unsupported');
  const effect = st.Effect === 'Allow' ? 'permit' : 'forbid';
  const clauses = [];
  const a = matchList('context.action', st.Action, true);
  if (a) clauses.push(a);
  const res = matchList('context.resource', st.Resource, false);
  if (res) clauses.push(res);
  if (st.Condition) clauses.push(...condToCedar(st.Condition));
  const when = clauses.length ? ` when { ${clauses.join(' && ')} }` : '';
  return `@id(${q(id)})\n${effect} (${principalScope}, action, resource)${when};`;
}

export function policyToCedar(policy, idPrefix, principalScope) {
  return arr(policy.Statement).map((st, i) => statementToCedar(st, `${idPrefix}/${st.Sid ?? i}`, principalScope)).join('\n');
}

// Build the Cedar request for an IAM-style request.
export function cedarRequest(principalType, principalId, req) {
  const context = { action: req.action.toLowerCase(), resource: req.resource };
  for (const [k0, v] of Object.entries(req.context)) {
    const k = k0.toLowerCase();
    if (BOOL_KEYS.has(k)) context[k] = String(v).toLowerCase() === 'true';
    else if (IP_KEYS.has(k)) context[k] = { __extn: { fn: 'ip', arg: v } };
    else context[k] = v;
  }
  return {
    principal: { type: principalType, id: principalId },
    action: { type: 'Action', id: req.action },
    resource: { type: 'Resource', id: req.resource },
    context,
  };
}

// Map Cedar decision to iam-simulate vocabulary ('Allowed' / denied). Cedar does not distinguish
// explicit vs implicit deny in the decision; diagnostics.reason lists the determining policies.
export function cedarDecision(ans) {
  if (ans.type !== 'success') throw new Error('cedar failure: ' + JSON.stringify(ans.errors).slice(0, 500));
  return ans.response.decision === 'allow' ? 'Allowed' : 'Denied';
}
export const normIam = (r) => (r === 'Allowed' ? 'Allowed' : 'Denied');
