/**
 * Virtual MFA devices (with real TOTP codes computed from the seed the server hands out) and
 * instance profiles, through the AWS SDK for JavaScript v3 against a real server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { decodeDoc, expectError, iamClient, startTestServer, TRUST_EC2, type Client, type TestServer } from './support/server.js';

let server: TestServer;
let iam: Client;
let acct: string;

before(async () => {
  server = await startTestServer();
  iam = await iamClient(server.url, server.root);
  acct = server.accountId;
});

after(async () => {
  await server?.close();
});

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps. */
function totp(seed: Buffer, step: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', seed).update(msg).digest();
  const o = (mac[mac.length - 1] as number) & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('virtual MFA devices', () => {
  let serial = '';
  let seed: Buffer = Buffer.alloc(0);

  it('CreateVirtualMFADevice hands out a base32 seed and a QR code PNG', async () => {
    const out = await iam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'alice-phone', Tags: [{ Key: 'kind', Value: 'phone' }] });
    const d = out.VirtualMFADevice;
    serial = d.SerialNumber;
    assert.equal(serial, `arn:aws:iam::${acct}:mfa/alice-phone`);
    const seedText = Buffer.from(d.Base32StringSeed).toString('ascii');
    assert.match(seedText, /^[A-Z2-7]+=*$/);
    seed = base32Decode(seedText);
    assert.equal(seed.length, 20);
    const png = Buffer.from(d.QRCodePNG);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');

    await expectError(iam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'alice-phone' }), {
      name: 'EntityAlreadyExistsException',
      status: 409,
      message: 'MFADevice entity at the same path and name already exists.',
    });
    const unassigned = (await iam.call('ListVirtualMFADevices', { AssignmentStatus: 'Unassigned' })).VirtualMFADevices;
    assert.deepEqual(unassigned.map((v: any) => v.SerialNumber), [serial]);
    assert.equal(unassigned[0].Base32StringSeed, undefined, 'the seed is never shown again');
  });

  it('EnableMFADevice needs two consecutive valid codes', async () => {
    await iam.call('CreateUser', { UserName: 'alice' });
    const step = Math.floor(Date.now() / 30_000);
    await expectError(iam.call('EnableMFADevice', { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '000001' }), {
      name: 'InvalidAuthenticationCodeException',
      status: 403,
      message: 'Authentication code for device is not valid.',
    });
    await expectError(iam.call('EnableMFADevice', { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: '12345a', AuthenticationCode2: '123456' }), {
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '12345a' at 'authenticationCode1' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+",
    });
    await iam.call('EnableMFADevice', { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: totp(seed, step), AuthenticationCode2: totp(seed, step + 1) });

    const mine = (await iam.call('ListMFADevices', { UserName: 'alice' })).MFADevices;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].SerialNumber, serial);
    assert.equal(mine[0].UserName, 'alice');
    assert.ok(mine[0].EnableDate instanceof Date);
    const assigned = (await iam.call('ListVirtualMFADevices', { AssignmentStatus: 'Assigned' })).VirtualMFADevices;
    assert.equal(assigned[0].User.UserName, 'alice');

    await iam.call('CreateUser', { UserName: 'bob' });
    await expectError(iam.call('EnableMFADevice', { UserName: 'bob', SerialNumber: serial, AuthenticationCode1: totp(seed, step + 2), AuthenticationCode2: totp(seed, step + 3) }), {
      name: 'EntityAlreadyExistsException',
      status: 409,
      message: 'MFA Device is already in use.',
    });
    await expectError(iam.call('DeleteUser', { UserName: 'alice' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must delete MFA device first.' });
    await expectError(iam.call('DeleteVirtualMFADevice', { SerialNumber: serial }), { name: 'DeleteConflictException', status: 409, message: 'MFA VirtualDevice in use. Must deactivate first.' });
  });

  it('DeactivateMFADevice and DeleteVirtualMFADevice', async () => {
    await expectError(iam.call('DeactivateMFADevice', { UserName: 'bob', SerialNumber: serial }), { name: 'NoSuchEntityException', status: 404, message: 'MFA Device invalid for user.' });
    await iam.call('DeactivateMFADevice', { UserName: 'alice', SerialNumber: serial });
    assert.deepEqual((await iam.call('ListMFADevices', { UserName: 'alice' })).MFADevices, []);
    await iam.call('DeleteVirtualMFADevice', { SerialNumber: serial });
    assert.deepEqual((await iam.call('ListVirtualMFADevices', {})).VirtualMFADevices, []);
    await expectError(iam.call('DeleteVirtualMFADevice', { SerialNumber: serial }), { name: 'NoSuchEntityException', status: 404, message: `VirtualMFADevice with serial number ${serial} does not exist.` });
    await iam.call('DeleteUser', { UserName: 'alice' });
  });
});

