/** Contract: accounts, users, groups and group membership. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError, StoreReferenceError, type Store } from '../ports.js';
import { ACCT, ACCT2, T0, T1, group, user } from './fixtures.js';

export type OpenStore = () => Promise<Store>;

export async function withStore<T>(open: OpenStore, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await open();
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export function identityContract(open: OpenStore): void {
  describe('accounts', () => {
    it('creates, gets, lists by id, and round-trips alias and date', () =>
      withStore(open, async (s) => {
        await s.accounts.create({ id: ACCT2, createdAt: T1 });
        await s.accounts.create({ id: ACCT, createdAt: T0, alias: 'my-org' });
        assert.deepEqual(await s.accounts.get(ACCT), { id: ACCT, createdAt: T0, alias: 'my-org' });
        assert.deepEqual(await s.accounts.get(ACCT2), { id: ACCT2, createdAt: T1 });
        assert.equal(await s.accounts.get('000000000000'), undefined);
        assert.deepEqual((await s.accounts.list()).map((a) => a.id), [ACCT, ACCT2]);
      }));

    it('rejects a duplicate id with StoreConflictError', () =>
      withStore(open, async (s) => {
        await s.accounts.create({ id: ACCT, createdAt: T0 });
        await assert.rejects(s.accounts.create({ id: ACCT, createdAt: T1 }), StoreConflictError);
      }));
  });

  describe('users', () => {
    it('round-trips every field exactly (dates to the millisecond, tags as JSON)', () =>
      withStore(open, async (s) => {
        const u = user('Alice', {
          path: '/eng/',
          tags: [{ Key: 'team', Value: 'Ünïcödé ✓' }, { Key: 'empty', Value: '' }],
          permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/Boundary',
          passwordLastUsed: T1,
        });
        await s.users.create(u);
        assert.deepEqual(await s.users.get(ACCT, 'Alice'), u);
        assert.deepEqual(await s.users.getById(u.id), u);
        const got = await s.users.get(ACCT, 'Alice');
        assert.equal(got?.createdAt.getTime(), T0.getTime());
        assert.ok(got?.createdAt instanceof Date);
      }));

    it('omits absent optional fields', () =>
      withStore(open, async (s) => {
        const u = user('bob');
        await s.users.create(u);
        const got = await s.users.get(ACCT, 'bob');
        assert.deepEqual(got, u);
        assert.equal(Object.hasOwn(got ?? {}, 'permissionsBoundaryArn'), false);
        assert.equal(Object.hasOwn(got ?? {}, 'passwordLastUsed'), false);
      }));

    it('looks names up case-insensitively and keeps the stored case', () =>
      withStore(open, async (s) => {
        await s.users.create(user('MixedCase'));
        assert.equal((await s.users.get(ACCT, 'mixedcase'))?.name, 'MixedCase');
        assert.equal((await s.users.get(ACCT, 'MIXEDCASE'))?.name, 'MixedCase');
        assert.equal(await s.users.getById('AIDANOSUCHUSER'), undefined);
        assert.equal(await s.users.get(ACCT, 'nobody'), undefined);
      }));

    it('rejects a name that differs only in case with StoreConflictError; other accounts are separate', () =>
      withStore(open, async (s) => {
        await s.users.create(user('Alice'));
        const err = await s.users.create(user('ALICE')).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof StoreConflictError, `expected StoreConflictError, got ${String(err)}`);
        assert.equal(err.entity, 'user');
        await s.users.create(user('alice', { accountId: ACCT2 }));
        assert.equal((await s.users.list(ACCT)).length, 1);
        assert.equal((await s.users.list(ACCT2)).length, 1);
      }));

    it('rejects a duplicate unique id', () =>
      withStore(open, async (s) => {
        const u = user('one');
        await s.users.create(u);
        await assert.rejects(s.users.create({ ...u, name: 'two' }), StoreConflictError);
      }));

    it('lists sorted by name (case-insensitively), filtered by path prefix', () =>
      withStore(open, async (s) => {
        for (const [n, p] of [
          ['zed', '/'],
          ['Bob', '/eng/'],
          ['alice', '/eng/backend/'],
          ['Carol', '/Eng/'],
          ['dan', '/engineering/'],
          ['eve', '/a_b/'],
          ['frank', '/aXb/'],
        ] as const) {
          await s.users.create(user(n, { path: p }));
        }
        assert.deepEqual((await s.users.list(ACCT)).map((u) => u.name), ['alice', 'Bob', 'Carol', 'dan', 'eve', 'frank', 'zed']);
        assert.deepEqual((await s.users.list(ACCT, '/eng/')).map((u) => u.name), ['alice', 'Bob']);
        assert.deepEqual((await s.users.list(ACCT, '/eng')).map((u) => u.name), ['alice', 'Bob', 'dan']);
        assert.deepEqual((await s.users.list(ACCT, '/')).length, 7);
        // Paths are case-sensitive and `_`/`%` are not wildcards.
        assert.deepEqual((await s.users.list(ACCT, '/Eng/')).map((u) => u.name), ['Carol']);
        assert.deepEqual((await s.users.list(ACCT, '/a_b/')).map((u) => u.name), ['eve']);
        assert.deepEqual((await s.users.list(ACCT, '/%')).map((u) => u.name), []);
        assert.deepEqual(await s.users.list(ACCT2), []);
      }));

    it('updates only the given fields; null clears an optional field', () =>
      withStore(open, async (s) => {
        const u = user('alice', { tags: [{ Key: 'a', Value: '1' }], permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/B' });
        await s.users.create(u);
        assert.equal(await s.users.update(ACCT, 'ALICE', { tags: [{ Key: 'b', Value: '2' }] }), true);
        assert.deepEqual(await s.users.get(ACCT, 'alice'), { ...u, tags: [{ Key: 'b', Value: '2' }] });
        assert.equal(await s.users.update(ACCT, 'alice', { permissionsBoundaryArn: null }), true);
        const { permissionsBoundaryArn: _dropped, ...rest } = u;
        assert.deepEqual(await s.users.get(ACCT, 'alice'), { ...rest, tags: [{ Key: 'b', Value: '2' }] });
        assert.equal(await s.users.update(ACCT, 'nobody', { tags: [] }), false);
        assert.equal(await s.users.update(ACCT, 'alice', {}), true);
        assert.equal(await s.users.update(ACCT, 'nobody', {}), false);
      }));

    it('renames, keeping memberships; a rename onto a taken name is a conflict', () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        await s.users.create(user('bob'));
        await s.groups.create(group('devs'));
        await s.groups.addUser(ACCT, 'devs', 'alice');
        assert.equal(await s.users.update(ACCT, 'alice', { name: 'Alicia', path: '/new/', arn: 'arn:aws:iam::123456789012:user/new/Alicia' }), true);
        assert.equal(await s.users.get(ACCT, 'alice'), undefined);
        const got = await s.users.get(ACCT, 'alicia');
        assert.equal(got?.name, 'Alicia');
        assert.equal(got?.path, '/new/');
        assert.equal(got?.arn, 'arn:aws:iam::123456789012:user/new/Alicia');
        assert.deepEqual(await s.groups.listUsers(ACCT, 'devs'), ['Alicia']);
        await assert.rejects(s.users.update(ACCT, 'Alicia', { name: 'BOB' }), StoreConflictError);
        assert.equal((await s.users.get(ACCT, 'alicia'))?.name, 'Alicia');
      }));

    it('deletes and reports whether something was deleted', () =>
      withStore(open, async (s) => {
        const u = user('alice');
        await s.users.create(u);
        assert.equal(await s.users.delete(ACCT, 'ALICE'), true);
        assert.equal(await s.users.delete(ACCT, 'alice'), false);
        assert.equal(await s.users.get(ACCT, 'alice'), undefined);
        assert.equal(await s.users.getById(u.id), undefined);
        await s.users.create(user('alice')); // the name is free again
      }));
  });

  describe('groups', () => {
    it('creates, gets case-insensitively, lists by name and path, updates, deletes', () =>
      withStore(open, async (s) => {
        const g = group('Admins', { path: '/ops/' });
        await s.groups.create(g);
        await s.groups.create(group('devs'));
        assert.deepEqual(await s.groups.get(ACCT, 'admins'), g);
        await assert.rejects(s.groups.create(group('ADMINS')), StoreConflictError);
        assert.deepEqual((await s.groups.list(ACCT)).map((x) => x.name), ['Admins', 'devs']);
        assert.deepEqual((await s.groups.list(ACCT, '/ops/')).map((x) => x.name), ['Admins']);
        assert.equal(await s.groups.update(ACCT, 'admins', { name: 'Operators', path: '/', arn: 'arn:aws:iam::123456789012:group/Operators' }), true);
        assert.deepEqual(await s.groups.get(ACCT, 'operators'), { ...g, name: 'Operators', path: '/', arn: 'arn:aws:iam::123456789012:group/Operators' });
        await assert.rejects(s.groups.update(ACCT, 'operators', { name: 'DEVS' }), StoreConflictError);
        assert.equal(await s.groups.update(ACCT, 'nope', { path: '/' }), false);
        assert.equal(await s.groups.delete(ACCT, 'OPERATORS'), true);
        assert.equal(await s.groups.delete(ACCT, 'operators'), false);
        assert.equal(await s.groups.get(ACCT, 'operators'), undefined);
      }));

    it('manages membership: idempotent add, remove, both directions sorted', () =>
      withStore(open, async (s) => {
        for (const n of ['carol', 'Alice', 'bob']) await s.users.create(user(n));
        for (const n of ['zeta', 'Alpha']) await s.groups.create(group(n));
        await s.groups.addUser(ACCT, 'zeta', 'carol');
        await s.groups.addUser(ACCT, 'ZETA', 'alice');
        await s.groups.addUser(ACCT, 'zeta', 'ALICE'); // idempotent
        await s.groups.addUser(ACCT, 'alpha', 'alice');
        assert.deepEqual(await s.groups.listUsers(ACCT, 'zeta'), ['Alice', 'carol']);
        assert.deepEqual((await s.groups.listGroupsForUser(ACCT, 'alice')).map((g) => g.name), ['Alpha', 'zeta']);
        assert.deepEqual(await s.groups.listGroupsForUser(ACCT, 'bob'), []);
        assert.deepEqual(await s.groups.listUsers(ACCT, 'nope'), []);
        assert.equal(await s.groups.removeUser(ACCT, 'zeta', 'Alice'), true);
        assert.equal(await s.groups.removeUser(ACCT, 'zeta', 'alice'), false);
        assert.equal(await s.groups.removeUser(ACCT, 'nope', 'alice'), false);
        assert.deepEqual(await s.groups.listUsers(ACCT, 'zeta'), ['carol']);
      }));

    it('refuses membership of a missing user or group with StoreReferenceError', () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        await s.groups.create(group('devs'));
        await assert.rejects(s.groups.addUser(ACCT, 'devs', 'ghost'), StoreReferenceError);
        await assert.rejects(s.groups.addUser(ACCT, 'ghosts', 'alice'), StoreReferenceError);
        await assert.rejects(s.groups.addUser(ACCT2, 'devs', 'alice'), StoreReferenceError);
      }));

    it('deleting a user or a group ends its memberships (a new namesake inherits nothing)', () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        await s.users.create(user('bob'));
        await s.groups.create(group('devs'));
        await s.groups.addUser(ACCT, 'devs', 'alice');
        await s.groups.addUser(ACCT, 'devs', 'bob');
        await s.users.delete(ACCT, 'alice');
        assert.deepEqual(await s.groups.listUsers(ACCT, 'devs'), ['bob']);
        await s.users.create(user('alice'));
        assert.deepEqual(await s.groups.listGroupsForUser(ACCT, 'alice'), []);
        await s.groups.delete(ACCT, 'devs');
        await s.groups.create(group('devs'));
        assert.deepEqual(await s.groups.listUsers(ACCT, 'devs'), []);
        assert.deepEqual(await s.groups.listGroupsForUser(ACCT, 'bob'), []);
      }));
  });
}
