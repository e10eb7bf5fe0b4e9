/**
 * Virtual MFA devices: create (seed + QR code), enable for a user with two consecutive TOTP
 * codes, resynchronize with two more, get, deactivate, delete, list.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html (and siblings)
 *
 * INVARIANT: a TOTP time step is accepted at most once per device (MfaDeviceRepo.consumeTimeStep),
 * so codes shown to EnableMFADevice or ResyncMFADevice cannot be replayed to STS, and vice versa.
 */
import { iamArn } from '../../domain/arns.js';
import { AwsError } from '../../domain/aws-error.js';
import { StoreConflictError, type MfaDeviceRecord, type Store, type Tag, type UserRecord } from '../../store/ports.js';
import { defineOperation, withStore, type Operation, type OperationContext } from '../operation.js';
import { accountOf, callerOf, requireUser, userShape, type UserShape } from './shared/entities.js';
import { acceptConsecutiveMfaCodes } from './shared/mfa-codes.js';
import { pagedOutput, type Paged } from './shared/paged-output.js';
import type { PageInput } from './shared/pagination.js';
import { qrToPng } from './shared/png.js';
import { providerTagOperations, type ProviderKind } from './shared/provider-operations.js';
import { encodeQr } from './shared/qr.js';
import { mfaResource, userResource } from './shared/resource-arns.js';
import { requestTagKeys, validateTags } from './shared/tags.js';
import { base32Encode, otpauthUri } from './shared/totp.js';
import { checkName, checkPath, validationError } from './shared/validate.js';
import { rules } from './shared/validation.js';

export const MFA_DEVICES_PER_USER = 8;
export const MFA_SEED_BYTES = 20;
/** The issuer shown by authenticator apps for Rolecall's devices. */
export const MFA_ISSUER = 'Rolecall';

type Empty = Record<string, never>;

function noSuchDevice(serial: string): AwsError {
  return new AwsError('NoSuchEntity', `VirtualMFADevice with serial number ${serial} does not exist.`);
}

/** The device of `accountId` with that serial number; undefined otherwise (never throws). */
async function findDevice(store: Store, accountId: string, serial: unknown): Promise<MfaDeviceRecord | undefined> {
  if (typeof serial !== 'string') return undefined;
  const d = await store.mfaDevices.get(serial);
  return d && d.accountId === accountId ? d : undefined;
}

async function requireDevice(ctx: OperationContext, accountId: string, serial: string): Promise<MfaDeviceRecord> {
  const d = await findDevice(ctx.store, accountId, serial);
  if (!d) throw noSuchDevice(serial);
  return d;
}

/** Whether `device` is enabled for the user named `userName` (names compare case-insensitively). */
function enabledFor(device: MfaDeviceRecord, userName: string): boolean {
  return device.userName !== undefined && device.userName.toLowerCase() === userName.toLowerCase();
}

/** A device that exists but is not enabled for the user the request names (or the caller). */
function invalidForUser(): AwsError {
  return new AwsError('NoSuchEntity', 'MFA Device invalid for user.');
}

/** `mfa/path/name` of a serial number ARN, for authorization (the ARN itself is the resource). */
function serialResource(ctx: OperationContext, serial: string): string {
  return serial.startsWith('arn:') ? serial : mfaResource(ctx, serial);
}

export interface VirtualMfaDeviceShape {
  SerialNumber: string;
  Base32StringSeed?: Buffer;
  QRCodePNG?: Buffer;
  User?: UserShape;
  EnableDate?: Date;
  Tags?: Tag[];
}

export interface CreateVirtualMfaDeviceInput {
  VirtualMFADeviceName: string;
  Path?: string;
  Tags?: Tag[];
}

/**
 * A new unassigned device with a 20-byte random seed. Base32StringSeed is the base32 text of
 * the seed; QRCodePNG encodes `otpauth://totp/Rolecall:NAME@ACCOUNT?secret=...&issuer=Rolecall`.
 * Both are blobs (the wire layer base64-encodes them) and are never shown again.
 */