describe('instance profiles', () => {
  it('create, add a role, get, list, tag, remove, delete', async () => {
    const role = (await iam.call('CreateRole', { RoleName: 'web', AssumeRolePolicyDocument: TRUST_EC2 })).Role;
    const p = (await iam.call('CreateInstanceProfile', { InstanceProfileName: 'web-profile', Path: '/web/', Tags: [{ Key: 'tier', Value: 'web' }] })).InstanceProfile;
    assert.equal(p.Arn, `arn:aws:iam::${acct}:instance-profile/web/web-profile`);
    assert.match(p.InstanceProfileId, /^AIPA[A-Z2-7]{16}$/);
    assert.deepEqual(p.Roles, []);
    assert.deepEqual(p.Tags, [{ Key: 'tier', Value: 'web' }]);

    await iam.call('AddRoleToInstanceProfile', { InstanceProfileName: 'web-profile', RoleName: 'web' });
    const got = (await iam.call('GetInstanceProfile', { InstanceProfileName: 'web-profile' })).InstanceProfile;
    assert.equal(got.Roles.length, 1);
    assert.equal(got.Roles[0].RoleId, role.RoleId);
    assert.deepEqual(decodeDoc(got.Roles[0].AssumeRolePolicyDocument), JSON.parse(TRUST_EC2));

    await iam.call('CreateRole', { RoleName: 'web2', AssumeRolePolicyDocument: TRUST_EC2 });
    await expectError(iam.call('AddRoleToInstanceProfile', { InstanceProfileName: 'web-profile', RoleName: 'web2' }), {
      name: 'LimitExceededException',
      status: 409,
      message: 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
    });

    assert.deepEqual((await iam.call('ListInstanceProfiles', { PathPrefix: '/web/' })).InstanceProfiles.map((x: any) => x.InstanceProfileName), ['web-profile']);
    assert.deepEqual((await iam.call('ListInstanceProfilesForRole', { RoleName: 'web' })).InstanceProfiles.map((x: any) => x.InstanceProfileName), ['web-profile']);
    assert.deepEqual((await iam.call('ListInstanceProfilesForRole', { RoleName: 'web2' })).InstanceProfiles, []);

    await iam.call('TagInstanceProfile', { InstanceProfileName: 'web-profile', Tags: [{ Key: 'env', Value: 'prod' }] });
    assert.deepEqual((await iam.call('ListInstanceProfileTags', { InstanceProfileName: 'web-profile' })).Tags.map((t: any) => t.Key).sort(), ['env', 'tier']);
    await iam.call('UntagInstanceProfile', { InstanceProfileName: 'web-profile', TagKeys: ['tier'] });
    assert.deepEqual((await iam.call('ListInstanceProfileTags', { InstanceProfileName: 'web-profile' })).Tags, [{ Key: 'env', Value: 'prod' }]);

    await expectError(iam.call('CreateInstanceProfile', { InstanceProfileName: 'web-profile' }), { name: 'EntityAlreadyExistsException', status: 409, message: 'Instance Profile web-profile already exists.' });
    await expectError(iam.call('GetInstanceProfile', { InstanceProfileName: 'nope' }), { name: 'NoSuchEntityException', status: 404, message: 'Instance Profile nope cannot be found.' });
    await expectError(iam.call('DeleteInstanceProfile', { InstanceProfileName: 'web-profile' }), { name: 'DeleteConflictException', status: 409, message: 'Cannot delete entity, must remove roles from instance profile first.' });
    await expectError(iam.call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web-profile', RoleName: 'web2' }), { name: 'NoSuchEntityException', status: 404, message: 'The role with name web2 cannot be found.' });
    await iam.call('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web-profile', RoleName: 'web' });
    await iam.call('DeleteInstanceProfile', { InstanceProfileName: 'web-profile' });
    await expectError(iam.call('GetInstanceProfile', { InstanceProfileName: 'web-profile' }), { name: 'NoSuchEntityException', status: 404 });
    await iam.call('DeleteRole', { RoleName: 'web' });
  });
});
