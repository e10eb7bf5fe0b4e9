/**
 * sts:AssumeRole through the AWS SDK for JavaScript v3 against a real server: who may assume a
 * role (trust policy naming the user, the account, another account; root; unknown roles),
 * ExternalId, MFA with real TOTP codes, DurationSeconds and role chaining limits, the
 * AssumedRoleUser formats, RoleSessionName rules, session policies, session tags (transitive
 * through chaining) and source identity. Each error is checked for code, HTTP status and message.
 * iam-semantics.md §1.6, §1.7, §6.2, §7, §9-§13.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { doc, expectError, stsClient } from './support/server.js';
import { Account, allow, assumeDenied, secondAccount, sessionClients, startStsServer, trust, type Principal, type StsServer } from './support/sts-fixture.js';

let s: StsServer;
let a: Account;
let acct: string;

before(async () => {
  s = await startStsServer();
  a = await Account.of(s, s.accountId, s.root);
  acct = s.accountId;
});

after(async () => {
  await s?.close();
});

const stsArn = (role: string, session: string, account = acct) => `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
const sessionPolicyDenied = (callerArn: string, action: string, resource: string) =>
  `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} because no session policy allows the ${action} action`;
const identityDenied = (callerArn: string, action: string, resource: string) =>
  `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe('who may assume a role', () => {
  let alice: Principal;
  before(async () => {
    alice = await a.user('alice');
  });

  it('a trust policy naming the user is enough in the same account (no identity policy); answer formats', async () => {
    const role = await a.role('by-user', trust(alice.arn));
    const out = await alice.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'first-session' });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('by-user', 'first-session'));
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${role.id}:first-session`);
    assert.match(role.id, /^AROA[A-Z2-7]{16}$/);
    const c = out.Credentials;
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey.length, 40);
    assert.match(c.SessionToken, /^rc1\.[A-Za-z0-9_-]+$/);
    assert.ok(c.Expiration instanceof Date);
    // Default duration: one hour from the server's time.
    assert.equal(Math.round((c.Expiration.getTime() - s.clock.now().getTime()) / 1000), 3600);
    assert.equal(out.PackedPolicySize, undefined, 'no session policies or tags: no PackedPolicySize');
    assert.equal(out.SourceIdentity, undefined);

    const me = await (await sessionClients(s, out)).sts.call('GetCallerIdentity');
    assert.deepEqual({ Account: me.Account, Arn: me.Arn, UserId: me.UserId }, { Account: acct, Arn: stsArn('by-user', 'first-session'), UserId: `${role.id}:first-session` });
  });

  it('a trust policy naming the account needs an identity policy allowing sts:AssumeRole', async () => {
    const role = await a.role('by-account', trust(`arn:aws:iam::${acct}:root`));
    const shortForm = await a.role('by-account-id', trust(acct));
    const bob = await a.user('bob');
    await expectError(bob.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(bob.arn, role.arn) });
    const carol = await a.user('carol', allow('sts:AssumeRole', [role.arn, shortForm.arn]));
    assert.equal((await carol.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' })).AssumedRoleUser.Arn, stsArn('by-account', 'sess'));
    assert.equal((await carol.sts.call('AssumeRole', { RoleArn: shortForm.arn, RoleSessionName: 'sess' })).AssumedRoleUser.Arn, stsArn('by-account-id', 'sess'));
    // The identity policy allows only those two roles.
    const other = await a.role('by-account-other', trust(`arn:aws:iam::${acct}:root`));
    await expectError(carol.sts.call('AssumeRole', { RoleArn: other.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(carol.arn, other.arn) });
  });

  it('a trust policy not naming the caller denies it, whatever its identity policy allows', async () => {
    const role = await a.role('alice-only', trust(alice.arn));
    const dave = await a.user('dave', allow('sts:AssumeRole'));
    await expectError(dave.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(dave.arn, role.arn) });
  });

  it("an explicit deny in the caller's identity policy beats a trust policy naming it", async () => {
    const erin = await a.user('erin', doc([{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }]));
    const role = await a.role('trusts-erin', trust(erin.arn));
    await expectError(erin.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(erin.arn, role.arn) });
  });

  it('root may not assume roles', async () => {
    const role = await a.role('root-trusting', trust(`arn:aws:iam::${acct}:root`));
    const rootSts = await stsClient(s.url, s.root);
    await expectError(rootSts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: 'Roles may not be assumed by root accounts.' });
  });

  it('an unknown role, or a role ARN with the wrong case or path, is AccessDenied (not NoSuchEntity)', async () => {
    const role = await a.role('Pathed', trust(alice.arn), { path: '/team/' });
    assert.equal(role.arn, a.arn('role', 'Pathed', '/team/'));
    assert.equal((await alice.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' })).AssumedRoleUser.Arn, stsArn('Pathed', 'sess'), 'the assumed-role ARN has no path');
    for (const wrong of [a.arn('role', 'no-such-role'), a.arn('role', 'pathed', '/team/'), a.arn('role', 'Pathed'), a.arn('role', 'Pathed', '/other/')]) {
      await expectError(alice.sts.call('AssumeRole', { RoleArn: wrong, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(alice.arn, wrong) });
    }
  });

  it('aws:ResourceAccount is the role account: a data perimeter keeps a user to its own account', async () => {
    const b = await secondAccount(s);
    const bAcct = await Account.of(s, b.accountId, b.root);
    const perimeter = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['sts:AssumeRole', 'iam:GetRole'], Resource: '*' },
        { Sid: 'OwnAccountOnly', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } } },
      ],
    });
    const u = await a.user('perimeter-user', perimeter);
    // The trust policy can name the key too: its value is the role's own account.
    const mine = await a.role('perimeter-mine', trust(u.arn, { condition: { StringEquals: { 'aws:ResourceAccount': acct } } }));
    const theirs = await bAcct.role('perimeter-theirs', trust(u.arn));
    assert.equal((await u.sts.call('AssumeRole', { RoleArn: mine.arn, RoleSessionName: 'in' })).AssumedRoleUser.Arn, stsArn('perimeter-mine', 'in'));
    assert.equal((await u.iam.call('GetRole', { RoleName: 'perimeter-mine' })).Role.Arn, mine.arn);
    // Trusted by B and allowed by its own policy: only the perimeter's Deny refuses it.
    await expectError(u.sts.call('AssumeRole', { RoleArn: theirs.arn, RoleSessionName: 'out' }), { name: 'AccessDenied', status: 403, message: assumeDenied(u.arn, theirs.arn) });
  });

  it('cross-account: the trust policy in B and the identity policy in A must both allow it', async () => {
    const b = await secondAccount(s);
    const bAcct = await Account.of(s, b.accountId, b.root);
    const noPolicy = await a.user('xa-plain');
    const withPolicy = await a.user('xa-allowed', allow('sts:AssumeRole', `arn:aws:iam::${b.accountId}:role/*`));
    const trusting = await bAcct.role('trusts-a-users', trust([noPolicy.arn, withPolicy.arn]));
    const trustsAccountA = await bAcct.role('trusts-account-a', trust(`arn:aws:iam::${acct}:root`));
    const notTrusting = await bAcct.role('trusts-only-b', trust(`arn:aws:iam::${b.accountId}:root`));

    await expectError(noPolicy.sts.call('AssumeRole', { RoleArn: trusting.arn, RoleSessionName: 'xs' }), { name: 'AccessDenied', status: 403, message: assumeDenied(noPolicy.arn, trusting.arn) });
    await expectError(withPolicy.sts.call('AssumeRole', { RoleArn: notTrusting.arn, RoleSessionName: 'xs' }), { name: 'AccessDenied', status: 403, message: assumeDenied(withPolicy.arn, notTrusting.arn) });

    const out = await withPolicy.sts.call('AssumeRole', { RoleArn: trusting.arn, RoleSessionName: 'xs' });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('trusts-a-users', 'xs', b.accountId), 'the session lives in the role account');
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${trusting.id}:xs`);
    const me = await (await sessionClients(s, out)).sts.call('GetCallerIdentity');
    assert.equal(me.Account, b.accountId);
    assert.equal((await withPolicy.sts.call('AssumeRole', { RoleArn: trustsAccountA.arn, RoleSessionName: 'ys' })).AssumedRoleUser.Arn, stsArn('trusts-account-a', 'ys', b.accountId));
    // GetAccessKeyInfo: any caller allowed it learns the account a temporary key belongs to (the
    // role's), as from AWS, whoever issued or holds the key.
    const asker = (await a.user('xa-asker', allow('sts:GetAccessKeyInfo'))).sts;
    assert.equal((await asker.call('GetAccessKeyInfo', { AccessKeyId: out.Credentials.AccessKeyId })).Account, b.accountId);
    const gst = (await noPolicy.sts.call('GetSessionToken', {})).Credentials.AccessKeyId;
    assert.equal((await asker.call('GetAccessKeyInfo', { AccessKeyId: gst })).Account, acct);
    await expectError(asker.call('GetAccessKeyInfo', { AccessKeyId: 'ASIAQAAAAAAAAAAAAAAA' }), {
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The access key ID provided does not exist in our records.',
    });
    await expectError(noPolicy.sts.call('AssumeRole', { RoleArn: trustsAccountA.arn, RoleSessionName: 'ys' }), { name: 'AccessDenied', status: 403, message: assumeDenied(noPolicy.arn, trustsAccountA.arn) });

    // Session tags across accounts: sts:TagSession is needed on both sides too.
    const tagging = await bAcct.role('tags-from-a', trust([withPolicy.arn], { actions: ['sts:AssumeRole', 'sts:TagSession'] }));
    const tags = [{ Key: 'team', Value: 'red' }];
    await expectError(withPolicy.sts.call('AssumeRole', { RoleArn: tagging.arn, RoleSessionName: 'tg', Tags: tags }), {
      name: 'AccessDenied',
      status: 403,
      message: assumeDenied(withPolicy.arn, tagging.arn, 'sts:TagSession'),
    });
    await a.rootIam.call('PutUserPolicy', { UserName: 'xa-allowed', PolicyName: 'tag', PolicyDocument: allow('sts:TagSession', tagging.arn) });
    assert.equal(typeof (await withPolicy.sts.call('AssumeRole', { RoleArn: tagging.arn, RoleSessionName: 'tg', Tags: tags })).PackedPolicySize, 'number');
  });
});

describe('conditions of the trust policy', () => {
  it('ExternalId: missing or wrong is AccessDenied, the right one works', async () => {
    const u = await a.user('ext-user');
    const role = await a.role('ext-role', trust(u.arn, { condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } } }));
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(u.arn, role.arn) });
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', ExternalId: 'ext-124' }), { name: 'AccessDenied', status: 403, message: assumeDenied(u.arn, role.arn) });
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', ExternalId: 'ext-123' });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('ext-role', 'sess'));
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', ExternalId: 'has space' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'has space' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
    });
  });

  it('sts:RoleSessionName in the trust policy', async () => {
    const u = await a.user('named-user');
    const role = await a.role('session-named', trust(u.arn, { condition: { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } } }));
    assert.equal((await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'named-user' })).AssumedRoleUser.Arn, stsArn('session-named', 'named-user'));
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'someone-else' }), { name: 'AccessDenied', status: 403, message: assumeDenied(u.arn, role.arn) });
  });

  it('RoleSessionName follows the model: 2-64 characters of [\\w+=,.@-]', async () => {
    const u = await a.user('rsn-user');
    const role = await a.role('rsn-role', trust(u.arn));
    const ok = 'a_B+c=d,e.f@g-1';
    assert.equal((await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: ok })).AssumedRoleUser.Arn, stsArn('rsn-role', ok));
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'has space' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'x' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    });
    const long = 'n'.repeat(65);
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: long }), {
      name: 'ValidationError',
      status: 400,
      message: `1 validation error detected: Value '${long}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
  });
});

describe('MFA', () => {
  it('a trust policy requiring MFA: denied without, works with a fresh code, a code is used once', async () => {
    const u = await a.user('mfa-user');
    const device = await a.mfa('mfa-user');
    assert.equal(device.serial, a.arn('mfa', 'mfa-user-mfa'));
    // The role's permission policy checks aws:MultiFactorAuthPresent of the session.
    const mfaPolicy = allow('iam:GetRole', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    const role = await a.role('needs-mfa', trust(u.arn, { condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), { policy: mfaPolicy });
    const optional = await a.role('mfa-optional', trust(u.arn), { policy: mfaPolicy });

    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess' }), { name: 'AccessDenied', status: 403, message: assumeDenied(u.arn, role.arn) });

    const code = device.next();
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', SerialNumber: device.serial, TokenCode: code });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('needs-mfa', 'sess'));
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', SerialNumber: device.serial, TokenCode: code }), {
      name: 'AccessDenied',
      status: 403,
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
    const wrong = device.next() === '000000' ? '000001' : '000000';
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', SerialNumber: device.serial, TokenCode: wrong }), {
      name: 'AccessDenied',
      status: 403,
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', SerialNumber: device.serial, TokenCode: '12345' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
    });

    // The session carries aws:MultiFactorAuthPresent: the role's own policy can require it.
    const withMfa = await sessionClients(s, out);
    assert.equal((await withMfa.iam.call('GetRole', { RoleName: 'needs-mfa' })).Role.RoleName, 'needs-mfa');
    const plainOut = await u.sts.call('AssumeRole', { RoleArn: optional.arn, RoleSessionName: 'plain' });
    const plain = await sessionClients(s, plainOut);
    await expectError(plain.iam.call('GetRole', { RoleName: 'needs-mfa' }), { name: 'AccessDenied', status: 403, message: identityDenied(stsArn('mfa-optional', 'plain'), 'iam:GetRole', role.arn) });
    const optOut = await u.sts.call('AssumeRole', { RoleArn: optional.arn, RoleSessionName: 'with-mfa', SerialNumber: device.serial, TokenCode: device.next() });
    assert.equal((await (await sessionClients(s, optOut)).iam.call('GetRole', { RoleName: 'needs-mfa' })).Role.RoleName, 'needs-mfa');
  });

  it("another user's device, or an unknown serial, does not authenticate", async () => {
    const u = await a.user('mfa-other');
    const owner = await a.user('mfa-owner');
    const device = await a.mfa('mfa-owner');
    const role = await a.role('mfa-other-role', trust([u.arn, owner.arn]));
    const failed = 'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.';
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', SerialNumber: device.serial, TokenCode: device.next() }), { name: 'AccessDenied', status: 403, message: failed });
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', SerialNumber: a.arn('mfa', 'nobody'), TokenCode: '123456' }), { name: 'AccessDenied', status: 403, message: failed });
    // A role session has no device: a user's device and current code do not make its AssumeRole
    // MFA-authenticated, and the code is not used up for its owner.
    const hop = await a.role('mfa-hop', trust(u.arn), { policy: allow('sts:AssumeRole') });
    const target = await a.role('mfa-chained-target', trust(hop.arn, { condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
    const session = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: hop.arn, RoleSessionName: 'hop' }));
    const code = device.next();
    await expectError(session.sts.call('AssumeRole', { RoleArn: target.arn, RoleSessionName: 'two', SerialNumber: device.serial, TokenCode: code }), { name: 'AccessDenied', status: 403, message: failed });
    assert.ok((await owner.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'owner', SerialNumber: device.serial, TokenCode: code })).Credentials, "the owner's code is still unused");
  });
});

describe('DurationSeconds and role chaining', () => {
  let u: Principal;
  let role: { arn: string };
  before(async () => {
    u = await a.user('dur-user');
    role = await a.role('two-hours', trust(u.arn), { maxSessionDuration: 7200 });
  });

  it('900 up to MaxSessionDuration; above it and below 900 are ValidationError', async () => {
    for (const d of [900, 3601, 7200]) {
      const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: d });
      assert.equal(Math.round((out.Credentials.Expiration.getTime() - s.clock.now().getTime()) / 1000), d, `DurationSeconds ${d}`);
    }
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 7201 }), {
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    const defaultRole = await a.role('one-hour', trust(u.arn));
    await expectError(u.sts.call('AssumeRole', { RoleArn: defaultRole.arn, RoleSessionName: 'sess', DurationSeconds: 3601 }), {
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 899 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 43201 }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    });
  });

  it('role chaining: a session assuming a role is limited to one hour', async () => {
    const hop1 = await a.role('chain-1', trust(u.arn), { maxSessionDuration: 7200 });
    const hop2 = await a.role('chain-2', trust(hop1.arn), { maxSessionDuration: 7200 });
    const first = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'one', DurationSeconds: 7200 }));
    await expectError(first.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two', DurationSeconds: 3601 }), {
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    const out = await first.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two', DurationSeconds: 3600 });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('chain-2', 'two'));
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${hop2.id}:two`);
    const me = await (await sessionClients(s, out)).sts.call('GetCallerIdentity');
    assert.equal(me.Arn, stsArn('chain-2', 'two'));
    // The trust policy of hop 2 names the role, not the user: the user cannot skip a hop.
    await expectError(u.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'skip' }), { name: 'AccessDenied', status: 403, message: assumeDenied(u.arn, hop2.arn) });
    // A session not named by the trust policy (another role's) is denied, with its session ARN.
    const stranger = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'stranger' }));
    await expectError(stranger.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'xs' }), { name: 'AccessDenied', status: 403, message: assumeDenied(stsArn('two-hours', 'stranger'), hop2.arn) });
  });

  it("GetSessionToken credentials assuming a role are limited to one hour too (the AWS CLI's MFA users)", async () => {
    // AWS Knowledge Center, "Can I increase the IAM role chaining session duration limit?": the
    // temporary credentials of GetSessionToken used to assume a role "are limited to one hour",
    // with the chaining error; the role session itself is the user's (no chain hop).
    const gst = await u.sts.call('GetSessionToken', { DurationSeconds: 7200 });
    const viaSession = await sessionClients(s, gst);
    await expectError(viaSession.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'gst', DurationSeconds: 3601 }), {
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    const out = await viaSession.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'gst', DurationSeconds: 3600 });
    assert.equal(Math.round((out.Credentials.Expiration.getTime() - s.clock.now().getTime()) / 1000), 3600);
    assert.equal(out.AssumedRoleUser.Arn, stsArn('two-hours', 'gst'));
    // The user's long-term key still gets the role's maximum.
    const direct = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'direct', DurationSeconds: 7200 });
    assert.equal(Math.round((direct.Credentials.Expiration.getTime() - s.clock.now().getTime()) / 1000), 7200);
  });
});

describe('session policies', () => {
  let u: Principal;
  let role: { arn: string };
  const session = 'scoped';
  before(async () => {
    u = await a.user('sp-user');
    role = await a.role('sp-role', trust(u.arn), { policy: allow(['iam:GetRole', 'iam:ListRoles']) });
  });

  it('an inline session policy narrows the role: allowed by both works, role-only is AccessDenied naming the session policy', async () => {
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: session, Policy: allow(['iam:GetRole', 'iam:ListUsers']) });
    assert.equal(typeof out.PackedPolicySize, 'number');
    assert.ok(out.PackedPolicySize > 0 && out.PackedPolicySize <= 100, `PackedPolicySize ${out.PackedPolicySize}`);
    const c = await sessionClients(s, out);
    assert.equal((await c.iam.call('GetRole', { RoleName: 'sp-role' })).Role.RoleName, 'sp-role');
    await expectError(c.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403, message: sessionPolicyDenied(stsArn('sp-role', session), 'iam:ListRoles', '*') });
    // The session policy cannot grant what the role lacks.
    await expectError(c.iam.call('ListUsers', {}), { name: 'AccessDenied', status: 403, message: identityDenied(stsArn('sp-role', session), 'iam:ListUsers', '*') });
  });

  it('PolicyArns: managed policies as session policies', async () => {
    const managed = (await a.rootIam.call('CreatePolicy', { PolicyName: 'list-roles-only', PolicyDocument: allow('iam:ListRoles') })).Policy;
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: session, PolicyArns: [{ arn: managed.Arn }] });
    assert.equal(typeof out.PackedPolicySize, 'number');
    const c = await sessionClients(s, out);
    assert.ok(Array.isArray((await c.iam.call('ListRoles', {})).Roles));
    await expectError(c.iam.call('GetRole', { RoleName: 'sp-role' }), { name: 'AccessDenied', status: 403, message: sessionPolicyDenied(stsArn('sp-role', session), 'iam:GetRole', role.arn) });
  });

  it('a malformed session policy is MalformedPolicyDocument', async () => {
    const e = await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: session, Policy: '{"Version":"2012-10-17","Statement":' }), { name: 'MalformedPolicyDocumentException', status: 400 });
    assert.ok(e.message.length > 0);
  });
});

describe('session tags', () => {
  let u: Principal;
  before(async () => {
    u = await a.user('tag-user');
  });

  it('passing tags needs sts:TagSession in the trust policy', async () => {
    const role = await a.role('no-tag-session', trust(u.arn));
    await expectError(u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'sess', Tags: [{ Key: 'team', Value: 'red' }] }), {
      name: 'AccessDenied',
      status: 403,
      message: assumeDenied(u.arn, role.arn, 'sts:TagSession'),
    });
  });

  it('session tags are aws:PrincipalTag in the role policy, and override the role tag of the same key', async () => {
    const role = await a.role('tagged', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:TagSession'] }), {
      policy: allow('iam:GetRole', '*', { StringEquals: { 'aws:PrincipalTag/team': 'red' } }),
      tags: [{ Key: 'Team', Value: 'blue' }],
    });
    const red = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'red', Tags: [{ Key: 'team', Value: 'red' }] });
    assert.equal(typeof red.PackedPolicySize, 'number', 'PackedPolicySize is returned when tags are passed');
    assert.equal((await (await sessionClients(s, red)).iam.call('GetRole', { RoleName: 'tagged' })).Role.RoleName, 'tagged');
    const green = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'green', Tags: [{ Key: 'team', Value: 'green' }] });
    await expectError((await sessionClients(s, green)).iam.call('GetRole', { RoleName: 'tagged' }), { name: 'AccessDenied', status: 403, message: identityDenied(stsArn('tagged', 'green'), 'iam:GetRole', role.arn) });
    // No session tag: the role's own tag (blue) is the principal tag.
    const untagged = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'none' });
    await expectError((await sessionClients(s, untagged)).iam.call('GetRole', { RoleName: 'tagged' }), { name: 'AccessDenied', status: 403 });
  });

  it('transitive tags pass through role chaining; others do not', async () => {
    const hop1 = await a.role('tag-hop-1', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:TagSession'] }));
    const hop2 = await a.role('tag-hop-2', trust(hop1.arn, { actions: ['sts:AssumeRole', 'sts:TagSession'] }), {
      policy: doc([
        { Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } },
        { Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/env': 'dev' } } },
      ]),
    });
    const first = await u.sts.call('AssumeRole', {
      RoleArn: hop1.arn,
      RoleSessionName: 'one',
      Tags: [
        { Key: 'team', Value: 'red' },
        { Key: 'env', Value: 'dev' },
      ],
      TransitiveTagKeys: ['team'],
    });
    const second = await (await sessionClients(s, first)).sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two' });
    const c = await sessionClients(s, second);
    assert.equal((await c.iam.call('GetRole', { RoleName: 'tag-hop-2' })).Role.RoleName, 'tag-hop-2', 'team=red came through');
    await expectError(c.iam.call('ListRoles', {}), { name: 'AccessDenied', status: 403, message: identityDenied(stsArn('tag-hop-2', 'two'), 'iam:ListRoles', '*') });
  });

  it("a transitive tag replaces the next role's tag of the same key in any case, as aws:ResourceTag", async () => {
    const hop1 = await a.role('case-hop-1', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:TagSession'] }));
    // The role says Department=Marketing; the session carries department=engineering, transitive.
    const byDept = (dept: string, name: string) =>
      a.role(name, trust(hop1.arn, { condition: { StringEquals: { 'aws:ResourceTag/Department': dept } } }), { tags: [{ Key: 'Department', Value: 'Marketing' }] });
    const wantsEngineering = await byDept('engineering', 'case-hop-eng');
    const wantsMarketing = await byDept('Marketing', 'case-hop-mkt');
    const first = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'one', Tags: [{ Key: 'department', Value: 'engineering' }], TransitiveTagKeys: ['department'] }));
    const out = await first.sts.call('AssumeRole', { RoleArn: wantsEngineering.arn, RoleSessionName: 'two' });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('case-hop-eng', 'two'));
    await expectError(first.sts.call('AssumeRole', { RoleArn: wantsMarketing.arn, RoleSessionName: 'two' }), { name: 'AccessDenied', status: 403, message: assumeDenied(stsArn('case-hop-1', 'one'), wantsMarketing.arn) });
    // Without the transitive tag, the role's own value is what the trust policy sees.
    await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'plain' }).then(async (plain) => {
      const c = await sessionClients(s, plain);
      assert.equal((await c.sts.call('AssumeRole', { RoleArn: wantsMarketing.arn, RoleSessionName: 'three' })).AssumedRoleUser.Arn, stsArn('case-hop-mkt', 'three'));
    });
  });

  it("refuses bad session tags with AWS's wording (recorded responses), and a RoleArn that is no ARN", async () => {
    const hop1 = await a.role('bad-tag-1', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:TagSession'] }));
    const hop2 = await a.role('bad-tag-2', trust(hop1.arn, { actions: ['sts:AssumeRole', 'sts:TagSession'] }));
    const assume = (input: Record<string, unknown>) => u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'bad', ...input });
    const invalid = (message: string) => ({ name: 'InvalidParameterValue', status: 400, message });
    await expectError(assume({ Tags: [{ Key: 'a', Value: '1' }], TransitiveTagKeys: ['b'] }), invalid('The specified transitive tag key must be included in the requested tags.'));
    await expectError(assume({ Tags: [{ Key: 'team', Value: '1' }, { Key: 'TEAM', Value: '2' }] }), invalid('Duplicate tag keys found. Please note that Tag keys are case insensitive.'));
    await expectError(assume({ Tags: [{ Key: 'aws:team', Value: '1' }] }), invalid('User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.'));
    const first = await sessionClients(s, await assume({ Tags: [{ Key: 'team', Value: 'red' }], TransitiveTagKeys: ['team'] }));
    for (const key of ['team', 'Team']) {
      await expectError(first.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two', Tags: [{ Key: key, Value: 'blue' }] }), invalid("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."));
    }
    for (const arn of ['nothing-valid-in-here', 'arn::b:::something/test-role', 'arn:a::::something/test-role', 'arn:a:::something/test-role', 'arn:a:a::aaaaaaaaaa:']) {
      await expectError(u.sts.call('AssumeRole', { RoleArn: arn, RoleSessionName: 'bad' }), { name: 'ValidationError', status: 400, message: `${arn} is invalid` });
    }
  });
});

describe('source identity', () => {
  it('needs sts:SetSourceIdentity, is echoed, persists through chaining and cannot be changed', async () => {
    const u = await a.user('src-user');
    const noPerm = await a.role('src-no-perm', trust(u.arn));
    await expectError(u.sts.call('AssumeRole', { RoleArn: noPerm.arn, RoleSessionName: 'sess', SourceIdentity: 'src-user' }), {
      name: 'AccessDenied',
      status: 403,
      message: assumeDenied(u.arn, noPerm.arn, 'sts:SetSourceIdentity'),
    });

    // Chaining with a source identity needs sts:SetSourceIdentity in the assuming role's policy too.
    const hop1 = await a.role('src-hop-1', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }), { policy: allow(['sts:AssumeRole', 'sts:SetSourceIdentity']) });
    const hop2 = await a.role('src-hop-2', trust(hop1.arn, { actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }), {
      policy: allow('iam:GetRole', '*', { StringEquals: { 'aws:SourceIdentity': 'src-user' } }),
    });
    const first = await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'one', SourceIdentity: 'src-user' });
    assert.equal(first.SourceIdentity, 'src-user');
    const firstC = await sessionClients(s, first);

    const second = await firstC.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two' });
    assert.equal((await (await sessionClients(s, second)).iam.call('GetRole', { RoleName: 'src-hop-2' })).Role.RoleName, 'src-hop-2', 'aws:SourceIdentity persisted');
    const same = await firstC.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two', SourceIdentity: 'src-user' });
    assert.equal(same.SourceIdentity, 'src-user');
    const changed = await expectError(firstC.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two', SourceIdentity: 'someone-else' }), { name: 'AccessDenied', status: 403 });
    assert.match(changed.message, new RegExp(`^User: ${stsArn('src-hop-1', 'one').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not authorized to perform: sts:SetSourceIdentity on resource: `));

    // A session without a source identity fails the aws:SourceIdentity condition.
    const plain = await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'plain' });
    const plainSecond = await (await sessionClients(s, plain)).sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two' });
    await expectError((await sessionClients(s, plainSecond)).iam.call('GetRole', { RoleName: 'src-hop-2' }), { name: 'AccessDenied', status: 403 });

    await expectError(u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'sess', SourceIdentity: 'aws:me' }), { name: 'ValidationError', status: 400 });
  });

  it('is sticky: every later role in the chain must allow sts:SetSourceIdentity, and sees it as sts:SourceIdentity', async () => {
    // iam-semantics.md §10; AWS answers "... is not authorized to perform: sts:SetSourceIdentity"
    // for a chained hop whose trust policy allows only sts:AssumeRole, even when the caller does
    // not pass SourceIdentity again (e.g. MaterializeInc/materialize#37427, noqdev/iambic#357).
    const u = await a.user('sticky-user');
    const hop1 = await a.role('sticky-1', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }), { policy: allow(['sts:AssumeRole', 'sts:SetSourceIdentity']) });
    const assumeOnly = await a.role('sticky-assume-only', trust(hop1.arn));
    const pinned = await a.role('sticky-pinned', trust(hop1.arn, { actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], condition: { StringEquals: { 'sts:SourceIdentity': 'sticky-user' } } }));
    const withSource = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'one', SourceIdentity: 'sticky-user' }));
    const without = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'plain' }));

    await expectError(withSource.sts.call('AssumeRole', { RoleArn: assumeOnly.arn, RoleSessionName: 'two' }), {
      name: 'AccessDenied',
      status: 403,
      message: assumeDenied(stsArn('sticky-1', 'one'), assumeOnly.arn, 'sts:SetSourceIdentity'),
    });
    assert.equal((await without.sts.call('AssumeRole', { RoleArn: assumeOnly.arn, RoleSessionName: 'two' })).AssumedRoleUser.Arn, stsArn('sticky-assume-only', 'two'));

    const out = await withSource.sts.call('AssumeRole', { RoleArn: pinned.arn, RoleSessionName: 'two' });
    assert.equal(out.SourceIdentity, 'sticky-user', 'the persisted source identity is echoed');
    await expectError(without.sts.call('AssumeRole', { RoleArn: pinned.arn, RoleSessionName: 'two' }), { name: 'AccessDenied', status: 403, message: assumeDenied(stsArn('sticky-1', 'plain'), pinned.arn) });
  });

  it(
    "role chaining with a source identity also needs sts:SetSourceIdentity in the assuming role's permissions",
    async () => {
      const u = await a.user('sticky-perm-user');
      const hop1 = await a.role('sticky-perm-1', trust(u.arn, { actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }));
      const hop2 = await a.role('sticky-perm-2', trust(hop1.arn, { actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }));
      const c = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: hop1.arn, RoleSessionName: 'one', SourceIdentity: 'sticky-perm-user' }));
      await expectError(c.sts.call('AssumeRole', { RoleArn: hop2.arn, RoleSessionName: 'two' }), {
        name: 'AccessDenied',
        status: 403,
        message: assumeDenied(stsArn('sticky-perm-1', 'one'), hop2.arn, 'sts:SetSourceIdentity'),
      });
    },
  );

  it('cross-account chaining with a source identity: both the trust policy in B and the session\'s policy in A must allow it', async () => {
    const b = await secondAccount(s);
    const bAcct = await Account.of(s, b.accountId, b.root);
    const u = await a.user('xsrc-user');
    const both = ['sts:AssumeRole', 'sts:SetSourceIdentity'];
    const allowed = await a.role('xsrc-hop-allowed', trust(u.arn, { actions: both }), { policy: allow(both, `arn:aws:iam::${b.accountId}:role/*`) });
    const assumeOnly = await a.role('xsrc-hop-assume-only', trust(u.arn, { actions: both }), { policy: allow('sts:AssumeRole', `arn:aws:iam::${b.accountId}:role/*`) });
    const target = await bAcct.role('xsrc-target', trust([allowed.arn, assumeOnly.arn], { actions: both }));
    const viaAllowed = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: allowed.arn, RoleSessionName: 'one', SourceIdentity: 'xsrc-user' }));
    const out = await viaAllowed.sts.call('AssumeRole', { RoleArn: target.arn, RoleSessionName: 'two' });
    assert.equal(out.AssumedRoleUser.Arn, stsArn('xsrc-target', 'two', b.accountId));
    assert.equal(out.SourceIdentity, 'xsrc-user');
    // The session's own policy allows sts:AssumeRole only: the sticky source identity is refused.
    const viaAssumeOnly = await sessionClients(s, await u.sts.call('AssumeRole', { RoleArn: assumeOnly.arn, RoleSessionName: 'one', SourceIdentity: 'xsrc-user' }));
    await expectError(viaAssumeOnly.sts.call('AssumeRole', { RoleArn: target.arn, RoleSessionName: 'two' }), {
      name: 'AccessDenied',
      status: 403,
      message: assumeDenied(stsArn('xsrc-hop-assume-only', 'one'), target.arn, 'sts:SetSourceIdentity'),
    });
  });
});
