import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecencyCache } from './recency-cache.js';

describe('RecencyCache', () => {
  it('holds at most maxEntries, dropping the entry inserted longest ago', () => {
    const c = new RecencyCache<number>(3);
    for (let i = 0; i < 5; i++) c.set(`k${i}`, i);
    assert.equal(c.size, 3);
    assert.equal(c.get('k0'), undefined);
    assert.equal(c.get('k1'), undefined);
    assert.deepEqual(['k2', 'k3', 'k4'].map((k) => c.get(k)), [2, 3, 4]);
  });

  it('keeps an entry that is hit at least once every maxEntries / 2 insertions, however many come', () => {
    const c = new RecencyCache<string>(8);
    c.set('hot', 'h');
    for (let i = 0; i < 1000; i++) {
      c.set(`cold${i}`, 'c');
      if (i % 4 === 0) assert.equal(c.get('hot'), 'h', `lost after ${i} insertions`);
    }
    assert.equal(c.size, 8);
  });

  it('drops an entry that is not hit once it is the oldest', () => {
    const c = new RecencyCache<string>(8);
    c.set('once', 'x');
    assert.equal(c.get('once'), 'x'); // a hit in the newer half does not move it
    for (let i = 0; i < 8; i++) c.set(`other${i}`, 'y');
    assert.equal(c.get('once'), undefined);
  });

  it('a hit in the older half moves the entry to the newest end', () => {
    const c = new RecencyCache<string>(8);
    c.set('a', 'x');
    for (let i = 0; i < 6; i++) c.set(`b${i}`, 'y'); // 'a' is 6 insertions old: older half
    assert.equal(c.get('a'), 'x');
    for (let i = 0; i < 7; i++) c.set(`c${i}`, 'z'); // would have dropped 'a' had it not moved
    assert.equal(c.get('a'), 'x');
    assert.equal(c.get('b0'), undefined);
  });

  it('set replaces a value in place of the old one; delete removes; size 0 holds nothing', () => {
    const c = new RecencyCache<number>(2);
    c.set('k', 1);
    c.set('k', 2);
    assert.equal(c.size, 1);
    assert.equal(c.get('k'), 2);
    c.delete('k');
    assert.equal(c.get('k'), undefined);
    const none = new RecencyCache<number>(0);
    none.set('k', 1);
    assert.equal(none.size, 0);
    assert.equal(none.get('k'), undefined);
  });
});
