import { EventEmitter } from 'node:events';
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';

import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { syncSoon } from './open-sqlite.ts';

/** Rows fetched per query while iterating, so a large namespace is never loaded at once. */
const ITERATOR_BATCH_SIZE = 100;

/** How often an adapter deletes expired rows, by default: once an hour. */
export const SWEEP_INTERVAL_MS = 3_600_000;

/** How an adapter is set up; every field is optional. */
export interface SqliteKeyvStoreSetup {
  /**
   * How often to delete expired rows (ms); 0 turns the timer off (a sweep still runs at
   * construction, and {@link SqliteKeyvStore.sweepExpired} can be called at any time).
   */
  readonly sweepIntervalMs?: number;
  /**
   * false: writes are not synced to the disk ({@link syncSoon}), for data that only helps (an
   * answer's buttons, a prompt stashed for a modal): a power cut may lose the last ones. Default
   * true: every change is on the disk within a second, like the usage.
   */
  readonly fsync?: boolean;
}

/** Options Keyv reads from an adapter: `dialect: 'sqlite'` is what makes Keyv expose `keyv.iterator()`. */
export interface SqliteKeyvStoreOptions {
  readonly dialect: 'sqlite';
  readonly url: string;
  readonly table: 'keyv';
  /** Keyv and its test suite write their own settings here (e.g. `deserialize`). */
  [option: string]: unknown;
}

/**
 * A Keyv 5 storage adapter over Node's built-in `node:sqlite`, so the bot needs no native `sqlite3`
 * build. It takes an open `DatabaseSync` so settings and the usage ledger share one file and handle.
 *
 * What Keyv hands over: `set(key, value, ttl)` gets the key already prefixed `namespace:` and the
 * value already serialized by Keyv (a JSON string holding `{ value, expires }`). Keyv itself decides
 * expiry on `get`/`getMany`/`iterator` from that serialized `expires`, using `Date.now()` (so fake
 * clocks such as timekeeper work), and deletes what it finds expired. This adapter also stores
 * `Date.now() + ttl` in an `expires` column, because Keyv trusts the adapter's own `has()` without
 * deserializing: `has()` answers false for an expired key.
 *
 * Limits:
 * - One store instance per Keyv instance: Keyv writes its namespace onto the adapter (`namespace`),
 *   and `clear()`/`iterator()` use it. Two Keyvs sharing one adapter clear each other's data.
 * - Keyv must keep a string serializer (the default): non-string values are rejected.
 * - With no namespace (`new Keyv({ store, namespace: undefined })`), `clear()` empties the whole table.
 * - Expired rows are deleted when read, at construction, and then every `sweepIntervalMs` (an hour
 *   by default) by an unref'd timer, so rows nobody reads again (a cooldown for a member who never
 *   comes back) do not pile up. The timer stops on `disconnect()` or once the database is closed.
 *   A sweep covers the whole table, every namespace: each adapter on one file sweeps it all.
 * - Every call is synchronous under the hood (`DatabaseSync`); the promises only satisfy Keyv's API.
 * - `disconnect()` does not close the database, which belongs to whoever opened it.
 */
