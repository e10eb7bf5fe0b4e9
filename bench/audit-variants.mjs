// Builds copies of dist/ with parts of the SQLite audit path left out or replaced, to measure
// what each part costs with the same harness as everything else (docs/benchmarks.md, "What the
// trail costs, part by part"). Measurement tools, never run by the server or the tests:
//
//   nojournal  the event is built and queued by the group-commit writer; the journal's append
//              returns at once (nothing is written)
//   noidx      the journal writes its lines and the index pass parses them back a chunk at a
//              time, but stores nothing (no database transaction)
//   headonly   noidx, with the event's JSON left out of the line (its head only)
//   chunk      a log-structured prototype: one row per 256 events holding the lines as written
//              and a 4 KiB Bloom filter of their (account, attribute, value) keys, plus the
//              last-use upserts; no row per event, no posting lists (write side only: it answers
//              no lookups)
//   worker     the index pass on a worker thread (index-worker.js, its own SQLite connection and
//              audit repository): the event loop writes the journal and hands the written bytes
//              over; the worker parses and indexes them as the server does (write side only:
//              reads do not wait for it). Run it unpinned or on two cores to see what a second
//              core buys: BENCH_HTTP_SERVER_CPU=0,1 (the harness's other-load columns then read n/a)
//
// usage: node bench/audit-variants.mjs [VARIANT...]   (after a build; default: all)
// Each goes to bench/tmp/<variant>/ (a full copy of dist/; bench/tmp is scratch, not committed).
// Then e.g. `DIST_DIR=bench/tmp/noidx CASES=AssumeRole AUDIT=on node bench/pipeline.mjs`, or
// `BENCH_HTTP_DIST=bench/tmp/noidx node bench/http/run-http.mjs`. A patch whose anchor text is no
// longer in the build fails loudly instead of measuring the unpatched code.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const JOURNAL = 'src/store/sqlite/audit-journal.js';
const OPEN = 'src/store/sqlite/open-sqlite-store.js';

/** The chunk prototype's index pass (replaces JournaledAuditRepo's #pass, the class's last method). */
const CHUNK_PASS = String.raw`    async #pass() {
        this.#retire();
        const bufs = this.#pending;
        this.#pending = [];
        this.#pendingCount = 0;
        const db = this.raw;
        if (!this.ins) {
            db.exec('create table if not exists audit_chunks (chunk_id text primary key, min_time integer, max_time integer, max_event_id text, event_count integer, bloom blob, events blob)');
            db.exec('create index if not exists audit_chunks_time on audit_chunks (max_time)');
            this.ins = db.prepare('insert into audit_chunks values (?, ?, ?, ?, ?, ?, ?)');
            this.up = db.prepare('insert into audit_last_used (kind, id, used_at, region, service) values (?, ?, ?, ?, ?) on conflict (kind, id) do update set used_at = excluded.used_at, region = excluded.region, service = excluded.service where audit_last_used.used_at < excluded.used_at');
        }
        const BITS = 1 << 15;
        let bloom = new Uint8Array(BITS >> 3);
        let parts = [], n = 0, min = Infinity, max = -Infinity, maxId = '', first = '';
        const uses = new Map();
        const add = (k) => {
            let h1 = 0x811c9dc5, h2 = 0;
            for (let i = 0; i < k.length; i++) { const c = k.charCodeAt(i); h1 = Math.imul(h1 ^ c, 0x01000193); h2 = (h2 * 31 + c) | 0; }
            for (let j = 0; j < 6; j++) { const b = ((h1 + j * (h2 | 1)) >>> 0) & (BITS - 1); bloom[b >> 3] |= 1 << (b & 7); }
        };
        const flush = () => {
            if (n === 0) return;
            db.transaction(() => {
                this.ins.run(first, min, max, maxId, n, bloom, Buffer.concat(parts));
                for (const u of uses.values()) this.up.run(u[0], u[1], new Date(u[2]).toISOString(), u[3], u[4]);
            })();
            bloom = new Uint8Array(BITS >> 3); parts = []; n = 0; min = Infinity; max = -Infinity; uses.clear();
        };
        for (const b of bufs) {
            let o = 0;
            for (let nl = b.indexOf(10, o); nl >= 0; nl = b.indexOf(10, o)) {
                const h = JSON.parse(b.latin1Slice(o, b.indexOf(9, o)));
                const acct = h[1];
                if (n === 0) first = h[0];
                if (h[0] > maxId) maxId = h[0];
                if (h[2] < min) min = h[2];
                if (h[2] > max) max = h[2];
                add(acct); add(acct + '\0EventId\0' + h[0]); add(acct + '\0EventName\0' + h[3]); add(acct + '\0EventSource\0' + h[4]);
                if (h[6] !== null) add(acct + '\0Username\0' + h[6]);
                if (h[7] !== null) add(acct + '\0AccessKeyId\0' + h[7]);
                for (const r of h[8]) { add(acct + '\0ResourceType\0' + r[0]); add(acct + '\0ResourceName\0' + r[1]); }
                for (const u of h[9]) { const k = u[0] + '\0' + u[1]; const cur = uses.get(k); if (!cur || cur[2] <= u[2]) uses.set(k, u); }
                this.#waitingIds.delete(h[0]);
                parts.push(b.subarray(o, nl + 1));
                o = nl + 1;
                if (++n >= this.#chunk) { flush(); await new Promise((r) => setImmediate(r)); }
            }
        }
        flush();
        this.#lastError = undefined;
        for (const f of this.#retired.splice(0)) rmSync(f, { force: true });
    }
}
//# sourceMappingURL=audit-journal.js.map`;

