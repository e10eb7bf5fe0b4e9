/**
 * The event of one API call: userIdentity for each kind of caller (built the way the gateway
 * builds callers, from session claims), the record's fields and their order, redaction, the
 * cross-account pair, and what the stored record derives (lookup resources, username, uses).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../domain/caller.js';
import { cryptoRandom } from '../domain/random.js';
import { callerFromClaims } from '../gateway/session-caller.js';
import { SERVICES } from '../protocol/index.js';
import type { SessionClaims } from '../tokens/claims.js';
import { apiCallEvents, isReadOnly, type ApiCall } from './api-call.js';
import { auditEventId } from './ids.js';
import { crossAccountIdentity, lookupUsername, serviceIdentity, userIdentityOf } from './identity.js';
import { toAuditRecord } from './record.js';
import { cloudTrailDate, scrub, SECRET_MEMBERS, toCloudTrailShape } from './redact.js';
import { serviceAssumeRoleEvent } from './service-events.js';

const A = '111122223333';
const B = '444455556666';
const T = new Date('2026-04-05T06:07:08.912Z');
const ISSUED = Math.floor(Date.parse('2026-04-05T05:00:00Z') / 1000);

const alice: Caller = {
  kind: 'user',
  accountId: A,
  principal: { type: 'User', account: A, arn: `arn:aws:iam::${A}:user/dev/alice`, id: 'AIDAALICEALICEALICE1' },
  userId: 'AIDAALICEALICEALICE1',
  arn: `arn:aws:iam::${A}:user/dev/alice`,
  accessKeyId: 'AKIAALICEALICEALICE1',
  userName: 'alice',
  tags: [],
};
const root: Caller = { kind: 'root', accountId: A, principal: { type: 'Account', account: A, arn: `arn:aws:iam::${A}:root`, id: A }, userId: A, arn: `arn:aws:iam::${A}:root`, accessKeyId: 'AKIAROOTROOTROOTROO1' };

function claims(over: Partial<SessionClaims>): SessionClaims {
  return { v: 1, kind: 'assumed-role', accountId: A, accessKeyId: 'ASIASESSIONSESSION01', secretAccessKey: 'never-in-an-event', issuedAt: ISSUED, expiresAt: ISSUED + 3600, tags: [], transitiveTagKeys: [], sessionPolicies: [], chainDepth: 0, originalCaller: alice.arn, ...over };
}
const session = callerFromClaims(claims({ roleArn: `arn:aws:iam::${A}:role/ops/deploy`, roleId: 'AROADEPLOYDEPLOYDEP1', roleName: 'deploy', sessionName: 'ci', mfaAuthenticatedAt: ISSUED, sourceIdentity: 'alice', tags: [{ Key: 'team', Value: 'blue' }], transitiveTagKeys: ['team'] }), []);

function call(over: Partial<ApiCall>): ApiCall {
  return { service: 'iam', operation: 'GetRole', caller: alice, region: 'eu-west-1', sourceIp: '::ffff:192.0.2.7', userAgent: 'aws-cli/1.45.11', requestId: 'req-1', time: T, input: { RoleName: 'deploy' }, output: { Role: {} }, ...over };
}

let seq = 0;
const ids = () => `id-${++seq}`;

describe('userIdentity', () => {
  it('IAM user and root with long-term keys: no sessionContext', () => {
    assert.deepEqual(userIdentityOf(alice), { type: 'IAMUser', principalId: 'AIDAALICEALICEALICE1', arn: alice.arn, accountId: A, accessKeyId: 'AKIAALICEALICEALICE1', userName: 'alice' });
    assert.deepEqual(userIdentityOf(root), { type: 'Root', principalId: A, arn: `arn:aws:iam::${A}:root`, accountId: A, accessKeyId: 'AKIAROOTROOTROOTROO1' });
  });

  it('an assumed-role session: sessionIssuer (the role, its path kept), attributes, source identity', () => {
    assert.deepEqual(userIdentityOf(session), {
      type: 'AssumedRole',
      principalId: 'AROADEPLOYDEPLOYDEP1:ci',
      arn: `arn:aws:sts::${A}:assumed-role/deploy/ci`,
      accountId: A,
      accessKeyId: 'ASIASESSIONSESSION01',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROADEPLOYDEPLOYDEP1', arn: `arn:aws:iam::${A}:role/ops/deploy`, accountId: A, userName: 'deploy' },
        attributes: { creationDate: '2026-04-05T05:00:00Z', mfaAuthenticated: 'true' },
        sourceIdentity: 'alice',
      },
    });
    assert.deepEqual(Object.keys(userIdentityOf(session).sessionContext ?? {}), ['sessionIssuer', 'attributes', 'sourceIdentity']);
  });

  it('a role session from AssumeRoleWithWebIdentity carries webIdFederationData', () => {
    const provider = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
    const web = callerFromClaims(claims({ roleArn: `arn:aws:iam::${A}:role/ci`, roleId: 'AROACICICICICICICIC1', roleName: 'ci', sessionName: 'run-1', federatedProvider: provider }), []);
    const ctx = userIdentityOf(web).sessionContext;
    assert.deepEqual(ctx?.webIdFederationData, { federatedProvider: provider, attributes: {} });
    assert.deepEqual(Object.keys(ctx ?? {}), ['sessionIssuer', 'webIdFederationData', 'attributes']);
    assert.equal(web.session?.federatedProvider, provider);
  });

  it('GetSessionToken and GetFederationToken sessions', () => {
    const userSession = callerFromClaims(claims({ kind: 'user-session', userName: 'alice', userId: alice.userId, userArn: alice.arn }), []);
    assert.deepEqual(userIdentityOf(userSession), { ...userIdentityOf(alice), accessKeyId: 'ASIASESSIONSESSION01', sessionContext: { attributes: { creationDate: '2026-04-05T05:00:00Z', mfaAuthenticated: 'false' } } });
    const fed = callerFromClaims(claims({ kind: 'federated-user', federatedName: 'bob', userName: 'alice', userId: alice.userId, userArn: alice.arn }), []);
    assert.deepEqual(userIdentityOf(fed), {
      type: 'FederatedUser',
      principalId: `${A}:bob`,
      arn: `arn:aws:sts::${A}:federated-user/bob`,
      accountId: A,
      accessKeyId: 'ASIASESSIONSESSION01',
      sessionContext: { sessionIssuer: { type: 'IAMUser', principalId: alice.userId, arn: alice.arn, accountId: A, userName: 'alice' }, attributes: { creationDate: '2026-04-05T05:00:00Z', mfaAuthenticated: 'false' } },
    });
    const rootFed = callerFromClaims(claims({ kind: 'federated-user', federatedName: 'ops' }), []);
    assert.equal(userIdentityOf(rootFed).sessionContext?.sessionIssuer?.type, 'Root');
  });

  it('another account and a service; LookupEvents usernames', () => {
    assert.deepEqual(crossAccountIdentity(alice), { type: 'AWSAccount', principalId: 'AIDAALICEALICEALICE1', accountId: A });
    assert.deepEqual(serviceIdentity('ec2.amazonaws.com'), { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
    assert.equal(lookupUsername(userIdentityOf(alice)), 'alice');
    assert.equal(lookupUsername(userIdentityOf(root)), 'root');
    assert.equal(lookupUsername(userIdentityOf(session)), 'ci');
    assert.equal(lookupUsername(crossAccountIdentity(alice)), undefined);
    assert.equal(lookupUsername(serviceIdentity('ec2.amazonaws.com')), undefined);
  });
});

describe('the event of an API call', () => {
  it('has every record field, in CloudTrail order; IAM is filed under us-east-1', () => {
    const [e, more] = apiCallEvents(call({ operation: 'CreateRole', input: { RoleName: 'r', AssumeRolePolicyDocument: '{}', Tags: [{ Key: 'k', Value: 'v' }] }, output: { Role: { RoleName: 'r', CreateDate: T } } }), { newId: ids });
    assert.equal(more, undefined);
    assert.deepEqual(Object.keys(e!), ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'requestParameters', 'responseElements', 'requestID', 'eventID', 'readOnly', 'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory']);
    assert.equal(e!.eventVersion, '1.11');
    assert.equal(e!.eventTime, '2026-04-05T06:07:08Z');
    assert.equal(e!.eventSource, 'iam.amazonaws.com');
    assert.equal(e!.awsRegion, 'us-east-1');
    assert.equal(e!.sourceIPAddress, '192.0.2.7');
    assert.deepEqual(e!.requestParameters, { roleName: 'r', assumeRolePolicyDocument: '{}', tags: [{ key: 'k', value: 'v' }] });
    assert.deepEqual(e!.responseElements, { role: { roleName: 'r', createDate: 'Apr 5, 2026 6:07:08 AM' } });
    assert.equal(e!.readOnly, false);
    assert.equal(e!.recipientAccountId, A);
    assert.equal(e!.requestID, 'req-1');
  });

  it('read-only calls record no responseElements; failures record the error, not the answer', () => {
    const [get] = apiCallEvents(call({}), { newId: ids });
    assert.equal(get!.readOnly, true);
    assert.equal(get!.responseElements, null);
    const [gci] = apiCallEvents(call({ service: 'sts', operation: 'GetCallerIdentity', input: {}, output: { Account: A } }), { newId: ids });
    assert.equal(gci!.requestParameters, null);
    assert.equal(gci!.responseElements, null);
    assert.equal(gci!.awsRegion, 'eu-west-1', 'STS events carry the signing region');
    const [denied] = apiCallEvents(call({ operation: 'DeleteRole', output: undefined, error: { code: 'AccessDenied', message: 'User: x is not authorized' } }), { newId: ids });
    assert.deepEqual([denied!.errorCode, denied!.errorMessage, denied!.responseElements], ['AccessDenied', 'User: x is not authorized', null]);
    assert.deepEqual(Object.keys(denied!).slice(8, 10), ['errorCode', 'errorMessage']);
    for (const [svc, op, ro] of [
      ['sts', 'AssumeRole', true],
      ['iam', 'ListRoles', true],
      ['iam', 'SimulatePrincipalPolicy', true],
      ['cloudtrail', 'LookupEvents', true],
      ['iam', 'UpdateAssumeRolePolicy', false],
    ] as const) assert.equal(isReadOnly(svc, op), ro, op);
  });

  it('AssumeRole: parameters without the TOTP code, the answer without secret or token, the role as resource', () => {
    const [e] = apiCallEvents(
      call({
        service: 'sts',
        operation: 'AssumeRole',
        input: { RoleArn: `arn:aws:iam::${A}:role/ops/deploy`, RoleSessionName: 'ci', SerialNumber: `arn:aws:iam::${A}:mfa/alice`, TokenCode: '123456', DurationSeconds: 900 },
        output: {
          Credentials: { AccessKeyId: 'ASIANEWNEWNEWNEWNEW1', SecretAccessKey: 'wJalrXUtnFEMI/SECRET', SessionToken: 'rc1.TOKEN', Expiration: new Date('2026-04-05T18:22:08Z') },
          AssumedRoleUser: { AssumedRoleId: 'AROADEPLOYDEPLOYDEP1:ci', Arn: `arn:aws:sts::${A}:assumed-role/deploy/ci` },
          SourceIdentity: 'alice',
        },
      }),
      { newId: ids },
    );
    assert.deepEqual(e!.requestParameters, { roleArn: `arn:aws:iam::${A}:role/ops/deploy`, roleSessionName: 'ci', serialNumber: `arn:aws:iam::${A}:mfa/alice`, durationSeconds: 900 });
    assert.deepEqual(e!.responseElements, {
      credentials: { accessKeyId: 'ASIANEWNEWNEWNEWNEW1', expiration: 'Apr 5, 2026 6:22:08 PM' },
      assumedRoleUser: { assumedRoleId: 'AROADEPLOYDEPLOYDEP1:ci', arn: `arn:aws:sts::${A}:assumed-role/deploy/ci` },
      sourceIdentity: 'alice',
    });
    assert.deepEqual(e!.resources, [{ accountId: A, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${A}:role/ops/deploy` }]);
    const text = JSON.stringify(e);
    for (const secret of ['123456', 'wJalrXUtnFEMI/SECRET', 'rc1.TOKEN', 'tokenCode', 'sessionToken', 'secretAccessKey']) assert.equal(text.includes(secret), false, secret);
  });

  it('scrubs secret inputs echoed by an error message', () => {
    const [e] = apiCallEvents(call({ service: 'sts', operation: 'AssumeRole', input: { RoleArn: `arn:aws:iam::${A}:role/x`, RoleSessionName: 's', SerialNumber: 'arn:aws:iam::111122223333:mfa/a', TokenCode: '98765' }, output: undefined, error: { code: 'ValidationError', message: "Value '98765' at 'tokenCode' failed to satisfy constraint" } }), { newId: ids });
    assert.equal(e!.errorMessage, "Value 'HIDDEN_DUE_TO_SECURITY_REASONS' at 'tokenCode' failed to satisfy constraint");
    // A request that did not parse has no decoded input: the message alone is scrubbed.
    const [raw] = apiCallEvents(call({ service: 'sts', operation: 'AssumeRole', input: undefined, output: undefined, error: { code: 'ValidationError', message: "2 validation errors detected: Value '4242' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6; Value 'x y' at 'roleSessionName' failed" } }), { newId: ids });
    assert.equal(raw!.requestParameters, null);
    assert.equal(raw!.errorMessage, "2 validation errors detected: Value 'HIDDEN_DUE_TO_SECURITY_REASONS' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6; Value 'x y' at 'roleSessionName' failed");
    assert.equal(scrub("Value '111111' at 'authenticationCode2' failed", []), "Value 'HIDDEN_DUE_TO_SECURITY_REASONS' at 'authenticationCode2' failed");
  });

  it('a chained AssumeRole shows the session and the transitive tags it brings', () => {
    const [e] = apiCallEvents(call({ service: 'sts', operation: 'AssumeRole', caller: session, input: { RoleArn: `arn:aws:iam::${A}:role/next`, RoleSessionName: 'hop' } }), { newId: ids });
    assert.equal(e!.userIdentity.type, 'AssumedRole');
    assert.deepEqual(e!.requestParameters, { incomingTransitiveTags: { team: 'blue' }, roleArn: `arn:aws:iam::${A}:role/next`, roleSessionName: 'hop' });
  });

  it('a cross-account AssumeRole: one copy per account, one sharedEventID, the caller hidden behind its account', () => {
    const c = call({ service: 'sts', operation: 'AssumeRole', input: { RoleArn: `arn:aws:iam::${B}:role/x`, RoleSessionName: 's' }, output: undefined, error: { code: 'AccessDenied', message: 'no' } });
    const [mine, theirs] = apiCallEvents(c, { newId: ids, crossAccount: B });
    assert.equal(mine!.recipientAccountId, A);
    assert.equal(theirs!.recipientAccountId, B);
    assert.ok(mine!.sharedEventID);
    assert.equal(mine!.sharedEventID, theirs!.sharedEventID);
    assert.notEqual(mine!.eventID, theirs!.eventID);
    assert.deepEqual(mine!.userIdentity, userIdentityOf(alice));
    assert.deepEqual(theirs!.userIdentity, { type: 'AWSAccount', principalId: alice.userId, accountId: A });
    assert.deepEqual({ ...theirs, userIdentity: null, eventID: null, recipientAccountId: null }, { ...mine, userIdentity: null, eventID: null, recipientAccountId: null });
    assert.equal(apiCallEvents(c, { newId: ids }).length, 1, 'no copy for an account the server does not have');
  });

  it('unsigned calls go to the role account; nothing has no account to go to', () => {
    const [e] = apiCallEvents(call({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', caller: undefined, input: { RoleArn: `arn:aws:iam::${B}:role/web`, RoleSessionName: 'w', WebIdentityToken: 'eyJ.secret.jwt' } }), { newId: ids });
    assert.equal(e!.recipientAccountId, B);
    assert.deepEqual(e!.userIdentity, { type: 'Unknown' });
    assert.equal(JSON.stringify(e).includes('eyJ.secret.jwt'), false);
    assert.deepEqual(apiCallEvents(call({ caller: undefined }), { newId: ids }), []);
  });
});

describe('redaction', () => {
  it('every member the AWS models mark sensitive is a secret member', () => {
    for (const svc of Object.values(SERVICES)) {
      const shapes = svc.model.shapes as Record<string, { type?: string; sensitive?: boolean; members?: Record<string, { shape: string }> }>;
      for (const [name, shape] of Object.entries(shapes)) {
        if (shape.type !== 'structure') continue;
        for (const [member, ref] of Object.entries(shape.members ?? {})) {
          if (shapes[ref.shape]?.sensitive) assert.ok(SECRET_MEMBERS.has(member), `${svc.name} ${name}.${member} is sensitive`);
        }
      }
    }
  });

  it('drops secrets at any depth, and blobs; renders dates as CloudTrail does', () => {
    const secrets: string[] = [];
    const out = toCloudTrailShape({ VirtualMFADevice: { SerialNumber: 'arn:s', Base32StringSeed: new Uint8Array([1, 2]), QRCodePNG: new Uint8Array([3]) }, AccessKey: { AccessKeyId: 'AKIA1', SecretAccessKey: 'shh-secret' }, List: [{ Password: 'pw-secret' }] }, secrets);
    assert.deepEqual(out, { virtualMFADevice: { serialNumber: 'arn:s' }, accessKey: { accessKeyId: 'AKIA1' }, list: [{}] });
    assert.deepEqual(secrets, ['shh-secret', 'pw-secret']);
    assert.equal(cloudTrailDate(new Date('2014-07-18T15:07:39Z')), 'Jul 18, 2014 3:07:39 PM');
    assert.equal(cloudTrailDate(new Date('2021-01-22T00:46:28Z')), 'Jan 22, 2021 12:46:28 AM');
    assert.equal(cloudTrailDate(new Date('2021-01-22T12:00:00Z')), 'Jan 22, 2021 12:00:00 PM');
  });
});

describe('the stored record', () => {
  it('AssumeRole: the resources LookupEvents lists, the username, the uses of key and role', () => {
    const [e] = apiCallEvents(
      call({
        service: 'sts',
        operation: 'AssumeRole',
        region: 'us-east-1',
        input: { RoleArn: `arn:aws:iam::${A}:role/ops/deploy`, RoleSessionName: 'ci' },
        output: { Credentials: { AccessKeyId: 'ASIANEWNEWNEWNEWNEW1', Expiration: T }, AssumedRoleUser: { AssumedRoleId: 'AROADEPLOYDEPLOYDEP1:ci', Arn: `arn:aws:sts::${A}:assumed-role/deploy/ci` } },
      }),
      { newId: ids },
    );
    const r = toAuditRecord(e!, T);
    assert.deepEqual(r.resources, [
      { type: 'AWS::IAM::AccessKey', name: 'ASIANEWNEWNEWNEWNEW1' },
      { type: 'AWS::STS::AssumedRole', name: 'ci' },
      { type: 'AWS::STS::AssumedRole', name: 'AROADEPLOYDEPLOYDEP1:ci' },
      { type: 'AWS::STS::AssumedRole', name: `arn:aws:sts::${A}:assumed-role/deploy/ci` },
      { type: 'AWS::IAM::Role', name: `arn:aws:iam::${A}:role/ops/deploy` },
    ]);
    assert.deepEqual([r.username, r.accessKeyId, r.eventTime, r.accountId, r.readOnly], ['alice', 'AKIAALICEALICEALICE1', T, A, true]);
    assert.deepEqual(r.uses, [
      { kind: 'access-key', id: 'AKIAALICEALICEALICE1', date: T, region: 'us-east-1', service: 'sts' },
      { kind: 'role', id: 'AROADEPLOYDEPLOYDEP1', date: T, region: 'us-east-1', service: 'sts' },
    ]);
    assert.deepEqual(JSON.parse(r.json), e);
  });

  it('a session request uses its role, not a key; a failed AssumeRole uses no role', () => {
    const [byRole] = apiCallEvents(call({ caller: session, operation: 'ListRoles', input: {} }), { newId: ids });
    assert.deepEqual(toAuditRecord(byRole!, T).uses, [{ kind: 'role', id: 'AROADEPLOYDEPLOYDEP1', date: T, region: 'us-east-1', service: 'iam' }]);
    const [failed] = apiCallEvents(call({ service: 'sts', operation: 'AssumeRole', input: { RoleArn: `arn:aws:iam::${A}:role/x`, RoleSessionName: 's' }, output: undefined, error: { code: 'AccessDenied' } }), { newId: ids });
    const rec = toAuditRecord(failed!, T);
    assert.deepEqual(rec.uses?.map((u) => u.kind), ['access-key']);
    assert.deepEqual(rec.resources, [{ type: 'AWS::IAM::Role', name: `arn:aws:iam::${A}:role/x` }]);
  });

  it('IAM calls list the entities they name', () => {
    const [e] = apiCallEvents(call({ operation: 'AttachRolePolicy', input: { RoleName: 'deploy', PolicyArn: `arn:aws:iam::${A}:policy/p` }, output: {} }), { newId: ids });
    assert.deepEqual(toAuditRecord(e!).resources, [
      { type: 'AWS::IAM::Role', name: 'deploy' },
      { type: 'AWS::IAM::Policy', name: `arn:aws:iam::${A}:policy/p` },
    ]);
    const [k] = apiCallEvents(call({ operation: 'CreateAccessKey', input: { UserName: 'bob' }, output: { AccessKey: { AccessKeyId: 'AKIABOBBOBBOBBOBBOB1', SecretAccessKey: 'x-secret', UserName: 'bob' } } }), { newId: ids });
    assert.deepEqual(toAuditRecord(k!).resources, [
      { type: 'AWS::IAM::User', name: 'bob' },
      { type: 'AWS::IAM::AccessKey', name: 'AKIABOBBOBBOBBOBBOB1' },
    ]);
    assert.equal(JSON.stringify(k).includes('x-secret'), false);
  });

  it('an EC2 credential issuance: AWSService identity, no username or key, a use of the role', () => {
    const e = serviceAssumeRoleEvent({
      servicePrincipal: 'ec2.amazonaws.com',
      role: { arn: `arn:aws:iam::${A}:role/web`, id: 'AROAWEBWEBWEBWEBWEB1', accountId: A, name: 'web' },
      sessionName: 'i-0123456789abcdef0',
      accessKeyId: 'ASIAEC2EC2EC2EC2EC21',
      expiration: new Date('2026-04-05T12:00:00Z'),
      region: 'us-east-1',
      time: T,
      requestId: 'r',
      eventId: 'e',
    });
    assert.deepEqual(e.userIdentity, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
    assert.equal(e.sourceIPAddress, 'ec2.amazonaws.com');
    // The expiration as AWS writes it in every AssumeRole event, not in the eventTime format.
    assert.deepEqual((e.responseElements as any).credentials, { accessKeyId: 'ASIAEC2EC2EC2EC2EC21', expiration: 'Apr 5, 2026 12:00:00 PM' });
    const r = toAuditRecord(e, T);
    assert.equal(r.username, undefined);
    assert.equal(r.accessKeyId, undefined);
    assert.deepEqual(r.uses, [{ kind: 'role', id: 'AROAWEBWEBWEBWEBWEB1', date: T, region: 'us-east-1', service: 'sts' }]);
    assert.equal(r.resources.find((x) => x.type === 'AWS::IAM::Role')?.name, `arn:aws:iam::${A}:role/web`);
  });
});

describe('event ids', () => {
  it('are version-7 UUIDs that sort by time, random below the millisecond', () => {
    const t = new Date('2026-04-05T06:07:08.912Z');
    const a = auditEventId(cryptoRandom, t);
    const b = auditEventId(cryptoRandom, t);
    const later = auditEventId(cryptoRandom, new Date(t.getTime() + 1));
    for (const id of [a, b, later]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
    assert.equal(a.slice(0, 13), b.slice(0, 13));
    assert.equal(parseInt(a.replace('-', '').slice(0, 12), 16), t.getTime());
    assert.ok(later > a && later > b);
  });

  it('grow within a millisecond (a counter below the random bits), and across milliseconds', () => {
    const t = new Date('2026-04-05T06:07:08.913Z');
    const ids = Array.from({ length: 500 }, () => auditEventId(cryptoRandom, t));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `${ids[i]} after ${ids[i - 1]}`);
    assert.ok(auditEventId(cryptoRandom, new Date(t.getTime() + 1)) > ids.at(-1)!);
    for (const id of ids) assert.equal(parseInt(id.replace('-', '').slice(0, 12), 16), t.getTime());
  });
});