export class SqliteKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /** Read by Keyv; `dialect` and `url` decide whether Keyv offers iteration. */
  readonly opts: SqliteKeyvStoreOptions;
  /** Set by Keyv to its namespace; scopes `clear()`. */
  namespace?: string | undefined;

  readonly #selectOne: StatementSync;
  readonly #selectMany: StatementSync;
  readonly #selectLive: StatementSync;
  readonly #upsert: StatementSync;
  readonly #deleteOne: StatementSync;
  readonly #deleteMany: StatementSync;
  readonly #deleteRange: StatementSync;
  readonly #deleteAll: StatementSync;
  readonly #firstPageInRange: StatementSync;
  readonly #nextPageInRange: StatementSync;
  readonly #firstPage: StatementSync;
  readonly #nextPage: StatementSync;
  readonly #deleteExpired: StatementSync;
  readonly #db: DatabaseSync;
  readonly #sweeper: NodeJS.Timeout | undefined;
  readonly #fsync: boolean;
  #disconnected = false;

  constructor(db: DatabaseSync, setup: SqliteKeyvStoreSetup = {}) {
    super();
    this.#db = db;
    this.#fsync = setup.fsync ?? true;
    this.opts = { dialect: 'sqlite', url: `sqlite://${db.location() ?? ':memory:'}`, table: 'keyv' };
    db.exec(
      'CREATE TABLE IF NOT EXISTS keyv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, expires INTEGER)',
    );
    this.#selectOne = db.prepare('SELECT value FROM keyv WHERE key = ?');
    // json_each takes the whole key list as one parameter: no bound-variable limit, one cached statement.
    this.#selectMany = db.prepare(
      'SELECT key, value FROM keyv WHERE key IN (SELECT value FROM json_each(?))',
    );
    this.#selectLive = db.prepare(
      'SELECT key FROM keyv WHERE key IN (SELECT value FROM json_each(?)) AND (expires IS NULL OR expires >= ?)',
    );
    this.#upsert = db.prepare(
      'INSERT INTO keyv (key, value, expires) VALUES (?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
    );
    this.#deleteOne = db.prepare('DELETE FROM keyv WHERE key = ?');
    this.#deleteMany = db.prepare('DELETE FROM keyv WHERE key IN (SELECT value FROM json_each(?))');
    // A key range [ns + ':', ns + ';') is exactly the keys starting with 'ns:' (';' follows ':'), uses the
    // primary-key index, and needs no LIKE escaping of '%' or '_' in namespaces.
    this.#deleteRange = db.prepare('DELETE FROM keyv WHERE key >= ? AND key < ?');
    this.#deleteAll = db.prepare('DELETE FROM keyv');
    // Keyset pagination (key > last) rather than OFFSET: Keyv deletes expired keys mid-iteration,
    // which would shift offsets and skip rows.
    this.#firstPageInRange = db.prepare(
      'SELECT key, value FROM keyv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
    );
    this.#nextPageInRange = db.prepare(
      'SELECT key, value FROM keyv WHERE key > ? AND key < ? ORDER BY key LIMIT ?',
    );
    this.#firstPage = db.prepare('SELECT key, value FROM keyv ORDER BY key LIMIT ?');
    this.#nextPage = db.prepare('SELECT key, value FROM keyv WHERE key > ? ORDER BY key LIMIT ?');
    // Only rows with a TTL are indexed, so the sweep never reads the rows that cannot expire.
    db.exec('CREATE INDEX IF NOT EXISTS keyv_expires ON keyv (expires) WHERE expires IS NOT NULL');
    this.#deleteExpired = db.prepare('DELETE FROM keyv WHERE expires IS NOT NULL AND expires < ?');
    this.sweepExpired();
    const every = setup.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
    if (every > 0) {
      this.#sweeper = setInterval(() => this.#sweepOnTimer(), every);
      // A sweep is housekeeping: it must never keep the process alive.
      this.#sweeper.unref();
    }
  }

  /**
   * Deletes every row whose TTL has passed (`expires < Date.now()`, the test Keyv applies on read),
   * in every namespace, and returns how many went. Rows without a TTL are never touched.
   */
  sweepExpired(): number {
    this.#assertConnected();
    return Number(this.#deleteExpired.run(Date.now()).changes);
  }

  /** The stored (serialized) value, or undefined. Expiry is left to Keyv, which deletes on read. */
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    this.#assertConnected();
    const row = this.#selectOne.get(key);
    return asStoredData<Value>(row === undefined ? undefined : textOf(row.value));
  }

  /** Stored values in the order of `keys`, undefined where absent. */
  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    this.#assertConnected();
    const found = new Map<string, string>();
    for (const row of this.#selectMany.all(JSON.stringify(keys))) {
      found.set(textOf(row.key), textOf(row.value));
    }
    return keys.map((key) => asStoredData<Value>(found.get(key)));
  }

  /**
   * Stores Keyv's serialized value. `ttl` (ms) is Keyv's own, already reflected in the serialized
   * `expires`; it is kept in a column too so `has()` can honour it. Resolves true.
   */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.#assertConnected();
    const text = serializedText(value);
    const expires = expiresAt(ttl);
    this.#upsert.run(key, text, expires);
    this.#changed();
    return true;
  }

  /** Resolves true if the key existed. */
  async delete(key: string): Promise<boolean> {
    this.#assertConnected();
    const deleted = Number(this.#deleteOne.run(key).changes) > 0;
    this.#changed();
    return deleted;
  }

  /** Resolves true if at least one of the keys existed (Keyv's contract). */
  async deleteMany(keys: string[]): Promise<boolean> {
    this.#assertConnected();
    const deleted = Number(this.#deleteMany.run(JSON.stringify(keys)).changes) > 0;
    this.#changed();
    return deleted;
  }

  /** Deletes this store's namespace only (or the whole table when Keyv set no namespace). */
  async clear(): Promise<void> {
    this.#assertConnected();
    if (this.namespace === undefined || this.namespace === '') {
      this.#deleteAll.run();
    } else {
      const [from, to] = namespaceRange(this.namespace);
      this.#deleteRange.run(from, to);
    }
    this.#changed();
  }

  /** Whether the key exists and has not expired, judged by `Date.now()`. */
  async has(key: string): Promise<boolean> {
    const [live] = await this.hasMany([key]);
    return live === true;
  }

  /** `has()` for several keys, in the order given. */
  async hasMany(keys: string[]): Promise<boolean[]> {
    this.#assertConnected();
    const live = new Set<string>();
    for (const row of this.#selectLive.all(JSON.stringify(keys), Date.now())) {
      live.add(textOf(row.key));
    }
    return keys.map((key) => live.has(key));
  }

  /**
   * Yields `[prefixedKey, serializedValue]` for every key in `namespace` (every key when undefined),
   * in key order, a batch at a time. Keyv strips the prefix, deserializes, and skips and deletes
   * expired entries.
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, string], void> {
    this.#assertConnected();
    const range = namespace === undefined || namespace === '' ? undefined : namespaceRange(namespace);
    let after: string | undefined;
    for (;;) {
      const rows = this.#page(range, after);
      for (const row of rows) {
        after = textOf(row.key);
        yield [after, textOf(row.value)];
      }
      if (rows.length < ITERATOR_BATCH_SIZE) {
        return;
      }
    }
  }

  /**
   * Makes this adapter refuse further calls. The database stays open: it is shared with the usage
   * ledger and is closed by whoever opened it.
   */
  async disconnect(): Promise<void> {
    this.#disconnected = true;
    clearInterval(this.#sweeper);
  }

  #sweepOnTimer(): void {
    if (this.#disconnected || !this.#db.isOpen) {
      clearInterval(this.#sweeper);
      return;
    }
    try {
      this.sweepExpired();
    } catch (error) {
      // A busy file or a full disk: the rows stay until the next sweep. Keyv listens for 'error'
      // on its store; emitting with no listener would throw from a timer and end the process.
      if (this.listenerCount('error') > 0) this.emit('error', error);
    }
  }

  #page(
    range: readonly [string, string] | undefined,
    after: string | undefined,
  ): Array<Record<string, SQLOutputValue>> {
    if (range === undefined) {
      return after === undefined
        ? this.#firstPage.all(ITERATOR_BATCH_SIZE)
        : this.#nextPage.all(after, ITERATOR_BATCH_SIZE);
    }
    return after === undefined
      ? this.#firstPageInRange.all(range[0], range[1], ITERATOR_BATCH_SIZE)
      : this.#nextPageInRange.all(after, range[1], ITERATOR_BATCH_SIZE);
  }

  /** A change was committed: on the disk within a second, unless this data only helps. */
  #changed(): void {
    if (this.#fsync) syncSoon(this.#db);
  }

  #assertConnected(): void {
    if (this.#disconnected) {
      throw new Error('SqliteKeyvStore is disconnected');
    }
  }
}

/** The half-open key range holding exactly the keys that start with `namespace:`. */
function namespaceRange(namespace: string): readonly [string, string] {
  return [`${namespace}:`, `${namespace};`];
}

function expiresAt(ttl: number | undefined): number | null {
  // Same clock and arithmetic as Keyv's serialized `expires` (Date.now() + ttl), so both agree.
  return typeof ttl === 'number' && Number.isFinite(ttl) ? Date.now() + ttl : null;
}

function serializedText(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError(`SqliteKeyvStore stores Keyv-serialized strings, got ${typeof value}`);
  }
  return value;
}

function textOf(value: SQLOutputValue | undefined): string {
  if (typeof value !== 'string') {
    throw new TypeError(`Expected TEXT in the keyv table, got ${value === null ? 'NULL' : typeof value}`);
  }
  return value;
}

/**
 * Keyv types adapter reads as the caller's value type, but what an adapter returns is what Keyv
 * gave it: the serialized string, which Keyv deserializes. This is the one place that bridges the two.
 */
function asStoredData<Value>(raw: string | undefined): StoredData<Value> {
  return raw as StoredData<Value>;
}
