/**
 * EC2 instance roles against a real server: launching needs ec2:RunInstances and iam:PassRole
 * for ec2.amazonaws.com; each instance's IMDSv2 endpoint (its own loopback port) serves the
 * profile's role credentials, assumed by ec2.amazonaws.com with the instance id as session name
 * under the role's trust policy (confused-deputy keys included); IMDSv1 on or off per instance;
 * credentials rotate and expire on the server's ManualClock, as the JS SDK's instance-metadata
 * provider sees; every issuance is audited; instances survive a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALLOW_ALL, doc, expectError, iamClient, rawHttp, stsClient, TRUST_EC2, type Credentials } from './support/server.js';
import { Account, allow, secondAccount, skewedOptions, trust } from './support/sts-fixture.js';
import { imds, imdsToken, startWorkloadServer, workloadCall, type WorkloadServer } from './support/workloads.js';

let s: WorkloadServer;
let acct: string;

before(async () => {
  s = await startWorkloadServer();
  acct = s.accountId;
});

// The server clock moves ahead of real time in some tests: clients sign at the server's time,
// one client per call (the SDK resets its clock offset from each response's Date header).
const iam = async (op: string, input: Record<string, unknown>): Promise<any> => (await iamClient(s.url, s.root, skewedOptions(s))).call(op, input);
const account = async (): Promise<Account> => new Account(s, acct, await iamClient(s.url, s.root, skewedOptions(s)));
const call = (creds: Credentials, service: 'ec2' | 'ecs' | 'lambda', op: string, input: unknown) => workloadCall(s.url, creds, service, op, input, { signingDate: s.clock.now() });

after(async () => {
  await s?.close();
});

/** A role with the given trust policy, in an instance profile of the same name + "-profile". */
async function roleInProfile(name: string, trustPolicy: string): Promise<{ roleArn: string; roleId: string; profile: string; profileArn: string; profileId: string }> {
  const r = (await iam('CreateRole', { RoleName: name, AssumeRolePolicyDocument: trustPolicy })).Role;
  await iam('PutRolePolicy', { RoleName: name, PolicyName: 'perms', PolicyDocument: ALLOW_ALL });
  const p = (await iam('CreateInstanceProfile', { InstanceProfileName: `${name}-profile` })).InstanceProfile;
  await iam('AddRoleToInstanceProfile', { InstanceProfileName: `${name}-profile`, RoleName: name });
  return { roleArn: r.Arn, roleId: r.RoleId, profile: `${name}-profile`, profileArn: p.Arn, profileId: p.InstanceProfileId };
}

async function launch(creds: Credentials, profile: string, httpTokens?: 'optional' | 'required'): Promise<{ id: string; endpoint: string; body: any }> {
  const r = await call(creds, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: profile }, ...(httpTokens ? { MetadataOptions: { HttpTokens: httpTokens } } : {}) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const i = r.body.Instances[0];
  return { id: i.InstanceId, endpoint: i.MetadataEndpoint, body: i };
}

async function credentialsOf(endpoint: string, roleName: string): Promise<any> {
  const token = await imdsToken(endpoint);
  const r = await imds(endpoint, `/latest/meta-data/iam/security-credentials/${roleName}`, { headers: { 'x-aws-ec2-metadata-token': token } });
  assert.equal(r.status, 200);
  return JSON.parse(r.body);
}

