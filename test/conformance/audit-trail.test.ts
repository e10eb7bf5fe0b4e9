/**
 * The audit trail end to end: a scripted sequence with real clients (AssumeRole, a call with the
 * session, a chained AssumeRole, a denied AssumeRole, an MFA AssumeRole, a cross-account
 * AssumeRole), then `aws cloudtrail lookup-events` (AWS CLI v1) and @aws-sdk/client-cloudtrail
 * reading it back, every field of the records checked; each lookup attribute, time bounds,
 * paging, LookupEvents' errors and authorization; RoleLastUsed and GetAccessKeyLastUsed from the
 * same records; the README's "who assumed role X in the last hour" command run verbatim.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { cloudTrailTime } from '../../src/audit/identity.js';
import { cloudTrailDate } from '../../src/audit/redact.js';
import { expectError, iamClient, isolatedHome, rawHttp, resolveTools, runAws, runBash, signForm, stsClient, type Credentials, type IsolatedHome } from './support/server.js';
import { Account, allow, assumeDenied, secondAccount, sessionClients, startStsServer, trust, type Mfa, type Principal, type StsServer } from './support/sts-fixture.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tools = await resolveTools();

let s: StsServer;
let a: Account;
let acct: string;
let b: { accountId: string; root: Credentials };
let home: IsolatedHome;
const users = {} as Record<'alice' | 'bob' | 'carol' | 'dave', Principal & { id: string }>;
const roles = {} as Record<'deploy' | 'next' | 'mfa' | 'partner' | 'idle', { arn: string; id: string; name: string }>;
let carolMfa: Mfa;
/** What each scripted step did: server time, answer (or error), request id. */
const steps = {} as Record<'assume' | 'sessionCall' | 'chained' | 'denied' | 'mfa' | 'mfaSessionCall' | 'cross', { at: Date; out?: any; err?: any; requestId: string }>;

