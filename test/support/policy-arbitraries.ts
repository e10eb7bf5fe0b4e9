/**
 * fast-check arbitraries for realistic IAM policies and requests over a small vocabulary, so
 * that generated statements and requests meet often enough for properties to matter.
 *
 * Everything generated is plain JSON data (documents, request descriptions), so fast-check's
 * counterexamples print as something one can paste into a regular test. `buildSet` and
 * `buildRequest` turn them into the engine's PolicySet and EvaluationRequest.
 */
import fc from 'fast-check';
import { parsePolicy, principalContext, principalFromArn } from '../../src/policy/index.js';
import type { ContextValue, EvaluationRequest, NamedPolicy, Policy, PolicySet, PolicyType, RequestPrincipal } from '../../src/policy/index.js';

export type Doc = Record<string, unknown>;

export const A = '111122223333';
export const B = '444455556666';

// ------------------------------------------------------------------------------ principals

export const PRINCIPALS = {
  alice: { arn: `arn:aws:iam::${A}:user/alice`, ids: { id: 'AIDAEXAMPLEALICE00001' } },
  bob: { arn: `arn:aws:iam::${A}:user/bob`, ids: { id: 'AIDAEXAMPLEBOB0000001' } },
  session: { arn: `arn:aws:sts::${A}:assumed-role/app/s1`, ids: { roleId: 'AROAEXAMPLEAPPROLE001' } },
  root: { arn: `arn:aws:iam::${A}:root`, ids: {} },
  carol: { arn: `arn:aws:iam::${B}:user/carol`, ids: { id: 'AIDAEXAMPLECAROL00001' } },
} as const;
export type PrincipalName = keyof typeof PRINCIPALS;

export function principalOf(name: PrincipalName): RequestPrincipal {
  const p = PRINCIPALS[name];
  const r = principalFromArn(p.arn, p.ids);
  if (!r) throw new Error(`bad principal ${name}`);
  return r;
}

// ------------------------------------------------------------------------------ vocabulary

export const REQUEST_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  's3:DeleteObject',
  's3:GetBucketPolicy',
  'ec2:DescribeInstances',
  'ec2:StartInstances',
  'iam:GetUser',
  'iam:PassRole',
  'sqs:SendMessage',
  'dynamodb:GetItem',
] as const;

export const ACTION_PATTERNS = [
  '*',
  's3:*',
  's3:Get*',
  's3:GetObject',
  's3:PutObject',
  's3:List*',
  's3:*Object',
  's3:*Bucket*',
  's3:Get?bject',
  'S3:getobject',
  'ec2:Describe*',
  'ec2:*',
  'iam:*User',
  'iam:PassRole',
  'sqs:*',
  'dynamodb:Get*',
] as const;

