/**
 * Group commit: the AuditTrail the server uses. `record` queues the event (serialized once) and
 * resolves after the transaction holding it commits. Events queued while a batch is being written
 * go into the next batch, so under load one commit (one fsync on SQLite) covers many requests, and
 * an idle server writes each event at once (next turn of the event loop).
 *
 * INVARIANT: a waiter is resolved only after AuditRepo.append resolved for a batch containing its
 * event, and append is all-or-nothing; a failed batch rejects every waiter in it.
 *
 * Holds (AuditTrail.hold): the gateway takes one per request it starts and releases it once the
 * request's events are queued. While holds are open the next batch waits for them, at most
 * `maxWaitMs`: the requests in flight are being worked on by this same thread, so waiting
 * costs no idle time, and one commit then covers all of them instead of a commit per handful
 * (the commit, not the row, is most of an event's cost: docs/audit.md, "Storage and
 * throughput"). With nothing else in flight a batch is written at once, as before.
 *
 * Flushes run in the async context captured at construction (AsyncResource), never inside the
 * request's: a store transaction that happens to be open in the caller's async flow is not
 * joined by the audit batch.
 */
import { AsyncResource } from 'node:async_hooks';
import type { AuditRecord, AuditRepo } from '../store/ports.js';
import type { AuditHold, AuditTrail, CloudTrailEvent, RecordOptions } from './event.js';
import { toAuditRecord } from './record.js';

interface Waiter {
  record: AuditRecord;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most events per transaction (default 500). */
  maxBatch?: number;
  /** Longest a batch waits for open holds (ms, default 2; 0: never waits). */
  maxWaitMs?: number;
}

export interface GroupCommitStats {
  events: number;
  batches: number;
  largestBatch: number;
  failedBatches: number;
  /** Batches written because holds were still open after maxWaitMs. */
  timedOutWaits: number;
}

export class GroupCommitAuditTrail implements AuditTrail {
  readonly #repo: AuditRepo;
  readonly #maxBatch: number;
  readonly #maxWaitMs: number;
  #queue: Waiter[] = [];
  #scheduled = false;
  /** Open holds: requests in flight that may still record an event. */
  #holds = 0;
  #waitTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #flushInOwnContext: () => void;
  readonly stats: GroupCommitStats = { events: 0, batches: 0, largestBatch: 0, failedBatches: 0, timedOutWaits: 0 };

  constructor(repo: AuditRepo, opts: GroupCommitOptions = {}) {
    this.#repo = repo;
    this.#maxBatch = Math.max(1, opts.maxBatch ?? 500);
    this.#maxWaitMs = Math.max(0, opts.maxWaitMs ?? 2);
    this.#flushInOwnContext = AsyncResource.bind(() => {
      this.#scheduled = false;
      if (this.#waitTimer) {
        clearTimeout(this.#waitTimer);
        this.#waitTimer = undefined;
      }
      this.#flushing ??= this.#drain().finally(() => {
        this.#flushing = undefined;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  record(event: CloudTrailEvent, opts: RecordOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('audit: the trail is closed'));
    let record: AuditRecord;
    try {
      record = toAuditRecord(event, opts.at);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      this.#schedule();
    });
  }

  hold(): AuditHold {
    this.#holds++;
    let open = true;
    return {
      release: () => {
        if (!open) return;
        open = false;
        this.#holds--;
        if (this.#holds === 0 && this.#queue.length > 0) this.#schedule();
      },
    };
  }

  /** Resolves when every event recorded so far is committed (or failed). */
  async flush(): Promise<void> {
    if (this.#waitTimer && !this.#flushing && !this.#scheduled) {
      // Do not wait for holds: whoever flushes wants what is queued written now.
      this.#scheduled = true;
      setImmediate(this.#flushInOwnContext);
    }
    while (this.#queue.length > 0 || this.#flushing || this.#scheduled || this.#waitTimer) {
      if (this.#flushing) await this.#flushing;
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Writes what is queued, then refuses new events. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    if (this.#holds > 0 && this.#queue.length < this.#maxBatch && this.#maxWaitMs > 0 && !this.#closed) {
      // Wait for the requests in flight (their release() schedules again), but not forever.
      this.#waitTimer ??= setTimeout(() => {
        this.#waitTimer = undefined;
        this.stats.timedOutWaits++;
        this.#scheduled = true;
        this.#flushInOwnContext();
      }, this.#maxWaitMs);
      return;
    }
    this.#scheduled = true;
    setImmediate(this.#flushInOwnContext);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        await this.#repo.append(batch.map((w) => w.record));
      } catch (e) {
        this.stats.failedBatches++;
        for (const w of batch) w.reject(e);
        continue;
      }
      this.stats.batches++;
      this.stats.events += batch.length;
      if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;
      for (const w of batch) w.resolve();
    }
  }
}