/** The worker variant's index pass: the pending bytes go to the worker, done when it answers. */
const WORKER_PASS = String.raw`    async #pass() {
        this.#retire();
        const bufs = this.#pending;
        this.#pending = [];
        this.#pendingCount = 0;
        if (!this.worker) {
            const { Worker } = await import('node:worker_threads');
            const { randomBytes } = await import('node:crypto');
            this.worker = new Worker(new URL('./index-worker.js', import.meta.url), { workerData: { filename: this.dbFile, key: randomBytes(32) } });
            this.worker.unref();
            this.acks = new Map();
            this.seqNo = 0;
            this.worker.on('message', (m) => { const done = this.acks.get(m.seq); this.acks.delete(m.seq); done?.(m.ids); });
        }
        const seq = ++this.seqNo;
        const ids = await new Promise((resolve) => { this.acks.set(seq, resolve); this.worker.postMessage({ seq, bufs }); });
        for (const id of ids) this.#waitingIds.delete(id);
        this.#lastError = undefined;
        for (const f of this.#retired.splice(0)) rmSync(f, { force: true });
    }
}
//# sourceMappingURL=audit-journal.js.map`;

const INDEX_WORKER = `import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore } from './open-sqlite-store.js';
import { fromLine } from './audit-journal.js';
const store = await openSqliteStore({ filename: workerData.filename, masterKey: new Uint8Array(workerData.key), checkpointWorker: false });
parentPort.on('message', async ({ seq, bufs }) => {
    const ids = [];
    let chunk = [];
    for (const u of bufs) {
        const b = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
        let o = 0;
        for (let nl = b.indexOf(10, o); nl >= 0; nl = b.indexOf(10, o)) {
            const r = fromLine(b.toString('utf8', o, nl), true);
            o = nl + 1;
            ids.push(r.eventId);
            chunk.push(r);
            if (chunk.length === 256) { await store.audit.append(chunk); chunk = []; }
        }
    }
    if (chunk.length) await store.audit.append(chunk);
    parentPort.postMessage({ seq, ids });
});
`;

/** [file, anchor, replacement] per variant; the anchor must occur exactly once (anchor null: a new file). */
const VARIANTS = {
  nojournal: [[JOURNAL, '    async append(records) {', '    async append(records) { return;']],
  noidx: [[JOURNAL, 'await this.#inner.append(chunk);', 'void chunk;']],
  headonly: [
    [JOURNAL, 'await this.#inner.append(chunk);', 'void chunk;'],
    [JOURNAL, "return JSON.stringify(head) + '\\t' + r.json + '\\n';", "return JSON.stringify(head) + '\\t{}\\n';"],
  ],
  chunk: [
    [JOURNAL, /    async #pass\(\) \{[\s\S]*$/, CHUNK_PASS],
    [OPEN, 'store.audit = journal;', 'journal.raw = raw; store.audit = journal;'],
  ],
  worker: [
    [JOURNAL, /    async #pass\(\) \{[\s\S]*$/, WORKER_PASS],
    [OPEN, 'store.audit = journal;', 'journal.dbFile = filename; store.audit = journal;'],
    ['src/store/sqlite/index-worker.js', null, INDEX_WORKER],
  ],
};

const dist = join(root, 'dist');
if (!existsSync(join(dist, JOURNAL))) throw new Error('dist/ is missing: npm run build first');
const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(VARIANTS)) {
  const patches = VARIANTS[name];
  if (!patches) throw new Error(`unknown variant ${name} (${Object.keys(VARIANTS).join(', ')})`);
  const out = join(root, 'bench', 'tmp', name);
  rmSync(out, { recursive: true, force: true });
  cpSync(dist, out, { recursive: true });
  for (const [file, anchor, replacement] of patches) {
    const path = join(out, file);
    if (anchor === null) {
      writeFileSync(path, replacement);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const hits = typeof anchor === 'string' ? text.split(anchor).length - 1 : (text.match(new RegExp(anchor.source, 'g')) ?? []).length;
    if (hits !== 1) throw new Error(`${name}: ${file}: the anchor ${String(anchor).slice(0, 60)}… occurs ${hits} times, not once: the build changed, update the patch`);
    writeFileSync(path, text.replace(anchor, () => replacement));
  }
  console.log(`bench/tmp/${name}: ${patches.length} patch(es) applied to a copy of dist/`);
}
