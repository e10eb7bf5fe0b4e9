/**
 * Group commit: the AuditTrail the server uses. `record` queues the event (serialized once) and
 * resolves after the transaction holding it commits. Events queued while a batch is being written
 * go into the next batch, so under load one commit (one fsync on SQLite) covers many requests, and
 * an idle server writes each event at once (next turn of the event loop).
 *
 * INVARIANT: a waiter is resolved only after AuditRepo.append resolved for a batch containing its
 * event, and append is all-or-nothing; a failed batch rejects every waiter in it.
 *
 * Flushes run in the async context captured at construction (AsyncResource), never inside the
 * request's: a store transaction that happens to be open in the caller's async flow is not
 * joined by the audit batch.
 */
import { AsyncResource } from 'node:async_hooks';
import type { AuditRecord, AuditRepo } from '../store/ports.js';
import type { AuditTrail, CloudTrailEvent, RecordOptions } from './event.js';
import { toAuditRecord } from './record.js';

interface Waiter {
  record: AuditRecord;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most events per transaction (default 500). */
  maxBatch?: number;
}

export interface GroupCommitStats {
  events: number;
  batches: number;
  largestBatch: number;
  failedBatches: number;
}

export class GroupCommitAuditTrail implements AuditTrail {
  readonly #repo: AuditRepo;
  readonly #maxBatch: number;
  #queue: Waiter[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #flushInOwnContext: () => void;
  readonly stats: GroupCommitStats = { events: 0, batches: 0, largestBatch: 0, failedBatches: 0 };

  constructor(repo: AuditRepo, opts: GroupCommitOptions = {}) {
    this.#repo = repo;
    this.#maxBatch = Math.max(1, opts.maxBatch ?? 500);
    this.#flushInOwnContext = AsyncResource.bind(() => {
      this.#scheduled = false;
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

  /** Resolves when every event recorded so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing || this.#scheduled) {
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
