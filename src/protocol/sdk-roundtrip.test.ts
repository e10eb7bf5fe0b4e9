/**
 * Round trips through REAL client code: requests built by the AWS SDK for JavaScript v3 and by
 * botocore are decoded by our codec, and our responses are parsed by the JS SDK's deserializers
 * (real clients against a loopback server) and by botocore's parsers (python3 subprocess; skipped
 * when botocore is not installed). What each SDK hands its caller is asserted exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJsonRequest, decodeQueryRequest, encodeError, encodeOutput } from './codec.js';
import { parseQueryString } from './query-params.js';
import type { Decoded, ServiceName, WireError, WireResponse } from './wire.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

// The SDK clients are loaded by a computed specifier so that the type checker does not read their
// ~20,000 lines of declarations (that tripled `tsc` time for the whole project); they are used
// through the few members below.
type SdkClass = new (...args: unknown[]) => { send(command: unknown): Promise<Record<string, unknown>> };
type SdkModule = Record<string, SdkClass>;
const loadSdk = (name: string): Promise<SdkModule> => import(name) as Promise<SdkModule>;
// Access Analyzer's JS client is not installed: its restJson1 codec is checked with botocore and
// the AWS CLI (test/conformance/validate-policy.test.ts).
const SDK_PACKAGES: Record<Exclude<ServiceName, 'accessanalyzer'>, { pkg: string; client: string }> = {
  iam: { pkg: '@aws-sdk/client-iam', client: 'IAMClient' },
  sts: { pkg: '@aws-sdk/client-sts', client: 'STSClient' },
  cloudtrail: { pkg: '@aws-sdk/client-cloudtrail', client: 'CloudTrailClient' },
};

// ------------------------------------------------------------------ the cases

const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const T0 = new Date('2024-01-02T03:04:05Z');
const T1 = new Date('2024-06-30T23:59:59Z');

const role = (name: string, extra: Record<string, unknown> = {}) => ({
  Path: '/app/',
  RoleName: name,
  RoleId: `AROA${name.toUpperCase().padEnd(17, 'X')}`,
  Arn: `arn:aws:iam::111122223333:role/app/${name}`,
  CreateDate: T0,
  AssumeRolePolicyDocument: POLICY,
  Description: 'Reads <things> & "stuff"',
  MaxSessionDuration: 7200,
  Tags: [
    { Key: 'team', Value: 'blue sky' },
    { Key: 'cost', Value: '12+34' },
  ],
  ...extra,
});

interface Case {
  name: string;
  service: ServiceName;
  operation: string;
  /** What the caller passes to the SDK; also what our decoder must produce from its request. */
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: WireError;
  /** The exception class both SDKs should raise (named after the model's shape). */
  errorClass?: string;
  status?: number;
}