let ct: any;
const cloudtrail = (creds: Credentials) => new ct.CloudTrailClient({ endpoint: s.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
async function lookup(creds: Credentials, input: Record<string, unknown>): Promise<any> {
  return cloudtrail(creds).send(new ct.LookupEventsCommand(input));
}
/** Every page of a lookup, MaxResults at a time. */
async function lookupAll(creds: Credentials, input: Record<string, unknown>, max = 50): Promise<any[]> {
  const events: any[] = [];
  let token: string | undefined;
  for (let i = 0; i < 100; i++) {
    const out = await lookup(creds, { ...input, MaxResults: max, ...(token ? { NextToken: token } : {}) });
    events.push(...out.Events);
    token = out.NextToken;
    if (!token) return events;
  }
  throw new Error('paging did not end');
}
const parsed = (e: any) => JSON.parse(e.CloudTrailEvent);
/** A timestamp as the CLI prints it: epoch seconds (v1's default) or ISO 8601 (cli_timestamp_format = iso8601). */
const cliTime = (v: string | number) => (typeof v === 'number' || /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v));

async function step<K extends keyof typeof steps>(k: K, fn: () => Promise<any>): Promise<void> {
  s.clock.advance(1000);
  const at = s.clock.now();
  try {
    const out = await fn();
    steps[k] = { at, out, requestId: out.$metadata.requestId };
  } catch (err: any) {
    steps[k] = { at, err, requestId: err.$metadata?.requestId };
  }
}

before(async () => {
  ct = await import(String('@aws-sdk/client-cloudtrail'));
  s = await startStsServer();
  acct = s.accountId;
  a = await Account.of(s, acct, s.root);
  b = await secondAccount(s);
  const bAcct = await Account.of(s, b.accountId, b.root);
  for (const name of ['alice', 'bob', 'carol'] as const) {
    const p = await a.user(name);
    users[name] = { ...p, id: (await a.rootIam.call('GetUser', { UserName: name })).User.UserId };
  }
  roles.deploy = await a.role('deploy', trust(users.alice.arn), { path: '/ops/', policy: allow('sts:AssumeRole') });
  roles.next = await a.role('next', trust(roles.deploy.arn));
  roles.mfa = await a.role('mfa-only', trust(users.carol.arn, { condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
  const dave = await bAcct.user('dave');
  users.dave = { ...dave, id: (await bAcct.rootIam.call('GetUser', { UserName: 'dave' })).User.UserId };
  roles.partner = await a.role('partner', trust(dave.arn));
  await bAcct.rootIam.call('PutUserPolicy', { UserName: 'dave', PolicyName: 'partner', PolicyDocument: allow('sts:AssumeRole', roles.partner.arn) });
  roles.idle = await a.role('idle', trust(users.alice.arn));
  carolMfa = await a.mfa('carol');

  await step('assume', () => users.alice.sts.call('AssumeRole', { RoleArn: roles.deploy.arn, RoleSessionName: 'alice-deploy' }));
  const deploySession = await sessionClients(s, steps.assume.out);
  await step('sessionCall', () => deploySession.sts.call('GetCallerIdentity', {}));
  await step('chained', () => deploySession.sts.call('AssumeRole', { RoleArn: roles.next.arn, RoleSessionName: 'hop' }));
  await step('denied', () => users.bob.sts.call('AssumeRole', { RoleArn: roles.deploy.arn, RoleSessionName: 'sneaky' }));
  const code = carolMfa.next();
  await step('mfa', () => users.carol.sts.call('AssumeRole', { RoleArn: roles.mfa.arn, RoleSessionName: 'carol-mfa', SerialNumber: carolMfa.serial, TokenCode: code }));
  const carolSession = await sessionClients(s, steps.mfa.out);
  await step('mfaSessionCall', () => carolSession.sts.call('GetCallerIdentity', {}));
  await step('cross', () => users.dave.sts.call('AssumeRole', { RoleArn: roles.partner.arn, RoleSessionName: 'dave-partner' }));
  s.clock.advance(1000);
  home = isolatedHome();
});

after(async () => {
  home?.cleanup();
  await s?.close();
});

/** The record CloudTrail writes for an IAM user's successful AssumeRole. */
function assumeRecord(opts: { step: (typeof steps)['assume']; caller: Principal & { id: string }; userName: string; role: { arn: string }; session: string; eventId: string; userAgent: string; extraParams?: Record<string, unknown> }) {
  const out = opts.step.out;
  return {
    eventVersion: '1.11',
    userIdentity: { type: 'IAMUser', principalId: opts.caller.id, arn: opts.caller.arn, accountId: acct, accessKeyId: opts.caller.creds.accessKeyId, userName: opts.userName },
    eventTime: cloudTrailTime(opts.step.at),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: opts.userAgent,
    requestParameters: { roleArn: opts.role.arn, roleSessionName: opts.session, ...opts.extraParams },
    responseElements: {
      credentials: { accessKeyId: out.Credentials.AccessKeyId, expiration: cloudTrailDate(out.Credentials.Expiration) },
      assumedRoleUser: { assumedRoleId: out.AssumedRoleUser.AssumedRoleId, arn: out.AssumedRoleUser.Arn },
    },
    requestID: opts.step.requestId,
    eventID: opts.eventId,
    readOnly: true,
    resources: [{ accountId: acct, type: 'AWS::IAM::Role', ARN: opts.role.arn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: acct,
    eventCategory: 'Management',
  };
}

const assumeResources = (out: any, session: string, roleArn: string) => [
  { ResourceType: 'AWS::IAM::AccessKey', ResourceName: out.Credentials.AccessKeyId },
  { ResourceType: 'AWS::STS::AssumedRole', ResourceName: session },
  { ResourceType: 'AWS::STS::AssumedRole', ResourceName: out.AssumedRoleUser.AssumedRoleId },
  { ResourceType: 'AWS::STS::AssumedRole', ResourceName: out.AssumedRoleUser.Arn },
  { ResourceType: 'AWS::IAM::Role', ResourceName: roleArn },
];

describe('aws cloudtrail lookup-events (AWS CLI v1)', { skip: tools.aws ? false : 'the AWS CLI is not installed' }, () => {
  it('finds who tried to assume a role, newest first, every field as CloudTrail writes it', async () => {
    const env = home.env(s, s.root, { AWS_ENDPOINT_URL_CLOUDTRAIL: s.url });
    const start = new Date(steps.assume.at.getTime() - 3_600_000).toISOString();
    const r = await runAws(['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${roles.deploy.arn}`, '--start-time', start], env);
    assert.equal(r.code, 0, r.stderr);
    const events = JSON.parse(r.stdout).Events;
    assert.deepEqual(events.map((e: any) => e.EventName), ['AssumeRole', 'AssumeRole']);
    const [denied, ok] = events;

    assert.deepEqual({ ...ok, CloudTrailEvent: undefined, EventTime: cliTime(ok.EventTime) }, {
      EventId: ok.EventId,
      EventName: 'AssumeRole',
      ReadOnly: 'true',
      AccessKeyId: users.alice.creds.accessKeyId,
      EventTime: Math.floor(steps.assume.at.getTime() / 1000) * 1000,
      EventSource: 'sts.amazonaws.com',
      Username: 'alice',
      Resources: assumeResources(steps.assume.out, 'alice-deploy', roles.deploy.arn),
      CloudTrailEvent: undefined,
    });
    const rec = parsed(ok);
    assert.match(rec.userAgent, /^aws-sdk-js\/3\./);
    assert.deepEqual(rec, assumeRecord({ step: steps.assume, caller: users.alice, userName: 'alice', role: roles.deploy, session: 'alice-deploy', eventId: ok.EventId, userAgent: rec.userAgent }));
    assert.deepEqual(Object.keys(rec), Object.keys(assumeRecord({ step: steps.assume, caller: users.alice, userName: 'alice', role: roles.deploy, session: 'alice-deploy', eventId: '', userAgent: '' })), 'CloudTrail field order');

    // The refused attempt: the error as the client saw it, no answer, the role as resource.
    assert.equal(steps.denied.err.name, 'AccessDenied');
    assert.equal(denied.Username, 'bob');
    assert.deepEqual(denied.Resources, [{ ResourceType: 'AWS::IAM::Role', ResourceName: roles.deploy.arn }]);
    const d = parsed(denied);
    assert.deepEqual(
      { errorCode: d.errorCode, errorMessage: d.errorMessage, responseElements: d.responseElements, requestParameters: d.requestParameters, requestID: d.requestID, userIdentity: d.userIdentity.arn },
      { errorCode: 'AccessDenied', errorMessage: assumeDenied(users.bob.arn, roles.deploy.arn), responseElements: null, requestParameters: { roleArn: roles.deploy.arn, roleSessionName: 'sneaky' }, requestID: steps.denied.requestId, userIdentity: users.bob.arn },
    );
    assert.equal(steps.denied.err.message, d.errorMessage);
  });

  it('the README command: who assumed role X in the last hour', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Who assumed role X in the last hour'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'README section with a sh block');
    assert.match(block, /^ROLE_ARN=arn:aws:iam::\$\(aws sts get-caller-identity --query Account --output text\):role\/deployer$/m);
    const script = `set -e\n${block.replace(/^eval .*$/m, '').replace(/^ROLE_ARN=.*$/m, `ROLE_ARN=${roles.deploy.arn}`)}`;
    const env = home.env(s, s.root, { AWS_ENDPOINT_URL_CLOUDTRAIL: s.url, PATH: `${dirname(tools.aws as string)}:${process.env.PATH ?? ''}` });
    const r = await runBash(script, env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.equal(lines.length, 1, r.stdout);
    const [when, who, key] = lines[0]!;
    assert.equal(cliTime(when!), Math.floor(steps.assume.at.getTime() / 1000) * 1000);
    assert.deepEqual([who, key], ['alice', users.alice.creds.accessKeyId]);
  });
});

describe('LookupEvents with @aws-sdk/client-cloudtrail', () => {
  it('the chained AssumeRole: made by the role session, whose identity says which role and when it was issued', async () => {
    const events = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: roles.next.arn }] });
    assert.equal(events.length, 1);
    const [e] = events;
    assert.deepEqual([e.Username, e.AccessKeyId], ['alice-deploy', steps.assume.out.Credentials.AccessKeyId]);
    assert.deepEqual(e.Resources, assumeResources(steps.chained.out, 'hop', roles.next.arn));
    const rec = parsed(e);
    assert.deepEqual(rec.userIdentity, {
      type: 'AssumedRole',
      principalId: `${roles.deploy.id}:alice-deploy`,
      arn: `arn:aws:sts::${acct}:assumed-role/deploy/alice-deploy`,
      accountId: acct,
      accessKeyId: steps.assume.out.Credentials.AccessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: roles.deploy.id, arn: roles.deploy.arn, accountId: acct, userName: 'deploy' },
        attributes: { creationDate: cloudTrailTime(steps.assume.at), mfaAuthenticated: 'false' },
      },
    });
    assert.equal(rec.requestID, steps.chained.requestId);
    // And the session's plain call before it.
    const byKey = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: steps.assume.out.Credentials.AccessKeyId }] });
    assert.deepEqual(byKey.map((x) => x.EventName), ['AssumeRole', 'GetCallerIdentity']);
    assert.deepEqual(parsed(byKey[1]).userIdentity, rec.userIdentity);
    assert.deepEqual([parsed(byKey[1]).requestParameters, parsed(byKey[1]).responseElements, parsed(byKey[1]).requestID], [null, null, steps.sessionCall.requestId]);
  });

  it('the MFA AssumeRole: the serial number recorded, never the code; the session is mfaAuthenticated', async () => {
    const [e] = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: roles.mfa.arn }] });
    const rec = parsed(e);
    assert.deepEqual(rec, assumeRecord({ step: steps.mfa, caller: users.carol, userName: 'carol', role: roles.mfa, session: 'carol-mfa', eventId: e.EventId, userAgent: rec.userAgent, extraParams: { serialNumber: carolMfa.serial } }));
    assert.equal(e.CloudTrailEvent.includes('tokenCode'), false);
    const [call] = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'carol-mfa' }] });
    assert.equal(parsed(call).requestID, steps.mfaSessionCall.requestId);
    assert.deepEqual(parsed(call).userIdentity.sessionContext.attributes, { creationDate: cloudTrailTime(steps.mfa.at), mfaAuthenticated: 'true' });
  });

  it('the cross-account AssumeRole: one event in each account, one sharedEventID', async () => {
    const [theirs] = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: roles.partner.arn }] });
    const [mine] = await lookupAll(b.root, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: roles.partner.arn }] });
    assert.ok(theirs && mine);
    const t = parsed(theirs);
    const m = parsed(mine);
    assert.deepEqual(t.userIdentity, { type: 'AWSAccount', principalId: users.dave.id, accountId: b.accountId });
    assert.deepEqual(m.userIdentity, { type: 'IAMUser', principalId: users.dave.id, arn: users.dave.arn, accountId: b.accountId, accessKeyId: users.dave.creds.accessKeyId, userName: 'dave' });
    assert.deepEqual([t.recipientAccountId, m.recipientAccountId], [acct, b.accountId]);
    assert.match(t.sharedEventID, /^[0-9a-f-]{36}$/);
    assert.equal(t.sharedEventID, m.sharedEventID);
    assert.notEqual(t.eventID, m.eventID);
    assert.deepEqual([t.requestID, m.requestID], [steps.cross.requestId, steps.cross.requestId]);
    assert.deepEqual({ ...t, userIdentity: 0, eventID: 0, recipientAccountId: 0 }, { ...m, userIdentity: 0, eventID: 0, recipientAccountId: 0 });
    assert.deepEqual([theirs.Username, mine.Username, theirs.AccessKeyId, mine.AccessKeyId], [undefined, 'dave', undefined, users.dave.creds.accessKeyId]);
    // Account B sees none of account A's own events.
    const bAll = await lookupAll(b.root, {});
    assert.ok(bAll.every((e) => parsed(e).recipientAccountId === b.accountId));
    assert.equal(bAll.some((e) => parsed(e).userIdentity.userName === 'alice'), false);
  });

  it('every lookup attribute; newest first; paging gives the same events as one page', async () => {
    const all = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] });
    assert.deepEqual(
      all.map((e) => parsed(e).requestID),
      [steps.cross, steps.mfa, steps.denied, steps.chained, steps.assume].map((x) => x.requestId),
    );
    const paged = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] }, 2);
    assert.deepEqual(paged.map((e) => e.EventId), all.map((e) => e.EventId));
    const times = all.map((e) => e.EventTime.getTime());
    assert.deepEqual(times, [...times].sort((x, y) => y - x));

    const one = await lookup(s.root, { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: all[2].EventId }] });
    assert.deepEqual(one.Events, [all[2]]);
    assert.deepEqual((await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'bob' }] })).map((e) => e.EventName), ['AssumeRole']);
    const writes = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] });
    assert.ok(writes.length > 10 && writes.every((e) => e.ReadOnly === 'false'));
    assert.ok(writes.some((e) => e.EventName === 'CreateRole' && e.Resources.some((r: any) => r.ResourceType === 'AWS::IAM::Role' && r.ResourceName === 'deploy')));
    const reads = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] });
    assert.ok(reads.every((e) => e.ReadOnly === 'true') && reads.some((e) => e.EventName === 'GetUser'));
    const sts = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'sts.amazonaws.com' }] });
    assert.deepEqual(new Set(sts.map((e) => e.EventName)), new Set(['AssumeRole', 'GetCallerIdentity']));
    const sessions = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::STS::AssumedRole' }] });
    assert.deepEqual(sessions.map((e) => parsed(e).requestID), [steps.cross, steps.mfa, steps.chained, steps.assume].map((x) => x.requestId), 'successful assumes, once each');
    assert.deepEqual((await lookup(s.root, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'nobody' }] })).Events, []);
  });

  it('StartTime and EndTime are inclusive, at eventTime’s whole seconds', async () => {
    const between = await lookupAll(s.root, { StartTime: steps.chained.at, EndTime: new Date(steps.denied.at.getTime() + 999) });
    assert.deepEqual(between.map((e) => parsed(e).requestID), [steps.denied.requestId, steps.chained.requestId]);
    const none = await lookupAll(s.root, { StartTime: new Date(steps.chained.at.getTime() + 1), EndTime: new Date(steps.chained.at.getTime() + 999) });
    assert.deepEqual(none, []);
  });

  it('LookupEvents’ own errors, with CloudTrail’s codes', async () => {
    const two = [
      { AttributeKey: 'EventName', AttributeValue: 'AssumeRole' },
      { AttributeKey: 'Username', AttributeValue: 'bob' },
    ];
    await expectError(lookup(s.root, { LookupAttributes: two }), { name: 'InvalidLookupAttributesException', status: 400 });
    await expectError(lookup(s.root, { StartTime: steps.denied.at, EndTime: steps.assume.at }), { name: 'InvalidTimeRangeException', status: 400 });
    await expectError(lookup(s.root, { NextToken: 'not-a-token' }), { name: 'InvalidNextTokenException', status: 400 });
    const page = await lookup(s.root, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }], MaxResults: 1 });
    assert.ok(page.NextToken);
    await expectError(lookup(s.root, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetCallerIdentity' }], NextToken: page.NextToken }), { name: 'InvalidNextTokenException', status: 400 });
    assert.deepEqual((await lookup(s.root, { EventCategory: 'insight' })).Events, []);
  });

  it('needs cloudtrail:LookupEvents; an allowed user sees its own account only', async () => {
    await expectError(lookup(users.bob.creds, {}), {
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${users.bob.arn} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
    });
    await a.rootIam.call('PutUserPolicy', { UserName: 'bob', PolicyName: 'audit', PolicyDocument: allow('cloudtrail:LookupEvents') });
    const seen = await lookupAll(users.bob.creds, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' }] });
    assert.ok(seen.length > 0);
    const denial = seen.find((e) => parsed(e).errorCode === 'AccessDeniedException');
    assert.ok(denial, 'the refused lookup is itself recorded');
    assert.equal(denial.Username, 'bob');
  });
});

