import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store, UserRecord } from '../../store/ports.js';
import { mfaOperations } from './mfa.js';
import { PNG_SIGNATURE } from './shared/png.js';
import { awsError, rootCaller, TEST_ACCOUNT, testEnv, userCaller, type TestEnv } from './shared/test-context.js';
import { base32Decode, hotp, timeStep } from './shared/totp.js';
import { userOperations } from './users.js';

const ops = [...userOperations, ...mfaOperations];

describe('IAM virtual MFA devices', () => {
  let store: Store;
  let env: TestEnv;
  let frank: UserRecord;
  let serial: string;
  let seed: Buffer;
  const call = <O = any>(name: string, input: Record<string, unknown>, caller = rootCaller()): Promise<O> => env.call<O>(ops, name, input, caller);
  const codesAt = (step: number): [string, string] => [hotp(seed, step), hotp(seed, step + 1)];

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store, Date.UTC(2026, 2, 1, 12, 0, 10));
    await call('CreateUser', { UserName: 'frank' });
    frank = (await store.users.get(TEST_ACCOUNT, 'frank'))!;
  });
  after(async () => store.close());

  it('creates a device with a base32 seed and a PNG QR code, once per name', async () => {
    const r = await call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'frank-phone', Path: '/mfa/', Tags: [{ Key: 'k', Value: 'v' }] });
    const d = r.VirtualMFADevice;
    serial = d.SerialNumber;
    assert.equal(serial, `arn:aws:iam::${TEST_ACCOUNT}:mfa/mfa/frank-phone`);
    const text = (d.Base32StringSeed as Buffer).toString('ascii');
    assert.match(text, /^[A-Z2-7]{32}$/);
    seed = base32Decode(text);
    assert.equal(seed.length, 20);
    assert.deepEqual((await store.mfaDevices.get(serial))?.seed, seed);
    assert.deepEqual((d.QRCodePNG as Buffer).subarray(0, 8), PNG_SIGNATURE);
    assert.deepEqual(d.Tags, [{ Key: 'k', Value: 'v' }]);
    await assert.rejects(call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'FRANK-PHONE' }), awsError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.'));
    const l = await call('ListVirtualMFADevices', {});
    assert.deepEqual(l.VirtualMFADevices, [{ SerialNumber: serial }], 'lists never show the seed, QR code or tags');
  });

  it('refuses wrong, non-consecutive or reversed codes', async () => {
    const s = timeStep(env.clock.now());
    const bad = awsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');
    const [c1, c2] = codesAt(s);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: c2, AuthenticationCode2: c1 }), bad);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c1 }), bad);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: hotp(seed, s + 2) }), bad);
    const [f1, f2] = codesAt(s + 10);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: f1, AuthenticationCode2: f2 }), bad);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: '12345', AuthenticationCode2: c2 }), awsError('ValidationError'));
    await assert.rejects(call('EnableMFADevice', { UserName: 'ghost', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }), awsError('NoSuchEntity', 'The user with name ghost cannot be found.'));
    const missing = `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`;
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: missing, AuthenticationCode1: c1, AuthenticationCode2: c2 }), awsError('NoSuchEntity', `VirtualMFADevice with serial number ${missing} does not exist.`));
    assert.equal((await store.mfaDevices.get(serial))?.userName, undefined);
  });

  it('enables with two consecutive codes and records the time step against replay', async () => {
    const s = timeStep(env.clock.now());
    const [c1, c2] = codesAt(s);
    await call('EnableMFADevice', { UserName: 'FRANK', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 });
    const rec = await store.mfaDevices.get(serial);
    assert.equal(rec?.userName, 'frank');
    assert.equal(rec?.lastUsedTimeStep, s + 1);
    assert.deepEqual(rec?.enabledAt, env.clock.now());
    const l = await call('ListMFADevices', {}, userCaller(frank));
    assert.deepEqual(l.MFADevices, [{ UserName: 'frank', SerialNumber: serial, EnableDate: env.clock.now() }]);
    const v = await call('ListVirtualMFADevices', { AssignmentStatus: 'Assigned' });
    assert.equal(v.VirtualMFADevices[0].User.UserName, 'frank');
    assert.deepEqual((await call('ListVirtualMFADevices', { AssignmentStatus: 'Unassigned' })).VirtualMFADevices, []);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }), awsError('EntityAlreadyExists', 'MFA Device is already in use.'));
  });

  it('refuses to delete an enabled device; deactivates, then replayed codes fail on re-enable', async () => {
    await assert.rejects(call('DeleteVirtualMFADevice', { SerialNumber: serial }), awsError('DeleteConflict', 'MFA VirtualDevice in use. Must deactivate first.'));
    await call('CreateUser', { UserName: 'gina' });
    await assert.rejects(call('DeactivateMFADevice', { UserName: 'gina', SerialNumber: serial }), awsError('NoSuchEntity', 'MFA Device invalid for user.'));
    await call('DeactivateMFADevice', { SerialNumber: serial }, userCaller(frank));
    assert.equal((await store.mfaDevices.get(serial))?.userName, undefined);
    assert.deepEqual((await call('ListMFADevices', { UserName: 'frank' })).MFADevices, []);
    // Same 30-second window: the codes already used (and any at or below the recorded step) are refused.
    const s = timeStep(env.clock.now());
    const [c1, c2] = codesAt(s);
    await assert.rejects(call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }), awsError('InvalidAuthenticationCode'));
    // A minute later fresh codes work again.
    env.clock.advance(60_000);
    const [n1, n2] = codesAt(timeStep(env.clock.now()));
    await call('EnableMFADevice', { UserName: 'frank', SerialNumber: serial, AuthenticationCode1: n1, AuthenticationCode2: n2 });
    await call('DeactivateMFADevice', { UserName: 'frank', SerialNumber: serial });
    await call('DeleteVirtualMFADevice', { SerialNumber: serial });
    await assert.rejects(call('DeleteVirtualMFADevice', { SerialNumber: serial }), awsError('NoSuchEntity', `VirtualMFADevice with serial number ${serial} does not exist.`));
  });

  it('authorizes device operations on the mfa ARN and enable/list on the user ARN', () => {
    const find = (n: string) => mfaOperations.find((o) => o.name === n)!;
    const ctx = env.ctx(userCaller(frank));
    assert.deepEqual(find('CreateVirtualMFADevice').resources({ VirtualMFADeviceName: 'x', Path: '/p/' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:mfa/p/x`]);
    assert.deepEqual(find('DeleteVirtualMFADevice').resources({ SerialNumber: `arn:aws:iam::${TEST_ACCOUNT}:mfa/x` }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:mfa/x`]);
    assert.deepEqual(find('EnableMFADevice').resources({ UserName: 'frank' }, ctx), [frank.arn]);
    assert.deepEqual(find('ListMFADevices').resources({}, ctx), [frank.arn]);
    assert.deepEqual(find('ListVirtualMFADevices').resources({}, ctx), ['*']);
  });
});

