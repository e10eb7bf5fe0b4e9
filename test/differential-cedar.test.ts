/**
 * Differential test against Cedar (@cedar-policy/cedar-wasm): random identity policies and
 * requests in the subset where IAM and Cedar semantics coincide (see test/support/iam-to-cedar.ts),
 * decided by Rolecall and by Cedar; allowed vs not allowed must agree on every case.
 *
 * Subset: one IAM user in its own account, identity policies only; Allow/Deny; Action/NotAction
 * lists with `*` wildcards; Resource/NotResource with wildcards only in the resource segment;
 * StringEquals, StringNotEquals, StringLike, IpAddress, NotIpAddress and Bool on single-valued
 * keys; no `?`, no policy variables, no set qualifiers, no IfExists.
 *
 * IAM side: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * Cedar side: https://docs.cedarpolicy.com/auth/authorization.html (forbid overrides permit, default deny)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { evaluate, parsePolicy } from '../src/policy/index.js';
import type { Policy } from '../src/policy/index.js';
import { A, principalOf } from './support/policy-arbitraries.js';
import { cedarContext, policyToCedar, type KeyType, type SubsetPolicy, type SubsetStatement } from './support/iam-to-cedar.js';

const SEED = Number(process.env.ROLECALL_FC_SEED ?? 42424242);
const RUNS = Math.max(1, Math.round(400 * Number(process.env.ROLECALL_FC_RUNS ?? 1)));

// ------------------------------------------------------------------------------ vocabulary

const KEY_TYPES: Record<string, KeyType> = {
  'aws:principaltag/team': 'string',
  'aws:requesttag/env': 'string',
  's3:prefix': 'string',
  'aws:username': 'string',
  'aws:sourceip': 'ip',
  'aws:securetransport': 'bool',
  'aws:multifactorauthpresent': 'bool',
};
const KEYS_OF: Record<KeyType, string[]> = {
  string: ['aws:PrincipalTag/team', 'aws:RequestTag/env', 's3:prefix', 'aws:username'],
  ip: ['aws:SourceIp'],
  bool: ['aws:SecureTransport', 'aws:MultiFactorAuthPresent'],
};
const OPS_OF: Record<KeyType, string[]> = {
  string: ['StringEquals', 'StringNotEquals', 'StringLike'],
  ip: ['IpAddress', 'NotIpAddress'],
  bool: ['Bool'],
};
const POLICY_VALUES: Record<KeyType, string[]> = {
  string: ['data', 'analytics', 'Data', 'd*', '*a*', 'web', 'prod', 'dev', 'home/', 'home/alice/*', '', 'alice', '*', 'a*b'],
  // Host bits in a CIDR are ignored by both; IPv4-mapped IPv6 is left out (Cedar rejects it).
  ip: ['10.0.0.0/8', '192.168.1.0/24', '203.0.113.9/32', '203.0.113.9', '0.0.0.0/0', '2001:db8::/32', '198.51.100.0/25', '10.1.2.3/8', '2001:db8::1/32', '::/0'],
  bool: ['true', 'false', 'True'],
};
const REQUEST_VALUES: Record<KeyType, string[]> = {
  string: ['data', 'analytics', 'Data', 'web', 'prod', 'home/alice/x', 'home/', '', 'alice', 'a*b', 'dab'],
  ip: ['10.1.2.3', '192.168.1.77', '203.0.113.9', '198.51.100.1', '198.51.100.200', '2001:db8::1', '::1'],
  bool: ['true', 'false'],
};

const REQUEST_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject', 'ec2:DescribeInstances', 'ec2:StartInstances', 'iam:GetUser', 'sqs:SendMessage', 'dynamodb:GetItem'];
const ACTION_PATTERNS = ['*', 's3:*', 's3:Get*', 's3:GetObject', 'S3:getobject', 's3:*Object', 's3:*Bucket*', 's3:List*', 'ec2:Describe*', 'ec2:*', 'iam:*User', 'sqs:*', 'dynamodb:Get*', 'dynamodb:*Item'];
const REQUEST_RESOURCES = [
  'arn:aws:s3:::data-bucket',
  'arn:aws:s3:::data-bucket/home/alice/notes.txt',
  'arn:aws:s3:::data-bucket/home/bob/a:b.csv',
  'arn:aws:s3:::logs-2024/app/x.log',
  `arn:aws:ec2:us-east-1:${A}:instance/i-0abc123`,
  `arn:aws:ec2:eu-west-1:${A}:instance/i-0def456`,
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:sqs:us-east-1:${A}:queue-a`,
  `arn:aws:dynamodb:us-east-2:${A}:table/orders/index/by-date`,
  '*',
];
const ARNS = REQUEST_RESOURCES.filter((r) => r !== '*');

const weighted = (percent: number) => fc.integer({ min: 0, max: 99 }).map((n) => n >= 100 - percent);

/** A resource pattern: `*`, an exact ARN, or an ARN with `*` in the resource segment only. */
const resourcePattern: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('*') },
  { weight: 2, arbitrary: fc.constantFrom(...ARNS) },
  {
    weight: 5,
    arbitrary: fc.record({ base: fc.constantFrom(...ARNS), how: fc.integer({ min: 0, max: 3 }), at: fc.nat({ max: 40 }) }).map(({ base, how, at }) => {
      const cut = base.split(':', 5).join(':').length + 1;
      const head = base.slice(0, cut);
      const rest = base.slice(cut);
      const i = rest.length ? at % rest.length : 0;
      switch (how) {
        case 0:
          return `${head}*`;
        case 1:
          return `${head}${rest.slice(0, i)}*`;
        case 2:
          return `${head}*${rest.slice(i)}`;
        default:
          return `${head}${rest.slice(0, i)}*${rest.slice(Math.min(rest.length, i + 3))}`;
      }
    }),
  },
);

