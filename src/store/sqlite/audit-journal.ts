/**
 * The audit journal: how the SQLite store makes an audit batch durable without a database
 * commit per batch.
 *
 * `append` writes the batch's records to the current journal segment (one `write()`, in the OS's
 * hands once it returns: a `kill -9` of the server loses nothing, as with SQLite's WAL at
 * `synchronous = NORMAL`; with `fsync` also a power cut) and resolves. The records are then
 * indexed into the database in the background, in large transactions (`indexAt` events, or
 * `indexAfterMs` after the first one waiting, `chunk` events per transaction): a commit per 256
 * events instead of one per ~16 costs an event ~40 % less on the request path
 * (docs/audit.md, "Storage and throughput").
 *
 * Reads (`lookup`, `lastUsed`) and `prune` index everything waiting first, so the repository
 * answers exactly as if every append had been a transaction of its own. They are the root
 * store's: call them outside store transactions (as every caller does), since the indexing they
 * wait for needs the connection. A transaction-bound store's `audit` is the database's own
 * repository, without the journal.
 *
 * Segments: `<dir>/audit-<pid>-<start ms>-<n>.journal`, one line per record (see toLine). An
 * index pass retires the current segment (new appends go to a fresh one) and deletes the
 * retired segments once every record in them is committed. If the process dies first, the next
 * server to open the store replays the segments of processes that are gone (or of its own pid,
 * an earlier run in a container) and skips the records the database already has
 * (`recoverAuditJournal`). A segment of a live process (another server on the same data
 * directory) is left to it.
 *
 * INVARIANT: a segment is deleted only after every record written to it is committed to the
 * database; a record is never appended to the database twice by one journal (a failed
 * transaction's records are retried, the committed ones are not).
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLastUsed, AuditQuery, AuditRecord, AuditRepo, AuditUse } from '../ports.js';

export interface AuditJournalOptions {
  /** Directory of the segment files (created, mode 0700). */
  dir: string;
  /** Where records are indexed (the store's own audit repository). */
  inner: AuditRepo;
  /** Index once this many records wait (default 1024). */
  indexAt?: number;
  /** ...or this long after the first one started waiting (ms, default 100). */
  indexAfterMs?: number;
  /** Records per database transaction while indexing (default 256). */
  chunk?: number;
  /** fdatasync every write (ROLECALL_AUDIT_FSYNC=on). */
  fsync?: boolean;
  /** Background indexing failures (the records stay journaled and are retried). */
  onError?: (e: unknown) => void;
}

const RETRY_MS = 1000;
const NONE: ReadonlySet<string> = new Set();
const duplicate = (id: string) => new Error(`audit: event ${id} is already recorded`);
const SEGMENT = /^audit-(\d+)-(\d+)-(\d+)\.journal$/;

type Head = [string, string, number, string, string, 0 | 1, string | null, string | null, Array<[string, string]>, Array<[AuditUse['kind'], string, number, string, string]>];

/**
 * A record as one journal line (with its newline): a JSON array of the record's fields, a tab,
 * then the event's JSON as is. JSON text holds no raw tab or newline (JSON.stringify escapes
 * them), so the first tab and the newline delimit it, and the event's JSON is not escaped a
 * second time (that cost more than the rest of the line).
 */
export function toLine(r: AuditRecord): string {
  const head: Head = [
    r.eventId,
    r.accountId,
    r.eventTime.getTime(),
    r.eventName,
    r.eventSource,
    r.readOnly ? 1 : 0,
    r.username ?? null,
    r.accessKeyId ?? null,
    r.resources.map((x) => [x.type, x.name]),
    (r.uses ?? []).map((u) => [u.kind, u.id, u.date.getTime(), u.region, u.service]),
  ];
  // Whitespace between JSON tokens (not what the server writes, but valid JSON text): the
  // event goes in as a JSON string instead, flagged by an eleventh field.
  if (r.json.indexOf('\n') >= 0 || r.json.indexOf('\t') >= 0) return JSON.stringify([...head, 1]) + '\t' + JSON.stringify(r.json) + '\n';
  return JSON.stringify(head) + '\t' + r.json + '\n';
}

