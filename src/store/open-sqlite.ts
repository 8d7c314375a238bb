import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
 * - `synchronous = NORMAL`: a commit is in the WAL, with the operating system, when it returns, so a
 *   crashed or killed process loses nothing. What must also survive a power cut asks for
 *   {@link syncSoon} after its commit, which puts the WAL on the disk within {@link SYNC_WITHIN_MS}
 *   with one fsync off the event loop for every commit of that window, instead of one fsync on the
 *   event loop per commit (FULL).
 * - `busy_timeout` makes a connection wait for another connection's lock instead of failing at once.
 *   `DatabaseSync` waits synchronously, so a long wait blocks the event loop: keep transactions short.
 */
export function applyConnectionPragmas(db: DatabaseSync): void {
  db.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
}

/** At most this long after a commit that asked for it ({@link syncSoon}), the commit is on the disk. */
export const SYNC_WITHIN_MS = 1_000;

/** The WAL syncs of open files, by connection (`null` for `:memory:`). */
const walSyncs = new WeakMap<DatabaseSync, WalSync | null>();

/**
 * Asks for what `db` has committed so far to reach the disk within {@link SYNC_WITHIN_MS}: an fsync
 * of its WAL file, on libuv's thread pool, covers every commit made before it starts, so the
 * commits of one window share one. For what is worth a power cut's loss (usage, settings); data
 * that only helps (an answer's buttons) commits without asking. Nothing to do for `:memory:`.
 *
 * Limits: an fsync that fails is retried in the next window and reported as a process warning,
 * since the commits it covers are already done. Closing the database needs no sync first: SQLite
 * checkpoints the WAL into the file, with fsyncs, when its last connection closes.
 */
export function syncSoon(db: DatabaseSync): void {
  let sync = walSyncs.get(db);
  if (sync === undefined) {
    const wal = walPathOf(db);
    walSyncs.set(db, (sync = wal === undefined ? null : new WalSync(wal)));
  }
  sync?.soon();
}

/** The WAL file of a database on disk (SQLite's naming), or undefined for `:memory:`. */
export function walPathOf(db: DatabaseSync): string | undefined {
  const file = db.location();
  return file === null ? undefined : `${file}-wal`;
}

/** Puts a file's data on the disk (open, fsync, close), on libuv's thread pool. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * One file's WAL, synced at most once per window while commits keep asking ({@link syncSoon}).
 * `fsync` and `withinMs` are there for tests.
 */
export class WalSync {
  readonly #path: string;
  readonly #withinMs: number;
  readonly #fsync: (path: string) => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #syncing = false;
  /** A commit asked for a sync that has not started yet. */
  #asked = false;

  constructor(
    path: string,
    options: { readonly withinMs?: number; readonly fsync?: (path: string) => Promise<void> } = {},
  ) {
    this.#path = path;
    this.#withinMs = options.withinMs ?? SYNC_WITHIN_MS;
    this.#fsync = options.fsync ?? fsyncFile;
  }

  soon(): void {
    this.#asked = true;
    if (this.#timer !== undefined || this.#syncing) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#sync();
    }, this.#withinMs);
    // The commits are with the operating system already: exiting before the fsync loses nothing
    // but a power cut's protection, and the last connection's close syncs the file anyway.
    this.#timer.unref();
  }

  async #sync(): Promise<void> {
    this.#asked = false;
    this.#syncing = true;
    try {
      // Opened for each sync: SQLite deletes the WAL when the last connection closes.
      await this.#fsync(this.#path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#asked = true;
        const warning = new Error(`could not fsync ${this.#path}; retrying: ${String(error)}`, {
          cause: error,
        });
        warning.name = 'WalSyncWarning';
        process.emitWarning(warning);
      }
    } finally {
      this.#syncing = false;
      // Commits made while this fsync ran may not be in it.
      if (this.#asked) this.soon();
    }
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
