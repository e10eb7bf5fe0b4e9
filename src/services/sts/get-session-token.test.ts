import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, credsOf, doc, expectAwsError, startStsHarness, type Creds, type StsHarness } from './sts-server-harness.test.js';

const ALLOW_ALL = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]);

describe('sts:GetSessionToken (real server, AWS SDK)', () => {
  let h: StsHarness;
  let alice: { arn: string; id: string; creds: Creds };

  before(async () => {
    h = await startStsHarness();
    alice = await h.createUser('alice', ALLOW_ALL);
  });
  after(async () => h?.close());

  it('issues 12-hour user-session credentials by default that act as the user', async () => {
    const r = await (await h.sts(alice.creds)).call('GetSessionToken', {});
    assert.match(r.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(r.Credentials.Expiration.getTime(), h.clock.now().getTime() + 43_200_000);
    const me = await (await h.sts(credsOf(r))).call('GetCallerIdentity', {});
    assert.deepEqual({ Account: me.Account, Arn: me.Arn, UserId: me.UserId }, { Account: ACCOUNT, Arn: alice.arn, UserId: alice.id });
  });

  it('takes DurationSeconds from 900 to 129,600 and refuses values outside', async () => {
    const sts = await h.sts(alice.creds);
    for (const d of [900, 129_600]) {
      const r = await sts.call('GetSessionToken', { DurationSeconds: d });
      assert.equal(r.Credentials.Expiration.getTime(), h.clock.now().getTime() + d * 1000);
    }
    await expectAwsError(sts.call('GetSessionToken', { DurationSeconds: 899 }), {
      code: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    await expectAwsError(sts.call('GetSessionToken', { DurationSeconds: 129_601 }), {
      code: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    });
  });

  it('gives the root user one hour at most (longer requests default to one hour)', async () => {
    const sts = await h.sts();
    const def = await sts.call('GetSessionToken', {});
    assert.equal(def.Credentials.Expiration.getTime(), h.clock.now().getTime() + 3_600_000);
    const long = await sts.call('GetSessionToken', { DurationSeconds: 7200 });
    assert.equal(long.Credentials.Expiration.getTime(), h.clock.now().getTime() + 3_600_000);
    const short = await sts.call('GetSessionToken', { DurationSeconds: 1000 });
    assert.equal(short.Credentials.Expiration.getTime(), h.clock.now().getTime() + 1_000_000);
    const me = await (await h.sts(credsOf(def))).call('GetCallerIdentity', {});
    assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  });

  it('refuses session credentials with AWS’s message', async () => {
    const session = credsOf(await (await h.sts(alice.creds)).call('GetSessionToken', {}));
    await expectAwsError((await h.sts(session)).call('GetSessionToken', {}), { code: 'AccessDenied', status: 403, message: 'Cannot call GetSessionToken with session credentials' });
    // A role session too.
    const iam = await h.iam();
    await iam.call('CreateRole', { RoleName: 'gst-role', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }]) });
    const role = credsOf(await (await h.sts(alice.creds)).call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/gst-role`, RoleSessionName: 'ss' }));
    await expectAwsError((await h.sts(role)).call('GetSessionToken', {}), { code: 'AccessDenied', status: 403, message: 'Cannot call GetSessionToken with session credentials' });
  });

  it('is not controlled by policies: an explicit Deny does not stop it', async () => {
    const denied = await h.createUser('denied-gst', doc([{ Effect: 'Deny', Action: 'sts:GetSessionToken', Resource: '*' }]));
    const r = await (await h.sts(denied.creds)).call('GetSessionToken', { DurationSeconds: 900 });
    assert.ok(r.Credentials.SessionToken);
  });

  it('expires: the credentials stop working at Expiration', async () => {
    const r = await (await h.sts(alice.creds)).call('GetSessionToken', { DurationSeconds: 900 });
    h.clock.advance(899_000);
    await (await h.sts(credsOf(r))).call('GetCallerIdentity', {});
    h.clock.advance(1_000);
    await expectAwsError((await h.sts(credsOf(r))).call('GetCallerIdentity', {}), { code: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
  });
});

describe('sts:GetSessionToken with MFA, and what its credentials may call', () => {
  let h: StsHarness;
  let bob: { arn: string; id: string; creds: Creds };
  let mfa: { serial: string; code(at?: Date): string };

  before(async () => {
    h = await startStsHarness();
    bob = await h.createUser('bob', ALLOW_ALL);
    mfa = await h.enableMfa('bob');
  });
  after(async () => h?.close());

  it('checks the code: wrong, replayed, unknown device, another user’s device, half the pair', async () => {
    const sts = await h.sts(bob.creds);
    const wrong = mfa.code() === '000000' ? '111111' : '000000';
    const invalid = { code: 'AccessDenied', status: 403, message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.' };
    const unable = {
      code: 'AccessDenied',
      status: 403,
      message: 'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.',
    };
    await expectAwsError(sts.call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: wrong }), invalid);
    await expectAwsError(sts.call('GetSessionToken', { SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/nobody`, TokenCode: mfa.code() }), unable);
    await expectAwsError(sts.call('GetSessionToken', { SerialNumber: mfa.serial }), unable);
    await expectAwsError(sts.call('GetSessionToken', { TokenCode: mfa.code() }), unable);
    const carol = await h.createUser('carol', ALLOW_ALL);
    await expectAwsError((await h.sts(carol.creds)).call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() }), unable);
    await expectAwsError((await h.sts()).call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() }), unable);
    await expectAwsError(sts.call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: '12345' }), { code: 'ValidationError', status: 400 });

    const ok = await sts.call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() });
    assert.ok(ok.Credentials.SessionToken);
    await expectAwsError(sts.call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() }), invalid); // one use per code
  });

  it('MFA sessions may call IAM; sessions without MFA fail authentication there', async () => {
    h.clock.advance(30_000);
    const withMfa = credsOf(await (await h.sts(bob.creds)).call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() }));
    const without = credsOf(await (await h.sts(bob.creds)).call('GetSessionToken', {}));
    const user = await (await h.iam(withMfa)).call('GetUser', {});
    assert.equal(user.User.Arn, bob.arn);
    await expectAwsError((await h.iam(without)).call('GetUser', {}), { code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid' });
    // Even for an operation that does not exist: authentication comes first.
    await expectAwsError((await h.iam(without)).call('ListRoles', {}), { code: 'InvalidClientTokenId', status: 403 });
    const rootSession = credsOf(await (await h.sts()).call('GetSessionToken', {}));
    await expectAwsError((await h.iam(rootSession)).call('ListUsers', {}), { code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid' });
  });

  it('MFA shows in the condition keys of the session’s requests', async () => {
    // An IAM action that needs MFA: allowed for the MFA session, denied for bob’s long-term key.
    const iam = await h.iam();
    await iam.call('PutUserPolicy', {
      UserName: 'bob',
      PolicyName: 'mfa-only',
      PolicyDocument: doc([{ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }]),
    });
    h.clock.advance(30_000);
    const withMfa = credsOf(await (await h.sts(bob.creds)).call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() }));
    const l = await (await h.iam(withMfa)).call('ListUsers', {});
    assert.ok(l.Users.length >= 1);
    await expectAwsError((await h.iam(bob.creds)).call('ListUsers', {}), {
      code: 'AccessDenied',
      status: 403,
      message: new RegExp(`^User: ${bob.arn} is not authorized to perform: iam:ListUsers on resource: .* with an explicit deny in an identity-based policy$`),
    });
    await iam.call('DeleteUserPolicy', { UserName: 'bob', PolicyName: 'mfa-only' });
  });

  it('an MFA session satisfies a trust policy that requires MFA (MFA-protected API access)', async () => {
    await (await h.iam()).call('CreateRole', {
      RoleName: 'needs-mfa',
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }]),
    });
    const RoleArn = `arn:aws:iam::${ACCOUNT}:role/needs-mfa`;
    h.clock.advance(30_000);
    const withMfa = credsOf(await (await h.sts(bob.creds)).call('GetSessionToken', { SerialNumber: mfa.serial, TokenCode: mfa.code() }));
    const without = credsOf(await (await h.sts(bob.creds)).call('GetSessionToken', {}));
    const ok = await (await h.sts(withMfa)).call('AssumeRole', { RoleArn, RoleSessionName: 'with-mfa' });
    assert.equal(ok.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/needs-mfa/with-mfa`);
    const denied = { code: 'AccessDenied', status: 403, message: `User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${RoleArn}` };
    await expectAwsError((await h.sts(without)).call('AssumeRole', { RoleArn, RoleSessionName: 'no-mfa' }), denied);
    await expectAwsError((await h.sts(bob.creds)).call('AssumeRole', { RoleArn, RoleSessionName: 'long-term' }), denied);
  });

  it('its credentials may call AssumeRole and GetCallerIdentity, and no other STS operation', async () => {
    const session = credsOf(await (await h.sts(bob.creds)).call('GetSessionToken', {}));
    const sts = await h.sts(session);
    assert.equal((await sts.call('GetCallerIdentity', {})).Arn, bob.arn);
    await (await h.iam()).call('CreateRole', { RoleName: 'from-session', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'sts:AssumeRole' }]) });
    const assumed = await sts.call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/from-session`, RoleSessionName: 'xx' });
    assert.equal(assumed.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/from-session/xx`);
    await expectAwsError(sts.call('GetAccessKeyInfo', { AccessKeyId: bob.creds.accessKeyId }), { code: 'AccessDenied', status: 403, message: 'Cannot call GetAccessKeyInfo with session credentials from GetSessionToken' });
    await expectAwsError(sts.call('DecodeAuthorizationMessage', { EncodedMessage: 'abc' }), {
      code: 'AccessDenied',
      status: 403,
      message: 'Cannot call DecodeAuthorizationMessage with session credentials from GetSessionToken',
    });
    await expectAwsError(sts.call('GetFederationToken', { Name: 'fed' }), { code: 'AccessDenied', status: 403, message: 'Cannot call GetFederationToken with session credentials' });
  });
});