/**
 * A journal line (without its newline) back to its record; undefined for a torn or foreign line.
 * `written`: a line this process wrote and holds in memory, whole by construction, so the event's
 * JSON is not parsed again to check it is complete.
 */
export function fromLine(text: string, written = false): AuditRecord | undefined {
  const tab = text.indexOf('\t');
  if (tab < 0) return undefined;
  let json = text.slice(tab + 1);
  let h: unknown;
  let parsed: unknown;
  try {
    h = JSON.parse(text.slice(0, tab));
    // A torn line ends inside the event; a quoted event (see toLine) is parsed to unquote it.
    if (!written || json.charCodeAt(0) === 0x22) parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(h)) return undefined;
  const quoted = h.length === 11 && h[10] === 1; // the event as a JSON string (see toLine)
  if (h.length !== 10 && !quoted) return undefined;
  if (quoted) {
    if (typeof parsed !== 'string') return undefined;
    json = parsed;
  }
  const [eventId, accountId, ms, eventName, eventSource, readOnly, username, accessKeyId, resources, uses] = h as Head;
  if (typeof eventId !== 'string' || typeof accountId !== 'string' || !Number.isSafeInteger(ms)) return undefined;
  if (!Array.isArray(resources) || !Array.isArray(uses)) return undefined;
  const r: AuditRecord = {
    eventId,
    accountId,
    eventTime: new Date(ms),
    eventName,
    eventSource,
    readOnly: readOnly === 1,
    resources: resources.map(([type, name]) => ({ type, name })),
    json,
    uses: uses.map(([kind, id, at, region, service]) => ({ kind, id, date: new Date(at), region, service })),
  };
  if (username !== null) r.username = username;
  if (accessKeyId !== null) r.accessKeyId = accessKeyId;
  return r;
}

/**
 * What an index pass takes, read in order: records to retry first, then the lines of the
 * journaled buffers, parsed only when taken.
 */
class PendingLines {
  readonly #records: AuditRecord[];
  readonly #buffers: Buffer[];
  #record = 0;
  #buffer = 0;
  #offset = 0;

  constructor(records: AuditRecord[], buffers: Buffer[]) {
    this.#records = records;
    this.#buffers = buffers;
  }

  get done(): boolean {
    return this.#record >= this.#records.length && this.#buffer >= this.#buffers.length;
  }