describe('IAM ResyncMFADevice, GetMFADevice and MFA device tags', () => {
  let store: Store;
  let env: TestEnv;
  let lee: UserRecord;
  let serial: string;
  let seed: Buffer;
  const call = <O = any>(name: string, input: Record<string, unknown>, caller = rootCaller()): Promise<O> => env.call<O>(ops, name, input, caller);
  const resync = (codes: [string, string], extra: Record<string, unknown> = {}) =>
    call('ResyncMFADevice', { UserName: 'lee', SerialNumber: serial, AuthenticationCode1: codes[0], AuthenticationCode2: codes[1], ...extra });
  const step = () => timeStep(env.clock.now());
  const bad = awsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store, Date.UTC(2026, 4, 1, 9, 0, 10));
    await call('CreateUser', { UserName: 'lee' });
    await call('CreateUser', { UserName: 'mo' });
    lee = (await store.users.get(TEST_ACCOUNT, 'lee'))!;
    const d = (await call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'lee-phone', Tags: [{ Key: 'Team', Value: 'red' }] })).VirtualMFADevice;
    serial = d.SerialNumber;
    seed = base32Decode((d.Base32StringSeed as Buffer).toString('ascii'));
  });
  after(async () => store.close());

  it('ResyncMFADevice and GetMFADevice need a device enabled for that user', async () => {
    const s = step();
    const codes: [string, string] = [hotp(seed, s), hotp(seed, s + 1)];
    const invalid = awsError('NoSuchEntity', 'MFA Device invalid for user.');
    await assert.rejects(resync(codes), invalid, 'not enabled yet');
    await assert.rejects(call('GetMFADevice', { SerialNumber: serial, UserName: 'lee' }), invalid);
    await assert.rejects(call('GetMFADevice', { SerialNumber: serial }, userCaller(lee)), invalid);
    await call('EnableMFADevice', { UserName: 'lee', SerialNumber: serial, AuthenticationCode1: hotp(seed, s - 1), AuthenticationCode2: hotp(seed, s) });
    await assert.rejects(resync(codes, { UserName: 'mo' }), invalid, "another user's device");
    await assert.rejects(call('GetMFADevice', { SerialNumber: serial, UserName: 'mo' }), invalid);
    await assert.rejects(call('GetMFADevice', { SerialNumber: serial }), invalid, 'root has no devices');
    await assert.rejects(resync(codes, { UserName: 'ghost' }), awsError('NoSuchEntity', 'The user with name ghost cannot be found.'));
    await assert.rejects(call('GetMFADevice', { SerialNumber: serial, UserName: 'ghost' }), awsError('NoSuchEntity', 'The user with name ghost cannot be found.'));
    const missing = `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`;
    await assert.rejects(resync(codes, { SerialNumber: missing }), awsError('NoSuchEntity', `VirtualMFADevice with serial number ${missing} does not exist.`));
    await assert.rejects(call('GetMFADevice', { SerialNumber: missing, UserName: 'lee' }), awsError('NoSuchEntity', `VirtualMFADevice with serial number ${missing} does not exist.`));
    await assert.rejects(resync(['12345', codes[1]]), awsError('ValidationError', "1 validation error detected: Value '12345' at 'authenticationCode1' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+"));
    await assert.rejects(resync([codes[0], 'abcdef']), awsError('ValidationError'));
  });

  it('GetMFADevice describes the enabled device, without Certifications', async () => {
    const expected = { UserName: 'lee', SerialNumber: serial, EnableDate: env.clock.now() };
    assert.deepEqual(await call('GetMFADevice', { SerialNumber: serial, UserName: 'LEE' }), expected);
    assert.deepEqual(await call('GetMFADevice', { SerialNumber: serial }, userCaller(lee)), expected, "the caller's own device");
  });

  it('ResyncMFADevice takes two fresh consecutive codes once, and spends them for STS too', async () => {
    const s = step();
    // Enable spent step s: a pair ending at s, or reaching back to it, is refused.
    await assert.rejects(resync([hotp(seed, s - 1), hotp(seed, s)]), bad, 'the codes EnableMFADevice took');
    await assert.rejects(resync([hotp(seed, s), hotp(seed, s + 1)]), bad, 'the first code is spent');
    await assert.rejects(resync([hotp(seed, s + 2), hotp(seed, s + 1)]), bad, 'reversed');
    await assert.rejects(resync([hotp(seed, s + 1), hotp(seed, s + 3)]), bad, 'not consecutive');
    await assert.rejects(resync([hotp(seed, s + 5), hotp(seed, s + 6)]), bad, 'too far from the clock');
    assert.equal((await store.mfaDevices.get(serial))?.lastUsedTimeStep, s, 'refusals spend nothing');
    await resync([hotp(seed, s + 1), hotp(seed, s + 2)]);
    assert.equal((await store.mfaDevices.get(serial))?.lastUsedTimeStep, s + 2);
    await assert.rejects(resync([hotp(seed, s + 1), hotp(seed, s + 2)]), bad, 'replayed');
    const { acceptMfaCode } = await import('./shared/mfa-codes.js');
    const now = env.clock.now();
    assert.deepEqual(await acceptMfaCode(store, { accountId: TEST_ACCOUNT, serialNumber: serial, code: hotp(seed, s + 1), now, userName: 'lee' }), { ok: false, reason: 'replayed' });
    // Later, codes from a device whose clock runs a minute slow resynchronize it again.
    env.clock.advance(150_000);
    const t = step();
    await resync([hotp(seed, t - 2), hotp(seed, t - 1)]);
    assert.equal((await store.mfaDevices.get(serial))?.userName, 'lee', 'still enabled');
  });

  it('TagMFADevice, UntagMFADevice and ListMFADeviceTags: merge by case-insensitive key, 50 at most, paged', async () => {
    assert.deepEqual(await call('ListMFADeviceTags', { SerialNumber: serial }), { Tags: [{ Key: 'Team', Value: 'red' }], IsTruncated: false }, 'the tags CreateVirtualMFADevice stored');
    await call('TagMFADevice', { SerialNumber: serial, Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'env', Value: 'dev' }] });
    assert.deepEqual((await call('ListMFADeviceTags', { SerialNumber: serial })).Tags, [{ Key: 'Team', Value: 'blue' }, { Key: 'env', Value: 'dev' }]);
    await assert.rejects(call('TagMFADevice', { SerialNumber: serial, Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }), awsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'));
    await assert.rejects(call('TagMFADevice', { SerialNumber: serial, Tags: [{ Key: 'aws:x', Value: '1' }] }), awsError('InvalidInput'));
    await assert.rejects(call('TagMFADevice', { SerialNumber: serial, Tags: [{ Key: 'bad key!', Value: '1' }] }), awsError('ValidationError'));
    await assert.rejects(call('TagMFADevice', { SerialNumber: serial }), awsError('ValidationError', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"));
    const many = Array.from({ length: 49 }, (_, n) => ({ Key: `k${String(n).padStart(2, '0')}`, Value: String(n) }));
    await assert.rejects(call('TagMFADevice', { SerialNumber: serial, Tags: many }), awsError('LimitExceeded', 'The number of tags has reached the maximum limit.'));
    await call('TagMFADevice', { SerialNumber: serial, Tags: many.slice(0, 48) });
    const p1 = await call('ListMFADeviceTags', { SerialNumber: serial, MaxItems: 20 });
    assert.equal(p1.Tags.length, 20);
    assert.equal(p1.IsTruncated, true);
    const p2 = await call('ListMFADeviceTags', { SerialNumber: serial, MaxItems: 20, Marker: p1.Marker });
    const p3 = await call('ListMFADeviceTags', { SerialNumber: serial, MaxItems: 20, Marker: p2.Marker });
    assert.deepEqual([p3.Tags.length, p3.IsTruncated, p3.Marker], [10, false, undefined]);
    assert.equal(new Set([...p1.Tags, ...p2.Tags, ...p3.Tags].map((t: any) => t.Key)).size, 50);
    await assert.rejects(call('ListMFADeviceTags', { SerialNumber: serial, MaxItems: 0 }), awsError('ValidationError'));
    await call('UntagMFADevice', { SerialNumber: serial, TagKeys: ['TEAM', ...many.slice(0, 48).map((t) => t.Key), 'absent'] });
    assert.deepEqual((await call('ListMFADeviceTags', { SerialNumber: serial })).Tags, [{ Key: 'env', Value: 'dev' }]);
    await assert.rejects(call('UntagMFADevice', { SerialNumber: serial }), awsError('ValidationError'));
    const missing = `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`;
    for (const [name, extra] of [['TagMFADevice', { Tags: [{ Key: 'a', Value: 'b' }] }], ['UntagMFADevice', { TagKeys: ['a'] }], ['ListMFADeviceTags', {}]] as const) {
      await assert.rejects(call(name, { SerialNumber: missing, ...extra }), awsError('NoSuchEntity', `VirtualMFADevice with serial number ${missing} does not exist.`), name);
      await assert.rejects(call(name, { SerialNumber: 'short', ...extra }), awsError('ValidationError'), name);
    }
    // Another account's device is not there.
    await assert.rejects(call('ListMFADeviceTags', { SerialNumber: serial }, rootCaller('210987654321')), awsError('NoSuchEntity'));
  });

  it('authorizes Resync and Get on the user, the tag operations on the device with its tags and the request keys', async () => {
    const find = (n: string) => mfaOperations.find((o) => o.name === n)!;
    const ctx = env.ctx(userCaller(lee));
    assert.deepEqual(find('ResyncMFADevice').resources({ UserName: 'mo', SerialNumber: serial }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:user/mo`]);
    assert.deepEqual(find('GetMFADevice').resources({ SerialNumber: serial }, ctx), [lee.arn]);
    assert.deepEqual(find('GetMFADevice').resources({ SerialNumber: serial, UserName: 'mo' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:user/mo`]);
    const tags = [{ Key: 'env', Value: 'prod' }];
    assert.deepEqual(await find('TagMFADevice').resolveAuthorization!({ SerialNumber: serial, Tags: tags }, ctx), {
      resources: [serial],
      conditionKeys: { 'aws:TagKeys': ['env'], 'aws:RequestTag/env': 'prod', 'aws:ResourceTag/env': 'dev', 'iam:ResourceTag/env': 'dev' },
    });
    assert.deepEqual(await find('UntagMFADevice').resolveAuthorization!({ SerialNumber: serial, TagKeys: ['env'] }, ctx), {
      resources: [serial],
      conditionKeys: { 'aws:TagKeys': ['env'], 'aws:ResourceTag/env': 'dev', 'iam:ResourceTag/env': 'dev' },
    });
    assert.deepEqual(await find('ListMFADeviceTags').resolveAuthorization!({ SerialNumber: serial }, ctx), { resources: [serial], conditionKeys: { 'aws:ResourceTag/env': 'dev', 'iam:ResourceTag/env': 'dev' } });
    assert.deepEqual(find('ListMFADeviceTags').resources({ SerialNumber: serial }, ctx), [serial]);
  });
});

