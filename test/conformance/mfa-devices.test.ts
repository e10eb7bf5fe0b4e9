/**
 * ResyncMFADevice, GetMFADevice, TagMFADevice, UntagMFADevice and ListMFADeviceTags through the
 * AWS SDK for JavaScript v3 (and once through the AWS CLI v1) against a real server on a manual
 * clock, with real TOTP codes from the seed the server hands out: answers, AWS's errors and HTTP
 * statuses, paging, authorization (Resync and Get on the user, the tag operations on the device
 * with its tags), and ResyncMFADevice's audit records, which must not hold its codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base32Decode, totpCode } from '../../src/services/iam/shared/totp.js';
import { expectError, isolatedHome, resolveTools, runAws, type Client } from './support/server.js';
import { Account, allow, RecordingTrail, startStsServer, type Principal, type StsServer } from './support/sts-fixture.js';

const tools = await resolveTools();
const trail = new RecordingTrail();

let s: StsServer;
let a: Account;
let iam: Client;
let acct: string;
/** pat: a user allowed the MFA actions on itself and on devices tagged owner=pat. */
let pat: Principal;
let patSerial: string;
let patSeed: Buffer;
/** quinn's device: created, tagged owner=quinn, never enabled. */
let quinnSerial: string;
/** Every TOTP code sent to ResyncMFADevice, to look for in the audit records. */
const sentCodes = new Set<string>();

/** The code `steps` 30-second steps from the server's clock. */
const code = (seed: Buffer, steps: number) => totpCode(seed, new Date(s.clock.now().getTime() + steps * 30_000));

function resync(client: Client, userName: string, serial: string, c1: string, c2: string): Promise<any> {
  sentCodes.add(c1).add(c2);
  return client.call('ResyncMFADevice', { UserName: userName, SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 });
}

async function device(name: string, owner: string): Promise<{ serial: string; seed: Buffer }> {
  const d = (await iam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: name, Tags: [{ Key: 'owner', Value: owner }] })).VirtualMFADevice;
  return { serial: d.SerialNumber, seed: base32Decode(Buffer.from(d.Base32StringSeed).toString('ascii')) };
}