const createVirtualMFADevice = defineOperation<CreateVirtualMfaDeviceInput, { VirtualMFADevice: VirtualMfaDeviceShape }>({
  service: 'iam',
  name: 'CreateVirtualMFADevice',
  resources: (i, ctx) => [mfaResource(ctx, i.VirtualMFADeviceName, i.Path ?? '/')],
  conditionKeys: (i) => requestTagKeys(i.Tags),
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const name = checkName(i.VirtualMFADeviceName, 'virtualMFADeviceName', Number.MAX_SAFE_INTEGER);
    const path = checkPath(i.Path);
    const tags = validateTags(i.Tags);
    const serialNumber = iamArn(accountId, 'mfa', path, name);
    const conflict = (): AwsError => new AwsError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.');
    const device: MfaDeviceRecord = { accountId, serialNumber, path, name, seed: ctx.random.bytes(MFA_SEED_BYTES), createdAt: ctx.clock.now(), tags };
    await ctx.store.transaction(async (tx) => {
      if ((await tx.mfaDevices.list(accountId)).some((d) => d.name.toLowerCase() === name.toLowerCase())) throw conflict();
      try {
        await tx.mfaDevices.create(device);
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict();
        throw e;
      }
    });
    const seed32 = base32Encode(device.seed);
    const uri = otpauthUri(`${MFA_ISSUER}:${name}@${accountId}`, device.seed, MFA_ISSUER);
    const out: VirtualMfaDeviceShape = { SerialNumber: serialNumber, Base32StringSeed: Buffer.from(seed32, 'ascii'), QRCodePNG: qrToPng(encodeQr(uri, 'M')) };
    if (tags.length > 0) out.Tags = tags;
    return { VirtualMFADevice: out };
  },
});

/** The model's check of both codes (6 digits), before any lookup. */
function checkAuthenticationCodes(i: { AuthenticationCode1: unknown; AuthenticationCode2: unknown }): void {
  for (const [member, code] of [['authenticationCode1', i.AuthenticationCode1], ['authenticationCode2', i.AuthenticationCode2]] as const) {
    if (typeof code !== 'string' || !/^\d{6}$/.test(code)) throw validationError(String(code), member, 'Member must satisfy regular expression pattern: [\\d]+');
  }
}

function invalidCode(): AwsError {
  return new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');
}

export interface EnableMfaDeviceInput {
  UserName: string;
  SerialNumber: string;
  AuthenticationCode1: string;
  AuthenticationCode2: string;
}

/**
 * Assigns a device to a user after two consecutive valid codes (RFC 6238, SHA-1, 6 digits,
 * 30 s; the pair may sit up to two steps from the server's clock). The second code's step is
 * recorded, so neither code is accepted again.
 */
const enableMFADevice = defineOperation<EnableMfaDeviceInput, Empty>({
  service: 'iam',
  name: 'EnableMFADevice',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    checkAuthenticationCodes(i);
    await ctx.store.transaction(async (tx) => {
      const tctx = withStore(ctx, tx);
      const user = await requireUser(tx, accountId, i.UserName);
      const device = await requireDevice(tctx, accountId, i.SerialNumber);
      if (device.userName !== undefined) throw new AwsError('EntityAlreadyExists', 'MFA Device is already in use.');
      const mine = (await tx.mfaDevices.list(accountId)).filter((d) => d.userName?.toLowerCase() === user.name.toLowerCase());
      if (mine.length >= MFA_DEVICES_PER_USER) throw new AwsError('LimitExceeded', `Cannot exceed quota for MFADevicesPerUser: ${MFA_DEVICES_PER_USER}`);
      if (!(await acceptConsecutiveMfaCodes(tx, device, i.AuthenticationCode1, i.AuthenticationCode2, ctx.clock.now()))) throw invalidCode();
      await tx.mfaDevices.update(device.serialNumber, { userName: user.name, enabledAt: ctx.clock.now() });
    });
    return {};
  },
});