describe('acceptMfaCode (for STS)', () => {
  it('accepts a valid code once, for the right user, and refuses replays', async () => {
    const { acceptMfaCode } = await import('./shared/mfa-codes.js');
    const store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    try {
      await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
      const env = testEnv(store, Date.UTC(2026, 3, 1, 8, 0, 5));
      await env.call(ops, 'CreateUser', { UserName: 'kim' });
      const d = (await env.call(ops, 'CreateVirtualMFADevice', { VirtualMFADeviceName: 'kim' })).VirtualMFADevice;
      const seed = base32Decode((d.Base32StringSeed as Buffer).toString('ascii'));
      const serialNumber = d.SerialNumber as string;
      const base = { accountId: TEST_ACCOUNT, serialNumber, userName: 'kim' };
      let now = env.clock.now();
      assert.deepEqual(await acceptMfaCode(store, { ...base, code: hotp(seed, timeStep(now)), now }), { ok: false, reason: 'not-enabled' });
      const s = timeStep(now);
      await env.call(ops, 'EnableMFADevice', { UserName: 'kim', SerialNumber: serialNumber, AuthenticationCode1: hotp(seed, s), AuthenticationCode2: hotp(seed, s + 1) });
      // The code used to enable (step s+1) is spent.
      assert.deepEqual(await acceptMfaCode(store, { ...base, code: hotp(seed, s + 1), now }), { ok: false, reason: 'replayed' });
      env.clock.advance(60_000);
      now = env.clock.now();
      const code = hotp(seed, timeStep(now));
      assert.deepEqual(await acceptMfaCode(store, { ...base, code, now, userName: 'other' }), { ok: false, reason: 'wrong-user' });
      assert.deepEqual(await acceptMfaCode(store, { ...base, code: '000000' === code ? '111111' : '000000', now }), { ok: false, reason: 'invalid-code' });
      const ok = await acceptMfaCode(store, { ...base, code, now, userName: 'KIM' });
      assert.equal(ok.ok, true);
      assert.equal(ok.ok && ok.step, timeStep(now));
      assert.deepEqual(await acceptMfaCode(store, { ...base, code, now }), { ok: false, reason: 'replayed' });
      assert.deepEqual(await acceptMfaCode(store, { ...base, serialNumber: `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`, code, now }), { ok: false, reason: 'no-device' });
    } finally {
      await store.close();
    }
  });
});