interface Cond {
  op: string;
  key: string;
  values: string[];
}
const condition: fc.Arbitrary<Cond> = fc
  .record({
    type: fc.constantFrom<KeyType>('string', 'string', 'ip', 'bool'),
    k: fc.nat(),
    o: fc.nat(),
    vs: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }),
    upper: weighted(20),
  })
  .map(({ type, k, o, vs, upper }) => {
    const keys = KEYS_OF[type];
    const key = keys[k % keys.length]!;
    const ops = OPS_OF[type];
    const values = [...new Set(vs.map((i) => POLICY_VALUES[type][i % POLICY_VALUES[type].length]!))];
    return { op: ops[o % ops.length]!, key: upper ? key.toUpperCase() : key, values };
  });

const subsetStatement: fc.Arbitrary<SubsetStatement> = fc
  .record({
    allow: weighted(65),
    notAction: weighted(10),
    actions: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 }),
    notResource: weighted(10),
    resources: fc.uniqueArray(resourcePattern, { minLength: 1, maxLength: 3 }),
    conds: fc.oneof(fc.constant<Cond[]>([]), fc.array(condition, { minLength: 1, maxLength: 3 })),
  })
  .map((g) => {
    const st: SubsetStatement = { Effect: g.allow ? 'Allow' : 'Deny' };
    if (g.notAction) st.NotAction = g.actions;
    else st.Action = g.actions.length === 1 ? g.actions[0]! : g.actions;
    if (g.notResource) st.NotResource = g.resources;
    else st.Resource = g.resources;
    if (g.conds.length) {
      const c: Record<string, Record<string, string | string[]>> = {};
      for (const { op, key, values } of g.conds) {
        const block = (c[op] ??= {});
        if (Object.keys(block).some((k) => k.toLowerCase() === key.toLowerCase())) continue;
        block[key] = values.length === 1 ? values[0]! : values;
      }
      st.Condition = c;
    }
    return st;
  });

const subsetPolicy: fc.Arbitrary<SubsetPolicy> = fc.array(subsetStatement, { minLength: 1, maxLength: 4 }).map((Statement) => ({ Version: '2012-10-17', Statement }));

interface SubsetRequest {
  action: string;
  resource: string;
  context: Record<string, string>;
}
const subsetRequest: fc.Arbitrary<SubsetRequest> = fc
  .record({
    action: fc.constantFrom(...REQUEST_ACTIONS),
    upperAction: weighted(10),
    resource: fc.constantFrom(...REQUEST_RESOURCES),
    keys: fc.subarray(Object.values(KEYS_OF).flat()),
    picks: fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
    upperKeys: weighted(20),
  })
  .map(({ action, upperAction, resource, keys, picks, upperKeys }) => {
    const context: Record<string, string> = {};
    keys.forEach((k, i) => {
      const vals = REQUEST_VALUES[KEY_TYPES[k.toLowerCase()]!];
      context[upperKeys ? k.toUpperCase() : k] = vals[picks[i]! % vals.length]!;
    });
    return { action: upperAction ? action.toUpperCase() : action, resource, context };
  });

// ------------------------------------------------------------------------------ the two engines

const alice = principalOf('alice');

function rolecallAllows(policies: SubsetPolicy[], rq: SubsetRequest): boolean {
  const identity = policies.map((doc, i) => {
    const r = parsePolicy(doc as unknown as object, { type: 'identity' });
    if (!r.ok) throw new Error(`generated policy does not parse: ${JSON.stringify(r.errors)}`);
    return { id: `p${i}`, policy: r.policy as Policy };
  });
  return evaluate({ principal: alice, action: rq.action, resource: rq.resource, context: rq.context }, { identity }).decision === 'allowed';
}

