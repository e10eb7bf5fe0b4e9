/**
 * Retention: events older than the configured number of days are deleted, at start and then
 * hourly, in bounded batches (each its own short transaction, so requests interleave). CloudTrail's
 * event history keeps 90 days, the default here. Last-use entries follow IAM's own window: "Activity
 * is only reported for the trailing 400 days" (RoleLastUsed), so they outlive the events.
 */
import type { Clock } from '../domain/clock.js';
import type { AuditRepo } from '../store/ports.js';

export const DEFAULT_RETENTION_DAYS = 90;
export const LAST_USED_TRACKING_DAYS = 400;
const DAY_MS = 86_400_000;
const BATCH = 5_000;

export interface PruneResult {
  events: number;
  lastUsed: number;
}

/** Deletes what is past retention (`retentionDays` 0: keep events forever). */
export async function pruneAudit(repo: AuditRepo, now: Date, retentionDays: number): Promise<PruneResult> {
  let events = 0;
  if (retentionDays > 0) {
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    for (;;) {
      const n = await repo.prune(cutoff, BATCH);
      events += n;
      if (n < BATCH) break;
      // Let queued requests run between batches.
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  const lastUsed = await repo.pruneLastUsed(new Date(now.getTime() - LAST_USED_TRACKING_DAYS * DAY_MS));
  return { events, lastUsed };
}

export interface RetentionTask {
  /** The pruning pass in progress or just started. */
  runNow(): Promise<PruneResult>;
  stop(): Promise<void>;
}

/** Prunes now and every `everyMs` (default an hour) until stopped; errors go to `onError`. */
export function startRetention(repo: AuditRepo, clock: Clock, retentionDays: number, onError: (e: unknown) => void, everyMs = 3_600_000): RetentionTask {
  let running: Promise<PruneResult> | undefined;
  let stopped = false;
  const run = (): Promise<PruneResult> => {
    running ??= pruneAudit(repo, clock.now(), retentionDays)
      .catch((e: unknown) => {
        if (!stopped) onError(e);
        return { events: 0, lastUsed: 0 };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
