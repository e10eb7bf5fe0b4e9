/**
 * Records for the contract tests: valid, complete, with dates that carry milliseconds so a
 * lossy date column shows up.
 */
import type {
  AccessKeyRecord,
  GroupRecord,
  InstanceProfileRecord,
  ManagedPolicyRecord,
  MfaDeviceRecord,
  PolicyVersionRecord,
  RoleRecord,
  Store,
  UserRecord,
} from '../ports.js';

export const ACCT = '123456789012';
export const ACCT2 = '210987654321';
export const T0 = new Date('2024-05-06T07:08:09.123Z');
export const T1 = new Date('2025-01-02T03:04:05.678Z');
export const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
export const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

let seq = 0;
/** A unique id with an AWS-style prefix (AIDA, AGPA, AROA...). */
export function uid(prefix: string): string {
  seq += 1;
  return `${prefix}${String(seq).padStart(8, '0')}${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
}

export function user(name: string, over: Partial<UserRecord> = {}): UserRecord {
  const path = over.path ?? '/';
  return { accountId: ACCT, name, path, id: uid('AIDA'), arn: `arn:aws:iam::${over.accountId ?? ACCT}:user${path}${name}`, createdAt: T0, tags: [], ...over };
}

export function group(name: string, over: Partial<GroupRecord> = {}): GroupRecord {
  const path = over.path ?? '/';
  return { accountId: ACCT, name, path, id: uid('AGPA'), arn: `arn:aws:iam::${over.accountId ?? ACCT}:group${path}${name}`, createdAt: T0, ...over };
}

export function role(name: string, over: Partial<RoleRecord> = {}): RoleRecord {
  const path = over.path ?? '/';
  return {
    accountId: ACCT,
    name,
    path,
    id: uid('AROA'),
    arn: `arn:aws:iam::${over.accountId ?? ACCT}:role${path}${name}`,
    createdAt: T0,
    assumeRolePolicyDocument: TRUST,
    trustPrincipalIds: [],
    maxSessionDuration: 3600,
    tags: [],
    ...over,
  };
}

export function policy(name: string, over: Partial<ManagedPolicyRecord> = {}): ManagedPolicyRecord {
  const path = over.path ?? '/';
  const accountId = over.accountId ?? ACCT;
  return { accountId, name, path, id: uid('ANPA'), arn: `arn:aws:iam::${accountId}:policy${path}${name}`, createdAt: T0, updatedAt: T0, defaultVersionId: 'v1', tags: [], ...over };
}

export function version(policyArn: string, versionId: string, over: Partial<PolicyVersionRecord> = {}): PolicyVersionRecord {
  return { policyArn, versionId, document: DOC.replace('s3:GetObject', `s3:Get${versionId}`), isDefault: false, createdAt: T0, ...over };
}

/** Creates a policy with its v1 default version; returns the record. */
export async function createPolicy(s: Store, name: string, over: Partial<ManagedPolicyRecord> = {}): Promise<ManagedPolicyRecord> {
  const p = policy(name, over);
  await s.policies.create(p, version(p.arn, 'v1', { isDefault: true }));
  return p;
}

export function accessKey(over: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return { accessKeyId: uid('AKIA').slice(0, 20), accountId: ACCT, secretAccessKey: `secret/${uid('S')}/${'x'.repeat(8)}`, status: 'Active', createdAt: T0, ...over };
}

export function mfaDevice(name: string, over: Partial<MfaDeviceRecord> = {}): MfaDeviceRecord {
  const path = over.path ?? '/';
  return {
    accountId: ACCT,
    serialNumber: `arn:aws:iam::${over.accountId ?? ACCT}:mfa${path}${name}`,
    path,
    name,
    seed: Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 37 + name.length) & 0xff)),
    createdAt: T0,
    tags: [],
    ...over,
  };
}

export function instanceProfile(name: string, over: Partial<InstanceProfileRecord> = {}): InstanceProfileRecord {
  const path = over.path ?? '/';
  return { accountId: ACCT, name, path, id: uid('AIPA'), arn: `arn:aws:iam::${over.accountId ?? ACCT}:instance-profile${path}${name}`, createdAt: T0, roleNames: [], tags: [], ...over };
}

/** Fails instead of hanging when a store deadlocks. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (deadlock?)`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
