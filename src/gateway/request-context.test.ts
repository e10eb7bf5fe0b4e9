import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authorizer } from '../authz/authorizer.js';
import type { Caller } from '../domain/caller.js';
import { cryptoRandom } from '../domain/random.js';
import { withStore } from '../services/operation.js';
import type { Store } from '../store/ports.js';
import { GatewayOperationContext } from './request-context.js';

const now = new Date('2026-12-02T10:00:00.123Z');
const caller: Caller = {
  kind: 'user',
  accountId: '123456789012',
  principal: { type: 'User', account: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice', id: 'AIDAALICE' },
  userId: 'AIDAALICE',
  arn: 'arn:aws:iam::123456789012:user/alice',
  accessKeyId: 'AKIAALICE',
  userName: 'alice',
  tags: [{ Key: 'team', Value: 'blue' }],
};
const storeA = { name: 'a' } as unknown as Store;
const storeB = { name: 'b' } as unknown as Store;
const authorizer = new Authorizer({ identityPolicies: async () => [] } as never);
const ctxOf = (c: Caller | undefined) =>
  new GatewayOperationContext(storeA, { now: () => now }, cryptoRandom, c, 'req-1', 'eu-west-1', authorizer, { now, sourceIp: '::ffff:10.0.0.7', userAgent: 'aws-cli/1' });

describe('GatewayOperationContext', () => {
  it('builds the request and caller condition keys on first use, once', () => {
    const ctx = ctxOf(caller);
    const keys = ctx.requestContext;
    assert.equal(keys['aws:SourceIp'], '10.0.0.7');
    assert.equal(keys['aws:UserAgent'], 'aws-cli/1');
    assert.equal(keys['aws:RequestedRegion'], 'eu-west-1');
    assert.equal(keys['aws:CurrentTime'], '2026-12-02T10:00:00Z');
    assert.equal(keys['aws:PrincipalArn'], caller.arn);
    assert.equal(keys['aws:PrincipalTag/team'], 'blue');
    assert.equal(ctx.requestContext, keys);
  });

  it('has no caller keys without a caller', () => {
    const keys = ctxOf(undefined).requestContext;
    assert.equal(keys['aws:PrincipalArn'], undefined);
    assert.equal(keys['aws:SourceIp'], '10.0.0.7');
  });

  it('withStore swaps the store and keeps everything else, the condition keys included', () => {
    const ctx = ctxOf(caller);
    ctx.trustGuardrail = 'error';
    const t = withStore(ctx, storeB);
    assert.equal(t.store, storeB);
    assert.equal(ctx.store, storeA);
    assert.deepEqual(t.requestContext, ctx.requestContext);
    assert.equal(t.caller, caller);
    assert.equal(t.requestId, 'req-1');
    assert.equal(t.region, 'eu-west-1');
    assert.equal(t.authorizer, authorizer);
    assert.equal(t.trustGuardrail, 'error');
  });
});