const ASSUME_ROLE_INPUT = {
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

const CASES: Case[] = [
  {
    name: 'IAM CreateRole',
    service: 'iam',
    operation: 'CreateRole',
    input: { Path: '/app/', RoleName: 'web', AssumeRolePolicyDocument: POLICY, Description: 'Reads <things> & "stuff"', MaxSessionDuration: 7200, Tags: role('web').Tags },
    output: { Role: role('web') },
  },
  {
    name: 'IAM GetRole with last use and a boundary',
    service: 'iam',
    operation: 'GetRole',
    input: { RoleName: 'web' },
    output: {
      Role: role('web', {
        PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary' },
        RoleLastUsed: { LastUsedDate: T1, Region: 'eu-west-1' },
      }),
    },
  },
  {
    name: 'IAM ListRoles, tagged roles and pagination markers',
    service: 'iam',
    operation: 'ListRoles',
    input: { PathPrefix: '/app/', Marker: 'page-1', MaxItems: 2 },
    output: { Roles: [role('a'), role('b', { Tags: [] })], IsTruncated: true, Marker: 'page-2' },
  },
  {
    name: 'IAM ListRoles, empty',
    service: 'iam',
    operation: 'ListRoles',
    input: {},
    output: { Roles: [], IsTruncated: false },
  },
  {
    name: 'IAM ListPolicies',
    service: 'iam',
    operation: 'ListPolicies',
    input: { Scope: 'Local', OnlyAttached: true, PolicyUsageFilter: 'PermissionsPolicy', MaxItems: 10 },
    output: {
      Policies: [
        {
          PolicyName: 'boundary',
          PolicyId: 'ANPAEXAMPLEPOLICY0001',
          Arn: 'arn:aws:iam::111122223333:policy/boundary',
          Path: '/',
          DefaultVersionId: 'v2',
          AttachmentCount: 3,
          PermissionsBoundaryUsageCount: 1,
          IsAttachable: true,
          Description: 'limits',
          CreateDate: T0,
          UpdateDate: T1,
          Tags: [{ Key: 'k', Value: 'v' }],
        },
      ],
      IsTruncated: false,
    },
  },
  {
    name: 'STS AssumeRole with every parameter',
    service: 'sts',
    operation: 'AssumeRole',
    input: ASSUME_ROLE_INPUT,
    output: {
      Credentials: { AccessKeyId: 'ASIAEXAMPLEEXAMPLE01', SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', SessionToken: 'FwoGZXIvYXdzEXAMPLE+/=', Expiration: T1 },
      AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLEAPPROLE001:alice@example.com', Arn: 'arn:aws:sts::111122223333:assumed-role/app/alice@example.com' },
      PackedPolicySize: 12,
      SourceIdentity: 'alice',
    },
  },
  {
    name: 'STS AssumeRoleWithWebIdentity (sent unsigned)',
    service: 'sts',
    operation: 'AssumeRoleWithWebIdentity',
    input: { RoleArn: 'arn:aws:iam::111122223333:role/ci', RoleSessionName: 'ci-run-1', WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' },
    output: {
      Credentials: { AccessKeyId: 'ASIAEXAMPLEEXAMPLE02', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: T1 },
      SubjectFromWebIdentityToken: 'repo:org/app:ref:refs/heads/main',
      AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLECIROLE0001:ci-run-1', Arn: 'arn:aws:sts::111122223333:assumed-role/ci/ci-run-1' },
      Provider: 'token.actions.githubusercontent.com',
      Audience: 'sts.amazonaws.com',
    },
  },
  {
    name: 'STS GetCallerIdentity',
    service: 'sts',
    operation: 'GetCallerIdentity',
    input: {},
    output: { UserId: 'AIDAEXAMPLEALICE00001', Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice' },
  },
  {
    name: 'IAM NoSuchEntity',
    service: 'iam',
    operation: 'GetRole',
    input: { RoleName: 'nope' },
    error: { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' },
    errorClass: 'NoSuchEntityException',
    status: 404,
  },
  {
    name: 'IAM EntityAlreadyExists',
    service: 'iam',
    operation: 'CreateRole',
    input: { RoleName: 'web', AssumeRolePolicyDocument: POLICY },
    error: { code: 'EntityAlreadyExists', message: 'Role with name web already exists.' },
    errorClass: 'EntityAlreadyExistsException',
    status: 409,
  },
  {
    name: 'IAM ServiceFailure (Receiver, 500)',
    service: 'iam',
    operation: 'GetRole',
    input: { RoleName: 'web' },
    error: { code: 'ServiceFailure', message: 'The request processing has failed because of an unknown error.' },
    errorClass: 'ServiceFailureException',
    status: 500,
  },
  {
    name: 'STS RegionDisabledException (code keeps its suffix, 403)',
    service: 'sts',
    operation: 'GetCallerIdentity',
    input: {},
    error: { code: 'RegionDisabledException', message: 'STS is not activated in this region.' },
    errorClass: 'RegionDisabledException',
    status: 403,
  },
  {
    name: 'InvalidAction in the AWSFault namespace',
    service: 'sts',
    operation: 'GetCallerIdentity',
    input: {},
    error: { code: 'InvalidAction', message: 'Could not find operation GetCallerIdentity for version 2011-06-15' },
    status: 400,
  },
  {
    name: 'CloudTrail LookupEvents',
    service: 'cloudtrail',
    operation: 'LookupEvents',
    input: { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }], StartTime: T0, EndTime: T1, MaxResults: 50, NextToken: 'tok-1' },
    output: {
      Events: [
        {
          EventId: '6a7c9c1e-0000-4000-8000-000000000001',
          EventName: 'AssumeRole',
          ReadOnly: 'true',
          AccessKeyId: 'AKIAEXAMPLE',
          EventTime: T0,
          EventSource: 'sts.amazonaws.com',
          Username: 'alice',
          Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'arn:aws:iam::111122223333:role/app' }],
          CloudTrailEvent: '{"eventVersion":"1.08","eventName":"AssumeRole"}',
        },
        { EventId: '6a7c9c1e-0000-4000-8000-000000000002', EventName: 'GetRole', EventTime: T1, Resources: [] },
      ],
      NextToken: 'tok-2',
    },
  },
  {
    name: 'CloudTrail InvalidLookupAttributesException',
    service: 'cloudtrail',
    operation: 'LookupEvents',
    input: { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'x' }] },
    error: { code: 'InvalidLookupAttributesException', message: 'You cannot specify more than one lookup attribute.' },
    errorClass: 'InvalidLookupAttributesException',
    status: 400,
  },
];

