import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQueryRequest } from './codec.js';
import type { ServiceModel } from './model-types.js';
import { readQueryInput } from './query-input.js';
import { parseQueryString } from './query-params.js';
import type { ServiceDescriptor } from './services.js';

// A rich AssumeRole (every parameter; sdk-compat.md 2.7) exactly as each SDK put it on the wire:
// botocore 1.43.11 serializer + AWSRequest.prepare(), and @aws-sdk/client-sts 3.1169.0.
const BOTO3_ASSUME_ROLE =
  'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=alice%40example.com&ExternalId=ext-123&DurationSeconds=1800&SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%2Falice&TokenCode=123456&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2Fteam+boundary&Policy=%7B%22Version%22%3A+%222012-10-17%22%2C+%22Statement%22%3A+%5B%7B%22Effect%22%3A+%22Allow%22%2C+%22Action%22%3A+%22s3%3AGetObject%22%2C+%22Resource%22%3A+%22%2A%22%7D%5D%7D&Tags.member.1.Key=Project&Tags.member.1.Value=Blue+Sky&Tags.member.2.Key=cost-center&Tags.member.2.Value=12%2B34&TransitiveTagKeys.member.1=Project&SourceIdentity=alice';
const JS_ASSUME_ROLE =
  'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=alice%40example.com&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2Fteam%20boundary&Policy=%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGetObject%22%2C%20%22Resource%22%3A%20%22%2A%22%7D%5D%7D&DurationSeconds=1800&Tags.member.1.Key=Project&Tags.member.1.Value=Blue%20Sky&Tags.member.2.Key=cost-center&Tags.member.2.Value=12%2B34&TransitiveTagKeys.member.1=Project&ExternalId=ext-123&SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%2Falice&TokenCode=123456&SourceIdentity=alice';

const RICH_ASSUME_ROLE_INPUT = {
  RoleArn: 'arn:aws:iam::111122223333:role/app',
  RoleSessionName: 'alice@example.com',
  PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::111122223333:policy/team boundary' }],
  Policy: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
  DurationSeconds: 1800,
  Tags: [
    { Key: 'Project', Value: 'Blue Sky' },
    { Key: 'cost-center', Value: '12+34' },
  ],
  TransitiveTagKeys: ['Project'],
  ExternalId: 'ext-123',
  SerialNumber: 'arn:aws:iam::111122223333:mfa/alice',
  TokenCode: '123456',
  SourceIdentity: 'alice',
};

const decode = (body: string, scope?: string) => decodeQueryRequest(parseQueryString(body), scope);

describe('awsQuery input: AssumeRole from both SDKs', () => {
  for (const [sdk, body] of [
    ['boto3', BOTO3_ASSUME_ROLE],
    ['JS SDK v3', JS_ASSUME_ROLE],
  ] as const) {
    it(`decodes every parameter as ${sdk} sends it`, () => {
      const d = decode(body, 'sts');
      assert.ok(d.ok, JSON.stringify(d));
      assert.equal(d.service, 'sts');
      assert.equal(d.operation, 'AssumeRole');
      assert.deepEqual(d.input, RICH_ASSUME_ROLE_INPUT);
    });
  }

  it('decodes the same whether routed by signature or by Version', () => {
    assert.deepEqual(decode(BOTO3_ASSUME_ROLE), decode(BOTO3_ASSUME_ROLE, 'sts'));
  });

  it('ignores parameters the model does not know, as live STS does', () => {
    const d = decode('Action=GetCallerIdentity&Version=2011-06-15&Unknown=value&X-Amz-Signature=abc');
    assert.deepEqual(d, { ok: true, service: 'sts', operation: 'GetCallerIdentity', input: {} });
  });

  it('decodes a presigned GetCallerIdentity GET (boto3 generate_presigned_url)', () => {
    const d = decode(
      'Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc123',
      'sts',
    );
    assert.deepEqual(d, { ok: true, service: 'sts', operation: 'GetCallerIdentity', input: {} });
  });

  it('accepts +900 and 0900 as 900 (Java integer parsing)', () => {
    for (const v of ['%2B900', '0900']) {
      const d = decode(`Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&DurationSeconds=${v}`);
      assert.ok(d.ok);
      assert.equal(d.input['DurationSeconds'], 900);
    }
  });
});

