import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Keyv from 'keyv';
import { openSqliteDatabase, parseSqliteUrl } from './open-sqlite.ts';
import { SqliteKeyvStore } from './sqlite-keyv-store.ts';
import { SqliteUsageLedger } from './sqlite-usage-ledger.ts';
import type { UsageLedger } from './usage-ledger.ts';

/** Where settings (Keyv) and usage counters (atomic, backend-native) live. */
export interface Store {
  readonly kind: 'sqlite' | 'redis';
  /** A Keyv over this store for one namespace (one namespace per concept). */
  keyv(namespace: string): Keyv;
  readonly usage: UsageLedger;
  close(): Promise<void>;
}

/**
 * Opens the store `DATABASE_URL` names. Rejects with an Error whose message names
 * DATABASE_URL and says what is wrong when it cannot be opened.
 */
export async function openStore(url: string): Promise<Store> {
  return /^rediss?:\/\//.test(url) ? openRedisStore(url) : openSqliteStore(url);
}

async function openSqliteStore(url: string): Promise<Store> {
  const db = openSqliteDatabase(url);
  let releaseLock: () => void;
  try {
    const path = parseSqliteUrl(url);
    releaseLock = path === ':memory:' ? () => undefined : lockForThisProcess(path, url);
  } catch (error) {
    db.close();
    throw error;
  }
  const usage = new SqliteUsageLedger(db);
  return {
    kind: 'sqlite',
    keyv(namespace) {
      // One adapter per namespace: Keyv writes its namespace onto the adapter it is given.
      return new Keyv({ store: new SqliteKeyvStore(db), namespace });
    },
    usage,
    async close() {
      if (db.isOpen) db.close();
      releaseLock();
    },
  };
}

/**
 * SQLite is for one bot process: a second one on the same file would pace its own gate and
 * block on the file's write lock. A lock file with the owner's PID refuses a second process
 * clearly; a lock left by a process that died (kill -9) is taken over.
 */
function lockForThisProcess(dbPath: string, url: string): () => void {
  const lockPath = `${dbPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `DATABASE_URL ${url} is already used by another bot process (pid ${owner}). SQLite is for one process; ` +
            'to run several, set DATABASE_URL and REDIS_URL to a Redis server.',
          { cause: error },
        );
      }
      rmSync(lockPath, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`Cannot lock ${lockPath} (DATABASE_URL=${url})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    throw new Error(`Cannot reach Redis at ${url} (DATABASE_URL): ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    kind: 'redis',
    keyv(namespace) {
      return new Keyv({
        store: new KeyvRedis(client, { throwOnErrors: true }),
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
