import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.js';
import { MemorySettings, T0, writersBarrier } from './fixtures.js';
import { KEY_RING_SETTING, KeyRing } from './key-ring.js';
import { MAX_SESSION_SECONDS, RETIRE_MARGIN_SECONDS, RingState } from './ring-state.js';

const DAY = 86_400;
const clockAt = (s = T0) => new ManualClock(s * 1000);
const stored = (s: MemorySettings) => RingState.parse(s.values.get(KEY_RING_SETTING) as string);

describe('key ring', { timeout: 30_000 }, () => {
  it('creates the ring on first use and persists it under sts:token-key-ring', async () => {
    const settings = new MemorySettings();
    const ring = new KeyRing({ settings, clock: clockAt() });
    const k = await ring.signingKey();
    assert.deepEqual(stored(settings).keys.map((x) => x.id), [k.id]);
    assert.equal((await ring.signingKey()).id, k.id, 'same key until the period ends');
  });

  it('rotates when the active key period ends (default 24 h, configurable) and keeps old keys verifying', async () => {
    const settings = new MemorySettings();
    const clock = clockAt();
    const ring = new KeyRing({ settings, clock, rotationSeconds: 6 * 3600 });
    const k1 = await ring.signingKey();
    clock.advance((6 * 3600 - 1) * 1000);
    assert.equal((await ring.signingKey()).id, k1.id);
    clock.advance(1000);
    const k2 = await ring.signingKey();
    assert.notEqual(k2.id, k1.id);
    assert.equal((await ring.verificationKey(k1.id))?.id, k1.id);
    assert.deepEqual(stored(settings).keys.map((x) => x.id), [k1.id, k2.id]);
    assert.throws(() => new KeyRing({ settings, clock, rotationSeconds: 60 }), /rotation/);
    assert.equal(new KeyRing({ settings, clock }).rotationSeconds, DAY);
  });

  it('drops a key from the store once every token it could have sealed has expired', async () => {
    const settings = new MemorySettings();
    const clock = clockAt();
    const ring = new KeyRing({ settings, clock });
    const k1 = await ring.signingKey();
    assert.equal(k1.retireAfter, T0 + DAY + MAX_SESSION_SECONDS + RETIRE_MARGIN_SECONDS);
    // Rotate daily; k1 sealed its last token just before T0 + DAY, which expired by T0 + DAY + 36 h.
    for (let d = 1; d <= 2; d++) {
      clock.set(new Date((T0 + d * DAY) * 1000));
      await ring.signingKey();
      assert.ok(stored(settings).keys.some((k) => k.id === k1.id), `kept on day ${d}`);
      assert.ok(await ring.verificationKey(k1.id));
    }
    clock.set(new Date(k1.retireAfter * 1000));
    assert.equal(await ring.verificationKey(k1.id), undefined, 'retired keys stop verifying at once');
    clock.set(new Date((T0 + 3 * DAY) * 1000));
    await ring.signingKey();
    assert.ok(!stored(settings).keys.some((k) => k.id === k1.id), 'dropped at the next write');
    assert.ok(stored(settings).keys.length <= 4);
  });

  it('two nodes rotating at the same moment end with one ring (the loser adopts the winner)', async () => {
    const settings = new MemorySettings();
    const clock = clockAt();
    const race = writersBarrier(2);
    const a = new KeyRing({ settings: race(settings), clock });
    const b = new KeyRing({ settings: race(settings), clock });
    const [ka, kb] = await Promise.all([a.signingKey(), b.signingKey()]);
    assert.equal(ka.id, kb.id, 'both seal under the same key');
    assert.deepEqual(stored(settings).keys.map((k) => k.id), [ka.id]);
    assert.deepEqual(a.keyIds, b.keyIds);
  });

  it('after a natural rotation race, still one new key on both nodes', async () => {
    const settings = new MemorySettings();
    const clock = clockAt();
    const a = new KeyRing({ settings, clock });
    const b = new KeyRing({ settings, clock });
    const k1 = await a.signingKey();
    assert.equal((await b.signingKey()).id, k1.id);
    clock.advance(DAY * 1000);
    const [ka, kb] = await Promise.all([a.signingKey(), b.signingKey()]);
    assert.equal(ka.id, kb.id);
    assert.deepEqual(stored(settings).keys.map((k) => k.id), [k1.id, ka.id]);
  });

  it('a node learns a key made elsewhere when it meets its id, reading at most once per interval', async () => {
    const settings = new MemorySettings();
    const clock = clockAt();
    const a = new KeyRing({ settings, clock, refreshMinIntervalMs: 200 });
    const b = new KeyRing({ settings, clock, refreshMinIntervalMs: 200 });
    await a.signingKey();
    await b.reload();
    const fresh = await a.rotateNow();
    const started = performance.now();
    assert.equal((await b.verificationKey(fresh.id))?.id, fresh.id, 'waits for the next allowed read instead of refusing');
    assert.ok(performance.now() - started < 1000);

    // A flood of unknown (forged) key ids: reads stay rate-limited.
    const before = settings.gets;
    const t = performance.now();
    const forged = Array.from({ length: 50 }, () => randomBytes(4).toString('hex'));
    const results = await Promise.all(forged.map((id) => b.verificationKey(id)));
    assert.ok(results.every((r) => r === undefined));
    const elapsed = performance.now() - t;
    const reads = settings.gets - before;
    assert.ok(reads <= 2 + Math.ceil(elapsed / 200), `${reads} reads in ${elapsed.toFixed(0)} ms`);
  });

  it('rotateNow makes a new signing key on this node and, within maxAge, on others', async () => {
    const settings = new MemorySettings();
    const clock = clockAt();
    const a = new KeyRing({ settings, clock });
    const b = new KeyRing({ settings, clock });
    const k1 = await a.signingKey();
    assert.equal((await b.signingKey()).id, k1.id);
    const k2 = await a.rotateNow();
    assert.notEqual(k2.id, k1.id);
    assert.equal((await a.signingKey()).id, k2.id);
    assert.equal((await b.signingKey()).id, k1.id, 'b has not re-read yet');
    clock.advance(61_000);
    assert.equal((await b.signingKey()).id, k2.id, 'b re-reads once its copy is a minute old');
    assert.ok(await b.verificationKey(k1.id), 'the old key still verifies');
  });

  it('propagates store failures and corrupt rings as exceptions', async () => {
    const settings = new MemorySettings();
    settings.fail = true;
    await assert.rejects(new KeyRing({ settings, clock: clockAt() }).signingKey(), /store unavailable/);
    const corrupt = new MemorySettings();
    corrupt.values.set(KEY_RING_SETTING, '{"v":1,"keys":[{"id":"nothex"}]}');
    await assert.rejects(new KeyRing({ settings: corrupt, clock: clockAt() }).verificationKey('00000000'), /corrupt/);
    assert.equal(corrupt.values.get(KEY_RING_SETTING), '{"v":1,"keys":[{"id":"nothex"}]}', 'never overwritten');
  });
});
