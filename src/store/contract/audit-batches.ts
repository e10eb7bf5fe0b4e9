/**
 * Contract: what a batch-oriented audit store makes risky (storage format v2 keeps one row per
 * committed batch; src/store/sql/audit.ts). Batches overlap in time and share timestamps, a
 * batch is split across pages, retention cuts through a batch: every answer must still equal
 * the brute-force filter and sort of everything appended. The property at the end checks that
 * on random batches, queries and prunes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuditLookupKey, AuditQuery, AuditRecord, Store } from '../ports.js';
import { ACCT, ACCT2 } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';

const BASE = Date.parse('2026-04-01T08:00:00.000Z');
let seq = 0;

/** An event at BASE + ms; ids unique, their order unrelated to time unless `id` is given. */
function rec(ms: number, over: Partial<AuditRecord> = {}): AuditRecord {
  seq += 1;
  const eventId = over.eventId ?? `${((seq * 2654435761) >>> 0).toString(16).padStart(8, '0')}-0000-7000-8000-${String(seq).padStart(12, '0')}`;
  return {
    eventId,
    accountId: ACCT,
    eventTime: new Date(BASE + ms),
    eventName: 'GetRole',
    eventSource: 'iam.amazonaws.com',
    readOnly: true,
    username: 'alice',
    accessKeyId: 'AKIAALICE00000000001',
    resources: [],
    json: JSON.stringify({ eventID: eventId, seq }),
    ...over,
  };
}

const strip = (r: AuditRecord): AuditRecord => {
  const { uses: _uses, ...rest } = r;
  return rest;
};

function matches(r: AuditRecord, key: AuditLookupKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return r.eventId === value;
    case 'EventName':
      return r.eventName === value;
    case 'EventSource':
      return r.eventSource === value;
    case 'Username':
      return r.username === value;
    case 'AccessKeyId':
      return r.accessKeyId === value;
    case 'ReadOnly':
      return String(r.readOnly) === value.toLowerCase();
    case 'ResourceType':
      return r.resources.some((x) => x.type === value);
    case 'ResourceName':
      return r.resources.some((x) => x.name === value);
  }
}

const byTimeThenId = (a: AuditRecord, b: AuditRecord): number => a.eventTime.getTime() - b.eventTime.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/** The brute-force answer: filter everything appended, sort, skip past the cursor, take the limit. */
export function expected(all: AuditRecord[], q: AuditQuery): AuditRecord[] {
  const newest = (q.order ?? 'newest-first') === 'newest-first';
  const after = q.after;
  const out = all
    .filter((r) => q.accountId === undefined || r.accountId === q.accountId)
    .filter((r) => !q.attribute || matches(r, q.attribute.key, q.attribute.value))
    .filter((r) => !q.from || r.eventTime.getTime() >= q.from.getTime())
    .filter((r) => !q.before || r.eventTime.getTime() < q.before.getTime())
    .filter((r) => {
      if (!after) return true;
      const c = byTimeThenId(r, { eventTime: after.eventTime, eventId: after.eventId } as AuditRecord);
      return newest ? c < 0 : c > 0;
    })
    .sort(byTimeThenId);
  if (newest) out.reverse();
  return out.slice(0, q.limit).map(strip);
}

/** Every page of q (page size `limit`), concatenated. */
async function pages(s: Store, q: AuditQuery): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let after: AuditQuery['after'];
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await s.audit.lookup({ ...q, ...(after ? { after } : {}) });
    out.push(...page);
    const last = page.at(-1);
    if (page.length < q.limit || !last) return out;
    after = { eventTime: last.eventTime, eventId: last.eventId };
  }
  throw new Error('paging does not end');
}

const ids = (rs: AuditRecord[]) => rs.map((r) => r.eventId);