const REQUEST_ID = (i: number) => `a1b2c3d4-0000-4000-8000-${String(i).padStart(12, '0')}`;

function respond(c: Case, i: number): WireResponse {
  return c.error ? encodeError(c.service, c.error, REQUEST_ID(i)) : encodeOutput(c.service, c.operation, c.output, REQUEST_ID(i));
}

/** What an SDK that decodes IAM policy documents (`decodePolicies`) or not hands its caller. */
function expectedOutput(value: unknown, decodePolicies: boolean, key = ''): unknown {
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => expectedOutput(v, decodePolicies));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expectedOutput(v, decodePolicies, k)]));
  if (key === 'AssumeRolePolicyDocument' && typeof value === 'string') return decodePolicies ? JSON.parse(value) : encodeURIComponent(value);
  return value;
}

// ------------------------------------------------------------------ JS SDK v3

describe('round trip through the AWS SDK for JavaScript v3', () => {
  let server: http.Server;
  let endpoint = '';
  let handler: (req: { headers: http.IncomingHttpHeaders; body: string }) => WireResponse = () => ({ status: 500, headers: {}, body: '' });

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = handler({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(r.status, r.headers).end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const modules = new Map<ServiceName, SdkModule>();
  const sdk = async (service: ServiceName): Promise<SdkModule> => {
    if (!modules.has(service)) modules.set(service, await loadSdk(SDK_PACKAGES[service as keyof typeof SDK_PACKAGES].pkg));
    return modules.get(service)!;
  };
  const send = async (c: Case): Promise<Record<string, unknown>> => {
    const mod = await sdk(c.service);
    const Client = mod[SDK_PACKAGES[c.service as keyof typeof SDK_PACKAGES].client]!;
    const Command = mod[`${c.operation}Command`]!;
    const client = new Client({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
    return client.send(new Command(c.input));
  };

  CASES.forEach((c, i) => {
    it(c.name, async () => {
      let decoded: Decoded | undefined;
      let authorization: string | undefined;
      handler = ({ headers, body }) => {
        authorization = headers.authorization;
        const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(headers.authorization ?? '')?.[1];
        decoded = c.service === 'cloudtrail' ? decodeJsonRequest(headers['x-amz-target'] as string | undefined, body) : decodeQueryRequest(parseQueryString(body), scope);
        return respond(c, i);
      };
      let result: Record<string, unknown> | undefined;
      let error: (Error & Record<string, unknown>) | undefined;
      try {
        result = await send(c);
      } catch (e) {
        error = e as Error & Record<string, unknown>;
      }
      // Our decoder read exactly what the SDK was given.
      assert.deepEqual(decoded, { ok: true, service: c.service, operation: c.operation, input: c.input });
      if (c.operation === 'AssumeRoleWithWebIdentity') assert.equal(authorization, undefined);
      if (c.error) {
        assert.ok(error, 'the SDK should have thrown');
        if (c.errorClass) {
          const ErrorClass = (await sdk(c.service))[c.errorClass]!;
          assert.ok(error instanceof ErrorClass, `${error.name} is not ${c.errorClass}`);
        }
        assert.equal(error.name, c.errorClass ?? c.error.code);
        assert.equal(error.message, c.error.message);
        assert.equal((error['$metadata'] as { httpStatusCode: number }).httpStatusCode, c.status);
        assert.equal((error['$metadata'] as { requestId: string }).requestId, REQUEST_ID(i));
        if (c.service !== 'cloudtrail') {
          const sender = c.error.code === 'ServiceFailure' ? 'Receiver' : 'Sender';
          assert.deepEqual(error['Error'], { Type: sender, Code: c.error.code, Message: c.error.message });
          assert.equal(error['$fault'], sender === 'Sender' ? 'client' : 'server');
        }
        return;
      }
      assert.ok(result, String(error));
      const { $metadata, ...rest } = result as { $metadata: { httpStatusCode: number; requestId: string } };
      assert.equal($metadata.httpStatusCode, 200);
      assert.equal($metadata.requestId, REQUEST_ID(i));
      // The JS SDK hands IAM policy documents over still URL-encoded.
      assert.deepEqual(rest, expectedOutput(c.output, false));
    });
  });
});

// ------------------------------------------------------------------ botocore

const BOTOCORE_SCRIPT = String.raw`
import sys, json, datetime, base64
import botocore, botocore.session, botocore.parsers, botocore.serialize, botocore.handlers
from botocore.awsrequest import AWSRequest
from botocore.errorfactory import ClientExceptionsFactory
session = botocore.session.get_session()
clients, models = {}, {}
def model(name):
    if name not in models: models[name] = session.get_service_model(name)
    return models[name]
def exceptions(name):
    if name not in clients: clients[name] = ClientExceptionsFactory().create_client_exceptions(model(name))
    return clients[name]
def plain(o):
    if isinstance(o, datetime.datetime):
        o = o.astimezone(datetime.timezone.utc)
        return o.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (o.microsecond // 1000)
    if isinstance(o, bytes): return base64.b64encode(o).decode()
    raise TypeError(type(o))
out = []
for c in json.load(sys.stdin):
    m = model(c['service']); op = m.operation_model(c['operation'])
    req = botocore.serialize.create_serializer(m.metadata['protocol']).serialize_to_request(c['input'], op)
    body = AWSRequest(method='POST', url='https://x/', data=req['body']).prepare().body
    body = body.decode() if isinstance(body, bytes) else (body or '')
    r = c['response']
    headers = {k.lower(): v for k, v in r['headers'].items()}
    parsed = botocore.parsers.create_parser(m.metadata['protocol']).parse({'body': r['body'].encode(), 'headers': headers, 'status_code': r['status']}, op.output_shape)
    error_class = None
    if 'Error' in parsed:
        error_class = exceptions(c['service']).from_code(parsed['Error']['Code']).__name__
    else:
        botocore.handlers.json_decode_policies(parsed, op)
    out.append({'body': body, 'target': req['headers'].get('X-Amz-Target'), 'parsed': parsed, 'errorClass': error_class})
print(json.dumps(out, default=plain))
`;

describe('round trip through botocore', () => {
  const probe = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' });
  const available = probe.status === 0;
  let results: Array<{ body: string; target: string | null; parsed: Record<string, unknown>; errorClass: string | null }> = [];
  before(() => {
    if (!available) return;
    const payload = CASES.map((c, i) => ({ service: c.service, operation: c.operation, input: c.input, response: respond(c, i) }));
    const r = spawnSync('python3', ['-c', BOTOCORE_SCRIPT], { input: JSON.stringify(payload), encoding: 'utf8', maxBuffer: 16 << 20 });
    assert.equal(r.status, 0, r.stderr);
    results = JSON.parse(r.stdout) as typeof results;
  });

  const iso = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

  CASES.forEach((c, i) => {
    it(c.name, (t) => {
      if (!available) {
        t.skip('botocore is not installed for python3');
        return;
      }
      const r = results[i]!;
      // Our decoder reads botocore's request (form body with +, or JSON with X-Amz-Target).
      const decoded = c.service === 'cloudtrail' ? decodeJsonRequest(r.target ?? undefined, r.body) : decodeQueryRequest(parseQueryString(r.body));
      assert.deepEqual(decoded, { ok: true, service: c.service, operation: c.operation, input: c.input });
      const { ResponseMetadata, ...parsed } = r.parsed as { ResponseMetadata: { RequestId: string } };
      assert.equal(ResponseMetadata.RequestId, REQUEST_ID(i));
      if (c.error) {
        const sender = c.error.code === 'ServiceFailure' ? 'Receiver' : 'Sender';
        const expectedError = c.service === 'cloudtrail' ? { Code: c.error.code, Message: c.error.message } : { Type: sender, Code: c.error.code, Message: c.error.message };
        assert.deepEqual(parsed, { Error: expectedError });
        // botocore names exception classes after the model's shape (NoSuchEntity -> NoSuchEntityException).
        assert.equal(r.errorClass, c.errorClass ?? 'ClientError');
        return;
      }
      // boto3 decodes IAM policy documents to dicts (botocore/handlers.py json_decode_policies).
      assert.deepEqual(parsed, iso(expectedOutput(c.output, true)));
    });
  });
});