describe('launching an instance with a role (RunInstances + iam:PassRole)', () => {
  let web: Awaited<ReturnType<typeof roleInProfile>>;
  before(async () => {
    web = await roleInProfile('launch-web', TRUST_EC2);
  });

  it('needs ec2:RunInstances, then iam:PassRole with iam:PassedToService = ec2.amazonaws.com', async () => {
    const nobody = await (await account()).user('launch-nobody');
    let r = await call(nobody.creds, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: web.profile } });
    assert.equal(r.status, 403);
    assert.equal(r.body.__type, 'UnauthorizedOperation');
    assert.equal(r.body.message, `You are not authorized to perform this operation. User: ${nobody.arn} is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:${acct}:instance/* because no identity-based policy allows the ec2:RunInstances action`);

    const ec2Only = await (await account()).user('launch-ec2only', allow('ec2:RunInstances'));
    r = await call(ec2Only.creds, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: web.profile } });
    assert.equal(r.status, 403);
    assert.match(r.body.message, new RegExp(`is not authorized to perform: iam:PassRole on resource: ${web.roleArn.replace(/[/]/g, '\\/')} because no identity-based policy allows the iam:PassRole action$`));

    const toLambda = await (await account()).user('launch-to-lambda', doc([
      { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: web.roleArn, Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } },
    ]));
    r = await call(toLambda.creds, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: web.profile } });
    assert.equal(r.status, 403);
    assert.match(r.body.message, /iam:PassRole/);

    const launcher = await (await account()).user('launch-ok', doc([
      { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: web.roleArn, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
    ]));
    const i = await launch(launcher.creds, web.profile);
    assert.match(i.id, /^i-[0-9a-f]{17}$/);
    assert.match(i.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(i.body.IamInstanceProfile, { Arn: web.profileArn, Id: web.profileId });
    assert.equal(i.body.MetadataOptions.HttpTokens, 'required', 'IMDSv2 only unless asked otherwise');
    assert.deepEqual(i.body.State, { Code: 16, Name: 'running' });
    // The launch is on the audit trail, signed by its launcher.
    const ev = s.audit.events.find((e) => e.eventName === 'RunInstances' && !e.errorCode);
    assert.equal(ev?.eventSource, 'ec2.amazonaws.com');
    assert.equal(ev?.userIdentity.arn, launcher.arn);
    // In the shape of every other event: the IAM user's name, camelCase parameters, the current version.
    assert.deepEqual([ev?.eventVersion, ev?.userIdentity.type, ev?.userIdentity.userName], ['1.11', 'IAMUser', 'launch-ok']);
    assert.ok(ev?.requestParameters && Object.keys(ev.requestParameters).every((k) => /^[a-z]/.test(k)), JSON.stringify(ev?.requestParameters));
    assert.ok(s.audit.events.some((e) => e.eventName === 'RunInstances' && e.errorCode === 'UnauthorizedOperation' && e.userIdentity.arn === nobody.arn));
  });

  it('an unknown instance profile, a bad HttpTokens value and unsigned calls are refused', async () => {
    let r = await call(s.root, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: 'no-such-profile' } });
    assert.deepEqual([r.status, r.body.__type, r.body.message], [400, 'InvalidParameterValue', 'Value (no-such-profile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name']);
    r = await call(s.root, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: web.profile }, MetadataOptions: { HttpTokens: 'sometimes' } });
    assert.deepEqual([r.status, r.body.__type], [400, 'InvalidParameterValue']);
    const unsigned = await imds(s.url, '/_rolecall/ec2/RunInstances', { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(unsigned.status, 403);
    assert.equal(JSON.parse(unsigned.body).__type, 'MissingAuthenticationToken');
    const forged = await call({ accessKeyId: s.root.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret00' }, 'ec2', 'RunInstances', { IamInstanceProfile: { Name: web.profile } });
    assert.deepEqual([forged.status, forged.body.__type], [403, 'SignatureDoesNotMatch']);
  });

  it('other accounts cannot see or terminate an instance', async () => {
    const i = await launch(s.root, web.profile);
    const other = await secondAccount(s);
    const r = await call(other.root, 'ec2', 'TerminateInstances', { InstanceIds: [i.id] });
    assert.deepEqual([r.status, r.body.__type, r.body.message], [400, 'InvalidInstanceID.NotFound', `The instance ID '${i.id}' does not exist`]);
    const d = await call(other.root, 'ec2', 'DescribeInstances', {});
    assert.deepEqual(d.body.Instances, []);
    const bad = await call(s.root, 'ec2', 'DescribeInstances', { InstanceIds: ['i-nope'] });
    assert.deepEqual([bad.status, bad.body.__type], [400, 'InvalidInstanceID.Malformed']);
  });
});

