import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AwsError } from '../../domain/aws-error.js';
import { checkedPackedPolicySize } from './packed-policy.js';

/** A policy of incompressible statement ids, about `chars` long. */
const noisyPolicy = (chars: number) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: randomBytes(chars).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, chars), Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
const noisyTags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: randomBytes(150).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 180) }));

function refusal(f: () => unknown): AwsError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof AwsError);
    return e;
  }
  assert.fail('expected PackedPolicyTooLarge');
}

describe('checkedPackedPolicySize', () => {
  it('is undefined with nothing to pack, a percentage otherwise', () => {
    assert.equal(checkedPackedPolicySize([], []), undefined);
    const p = checkedPackedPolicySize([JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })], []);
    assert.ok(p !== undefined && p > 0 && p <= 100);
  });

  it('names the policy when the policies alone are too large', () => {
    const e = refusal(() => checkedPackedPolicySize([noisyPolicy(1500), noisyPolicy(1500)], noisyTags(2)));
    assert.equal(e.code, 'PackedPolicyTooLarge');
    assert.match(e.message, /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/);
  });

  it('names the session tags when the tags are what does not fit', () => {
    const tagsOnly = refusal(() => checkedPackedPolicySize([], noisyTags(20)));
    assert.match(tagsOnly.message, /^Packed size of session tags consumes \d+% of allotted space\.$/);
    const both = refusal(() => checkedPackedPolicySize([noisyPolicy(300)], noisyTags(15)));
    assert.match(both.message, /^Packed size of session tags consumes \d+% of allotted space\.$/);
  });
});
