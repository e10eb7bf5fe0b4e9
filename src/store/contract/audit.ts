/**
 * Contract: the audit repository. Batches are all-or-nothing; lookups filter on each attribute,
 * stay inside one account, come newest first (oldest first on request) and page without gaps or
 * repeats; last use keeps the latest; pruning removes old events with their lookup rows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditQuery, AuditRecord, Store } from '../ports.js';
import { ACCT, ACCT2 } from './fixtures.js';
import { withStore, type OpenStore } from './identities.js';
import type { DurableTarget } from './durability.js';

const BASE = Date.parse('2026-03-01T10:00:00.000Z');
let n = 0;

/** An event record `sec` seconds (and `ms`) after BASE. */
function ev(sec: number, over: Partial<AuditRecord> = {}): AuditRecord {
  n += 1;
  const eventId = over.eventId ?? `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const rec: AuditRecord = {
    eventId,
    accountId: ACCT,
    eventTime: new Date(BASE + sec * 1000 + (over.eventTime ? 0 : 123)),
    eventName: 'GetRole',
    eventSource: 'iam.amazonaws.com',
    readOnly: true,
    username: 'alice',
    accessKeyId: 'AKIAALICE00000000001',
    resources: [{ type: 'AWS::IAM::Role', name: 'app' }],
    json: JSON.stringify({ eventID: eventId, n }),
    ...over,
  };
  return rec;
}

/** The record as lookup returns it (no `uses`). */
const stored = (r: AuditRecord): AuditRecord => {
  const { uses: _uses, ...rest } = r;
  return rest;
};

async function ids(s: Store, q: Partial<AuditQuery>): Promise<string[]> {
  return (await s.audit.lookup({ accountId: ACCT, limit: 1000, ...q })).map((r) => r.eventId);
}

export function auditContract(open: OpenStore, durable?: () => Promise<DurableTarget>): void {
  describe('audit trail', () => {
    it('round-trips every field; lookups come newest first, per account', () =>
      withStore(open, async (s) => {
        const a = ev(1);
        const b = ev(2, { eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', readOnly: true, resources: [] });
        const c = ev(3, { accountId: ACCT2 });
        const d = ev(4, { readOnly: false, eventName: 'CreateRole' });
        delete d.username;
        delete d.accessKeyId;
        await s.audit.append([a, b, c, d]);
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 10 }), [d, b, a].map(stored));
        assert.deepEqual(await s.audit.lookup({ accountId: ACCT2, limit: 10 }), [stored(c)]);
        assert.deepEqual(await s.audit.lookup({ accountId: '000000000000', limit: 10 }), []);
        assert.deepEqual(await ids(s, { limit: 2 }), [d.eventId, b.eventId]);
      }));

    it('filters on each lookup attribute, exactly', () =>
      withStore(open, async (s) => {
        const a = ev(1, { eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', username: 'bob', accessKeyId: 'AKIABOB0000000000001', readOnly: true });
        const b = ev(2, { eventName: 'CreateRole', readOnly: false, username: 'Bob' });
        const other = ev(3, { accountId: ACCT2, eventName: 'AssumeRole', username: 'bob' });
        await s.audit.append([a, b, other]);
        assert.deepEqual(await ids(s, { attribute: { key: 'EventId', value: a.eventId } }), [a.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'EventId', value: other.eventId } }), [], 'another account s event id');
        assert.deepEqual(await ids(s, { attribute: { key: 'EventName', value: 'AssumeRole' } }), [a.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'EventName', value: 'assumerole' } }), []);
        assert.deepEqual(await ids(s, { attribute: { key: 'EventSource', value: 'iam.amazonaws.com' } }), [b.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'Username', value: 'bob' } }), [a.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'AccessKeyId', value: 'AKIABOB0000000000001' } }), [a.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ReadOnly', value: 'true' } }), [a.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ReadOnly', value: 'false' } }), [b.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ReadOnly', value: 'maybe' } }), []);
      }));

    it('looks up by resource type and name, once per event however many resources match', () =>
      withStore(open, async (s) => {
        const assume = ev(1, {
          eventName: 'AssumeRole',
          resources: [
            { type: 'AWS::IAM::AccessKey', name: 'ASIAEXAMPLE000000001' },
            { type: 'AWS::STS::AssumedRole', name: 'sess' },
            { type: 'AWS::STS::AssumedRole', name: 'AROAEXAMPLE:sess' },
            { type: 'AWS::STS::AssumedRole', name: 'arn:aws:sts::123456789012:assumed-role/app/sess' },
            { type: 'AWS::IAM::Role', name: 'arn:aws:iam::123456789012:role/app' },
          ],
        });
        const get = ev(2, { resources: [{ type: 'AWS::IAM::Role', name: 'app' }] });
        const elsewhere = ev(3, { accountId: ACCT2, resources: [{ type: 'AWS::IAM::Role', name: 'arn:aws:iam::123456789012:role/app' }] });
        await s.audit.append([assume, get, elsewhere]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceType', value: 'AWS::STS::AssumedRole' } }), [assume.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceType', value: 'AWS::IAM::Role' } }), [get.eventId, assume.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'arn:aws:iam::123456789012:role/app' } }), [assume.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'sess' } }), [assume.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'nothing' } }), []);
        const [got] = await s.audit.lookup({ accountId: ACCT, limit: 1, attribute: { key: 'ResourceName', value: 'sess' } });
        assert.deepEqual(got, stored(assume), 'the whole record, resources in order');
      }));

    it('time bounds: from inclusive, before exclusive, at millisecond precision', () =>
      withStore(open, async (s) => {
        const events = [ev(10), ev(20), ev(30)];
        await s.audit.append(events);
        const t = (i: number) => events[i]!.eventTime;
        assert.deepEqual(await ids(s, { from: t(1) }), [events[2]!.eventId, events[1]!.eventId]);
        assert.deepEqual(await ids(s, { from: new Date(t(1).getTime() + 1) }), [events[2]!.eventId]);
        assert.deepEqual(await ids(s, { before: t(1) }), [events[0]!.eventId]);
        assert.deepEqual(await ids(s, { from: t(0), before: t(2) }), [events[1]!.eventId, events[0]!.eventId]);
        assert.deepEqual(await ids(s, { from: t(1), before: t(1), attribute: { key: 'EventName', value: 'GetRole' } }), []);
        assert.deepEqual(await ids(s, { from: t(1), attribute: { key: 'ResourceName', value: 'app' } }), [events[2]!.eventId, events[1]!.eventId]);
      }));

    it('pages without gaps or repeats, events sharing a timestamp included, both orders', () =>
      withStore(open, async (s) => {
        // Seven events in the same millisecond, five later ones: ties are broken by event id.
        const same = Array.from({ length: 7 }, () => ev(5, { eventTime: new Date(BASE + 5000) }));
        const later = Array.from({ length: 5 }, (_, i) => ev(6 + i));
        await s.audit.append([...later, ...same]);
        for (const [order, attribute] of [
          ['newest-first', undefined],
          ['oldest-first', undefined],
          ['newest-first', { key: 'ResourceType', value: 'AWS::IAM::Role' }],
          ['oldest-first', { key: 'Username', value: 'alice' }],
        ] as const) {
          const all = await ids(s, { order, ...(attribute ? { attribute } : {}) });
          assert.equal(all.length, 12);
          const paged: string[] = [];
          let after: AuditQuery['after'];
          for (let guard = 0; guard < 20; guard++) {
            const page = await s.audit.lookup({ accountId: ACCT, limit: 5, order, ...(attribute ? { attribute } : {}), ...(after ? { after } : {}) });
            paged.push(...page.map((r) => r.eventId));
            const last = page.at(-1);
            if (page.length < 5 || !last) break;
            after = { eventTime: last.eventTime, eventId: last.eventId };
          }
          assert.deepEqual(paged, all, `${order} ${attribute?.key ?? ''}`);
        }
        const newest = await ids(s, {});
        assert.deepEqual(newest.slice(0, 5), later.map((e) => e.eventId).reverse());
        assert.deepEqual(await ids(s, { order: 'oldest-first' }), [...newest].reverse());
      }));

    it('reads every account when no account is given (exports)', () =>
      withStore(open, async (s) => {
        const a = ev(1);
        const b = ev(2, { accountId: ACCT2 });
        await s.audit.append([a, b]);
        assert.deepEqual((await s.audit.lookup({ limit: 10, order: 'oldest-first' })).map((r) => r.eventId), [a.eventId, b.eventId]);
      }));

    it('a batch is all or nothing', () =>
      withStore(open, async (s) => {
        assert.equal(await s.audit.maxEventId?.(), undefined, 'no event stored yet');
        const first = ev(1);
        await s.audit.append([first]);
        const fresh = ev(2, { uses: [{ kind: 'role', id: 'AROAALLORNOTHING0001', date: new Date(BASE), region: 'us-east-1', service: 'sts' }] });
        await assert.rejects(s.audit.append([fresh, ev(3, { eventId: first.eventId })]));
        assert.deepEqual(await ids(s, {}), [first.eventId]);
        assert.equal(await s.audit.lastUsed('role', 'AROAALLORNOTHING0001'), undefined);
        await s.audit.append([]);
        // Which ids are stored: exactly the committed ones, across accounts, any number asked.
        const other = ev(4, { accountId: ACCT2 });
        await s.audit.append([other]);
        const asked = [first.eventId, fresh.eventId, other.eventId, ...Array.from({ length: 600 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`)];
        assert.deepEqual([...(await s.audit.existingEventIds(asked))].sort(), [first.eventId, other.eventId].sort());
        assert.equal((await s.audit.existingEventIds([])).size, 0);
        // The greatest stored id, in string order (ids of a refused batch are not stored).
        assert.equal(await s.audit.maxEventId?.(), [first.eventId, other.eventId].sort().at(-1));
      }));

    it('last use: the latest wins, whatever the order batches arrive in; per kind and id', () =>
      withStore(open, async (s) => {
        const at = (sec: number) => new Date(BASE + sec * 1000 + 7);
        await s.audit.append([
          ev(1, { uses: [{ kind: 'role', id: 'AROAROLE0000000000001', date: at(1), region: 'us-east-1', service: 'sts' }] }),
          ev(5, {
            uses: [
              { kind: 'role', id: 'AROAROLE0000000000001', date: at(5), region: 'eu-west-1', service: 'iam' },
              { kind: 'role', id: 'AROAROLE0000000000001', date: at(3), region: 'us-west-2', service: 'sts' },
              { kind: 'access-key', id: 'AKIAKEY0000000000001', date: at(5), region: 'us-east-1', service: 'sts' },
            ],
          }),
        ]);
        assert.deepEqual(await s.audit.lastUsed('role', 'AROAROLE0000000000001'), { date: at(5), region: 'eu-west-1', service: 'iam' });
        // An older use arriving later changes nothing.
        await s.audit.append([ev(2, { uses: [{ kind: 'role', id: 'AROAROLE0000000000001', date: at(2), region: 'ap-south-1', service: 'sts' }] })]);
        assert.deepEqual(await s.audit.lastUsed('role', 'AROAROLE0000000000001'), { date: at(5), region: 'eu-west-1', service: 'iam' });
        await s.audit.append([ev(9, { uses: [{ kind: 'role', id: 'AROAROLE0000000000001', date: at(9), region: 'ap-south-1', service: 'sts' }] })]);
        assert.deepEqual(await s.audit.lastUsed('role', 'AROAROLE0000000000001'), { date: at(9), region: 'ap-south-1', service: 'sts' });
        assert.deepEqual(await s.audit.lastUsed('access-key', 'AKIAKEY0000000000001'), { date: at(5), region: 'us-east-1', service: 'sts' });
        assert.equal(await s.audit.lastUsed('access-key', 'AROAROLE0000000000001'), undefined);
        assert.equal(await s.audit.lastUsed('role', 'AROANEVER000000000001'), undefined);
        assert.equal(await s.audit.pruneLastUsed(at(6)), 1);
        assert.equal(await s.audit.lastUsed('access-key', 'AKIAKEY0000000000001'), undefined);
        assert.ok(await s.audit.lastUsed('role', 'AROAROLE0000000000001'));
      }));

    it('prunes events older than the cut-off, lookup rows included, in bounded batches', () =>
      withStore(open, async (s) => {
        const old = Array.from({ length: 5 }, (_, i) => ev(i, { resources: [{ type: 'AWS::IAM::Role', name: 'pruned' }] }));
        const kept = ev(100, { resources: [{ type: 'AWS::IAM::Role', name: 'pruned' }] });
        await s.audit.append([...old, kept]);
        const cutoff = new Date(BASE + 50_000);
        assert.equal(await s.audit.prune(cutoff, 2), 2);
        assert.equal(await s.audit.prune(cutoff, 10), 3);
        assert.equal(await s.audit.prune(cutoff, 10), 0);
        assert.deepEqual(await ids(s, {}), [kept.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'pruned' } }), [kept.eventId]);
      }));

    it('pruning in batches that split a timestamp keeps the lookup rows of what remains', () =>
      withStore(open, async (s) => {
        const at = new Date(BASE + 1000);
        const tied = Array.from({ length: 4 }, () => ev(1, { eventTime: at, resources: [{ type: 'AWS::IAM::Role', name: 'tied' }] }));
        await s.audit.append(tied);
        const sorted = tied.map((e) => e.eventId).sort();
        assert.equal(await s.audit.prune(new Date(BASE + 2000), 1), 1);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'tied' }, order: 'oldest-first' }), sorted.slice(1));
        assert.equal(await s.audit.prune(new Date(BASE + 2000), 2), 2);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceType', value: 'AWS::IAM::Role' }, order: 'oldest-first' }), sorted.slice(3));
      }));

    it('large appends (the audit journal\'s chunks) and small ones are found alike by every attribute, pruned alike', () =>
      withStore(open, async (s) => {
        // 300 events in one append (several batch rows, two accounts, a value unique to each
        // event, values repeated across them), then a small append of the same kinds.
        const big = Array.from({ length: 300 }, (_, i) =>
          ev(10 + i, {
            accountId: i % 5 === 0 ? ACCT2 : ACCT,
            eventName: i % 2 ? 'AssumeRole' : 'GetRole',
            username: `user${i % 4}`,
            accessKeyId: `AKIAKEY${String(i % 3).padStart(13, '0')}`,
            resources: [
              { type: 'AWS::IAM::AccessKey', name: `ASIAUNIQUE${String(i).padStart(10, '0')}` },
              { type: 'AWS::IAM::Role', name: `role${i % 7}` },
            ],
          }),
        );
        const small = Array.from({ length: 3 }, (_, i) => ev(400 + i, { eventName: 'AssumeRole', username: 'user1', resources: [{ type: 'AWS::IAM::Role', name: 'role3' }] }));
        await s.audit.append(big);
        await s.audit.append(small);
        const all = [...big, ...small].filter((e) => e.accountId === ACCT);
        const newest = (es: AuditRecord[]) => es.map((e) => e.eventId).reverse();
        const where = (f: (e: AuditRecord) => boolean) => newest(all.filter(f));
        assert.deepEqual(await ids(s, {}), newest(all));
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'ASIAUNIQUE0000000017' } }), [big[17]!.eventId]);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'ASIAUNIQUE0000000015' } }), [], 'the other account\'s');
        assert.deepEqual(await ids(s, { accountId: ACCT2, attribute: { key: 'ResourceName', value: 'ASIAUNIQUE0000000015' } }), [big[15]!.eventId]);
        for (const i of [1, 64, 131, 299]) assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: `ASIAUNIQUE${String(i).padStart(10, '0')}` } }), [big[i]!.eventId], `event ${i}`);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'role3' } }), where((e) => e.resources.some((r) => r.name === 'role3')));
        assert.deepEqual(await ids(s, { attribute: { key: 'EventName', value: 'AssumeRole' } }), where((e) => e.eventName === 'AssumeRole'));
        assert.deepEqual(await ids(s, { attribute: { key: 'Username', value: 'user1' } }), where((e) => e.username === 'user1'));
        assert.deepEqual(await ids(s, { attribute: { key: 'AccessKeyId', value: 'AKIAKEY0000000000002' } }), where((e) => e.accessKeyId === 'AKIAKEY0000000000002'));
        assert.deepEqual(await ids(s, { attribute: { key: 'EventId', value: big[123]!.eventId } }), [big[123]!.eventId]);
        // Paged, newest first, by a repeated value: every page continues where the last stopped.
        const paged: string[] = [];
        for (let after: AuditRecord | undefined; ; ) {
          const page = await s.audit.lookup({ accountId: ACCT, limit: 17, attribute: { key: 'ResourceType', value: 'AWS::IAM::Role' }, ...(after && { after: { eventTime: after.eventTime, eventId: after.eventId } }) });
          paged.push(...page.map((r) => r.eventId));
          if (page.length < 17) break;
          after = page.at(-1);
        }
        assert.deepEqual(paged, newest(all));
        // Pruning the first 100 seconds' events removes them from every lookup.
        await s.audit.prune(new Date(BASE + 110_000), 10_000);
        const left = (f: (e: AuditRecord) => boolean) => where((e) => e.eventTime.getTime() >= BASE + 110_000 && f(e));
        assert.deepEqual(await ids(s, {}), left(() => true));
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'ASIAUNIQUE0000000017' } }), []);
        assert.deepEqual(await ids(s, { attribute: { key: 'ResourceName', value: 'role3' } }), left((e) => e.resources.some((r) => r.name === 'role3')));
      }));

    it('an append inside a transaction rolls back with it', () =>
      withStore(open, async (s) => {
        await s
          .transaction(async (tx) => {
            await tx.audit.append([ev(1)]);
            throw new Error('roll back');
          })
          .catch(() => undefined);
        assert.deepEqual(await ids(s, {}), []);
      }));

    if (durable) {
      it('events and last use are there after close and reopen', async () => {
        const t = await durable();
        try {
          const e = ev(1, { uses: [{ kind: 'access-key', id: 'AKIADURABLE000000001', date: new Date(BASE), region: 'us-east-1', service: 'iam' }] });
          let s = await t.open();
          try {
            await s.audit.append([e]);
          } finally {
            await s.close();
          }
          s = await t.open();
          try {
            assert.deepEqual(await s.audit.lookup({ accountId: ACCT, limit: 5 }), [stored(e)]);
            assert.deepEqual(await s.audit.lastUsed('access-key', 'AKIADURABLE000000001'), { date: new Date(BASE), region: 'us-east-1', service: 'iam' });
          } finally {
            await s.close();
          }
        } finally {
          await t.dispose?.();
        }
      });
    }
  });
}
