import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, type NamedPolicy } from '../policy/index.js';
import { AssumeGraph, whatCanAssume, whoCanAssume } from './assume-graph.js';
import type { Inventory, InventoryRole, InventoryUser } from './inventory.js';
import { describeCondition, formatAnswerJson, formatAnswerText, formatDot, formatMermaid } from './report/graph.js';

const A = '111111111111'; // prod
const B = '222222222222'; // ci
const C = '333333333333'; // sandbox
const GH = `arn:aws:iam::${B}:oidc-provider/token.actions.githubusercontent.com`;

const pol = (id: string, statements: unknown[]): NamedPolicy => {
  const r = parsePolicy({ Version: '2012-10-17', Statement: statements }, { type: 'identity' });
  assert.ok(r.ok, id);
  return { id, policy: r.policy };
};
const assumeAny = (id = 'assume') => pol(id, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
const trust = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
let n = 0;
const user = (account: string, name: string, policies: NamedPolicy[], mfaEnabled = false, tags: InventoryUser['tags'] = []): InventoryUser => ({
  accountId: account,
  name,
  id: `AIDA${String(++n).padStart(16, '0')}`,
  arn: `arn:aws:iam::${account}:user/${name}`,
  tags,
  policies,
  mfaEnabled,
});
const role = (account: string, name: string, trustPolicy: string, policies: NamedPolicy[] = []): InventoryRole => ({
  accountId: account,
  name,
  path: '/',
  id: `AROA${String(++n).padStart(16, '0')}`,
  arn: `arn:aws:iam::${account}:role/${name}`,
  tags: [],
  policies,
  trustPolicy,
  maxSessionDuration: 3600,
});

function inventory(opts: { aliceMfa?: boolean } = {}): Inventory {
  return {
    accounts: [A, B, C],
    users: [
      user(A, 'alice', [pol('alice', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${A}:role/*` }])], opts.aliceMfa ?? true),
      user(A, 'dave', [assumeAny()]),
      user(B, 'bob', [assumeAny()]),
      user(C, 'carol', [pol('s3', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }])]),
      user(A, 'erin', [pol('s3', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }])]),
    ],
    roles: [
      role(A, 'prod-admin', trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/deployer` }, Action: 'sts:AssumeRole' }, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), [pol('admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }])]),
      role(A, 'deployer', trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:role/ci` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ci-ext' } } }), [assumeAny()]),
      role(B, 'ci', trust({ Effect: 'Allow', Principal: { AWS: B }, Action: 'sts:AssumeRole' }, { Effect: 'Allow', Principal: { Federated: GH }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:octo/app:ref:refs/heads/main', 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }), [assumeAny()]),
      role(C, 'sandbox', trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${C}:root` }, Action: 'sts:AssumeRole' })),
      role(A, 'ec2-role', trust({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })),
      role(A, 'orphan', trust({ Effect: 'Allow', Principal: { AWS: 'AROAQQQQDELETEDROLE12' }, Action: 'sts:AssumeRole' })),
      role(A, 'loop', trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/loop2` }, Action: 'sts:AssumeRole' }), [assumeAny()]),
      role(A, 'loop2', trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/loop` }, Action: 'sts:AssumeRole' }), [assumeAny()]),
      role(A, 'partner', trust({ Effect: 'Allow', Principal: { AWS: '444444444444' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'p-1' } } })),
      role(A, 'public', trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })),
    ],
  };
}

describe('who can assume', () => {
  it('follows chains across accounts with the conditions each hop needs', () => {
    const a = whoCanAssume(inventory(), `arn:aws:iam::${A}:role/prod-admin`);
    const by = new Map(a.results.map((r) => [r.node.id, r]));
    assert.deepEqual(
      a.results.map((r) => [r.node.label, r.distance]),
      [
        [`arn:aws:iam::${A}:user/alice`, 1],
        [`arn:aws:iam::${A}:role/deployer`, 1],
        [`arn:aws:iam::${B}:role/ci`, 2],
        [GH, 3],
        [`arn:aws:iam::${B}:user/bob`, 3],
      ],
    );
    const alice = by.get(`arn:aws:iam::${A}:user/alice`)!;
    assert.deepEqual(alice.paths[0]!.edges[0]!.conditions, [{ key: 'aws:MultiFactorAuthPresent', value: 'true', kind: 'mfa', test: { operator: 'Bool', values: ['true'] } }]);
    assert.equal(alice.crossAccount, false);
    const bob = by.get(`arn:aws:iam::${B}:user/bob`)!;
    assert.equal(bob.crossAccount, true);
    assert.equal(bob.paths[0]!.chained, true);
    assert.deepEqual(bob.paths[0]!.nodes, [`arn:aws:iam::${B}:user/bob`, `arn:aws:iam::${B}:role/ci`, `arn:aws:iam::${A}:role/deployer`, `arn:aws:iam::${A}:role/prod-admin`]);
    const hop2 = bob.paths[0]!.edges[1]!;
    assert.equal(hop2.crossAccount, true);
    assert.deepEqual(hop2.conditions, [{ key: 'sts:ExternalId', value: 'ci-ext', kind: 'external-id', test: { operator: 'StringEquals', values: ['ci-ext'] } }]);
    const gh = by.get(`federated:${GH}`)!;
    assert.equal(gh.node.kind, 'federated');
    assert.equal(gh.paths[0]!.edges[0]!.action, 'sts:AssumeRoleWithWebIdentity');
    assert.deepEqual(gh.paths[0]!.edges[0]!.conditions.map((c) => c.kind).sort(), ['provider-claim', 'provider-claim']);
    assert.ok(!by.has(`arn:aws:iam::${A}:user/dave`), 'dave is not named and the admin trust does not trust the account');
  });

  it('without an MFA device alice cannot satisfy the MFA condition', () => {
    const a = whoCanAssume(inventory({ aliceMfa: false }), `arn:aws:iam::${A}:role/prod-admin`);
    assert.ok(!a.results.some((r) => r.node.id.endsWith(':user/alice')));
  });

  it('an account principal delegates to that account\'s identity policies', () => {
    const a = whoCanAssume(inventory(), `arn:aws:iam::${C}:role/sandbox`);
    assert.deepEqual(a.results, [], 'carol may not call sts:AssumeRole');
    const b = whoCanAssume(inventory(), `arn:aws:iam::${B}:role/ci`);
    assert.deepEqual(
      b.results.map((r) => r.node.id),
      [`federated:${GH}`, `arn:aws:iam::${B}:user/bob`],
    );
  });

  it('services, external accounts, anyone, deleted principals and cycles', () => {
    const inv = inventory();
    assert.deepEqual(whoCanAssume(inv, `arn:aws:iam::${A}:role/ec2-role`).results.map((r) => r.node.id), ['service:ec2.amazonaws.com']);
    assert.deepEqual(whoCanAssume(inv, `arn:aws:iam::${A}:role/orphan`).results, []);
    const loop = whoCanAssume(inv, `arn:aws:iam::${A}:role/loop`);
    assert.deepEqual(loop.results.map((r) => [r.node.id, r.distance]), [[`arn:aws:iam::${A}:role/loop2`, 1]]);
    const partner = whoCanAssume(inv, `arn:aws:iam::${A}:role/partner`);
    assert.equal(partner.results.length, 1);
    assert.equal(partner.results[0]!.node.id, 'account:444444444444');
    assert.equal(partner.results[0]!.node.external, true);
    assert.equal(partner.results[0]!.crossAccount, true);
    const pub = whoCanAssume(inv, `arn:aws:iam::${A}:role/public`);
    const ids = pub.results.map((r) => r.node.id);
    assert.equal(ids[0], 'anyone');
    // Every principal of the inventory whose own policies allow sts:AssumeRole on it.
    for (const p of [`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:user/dave`, `arn:aws:iam::${B}:user/bob`, `arn:aws:iam::${A}:role/deployer`, `arn:aws:iam::${B}:role/ci`]) assert.ok(ids.includes(p), p);
    assert.ok(!ids.includes(`arn:aws:iam::${C}:user/carol`), 'another account needs its own permission');
    // "*" in the role's own account grants without any identity policy, as AWS documents.
    assert.ok(ids.includes(`arn:aws:iam::${A}:user/erin`), 'same-account "*" needs no identity policy');
    assert.ok(!whoCanAssume(inv, `arn:aws:iam::${A}:role/prod-admin`).results.some((r) => r.node.id.endsWith(':user/erin')));
  });
});

describe('what can assume', () => {
  it('the reverse direction: roles reachable from a principal, with chains', () => {
    const a = whatCanAssume(inventory(), `arn:aws:iam::${B}:user/bob`);
    assert.deepEqual(
      a.results.filter((r) => !r.node.id.endsWith('/public')).map((r) => [r.node.id, r.distance]),
      [
        [`arn:aws:iam::${B}:role/ci`, 1],
        [`arn:aws:iam::${A}:role/deployer`, 2],
        [`arn:aws:iam::${A}:role/prod-admin`, 3],
      ],
    );
    const admin = a.results.find((r) => r.node.id.endsWith('/prod-admin'))!;
    assert.equal(admin.paths[0]!.edges.length, 3);
    assert.equal(admin.crossAccount, true);
    // Principal "*" names services too.
    assert.deepEqual(whatCanAssume(inventory(), 'ec2.amazonaws.com').results.map((r) => r.node.id), [`arn:aws:iam::${A}:role/ec2-role`, `arn:aws:iam::${A}:role/public`]);
    const session = whatCanAssume(inventory(), `arn:aws:sts::${A}:assumed-role/deployer/build-7`);
    assert.ok(session.results.some((r) => r.node.id.endsWith('/prod-admin')));
  });

  it('both directions agree edge for edge', () => {
    const inv = inventory();
    const g = new AssumeGraph(inv);
    for (const r of inv.roles) {
      const who = g.whoCanAssume(r.arn);
      for (const res of who.results) {
        if (res.node.external) continue;
        const what = g.whatCanAssume(res.node.id);
        assert.ok(what.results.some((x) => x.node.id === r.arn), `${res.node.id} → ${r.arn}`);
      }
    }
  });
});

describe('shared decisions', () => {
  it('sharing decisions between indistinguishable principals changes no answer', () => {
    // A denser inventory: account-wide trusts, tag and ARN conditions (which must not be shared).
    const inv = inventory();
    for (let i = 0; i < 12; i++) {
      const acct = [A, B, C][i % 3] as string;
      inv.users.push(user(acct, `u${i}`, [i % 2 ? assumeAny('shared') : pol(`own${i}`, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${acct}:role/*` }])], i % 4 === 0, [{ Key: 'team', Value: i % 3 ? 'red' : 'blue' }]));
      inv.roles.push(role(acct, `r${i}`, trust({ Effect: 'Allow', Principal: { AWS: acct }, Action: 'sts:AssumeRole', Condition: i % 3 === 0 ? { StringEquals: { 'aws:PrincipalTag/team': 'red' } } : i % 3 === 1 ? { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${acct}:user/u*` } } : { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), [assumeAny('shared')]));
    }
    const strip = (a: ReturnType<AssumeGraph['whoCanAssume']>) => a.results.map((r) => [r.node.id, r.distance, r.paths.map((p) => p.edges.map((e) => [e.from, e.to, e.conditions]))]);
    const shared = new AssumeGraph(inv);
    const exact = new AssumeGraph(inv, { shareDecisions: false });
    for (const r of inv.roles) assert.deepEqual(strip(shared.whoCanAssume(r.arn)), strip(exact.whoCanAssume(r.arn)), r.arn);
    for (const u of inv.users) assert.deepEqual(strip(shared.whatCanAssume(u.arn)), strip(exact.whatCanAssume(u.arn)), u.arn);
  });
});

describe('who-can-assume output', () => {
  const a = () => whoCanAssume(inventory(), `arn:aws:iam::${A}:role/prod-admin`);
  it('text, JSON, Mermaid and DOT', () => {
    const t = formatAnswerText(a());
    assert.match(t, /^Who can assume arn:aws:iam::111111111111:role\/prod-admin\n {2}5 principals, 3 across accounts/);
    assert.match(t, /user {5}arn:aws:iam::111111111111:user\/alice\n {11}direct; needs MFA/);
    assert.match(t, /via ci → deployer \(3 hops; role chaining/);
    assert.match(t, /hop 2 ci → deployer: needs external id "ci-ext", cross-account/);
    // A pattern reads as the pattern, not as the one value the search tried.
    assert.equal(describeCondition({ key: 'x.example:sub', value: 'repo:o/a:', kind: 'provider-claim', test: { operator: 'StringLike', values: ['repo:o/a:*'] } }), 'x.example:sub StringLike "repo:o/a:*"');
    assert.equal(describeCondition({ key: 'x.example:aud', value: 'a', kind: 'provider-claim', test: { operator: 'StringEquals', values: ['a'] } }), 'x.example:aud = "a"');
    assert.equal(describeCondition({ key: 'x.example:aud', value: 'a', kind: 'provider-claim', test: { operator: 'StringEquals', values: ['a', 'b'] } }), 'x.example:aud StringEquals ["a", "b"]');
    // 'federated' fills its column: a space still separates it from the ARN.
    assert.match(formatAnswerText(whoCanAssume(inventory(), `arn:aws:iam::${B}:role/ci`)), /federated arn:aws:iam::222222222222:oidc-provider\/token\.actions\.githubusercontent\.com/);
    const j = JSON.parse(formatAnswerJson(a()));
    assert.equal(j.results.length, 5);
    assert.ok(j.graph.edges.length >= 5);
    const m = formatMermaid(a());
    assert.match(m, /^graph LR\n/);
    assert.match(m, /-\.->\|"cross-account, external id #quot;ci-ext#quot;"\|/);
    assert.match(m, /\(\["?|\("user alice \(111111111111\)"\)/);
    const d = formatDot(a());
    assert.match(d, /^digraph assume \{/);
    assert.match(d, /style=dashed/);
    assert.match(d, /label="cross-account\\nexternal id \\"ci-ext\\""/);
  });
});
