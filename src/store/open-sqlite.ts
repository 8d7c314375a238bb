import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** How long a connection waits for another connection's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

const IN_MEMORY = ':memory:';

/**
 * Turns a `DATABASE_URL` of the form Keyv uses into a file path: `sqlite://data/bot.sqlite` is relative
 * to `cwd`, `sqlite:///var/lib/bot.sqlite` is absolute, and `sqlite://:memory:` is returned as
 * `:memory:` (tests only: nothing survives the process).
 *
 * Limits: no query string, no percent-decoding (the rest of the URL is taken literally, as Keyv does).
 * Throws an Error naming DATABASE_URL when the scheme is not `sqlite:` or the path is empty.
 */
export function parseSqliteUrl(url: string, cwd: string = process.cwd()): string {
  const match = /^sqlite:\/\/(.*)$/i.exec(url.trim());
  const rest = match?.[1];
  if (rest === undefined) {
    throw new Error(
      `DATABASE_URL must look like sqlite://relative/path or sqlite:///absolute/path, got "${url}"`,
    );
  }
  if (rest === '') {
    throw new Error(`DATABASE_URL "${url}" has no file path after sqlite://`);
  }
  if (rest === IN_MEMORY) {
    return IN_MEMORY;
  }
  return path.resolve(cwd, rest);
}

/**
 * Sets the per-connection pragmas every handle on the bot's database needs. Idempotent, so stores that
 * are handed a connection apply it too and stay correct however the handle was opened.
 *
 * - WAL lets readers (budget checks, /usage) run while a write is in progress and lets a second process
 *   share the file.
 * - `synchronous = FULL` fsyncs the WAL on every commit. A `kill -9` alone cannot lose a committed
 *   transaction even at NORMAL (the bytes already reached the OS), but usage is money: FULL also keeps
 *   every settled request through a power cut or kernel crash, at the cost of one fsync per record.
 * - `busy_timeout` makes a connection wait for another connection's lock instead of failing at once.
 *   `DatabaseSync` waits synchronously, so a long wait blocks the event loop: keep transactions short.
 */
export function applyConnectionPragmas(db: DatabaseSync): void {
  db.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
}

/**
 * Runs `work` with commits that skip the fsync (`synchronous = NORMAL`), for writes that only help
 * and are worth less than an fsync each: what an answer's buttons read, a prompt stashed for a
 * form. A crash still loses nothing committed; a power cut may lose the last few.
 */
export function withoutFsync<T>(db: DatabaseSync, work: () => T): T {
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return work();
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}

/**
 * Opens (creating if needed) the SQLite file a `DATABASE_URL` names, with the pragmas above, for the
 * settings store and the usage ledger to share. Uses Node's built-in `node:sqlite`, so no native build.
 *
 * Throws an Error with a one-line message naming DATABASE_URL and the resolved path when the directory
 * cannot be created or the file cannot be opened or written (the original error is kept as `cause`).
 */
export function openSqliteDatabase(url: string): DatabaseSync {
  const file = parseSqliteUrl(url);
  let db: DatabaseSync | undefined;
  try {
    if (file !== IN_MEMORY) {
      mkdirSync(path.dirname(file), { recursive: true });
    }
    db = new DatabaseSync(file);
    // Opening is lazy; the pragmas read and write the file, so a bad path fails here, not on first use.
    applyConnectionPragmas(db);
    return db;
  } catch (error) {
    if (db?.isOpen === true) {
      db.close();
    }
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    throw new Error(`Cannot open the SQLite database at ${file} (DATABASE_URL=${url}): ${reason}`, {
      cause: error,
    });
  }
}
