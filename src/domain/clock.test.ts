import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoSeconds } from './clock.js';

describe('isoSeconds', () => {
  it('writes ISO 8601 at second precision, from a Date or milliseconds', () => {
    assert.equal(isoSeconds(new Date('2026-12-02T03:04:05.678Z')), '2026-12-02T03:04:05Z');
    assert.equal(isoSeconds(Date.parse('2026-12-02T03:04:05.999Z')), '2026-12-02T03:04:05Z');
    assert.equal(isoSeconds(0), '1970-01-01T00:00:00Z');
    assert.equal(isoSeconds(-1), '1969-12-31T23:59:59Z');
    assert.equal(isoSeconds(Date.UTC(10000, 0, 1)), '+010000-01-01T00:00:00Z');
  });

  it('answers right whichever seconds were asked before (its cache of recent seconds never mixes them up)', () => {
    const t0 = Date.parse('2026-12-02T00:00:00Z');
    // Seconds 4 apart share a cache slot; interleave them with their neighbours, twice.
    for (let round = 0; round < 2; round++) {
      for (const s of [0, 4, 8, 1, 5, 0, 4, 1000, 3, 7, 0]) {
        const ms = t0 + s * 1000 + (s % 7) * 100;
        assert.equal(isoSeconds(ms), new Date(ms).toISOString().slice(0, 19) + 'Z', `second ${s}`);
      }
    }
  });

  it('refuses an invalid date as Date.prototype.toISOString does', () => {
    assert.throws(() => isoSeconds(new Date(NaN)), RangeError);
  });
});
