/** Contract: access keys, MFA devices, instance profiles, settings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError, StoreReferenceError } from '../ports.js';
import { ACCT, ACCT2, T0, T1, accessKey, instanceProfile, mfaDevice, role, user } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';

export function credentialContract(open: OpenStore): void {
  describe('access keys', () => {
    it('creates user and root keys, gets them back with the secret, lists per owner', () =>
      withStore(open, async (s) => {
        await s.users.create(user('Alice'));
        const k1 = accessKey({ userName: 'Alice', createdAt: T1 });
        const k2 = accessKey({ userName: 'Alice', status: 'Inactive', lastUsed: { date: T1, service: 'sts', region: 'us-east-1' } });
        const root = accessKey();
        for (const k of [k1, k2, root]) await s.accessKeys.create(k);
        assert.deepEqual(await s.accessKeys.get(k1.accessKeyId), k1);
        assert.deepEqual(await s.accessKeys.get(k2.accessKeyId), k2);
        assert.deepEqual(await s.accessKeys.get(root.accessKeyId), root);
        assert.equal(await s.accessKeys.get('AKIANOSUCHKEY'), undefined);
        // Sorted by creation date.
        assert.deepEqual(await s.accessKeys.listForUser(ACCT, 'alice'), [k2, k1]);
        assert.deepEqual(await s.accessKeys.listForUser(ACCT, undefined), [root]);
        assert.deepEqual(await s.accessKeys.listForUser(ACCT2, undefined), []);
        assert.deepEqual(await s.accessKeys.listForUser(ACCT, 'nobody'), []);
      }));

    it('rejects a duplicate key id and a key for a missing user', () =>
      withStore(open, async (s) => {
        const k = accessKey();
        await s.accessKeys.create(k);
        await assert.rejects(s.accessKeys.create({ ...k, secretAccessKey: 'other' }), StoreConflictError);
        assert.equal((await s.accessKeys.get(k.accessKeyId))?.secretAccessKey, k.secretAccessKey);
        await assert.rejects(s.accessKeys.create(accessKey({ userName: 'ghost' })), StoreReferenceError);
      }));

    it('updates status, lastUsed and owner; deletes', () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        await s.users.create(user('bob'));
        const k = accessKey({ userName: 'alice' });
        await s.accessKeys.create(k);
        assert.equal(await s.accessKeys.update(k.accessKeyId, { status: 'Inactive', lastUsed: { date: T1, service: 'iam', region: 'us-west-2' } }), true);
        assert.deepEqual(await s.accessKeys.get(k.accessKeyId), { ...k, status: 'Inactive', lastUsed: { date: T1, service: 'iam', region: 'us-west-2' } });
        assert.equal(await s.accessKeys.update(k.accessKeyId, { lastUsed: null, userName: 'BOB' }), true);
        assert.deepEqual(await s.accessKeys.get(k.accessKeyId), { ...k, status: 'Inactive', userName: 'bob' });
        await assert.rejects(s.accessKeys.update(k.accessKeyId, { userName: 'ghost' }), StoreReferenceError);
        assert.equal(await s.accessKeys.update('AKIANOSUCHKEY', { status: 'Active' }), false);
        assert.equal(await s.accessKeys.update('AKIANOSUCHKEY', { userName: 'bob' }), false);
        assert.equal(await s.accessKeys.delete(k.accessKeyId), true);
        assert.equal(await s.accessKeys.delete(k.accessKeyId), false);
        assert.equal(await s.accessKeys.get(k.accessKeyId), undefined);
      }));

    it("follows a renamed user; a deleted user's keys are gone", () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        const k = accessKey({ userName: 'alice' });
        await s.accessKeys.create(k);
        await s.users.update(ACCT, 'alice', { name: 'Alicia' });
        assert.equal((await s.accessKeys.get(k.accessKeyId))?.userName, 'Alicia');
        assert.deepEqual((await s.accessKeys.listForUser(ACCT, 'alicia')).map((x) => x.accessKeyId), [k.accessKeyId]);
        await s.users.delete(ACCT, 'alicia');
        assert.equal(await s.accessKeys.get(k.accessKeyId), undefined);
        await s.users.create(user('Alicia'));
        assert.deepEqual(await s.accessKeys.listForUser(ACCT, 'alicia'), []);
      }));
  });

  describe('mfa devices', () => {
    it('round-trips the seed bytes and every field; lists by name; rejects duplicates', () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        const d = mfaDevice('alice-phone', { userName: 'alice', enabledAt: T1, lastUsedTimeStep: 57_000_000, tags: [{ Key: 'k', Value: 'v' }], seed: Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]) });
        const spare = mfaDevice('Spare', { path: '/spares/' });
        await s.mfaDevices.create(d);
        await s.mfaDevices.create(spare);
        const got = await s.mfaDevices.get(d.serialNumber);
        assert.deepEqual(got, d);
        assert.ok(Buffer.isBuffer(got?.seed));
        assert.deepEqual(await s.mfaDevices.get(spare.serialNumber), spare);
        assert.deepEqual((await s.mfaDevices.list(ACCT)).map((x) => x.name), ['alice-phone', 'Spare']);
        assert.deepEqual(await s.mfaDevices.list(ACCT2), []);
        assert.equal(await s.mfaDevices.get('arn:aws:iam::123456789012:mfa/none'), undefined);
        await assert.rejects(s.mfaDevices.create(mfaDevice('alice-phone')), StoreConflictError);
        await assert.rejects(s.mfaDevices.create(mfaDevice('SPARE')), StoreConflictError);
        await assert.rejects(s.mfaDevices.create(mfaDevice('x', { userName: 'ghost' })), StoreReferenceError);
      }));

    it('updates assignment, enablement and tags; deletes', () =>
      withStore(open, async (s) => {
        await s.users.create(user('Alice'));
        const d = mfaDevice('dev');
        await s.mfaDevices.create(d);
        assert.equal(await s.mfaDevices.update(d.serialNumber, { userName: 'alice', enabledAt: T1, tags: [{ Key: 'a', Value: 'b' }] }), true);
        assert.deepEqual(await s.mfaDevices.get(d.serialNumber), { ...d, userName: 'Alice', enabledAt: T1, tags: [{ Key: 'a', Value: 'b' }] });
        assert.equal(await s.mfaDevices.update(d.serialNumber, { userName: null, enabledAt: null, lastUsedTimeStep: 5 }), true);
        assert.deepEqual(await s.mfaDevices.get(d.serialNumber), { ...d, lastUsedTimeStep: 5, tags: [{ Key: 'a', Value: 'b' }] });
        assert.equal(await s.mfaDevices.update('arn:aws:iam::123456789012:mfa/none', { enabledAt: T0 }), false);
        assert.equal(await s.mfaDevices.delete(d.serialNumber), true);
        assert.equal(await s.mfaDevices.delete(d.serialNumber), false);
      }));

    it("deleting the user unassigns (and disables) the user's device", () =>
      withStore(open, async (s) => {
        await s.users.create(user('alice'));
        const d = mfaDevice('dev', { userName: 'alice', enabledAt: T1 });
        await s.mfaDevices.create(d);
        await s.users.delete(ACCT, 'alice');
        const got = await s.mfaDevices.get(d.serialNumber);
        assert.equal(got?.userName, undefined);
        assert.equal(got?.enabledAt, undefined);
      }));

    it('consumeTimeStep accepts each step once and only moving forward', () =>
      withStore(open, async (s) => {
        const d = mfaDevice('dev');
        await s.mfaDevices.create(d);
        assert.equal(await s.mfaDevices.consumeTimeStep(d.serialNumber, 1000), true);
        assert.equal(await s.mfaDevices.consumeTimeStep(d.serialNumber, 1000), false, 'replay');
        assert.equal(await s.mfaDevices.consumeTimeStep(d.serialNumber, 999), false, 'older step');
        assert.equal(await s.mfaDevices.consumeTimeStep(d.serialNumber, 1001), true);
        assert.equal((await s.mfaDevices.get(d.serialNumber))?.lastUsedTimeStep, 1001);
        assert.equal(await s.mfaDevices.consumeTimeStep('arn:aws:iam::123456789012:mfa/none', 5), false);
        // Real-world magnitude (time / 30 s) survives the round trip.
        const step = Math.floor(Date.UTC(2030, 0, 1) / 30_000);
        assert.equal(await s.mfaDevices.consumeTimeStep(d.serialNumber, step), true);
        assert.equal((await s.mfaDevices.get(d.serialNumber))?.lastUsedTimeStep, step);
      }));

    it('consumeTimeStep: of many simultaneous uses of one code, exactly one wins', () =>
      withStore(open, async (s) => {
        const d = mfaDevice('dev');
        await s.mfaDevices.create(d);
        const results = await Promise.all(Array.from({ length: 25 }, () => s.mfaDevices.consumeTimeStep(d.serialNumber, 4242)));
        assert.equal(results.filter(Boolean).length, 1);
      }));
  });

  describe('instance profiles', () => {
    it('round-trips roleNames in order and tags; lists by name and path; by role', () =>
      withStore(open, async (s) => {
        for (const n of ['Web', 'batch']) await s.roles.create(role(n));
        const p = instanceProfile('web-profile', { roleNames: ['Web'], tags: [{ Key: 't', Value: 'v' }], path: '/ec2/' });
        const q = instanceProfile('Aux', { roleNames: ['batch', 'web'] });
        await s.instanceProfiles.create(p);
        await s.instanceProfiles.create(q);
        assert.deepEqual(await s.instanceProfiles.get(ACCT, 'WEB-PROFILE'), p);
        assert.deepEqual(await s.instanceProfiles.get(ACCT, 'aux'), { ...q, roleNames: ['batch', 'Web'] });
        assert.deepEqual((await s.instanceProfiles.list(ACCT)).map((x) => x.name), ['Aux', 'web-profile']);
        assert.deepEqual((await s.instanceProfiles.list(ACCT, '/ec2/')).map((x) => x.name), ['web-profile']);
        assert.deepEqual((await s.instanceProfiles.listForRole(ACCT, 'web')).map((x) => x.name), ['Aux', 'web-profile']);
        assert.deepEqual((await s.instanceProfiles.listForRole(ACCT, 'BATCH')).map((x) => x.name), ['Aux']);
        assert.deepEqual(await s.instanceProfiles.listForRole(ACCT, 'none'), []);
        await assert.rejects(s.instanceProfiles.create(instanceProfile('AUX')), StoreConflictError);
        await assert.rejects(s.instanceProfiles.create(instanceProfile('bad', { roleNames: ['ghost'] })), StoreReferenceError);
        assert.equal(await s.instanceProfiles.get(ACCT, 'bad'), undefined, 'a failed create leaves nothing');
      }));

    it('updates roleNames and tags; deletes', () =>
      withStore(open, async (s) => {
        await s.roles.create(role('a'));
        await s.roles.create(role('b'));
        const p = instanceProfile('ip', { roleNames: ['a'] });
        await s.instanceProfiles.create(p);
        assert.equal(await s.instanceProfiles.update(ACCT, 'IP', { roleNames: ['b', 'a'] }), true);
        assert.deepEqual((await s.instanceProfiles.get(ACCT, 'ip'))?.roleNames, ['b', 'a']);
        assert.equal(await s.instanceProfiles.update(ACCT, 'ip', { roleNames: [], tags: [{ Key: 'x', Value: '' }] }), true);
        assert.deepEqual(await s.instanceProfiles.get(ACCT, 'ip'), { ...p, roleNames: [], tags: [{ Key: 'x', Value: '' }] });
        assert.deepEqual(await s.instanceProfiles.listForRole(ACCT, 'a'), []);
        await assert.rejects(s.instanceProfiles.update(ACCT, 'ip', { roleNames: ['ghost'] }), StoreReferenceError);
        assert.deepEqual((await s.instanceProfiles.get(ACCT, 'ip'))?.roleNames, [], 'a failed update changes nothing');
        assert.equal(await s.instanceProfiles.update(ACCT, 'none', { tags: [] }), false);
        assert.equal(await s.instanceProfiles.delete(ACCT, 'ip'), true);
        assert.equal(await s.instanceProfiles.delete(ACCT, 'ip'), false);
        assert.equal(await s.instanceProfiles.get(ACCT, 'ip'), undefined);
      }));
  });

  describe('settings', () => {
    it('gets, puts and overwrites', () =>
      withStore(open, async (s) => {
        assert.equal(await s.settings.get('k'), undefined);
        await s.settings.put('k', 'v1');
        assert.equal(await s.settings.get('k'), 'v1');
        await s.settings.put('k', '');
        assert.equal(await s.settings.get('k'), '');
        await s.settings.put('other', '{"json":["ok ✓"]}');
        assert.equal(await s.settings.get('other'), '{"json":["ok ✓"]}');
      }));

    it('compareAndSet writes only when the current value is the expected one', () =>
      withStore(open, async (s) => {
        assert.equal(await s.settings.compareAndSet('k', 'x', 'y'), false, 'absent is not "x"');
        assert.equal(await s.settings.get('k'), undefined);
        assert.equal(await s.settings.compareAndSet('k', undefined, 'a'), true, 'absent -> a');
        assert.equal(await s.settings.compareAndSet('k', undefined, 'b'), false, 'no longer absent');
        assert.equal(await s.settings.compareAndSet('k', 'b', 'c'), false, 'wrong expected');
        assert.equal(await s.settings.get('k'), 'a');
        assert.equal(await s.settings.compareAndSet('k', 'a', 'b'), true);
        assert.equal(await s.settings.get('k'), 'b');
        assert.equal(await s.settings.compareAndSet('k', 'b', 'b'), true, 'same value is fine');
      }));

    it('compareAndSet under contention: parallel increments lose nothing', () =>
      withStore(open, async (s) => {
        await s.settings.put('counter', '0');
        const workers = 30;
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (;;) {
              const cur = (await s.settings.get('counter')) ?? '0';
              if (await s.settings.compareAndSet('counter', cur, String(Number(cur) + 1))) return;
            }
          }),
        );
        assert.equal(await s.settings.get('counter'), String(workers));
      }));
  });
}