  /**
   * Up to `n` records. A line that does not parse (a bug: this process wrote it) ends the
   * records taken; taken first, it throws, and stays unread (rest()).
   */
  take(n: number): AuditRecord[] {
    const out: AuditRecord[] = [];
    while (out.length < n && this.#record < this.#records.length) out.push(this.#records[this.#record++] as AuditRecord);
    while (out.length < n && this.#buffer < this.#buffers.length) {
      const bytes = this.#buffers[this.#buffer] as Buffer;
      const nl = bytes.indexOf(0x0a, this.#offset);
      if (nl < 0) {
        this.#buffer++;
        this.#offset = 0;
        continue;
      }
      const r = fromLine(bytes.toString('utf8', this.#offset, nl), true);
      if (!r) {
        if (out.length > 0) break; // what parsed so far goes first; the next take throws
        throw new Error('audit journal: a line this process wrote does not parse');
      }
      this.#offset = nl + 1;
      if (this.#offset >= bytes.length) {
        this.#buffer++;
        this.#offset = 0;
      }
      out.push(r);
    }
    return out;
  }

  /** What was not taken: the records, and the buffers' unread lines (with how many there are). */
  rest(): { records: AuditRecord[]; buffers: Buffer[]; bufferedCount: number } {
    const records = this.#records.slice(this.#record);
    const buffers: Buffer[] = [];
    let bufferedCount = 0;
    for (let i = this.#buffer; i < this.#buffers.length; i++) {
      const b = this.#buffers[i] as Buffer;
      const rest = i === this.#buffer ? b.subarray(this.#offset) : b;
      if (rest.length === 0) continue;
      buffers.push(rest);
      for (let nl = rest.indexOf(0x0a); nl >= 0; nl = rest.indexOf(0x0a, nl + 1)) bufferedCount++;
    }
    this.#record = this.#records.length;
    this.#buffer = this.#buffers.length;
    return { records, buffers, bufferedCount };
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // an earlier run of this server that had our pid
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Indexes the records of segments left by processes that are gone, skipping those the database
 * already has, then deletes the segments. Returns how many records it added.
 */
export async function recoverAuditJournal(dir: string, inner: AuditRepo, chunk = 256): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  const segments = names.filter((n) => {
    const m = SEGMENT.exec(n);
    return m !== null && !alive(Number(m[1]));
  });
  segments.sort((a, b) => {
    const [, , sa, na] = SEGMENT.exec(a)!.map(Number);
    const [, , sb, nb] = SEGMENT.exec(b)!.map(Number);
    return sa! - sb! || na! - nb!;
  });
  let added = 0;
  for (const name of segments) {
    const file = join(dir, name);
    const records: AuditRecord[] = [];
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (text === '') continue;
      const r = fromLine(text);
      if (r) records.push(r); // a torn last line was never acknowledged: its request got no answer
    }
    const stored = await inner.existingEventIds(records.map((r) => r.eventId));
    const missing = records.filter((r) => !stored.has(r.eventId));
    for (let i = 0; i < missing.length; i += chunk) await inner.append(missing.slice(i, i + chunk));
    added += missing.length;
    rmSync(file, { force: true });
  }
  return added;
}

export class JournaledAuditRepo implements AuditRepo {
  readonly #dir: string;
  readonly #inner: AuditRepo;
  readonly #indexAt: number;
  readonly #indexAfterMs: number;
  readonly #chunk: number;
  readonly #fsync: boolean;
  readonly #onError: (e: unknown) => void;
  readonly #prefix = `audit-${process.pid}-${Date.now()}-`;
  #seq = 0;
  #fd: number | undefined;
  #current = '';
  /**
   * What was written to `#current` or to a retired segment and is not yet committed: the bytes
   * of each append (its lines, as written), parsed back when indexed. Records held as objects
   * until then (up to `indexAfterMs`) outlived young-generation GCs and were promoted, ~15
   * objects per event; a Buffer is one small object, its bytes outside the JS heap.
   */
  #pending: Buffer[] = [];
  /** Records in `#pending`. */
  #pendingCount = 0;
  /** Records of a failed index pass, committed first by the next one. */
  #retry: AuditRecord[] = [];
  /** Segments whose records are all in `#pending` or committed. */
  #retired: string[] = [];
  /** Event ids journaled (or being journaled) and not yet committed. */
  readonly #waitingIds = new Set<string>();
  /**
   * The greatest event id journaled by this repository, and once `#maxKnown`, also the greatest
   * the database held when asked (`maxEventId`): an appended id above it cannot be stored, so
   * only the ids at or below it are looked up. The server's ids only grow (src/audit/ids.ts), so
   * its batches need no lookup at all. An id stored since by another writer is not seen here; a
   * repeat of it would be refused by the database when indexed and dropped with a warning (see
   * `#commitOne`) instead of refused at append.
   */
  #max: string | undefined;
  #maxKnown = false;
  #maxLoading: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #indexing: Promise<void> | undefined;
  #closed = false;
  #lastError: unknown;

  constructor(opts: AuditJournalOptions) {
    this.#dir = opts.dir;
    this.#inner = opts.inner;
    this.#indexAt = Math.max(1, opts.indexAt ?? 1024);
    this.#indexAfterMs = Math.max(0, opts.indexAfterMs ?? 100);
    this.#chunk = Math.max(1, opts.chunk ?? 256);
    this.#fsync = opts.fsync === true;
    this.#onError = opts.onError ?? (() => {});
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  /** Records written but not yet committed to the database. */
  get waiting(): number {
    return this.#pendingCount + this.#retry.length;
  }

  /**
   * Journals a batch. As the repository's own append, it refuses a batch with an event id that is
   * stored, waiting, or repeated within it (and journals none of it).
   */
  async append(records: AuditRecord[]): Promise<void> {
    if (this.#closed) throw new Error('audit journal: closed');
    if (records.length === 0) return;
    const ids: string[] = [];
    for (const r of records) {
      if (this.#waitingIds.has(r.eventId) || ids.includes(r.eventId)) throw duplicate(r.eventId);
      ids.push(r.eventId);
    }
    for (const id of ids) this.#waitingIds.add(id); // reserved while the check below runs
    let buf: Buffer;
    try {
      if (!this.#maxKnown) await this.#loadMax(); // once: no extra turn per append after that
      const max = this.#max;
      const unsure = !this.#maxKnown ? ids : max === undefined ? [] : ids.filter((id) => id <= max);
      const stored = unsure.length > 0 ? await this.#inner.existingEventIds(unsure) : NONE;
      if (stored.size > 0) throw duplicate([...stored][0]!);
      if (this.#closed) throw new Error('audit journal: closed');
      let text = '';
      for (const r of records) text += toLine(r);
      buf = Buffer.from(text, 'utf8');
      const fd = this.#open();
      for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
      if (this.#fsync) fdatasyncSync(fd);
    } catch (e) {
      for (const id of ids) this.#waitingIds.delete(id);
      throw e;
    }
    this.#pending.push(buf);
    this.#pendingCount += records.length;
    for (const id of ids) if (this.#max === undefined || id > this.#max) this.#max = id;
    this.#schedule();
  }

  /** Asks the database for its greatest event id, once (again after a failure). */
  async #loadMax(): Promise<void> {
    if (this.#maxKnown || !this.#inner.maxEventId) return;
    this.#maxLoading ??= this.#inner.maxEventId().then(
      (stored) => {
        if (stored !== undefined && (this.#max === undefined || stored > this.#max)) this.#max = stored;
        this.#maxKnown = true;
      },
      () => {
        this.#maxLoading = undefined; // every id is looked up until it succeeds
      },
    );
    await this.#maxLoading;
  }

  async lookup(q: AuditQuery): Promise<AuditRecord[]> {
    await this.drain();
    return this.#inner.lookup(q);
  }

  async lastUsed(kind: AuditUse['kind'], id: string): Promise<AuditLastUsed | undefined> {
    await this.drain();
    return this.#inner.lastUsed(kind, id);
  }

  async prune(before: Date, limit?: number): Promise<number> {
    await this.drain();
    return this.#inner.prune(before, limit);
  }

  async existingEventIds(eventIds: string[]): Promise<Set<string>> {
    await this.drain();
    return this.#inner.existingEventIds(eventIds);
  }

  async maxEventId(): Promise<string | undefined> {
    await this.drain();
    return this.#inner.maxEventId?.();
  }

  async pruneLastUsed(before: Date): Promise<number> {
    await this.drain();
    return this.#inner.pruneLastUsed(before);
  }

  /** Commits every record written so far to the database (rejects if two passes fail). */
  async drain(): Promise<void> {
    let failed = 0;
    while (this.waiting > 0 || this.#indexing) {
      await (this.#indexing ?? this.#startPass());
      if (this.#lastError !== undefined && ++failed >= 2) throw this.#lastError;
    }
  }

  /** Drains, then closes the current segment (deleting it: everything in it is committed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.drain();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#retire();
    for (const f of this.#retired.splice(0)) rmSync(f, { force: true });
  }

  #open(): number {
    if (this.#fd === undefined) {
      this.#current = join(this.#dir, `${this.#prefix}${++this.#seq}.journal`);
      this.#fd = openSync(this.#current, 'a', 0o600);
    }
    return this.#fd;
  }

  /** The current segment stops taking writes; its records are all in #pending (or committed). */
  #retire(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
    this.#retired.push(this.#current);
  }

  /** Starts an index pass now (`delayMs` 0) or after a delay, unless one runs or is due. */
  #schedule(delayMs?: number): void {
    if (this.#indexing || this.#closed) return; // a running pass reschedules when it ends
    const delay = delayMs ?? (this.waiting >= this.#indexAt ? 0 : this.#indexAfterMs);
    if (delay === 0) {
      this.#startPass();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#indexing && this.waiting > 0) this.#startPass();
      }, delay);
      this.#timer.unref(); // unindexed records are journaled: nothing is lost if the process exits
    }
  }

  #startPass(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const p: Promise<void> = this.#pass()
      .catch((e: unknown) => {
        // Not a database refusal (those are handled in #pass): e.g. a segment that cannot be closed.
        this.#lastError = e;
        this.#onError(e);
      })
      .finally(() => {
        if (this.#indexing === p) this.#indexing = undefined;
        // After a failure, retry in a second (not in a loop); else go on with what arrived meanwhile.
        if (this.waiting > 0) this.#schedule(this.#lastError === undefined ? undefined : RETRY_MS);
      });
    this.#indexing = p;
    return p;
  }

  /**
   * A chunk failed: its records are committed one at a time, so that one record the database
   * already has (written there by someone else since it was journaled) cannot hold back the
   * others forever. Such a record is dropped (and reported); any other failure throws.
   */
  async #commitOne(r: AuditRecord): Promise<void> {
    try {
      await this.#inner.append([r]);
    } catch (e) {
      const stored = await this.#inner.existingEventIds([r.eventId]);
      if (!stored.has(r.eventId)) throw e;
      this.#onError(new Error(`audit journal: event ${r.eventId} was already stored; its journaled copy is dropped`));
    }
    this.#waitingIds.delete(r.eventId);
  }

  /**
   * One index pass: retire the segment, commit what waits in chunks, delete what is done.
   *
   * Lines are parsed a chunk at a time, just before their transaction: the requests that run
   * between chunks make young-generation collections, and every record parsed ahead would be
   * copied by them and promoted to the old generation (with all lines parsed up front, ~3.7 KB
   * per audited AssumeRole instead of ~0.7, and ~20 µs of its CPU: docs/benchmarks.md).
   */
  async #pass(): Promise<void> {
    this.#retire();
    const lines = new PendingLines(this.#retry, this.#pending);
    this.#retry = [];
    this.#pending = [];
    this.#pendingCount = 0;
    let chunk: AuditRecord[] = [];
    let committed = 0; // of `chunk`
    try {
      for (chunk = lines.take(this.#chunk); chunk.length > 0; chunk = lines.take(this.#chunk)) {
        committed = 0;
        try {
          await this.#inner.append(chunk);
          for (const r of chunk) this.#waitingIds.delete(r.eventId);
          committed = chunk.length;
        } catch (e) {
          this.#onError(e);
          // One at a time: `committed` counts each, so a failure below re-queues only the rest.
          for (const r of chunk) {
            await this.#commitOne(r);
            committed++;
          }
        }
        // Let the requests in flight run between transactions.
        if (!lines.done) await new Promise<void>((r) => setImmediate(r));
      }
    } catch (e) {
      // The uncommitted rest goes back in front (never the committed part: no duplicates); the
      // segments stay until a later pass commits it.
      const rest = lines.rest();
      this.#retry = chunk.slice(committed).concat(rest.records);
      this.#pending = rest.buffers.concat(this.#pending);
      this.#pendingCount += rest.bufferedCount;
      this.#lastError = e;
      this.#onError(e);
      return;
    }
    this.#lastError = undefined;
    // INVARIANT: every record of the retired segments was in `taken` (or committed earlier).
    for (const f of this.#retired.splice(0)) rmSync(f, { force: true });
  }
}
