import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../domain/aws-error.js';
import { ManualClock } from '../../domain/clock.js';
import type { ServiceSession } from '../sts/service-assume-role.js';
import { RotatingSessions } from './rotating-sessions.js';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
let n = 0;
function session(durationSeconds: number): ServiceSession {
  n += 1;
  return {
    Credentials: { AccessKeyId: `ASIA${n}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(clock.now().getTime() + durationSeconds * 1000) },
    AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: 'arn' },
    role: {} as ServiceSession['role'],
  };
}

describe('RotatingSessions', () => {
  it('reuses a session until it is rotateAfter old; a new role means a new session', async () => {
    const r = new RotatingSessions(clock, 6 * 3600, 3600);
    const issue = async () => session(6 * 3600);
    const a = await r.get('i-1', 'arn:role/a', issue);
    clock.advance(59 * 60_000);
    assert.equal((await r.get('i-1', 'arn:role/a', issue)).Credentials.AccessKeyId, a.Credentials.AccessKeyId);
    clock.advance(2 * 60_000);
    const b = await r.get('i-1', 'arn:role/a', issue);
    assert.notEqual(b.Credentials.AccessKeyId, a.Credentials.AccessKeyId);
    const c = await r.get('i-1', 'arn:role/b', issue);
    assert.notEqual(c.Credentials.AccessKeyId, b.Credentials.AccessKeyId);
    assert.notEqual((await r.get('i-2', 'arn:role/b', issue)).Credentials.AccessKeyId, c.Credentials.AccessKeyId, 'per workload');
  });

  it('concurrent first requests share one issuance; a refusal is not cached', async () => {
    const r = new RotatingSessions(clock);
    let calls = 0;
    const issue = async () => {
      calls += 1;
      await new Promise((res) => setTimeout(res, 5));
      return session(r.durationSeconds);
    };
    const [x, y] = await Promise.all([r.get('t', 'arn', issue), r.get('t', 'arn', issue)]);
    assert.equal(calls, 1);
    assert.equal(x, y);
    clock.advance(3601_000);
    await assert.rejects(r.get('t', 'arn', async () => Promise.reject(new Error('denied'))), /denied/);
    assert.notEqual((await r.get('t', 'arn', issue)).Credentials.AccessKeyId, x.Credentials.AccessKeyId);
  });

  it('a trust refusal is answered again for 10 s without a new attempt (nor its audit event); then retried', async () => {
    const r = new RotatingSessions(clock);
    let attempts = 0;
    const refuse = async (): Promise<ServiceSession> => {
      attempts += 1;
      throw new AwsError('AccessDenied', 'ec2.amazonaws.com cannot assume the role');
    };
    for (let i = 0; i < 5; i++) await assert.rejects(r.get('i-9', 'arn:role/a', refuse), /cannot assume/);
    assert.equal(attempts, 1);
    // Another role (the profile changed) is tried at once.
    await assert.rejects(r.get('i-9', 'arn:role/b', refuse), /cannot assume/);
    assert.equal(attempts, 2);
    clock.advance(10_001);
    await assert.rejects(r.get('i-9', 'arn:role/b', refuse), /cannot assume/);
    assert.equal(attempts, 3, 'retried after 10 s');
    clock.advance(10_001);
    const ok = await r.get('i-9', 'arn:role/b', async () => session(r.durationSeconds));
    assert.match(ok.Credentials.AccessKeyId, /^ASIA/);
    // A workload dropped (terminated, profile changed) forgets its refusal too.
    await assert.rejects(r.get('i-8', 'arn:role/a', refuse), /cannot assume/);
    r.drop('i-8');
    await assert.rejects(r.get('i-8', 'arn:role/a', refuse), /cannot assume/);
    assert.equal(attempts, 5);
  });
});
