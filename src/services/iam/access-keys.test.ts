import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store, UserRecord } from '../../store/ports.js';
import { accessKeyOperations } from './access-keys.js';
import { awsError, rootCaller, roleSessionCaller, TEST_ACCOUNT, testEnv, userCaller, type TestEnv } from './shared/test-context.js';
import { userOperations } from './users.js';

const ops = [...userOperations, ...accessKeyOperations];

describe('IAM access keys', () => {
  let store: Store;
  let env: TestEnv;
  let dana: UserRecord;
  const call = <O = any>(name: string, input: Record<string, unknown>, caller = rootCaller()): Promise<O> => env.call<O>(ops, name, input, caller);

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store);
    await call('CreateUser', { UserName: 'dana' });
    dana = (await store.users.get(TEST_ACCOUNT, 'dana'))!;
  });
  after(async () => store.close());

  it('creates Active AKIA keys with 40-character secrets, at most two per user', async () => {
    const k1 = (await call('CreateAccessKey', { UserName: 'DANA' })).AccessKey;
    assert.match(k1.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.match(k1.SecretAccessKey, /^[A-Za-z0-9+/]{40}$/);
    assert.equal(k1.Status, 'Active');
    assert.equal(k1.UserName, 'dana');
    assert.ok(k1.CreateDate instanceof Date);
    const k2 = (await call('CreateAccessKey', {}, userCaller(dana))).AccessKey; // no UserName: the calling user
    assert.equal(k2.UserName, 'dana');
    await assert.rejects(call('CreateAccessKey', { UserName: 'dana' }), awsError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2'));
    await assert.rejects(call('CreateAccessKey', { UserName: 'ghost' }), awsError('NoSuchEntity', 'The user with name ghost cannot be found.'));
    const stored = await store.accessKeys.get(k1.AccessKeyId);
    assert.equal(stored?.secretAccessKey, k1.SecretAccessKey);
  });

  it('lists metadata without secrets; root without UserName gets root keys', async () => {
    const l = await call('ListAccessKeys', { UserName: 'dana' });
    assert.equal(l.AccessKeyMetadata.length, 2);
    for (const m of l.AccessKeyMetadata) {
      assert.deepEqual(Object.keys(m).sort(), ['AccessKeyId', 'CreateDate', 'Status', 'UserName']);
    }
    const rootKey = (await call('CreateAccessKey', {})).AccessKey;
    assert.equal(rootKey.UserName, undefined);
    const rk = await store.accessKeys.get(rootKey.AccessKeyId);
    assert.equal(rk?.userName, undefined);
    assert.deepEqual((await call('ListAccessKeys', {})).AccessKeyMetadata.map((m: any) => m.AccessKeyId), [rootKey.AccessKeyId]);
    await assert.rejects(call('ListAccessKeys', {}, roleSessionCaller(TEST_ACCOUNT, 'r', 'AROAAAAAAAAAAAAAAAAA', 's')), awsError('ValidationError', 'Must specify userName when calling with non-User credentials'));
    await call('DeleteAccessKey', { AccessKeyId: rootKey.AccessKeyId });
  });

  it('updates status, refuses keys of someone else, deletes', async () => {
    const [k1] = (await call('ListAccessKeys', { UserName: 'dana' })).AccessKeyMetadata;
    await call('UpdateAccessKey', { UserName: 'dana', AccessKeyId: k1.AccessKeyId, Status: 'Inactive' });
    assert.equal((await store.accessKeys.get(k1.AccessKeyId))?.status, 'Inactive');
    await call('UpdateAccessKey', { AccessKeyId: k1.AccessKeyId, Status: 'Active' }, userCaller(dana));
    assert.equal((await store.accessKeys.get(k1.AccessKeyId))?.status, 'Active');
    await assert.rejects(call('UpdateAccessKey', { UserName: 'dana', AccessKeyId: k1.AccessKeyId, Status: 'Expired' }), awsError('ValidationError'));
    await call('CreateUser', { UserName: 'eve' });
    await assert.rejects(call('UpdateAccessKey', { UserName: 'eve', AccessKeyId: k1.AccessKeyId, Status: 'Inactive' }), awsError('NoSuchEntity', `The Access Key with id ${k1.AccessKeyId} cannot be found.`));
    await assert.rejects(call('DeleteAccessKey', { AccessKeyId: k1.AccessKeyId }), awsError('NoSuchEntity', `The Access Key with id ${k1.AccessKeyId} cannot be found.`), 'root without UserName means root keys');
    await call('DeleteAccessKey', { UserName: 'dana', AccessKeyId: k1.AccessKeyId });
    assert.equal(await store.accessKeys.get(k1.AccessKeyId), undefined);
    assert.equal((await call('ListAccessKeys', { UserName: 'dana' })).AccessKeyMetadata.length, 1);
  });

  it('GetAccessKeyLastUsed: N/A for never-used keys, the recorded use otherwise', async () => {
    const [k] = (await call('ListAccessKeys', { UserName: 'dana' })).AccessKeyMetadata;
    assert.deepEqual(await call('GetAccessKeyLastUsed', { AccessKeyId: k.AccessKeyId }), { UserName: 'dana', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
    const when = new Date('2026-01-01T12:00:00Z');
    // Last use comes from the audit trail's records (one signed with the key).
    const use = { kind: 'access-key' as const, id: k.AccessKeyId as string, date: when, service: 'iam', region: 'us-east-1' };
    await store.audit.append([{ eventId: 'e-1', accountId: '123456789012', eventTime: when, eventName: 'ListRoles', eventSource: 'iam.amazonaws.com', readOnly: true, resources: [], json: '{}', uses: [use] }]);
    assert.deepEqual(await call('GetAccessKeyLastUsed', { AccessKeyId: k.AccessKeyId }), { UserName: 'dana', AccessKeyLastUsed: { LastUsedDate: when, ServiceName: 'iam', Region: 'us-east-1' } });
    await assert.rejects(call('GetAccessKeyLastUsed', { AccessKeyId: 'AKIAUNKNOWNUNKNOWN00' }), awsError('AccessDenied'));
  });

  it('authorizes against the owning user ARN', () => {
    const create = accessKeyOperations.find((o) => o.name === 'CreateAccessKey')!;
    assert.deepEqual(create.resources({ UserName: 'dana' }, env.ctx()), [`arn:aws:iam::${TEST_ACCOUNT}:user/dana`]);
    assert.deepEqual(create.resources({}, env.ctx(userCaller(dana))), [dana.arn]);
    assert.deepEqual(create.resources({}, env.ctx()), [`arn:aws:iam::${TEST_ACCOUNT}:root`]);
  });
});