export function auditBatchContract(open: OpenStore): void {
  describe('audit trail: batches', () => {
    it('a batch split across pages: no gap, no repeat, whatever the page size', () =>
      withStore(open, async (s) => {
        const big = Array.from({ length: 23 }, (_, i) => rec(100 + i));
        const older = Array.from({ length: 5 }, (_, i) => rec(i));
        await s.audit.append(older);
        await s.audit.append(big);
        const all = [...older, ...big];
        for (const order of ['newest-first', 'oldest-first'] as const) {
          for (const limit of [1, 2, 3, 5, 7, 22, 23, 24]) {
            const q: AuditQuery = { accountId: ACCT, limit, order };
            assert.deepEqual(ids(await pages(s, q)), ids(expected(all, { ...q, limit: 1000 })), `${order} limit ${limit}`);
          }
        }
      }));

    it('overlapping batches come out in strict (time, id) order, paged by 1, 2 and 3', () =>
      withStore(open, async (s) => {
        // Each batch's time range interleaves with the others' (slow requests land late), and
        // several events share a millisecond across batches.
        const batches = [
          [rec(10), rec(50), rec(30), rec(30)],
          [rec(20), rec(40), rec(30), rec(60), rec(5)],
          [rec(45), rec(30), rec(55), rec(10)],
          [rec(1), rec(70)],
        ];
        for (const b of batches) await s.audit.append(b);
        const all = batches.flat();
        for (const order of ['newest-first', 'oldest-first'] as const) {
          const want = ids(expected(all, { accountId: ACCT, order, limit: 1000 }));
          assert.equal(want.length, all.length);
          assert.deepEqual(ids(await s.audit.lookup({ accountId: ACCT, order, limit: 1000 })), want);
          for (const limit of [1, 2, 3]) assert.deepEqual(ids(await pages(s, { accountId: ACCT, order, limit })), want, `${order} by ${limit}`);
        }
        // Time bounds inside the overlap.
        const from = new Date(BASE + 30);
        const before = new Date(BASE + 55);
        for (const order of ['newest-first', 'oldest-first'] as const) {
          const q: AuditQuery = { accountId: ACCT, order, limit: 2, from, before };
          assert.deepEqual(ids(await pages(s, q)), ids(expected(all, { ...q, limit: 1000 })), order);
        }
      }));

    it('equal event times across batches are ordered by event id', () =>
      withStore(open, async (s) => {
        const t = 500;
        const a = [rec(t, { eventId: 'cccc' }), rec(t, { eventId: 'aaaa' })];
        const b = [rec(t, { eventId: 'dddd' }), rec(t, { eventId: 'bbbb' })];
        const c = [rec(t, { eventId: 'eeee' })];
        await s.audit.append(a);
        await s.audit.append(b);
        await s.audit.append(c);
        assert.deepEqual(ids(await pages(s, { accountId: ACCT, limit: 1 })), ['eeee', 'dddd', 'cccc', 'bbbb', 'aaaa']);
        assert.deepEqual(ids(await pages(s, { accountId: ACCT, limit: 2, order: 'oldest-first' })), ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee']);
        assert.deepEqual(ids(await s.audit.lookup({ accountId: ACCT, limit: 10, after: { eventTime: new Date(BASE + t), eventId: 'cccc' } })), ['bbbb', 'aaaa']);
        // More batches ending on one millisecond than a lookup reads at once: the tie spans pages
        // of candidate batches, and the later ids sit in the batches read last.
        // (Each batch is named after its first event, so batch order is not event id order.)
        const many = Array.from({ length: 40 }, (_, i) => [rec(t - 1 - (i % 3)), rec(t + 1, { eventId: `m${String((i * 17) % 40).padStart(3, '0')}` })]);
        for (const b of many) await s.audit.append(b);
        const all = [...a, ...b, ...c, ...many.flat()];
        for (const order of ['newest-first', 'oldest-first'] as const) {
          for (const limit of [1, 3, 50]) {
            const q: AuditQuery = { accountId: ACCT, limit, order };
            assert.deepEqual(ids(await s.audit.lookup(q)), ids(expected(all, q)), `${order} ${limit}`);
            assert.deepEqual(ids(await pages(s, q)), ids(expected(all, { ...q, limit: 1000 })), `${order} paged by ${limit}`);
          }
        }
      }));

    it('attribute values present in some batches only; EventId in any batch', () =>
      withStore(open, async (s) => {
        const rare = { type: 'AWS::IAM::Role', name: 'arn:aws:iam::123456789012:role/rare' };
        const b1 = [rec(1), rec(2, { resources: [rare], eventName: 'AssumeRole' }), rec(3)];
        const b2 = [rec(4), rec(5, { username: 'bob' })];
        const b3 = [rec(6, { resources: [rare] }), rec(7, { accountId: ACCT2, resources: [rare] }), rec(8, { readOnly: false })];
        const all = [...b1, ...b2, ...b3];
        for (const b of [b1, b2, b3]) await s.audit.append(b);
        const cases: Array<[AuditLookupKey, string]> = [
          ['ResourceName', rare.name],
          ['ResourceType', rare.type],
          ['EventName', 'AssumeRole'],
          ['Username', 'bob'],
          ['Username', 'alice'],
          ['ReadOnly', 'False'],
          ['AccessKeyId', 'AKIAALICE00000000001'],
          ['EventSource', 'iam.amazonaws.com'],
        ];
        for (const [key, value] of cases) {
          for (const accountId of [ACCT, ACCT2]) {
            const q: AuditQuery = { accountId, limit: 1, attribute: { key, value } };
            assert.deepEqual(await pages(s, q), expected(all, { ...q, limit: 1000 }), `${key}=${value} ${accountId}`);
          }
        }
        for (const r of all) {
          assert.deepEqual(await s.audit.lookup({ accountId: r.accountId, limit: 5, attribute: { key: 'EventId', value: r.eventId } }), [strip(r)]);
          assert.deepEqual(await s.audit.lookup({ accountId: r.accountId === ACCT ? ACCT2 : ACCT, limit: 5, attribute: { key: 'EventId', value: r.eventId } }), []);
        }
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 5, attribute: { key: 'EventId', value: 'no-such-event' } }), []);
      }));

    it('pruning through the middle of a batch keeps the rest of it, lookups included', () =>
      withStore(open, async (s) => {
        const name = (n: string) => [{ type: 'AWS::IAM::Role', name: n }];
        // One batch straddling the cut-off at 100: two events before it, two after.
        const straddle = [rec(150, { resources: name('late') }), rec(50, { resources: name('early'), eventName: 'CreateRole' }), rec(100, { resources: name('late') }), rec(99, { resources: name('late') })];
        const before = [rec(10, { resources: name('early') })];
        const after = [rec(300)];
        for (const b of [before, straddle, after]) await s.audit.append(b);
        const all = [...before, ...straddle, ...after];
        const cut = new Date(BASE + 100);
        assert.equal(await s.audit.prune(cut, 2), 2, 'the two oldest: the lone early one and the batch s oldest');
        assert.equal(await s.audit.prune(cut, 10), 1);
        assert.equal(await s.audit.prune(cut, 10), 0);
        const left = all.filter((r) => r.eventTime.getTime() >= cut.getTime());
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 100 }), expected(left, { accountId: ACCT, limit: 100 }));
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 100, attribute: { key: 'ResourceName', value: 'early' } }), []);
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 100, attribute: { key: 'EventName', value: 'CreateRole' } }), []);
        assert.deepEqual(ids(await s.audit.lookup({ accountId: ACCT, limit: 100, attribute: { key: 'ResourceName', value: 'late' } })), [straddle[0]!.eventId, straddle[2]!.eventId]);
        for (const r of all.filter((x) => !left.includes(x))) assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 5, attribute: { key: 'EventId', value: r.eventId } }), []);
        // The kept events' ids still find them, and the batch can be pruned to nothing later.
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 5, attribute: { key: 'EventId', value: straddle[2]!.eventId } }), [strip(straddle[2]!)]);
        assert.equal(await s.audit.prune(new Date(BASE + 1000), 10), 3);
        assert.deepEqual(await s.audit.lookup({ limit: 100 }), []);
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 100, attribute: { key: 'ResourceName', value: 'late' } }), []);
      }));

    it('the latest batches (not indexed yet) come first in attribute lookups, however many are indexed', () =>
      withStore(open, async (s) => {
        const all = Array.from({ length: 43 }, (_, i) => rec(i * 10, { username: i % 2 ? 'dave' : 'erin' }));
        for (const r of all) await s.audit.append([r]);
        for (const limit of [1, 3, 10]) {
          for (const value of ['dave', 'erin']) {
            const q: AuditQuery = { accountId: ACCT, limit, attribute: { key: 'Username', value } };
            assert.deepEqual(await s.audit.lookup(q), expected(all, q), `${value} ${limit}`);
            assert.deepEqual(await pages(s, q), expected(all, { ...q, limit: 1000 }), `${value} paged by ${limit}`);
          }
        }
      }));

    it('pruning through a tie keeps the lookups of what remains, across many batches', () =>
      withStore(open, async (s) => {
        // Enough appends that the store indexes some batches (sql/audit.ts: audit_pending).
        const batches = Array.from({ length: 20 }, (_, i) => [rec(100, { eventId: `t${String(i).padStart(2, '0')}a`, resources: [{ type: 'AWS::IAM::Role', name: 'tied' }] }), rec(100, { eventId: `t${String(i).padStart(2, '0')}b`, username: 'carol' })]);
        for (const b of batches) await s.audit.append(b);
        let all = batches.flat();
        for (const limit of [3, 1, 10]) {
          const doomed = expected(all, { limit, order: 'oldest-first', before: new Date(BASE + 200) });
          assert.equal(await s.audit.prune(new Date(BASE + 200), limit), limit);
          all = all.filter((r) => !doomed.some((d) => d.eventId === r.eventId));
          for (const [key, value] of [
            ['ResourceName', 'tied'],
            ['Username', 'carol'],
            ['Username', 'alice'],
            ['EventName', 'GetRole'],
          ] as Array<[AuditLookupKey, string]>) {
            const q: AuditQuery = { accountId: ACCT, limit: 3, attribute: { key, value } };
            assert.deepEqual(await pages(s, q), expected(all, { ...q, limit: 1000 }), `${key}=${value} after pruning ${limit}`);
          }
        }
      }));

    it('an export (oldest first, no account) merges every account s batches', () =>
      withStore(open, async (s) => {
        const b1 = [rec(5), rec(1, { accountId: ACCT2 }), rec(9, { accountId: ACCT2 })];
        const b2 = [rec(3, { accountId: ACCT2 }), rec(7), rec(2)];
        const b3 = [rec(6, { accountId: '111122223333' }), rec(4)];
        for (const b of [b1, b2, b3]) await s.audit.append(b);
        const all = [...b1, ...b2, ...b3];
        for (const limit of [1, 2, 4, 100]) {
          const q: AuditQuery = { limit, order: 'oldest-first' };
          assert.deepEqual(await pages(s, q), expected(all, { ...q, limit: 1000 }), `limit ${limit}`);
        }
        const q: AuditQuery = { limit: 2, order: 'oldest-first', from: new Date(BASE + 2), before: new Date(BASE + 7), attribute: { key: 'EventName', value: 'GetRole' } };
        assert.deepEqual(await pages(s, q), expected(all, { ...q, limit: 1000 }));
      }));

    it('property: any batches, any query, any pruning = brute force over everything appended', () => {
      const keys: AuditLookupKey[] = ['EventId', 'EventName', 'EventSource', 'Username', 'AccessKeyId', 'ReadOnly', 'ResourceType', 'ResourceName'];
      const event = fc.record({
        ms: fc.integer({ min: 0, max: 40 }),
        account: fc.constantFrom(ACCT, ACCT2),
        name: fc.constantFrom('GetRole', 'AssumeRole', 'CreateRole'),
        source: fc.constantFrom('iam.amazonaws.com', 'sts.amazonaws.com'),
        readOnly: fc.boolean(),
        user: fc.constantFrom('alice', 'bob', undefined),
        key: fc.constantFrom('AKIAKEY1', 'AKIAKEY2', undefined),
        resources: fc.array(fc.record({ type: fc.constantFrom('AWS::IAM::Role', 'AWS::STS::AssumedRole'), name: fc.constantFrom('r1', 'r2', 'r3') }), { maxLength: 3 }),
        idPrefix: fc.integer({ min: 0, max: 0xffff }),
      });
      const query = fc.record({
        account: fc.constantFrom(ACCT, ACCT2, undefined),
        order: fc.constantFrom('newest-first' as const, 'oldest-first' as const),
        attr: fc.option(fc.tuple(fc.constantFrom(...keys), fc.nat({ max: 30 })), { nil: undefined }),
        from: fc.option(fc.integer({ min: -1, max: 41 }), { nil: undefined }),
        before: fc.option(fc.integer({ min: -1, max: 41 }), { nil: undefined }),
        limit: fc.integer({ min: 1, max: 6 }),
      });
      const prune = fc.option(fc.record({ cut: fc.integer({ min: 0, max: 41 }), limit: fc.integer({ min: 1, max: 8 }) }), { nil: undefined });
      return fc.assert(
        fc.asyncProperty(fc.array(fc.array(event, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }), fc.array(query, { minLength: 1, maxLength: 4 }), prune, async (batches, queries, cut) =>
          withStore(open, async (s) => {
            let all: AuditRecord[] = [];
            for (const b of batches) {
              const recs = b.map((e) => {
                seq += 1;
                const eventId = `${e.idPrefix.toString(16).padStart(4, '0')}${String(seq).padStart(8, '0')}`;
                const r: AuditRecord = { eventId, accountId: e.account, eventTime: new Date(BASE + e.ms), eventName: e.name, eventSource: e.source, readOnly: e.readOnly, resources: e.resources.map((x) => ({ type: x.type, name: x.name })), json: JSON.stringify({ eventID: eventId }) };
                if (e.user !== undefined) r.username = e.user;
                if (e.key !== undefined) r.accessKeyId = e.key;
                return r;
              });
              await s.audit.append(recs);
              all.push(...recs);
            }
            if (cut) {
              // Exactly the `limit` oldest before the cut-off go.
              const doomed = expected(all, { limit: cut.limit, order: 'oldest-first', before: new Date(BASE + cut.cut) });
              assert.equal(await s.audit.prune(new Date(BASE + cut.cut), cut.limit), doomed.length);
              const gone = new Set(ids(doomed));
              all = all.filter((r) => !gone.has(r.eventId));
            }
            for (const qq of queries) {
              const q: AuditQuery = { limit: qq.limit, order: qq.order };
              if (qq.account !== undefined) q.accountId = qq.account;
              if (qq.from !== undefined) q.from = new Date(BASE + qq.from);
              if (qq.before !== undefined) q.before = new Date(BASE + qq.before);
              if (qq.attr) {
                const [key, pick] = qq.attr;
                const values = [...new Set(all.flatMap((r) => (key === 'ResourceType' ? r.resources.map((x) => x.type) : key === 'ResourceName' ? r.resources.map((x) => x.name) : key === 'EventId' ? [r.eventId] : key === 'ReadOnly' ? ['true', 'FALSE'] : [(r as unknown as Record<string, string | undefined>)[{ EventName: 'eventName', EventSource: 'eventSource', Username: 'username', AccessKeyId: 'accessKeyId' }[key]!]].filter((v): v is string => v !== undefined)))), 'none'];
                q.attribute = { key, value: values[pick % values.length]! };
              }
              const want = expected(all, { ...q, limit: 100_000 });
              assert.deepEqual(await pages(s, q), want, JSON.stringify(q));
              assert.deepEqual(await s.audit.lookup({ ...q, limit: 100_000 }), want);
            }
          }),
        ),
        // No shrinking: each run opens a store, and shrinking a failure would take minutes.
        { numRuns: Number(process.env.ROLECALL_AUDIT_PROPERTY_RUNS ?? 30), endOnFailure: true },
      );
    });
  });
}
