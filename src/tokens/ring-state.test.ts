import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { parseToken } from './envelope.js';
import { T0 } from './fixtures.js';
import { CorruptKeyRingError, MAX_SESSION_SECONDS, RETIRE_MARGIN_SECONDS, RingState } from './ring-state.js';

const DAY = 86_400;

describe('ring state', () => {
  it('the first rotation of an empty ring makes one active key with the retirement schedule', () => {
    const st = RingState.empty().rotated(T0, DAY);
    assert.equal(st.keys.length, 1);
    const k = st.keys[0]!;
    assert.match(k.id, /^[0-9a-f]{8}$/);
    assert.equal(k.createdAt, T0);
    assert.equal(k.activeUntil, T0 + DAY);
    assert.equal(k.retireAfter, T0 + DAY + MAX_SESSION_SECONDS + RETIRE_MARGIN_SECONDS);
    assert.equal(st.signingKey(T0), k);
    assert.equal(st.signingKey(T0 + DAY - 1), k);
    assert.equal(st.signingKey(T0 + DAY), undefined, 'seals no more once its period ended');
    assert.equal(st.verificationKey(k.id, k.retireAfter - 1), k);
    assert.equal(st.verificationKey(k.id, k.retireAfter), undefined);
  });

  it('round-trips through its stored JSON, and the keys seal and open', () => {
    const st = RingState.empty().rotated(T0, DAY).rotated(T0 + DAY, DAY);
    const back = RingState.parse(st.raw as string);
    assert.deepEqual(back.keys.map((k) => k.toJSON()), st.keys.map((k) => k.toJSON()));
    for (const k of st.keys) {
      const token = k.seal(Buffer.from('hello'));
      const parts = parseToken(token)!;
      assert.equal(back.verificationKey(k.id, T0)!.open(parts)?.toString(), 'hello');
    }
  });

  it('rotation drops retired keys, keeps the others verifying, and never reuses an id', () => {
    let st = RingState.empty().rotated(T0, DAY);
    const first = st.keys[0]!;
    st = st.rotated(T0 + DAY, DAY);
    assert.equal(st.keys.length, 2);
    assert.equal(st.signingKey(T0 + DAY)!.createdAt, T0 + DAY);
    assert.ok(st.verificationKey(first.id, T0 + DAY));
    st = st.rotated(first.retireAfter, DAY);
    assert.ok(!st.keys.some((k) => k.id === first.id), 'retired key dropped');
    assert.equal(new Set(st.keys.map((k) => k.id)).size, st.keys.length);
  });

  it('an early rotation (rotateNow) ends sealing but keeps retireAfter', () => {
    const st = RingState.empty().rotated(T0, DAY);
    const k = st.keys[0]!;
    const next = st.rotated(T0 + 100, DAY);
    const old = next.keys.find((x) => x.id === k.id)!;
    assert.equal(old.activeUntil, T0 + 100);
    assert.equal(old.retireAfter, k.retireAfter);
    assert.notEqual(next.signingKey(T0 + 100)!.id, k.id);
    RingState.parse(next.raw as string); // still valid
  });

  it('rejects corrupt rings with CorruptKeyRingError, never echoing a secret', () => {
    const st = RingState.empty().rotated(T0, DAY);
    const doc = JSON.parse(st.raw as string);
    const secret: string = doc.keys[0].secret;
    const variants = [
      'not json',
      '{}',
      JSON.stringify({ v: 2, keys: [] }),
      JSON.stringify({ v: 1, keys: [{ ...doc.keys[0], id: 'XYZ' }] }),
      JSON.stringify({ v: 1, keys: [{ ...doc.keys[0], secret: secret.slice(1) }] }),
      JSON.stringify({ v: 1, keys: [{ ...doc.keys[0], createdAt: -1 }] }),
      JSON.stringify({ v: 1, keys: [{ ...doc.keys[0], retireAfter: doc.keys[0].activeUntil + 10 }] }),
      JSON.stringify({ v: 1, keys: [doc.keys[0], doc.keys[0]] }),
    ];
    for (const raw of variants) {
      assert.throws(
        () => RingState.parse(raw),
        (e: unknown) => e instanceof CorruptKeyRingError && !e.message.includes(secret.slice(0, 12)),
        raw.slice(0, 60),
      );
    }
  });

  it('keys print and serialize without their secret', () => {
    const st = RingState.empty().rotated(T0, DAY);
    const k = st.keys[0]!;
    const secret = (JSON.parse(st.raw as string) as { keys: Array<{ secret: string }> }).keys[0]!.secret;
    for (const text of [inspect(k), String(k), JSON.stringify(k), inspect(st, { depth: 5 }), JSON.stringify(st.keys)]) assert.ok(!text.includes(secret), text);
  });
});
