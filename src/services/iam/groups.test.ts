import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';
import { groupOperations } from './groups.js';
import { awsError, rootCaller, TEST_ACCOUNT, testEnv, type TestEnv } from './shared/test-context.js';
import { userOperations } from './users.js';

const ops = [...userOperations, ...groupOperations];
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

describe('IAM groups', () => {
  let store: Store;
  let env: TestEnv;
  const call = <O = any>(name: string, input: Record<string, unknown>): Promise<O> => env.call<O>(ops, name, input, rootCaller());

  before(async () => {
    store = await openSqliteStore({ filename: ':memory:', masterKey: randomBytes(32) });
    await store.accounts.create({ id: TEST_ACCOUNT, createdAt: new Date() });
    env = testEnv(store);
  });
  after(async () => store.close());

  it('creates, gets (with users), lists and rejects duplicates', async () => {
    const g = (await call('CreateGroup', { GroupName: 'admins', Path: '/ops/' })).Group;
    assert.match(g.GroupId, /^AGPA[A-Z2-7]{16}$/);
    assert.equal(g.Arn, `arn:aws:iam::${TEST_ACCOUNT}:group/ops/admins`);
    await assert.rejects(call('CreateGroup', { GroupName: 'ADMINS' }), awsError('EntityAlreadyExists', 'Group with name ADMINS already exists.'));
    await call('CreateUser', { UserName: 'zed' });
    await call('CreateUser', { UserName: 'amy' });
    await call('AddUserToGroup', { GroupName: 'admins', UserName: 'zed' });
    await call('AddUserToGroup', { GroupName: 'admins', UserName: 'amy' });
    await call('AddUserToGroup', { GroupName: 'admins', UserName: 'amy' }); // already a member: fine
    const got = await call('GetGroup', { GroupName: 'admins' });
    assert.equal(got.Group.GroupName, 'admins');
    assert.deepEqual(got.Users.map((u: any) => u.UserName), ['amy', 'zed']);
    const page = await call('GetGroup', { GroupName: 'admins', MaxItems: 1 });
    assert.deepEqual([page.Users.length, page.IsTruncated], [1, true]);
    assert.deepEqual((await call('ListGroups', { PathPrefix: '/ops/' })).Groups.map((x: any) => x.GroupName), ['admins']);
    assert.deepEqual((await call('ListGroups', { PathPrefix: '/nope/' })).Groups, []);
    await assert.rejects(call('GetGroup', { GroupName: 'nope' }), awsError('NoSuchEntity', 'The group with name nope cannot be found.'));
  });

  it('authorizes against the group ARN (and both ARNs on rename)', () => {
    const upd = groupOperations.find((o) => o.name === 'UpdateGroup')!;
    const add = groupOperations.find((o) => o.name === 'AddUserToGroup')!;
    const ctx = env.ctx();
    assert.deepEqual(add.resources({ GroupName: 'g', UserName: 'u' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:group/g`]);
    assert.deepEqual(upd.resources({ GroupName: 'g', NewGroupName: 'h', NewPath: '/x/' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:group/g`, `arn:aws:iam::${TEST_ACCOUNT}:group/x/h`]);
    assert.deepEqual(groupOperations.find((o) => o.name === 'ListGroups')!.resources({}, ctx), ['*']);
    assert.deepEqual(groupOperations.find((o) => o.name === 'ListGroupsForUser')!.resources({ UserName: 'u' }, ctx), [`arn:aws:iam::${TEST_ACCOUNT}:user/u`]);
  });

  it('limits a user to 10 groups', async () => {
    for (let k = 0; k < 9; k++) {
      await call('CreateGroup', { GroupName: `g${k}` });
      await call('AddUserToGroup', { GroupName: `g${k}`, UserName: 'amy' });
    }
    await call('CreateGroup', { GroupName: 'g9' });
    await assert.rejects(call('AddUserToGroup', { GroupName: 'g9', UserName: 'amy' }), awsError('LimitExceeded', 'Cannot exceed quota for GroupsPerUser: 10'));
    assert.equal((await call('ListGroupsForUser', { UserName: 'amy' })).Groups.length, 10);
    await assert.rejects(call('AddUserToGroup', { GroupName: 'g9', UserName: 'ghost' }), awsError('NoSuchEntity', 'The user with name ghost cannot be found.'));
    for (let k = 0; k < 9; k++) await call('RemoveUserFromGroup', { GroupName: `g${k}`, UserName: 'amy' });
    await assert.rejects(call('RemoveUserFromGroup', { GroupName: 'g0', UserName: 'amy' }), awsError('NoSuchEntity', 'The user with name amy cannot be found.'));
  });

  it('inline policies with the 5,120 aggregate quota, and managed attachments (10 per group)', async () => {
    await call('PutGroupPolicy', { GroupName: 'admins', PolicyName: 'read', PolicyDocument: DOC });
    assert.deepEqual(await call('GetGroupPolicy', { GroupName: 'Admins', PolicyName: 'read' }), { GroupName: 'admins', PolicyName: 'read', PolicyDocument: DOC });
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(2600)}/*` }] });
    await call('PutGroupPolicy', { GroupName: 'admins', PolicyName: 'big1', PolicyDocument: big });
    await assert.rejects(call('PutGroupPolicy', { GroupName: 'admins', PolicyName: 'big2', PolicyDocument: big }), awsError('LimitExceeded', 'Maximum policy size of 5120 bytes exceeded for group admins'));
    await call('DeleteGroupPolicy', { GroupName: 'admins', PolicyName: 'big1' });
    assert.deepEqual((await call('ListGroupPolicies', { GroupName: 'admins' })).PolicyNames, ['read']);
    await assert.rejects(call('GetGroupPolicy', { GroupName: 'admins', PolicyName: 'big1' }), awsError('NoSuchEntity', 'The group policy with name big1 cannot be found.'));

    const now = new Date();
    const arns: string[] = [];
    for (let k = 0; k < 11; k++) {
      const arn = `arn:aws:iam::${TEST_ACCOUNT}:policy/team/G${k}`;
      await store.policies.create({ accountId: TEST_ACCOUNT, name: `G${k}`, path: '/team/', id: `ANPAGROUPPOLICY${String(k).padStart(5, '0')}`, arn, createdAt: now, updatedAt: now, defaultVersionId: 'v1', tags: [] }, { policyArn: arn, versionId: 'v1', document: DOC, isDefault: true, createdAt: now });
      arns.push(arn);
    }
    for (let k = 0; k < 10; k++) await call('AttachGroupPolicy', { GroupName: 'admins', PolicyArn: arns[k] });
    await assert.rejects(call('AttachGroupPolicy', { GroupName: 'admins', PolicyArn: arns[10] }), awsError('LimitExceeded', 'Cannot exceed quota for PoliciesPerGroup: 10'));
    assert.equal((await call('ListAttachedGroupPolicies', { GroupName: 'admins', PathPrefix: '/team/' })).AttachedPolicies.length, 10);
    await call('DetachGroupPolicy', { GroupName: 'admins', PolicyArn: arns[0] });
    await assert.rejects(call('DetachGroupPolicy', { GroupName: 'admins', PolicyArn: arns[0] }), awsError('NoSuchEntity', `Policy ${arns[0]} was not found.`));
  });

  it('UpdateGroup renames: members and policies follow; clashes are refused', async () => {
    await assert.rejects(call('UpdateGroup', { GroupName: 'admins', NewGroupName: 'G1' }), awsError('EntityAlreadyExists', 'Group with name G1 already exists.'));
    await call('UpdateGroup', { GroupName: 'admins', NewGroupName: 'operators', NewPath: '/' });
    const g = await call('GetGroup', { GroupName: 'operators' });
    assert.equal(g.Group.Arn, `arn:aws:iam::${TEST_ACCOUNT}:group/operators`);
    assert.deepEqual(g.Users.map((u: any) => u.UserName), ['amy', 'zed']);
    assert.deepEqual((await call('ListGroupPolicies', { GroupName: 'operators' })).PolicyNames, ['read']);
    assert.equal((await call('ListAttachedGroupPolicies', { GroupName: 'operators' })).AttachedPolicies.length, 9);
    assert.deepEqual((await call('ListGroupsForUser', { UserName: 'zed' })).Groups.map((x: any) => x.GroupName), ['operators']);
  });

  it('DeleteGroup refuses while it has users, inline or attached policies', async () => {
    const conflict = (what: string) => awsError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
    await assert.rejects(call('DeleteGroup', { GroupName: 'operators' }), conflict('remove users from group'));
    await call('RemoveUserFromGroup', { GroupName: 'operators', UserName: 'amy' });
    await call('RemoveUserFromGroup', { GroupName: 'operators', UserName: 'zed' });
    await assert.rejects(call('DeleteGroup', { GroupName: 'operators' }), conflict('delete policies'));
    await call('DeleteGroupPolicy', { GroupName: 'operators', PolicyName: 'read' });
    await assert.rejects(call('DeleteGroup', { GroupName: 'operators' }), conflict('detach all policies'));
    for (const p of (await call('ListAttachedGroupPolicies', { GroupName: 'operators' })).AttachedPolicies) await call('DetachGroupPolicy', { GroupName: 'operators', PolicyArn: p.PolicyArn });
    await call('DeleteGroup', { GroupName: 'operators' });
    await assert.rejects(call('DeleteGroup', { GroupName: 'operators' }), awsError('NoSuchEntity', 'The group with name operators cannot be found.'));
  });
});
