/**
 * The analyzer's condition-dependent findings against brute force (fast-check): random trust
 * policies whose conditions mix StringLike on aws:PrincipalArn, ForAnyValue/ForAllValues, negated
 * operators, IfExists and Null over the keys that decide who gets in; for each, every request of a
 * generated universe (outsider principals of many accounts × every combination of context
 * values) is evaluated by the engine. Whenever brute force finds a request that gets through,
 * the analyzer must report the finding; whenever the analyzer reports it, its witness must be a
 * request the engine allows and that fits the finding's definition. Runs are seeded
 * (ROLECALL_FC_SEED, ROLECALL_FC_RUNS scale them).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lintPolicy, type Finding } from '../src/analyzer/index.js';
import { evaluate, parsePolicy, principalContext, principalFromArn, type ContextValue, type NamedPolicy, type RequestPrincipal } from '../src/policy/index.js';
import { replayWitness } from './support/witness.js';

const SEED = Number(process.env.ROLECALL_FC_SEED ?? 20250611);
const SCALE = Number(process.env.ROLECALL_FC_RUNS ?? 1);
const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(n * SCALE)), seed: SEED, includeErrorInReport: true });

const OWN = '123456789012';
const PARTNER = '111122223333';
const ROLE = `arn:aws:iam::${OWN}:role/target`;

const VALUES: Record<string, string[]> = {
  'aws:PrincipalAccount': [OWN, PARTNER, '1111*', '*', '22223333444?'],
  'aws:PrincipalArn': [`arn:aws:iam::${OWN}:role/*`, 'arn:aws:iam::*:role/deployer', `arn:aws:iam::${PARTNER}:role/deployer`, 'arn:aws:iam::*:*', '*', `arn:aws:iam::${PARTNER}:user/*`],
  'aws:PrincipalOrgID': ['o-aaaaaaaaaa', 'o-*'],
  'sts:ExternalId': ['ext-1', '*', 'ext-?'],
  'aws:PrincipalTag/team': ['red', '*'],
  'aws:MultiFactorAuthPresent': ['true', 'false'],
};
const KEYS = Object.keys(VALUES);
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringNotLike',
  'StringEqualsIfExists',
  'StringNotEqualsIfExists',
  'StringLikeIfExists',
  'ForAnyValue:StringEquals',
  'ForAnyValue:StringLike',
  'ForAllValues:StringEquals',
  'ForAllValues:StringNotLike',
  'ArnLike',
  'ArnNotLike',
  'Null',
  'Bool',
  'BoolIfExists',
];

const clause = fc
  .record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom(...OPERATORS), n: fc.integer({ min: 1, max: 2 }), pick: fc.array(fc.nat(10), { minLength: 2, maxLength: 2 }) })
  .map(({ key, op, n, pick }) => {
    const pool = op === 'Null' || op.startsWith('Bool') ? ['true', 'false'] : (VALUES[key] as string[]);
    const values = [...new Set(pick.slice(0, n).map((i) => pool[i % pool.length] as string))];
    return { key, op, values };
  })
  // Only operators that take these values (Arn* needs ARNs; Bool needs true/false keys).
  .filter((c) => (!c.op.startsWith('Arn') || c.key === 'aws:PrincipalArn') && (!c.op.startsWith('Bool') || c.key === 'aws:MultiFactorAuthPresent'));

const principalEl = fc.constantFrom<unknown>('*', { AWS: '*' }, { AWS: `arn:aws:iam::${PARTNER}:root` }, { AWS: OWN }, { AWS: `arn:aws:iam::${PARTNER}:role/deployer` }, { AWS: [`arn:aws:iam::${OWN}:user/alice`, PARTNER] });

const statement = (effect: 'Allow' | 'Deny') =>
  fc.record({ principal: principalEl, clauses: fc.array(clause, { maxLength: 3 }) }).map(({ principal, clauses }) => {
    const Condition: Record<string, Record<string, string[]>> = {};
    for (const c of clauses) {
      const op = (Condition[c.op] ??= {});
      if (op[c.key] === undefined) op[c.key] = c.values;
    }
    return { Effect: effect, Principal: principal, Action: 'sts:AssumeRole', ...(clauses.length ? { Condition } : {}) };
  });

const trustPolicy = fc
  .record({ allows: fc.array(statement('Allow'), { minLength: 1, maxLength: 2 }), denies: fc.array(statement('Deny'), { maxLength: 1 }) })
  .map(({ allows, denies }) => ({ Version: '2012-10-17', Statement: [...allows, ...denies] }));

// ------------------------------------------------------------------ the brute-force universe

const ANY: NamedPolicy = { id: 'any', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
const ACCOUNTS = ['999999999999', '888888888888', '111100000000', '111155555555', '222233334449', '222233334440', '777777777777', PARTNER, OWN];

function principalsOf(account: string): RequestPrincipal[] {
  const arns = [`arn:aws:iam::${account}:user/alice`, `arn:aws:iam::${account}:user/other`, `arn:aws:sts::${account}:assumed-role/deployer/s`, `arn:aws:sts::${account}:assumed-role/other/s`];
  return arns.map((a) => principalFromArn(a) as RequestPrincipal);
}

const CONTEXTS: Array<Record<string, ContextValue>> = [];
for (const ext of [undefined, 'ext-1', 'ext-9', 'zzz-unknown'])
  for (const org of [undefined, 'o-bbbbbbbbbb'])
    for (const mfa of [undefined, 'true', 'false'])
      for (const team of [undefined, 'red', 'blue']) {
        const c: Record<string, ContextValue> = {};
        if (ext !== undefined) c['sts:ExternalId'] = ext;
        if (org !== undefined) c['aws:PrincipalOrgID'] = org;
        if (mfa !== undefined) c['aws:MultiFactorAuthPresent'] = mfa;
        if (team !== undefined) c['aws:PrincipalTag/team'] = team;
        CONTEXTS.push(c);
      }

/** The first request of the universe the engine allows: callers of `accounts`, contexts filtered by `ctxOk`. */
function bruteForce(policy: object, accounts: string[], ctxOk: (c: Record<string, ContextValue>) => boolean): string | undefined {
  const parsed = parsePolicy(policy, { type: 'trust' });
  assert.ok(parsed.ok);
  const set = { resource: { id: 'trust', policy: parsed.policy }, identity: [ANY] };
  for (const acct of accounts)
    for (const p of principalsOf(acct))
      for (const c of CONTEXTS) {
        if (!ctxOk(c)) continue;
        const r = evaluate({ principal: p, action: 'sts:AssumeRole', resource: ROLE, resourceAccount: OWN, context: { ...principalContext(p), ...c } }, set, { resourceType: 'trust' });
        if (r.decision === 'allowed') return `${p.arn} ${JSON.stringify(c)}`;
      }
  return undefined;
}