function cedarAllows(policies: SubsetPolicy[], rq: SubsetRequest): boolean {
  const text = policies.map((p, i) => policyToCedar(p, `p${i}`, KEY_TYPES)).join('\n');
  const ans = cedar.isAuthorized({
    principal: { type: 'User', id: 'alice' },
    action: { type: 'Action', id: rq.action },
    resource: { type: 'Resource', id: rq.resource },
    context: cedarContext(rq.action, rq.resource, rq.context, KEY_TYPES),
    policies: { staticPolicies: text },
    entities: [],
  });
  if (ans.type !== 'success') throw new Error(`cedar failed: ${JSON.stringify(ans.errors)}\n${text}`);
  // A Cedar policy that errors is skipped, which would hide a translation mistake: there must be none.
  assert.deepEqual(ans.response.diagnostics.errors, [], `cedar evaluation errors:\n${text}`);
  return ans.response.decision === 'allow';
}

describe('differential: Rolecall vs Cedar on the shared subset', () => {
  it('the translator produces policies Cedar parses and evaluates', () => {
    const p: SubsetPolicy = {
      Statement: [
        { Effect: 'Allow', Action: ['s3:Get*'], Resource: 'arn:aws:s3:::data-bucket/*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        { Effect: 'Deny', NotAction: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    };
    const rq = { action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/home/x', context: { 'aws:PrincipalTag/team': 'data', 'aws:SourceIp': '10.9.8.7' } };
    assert.equal(cedarAllows([p], rq), true);
    assert.equal(rolecallAllows([p], rq), true);
    assert.equal(cedarAllows([p], { ...rq, context: { ...rq.context, 'aws:SourceIp': '11.0.0.1' } }), false);
    assert.equal(cedarAllows([p], { ...rq, action: 'ec2:DescribeInstances', resource: '*', context: { 'aws:SecureTransport': 'false' } }), false);
  });

  // fast-check's shrunk counterexample (seed 42424242), kept as an example. Rolecall treats a lone
  // "*" in StringEquals as a wildcard (src/policy/wildcard.ts anyOf() short-cuts on "*" whatever
  // the matcher), so the first Deny applies to every request with an s3:prefix; AWS documents
  // StringEquals as exact matching, wildcards being for StringLike only:
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
  it('counterexample: StringEquals "*" is a literal value, not a wildcard', () => {
    const policies: SubsetPolicy[] = [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: '*', Resource: ['*'], Condition: { StringEquals: { 's3:prefix': '*' } } },
          { Effect: 'Deny', Action: '*', Resource: [`arn:aws:ec2:eu-west-1:${A}:*`] },
        ],
      },
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: ['arn:aws:s3:::data-bucket'] }] },
    ];
    const rq = { action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket', context: { 's3:prefix': 'data' } };
    assert.equal(cedarAllows(policies, rq), true);
    assert.equal(rolecallAllows(policies, rq), true, 'Rolecall denies: StringEquals "*" matched "data"');
  });

  it('counterexample, reduced: StringEquals / StringNotEquals "*" against another value', () => {
    const allowIf = (op: string): SubsetPolicy[] => [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { [op]: { 'aws:PrincipalTag/team': '*' } } }] }];
    const rq = { action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/k', context: { 'aws:PrincipalTag/team': 'data' } };
    assert.equal(cedarAllows(allowIf('StringEquals'), rq), false);
    assert.equal(cedarAllows(allowIf('StringNotEquals'), rq), true);
    assert.equal(rolecallAllows(allowIf('StringEquals'), rq), false, 'StringEquals "*" matched "data"');
    assert.equal(rolecallAllows(allowIf('StringNotEquals'), rq), true, 'StringNotEquals "*" did not hold for "data"');
  });

  it(`allowed vs not allowed agree on ${RUNS} random cases (seed ${SEED})`, () => {
    const tally = { allow: 0, deny: 0 };
    fc.assert(
      fc.property(fc.array(subsetPolicy, { minLength: 1, maxLength: 3 }), subsetRequest, (policies, rq) => {
        const ours = rolecallAllows(policies, rq);
        const theirs = cedarAllows(policies, rq);
        assert.equal(ours, theirs, `Rolecall ${ours ? 'allows' : 'denies'}, Cedar ${theirs ? 'allows' : 'denies'}`);
        tally[ours ? 'allow' : 'deny']++;
      }),
      { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
    );
    // The comparison only means something if both outcomes are common.
    const total = tally.allow + tally.deny;
    assert.ok(tally.allow >= total * 0.15 && tally.deny >= total * 0.15, `unbalanced cases: ${JSON.stringify(tally)}`);
  });
});
