/**
 * Using the temporary credentials AssumeRole hands out, with the AWS SDK for JavaScript v3
 * against a real server on an injected clock: GetCallerIdentity, IAM calls authorized by the
 * role's policies, tampered and mismatched tokens, and expiry (the clock is moved past
 * Expiration instead of sleeping). docs/session-tokens.md, iam-semantics.md §6.5, §13.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { doc, expectError, iamClient, stsClient, type Credentials } from './support/server.js';
import { Account, allow, sessionClients, sessionCreds, skewedOptions, startStsServer, trust, type Principal, type StsServer } from './support/sts-fixture.js';

let s: StsServer;
let a: Account;
let acct: string;
let u: Principal;
let role: { arn: string; id: string };

before(async () => {
  s = await startStsServer();
  a = await Account.of(s, s.accountId, s.root);
  acct = s.accountId;
  u = await a.user('sess-user', allow('*'));
  role = await a.role('worker', trust(u.arn), { policy: allow(['iam:GetRole', 'iam:CreateUser', 'iam:GetUser'], '*') });
});

after(async () => {
  await s?.close();
});

const stsArn = (roleName: string, session: string) => `arn:aws:sts::${acct}:assumed-role/${roleName}/${session}`;
const INVALID = 'The security token included in the request is invalid';
const EXPIRED = 'The security token included in the request is expired';

/** Rewrites one base64url character of the token body (after "rc1."), at `index`. */
function flipChar(token: string, index: number): string {
  const i = 4 + index;
  const c = token[i] as string;
  return token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

/** The same token with a different ring key id (bytes 1-4 of the body) and nothing else changed. */
function otherKeyId(token: string): string {
  const body = Buffer.from(token.slice(4), 'base64url');
  for (let i = 1; i <= 4; i++) body[i] = (body[i] as number) ^ 0xff;
  return 'rc1.' + body.toString('base64url');
}

describe('session credentials', () => {
  it('GetCallerIdentity answers the assumed-role ARN and ROLEID:session', async () => {
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'who-am-i' });
    const c = await sessionClients(s, out);
    const me = await c.sts.call('GetCallerIdentity');
    assert.equal(me.Arn, stsArn('worker', 'who-am-i'));
    assert.equal(me.UserId, `${role.id}:who-am-i`);
    assert.equal(me.Account, acct);
    // GetCallerIdentity needs no permission: it works even when every action is denied.
    await a.rootIam.call('PutRolePolicy', { RoleName: 'worker', PolicyName: 'deny-all', PolicyDocument: doc([{ Effect: 'Deny', Action: '*', Resource: '*' }]) });
    try {
      assert.equal((await c.sts.call('GetCallerIdentity')).Arn, stsArn('worker', 'who-am-i'));
      await expectError(c.iam.call('GetRole', { RoleName: 'worker' }), { name: 'AccessDenied', status: 403 });
    } finally {
      await a.rootIam.call('DeleteRolePolicy', { RoleName: 'worker', PolicyName: 'deny-all' });
    }
  });

  it("IAM calls are authorized by the role's policies, not the user's", async () => {
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'iam-calls' });
    const c = await sessionClients(s, out);
    const caller = stsArn('worker', 'iam-calls');
    assert.equal((await c.iam.call('GetRole', { RoleName: 'worker' })).Role.RoleName, 'worker');
    assert.equal((await c.iam.call('CreateUser', { UserName: 'made-by-role' })).User.UserName, 'made-by-role');
    // The user may do anything; its role session may not.
    await expectError(c.iam.call('DeleteUser', { UserName: 'made-by-role' }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${caller} is not authorized to perform: iam:DeleteUser on resource: ${a.arn('user', 'made-by-role')} because no identity-based policy allows the iam:DeleteUser action`,
    });
    // A change to the role's policies applies to live sessions at once.
    await a.rootIam.call('PutRolePolicy', { RoleName: 'worker', PolicyName: 'deny-get', PolicyDocument: doc([{ Effect: 'Deny', Action: 'iam:GetRole', Resource: '*' }]) });
    await expectError(c.iam.call('GetRole', { RoleName: 'worker' }), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${caller} is not authorized to perform: iam:GetRole on resource: ${role.arn} with an explicit deny in an identity-based policy`,
    });
    await a.rootIam.call('DeleteRolePolicy', { RoleName: 'worker', PolicyName: 'deny-get' });
    assert.equal((await c.iam.call('GetRole', { RoleName: 'worker' })).Role.RoleName, 'worker');
  });

  it('a tampered session token is InvalidClientTokenId', async () => {
    const creds = sessionCreds(await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'tamper' }));
    const token = creds.sessionToken as string;
    const variants = [flipChar(token, 30), flipChar(token, token.length - 6), token.slice(0, -2), token + 'AA', token.replace('rc1.', 'rc2.'), 'garbage'];
    for (const t of variants) {
      const sts = await stsClient(s.url, { ...creds, sessionToken: t });
      await expectError(sts.call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID });
    }
    const iam = await iamClient(s.url, { ...creds, sessionToken: flipChar(token, 40) });
    await expectError(iam.call('GetRole', { RoleName: 'worker' }), { name: 'InvalidClientTokenId', status: 403, message: INVALID });
  });

  it('a token only vouches for its own access key id and secret', async () => {
    const one = sessionCreds(await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'one' }));
    const two = sessionCreds(await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'two' }));
    // Session two's key and secret with session one's token.
    const crossed: Credentials = { accessKeyId: two.accessKeyId, secretAccessKey: two.secretAccessKey, sessionToken: one.sessionToken as string };
    await expectError((await stsClient(s.url, crossed)).call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID });
    // A long-term key with a session token.
    await expectError((await stsClient(s.url, { ...u.creds, sessionToken: one.sessionToken as string })).call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID });
    // The token under another (unknown) ring key id.
    await expectError((await stsClient(s.url, { ...one, sessionToken: otherKeyId(one.sessionToken as string) })).call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID });
    // The right token and key id with a wrong secret: the signature does not match.
    await expectError((await stsClient(s.url, { ...one, secretAccessKey: two.secretAccessKey })).call('GetCallerIdentity'), { name: 'SignatureDoesNotMatch', status: 403 });
    // The untouched credentials still work.
    assert.equal((await (await stsClient(s.url, one)).call('GetCallerIdentity')).Arn, stsArn('worker', 'one'));
  });
});