describe('last use from the same records', () => {
  it('RoleLastUsed: the latest credential issuance or session request; empty when never used', async () => {
    const iam = await iamClient(s.url, s.root);
    const last = async (name: string) => (await iam.call('GetRole', { RoleName: name })).Role.RoleLastUsed;
    // deploy: assumed at `assume`, then its session called at `sessionCall` and `chained`.
    assert.deepEqual(await last('deploy'), { LastUsedDate: steps.chained.at, Region: 'us-east-1' });
    assert.deepEqual(await last('next'), { LastUsedDate: steps.chained.at, Region: 'us-east-1' });
    assert.deepEqual(await last('partner'), { LastUsedDate: steps.cross.at, Region: 'us-east-1' });
    assert.deepEqual(await last('idle'), {});
    const details = await iam.call('GetAccountAuthorizationDetails', { Filter: ['Role'] });
    const byName = Object.fromEntries(details.RoleDetailList.map((r: any) => [r.RoleName, r.RoleLastUsed]));
    assert.deepEqual([byName['mfa-only'], byName['idle']], [{ LastUsedDate: steps.mfaSessionCall.at, Region: 'us-east-1' }, {}]);
  });

  it('GetAccessKeyLastUsed: the key’s latest request, its service and region', async () => {
    const iam = await iamClient(s.url, s.root);
    const bob = await iam.call('GetAccessKeyLastUsed', { AccessKeyId: users.bob.creds.accessKeyId });
    assert.equal(bob.UserName, 'bob');
    assert.equal(bob.AccessKeyLastUsed.ServiceName, 'cloudtrail');
    const dave = await (await iamClient(s.url, b.root)).call('GetAccessKeyLastUsed', { AccessKeyId: users.dave.creds.accessKeyId });
    assert.deepEqual(dave.AccessKeyLastUsed, { LastUsedDate: steps.cross.at, ServiceName: 'sts', Region: 'us-east-1' });
    const stsAlice = await stsClient(s.url, users.alice.creds);
    s.clock.advance(1000);
    await stsAlice.call('GetCallerIdentity', {});
    const alice = await iam.call('GetAccessKeyLastUsed', { AccessKeyId: users.alice.creds.accessKeyId });
    assert.deepEqual(alice.AccessKeyLastUsed, { LastUsedDate: s.clock.now(), ServiceName: 'sts', Region: 'us-east-1' });
  });

  it("GetAccessKeyLastUsed is authorized on the key's user: AWS's self-service policy covers one's own keys only", async () => {
    // "allows users to perform all actions pertaining to their own access keys" (IAM user guide).
    const own = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: `arn:aws:iam::${acct}:user/\${aws:username}` }] });
    const gina = await a.user('gina', own);
    const mine = await gina.iam.call('GetAccessKeyLastUsed', { AccessKeyId: gina.creds.accessKeyId });
    assert.equal(mine.UserName, 'gina');
    await expectError(gina.iam.call('GetAccessKeyLastUsed', { AccessKeyId: users.bob.creds.accessKeyId }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${gina.arn} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: arn:aws:iam::${acct}:user/bob because no identity-based policy allows the iam:GetAccessKeyLastUsed action`,
    });
  });
});

describe('what is not recorded, and unsigned calls', () => {
  const count = async () => (await s.running.store.audit.lookup({ limit: 100_000 })).length;

  it('requests that fail authentication leave no event', async () => {
    const before = await count();
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const badSecret = await signForm(s.url, { accessKeyId: users.alice.creds.accessKeyId, secretAccessKey: 'not-the-secret' }, 'sts', body, { signingDate: s.clock.now() });
    assert.equal((await rawHttp(s.url, badSecret)).status, 403);
    const unknownKey = await signForm(s.url, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }, 'sts', body, { signingDate: s.clock.now() });
    assert.equal((await rawHttp(s.url, unknownKey)).status, 403);
    const unsigned = await rawHttp(s.url, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListRoles&Version=2010-05-08' });
    assert.equal(unsigned.status, 403);
    assert.equal(await count(), before);
  });

  it('an unsigned AssumeRoleWithWebIdentity is filed under the role account, if the server has it', async () => {
    const before = await count();
    const form = (account: string) => ({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: `arn:aws:iam::${account}:role/web`, RoleSessionName: 'web-session', WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.secret-claims.signature' }).toString(),
    });
    const answered = await rawHttp(s.url, form(acct));
    assert.notEqual(answered.status, 200);
    assert.equal(await count(), before + 1);
    const [e] = await lookupAll(s.root, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRoleWithWebIdentity' }] });
    const rec = parsed(e);
    assert.deepEqual(rec.userIdentity, { type: 'Unknown' });
    assert.deepEqual(rec.requestParameters, { roleArn: `arn:aws:iam::${acct}:role/web`, roleSessionName: 'web-session' });
    assert.equal(e.CloudTrailEvent.includes('secret-claims'), false);
    assert.equal(rec.requestID, answered.headers['x-amzn-requestid']);
    const n = await count(); // the LookupEvents just made is recorded too
    await rawHttp(s.url, form('999999999999'));
    assert.equal(await count(), n, 'nothing for an account the server does not have');
  });
});
