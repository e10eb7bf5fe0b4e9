/** `rolecall audit export` over a real data directory: filters, order, paging, usage errors. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../main.js';
import type { AuditRecord } from '../store/ports.js';
import { exportAudit, runAudit } from './audit.js';

const A = '111122223333';
const B = '444455556666';
let dataDir = '';
const base = Date.parse('2026-05-01T00:00:00Z');
const rec = (i: number, accountId: string): AuditRecord => ({
  eventId: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
  accountId,
  eventTime: new Date(base + i * 60_000),
  eventName: 'GetRole',
  eventSource: 'iam.amazonaws.com',
  readOnly: true,
  resources: [],
  json: JSON.stringify({ eventID: `e${i}`, recipientAccountId: accountId }),
});

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'rolecall-audit-cli-'));
  const store = await openStore(dataDir);
  try {
    // More than one export page (1000), two accounts interleaved.
    await store.audit.append(Array.from({ length: 1205 }, (_, i) => rec(i, i % 3 === 0 ? B : A)));
  } finally {
    await store.close();
  }
});
after(async () => rm(dataDir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAudit(args, (s) => (out += s), (s) => (err += s), {});
  return { code, out, err };
}

const ids = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).eventID as string);

describe('rolecall audit export', () => {
  it('writes every event as one JSON line, oldest first, across pages', async () => {
    const r = await run(['export', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ids(r.out), Array.from({ length: 1205 }, (_, i) => `e${i}`));
  });

  it('filters by account and time (since inclusive, until exclusive)', async () => {
    const r = await run(['export', '--data-dir', dataDir, '--account', B, '--since', new Date(base + 3 * 60_000).toISOString(), '--until', new Date(base + 12 * 60_000).toISOString()]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ids(r.out), ['e3', 'e6', 'e9']);
    let n = 0;
    const store = await openStore(dataDir);
    try {
      assert.equal(await exportAudit(store, { accountId: A }, () => n++), 803);
    } finally {
      await store.close();
    }
    assert.equal(n, 803);
  });

  it('refuses bad arguments with exit code 252', async () => {
    for (const args of [[], ['lookup'], ['export', '--since', 'yesterday'], ['export', '--account', '12'], ['export', '--bogus']]) {
      const r = await run(args);
      assert.equal(r.code, 252, args.join(' '));
      assert.ok(r.err.length > 0);
      assert.equal(r.out, '');
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /rolecall audit export/);
  });
});
