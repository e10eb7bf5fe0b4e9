import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type RequestPrincipal } from '../../policy/index.js';
import { effectiveTrustPolicy } from './roles.js';
import { ACCOUNT, harness, rejectsWith, trustFor, type Harness } from './iam-test-harness.test.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/target`;

/** Would the role's trust policy, as the engine sees it, let this user assume the role? */
async function trusts(user: { arn: string; id: string }): Promise<string> {
  const role = await h.store.roles.get(ACCOUNT, 'target');
  assert.ok(role);
  const principal: RequestPrincipal = { type: 'User', account: ACCOUNT, arn: user.arn, id: user.id };
  const doc = await effectiveTrustPolicy(role, h.store);
  return evaluate({ principal, action: 'sts:AssumeRole', resource: role.arn }, { identity: [], resource: { id: 'trust', policy: doc } }, { resourceType: 'trust' }).decision;
}

const trustDoc = async () => JSON.parse((await h.call('GetRole', { RoleName: 'target' })).Role.AssumeRolePolicyDocument);

describe('trust policy principals', () => {
  it('binds a user principal to its unique id: deleting and re-creating the user does not restore trust', async () => {
    const alice = await h.createUser('alice');
    const doc = trustFor(ALICE);
    await h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: doc });
    assert.deepEqual((await h.store.roles.get(ACCOUNT, 'target'))?.trustPrincipalIds, [{ arn: ALICE, id: alice.id }]);
    assert.equal((await h.call('GetRole', { RoleName: 'target' })).Role.AssumeRolePolicyDocument, doc);
    assert.equal(await trusts(alice), 'allowed');

    await h.store.users.delete(ACCOUNT, 'alice');
    assert.equal((await trustDoc()).Statement[0].Principal.AWS, alice.id); // IAM shows the bare unique id
    const alice2 = await h.createUser('alice');
    assert.notEqual(alice2.id, alice.id);
    assert.equal(await trusts(alice2), 'implicitDeny');
    assert.equal((await trustDoc()).Statement[0].Principal.AWS, alice.id);

    // Saving the ARN again binds the new user.
    await h.call('UpdateAssumeRolePolicy', { RoleName: 'target', PolicyDocument: doc });
    assert.equal(await trusts(alice2), 'allowed');
    assert.equal((await trustDoc()).Statement[0].Principal.AWS, ALICE);
  });

  it('binds role principals the same way and follows a renamed user', async () => {
    const alice = await h.createUser('alice');
    await h.call('CreateRole', { RoleName: 'caller', AssumeRolePolicyDocument: trustFor(ALICE) });
    const callerRole = (await h.call('GetRole', { RoleName: 'caller' })).Role;
    await h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: trustFor(ALICE, callerRole.Arn) });
    assert.deepEqual(
      (await h.store.roles.get(ACCOUNT, 'target'))?.trustPrincipalIds.map((p) => p.id),
      [alice.id, callerRole.RoleId],
    );
    await h.store.users.update(ACCOUNT, 'alice', { name: 'alicia', arn: `arn:aws:iam::${ACCOUNT}:user/alicia` });
    assert.deepEqual((await trustDoc()).Statement[0].Principal.AWS, [`arn:aws:iam::${ACCOUNT}:user/alicia`, callerRole.Arn]);
    assert.equal(await trusts({ arn: `arn:aws:iam::${ACCOUNT}:user/alicia`, id: alice.id }), 'allowed');

    await h.call('DeleteRole', { RoleName: 'caller' });
    assert.deepEqual((await trustDoc()).Statement[0].Principal.AWS, [`arn:aws:iam::${ACCOUNT}:user/alicia`, callerRole.RoleId]);
  });

  it('refuses principals naming users or roles that do not exist in the account', async () => {
    await rejectsWith(
      h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${ACCOUNT}:role/nope`) }),
      'MalformedPolicyDocument',
      `Invalid principal in policy: "AWS":"arn:aws:iam::${ACCOUNT}:role/nope"`,
    );
    await h.createUser('bob', '/eng/');
    // The ARN must carry the user's path.
    await rejectsWith(h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${ACCOUNT}:user/bob`) }), 'MalformedPolicyDocument', /Invalid principal in policy/);
    await h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${ACCOUNT}:user/eng/bob`) });
    await rejectsWith(
      h.call('UpdateAssumeRolePolicy', { RoleName: 'target', PolicyDocument: trustFor(`arn:aws:iam::${ACCOUNT}:user/ghost`) }),
      'MalformedPolicyDocument',
      `Invalid principal in policy: "AWS":"arn:aws:iam::${ACCOUNT}:user/ghost"`,
    );
    // A role cannot trust itself before it exists.
    await rejectsWith(h.call('CreateRole', { RoleName: 'self', AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${ACCOUNT}:role/self`) }), 'MalformedPolicyDocument', /Invalid principal/);
  });

  it('checks cross-account principals only for accounts that live here', async () => {
    await h.call('CreateRole', { RoleName: 'a', AssumeRolePolicyDocument: trustFor('arn:aws:iam::999999999999:user/anyone', '999999999999', 'arn:aws:iam::999999999999:root') });
    assert.deepEqual((await h.store.roles.get(ACCOUNT, 'a'))?.trustPrincipalIds, []);
    const other = '210987654321';
    await h.store.accounts.create({ id: other, createdAt: h.clock.now() });
    await rejectsWith(h.call('CreateRole', { RoleName: 'b', AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${other}:user/carol`) }), 'MalformedPolicyDocument', `Invalid principal in policy: "AWS":"arn:aws:iam::${other}:user/carol"`);
    await h.store.users.create({ accountId: other, name: 'carol', path: '/', id: 'AIDACAROLCAROLCAROL1', arn: `arn:aws:iam::${other}:user/carol`, createdAt: h.clock.now(), tags: [] });
    await h.call('CreateRole', { RoleName: 'b', AssumeRolePolicyDocument: trustFor(`arn:aws:iam::${other}:user/carol`) });
    assert.deepEqual((await h.store.roles.get(ACCOUNT, 'b'))?.trustPrincipalIds, [{ arn: `arn:aws:iam::${other}:user/carol`, id: 'AIDACAROLCAROLCAROL1' }]);
  });

  it('does not bind ARNs used as condition values', async () => {
    const alice = await h.createUser('alice');
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': ALICE } } }],
    });
    await h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: doc });
    await h.store.users.delete(ACCOUNT, 'alice');
    assert.equal((await h.call('GetRole', { RoleName: 'target' })).Role.AssumeRolePolicyDocument, doc);
    void alice;
  });

  it('rewrites ListRoles documents too', async () => {
    const alice = await h.createUser('alice');
    await h.call('CreateRole', { RoleName: 'target', AssumeRolePolicyDocument: trustFor(ALICE) });
    await h.store.users.delete(ACCOUNT, 'alice');
    const listed = JSON.parse((await h.call('ListRoles', {})).Roles[0].AssumeRolePolicyDocument);
    assert.equal(listed.Statement[0].Principal.AWS, alice.id);
    assert.equal(ROLE_ARN, (await h.call('GetRole', { RoleName: 'target' })).Role.Arn);
  });
});