describe('awsQuery input: IAM shapes', () => {
  it('orders list members by index, closing gaps', () => {
    const d = decode('Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.10.Key=c&Tags.member.10.Value=3&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1');
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.input['Tags'], [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
      { Key: 'c', Value: '3' },
    ]);
  });

  it('reads `X=` as an empty list (botocore sends empty lists so)', () => {
    const d = decode('Action=UntagRole&Version=2010-05-08&RoleName=r&TagKeys=');
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.input, { RoleName: 'r', TagKeys: [] });
  });

  it('reads nested lists inside list members, booleans and integers', () => {
    const d = decode(
      'Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3%3AGetObject' +
        '&ContextEntries.member.1.ContextKeyName=aws%3ASourceIp&ContextEntries.member.1.ContextKeyType=ip' +
        '&ContextEntries.member.1.ContextKeyValues.member.1=10.0.0.1&ContextEntries.member.1.ContextKeyValues.member.2=10.0.0.2&MaxItems=5',
    );
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.input, {
      PolicyInputList: ['{}'],
      ActionNames: ['s3:GetObject'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.0.0.1', '10.0.0.2'], ContextKeyType: 'ip' }],
      MaxItems: 5,
    });
    const b = decode('Action=ListPolicies&Version=2010-05-08&OnlyAttached=TRUE&Scope=Local');
    assert.ok(b.ok, JSON.stringify(b));
    assert.deepEqual(b.input, { Scope: 'Local', OnlyAttached: true });
  });

  it('gives operations without an input shape an empty input', () => {
    assert.deepEqual(decode('Action=GetAccountSummary&Version=2010-05-08', 'iam'), { ok: true, service: 'iam', operation: 'GetAccountSummary', input: {} });
  });
});

describe('awsQuery input: MalformedInput (live STS wording)', () => {
  const base = 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&DurationSeconds=';
  it('an empty number: "missing value for decimal type"', () => {
    const d = decode(base);
    assert.ok(!d.ok);
    assert.deepEqual(d.error, { code: 'MalformedInput', message: 'missing value for decimal type' });
  });
  for (const v of ['abc', '900.0', '2147483648', '-2147483649']) {
    it(`${v}: MalformedInput without a message`, () => {
      const d = decode(base + v);
      assert.ok(!d.ok);
      assert.deepEqual(d.error, { code: 'MalformedInput', message: undefined });
    });
  }
  it('i32 bounds parse, then fail validation', () => {
    const d = decode(base + '-2147483648');
    assert.ok(!d.ok);
    assert.equal(d.error.code, 'ValidationError');
    assert.equal(d.error.message, "1 validation error detected: Value '-2147483648' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
  });
  it('a bad boolean', () => {
    const d = decode('Action=ListPolicies&Version=2010-05-08&OnlyAttached=yes');
    assert.ok(!d.ok);
    assert.equal(d.error.code, 'MalformedInput');
  });
});

describe('awsQuery input: every scalar type and maps (synthetic model)', () => {
  const model: ServiceModel = {
    metadata: { apiVersion: '2000-01-01', endpointPrefix: 'x', protocol: 'query', serviceId: 'X', xmlNamespace: 'urn:x' },
    operations: { Op: { name: 'Op', input: { shape: 'In' } } },
    shapes: {
      In: {
        type: 'structure',
        members: { When: { shape: 'Ts' }, Data: { shape: 'Bytes' }, Big: { shape: 'Long' }, Ratio: { shape: 'Double' }, Attrs: { shape: 'Attrs' }, Inner: { shape: 'Inner' } },
      },
      Inner: { type: 'structure', members: { Flag: { shape: 'Bool' } } },
      Ts: { type: 'timestamp' },
      Bytes: { type: 'blob' },
      Long: { type: 'long' },
      Double: { type: 'double' },
      Bool: { type: 'boolean' },
      Str: { type: 'string' },
      Attrs: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
    },
  };
  const svc: ServiceDescriptor = {
    name: 'iam',
    model,
    protocol: 'query',
    apiVersion: '2000-01-01',
    signingName: 'iam',
    xmlNamespace: 'urn:x',
    targetPrefixes: [],
    errors: {},
    urlEncodedShapes: new Set(),
  };
  it('parses timestamp, blob, long, double, boolean and map entries', () => {
    const p = parseQueryString('When=2024-01-02T03%3A04%3A05.250Z&Data=aGk%3D&Big=9007199254740991&Ratio=0.5&Attrs.entry.2.key=b&Attrs.entry.2.value=2&Attrs.entry.1.key=__proto__&Attrs.entry.1.value=1&Inner.Flag=false');
    const r = readQueryInput(svc, 'In', p);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal((r.input['When'] as Date).toISOString(), '2024-01-02T03:04:05.250Z');
    assert.deepEqual([...(r.input['Data'] as Uint8Array)], [104, 105]);
    assert.equal(r.input['Big'], 9007199254740991);
    assert.equal(r.input['Ratio'], 0.5);
    assert.deepEqual(Object.entries(r.input['Attrs'] as object), [
      ['__proto__', '1'],
      ['b', '2'],
    ]);
    assert.deepEqual(r.input['Inner'], { Flag: false });
  });
  it('accepts epoch seconds for timestamps and refuses junk', () => {
    const ok = readQueryInput(svc, 'In', parseQueryString('When=1704164645'));
    assert.ok(ok.ok);
    assert.equal((ok.input['When'] as Date).toISOString(), '2024-01-02T03:04:05.000Z');
    const bad = readQueryInput(svc, 'In', parseQueryString('When=yesterday'));
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, 'MalformedInput');
  });
});