export const REQUEST_RESOURCES = [
  'arn:aws:s3:::data-bucket',
  'arn:aws:s3:::data-bucket/home/alice/notes.txt',
  'arn:aws:s3:::data-bucket/home/bob/a.csv',
  'arn:aws:s3:::logs-2024/app/x.log',
  `arn:aws:ec2:us-east-1:${A}:instance/i-0abc123`,
  `arn:aws:ec2:eu-west-1:${A}:instance/i-0def456`,
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:iam::${A}:role/app`,
  `arn:aws:sqs:us-east-1:${A}:queue-a`,
  `arn:aws:dynamodb:us-east-2:${A}:table/orders`,
  `arn:aws:sqs:us-east-1:${B}:queue-b`,
  '*',
] as const;

const ARN_RESOURCES = REQUEST_RESOURCES.filter((r) => r !== '*');

/** Resource patterns with policy variables (recognised only in the resource segment). */
export const VARIABLE_RESOURCES = [
  'arn:aws:s3:::data-bucket/home/${aws:username}/*',
  'arn:aws:s3:::data-bucket/home/${aws:PrincipalTag/team}/*',
  "arn:aws:s3:::data-bucket/home/${aws:username, 'nobody'}/*",
  `arn:aws:iam::${A}:user/\${aws:username}`,
  'arn:aws:s3:::${aws:username}-*',
  `arn:aws:sqs:*:\${aws:PrincipalAccount}:queue-?`,
  'arn:aws:s3:::data-bucket/${*}',
] as const;

/** True in `percent` % of the cases; shrinks towards false. */
const weighted = (percent: number) => fc.integer({ min: 0, max: 99 }).map((n) => n >= 100 - percent);

/** `arb` in `percent` % of the cases, otherwise undefined. */
function sometimes<T>(percent: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb });
}

/** Replace wildcards into the parts of a concrete ARN: region/account/service segments and the resource. */
const mutatedArn: fc.Arbitrary<string> = fc
  .record({
    base: fc.constantFrom(...ARN_RESOURCES),
    service: fc.integer({ min: 0, max: 19 }),
    region: fc.integer({ min: 0, max: 5 }),
    account: fc.integer({ min: 0, max: 5 }),
    res: fc.integer({ min: 0, max: 6 }),
    pos: fc.nat({ max: 40 }),
  })
  .map(({ base, service, region, account, res, pos }) => {
    const parts = base.split(':');
    const [arn, partition, svc, reg, acct] = parts as [string, string, string, string, string];
    let rsrc = parts.slice(5).join(':');
    const segment = (s: string, choice: number): string => {
      switch (choice) {
        case 1:
          return '*';
        case 2:
          return s.length ? `${s.slice(0, Math.max(1, Math.min(s.length - 1, 3)))}*` : '*';
        case 3:
          return s.length ? `${s.slice(0, -1)}?` : '';
        default:
          return s;
      }
    };
    const cut = rsrc.length ? pos % rsrc.length : 0;
    switch (res) {
      case 1:
        rsrc = '*';
        break;
      case 2:
        rsrc = `${rsrc.slice(0, cut)}*`;
        break;
      case 3:
        rsrc = `*${rsrc.slice(cut)}`;
        break;
      case 4:
        rsrc = rsrc.length ? `${rsrc.slice(0, cut)}?${rsrc.slice(cut + 1)}` : '?';
        break;
      case 5:
        rsrc = `${rsrc.slice(0, cut)}*${rsrc.slice(Math.min(rsrc.length, cut + 2))}`;
        break;
      default:
        break;
    }
    return [arn, partition, service === 0 ? '*' : svc, segment(reg, region), segment(acct, account), rsrc].join(':');
  });

export const resourcePattern: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('*') },
  { weight: 2, arbitrary: fc.constantFrom(...ARN_RESOURCES) },
  { weight: 6, arbitrary: mutatedArn },
  { weight: 2, arbitrary: fc.constantFrom(...VARIABLE_RESOURCES) },
);

// ------------------------------------------------------------------------------ conditions

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'ip' | 'arn' | 'null';

const OPERATORS: Record<Family, readonly string[]> = {
  string: ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'],
  numeric: ['NumericLessThan', 'NumericEquals', 'NumericGreaterThanEquals'],
  date: ['DateGreaterThan', 'DateLessThan'],
  bool: ['Bool'],
  ip: ['IpAddress', 'NotIpAddress'],
  arn: ['ArnLike', 'ArnNotLike', 'ArnEquals'],
  null: ['Null'],
};

/** Condition keys by the family they naturally go with. */
const KEYS: Record<Family, readonly string[]> = {
  string: ['aws:PrincipalTag/team', 'aws:RequestTag/env', 'aws:TagKeys', 's3:prefix', 'aws:username', 'aws:PrincipalType'],
  numeric: ['aws:MultiFactorAuthAge'],
  date: ['aws:CurrentTime'],
  bool: ['aws:MultiFactorAuthPresent', 'aws:SecureTransport'],
  ip: ['aws:SourceIp'],
  arn: ['aws:SourceArn', 'aws:PrincipalArn'],
  null: ['aws:PrincipalTag/team', 'aws:TagKeys', 'aws:SourceIp', 'aws:MultiFactorAuthPresent', 'aws:RequestTag/env'],
};
const ALL_KEYS = [...new Set(Object.values(KEYS).flat())];

/** Policy values that are valid for every operator of the family (so the documents parse). */
const VALUES: Record<Family, readonly string[]> = {
  string: ['data', 'analytics', 'Data', 'd*', '*a*', 'web', 'prod', 'dev', 'env', 'team', 'home/', 'home/alice/', '', '${aws:username}', 'home/${aws:username}/*', '${aws:PrincipalTag/team}', 'User', 'alice'],
  numeric: ['300', '3600', '0', '1.5', '-1'],
  date: ['2024-01-01T00:00:00Z', '2030-01-01', '2020-06-15T12:00:00+02:00', '1700000000'],
  bool: ['true', 'false', 'TRUE'],
  ip: ['10.0.0.0/8', '192.168.1.0/24', '203.0.113.9/32', '203.0.113.9', '2001:db8::/32', '0.0.0.0/0'],
  arn: ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::*', `arn:aws:sqs:*:${A}:queue-?`, `arn:aws:iam::${A}:user/\${aws:username}`, `arn:aws:iam::${A}:*`],
  null: ['true', 'false'],
};

export interface Clause {
  op: string;
  key: string;
  values: string[];
}

export const clause: fc.Arbitrary<Clause> = fc
  .record({
    family: fc.constantFrom<Family>('string', 'string', 'string', 'numeric', 'date', 'bool', 'ip', 'arn', 'null'),
    opIndex: fc.nat(),
    keyIndex: fc.nat(),
    mismatchedKey: weighted(10),
    upperKey: weighted(10),
    qualifier: fc.constantFrom('', '', '', 'ForAnyValue:', 'ForAllValues:'),
    ifExists: weighted(25),
    valueIndexes: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }),
  })
  .map(({ family, opIndex, keyIndex, mismatchedKey, upperKey, qualifier, ifExists, valueIndexes }) => {
    const ops = OPERATORS[family];
    const base = ops[opIndex % ops.length] as string;
    const keys = mismatchedKey ? ALL_KEYS : KEYS[family];
    let key = keys[keyIndex % keys.length] as string;
    if (upperKey) key = key.toUpperCase();
    const vals = VALUES[family];
    const values = [...new Set(valueIndexes.map((i) => vals[i % vals.length] as string))];
    const op = `${qualifier}${base}${ifExists && family !== 'null' ? 'IfExists' : ''}`;
    return { op, key, values };
  });

/** Group clauses into a Condition block (one entry per operator and case-insensitive key). */
export function conditionBlock(clauses: Clause[], scalars: boolean): Record<string, Record<string, string | string[]>> {
  const out: Record<string, Record<string, string | string[]>> = {};
  for (const c of clauses) {
    const block = (out[c.op] ??= {});
    if (Object.keys(block).some((k) => k.toLowerCase() === c.key.toLowerCase())) continue;
    block[c.key] = scalars && c.values.length === 1 ? (c.values[0] as string) : c.values;
  }
  return out;
}

// ------------------------------------------------------------------------------ statements and policies

export const principalBlock: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  '*',
  { AWS: '*' },
  { AWS: A },
  { AWS: `arn:aws:iam::${A}:root` },
  { AWS: PRINCIPALS.alice.arn },
  { AWS: [PRINCIPALS.bob.arn, PRINCIPALS.alice.arn] },
  { AWS: `arn:aws:iam::${A}:role/app` },
  { AWS: PRINCIPALS.session.arn },
  { AWS: 'AROAEXAMPLEAPPROLE001' },
  { AWS: B },
  { AWS: PRINCIPALS.carol.arn },
  { Service: 'ec2.amazonaws.com' },
);

interface StatementOptions {
  /** Force the effect. */
  effect?: 'Allow' | 'Deny';
  /** Resource-based policies need a Principal. */
  withPrincipal?: boolean;
}

export function statement(opts: StatementOptions = {}): fc.Arbitrary<Doc> {
  return fc
    .record({
      effect: opts.effect ? fc.constant(opts.effect) : fc.constantFrom('Allow', 'Allow', 'Deny'),
      notAction: weighted(12),
      actions: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 }),
      notResource: weighted(10),
      resources: fc.uniqueArray(resourcePattern, { minLength: 1, maxLength: 3 }),
      conditions: fc.oneof({ weight: 1, arbitrary: fc.constant<Clause[]>([]) }, { weight: 1, arbitrary: fc.array(clause, { minLength: 1, maxLength: 3 }) }),
      emptyCondition: weighted(3),
      scalars: fc.boolean(),
      principal: principalBlock,
      notPrincipal: weighted(8),
    })
    .map((g) => {
      const st: Doc = { Effect: g.effect };
      if (opts.withPrincipal) st[g.notPrincipal && g.effect === 'Deny' ? 'NotPrincipal' : 'Principal'] = g.principal;
      const list = (xs: string[]) => (g.scalars && xs.length === 1 ? xs[0] : xs);
      st[g.notAction ? 'NotAction' : 'Action'] = list(g.actions);
      st[g.notResource ? 'NotResource' : 'Resource'] = list(g.resources);
      if (g.conditions.length) st.Condition = conditionBlock(g.conditions, g.scalars);
      else if (g.emptyCondition) st.Condition = {};
      return st;
    });
}

export function policyDoc(opts: StatementOptions & { minStatements?: number; maxStatements?: number } = {}): fc.Arbitrary<Doc> {
  return fc
    .record({
      version: fc.constantFrom<string | undefined>('2012-10-17', '2012-10-17', '2012-10-17', '2012-10-17', '2008-10-17', undefined),
      statements: fc.array(statement(opts), { minLength: opts.minStatements ?? 1, maxLength: opts.maxStatements ?? 4 }),
      sids: fc.boolean(),
      single: weighted(15),
      id: weighted(10),
    })
    .map(({ version, statements, sids, single, id }) => {
      const doc: Doc = {};
      if (version) doc.Version = version;
      if (id && opts.withPrincipal) doc.Id = 'generated';
      const sts = statements.map((s, i) => (sids ? { Sid: `S${i}`, ...s } : s));
      doc.Statement = single && sts.length === 1 ? sts[0] : sts;
      return doc;
    });
}

/** Statements of a document as an array, whether it was written as one object or a list. */
export function statementsOf(doc: Doc): Doc[] {
  const s = doc.Statement;
  return Array.isArray(s) ? (s as Doc[]) : [s as Doc];
}

export function withStatement(doc: Doc, st: Doc): Doc {
  return { ...doc, Statement: [...statementsOf(doc), st] };
}

// ------------------------------------------------------------------------------ policy sets

/** A PolicySet as documents, JSON all the way down. */
export interface SetCase {
  identity: Doc[];
  resource?: Doc;
  boundary?: Doc;
  /** Absent: not a session. `[]`: a session without a session policy. */
  session?: Doc[];
  scp?: Doc[][];
}

export const setCase: fc.Arbitrary<SetCase> = fc
  .record({
    identity: fc.array(policyDoc(), { minLength: 1, maxLength: 3 }),
    resource: sometimes(35, policyDoc({ withPrincipal: true, maxStatements: 3 })),
    boundary: sometimes(30, policyDoc({ maxStatements: 2 })),
    session: sometimes(35, fc.array(policyDoc({ maxStatements: 2 }), { maxLength: 2 })),
    scp: sometimes(20, fc.array(fc.array(policyDoc({ maxStatements: 2 }), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 })),
  })
  .map((g) => {
    const c: SetCase = { identity: g.identity };
    if (g.resource) c.resource = g.resource;
    if (g.boundary) c.boundary = g.boundary;
    if (g.session) c.session = g.session;
    if (g.scp) c.scp = g.scp;
    return c;
  });

/** Parse a generated document; generated documents are valid, so a failure is a finding. */
export function load(doc: unknown, type: PolicyType, id: string): NamedPolicy {
  const r = parsePolicy(doc as object, { type });
  if (!r.ok) throw new Error(`generated ${type} policy ${id} does not parse: ${JSON.stringify(r.errors)}\n${JSON.stringify(doc)}`);
  return { id, policy: r.policy };
}

export type PolicyForm = 'model' | 'raw';

/** Fresh PolicySet (fresh objects, so nothing is served from the engine's compile cache). */
export function buildSet(c: SetCase, form: PolicyForm = 'model'): PolicySet {
  const mk = (doc: Doc, type: PolicyType, id: string): NamedPolicy => {
    const np = load(doc, type, id);
    return form === 'raw' ? { id, policy: structuredClone(doc) as unknown as Policy } : np;
  };
  const set: PolicySet = { identity: c.identity.map((d, i) => mk(d, 'identity', `identity.${i + 1}`)) };
  if (c.resource) set.resource = mk(c.resource, 'resource', 'resource');
  if (c.boundary) set.boundary = mk(c.boundary, 'boundary', 'boundary');
  if (c.session) set.session = c.session.map((d, i) => mk(d, 'session', `session.${i + 1}`));
  if (c.scp) set.scp = c.scp.map((lvl, l) => lvl.map((d, i) => mk(d, 'scp', `scp.${l + 1}.${i + 1}`)));
  return set;
}

/** The policies of a SetCase that a statement can be added to, as paths. */
export type Target =
  | { kind: 'identity'; i: number }
  | { kind: 'newIdentity' }
  | { kind: 'resource' }
  | { kind: 'boundary' }
  | { kind: 'session'; i: number }
  | { kind: 'scp'; l: number; i: number };

export function targetsOf(c: SetCase): Target[] {
  const t: Target[] = c.identity.map((_, i) => ({ kind: 'identity', i }) as Target);
  t.push({ kind: 'newIdentity' });
  if (c.resource) t.push({ kind: 'resource' });
  if (c.boundary) t.push({ kind: 'boundary' });
  c.session?.forEach((_, i) => t.push({ kind: 'session', i }));
  c.scp?.forEach((lvl, l) => lvl.forEach((_, i) => t.push({ kind: 'scp', l, i })));
  return t;
}

/** A copy of `c` with `st` added to the target policy (a Principal is added for a resource policy). */
export function addStatement(c: SetCase, target: Target, st: Doc, principal: unknown): SetCase {
  const out: SetCase = structuredClone(c);
  switch (target.kind) {
    case 'identity':
      out.identity[target.i] = withStatement(out.identity[target.i]!, st);
      break;
    case 'newIdentity':
      out.identity.push({ Version: '2012-10-17', Statement: [st] });
      break;
    case 'resource':
      out.resource = withStatement(out.resource!, { ...st, Principal: principal });
      break;
    case 'boundary':
      out.boundary = withStatement(out.boundary!, st);
      break;
    case 'session':
      out.session![target.i] = withStatement(out.session![target.i]!, st);
      break;
    case 'scp':
      out.scp![target.l]![target.i] = withStatement(out.scp![target.l]![target.i]!, st);
      break;
  }
  return out;
}

// ------------------------------------------------------------------------------ requests

export interface RequestCase {
  principal: PrincipalName;
  action: string;
  resource: string;
  context: Record<string, ContextValue>;
}

/** Request context values per key, some multivalued, some malformed for the key's type. */
const CONTEXT_VALUES: Record<string, fc.Arbitrary<ContextValue>> = {
  'aws:PrincipalTag/team': fc.constantFrom<ContextValue>('data', 'analytics', 'web', 'Data', ['data', 'web']),
  'aws:RequestTag/env': fc.constantFrom<ContextValue>('prod', 'dev', 'Prod'),
  'aws:TagKeys': fc.constantFrom<ContextValue>([], ['env'], ['env', 'team'], ['cost', 'env', 'team'], 'env'),
  's3:prefix': fc.constantFrom<ContextValue>('home/alice/', 'home/', '', 'home/bob/x'),
  'aws:SourceIp': fc.constantFrom<ContextValue>('10.1.2.3', '192.168.1.77', '203.0.113.9', '198.51.100.1', '2001:db8::1', 'not-an-ip'),
  'aws:MultiFactorAuthPresent': fc.constantFrom<ContextValue>('true', 'false', true, false),
  'aws:SecureTransport': fc.constantFrom<ContextValue>('true', 'false', true),
  'aws:MultiFactorAuthAge': fc.constantFrom<ContextValue>('120', '7200', 300, 'soon'),
  'aws:CurrentTime': fc.constantFrom<ContextValue>('2023-05-01T00:00:00Z', '2031-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
  'aws:SourceArn': fc.constantFrom<ContextValue>('arn:aws:s3:::data-bucket', `arn:aws:sqs:us-east-1:${A}:queue-a`, 'not-an-arn'),
};

export const requestCase: fc.Arbitrary<RequestCase> = fc
  .record({
    principal: fc.constantFrom<PrincipalName>('alice', 'alice', 'bob', 'session', 'session', 'root', 'carol'),
    action: fc.constantFrom(...REQUEST_ACTIONS),
    upperAction: weighted(10),
    resource: fc.constantFrom(...REQUEST_RESOURCES),
    extra: fc.record(CONTEXT_VALUES, { requiredKeys: [], noNullPrototype: true }),
    upperKeys: weighted(15),
  })
  .map(({ principal, action, upperAction, resource, extra, upperKeys }) => {
    const context: Record<string, ContextValue> = {};
    for (const [k, v] of Object.entries(extra)) context[upperKeys ? k.toUpperCase() : k] = v as ContextValue;
    return { principal, action: upperAction ? action.toUpperCase() : action, resource, context };
  });

export function buildRequest(r: RequestCase): EvaluationRequest {
  const principal = principalOf(r.principal);
  return { principal, action: r.action, resource: r.resource, context: { ...principalContext(principal), ...r.context } };
}
