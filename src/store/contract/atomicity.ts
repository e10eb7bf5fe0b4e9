/** Contract: transactions and concurrent writes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError } from '../ports.js';
import { ACCT, createPolicy, group, user, within } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';

class Boom extends Error {}

export function atomicityContract(open: OpenStore): void {
  describe('transactions', () => {
    it('commits every write and returns fn’s value', () =>
      withStore(open, async (s) => {
        const out = await s.transaction(async (tx) => {
          await tx.users.create(user('alice'));
          await tx.groups.create(group('devs'));
          await tx.groups.addUser(ACCT, 'devs', 'alice');
          assert.ok(await tx.users.get(ACCT, 'alice'), 'reads see the transaction’s own writes');
          return 42;
        });
        assert.equal(out, 42);
        assert.deepEqual(await s.groups.listUsers(ACCT, 'devs'), ['alice']);
      }));

    it('rolls back every write when fn throws, and rethrows the same error', () =>
      withStore(open, async (s) => {
        await s.settings.put('k', 'before');
        const boom = new Boom('stop');
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.users.create(user('alice'));
            await createPolicy(tx, 'P');
            await tx.settings.put('k', 'during');
            await tx.users.update(ACCT, 'alice', { tags: [{ Key: 'a', Value: 'b' }] });
            throw boom;
          }),
          (e) => e === boom,
        );
        assert.equal(await s.users.get(ACCT, 'alice'), undefined);
        assert.deepEqual(await s.policies.list(ACCT), []);
        assert.equal(await s.settings.get('k'), 'before');
      }));

    it('rolls back when a write inside fails (no partial writes)', () =>
      withStore(open, async (s) => {
        await s.users.create(user('taken'));
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.users.create(user('fresh'));
            await tx.users.create(user('TAKEN'));
          }),
          StoreConflictError,
        );
        assert.equal(await s.users.get(ACCT, 'fresh'), undefined);
      }));

    it('nested transactions join the outer one: all commit or none', () =>
      withStore(open, async (s) => {
        await s.transaction(async (tx) => {
          await tx.users.create(user('outer'));
          await tx.transaction(async (inner) => {
            await inner.users.create(user('inner'));
          });
        });
        assert.ok(await s.users.get(ACCT, 'inner'));
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.transaction(async (inner) => {
              await inner.users.create(user('inner2'));
            });
            await tx.users.create(user('outer2'));
            throw new Boom('after the inner one committed');
          }),
          Boom,
        );
        assert.equal(await s.users.get(ACCT, 'inner2'), undefined, 'the inner write went with the outer rollback');
        assert.equal(await s.users.get(ACCT, 'outer2'), undefined);
      }));

    it('a call on the root store inside fn joins the transaction (no deadlock)', () =>
      withStore(open, async (s) => {
        await assert.rejects(
          within(
            5000,
            'root store call inside a transaction',
            s.transaction(async () => {
              await s.users.create(user('via-root'));
              await s.transaction(async (again) => again.users.create(user('via-root-tx')));
              assert.ok(await s.users.get(ACCT, 'via-root'));
              throw new Boom('roll it back');
            }),
          ),
          Boom,
        );
        assert.equal(await s.users.get(ACCT, 'via-root'), undefined);
        assert.equal(await s.users.get(ACCT, 'via-root-tx'), undefined);
      }));

    it('a transaction-bound store refuses to be used after the transaction ends', () =>
      withStore(open, async (s) => {
        let leaked: typeof s | undefined;
        await s.transaction(async (tx) => {
          leaked = tx;
        });
        await assert.rejects(async () => leaked?.users.create(user('late')));
        assert.equal(await s.users.get(ACCT, 'late'), undefined);
      }));
  });

  describe('concurrency', () => {
    it('many parallel creates all land, uncorrupted', () =>
      withStore(open, async (s) => {
        const names = Array.from({ length: 200 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
        await Promise.all(names.map((n) => s.users.create(user(n, { tags: [{ Key: 'n', Value: n }] }))));
        const all = await s.users.list(ACCT);
        assert.deepEqual(
          all.map((u) => u.name),
          names,
        );
        for (const u of all) assert.deepEqual(u.tags, [{ Key: 'n', Value: u.name }]);
      }));

    it('parallel creates of one name: exactly one wins, the rest conflict', () =>
      withStore(open, async (s) => {
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => s.users.create(user(i % 2 ? 'Same' : 'same'))));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof StoreConflictError, String(r.reason));
        assert.equal((await s.users.list(ACCT)).length, 1);
      }));

    it('a transaction ending while others run leaves their root-store calls joined', () =>
      withStore(open, async (s) => {
        // Where transactions overlap (PostgreSQL's pool), the first to end must not take the
        // others' context with it (the SQL store turns its context tracking off when none is open).
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            s.transaction(async () => {
              await new Promise((r) => setTimeout(r, i * 15));
              await s.users.create(user(`late-${i}`));
              await new Promise((r) => setTimeout(r, 10));
              if (i % 2 === 1) throw new Boom('roll it back');
            }),
          ),
        );
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected'],
        );
        assert.deepEqual((await s.users.list(ACCT)).map((u) => u.name), ['late-0', 'late-2', 'late-4']);
      }));

    it('parallel transactions all commit; a failing one among them leaves nothing', () =>
      withStore(open, async (s) => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            s.transaction(async (tx) => {
              await tx.groups.create(group(`g${i}`));
              for (let j = 0; j < 3; j++) {
                await tx.users.create(user(`u${i}-${j}`));
                await tx.groups.addUser(ACCT, `g${i}`, `u${i}-${j}`);
              }
              if (i === 7) throw new Boom('one fails');
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
        assert.equal((await s.groups.list(ACCT)).length, 19);
        assert.equal((await s.users.list(ACCT)).length, 57);
        assert.equal(await s.groups.get(ACCT, 'g7'), undefined);
        assert.deepEqual(await s.groups.listUsers(ACCT, 'g3'), ['u3-0', 'u3-1', 'u3-2']);
      }));
  });
}