const denied = (user: Principal, action: string, resource: string) => ({
  name: 'AccessDenied',
  status: 403,
  message: `User: ${user.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
});

before(async () => {
  s = await startStsServer({ audit: trail });
  acct = s.accountId;
  a = await Account.of(s, acct, s.root);
  iam = a.rootIam;
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iam:ResyncMFADevice', 'iam:GetMFADevice'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
      {
        Effect: 'Allow',
        Action: ['iam:TagMFADevice', 'iam:UntagMFADevice', 'iam:ListMFADeviceTags'],
        Resource: `arn:aws:iam::${acct}:mfa/*`,
        Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
      },
      // Tags other than owner only: a user cannot hand its device to someone else.
      { Effect: 'Deny', Action: ['iam:TagMFADevice', 'iam:UntagMFADevice'], Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'owner' } } },
    ],
  });
  pat = await a.user('pat', policy);
  await iam.call('CreateUser', { UserName: 'quinn' });
  const p = await device('pat-phone', 'pat');
  patSerial = p.serial;
  patSeed = p.seed;
  quinnSerial = (await device('quinn-phone', 'quinn')).serial;
  await iam.call('EnableMFADevice', { UserName: 'pat', SerialNumber: patSerial, AuthenticationCode1: code(patSeed, -1), AuthenticationCode2: code(patSeed, 0) });
});

after(async () => {
  await s?.close();
});

describe('ResyncMFADevice', () => {
  it('takes two fresh consecutive codes of a device enabled for the user, once', async () => {
    const bad = { name: 'InvalidAuthenticationCodeException', status: 403, message: 'Authentication code for device is not valid.' };
    await expectError(resync(iam, 'pat', patSerial, code(patSeed, -1), code(patSeed, 0)), bad);
    await expectError(resync(iam, 'pat', patSerial, code(patSeed, 2), code(patSeed, 1)), bad);
    await expectError(resync(iam, 'pat', patSerial, code(patSeed, 1), code(patSeed, 3)), bad);
    await expectError(resync(iam, 'ghost', patSerial, code(patSeed, 1), code(patSeed, 2)), { name: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });
    await expectError(resync(iam, 'quinn', patSerial, code(patSeed, 1), code(patSeed, 2)), { name: 'NoSuchEntityException', status: 404, message: 'MFA Device invalid for user.' });
    await expectError(resync(iam, 'quinn', quinnSerial, '123456', '234567'), { name: 'NoSuchEntityException', status: 404, message: 'MFA Device invalid for user.' });
    const missing = `arn:aws:iam::${acct}:mfa/none`;
    await expectError(resync(iam, 'pat', missing, code(patSeed, 1), code(patSeed, 2)), { name: 'NoSuchEntityException', status: 404, message: `VirtualMFADevice with serial number ${missing} does not exist.` });
    await expectError(resync(iam, 'pat', patSerial, '12345a', code(patSeed, 2)), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '12345a' at 'authenticationCode1' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+",
    });
    await expectError(resync(iam, 'pat', patSerial, code(patSeed, 1), '98765'), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '98765' at 'authenticationCode2' failed to satisfy constraint: Member must have length greater than or equal to 6",
    });

    const ok = await resync(iam, 'pat', patSerial, code(patSeed, 1), code(patSeed, 2));
    assert.equal(ok.$metadata.httpStatusCode, 200);
    await expectError(resync(iam, 'pat', patSerial, code(patSeed, 1), code(patSeed, 2)), bad);
    // The codes are spent for STS too.
    await expectError(pat.sts.call('GetSessionToken', { SerialNumber: patSerial, TokenCode: code(patSeed, 1) }), { name: 'AccessDenied', status: 403 });
  });

  it('is authorized on the user: pat resyncs its own device, not through another user', async () => {
    s.clock.advance(90_000);
    await resync(pat.iam, 'pat', patSerial, code(patSeed, 0), code(patSeed, 1));
    await expectError(resync(pat.iam, 'quinn', quinnSerial, code(patSeed, 2), code(patSeed, 3)), denied(pat, 'iam:ResyncMFADevice', `arn:aws:iam::${acct}:user/quinn`));
  });

  it('is audited without its codes', async () => {
    const events = trail.events.filter((e) => e.eventName === 'ResyncMFADevice');
    assert.ok(events.length >= 13, `${events.length} events`);
    const succeeded = events.filter((e) => !e.errorCode);
    assert.equal(succeeded.length, 2);
    for (const e of succeeded) {
      assert.deepEqual(e.requestParameters, { userName: 'pat', serialNumber: patSerial });
      assert.equal(e.responseElements, null);
      assert.equal(e.readOnly, false);
    }
    assert.deepEqual(events.find((e) => e.errorCode === 'InvalidAuthenticationCode')?.requestParameters, { userName: 'pat', serialNumber: patSerial });
    const echoed = events.find((e) => e.errorCode === 'ValidationError' && /authenticationCode2/.test(e.errorMessage ?? ''));
    assert.equal(echoed?.errorMessage, "1 validation error detected: Value 'HIDDEN_DUE_TO_SECURITY_REASONS' at 'authenticationCode2' failed to satisfy constraint: Member must have length greater than or equal to 6");
    const text = JSON.stringify(events);
    assert.doesNotMatch(text, /authenticationCode[12]"\s*:/i, 'no code member');
    assert.ok(sentCodes.size >= 10);
    for (const c of sentCodes) assert.doesNotMatch(text, new RegExp(`(^|[^0-9])${c}([^0-9]|$)`), `code ${c} in an audit record`);
  });
});

describe('GetMFADevice', () => {
  it("describes a user's enabled device, without Certifications", async () => {
    const got = await iam.call('GetMFADevice', { SerialNumber: patSerial, UserName: 'pat' });
    assert.equal(got.UserName, 'pat');
    assert.equal(got.SerialNumber, patSerial);
    assert.ok(got.EnableDate instanceof Date);
    assert.ok(Math.abs(got.EnableDate.getTime() - Date.now()) < 10 * 60_000);
    assert.equal(got.Certifications, undefined);
    const own = await pat.iam.call('GetMFADevice', { SerialNumber: patSerial });
    assert.deepEqual([own.UserName, own.SerialNumber, own.EnableDate], [got.UserName, got.SerialNumber, got.EnableDate]);
  });

  it('NoSuchEntity for a device not enabled for the user; authorized on the user', async () => {
    const invalid = { name: 'NoSuchEntityException', status: 404, message: 'MFA Device invalid for user.' };
    await expectError(iam.call('GetMFADevice', { SerialNumber: quinnSerial, UserName: 'quinn' }), invalid);
    await expectError(iam.call('GetMFADevice', { SerialNumber: patSerial, UserName: 'quinn' }), invalid);
    await expectError(iam.call('GetMFADevice', { SerialNumber: patSerial }), invalid);
    await expectError(iam.call('GetMFADevice', { SerialNumber: patSerial, UserName: 'ghost' }), { name: 'NoSuchEntityException', status: 404, message: 'The user with name ghost cannot be found.' });
    await expectError(iam.call('GetMFADevice', { SerialNumber: 'short' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'short' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9",
    });
    await expectError(pat.iam.call('GetMFADevice', { SerialNumber: patSerial, UserName: 'quinn' }), denied(pat, 'iam:GetMFADevice', `arn:aws:iam::${acct}:user/quinn`));
  });
});

describe('TagMFADevice, UntagMFADevice, ListMFADeviceTags', () => {
  it('add, replace (keys case-insensitive), list in pages, remove', async () => {
    assert.deepEqual((await iam.call('ListMFADeviceTags', { SerialNumber: patSerial })).Tags, [{ Key: 'owner', Value: 'pat' }], 'the tags given at creation');
    await iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'red' }, { Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    await iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'ENV', Value: 'prod' }] });
    const first = await iam.call('ListMFADeviceTags', { SerialNumber: patSerial, MaxItems: 2 });
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Tags.length, 2);
    const rest = await iam.call('ListMFADeviceTags', { SerialNumber: patSerial, Marker: first.Marker, MaxItems: 10 });
    assert.equal(rest.IsTruncated, false);
    assert.equal(rest.Marker, undefined);
    // "The returned list of tags is sorted by tag key" (API_ListMFADeviceTags.html).
    assert.deepEqual([...first.Tags, ...rest.Tags], [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'pat' },
      { Key: 'team', Value: 'red' },
    ]);
    const { paginateListMFADeviceTags } = await import(String('@aws-sdk/client-iam'));
    const keys: string[] = [];
    for await (const page of paginateListMFADeviceTags({ client: iam.raw, pageSize: 2 }, { SerialNumber: patSerial })) keys.push(...page.Tags.map((t: any) => t.Key));
    assert.deepEqual(keys, ['a', 'b', 'env', 'owner', 'team'], "the SDK's paginator");
    await iam.call('UntagMFADevice', { SerialNumber: patSerial, TagKeys: ['A', 'b', 'absent'] });
    assert.deepEqual((await iam.call('ListMFADeviceTags', { SerialNumber: patSerial })).Tags.map((t: any) => t.Key), ['env', 'owner', 'team']);
  });

  it("AWS's errors", async () => {
    const missing = `arn:aws:iam::${acct}:mfa/none`;
    const noSuch = { name: 'NoSuchEntityException', status: 404, message: `VirtualMFADevice with serial number ${missing} does not exist.` };
    await expectError(iam.call('TagMFADevice', { SerialNumber: missing, Tags: [{ Key: 'k', Value: 'v' }] }), noSuch);
    await expectError(iam.call('UntagMFADevice', { SerialNumber: missing, TagKeys: ['k'] }), noSuch);
    await expectError(iam.call('ListMFADeviceTags', { SerialNumber: missing }), noSuch);
    await expectError(iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] }), {
      name: 'InvalidInputException',
      status: 400,
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    await expectError(iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'aws:x', Value: '1' }] }), { name: 'InvalidInputException', status: 400 });
    await expectError(iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'bad key!', Value: '1' }] }), { name: 'ValidationError', status: 400, message: /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern/ });
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expectError(iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: many(51) }), { name: 'ValidationError', status: 400, message: /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/ });
    await expectError(iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: many(48) }), { name: 'LimitExceededException', status: 409, message: 'The number of tags has reached the maximum limit.' });
    await expectError(iam.call('ListMFADeviceTags', { SerialNumber: patSerial, MaxItems: 1001 }), { name: 'ValidationError', status: 400 });
    await expectError(iam.call('ListMFADeviceTags', { SerialNumber: patSerial, Marker: 'bm9wZQ' }), { name: 'InvalidInputException', status: 400, message: 'Invalid Marker.' });
    assert.equal((await iam.call('ListMFADeviceTags', { SerialNumber: patSerial })).Tags.length, 3, 'nothing changed');
  });

  it('authorized on the device ARN with aws:ResourceTag, aws:RequestTag and aws:TagKeys', async () => {
    await pat.iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'color', Value: 'green' }] });
    assert.ok((await pat.iam.call('ListMFADeviceTags', { SerialNumber: patSerial })).Tags.some((t: any) => t.Key === 'color'));
    await pat.iam.call('UntagMFADevice', { SerialNumber: patSerial, TagKeys: ['color'] });
    await expectError(pat.iam.call('ListMFADeviceTags', { SerialNumber: quinnSerial }), denied(pat, 'iam:ListMFADeviceTags', quinnSerial));
    await expectError(pat.iam.call('TagMFADevice', { SerialNumber: quinnSerial, Tags: [{ Key: 'color', Value: 'green' }] }), denied(pat, 'iam:TagMFADevice', quinnSerial));
    const explicit = (action: string) => ({ name: 'AccessDenied', status: 403, message: `User: ${pat.arn} is not authorized to perform: ${action} on resource: ${patSerial} with an explicit deny in an identity-based policy` });
    await expectError(pat.iam.call('TagMFADevice', { SerialNumber: patSerial, Tags: [{ Key: 'owner', Value: 'quinn' }] }), explicit('iam:TagMFADevice'));
    await expectError(pat.iam.call('UntagMFADevice', { SerialNumber: patSerial, TagKeys: ['owner'] }), explicit('iam:UntagMFADevice'));
    assert.ok((await iam.call('ListMFADeviceTags', { SerialNumber: patSerial })).Tags.some((t: any) => t.Key === 'owner' && t.Value === 'pat'));
  });
});

describe('AWS CLI v1', { skip: tools.aws ? false : 'the AWS CLI is not installed' }, () => {
  it('resync-mfa-device, get-mfa-device, tag-mfa-device, list-mfa-device-tags', async () => {
    const home = isolatedHome();
    try {
      const env = home.env(s, s.root);
      s.clock.advance(90_000);
      const c1 = code(patSeed, 0);
      const c2 = code(patSeed, 1);
      sentCodes.add(c1).add(c2);
      const synced = await runAws(['iam', 'resync-mfa-device', '--user-name', 'pat', '--serial-number', patSerial, '--authentication-code1', c1, '--authentication-code2', c2], env);
      assert.equal(synced.code, 0, synced.stderr);
      assert.equal(synced.stdout.trim(), '');
      const again = await runAws(['iam', 'resync-mfa-device', '--user-name', 'pat', '--serial-number', patSerial, '--authentication-code1', c1, '--authentication-code2', c2], env);
      assert.equal(again.code, 255);
      assert.equal(again.stderr.trim(), 'An error occurred (InvalidAuthenticationCode) when calling the ResyncMFADevice operation: Authentication code for device is not valid.');

      const got = await runAws(['iam', 'get-mfa-device', '--serial-number', patSerial, '--user-name', 'pat'], env);
      assert.equal(got.code, 0, got.stderr);
      const g = JSON.parse(got.stdout);
      assert.deepEqual(Object.keys(g).sort(), ['EnableDate', 'SerialNumber', 'UserName']);
      assert.equal(g.SerialNumber, patSerial);

      const tagged = await runAws(['iam', 'tag-mfa-device', '--serial-number', patSerial, '--tags', 'Key=cli,Value=yes'], env);
      assert.equal(tagged.code, 0, tagged.stderr);
      const listed = await runAws(['iam', 'list-mfa-device-tags', '--serial-number', patSerial], env);
      assert.equal(listed.code, 0, listed.stderr);
      const cliTags = JSON.parse(listed.stdout).Tags as Array<{ Key: string }>;
      assert.ok(cliTags.some((t) => t.Key === 'cli'));
      assert.deepEqual(cliTags.map((t) => t.Key), cliTags.map((t) => t.Key).sort(), 'sorted by key');
      const untagged = await runAws(['iam', 'untag-mfa-device', '--serial-number', patSerial, '--tag-keys', 'cli'], env);
      assert.equal(untagged.code, 0, untagged.stderr);
    } finally {
      home.cleanup();
    }
  });
});
