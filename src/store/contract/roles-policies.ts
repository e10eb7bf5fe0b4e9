/** Contract: roles, managed policies and versions, inline policies, attachments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError, StoreReferenceError } from '../ports.js';
import { ACCT, ACCT2, DOC, T0, T1, createPolicy, group, instanceProfile, policy, role, user, version } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';

export function rolePolicyContract(open: OpenStore): void {
  describe('roles', () => {
    it('round-trips every field, trustPrincipalIds and lastUsed included', () =>
      withStore(open, async (s) => {
        const r = role('Deployer', {
          path: '/ci/',
          description: 'deploys things',
          maxSessionDuration: 43200,
          trustPrincipalIds: [
            { arn: 'arn:aws:iam::123456789012:user/alice', id: 'AIDAEXAMPLE1' },
            { arn: 'arn:aws:iam::123456789012:role/other', id: 'AROAEXAMPLE2' },
          ],
          tags: [{ Key: 'env', Value: 'prod' }],
          permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/B',
          lastUsed: { date: T1, region: 'eu-west-1' },
        });
        await s.roles.create(r);
        assert.deepEqual(await s.roles.get(ACCT, 'deployer'), r);
        assert.deepEqual(await s.roles.getById(r.id), r);
        const minimal = role('min');
        await s.roles.create(minimal);
        assert.deepEqual(await s.roles.get(ACCT, 'MIN'), minimal);
      }));

    it('enforces case-insensitive uniqueness per account; lists sorted and by path', () =>
      withStore(open, async (s) => {
        await s.roles.create(role('b-role', { path: '/svc/' }));
        await s.roles.create(role('A-role'));
        await assert.rejects(s.roles.create(role('B-ROLE')), StoreConflictError);
        await s.roles.create(role('b-role', { accountId: ACCT2 }));
        assert.deepEqual((await s.roles.list(ACCT)).map((r) => r.name), ['A-role', 'b-role']);
        assert.deepEqual((await s.roles.list(ACCT, '/svc/')).map((r) => r.name), ['b-role']);
      }));

    it('updates fields and clears optional ones with null', () =>
      withStore(open, async (s) => {
        const r = role('r', { description: 'd', lastUsed: { date: T0, region: 'us-east-1' }, permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/B' });
        await s.roles.create(r);
        const trust = [{ arn: 'arn:aws:iam::123456789012:user/bob', id: 'AIDABOB' }];
        assert.equal(await s.roles.update(ACCT, 'R', { assumeRolePolicyDocument: DOC, trustPrincipalIds: trust, maxSessionDuration: 7200, tags: [{ Key: 'k', Value: 'v' }] }), true);
        assert.equal(await s.roles.update(ACCT, 'r', { lastUsed: { date: T1, region: 'ap-south-1' } }), true);
        let got = await s.roles.get(ACCT, 'r');
        assert.equal(got?.assumeRolePolicyDocument, DOC);
        assert.deepEqual(got?.trustPrincipalIds, trust);
        assert.equal(got?.maxSessionDuration, 7200);
        assert.deepEqual(got?.tags, [{ Key: 'k', Value: 'v' }]);
        assert.deepEqual(got?.lastUsed, { date: T1, region: 'ap-south-1' });
        assert.equal(await s.roles.update(ACCT, 'r', { description: null, lastUsed: null, permissionsBoundaryArn: null }), true);
        got = await s.roles.get(ACCT, 'r');
        assert.equal(got && 'description' in got, false);
        assert.equal(got && 'lastUsed' in got, false);
        assert.equal(got && 'permissionsBoundaryArn' in got, false);
        assert.equal(await s.roles.update(ACCT, 'missing', { description: 'x' }), false);
      }));

    it('delete removes the role with its inline policies, attachments and profile membership', () =>
      withStore(open, async (s) => {
        await s.roles.create(role('r'));
        await s.inlinePolicies.put({ accountId: ACCT, ownerType: 'role', ownerName: 'r', policyName: 'p', document: DOC });
        await s.attachments.attach({ accountId: ACCT, ownerType: 'role', ownerName: 'r', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
        await s.instanceProfiles.create(instanceProfile('ip', { roleNames: ['r'] }));
        assert.equal(await s.roles.delete(ACCT, 'R'), true);
        assert.equal(await s.roles.delete(ACCT, 'r'), false);
        await s.roles.create(role('r')); // a namesake inherits nothing
        assert.deepEqual(await s.inlinePolicies.list(ACCT, 'role', 'r'), []);
        assert.deepEqual(await s.attachments.listForEntity(ACCT, 'role', 'r'), []);
        assert.deepEqual(await s.attachments.listForPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess'), []);
        assert.deepEqual((await s.instanceProfiles.get(ACCT, 'ip'))?.roleNames, []);
      }));
  });

  describe('managed policies', () => {
    it('creates with v1 as the default version; get round-trips', () =>
      withStore(open, async (s) => {
        const p = await createPolicy(s, 'ReadStuff', { description: 'reads', tags: [{ Key: 'a', Value: 'b' }], path: '/team/' });
        assert.deepEqual(await s.policies.get(p.arn), p);
        assert.deepEqual(await s.policies.getVersion(p.arn, 'v1'), version(p.arn, 'v1', { isDefault: true }));
        assert.equal(await s.policies.get('arn:aws:iam::123456789012:policy/nope'), undefined);
      }));

    it('rejects a duplicate name case-insensitively, whatever the path', () =>
      withStore(open, async (s) => {
        await createPolicy(s, 'P');
        await assert.rejects(createPolicy(s, 'p', { path: '/other/' }), StoreConflictError);
        await createPolicy(s, 'p', { accountId: ACCT2 });
      }));

    it('lists by name, by path prefix, with or without AWS managed policies', () =>
      withStore(open, async (s) => {
        await createPolicy(s, 'zz');
        await createPolicy(s, 'Mid', { path: '/x/' });
        await createPolicy(s, 'ReadOnlyAccess', { accountId: 'aws', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
        await createPolicy(s, 'AdministratorAccess', { accountId: 'aws', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
        await createPolicy(s, 'other', { accountId: ACCT2 });
        assert.deepEqual((await s.policies.list(ACCT)).map((p) => p.name), ['Mid', 'zz']);
        assert.deepEqual((await s.policies.list(ACCT, { includeAws: true })).map((p) => p.name), ['AdministratorAccess', 'Mid', 'ReadOnlyAccess', 'zz']);
        assert.deepEqual((await s.policies.list(ACCT, { pathPrefix: '/x/', includeAws: true })).map((p) => p.name), ['Mid']);
        assert.deepEqual((await s.policies.list('aws')).map((p) => p.name), ['AdministratorAccess', 'ReadOnlyAccess']);
      }));

    it('adds, lists (numerically), gets and deletes versions', () =>
      withStore(open, async (s) => {
        const p = await createPolicy(s, 'P');
        for (let i = 2; i <= 11; i++) await s.policies.addVersion(version(p.arn, `v${i}`, { createdAt: new Date(T0.getTime() + i) }));
        const vs = await s.policies.listVersions(p.arn);
        assert.deepEqual(vs.map((v) => v.versionId), ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
        assert.deepEqual(vs.filter((v) => v.isDefault).map((v) => v.versionId), ['v1']);
        assert.deepEqual(await s.policies.getVersion(p.arn, 'v10'), version(p.arn, 'v10', { createdAt: new Date(T0.getTime() + 10) }));
        await assert.rejects(s.policies.addVersion(version(p.arn, 'v2')), StoreConflictError);
        await assert.rejects(s.policies.addVersion(version('arn:aws:iam::123456789012:policy/none', 'v1')), StoreReferenceError);
        assert.equal(await s.policies.deleteVersion(p.arn, 'v3'), true);
        assert.equal(await s.policies.deleteVersion(p.arn, 'v3'), false);
        assert.equal(await s.policies.getVersion(p.arn, 'v3'), undefined);
        assert.deepEqual(await s.policies.listVersions('arn:aws:iam::123456789012:policy/none'), []);
      }));

    it('setDefaultVersion leaves exactly one default and stamps updatedAt', () =>
      withStore(open, async (s) => {
        const p = await createPolicy(s, 'P');
        await s.policies.addVersion(version(p.arn, 'v2'));
        await s.policies.addVersion(version(p.arn, 'v3'));
        assert.equal(await s.policies.setDefaultVersion(p.arn, 'v2', T1), true);
        let vs = await s.policies.listVersions(p.arn);
        assert.deepEqual(vs.filter((v) => v.isDefault).map((v) => v.versionId), ['v2']);
        assert.equal((await s.policies.get(p.arn))?.defaultVersionId, 'v2');
        assert.deepEqual((await s.policies.get(p.arn))?.updatedAt, T1);
        assert.equal(await s.policies.setDefaultVersion(p.arn, 'v9', T0), false); // no such version
        assert.equal(await s.policies.setDefaultVersion('arn:aws:iam::123456789012:policy/none', 'v1', T0), false);
        assert.equal((await s.policies.get(p.arn))?.defaultVersionId, 'v2');
        // A version added as default takes over, still exactly one.
        await s.policies.addVersion(version(p.arn, 'v4', { isDefault: true, createdAt: T1 }));
        vs = await s.policies.listVersions(p.arn);
        assert.deepEqual(vs.filter((v) => v.isDefault).map((v) => v.versionId), ['v4']);
        assert.equal((await s.policies.get(p.arn))?.defaultVersionId, 'v4');
        // update(defaultVersionId) agrees with the version flags too.
        assert.equal(await s.policies.update(p.arn, { defaultVersionId: 'v3' }), true);
        vs = await s.policies.listVersions(p.arn);
        assert.deepEqual(vs.filter((v) => v.isDefault).map((v) => v.versionId), ['v3']);
      }));

    it('updates description/tags/updatedAt and deletes with versions and attachments', () =>
      withStore(open, async (s) => {
        const p = await createPolicy(s, 'P', { description: 'old' });
        assert.equal(await s.policies.update(p.arn, { description: null, tags: [{ Key: 'x', Value: 'y' }], updatedAt: T1 }), true);
        assert.deepEqual(await s.policies.get(p.arn), { ...policy('P', { id: p.id, arn: p.arn }), tags: [{ Key: 'x', Value: 'y' }], updatedAt: T1 });
        assert.equal(await s.policies.update('arn:aws:iam::123456789012:policy/none', { description: 'x' }), false);
        await s.users.create(user('alice'));
        await s.attachments.attach({ accountId: ACCT, ownerType: 'user', ownerName: 'alice', policyArn: p.arn });
        assert.equal(await s.policies.delete(p.arn), true);
        assert.equal(await s.policies.delete(p.arn), false);
        assert.equal(await s.policies.getVersion(p.arn, 'v1'), undefined);
        assert.deepEqual(await s.attachments.listForPolicy(p.arn), []);
        const again = await createPolicy(s, 'P'); // same ARN, new policy: nothing inherited
        assert.deepEqual((await s.policies.listVersions(again.arn)).map((v) => v.versionId), ['v1']);
        assert.deepEqual(await s.attachments.listForEntity(ACCT, 'user', 'alice'), []);
      }));
  });

  describe('inline policies', () => {
    it('puts (insert or replace), gets case-insensitively, lists sorted, deletes', () =>
      withStore(open, async (s) => {
        await s.users.create(user('Alice'));
        await s.roles.create(role('alice')); // same name, other entity type
        const base = { accountId: ACCT, ownerType: 'user' as const, ownerName: 'Alice' };
        await s.inlinePolicies.put({ ...base, policyName: 'zeta', document: DOC });
        await s.inlinePolicies.put({ ...base, policyName: 'Alpha', document: DOC });
        await s.inlinePolicies.put({ ...base, ownerName: 'ALICE', policyName: 'ZETA', document: '{"v":2}' });
        assert.deepEqual(await s.inlinePolicies.get(ACCT, 'user', 'alice', 'zeta'), { ...base, policyName: 'ZETA', document: '{"v":2}' });
        assert.deepEqual((await s.inlinePolicies.list(ACCT, 'user', 'alice')).map((p) => p.policyName), ['Alpha', 'ZETA']);
        assert.deepEqual(await s.inlinePolicies.list(ACCT, 'role', 'alice'), []);
        assert.equal(await s.inlinePolicies.get(ACCT, 'role', 'alice', 'zeta'), undefined);
        assert.equal(await s.inlinePolicies.delete(ACCT, 'user', 'alice', 'Zeta'), true);
        assert.equal(await s.inlinePolicies.delete(ACCT, 'user', 'alice', 'zeta'), false);
        assert.equal(await s.inlinePolicies.delete(ACCT, 'group', 'nope', 'zeta'), false);
        assert.deepEqual((await s.inlinePolicies.list(ACCT, 'user', 'alice')).map((p) => p.policyName), ['Alpha']);
      }));

    it('follows a renamed user or group, and goes with a deleted one', () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        await s.groups.create(group('devs'));
        await s.inlinePolicies.put({ accountId: ACCT, ownerType: 'user', ownerName: 'alice', policyName: 'p', document: DOC });
        await s.inlinePolicies.put({ accountId: ACCT, ownerType: 'group', ownerName: 'devs', policyName: 'g', document: DOC });
        await s.users.update(ACCT, 'alice', { name: 'alicia' });
        await s.groups.update(ACCT, 'devs', { name: 'developers' });
        assert.equal((await s.inlinePolicies.get(ACCT, 'user', 'alicia', 'p'))?.ownerName, 'alicia');
        assert.equal((await s.inlinePolicies.get(ACCT, 'group', 'developers', 'g'))?.ownerName, 'developers');
        await s.users.delete(ACCT, 'alicia');
        await s.groups.delete(ACCT, 'developers');
        await s.users.create(user('alicia'));
        await s.groups.create(group('developers'));
        assert.deepEqual(await s.inlinePolicies.list(ACCT, 'user', 'alicia'), []);
        assert.deepEqual(await s.inlinePolicies.list(ACCT, 'group', 'developers'), []);
      }));

    it('refuses a policy for a missing owner with StoreReferenceError', () =>
      withStore(open, async (s) => {
        await assert.rejects(s.inlinePolicies.put({ accountId: ACCT, ownerType: 'role', ownerName: 'ghost', policyName: 'p', document: DOC }), StoreReferenceError);
      }));
  });

  describe('attachments', () => {
    const arnA = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const arnB = 'arn:aws:iam::123456789012:policy/Custom';

    it('attach is idempotent; lists both ways; detach reports', () =>
      withStore(open, async (s) => {
        await s.users.create(user('bob'));
        await s.groups.create(group('devs'));
        await s.roles.create(role('Runner'));
        const a = { accountId: ACCT, ownerType: 'user' as const, ownerName: 'bob', policyArn: arnB };
        await s.attachments.attach(a);
        await s.attachments.attach({ ...a, ownerName: 'BOB' });
        await s.attachments.attach({ ...a, policyArn: arnA });
        await s.attachments.attach({ accountId: ACCT, ownerType: 'role', ownerName: 'runner', policyArn: arnA });
        await s.attachments.attach({ accountId: ACCT, ownerType: 'group', ownerName: 'devs', policyArn: arnA });
        // Sorted by policy ARN.
        assert.deepEqual(await s.attachments.listForEntity(ACCT, 'user', 'Bob'), [
          { ...a, policyArn: arnB },
          { ...a, policyArn: arnA },
        ]);
        assert.deepEqual(await s.attachments.listForPolicy(arnA), [
          { accountId: ACCT, ownerType: 'group', ownerName: 'devs', policyArn: arnA },
          { accountId: ACCT, ownerType: 'role', ownerName: 'Runner', policyArn: arnA },
          { accountId: ACCT, ownerType: 'user', ownerName: 'bob', policyArn: arnA },
        ]);
        assert.equal(await s.attachments.detach({ ...a, ownerName: 'Bob' }), true);
        assert.equal(await s.attachments.detach(a), false);
        assert.equal(await s.attachments.detach({ ...a, ownerName: 'ghost' }), false);
        assert.deepEqual(await s.attachments.listForEntity(ACCT, 'user', 'bob'), [{ ...a, policyArn: arnA }]);
        assert.deepEqual(await s.attachments.listForEntity(ACCT, 'user', 'ghost'), []);
        await assert.rejects(s.attachments.attach({ ...a, ownerName: 'ghost' }), StoreReferenceError);
      }));

    it('follows a renamed owner', () =>
      withStore(open, async (s) => {
        await s.users.create(user('bob'));
        await s.attachments.attach({ accountId: ACCT, ownerType: 'user', ownerName: 'bob', policyArn: arnA });
        await s.users.update(ACCT, 'bob', { name: 'Robert' });
        assert.deepEqual(await s.attachments.listForPolicy(arnA), [{ accountId: ACCT, ownerType: 'user', ownerName: 'Robert', policyArn: arnA }]);
      }));

    it('counts permissions-boundary usage across users and roles', () =>
      withStore(open, async (s) => {
        await s.users.create(user('u1', { permissionsBoundaryArn: arnB }));
        await s.users.create(user('u2'));
        await s.roles.create(role('r1', { permissionsBoundaryArn: arnB }));
        await s.roles.create(role('r2', { permissionsBoundaryArn: arnA }));
        assert.equal(await s.attachments.countBoundaryUsage(ACCT, arnB), 2);
        assert.equal(await s.attachments.countBoundaryUsage(ACCT, arnA), 1);
        await s.users.update(ACCT, 'u2', { permissionsBoundaryArn: arnB });
        await s.roles.update(ACCT, 'r1', { permissionsBoundaryArn: null });
        assert.equal(await s.attachments.countBoundaryUsage(ACCT, arnB), 2);
        assert.equal(await s.attachments.countBoundaryUsage(ACCT, 'arn:aws:iam::123456789012:policy/unused'), 0);
        // Another account's users count in that account only (an AWS managed policy is everyone's).
        await s.users.create(user('elsewhere', { accountId: ACCT2, permissionsBoundaryArn: arnB }));
        assert.equal(await s.attachments.countBoundaryUsage(ACCT, arnB), 2);
        assert.equal(await s.attachments.countBoundaryUsage(ACCT2, arnB), 1);
      }));
  });
}