export interface ResyncMfaDeviceInput {
  UserName: string;
  SerialNumber: string;
  AuthenticationCode1: string;
  AuthenticationCode2: string;
}

/**
 * Two consecutive codes of a device enabled for the user. Rolecall keeps no per-device clock
 * offset (codes are checked against the server's clock with the window EnableMFADevice uses),
 * so resynchronizing is that same check: the codes must be consecutive codes of the device's
 * seed, and their time steps are spent, as EnableMFADevice's are (neither code works again, here
 * or at STS). Authorized on the user, as EnableMFADevice (Service Authorization Reference: user*).
 */
const resyncMFADevice = defineOperation<ResyncMfaDeviceInput, Empty>({
  service: 'iam',
  name: 'ResyncMFADevice',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    checkAuthenticationCodes(i);
    await ctx.store.transaction(async (tx) => {
      const user = await requireUser(tx, accountId, i.UserName);
      const device = await requireDevice(withStore(ctx, tx), accountId, i.SerialNumber);
      if (!enabledFor(device, user.name)) throw invalidForUser();
      if (!(await acceptConsecutiveMfaCodes(tx, device, i.AuthenticationCode1, i.AuthenticationCode2, ctx.clock.now()))) throw invalidCode();
    });
    return {};
  },
});

export interface GetMfaDeviceInput {
  SerialNumber: string;
  UserName?: string;
}

/**
 * An enabled device of the user (the caller's without UserName): UserName, SerialNumber,
 * EnableDate. Certifications belong to FIDO security keys only, and Rolecall's devices are all
 * virtual: never present. Authorized on the user (Service Authorization Reference: user*).
 */
const getMFADevice = defineOperation<GetMfaDeviceInput, MfaDeviceShape>({
  service: 'iam',
  name: 'GetMFADevice',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const user = await targetUser(ctx, i.UserName);
    const device = await requireDevice(ctx, accountId, i.SerialNumber);
    if (!user || !enabledFor(device, user.name)) throw invalidForUser();
    return { UserName: user.name, SerialNumber: device.serialNumber, EnableDate: device.enabledAt ?? device.createdAt };
  },
});

export interface DeactivateMfaDeviceInput {
  UserName?: string;
  SerialNumber: string;
}

async function targetUser(ctx: OperationContext, userName: string | undefined): Promise<UserRecord | undefined> {
  const caller = callerOf(ctx);
  if (userName !== undefined) return requireUser(ctx.store, caller.accountId, userName);
  if (caller.kind === 'user' && caller.userName) return requireUser(ctx.store, caller.accountId, caller.userName);
  if (caller.kind === 'root') return undefined;
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

/** Unassigns the device from the user; the (virtual) device remains and can be deleted. */
const deactivateMFADevice = defineOperation<DeactivateMfaDeviceInput, Empty>({
  service: 'iam',
  name: 'DeactivateMFADevice',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const tctx = withStore(ctx, tx);
      const user = await targetUser(tctx, i.UserName);
      const device = await requireDevice(tctx, accountId, i.SerialNumber);
      if (!user || !enabledFor(device, user.name)) throw invalidForUser();
      await tx.mfaDevices.update(device.serialNumber, { userName: null, enabledAt: null });
    });
    return {};
  },
});

export interface DeleteVirtualMfaDeviceInput {
  SerialNumber: string;
}

const deleteVirtualMFADevice = defineOperation<DeleteVirtualMfaDeviceInput, Empty>({
  service: 'iam',
  name: 'DeleteVirtualMFADevice',
  resources: (i, ctx) => [serialResource(ctx, i.SerialNumber)],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    await ctx.store.transaction(async (tx) => {
      const device = await requireDevice(withStore(ctx, tx), accountId, i.SerialNumber);
      if (device.userName !== undefined) throw new AwsError('DeleteConflict', 'MFA VirtualDevice in use. Must deactivate first.');
      await tx.mfaDevices.delete(device.serialNumber);
    });
    return {};
  },
});