function has(findings: Finding[], id: string): Finding | undefined {
  return findings.find((f) => f.id === id);
}

describe('analyzer semantics against brute force', () => {
  it('TRUST_ANY_PRINCIPAL: reported exactly when a caller outside every known account gets in', () => {
    fc.assert(
      fc.property(trustPolicy, (policy) => {
        const text = JSON.stringify(policy);
        const known = new Set([OWN, ...(text.match(/\d{12}/g) ?? [])]);
        const outsiders = ACCOUNTS.filter((a) => !known.has(a));
        // Outsiders are in no organization the policy names (the universe's org is o-bbbbbbbbbb).
        const brute = bruteForce(policy, outsiders, () => true);
        const r = lintPolicy(text, { accountId: OWN });
        const f = has(r.findings, 'TRUST_ANY_PRINCIPAL');
        if (brute) assert.ok(f, `brute force found ${brute} but the analyzer reported nothing\n${text}`);
        if (f) {
          assert.equal(replayWitness(policy, 'trust', f, OWN), 'allowed', `witness ${JSON.stringify(f.witness)}`);
          assert.ok(f.witness?.account === undefined || !known.has(f.witness.account), 'the witness account is outside every known account');
        }
      }),
      runs(150),
    );
  });

  it('CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID: reported exactly when a named partner gets in without a fixed external id', () => {
    fc.assert(
      fc.property(trustPolicy, (policy) => {
        const text = JSON.stringify(policy);
        const named = text.includes(PARTNER);
        // Without an external id, or with one nobody agreed on.
        const brute = named ? bruteForce(policy, [PARTNER], (c) => c['sts:ExternalId'] === undefined || c['sts:ExternalId'] === 'zzz-unknown') : undefined;
        const r = lintPolicy(text, { accountId: OWN });
        const f = has(r.findings, 'CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID');
        if (brute) assert.ok(f, `brute force found ${brute} but the analyzer reported nothing\n${text}`);
        if (f) {
          assert.equal(replayWitness(policy, 'trust', f, OWN), 'allowed', `witness ${JSON.stringify(f.witness)}`);
          assert.equal(f.witness?.account, PARTNER);
          const ext = f.witness?.context['sts:ExternalId'];
          assert.ok(ext === null || ext === undefined || !['ext-1'].includes(String(ext)), 'the witness carries no agreed external id');
        }
      }),
      runs(150),
    );
  });

  it('MFA_CONDITION_BYPASSABLE: a policy that reads the MFA key but lets a request without MFA through is reported', () => {
    fc.assert(
      fc.property(trustPolicy, (policy) => {
        const text = JSON.stringify(policy);
        if (!text.includes('aws:MultiFactorAuthPresent')) return;
        const r = lintPolicy(text, { accountId: OWN });
        const f = has(r.findings, 'MFA_CONDITION_BYPASSABLE');
        if (f) {
          assert.equal(replayWitness(policy, 'trust', f, OWN), 'allowed', `witness ${JSON.stringify(f.witness)}`);
          assert.notEqual(f.witness?.context['aws:MultiFactorAuthPresent'], 'true');
        }
      }),
      runs(100),
    );
  });
});

export { principalsOf };
