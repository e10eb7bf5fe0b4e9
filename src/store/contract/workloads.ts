/** Contract: simulated EC2 instances and ECS tasks (0003_instances). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreConflictError, type InstanceRecord, type TaskRecord } from '../ports.js';
import { ACCT, ACCT2, T0, T1 } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';
import { withTarget, type DurableTarget } from './durability.js';

export function instance(id: string, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id,
    accountId: ACCT,
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    imageId: 'ami-0123456789abcdef0',
    instanceType: 't3.micro',
    privateIp: '10.0.0.12',
    instanceProfileArn: `arn:aws:iam::${over.accountId ?? ACCT}:instance-profile/web`,
    instanceProfileId: 'AIPAEXAMPLEPROFILE01',
    httpTokens: 'required',
    imdsPort: 40123,
    state: 'running',
    launchedAt: T0,
    launchedBy: `arn:aws:iam::${over.accountId ?? ACCT}:user/alice`,
    ...over,
  };
}

export function task(id: string, over: Partial<TaskRecord> = {}): TaskRecord {
  const accountId = over.accountId ?? ACCT;
  return {
    id,
    arn: `arn:aws:ecs:us-east-1:${accountId}:task/default/${id}`,
    accountId,
    region: 'us-east-1',
    roleArn: `arn:aws:iam::${accountId}:role/app`,
    tokenSha256: 'a'.repeat(64),
    startedAt: T0,
    startedBy: `arn:aws:iam::${accountId}:user/alice`,
    ...over,
  };
}

export function workloadContract(open: OpenStore, durable?: () => Promise<DurableTarget>): void {
  describe('instances', () => {
    it('round-trips every field; lists per account, oldest launch first', () =>
      withStore(open, async (s) => {
        const a = instance('i-0aaaaaaaaaaaaaaa1', { launchedAt: T1, httpTokens: 'optional' });
        const b = instance('i-0bbbbbbbbbbbbbbb2');
        const c = instance('i-0ccccccccccccccc3', { accountId: ACCT2, state: 'terminated', terminatedAt: T1 });
        for (const i of [a, b, c]) await s.instances.create(i);
        assert.deepEqual(await s.instances.get(a.id), a);
        assert.deepEqual(await s.instances.get(c.id), c);
        assert.equal(await s.instances.get('i-0ddddddddddddddd4'), undefined);
        assert.deepEqual((await s.instances.list(ACCT)).map((i) => i.id), [b.id, a.id]);
        assert.deepEqual((await s.instances.list()).map((i) => i.id), [b.id, c.id, a.id]);
        await assert.rejects(s.instances.create(instance(a.id)), StoreConflictError);
      }));

    it('updates metadata options, port and state; clears terminatedAt with null', () =>
      withStore(open, async (s) => {
        const a = instance('i-0aaaaaaaaaaaaaaa1');
        await s.instances.create(a);
        assert.equal(await s.instances.update(a.id, { httpTokens: 'optional', imdsPort: 40999 }), true);
        assert.deepEqual(await s.instances.get(a.id), { ...a, httpTokens: 'optional', imdsPort: 40999 });
        assert.equal(await s.instances.update(a.id, { state: 'terminated', terminatedAt: T1 }), true);
        assert.deepEqual(await s.instances.get(a.id), { ...a, httpTokens: 'optional', imdsPort: 40999, state: 'terminated', terminatedAt: T1 });
        assert.equal(await s.instances.update(a.id, { terminatedAt: null }), true);
        assert.equal((await s.instances.get(a.id))?.terminatedAt, undefined);
        assert.equal(await s.instances.update(a.id, {}), true);
        assert.equal(await s.instances.update('i-0ddddddddddddddd4', { imdsPort: 1 }), false);
        await assert.rejects(s.instances.update(a.id, { state: null }), TypeError);
        assert.equal(await s.instances.delete(a.id), true);
        assert.equal(await s.instances.delete(a.id), false);
        assert.equal(await s.instances.get(a.id), undefined);
      }));
  });

  describe('tasks', () => {
    it('round-trips, lists per account, deletes', () =>
      withStore(open, async (s) => {
        const a = task('0123456789abcdef0123456789abcdef', { startedAt: T1 });
        const b = task('fedcba9876543210fedcba9876543210');
        const c = task('00000000000000000000000000000000', { accountId: ACCT2 });
        for (const t of [a, b, c]) await s.tasks.create(t);
        assert.deepEqual(await s.tasks.get(a.id), a);
        assert.deepEqual((await s.tasks.list(ACCT)).map((t) => t.id), [b.id, a.id]);
        assert.deepEqual((await s.tasks.list()).map((t) => t.id).sort(), [a.id, b.id, c.id].sort());
        await assert.rejects(s.tasks.create(task(a.id)), StoreConflictError);
        assert.equal(await s.tasks.delete(a.id), true);
        assert.equal(await s.tasks.delete(a.id), false);
        assert.equal(await s.tasks.get(a.id), undefined);
      }));
  });

  if (durable) {
    it('instances and tasks survive a close and reopen', () =>
      withTarget(durable, async (t) => {
        const i = instance('i-0aaaaaaaaaaaaaaa1', { terminatedAt: T1, state: 'terminated' });
        const k = task('0123456789abcdef0123456789abcdef');
        let s = await t.open();
        try {
          await s.instances.create(i);
          await s.tasks.create(k);
        } finally {
          await s.close();
        }
        s = await t.open();
        try {
          assert.deepEqual(await s.instances.get(i.id), i);
          assert.deepEqual(await s.tasks.get(k.id), k);
        } finally {
          await s.close();
        }
      }));
  }
}
