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