// These move the server clock forward: they run last, and their clients sign at the server's time.
describe('expiry', () => {
  it('a 900-second session works, then is ExpiredToken (403) once the clock passes Expiration', async () => {
    const out = await u.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'short', DurationSeconds: 900 });
    const expiration: Date = out.Credentials.Expiration;
    assert.equal(Math.round((expiration.getTime() - s.clock.now().getTime()) / 1000), 900);
    const live = await sessionClients(s, out, skewedOptions(s));
    assert.equal((await live.sts.call('GetCallerIdentity')).Arn, stsArn('worker', 'short'));

    // One second before Expiration: still valid.
    s.clock.set(new Date(expiration.getTime() - 1000));
    const almost = await sessionClients(s, out, skewedOptions(s));
    assert.equal((await almost.iam.call('GetRole', { RoleName: 'worker' })).Role.RoleName, 'worker');

    // At Expiration: expired, for STS and IAM alike.
    s.clock.set(expiration);
    const late = await sessionClients(s, out, skewedOptions(s));
    await expectError(late.sts.call('GetCallerIdentity'), { name: 'ExpiredToken', status: 403, message: EXPIRED });
    await expectError(late.iam.call('GetRole', { RoleName: 'worker' }), { name: 'ExpiredToken', status: 403, message: EXPIRED });
    await expectError(late.sts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'from-expired' }), { name: 'ExpiredToken', status: 403, message: EXPIRED });
    // A forged token is never reported as expired.
    const forged = await stsClient(s.url, { ...sessionCreds(out), sessionToken: flipChar(out.Credentials.SessionToken, 30) }, skewedOptions(s));
    await expectError(forged.call('GetCallerIdentity'), { name: 'InvalidClientTokenId', status: 403, message: INVALID });
  });

  it('a one-hour session expires after an hour of server time; new sessions are issued from the new time', async () => {
    const userSts = await stsClient(s.url, u.creds, skewedOptions(s));
    const out = await userSts.call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'hour' });
    assert.equal(Math.round((out.Credentials.Expiration.getTime() - s.clock.now().getTime()) / 1000), 3600);
    s.clock.advance(1800_000);
    assert.equal((await (await sessionClients(s, out, skewedOptions(s))).sts.call('GetCallerIdentity')).Arn, stsArn('worker', 'hour'));
    s.clock.advance(1800_000);
    await expectError((await sessionClients(s, out, skewedOptions(s))).sts.call('GetCallerIdentity'), { name: 'ExpiredToken', status: 403, message: EXPIRED });
    // The user's long-term key is unaffected and gets a fresh session.
    const again = await (await stsClient(s.url, u.creds, skewedOptions(s))).call('AssumeRole', { RoleArn: role.arn, RoleSessionName: 'hour' });
    assert.equal((await (await sessionClients(s, again, skewedOptions(s))).sts.call('GetCallerIdentity')).Arn, stsArn('worker', 'hour'));
  });
});