export interface ListMfaDevicesInput extends PageInput {
  UserName?: string;
}

export interface MfaDeviceShape {
  UserName: string;
  SerialNumber: string;
  EnableDate: Date;
}

/** The user's enabled devices (the caller's without UserName; root has none here). */
const listMFADevices = defineOperation<ListMfaDevicesInput, { MFADevices: MfaDeviceShape[] } & Paged>({
  service: 'iam',
  name: 'ListMFADevices',
  resources: (i, ctx) => [userResource(ctx, i.UserName)],
  async run(i, ctx) {
    const user = await targetUser(ctx, i.UserName);
    if (!user) return pagedOutput('MFADevices', [] as MfaDeviceShape[], i);
    const devices = (await ctx.store.mfaDevices.list(user.accountId))
      .filter((d) => d.userName?.toLowerCase() === user.name.toLowerCase())
      .map((d) => ({ UserName: user.name, SerialNumber: d.serialNumber, EnableDate: d.enabledAt ?? d.createdAt }));
    return pagedOutput('MFADevices', devices, i);
  },
});

export interface ListVirtualMfaDevicesInput extends PageInput {
  AssignmentStatus?: 'Assigned' | 'Unassigned' | 'Any';
}

/** All virtual devices by assignment status (default Any); never the seed, QR code or tags. */
const listVirtualMFADevices = defineOperation<ListVirtualMfaDevicesInput, { VirtualMFADevices: VirtualMfaDeviceShape[] } & Paged>({
  service: 'iam',
  name: 'ListVirtualMFADevices',
  resources: () => ['*'],
  async run(i, ctx) {
    const accountId = accountOf(ctx);
    const status = i.AssignmentStatus ?? 'Any';
    if (status !== 'Assigned' && status !== 'Unassigned' && status !== 'Any') throw validationError(String(status), 'assignmentStatus', 'Member must satisfy enum value set: [Assigned, Unassigned, Any]');
    const all = (await ctx.store.mfaDevices.list(accountId)).filter((d) => status === 'Any' || (status === 'Assigned') === (d.userName !== undefined));
    all.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
    const out: VirtualMfaDeviceShape[] = [];
    for (const d of all) {
      const v: VirtualMfaDeviceShape = { SerialNumber: d.serialNumber };
      if (d.userName !== undefined) {
        const u = await ctx.store.users.get(accountId, d.userName);
        if (u) v.User = userShape(u, false);
        if (d.enabledAt) v.EnableDate = d.enabledAt;
      }
      out.push(v);
    }
    return pagedOutput('VirtualMFADevices', out, i);
  },
});

/**
 * Virtual MFA devices as a resource named by its ARN (the serial number), for TagMFADevice,
 * UntagMFADevice and ListMFADeviceTags: the identity providers' tag operations (provider-
 * operations.ts), authorized on the device's ARN with its tags as aws:ResourceTag/k.
 */
const MFA_DEVICE_KIND: ProviderKind<MfaDeviceRecord> = {
  label: 'MFADevice',
  arnMember: 'SerialNumber',
  arnRule: (v) => rules.serialNumber(v),
  find: findDevice,
  async require(store, accountId, serial) {
    const d = await findDevice(store, accountId, serial);
    if (!d) throw noSuchDevice(String(serial));
    return d;
  },
  setTags: (store, _accountId, device, tags) => store.mfaDevices.update(device.serialNumber, { tags }),
};

export const mfaOperations: Operation<any, any>[] = [
  createVirtualMFADevice,
  enableMFADevice,
  resyncMFADevice,
  getMFADevice,
  deactivateMFADevice,
  deleteVirtualMFADevice,
  listMFADevices,
  listVirtualMFADevices,
  ...providerTagOperations(MFA_DEVICE_KIND),
];
