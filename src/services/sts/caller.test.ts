import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { accessKeyOperations } from '../iam/access-keys.js';
import { awsError, rootCaller, roleSessionCaller, TEST_ACCOUNT, testEnv, userCaller, type TestEnv } from '../iam/shared/test-context.js';
import { userOperations } from '../iam/users.js';
import { stsCallerOperations } from './caller.js';

const ops = [...userOperations, ...accessKeyOperations, ...stsCallerOperations];

describe('STS GetCallerIdentity / GetAccessKeyInfo', () => {
  let store: Store;
  let env: TestEnv;
  const call = <O = any>(name: string, input: Record<string, unknown>, caller = rootCaller()): Promise<O> => env.call<O>(ops, name, input, caller);

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store);
  });
  after(async () => store.close());

  it('needs no permission and reports root, user and role-session identities', async () => {
    const gci = stsCallerOperations.find((o) => o.name === 'GetCallerIdentity')!;
    assert.equal(gci.auth, 'signed-unauthorized');
    assert.deepEqual(await call('GetCallerIdentity', {}), { UserId: TEST_ACCOUNT, Account: TEST_ACCOUNT, Arn: `arn:aws:iam::${TEST_ACCOUNT}:root` });
    await call('CreateUser', { UserName: 'ivy', Path: '/dev/' });
    const ivy = (await store.users.get(TEST_ACCOUNT, 'ivy'))!;
    assert.deepEqual(await call('GetCallerIdentity', {}, userCaller(ivy)), { UserId: ivy.id, Account: TEST_ACCOUNT, Arn: `arn:aws:iam::${TEST_ACCOUNT}:user/dev/ivy` });
    assert.deepEqual(await call('GetCallerIdentity', {}, roleSessionCaller(TEST_ACCOUNT, 'deploy', 'AROADEPLOYDEPLOYDEP1', 'ci')), {
      UserId: 'AROADEPLOYDEPLOYDEP1:ci',
      Account: TEST_ACCOUNT,
      Arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/deploy/ci`,
    });
  });

  it('GetAccessKeyInfo answers the owning account of a known key, or of the caller’s own key', async () => {
    const key = (await call('CreateAccessKey', { UserName: 'ivy' })).AccessKey;
    assert.deepEqual(await call('GetAccessKeyInfo', { AccessKeyId: key.AccessKeyId }), { Account: TEST_ACCOUNT });
    const session = roleSessionCaller(TEST_ACCOUNT, 'deploy', 'AROADEPLOYDEPLOYDEP1', 'ci');
    assert.deepEqual(await call('GetAccessKeyInfo', { AccessKeyId: session.accessKeyId }, session), { Account: TEST_ACCOUNT });
    await assert.rejects(call('GetAccessKeyInfo', { AccessKeyId: 'AKIAUNKNOWNUNKNOWN00' }), awsError('InvalidClientTokenId'));
    await assert.rejects(call('GetAccessKeyInfo', { AccessKeyId: 'short' }), awsError('ValidationError'));
    const info = stsCallerOperations.find((o) => o.name === 'GetAccessKeyInfo')!;
    assert.equal(info.auth, undefined, 'policy-checked like any signed action');
    assert.deepEqual(info.resources({ AccessKeyId: key.AccessKeyId }, env.ctx()), ['*']);
  });
});
