/**
 * Takes WAL checkpoints off the server's event loop. SQLite checkpoints a WAL database on the
 * commit that takes the WAL past `wal_autocheckpoint` pages (1,000 by default), on the
 * committing connection, with two disk syncs. Under a sustained audit load that is one stall of
 * several milliseconds every second or so, during which the server answers nothing
 * (docs/benchmarks.md). Once started, a worker thread with its own connection checkpoints every
 * `intervalMs` (checkpoint-worker.ts) and the server's connection only checkpoints as a
 * backstop, when the WAL is past `backstopPages` (the worker stuck or gone).
 *
 * INVARIANT: the server's wal_autocheckpoint is raised only while the worker runs; if the worker
 * fails or exits, it is put back to SQLite's default before anything else happens.
 */
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface CheckpointerOptions {
  /** The server's connection (its wal_autocheckpoint is raised while the worker runs). */
  connection: BetterSqlite3.Database;
  filename: string;
  /** Between passive checkpoints (ms, default 100). */
  intervalMs?: number;
  /** The server's wal_autocheckpoint while the worker runs (pages, default 16,000: 64 MB). */
  backstopPages?: number;
  onError?: (e: unknown) => void;
}

export interface CheckpointStats {
  passes: number;
  pages: number;
}

export class Checkpointer {
  readonly #opts: CheckpointerOptions;
  #worker: Worker | undefined;
  #stopping: Promise<void> | undefined;
  #waiting: Array<(s: CheckpointStats) => void> = [];

  constructor(opts: CheckpointerOptions) {
    this.#opts = opts;
  }

  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Starts the worker (once; a no-op while it runs or after stop()). */
  start(): void {
    if (this.#worker || this.#stopping) return;
    const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      workerData: { filename: this.#opts.filename, intervalMs: this.#opts.intervalMs ?? 100 },
    });
    worker.unref(); // never keeps the process alive: the server's close() stops it
    this.#worker = worker;
    this.#opts.connection.pragma(`wal_autocheckpoint = ${this.#opts.backstopPages ?? 16_000}`);
    worker.on('message', (m: CheckpointStats & { ready?: boolean }) => {
      if (m.ready) return;
      for (const w of this.#waiting.splice(0)) w({ passes: m.passes, pages: m.pages });
    });
    worker.on('error', (e) => this.#opts.onError?.(e));
    worker.on('exit', () => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      // INVARIANT (above): the backstop goes before anything else can commit.
      this.#restoreAutocheckpoint();
      for (const w of this.#waiting.splice(0)) w({ passes: 0, pages: 0 });
    });
  }

  /** Runs one checkpoint pass now and reports the worker's totals (tests, diagnostics). */
  pass(): Promise<CheckpointStats> {
    const worker = this.#worker;
    if (!worker) return Promise.resolve({ passes: 0, pages: 0 });
    worker.ref(); // an unref'd worker's answer would not keep the caller's process waiting
    return new Promise<CheckpointStats>((resolve) => {
      this.#waiting.push(resolve);
      worker.postMessage('pass');
    }).finally(() => worker.unref());
  }

  /** Stops the worker after a last pass; the server's connection checkpoints as usual again. */
  stop(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return Promise.resolve();
    this.#stopping ??= new Promise<void>((resolve) => {
      worker.ref();
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    });
    return this.#stopping;
  }

  #restoreAutocheckpoint(): void {
    try {
      if (this.#opts.connection.open) this.#opts.connection.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    } catch (e) {
      this.#opts.onError?.(e);
    }
  }
}