describe('the instance metadata endpoint (IMDSv2)', () => {
  let web: Awaited<ReturnType<typeof roleInProfile>>;
  let inst: { id: string; endpoint: string };
  before(async () => {
    web = await roleInProfile('imds-web', TRUST_EC2);
    inst = await launch(s.root, web.profile);
  });

  it('PUT /latest/api/token: TTL 1..21600 required, proxied requests refused, PUT only', async () => {
    const put = (headers: Record<string, string>) => imds(inst.endpoint, '/latest/api/token', { method: 'PUT', headers });
    assert.equal((await put({})).status, 400);
    assert.equal((await put({ 'x-aws-ec2-metadata-token-ttl-seconds': '0' })).status, 400);
    assert.equal((await put({ 'x-aws-ec2-metadata-token-ttl-seconds': '21601' })).status, 400);
    assert.equal((await put({ 'x-aws-ec2-metadata-token-ttl-seconds': 'ten' })).status, 400);
    assert.equal((await put({ 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '10.1.2.3' })).status, 403);
    assert.equal((await imds(inst.endpoint, '/latest/api/token')).status, 405);
    const ok = await put({ 'x-aws-ec2-metadata-token-ttl-seconds': '60' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-aws-ec2-metadata-token-ttl-seconds'], '60');
    assert.ok(ok.body.length > 20);
  });

  it('HttpTokens=required: no token, a forged token, another instance\'s token, an expired token are 401', async () => {
    const path = '/latest/meta-data/iam/security-credentials/';
    assert.equal((await imds(inst.endpoint, path)).status, 401, 'IMDSv1 is off');
    assert.equal((await imds(inst.endpoint, path, { headers: { 'x-aws-ec2-metadata-token': 'AAAA.BBBB' } })).status, 401);
    const other = await launch(s.root, web.profile);
    const foreign = await imdsToken(other.endpoint);
    assert.equal((await imds(inst.endpoint, path, { headers: { 'x-aws-ec2-metadata-token': foreign } })).status, 401);
    const short = await imdsToken(inst.endpoint, 5);
    assert.equal((await imds(inst.endpoint, path, { headers: { 'x-aws-ec2-metadata-token': short } })).status, 200);
    s.clock.advance(6_000);
    assert.equal((await imds(inst.endpoint, path, { headers: { 'x-aws-ec2-metadata-token': short } })).status, 401);
  });

  it('serves the role name, its credentials, iam/info, the identity document and instance facts', async () => {
    const token = await imdsToken(inst.endpoint);
    const get = (p: string) => imds(inst.endpoint, p, { headers: { 'x-aws-ec2-metadata-token': token } });
    const list = await get('/latest/meta-data/iam/security-credentials/');
    assert.deepEqual([list.status, list.body], [200, 'imds-web']);
    const c = JSON.parse((await get('/latest/meta-data/iam/security-credentials/imds-web')).body);
    assert.deepEqual(Object.keys(c), ['Code', 'LastUpdated', 'Type', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    assert.equal(c.Code, 'Success');
    assert.equal(c.Type, 'AWS-HMAC');
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.match(c.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'second precision with Z (botocore parses %Y-%m-%dT%H:%M:%SZ)');
    assert.equal(Date.parse(c.Expiration) - Date.parse(c.LastUpdated), 6 * 3600_000);
    // The same credentials for every caller on the instance until rotation.
    assert.equal(JSON.parse((await get('/latest/meta-data/iam/security-credentials/imds-web')).body).AccessKeyId, c.AccessKeyId);
    assert.equal((await get('/latest/meta-data/iam/security-credentials/some-other-role')).status, 404);

    const info = JSON.parse((await get('/latest/meta-data/iam/info')).body);
    assert.deepEqual(info, { Code: 'Success', LastUpdated: c.LastUpdated, InstanceProfileArn: web.profileArn, InstanceProfileId: web.profileId });
    const docu = JSON.parse((await get('/latest/dynamic/instance-identity/document')).body);
    assert.equal(docu.instanceId, inst.id);
    assert.equal(docu.accountId, acct);
    assert.equal(docu.region, 'us-east-1');
    assert.equal(docu.version, '2017-09-30');
    assert.equal((await get('/latest/meta-data/instance-id')).body, inst.id);
    assert.equal((await get('/latest/meta-data/placement/availability-zone')).body, 'us-east-1a');
    assert.match((await get('/latest/meta-data/')).body, /^ami-id\nhostname\niam\/\ninstance-id\n/);
    assert.equal((await get('/latest/meta-data/nothing-here')).status, 404);

    // The session is the instance's: assumed-role/ROLE/INSTANCE-ID.
    const sts = await stsClient(s.url, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token }, skewedOptions(s));
    const me = await sts.call('GetCallerIdentity');
    assert.equal(me.Arn, `arn:aws:sts::${acct}:assumed-role/imds-web/${inst.id}`);
    assert.equal(me.UserId, `${web.roleId}:${inst.id}`);
  });

  it('HttpTokens=optional also answers IMDSv1; ModifyInstanceMetadataOptions turns it off', async () => {
    const v1 = await launch(s.root, web.profile, 'optional');
    let r = await imds(v1.endpoint, '/latest/meta-data/iam/security-credentials/');
    assert.deepEqual([r.status, r.body], [200, 'imds-web']);
    const m = await call(s.root, 'ec2', 'ModifyInstanceMetadataOptions', { InstanceId: v1.id, HttpTokens: 'required' });
    assert.equal(m.status, 200);
    assert.equal(m.body.InstanceMetadataOptions.HttpTokens, 'required');
    r = await imds(v1.endpoint, '/latest/meta-data/iam/security-credentials/');
    assert.equal(r.status, 401);
    // IMDSv2 keeps working.
    assert.equal((await credentialsOf(v1.endpoint, 'imds-web')).Code, 'Success');
  });
});

describe('the AWS SDK for JavaScript instance-metadata provider', () => {
  let web: Awaited<ReturnType<typeof roleInProfile>>;
  let inst: { id: string; endpoint: string };
  let saved: Record<string, string | undefined>;
  let dir: string;
  before(async () => {
    web = await roleInProfile('js-web', TRUST_EC2);
    inst = await launch(s.root, web.profile);
    dir = mkdtempSync(join(tmpdir(), 'rolecall-imds-'));
    writeFileSync(join(dir, 'config'), '');
    saved = {};
    for (const k of ['AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_V1_DISABLED', 'AWS_PROFILE']) saved[k] = process.env[k];
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    process.env.AWS_EC2_METADATA_V1_DISABLED = 'true';
    delete process.env.AWS_PROFILE;
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function provider(endpoint: string): Promise<() => Promise<any>> {
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpoint;
    const { fromInstanceMetadata } = (await import(String('@smithy/credential-provider-imds'))) as { fromInstanceMetadata: (init?: object) => () => Promise<any> };
    return fromInstanceMetadata({ timeout: 2000 });
  }

  it('gets the role credentials; GetCallerIdentity shows assumed-role/ROLE/i-...; they rotate and expire on time', async () => {
    const get = await provider(inst.endpoint);
    const first = await get();
    assert.match(first.accessKeyId, /^ASIA/);
    assert.ok(first.expiration instanceof Date);
    const call = async (c: any) => (await stsClient(s.url, { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, skewedOptions(s))).call('GetCallerIdentity');
    assert.equal((await call(first)).Arn, `arn:aws:sts::${acct}:assumed-role/js-web/${inst.id}`);
    assert.equal((await get()).accessKeyId, first.accessKeyId, 'reused until rotation');

    // An hour later the instance offers new credentials; the old ones still work until they expire.
    s.clock.advance(61 * 60_000);
    const second = await get();
    assert.notEqual(second.accessKeyId, first.accessKeyId);
    assert.ok(second.expiration.getTime() > first.expiration.getTime());
    assert.equal((await call(first)).Arn, (await call(second)).Arn);

    // Past the first credentials' expiry: ExpiredToken for them, the instance serves fresh ones.
    s.clock.advance(5 * 3600_000);
    await expectError(call(first), { name: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
    const third = await get();
    assert.notEqual(third.accessKeyId, second.accessKeyId);
    assert.equal((await call(third)).Arn, `arn:aws:sts::${acct}:assumed-role/js-web/${inst.id}`);
  });

  it('a role whose trust policy does not allow EC2 gives no credentials: AssumeRoleUnauthorizedAccess', async () => {
    const noEc2 = await roleInProfile('js-lambda-only', trust({ Service: 'lambda.amazonaws.com' }));
    const i = await launch(s.root, noEc2.profile);
    const get = await provider(i.endpoint);
    await assert.rejects(get(), /Invalid response received from instance metadata service/);
    const token = await imdsToken(i.endpoint);
    const info = JSON.parse((await imds(i.endpoint, '/latest/meta-data/iam/info', { headers: { 'x-aws-ec2-metadata-token': token } })).body);
    assert.equal(info.Code, 'AssumeRoleUnauthorizedAccess');
    assert.match(info.Message, /^EC2 cannot assume the role js-lambda-only\. /);
    const creds = JSON.parse((await imds(i.endpoint, '/latest/meta-data/iam/security-credentials/js-lambda-only', { headers: { 'x-aws-ec2-metadata-token': token } })).body);
    assert.equal(creds.Code, 'AssumeRoleUnauthorizedAccess');
    assert.equal(creds.AccessKeyId, undefined);
    const denied = s.audit.events.filter((e) => e.eventName === 'AssumeRole' && e.errorCode === 'AccessDenied' && (e.requestParameters as any)?.roleSessionName === i.id);
    // The SDK's retries and the two GETs above got the refusal the first attempt made: one event.
    assert.equal(denied.length, 1, 'the refused issuance is audited, once');
    assert.deepEqual(denied[0]?.userIdentity, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
  });
});

describe('confused-deputy conditions, trust changes, audit, persistence', () => {
  it('aws:SourceAccount and aws:SourceArn are the instance\'s account and ARN', async () => {
    const guarded = await roleInProfile('deputy-ok', doc([{
      Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': acct }, ArnLike: { 'aws:SourceArn': `arn:aws:ec2:*:${acct}:instance/*` } },
    }]));
    const i = await launch(s.root, guarded.profile);
    assert.equal((await credentialsOf(i.endpoint, 'deputy-ok')).Code, 'Success');

    const foreign = await roleInProfile('deputy-foreign', doc([{
      Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
    }]));
    const j = await launch(s.root, foreign.profile);
    assert.equal((await credentialsOf(j.endpoint, 'deputy-foreign')).Code, 'AssumeRoleUnauthorizedAccess');
  });

  it('a trust policy change applies at the next rotation', async () => {
    const r = await roleInProfile('trust-change', TRUST_EC2);
    const i = await launch(s.root, r.profile);
    const before = await credentialsOf(i.endpoint, 'trust-change');
    await iam('UpdateAssumeRolePolicy', { RoleName: 'trust-change', PolicyDocument: trust({ Service: 'lambda.amazonaws.com' }) });
    assert.equal((await credentialsOf(i.endpoint, 'trust-change')).AccessKeyId, before.AccessKeyId);
    s.clock.advance(61 * 60_000);
    assert.equal((await credentialsOf(i.endpoint, 'trust-change')).Code, 'AssumeRoleUnauthorizedAccess');
  });

  it('each issuance is an AssumeRole event by ec2.amazonaws.com, with no secret in it', async () => {
    const r = await roleInProfile('audited', TRUST_EC2);
    const i = await launch(s.root, r.profile);
    const c = await credentialsOf(i.endpoint, 'audited');
    const ev = s.audit.events.find((e) => e.eventName === 'AssumeRole' && (e.requestParameters as any)?.roleSessionName === i.id && !e.errorCode);
    assert.ok(ev);
    assert.deepEqual(ev.userIdentity, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
    assert.equal(ev.eventSource, 'sts.amazonaws.com');
    assert.equal(ev.sourceIPAddress, 'ec2.amazonaws.com');
    assert.equal((ev.requestParameters as any).roleArn, r.roleArn);
    assert.equal((ev.responseElements as any).credentials.accessKeyId, c.AccessKeyId);
    assert.equal((ev.responseElements as any).assumedRoleUser.arn, `arn:aws:sts::${acct}:assumed-role/audited/${i.id}`);
    assert.deepEqual(ev.resources, [{ ARN: r.roleArn, accountId: acct, type: 'AWS::IAM::Role' }]);
    const all = JSON.stringify(s.audit.events);
    assert.equal(all.includes(c.SecretAccessKey), false);
    assert.equal(all.includes(c.Token), false);
  });

  it('terminate closes the endpoint; a restarted server serves the running instances (and tasks) again', async () => {
    const r = await roleInProfile('persist', TRUST_EC2);
    await iam('UpdateAssumeRolePolicy', { RoleName: 'persist', PolicyDocument: trust({ Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] }) });
    const task = await call(s.root, 'ecs', 'RunTask', { TaskRoleArn: r.roleArn });
    assert.equal(task.status, 200, JSON.stringify(task.body));
    const keep = await launch(s.root, r.profile);
    const gone = await launch(s.root, r.profile);
    const t = await call(s.root, 'ec2', 'TerminateInstances', { InstanceIds: [gone.id] });
    assert.equal(t.status, 200);
    assert.deepEqual(t.body.TerminatingInstances, [{ InstanceId: gone.id, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 48, Name: 'terminated' } }]);
    await assert.rejects(imdsToken(gone.endpoint), /ECONNREFUSED/);

    await s.restart();
    const d = await call(s.root, 'ec2', 'DescribeInstances', { InstanceIds: [keep.id, gone.id] });
    assert.deepEqual(d.body.Instances.map((x: any) => x.State.Name), ['running', 'terminated']);
    assert.equal(d.body.Instances[0].MetadataEndpoint, keep.endpoint, 'the same port again when it is free');
    assert.equal((await credentialsOf(keep.endpoint, 'persist')).Code, 'Success');
    const tc = await rawHttp(s.url, { method: 'GET', path: task.body.ContainerCredentials.RelativeUri, headers: { authorization: task.body.ContainerCredentials.AuthorizationToken } });
    assert.equal(tc.status, 200);
    assert.equal(JSON.parse(tc.body).RoleArn, r.roleArn);
  });
});
