import type { DatabaseSync } from 'node:sqlite';
import Keyv from 'keyv';
import { redactUrl } from '../redact.ts';
import { openSqliteDatabase, parseSqliteUrl } from './open-sqlite.ts';
import { acquireProcessLock } from './process-lock.ts';
import { SqliteKeyvStore } from './sqlite-keyv-store.ts';
import { SqliteUsageLedger } from './sqlite-usage-ledger.ts';
import type { UsageLedger } from './usage-ledger.ts';

/** Where settings (Keyv) and usage counters (atomic, backend-native) live. */
export interface Store {
  readonly kind: 'sqlite' | 'redis';
  /**
   * A Keyv over this store for one namespace (one namespace per concept). `fsync: false` is for
   * data that only helps, whose writes SQLite need not sync to the disk (see `syncSoon`); Redis
   * ignores it.
   */
  keyv(namespace: string, options?: { readonly fsync?: boolean }): Keyv;
  readonly usage: UsageLedger;
  close(): Promise<void>;
}

/** How {@link openStore} opens a store. */
export interface OpenStoreOptions {
  /**
   * SQLite only: how long to wait for another bot process to let go of the data file (see
   * `acquireProcessLock`). 0 (the default) fails at once. `npm start` passes its shutdown grace
   * plus a margin, so a bot restarted right after a signal waits for the old one to finish.
   */
  readonly lockWaitMs?: number;
}

/**
 * Opens the store `DATABASE_URL` names. Rejects with an Error whose message names
 * DATABASE_URL and says what is wrong when it cannot be opened; a password in the URL is shown
 * as `***`. A SQLite file is for one process: while another bot process holds it, this waits up to
 * `lockWaitMs`, then rejects saying so.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  return /^rediss?:\/\//.test(url) ? openRedisStore(url) : openSqliteStore(url, options);
}

async function openSqliteStore(url: string, options: OpenStoreOptions): Promise<Store> {
  const file = parseSqliteUrl(url);
  // Locked before the file is opened: a process waiting for an old one leaves the file alone.
  const releaseLock =
    file === ':memory:'
      ? () => undefined
      : await acquireProcessLock(file, { waitMs: options.lockWaitMs ?? 0, url });
  let db: DatabaseSync | undefined;
  let usage: SqliteUsageLedger;
  try {
    db = openSqliteDatabase(url);
    // The file is this process's alone (the lock above), so the ledger may keep month totals.
    usage = new SqliteUsageLedger(db, { soleWriter: true });
  } catch (error) {
    if (db?.isOpen === true) db.close();
    releaseLock();
    throw error;
  }
  const opened = db;
  return {
    kind: 'sqlite',
    keyv(namespace, keyvOptions) {
      // One adapter per namespace: Keyv writes its namespace onto the adapter it is given.
      // Errors must reach the caller: without this Keyv reads a failure as "missing" and a write as done.
      return new Keyv({
        store: new SqliteKeyvStore(opened, { fsync: keyvOptions?.fsync ?? true }),
        namespace,
        throwOnErrors: true,
      });
    },
    usage,
    async close() {
      if (opened.isOpen) opened.close();
      releaseLock();
    },
  };
}

async function openRedisStore(url: string): Promise<Store> {
  // Loaded only when configured: the Redis clients cost ~45 MB of RSS a SQLite bot never needs.
  const [{ default: KeyvRedis, createClient }, { connectRedis }, { RedisUsageLedger }] = await Promise.all([
    import('@keyv/redis'),
    import('./redis-connection.ts'),
    import('./redis-usage-ledger.ts'),
  ]);
  const redis = await connectRedis(url, 'DATABASE_URL');
  // Settings go through Keyv's Redis adapter (its own node-redis client); counters through
  // ioredis HINCRBY, since Keyv has no atomic increment.
  const client = createClient({ url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot reach Redis at ${redactUrl(url)} (DATABASE_URL): ${redactUrl(reason)}`, {
      cause: error,
    });
  }
  return {
    kind: 'redis',
    keyv(namespace) {
      return new Keyv({
        store: new KeyvRedis(client, { throwOnErrors: true }),
        throwOnErrors: true,
        namespace,
        useKeyPrefix: false,
      });
    },
    usage: new RedisUsageLedger(redis),
    async close() {
      await Promise.allSettled([redis.quit(), client.close()]);
    },
  };
}
