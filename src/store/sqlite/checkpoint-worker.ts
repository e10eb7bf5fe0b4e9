/**
 * The WAL checkpointer's thread (started by checkpointer.ts): its own connection to the
 * database file, running `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`. A passive
 * checkpoint never waits for, nor blocks, the server's readers and writers; its disk syncs
 * happen here instead of stalling the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

interface Data {
  filename: string;
  intervalMs: number;
}

const { filename, intervalMs } = workerData as Data;
const port = parentPort;
if (!port) throw new Error('checkpoint-worker: not a worker thread');

const db = new BetterSqlite3(filename, { fileMustExist: true, timeout: 0 });
// The sync rules of the server's connection: the WAL is synced before a checkpoint copies it
// into the database file, and the file is synced before the WAL is reused.
db.pragma('synchronous = FULL');
let passes = 0;
let pages = 0;

function pass(): void {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    passes++;
    if (row && row.checkpointed > 0) pages += row.checkpointed;
  } catch {
    // SQLITE_BUSY or a transient I/O error: the next pass tries again (and the server's own
    // wal_autocheckpoint is the backstop).
  }
}

const timer = setInterval(pass, intervalMs);
port.on('message', (m: unknown) => {
  if (m === 'pass') {
    pass();
    port.postMessage({ passes, pages });
  } else if (m === 'stop') {
    clearInterval(timer);
    pass();
    db.close();
    port.postMessage({ passes, pages, stopped: true });
    port.close();
  }
});
port.postMessage({ ready: true });
