import Keyv from 'keyv';
import { openSqliteDatabase } from './open-sqlite.ts';
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
  if (/^rediss?:\/\//.test(url)) {
    throw new Error(
      `DATABASE_URL ${url} is a Redis store, which this build does not support yet; use sqlite://`,
    );
  }
  const db = openSqliteDatabase(url);
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
    },
  };
}
