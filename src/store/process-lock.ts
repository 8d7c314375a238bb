import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl } from '../redact.ts';

/** How often a waiting process tries the lock again. */
const RETRY_MS = 100;

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_NOTADB = 26;

/** How {@link acquireProcessLock} waits, and what its messages name. */
export interface ProcessLockOptions {
  /**
   * How long to wait for another process to let go of the lock before failing (0, the default:
   * fail at once). A bot restarted right after a signal passes its shutdown grace plus a margin,
   * so it waits for the old process to finish instead of failing while that one drains.
   */
  readonly waitMs?: number;
  /** The `DATABASE_URL` the data file came from, for messages (its password, if any, is hidden). */
  readonly url?: string;
}

/** Lets the lock go; calling it again does nothing. */
export type ReleaseLock = () => void;

/**
 * Makes this process the only bot process using the SQLite file at `dbPath`, across processes and
 * containers, by holding an exclusive SQLite lock on a small database beside it (`<file>.lock`):
 * `PRAGMA locking_mode = EXCLUSIVE` and a write transaction, so the connection keeps SQLite's POSIX
 * advisory lock until it is closed. The kernel drops that lock when the process ends however it ends
 * (`kill -9`, a crash, an OOM kill), so nothing is ever stale, and process IDs play no part (in
 * Docker every container's node is PID 1). Containers that mount the same volume on one host share
 * the kernel and so see each other's lock.
 *
 * While another process holds it, this retries every 100 ms for `waitMs`, then rejects with a
 * message that names DATABASE_URL, says SQLite is for one process, and how to run several. Other
 * failures (the folder cannot be created, the lock file is not writable) reject naming the lock
 * file and DATABASE_URL. The waiting is asynchronous: the event loop keeps running.
 *
 * Limits:
 * - Network filesystems (NFS, SMB/CIFS, many FUSE mounts) may implement POSIX locks loosely or not
 *   at all, and hosts that share only a network volume do not share a kernel: there the lock may
 *   not exclude a second process. Keep a SQLite data file on a local disk, or use Redis.
 * - The lock file is left in place when released (deleting it would let two processes lock two
 *   different files of the same name). A file there that is not a SQLite database (the PID file an
 *   older version wrote) is emptied and used; a still-running older version is not detected.
 * - POSIX locks belong to the process: code in this process that opens and closes `<file>.lock`
 *   by other means releases the lock. Nothing but this function should touch that file.
 */
export async function acquireProcessLock(
  dbPath: string,
  options: ProcessLockOptions = {},
): Promise<ReleaseLock> {
  const lockPath = `${dbPath}.lock`;
  const shown = redactUrl(options.url ?? `sqlite://${dbPath}`);
  const deadline = performance.now() + Math.max(0, options.waitMs ?? 0);
  try {
    mkdirSync(path.dirname(lockPath), { recursive: true });
  } catch (error) {
    throw lockError(lockPath, shown, error);
  }
  let replacedForeignFile = false;
  for (;;) {
    const outcome = tryLock(lockPath);
    if (typeof outcome === 'function') return outcome;
    if (outcome.kind === 'foreign' && !replacedForeignFile) {
      replacedForeignFile = true;
      try {
        // Emptied in place, not deleted: a process that locked it meanwhile keeps its lock on this file.
        writeFileSync(lockPath, '');
      } catch (error) {
        throw lockError(lockPath, shown, error);
      }
      continue;
    }
    if (outcome.kind !== 'held') throw lockError(lockPath, shown, outcome.error);
    const left = deadline - performance.now();
    if (left <= 0) {
      const waited = options.waitMs ? ` (waited ${Math.round(options.waitMs / 1000)} s for it to stop)` : '';
      throw new Error(
        `DATABASE_URL ${shown} is already used by another bot process, which holds ${lockPath}${waited}. ` +
          'SQLite is for one process; to run several, set DATABASE_URL and REDIS_URL to a Redis server.',
        { cause: outcome.error },
      );
    }
    await sleep(Math.min(RETRY_MS, left));
  }
}

type Attempt = ReleaseLock | { kind: 'held' | 'foreign' | 'failed'; error: unknown };

/** One try: the release function, or why not (held by another process, not a database, other). */
function tryLock(lockPath: string): Attempt {
  let db: DatabaseSync | undefined;
  try {
    // timeout 0: never wait inside SQLite, whose busy wait would block the event loop.
    db = new DatabaseSync(lockPath, { timeout: 0 });
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, new Date().toISOString());
    db.exec('COMMIT');
  } catch (error) {
    if (db?.isOpen === true) db.close();
    const code = (error as { errcode?: unknown }).errcode;
    if (code === SQLITE_BUSY || code === SQLITE_LOCKED) return { kind: 'held', error };
    if (code === SQLITE_NOTADB) return { kind: 'foreign', error };
    return { kind: 'failed', error };
  }
  const held = db;
  return () => {
    if (held.isOpen) held.close();
  };
}

function lockError(lockPath: string, shownUrl: string, error: unknown): Error {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
  return new Error(`Cannot lock ${lockPath} (DATABASE_URL=${shownUrl}): ${reason}`, { cause: error });
}
