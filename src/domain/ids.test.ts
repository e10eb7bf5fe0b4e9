import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MillisecondCounter, TimeOrderedIds } from './ids.js';
import type { Random } from './random.js';
import { cryptoRandom } from './random.js';

/** The 45-bit millisecond time in the first 9 characters after the prefix. */
function timeOf(id: string): number {
  let n = 0;
  for (const c of id.slice(4, 13)) n = n * 32 + '234567ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(c);
  return n;
}

/** A Random whose bytes are all `b`. */
const constant = (b: number): Random => ({ bytes: (n) => Buffer.alloc(n, b), uuid: () => '00000000-0000-4000-8000-000000000000' });

describe('TimeOrderedIds', () => {
  it('makes ids of the AWS key id format that carry the time they were made', () => {
    const ids = new TimeOrderedIds(cryptoRandom);
    const at = Date.UTC(2026, 11, 2, 12, 30, 0, 123);
    const id = ids.next('ASIA', at);
    assert.match(id, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(timeOf(id), at);
    assert.equal(timeOf(ids.next('ASIA', 0)), 0);
  });

  it('sorts ids made later after ids made earlier, within a millisecond too', () => {
    const ids = new TimeOrderedIds(cryptoRandom);
    const made: string[] = [];
    const t0 = Date.UTC(2026, 11, 2);
    for (let ms = 0; ms < 50; ms++) for (let k = 0; k < 40; k++) made.push(ids.next('ASIA', t0 + ms));
    const sorted = [...made].sort();
    assert.deepEqual(sorted, made);
    assert.equal(new Set(made).size, made.length);
  });

  it('starts each millisecond at a random counter below 2^34 and counts up within it', () => {
    // All-ones bytes: the largest seed, 2^34 - 1 (0 then 34 ones: digit 15, then six 31s).
    const high = new TimeOrderedIds(constant(0xff));
    assert.equal(high.next('ASIA', 1000).slice(-7), 'JZZZZZZ');
    assert.equal(high.next('ASIA', 1000).slice(-7), 'K222222');
    const low = new TimeOrderedIds(constant(0));
    assert.equal(low.next('ASIA', 1000).slice(-7), '2222222');
    assert.equal(low.next('ASIA', 1000).slice(-7), '2222223');
    // A new millisecond (or a clock that went back) draws a new seed.
    assert.equal(low.next('ASIA', 999).slice(-7), '2222222');
  });
});

describe('MillisecondCounter', () => {
  it('counts up from a seed within a millisecond, and starts from a new seed in a new one or past its maximum', () => {
    let seeds = 0;
    const c = new MillisecondCounter<number>(4, (base) => base + seeds++);
    assert.deepEqual([c.next(7, 1), c.next(7, 1), c.next(7, 1), c.next(7, 1)], [1, 2, 3, 4]);
    assert.equal(c.next(7, 1), 2, 'past the maximum: a new seed');
    assert.equal(c.next(8, 0), 2, 'a new millisecond: a new seed');
    assert.equal(c.next(7, 0), 3, 'an earlier millisecond is a new one too');
    assert.equal(seeds, 4);
  });
});
