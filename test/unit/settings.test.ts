import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import Keyv, { type KeyvStoreAdapter, type StoredData } from 'keyv';
import { UserError } from '../../src/errors.ts';
import { openSqliteDatabase } from '../../src/store/open-sqlite.ts';
import { createSettingsStore, SETTINGS_CACHE_ENTRIES, type SettingsStore } from '../../src/store/settings.ts';
import { sqliteKeyv } from '../support/ask-world.ts';

const G = '100000000000000001';
const M = '300000000000000001';
const C = '200000000000000001';

/** A storage adapter whose every call fails, as a disk or a connection does. */
class FailingAdapter extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string | undefined;
  readonly error = new Error('SQLITE_IOERR: disk I/O error');
  async get<Value>(_key: string): Promise<StoredData<Value> | undefined> {
    throw this.error;
  }
  async set(_key: string, _value: unknown): Promise<boolean> {
    throw this.error;
  }
  async delete(_key: string): Promise<boolean> {
    throw this.error;
  }
  async clear(): Promise<void> {
    throw this.error;
  }
}

/** A storage adapter in memory whose reads can be held up, to let a write land in the middle of one. */
class HeldReadsAdapter extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string | undefined;
  holdReads = false;
  readonly #rows = new Map<string, unknown>();
  #held: (() => void)[] = [];
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.#rows.get(key) as StoredData<Value> | undefined;
    if (this.holdReads) await new Promise<void>((resolve) => this.#held.push(resolve));
    return row;
  }
  async set(key: string, value: unknown): Promise<boolean> {
    this.#rows.set(key, value);
    return true;
  }
  async delete(key: string): Promise<boolean> {
    return this.#rows.delete(key);
  }
  async clear(): Promise<void> {
    this.#rows.clear();
  }
  releaseReads(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }
}

const reads: ReadonlyArray<[string, (s: SettingsStore) => Promise<unknown>]> = [
  ['channelModel', (s) => s.channelModel(C)],
  ['channelSystemPrompt', (s) => s.channelSystemPrompt(C)],
  ['channelReasoningEffort', (s) => s.channelReasoningEffort(C)],
  ['budgetOverride', (s) => s.budgetOverride(G)],
  ['memberBudget', (s) => s.memberBudget(G, M)],
  ['meta', (s) => s.meta('commands-hash')],
];

const writes: ReadonlyArray<[string, (s: SettingsStore) => Promise<void>]> = [
  ['setChannelModel', (s) => s.setChannelModel(C, 'mistral-large-latest')],
  ['setChannelSystemPrompt', (s) => s.setChannelSystemPrompt(C, 'Be brief.')],
  ['setChannelSystemPrompt(clear)', (s) => s.setChannelSystemPrompt(C, undefined)],
  ['setChannelReasoningEffort', (s) => s.setChannelReasoningEffort(C, 'high')],
  ['setBudgetOverride', (s) => s.setBudgetOverride(G, 0)],
  ['setBudgetOverride(clear)', (s) => s.setBudgetOverride(G, undefined)],
  ['setMemberBudget', (s) => s.setMemberBudget(G, M, 500)],
  ['setMemberBudget(clear)', (s) => s.setMemberBudget(G, M, undefined)],
  ['setMeta', (s) => s.setMeta('commands-hash', 'abc')],
];

async function assertEveryCallFails(settings: SettingsStore, cause: (error: unknown) => void): Promise<void> {
  for (const [name, read] of reads) {
    await assert.rejects(read(settings), (error: unknown) => {
      assert.ok(error instanceof UserError, name);
      assert.equal(error.code, 'store_unavailable', name);
      cause(error.cause);
      return true;
    });
  }
  for (const [name, write] of writes) {
    await assert.rejects(write(settings), (error: unknown) => {
      assert.ok(error instanceof UserError, name);
      assert.equal(error.code, 'setting_not_saved', name);
      cause(error.cause);
      return true;
    });
  }
}

describe('the settings store', () => {
  it('GIVEN a Keyv whose adapter throws THEN every read throws store_unavailable and every write setting_not_saved, keeping the cause', async () => {
    const adapter = new FailingAdapter();
    const settings = createSettingsStore(
      (namespace) => new Keyv({ store: adapter, namespace, throwOnErrors: true }),
    );
    await assertEveryCallFails(settings, (cause) => assert.equal(cause, adapter.error));
  });

  it('GIVEN the SQLite database behind it is gone THEN reads and writes fail the same way, never as “missing” or “saved”', async () => {
    const db = openSqliteDatabase('sqlite://:memory:');
    const settings = createSettingsStore(sqliteKeyv(db));
    await settings.setChannelModel(C, 'codestral-2508');
    db.close();
    await assertEveryCallFails(settings, (cause) => assert.ok(cause instanceof Error));
  });

  it('GIVEN a budget override of 0 THEN it reads back as 0 (blocking), not as no override; clearing it reads back as none', async () => {
    const db = openSqliteDatabase('sqlite://:memory:');
    try {
      const settings = createSettingsStore(sqliteKeyv(db));
      assert.equal(await settings.budgetOverride(G), undefined);
      await settings.setBudgetOverride(G, 0);
      assert.equal(await settings.budgetOverride(G), 0);
      await settings.setMemberBudget(G, M, 0);
      assert.equal(await settings.memberBudget(G, M), 0);
      assert.equal(await settings.memberBudget(G, '300000000000000002'), undefined, 'per member');
      await settings.setBudgetOverride(G, undefined);
      assert.equal(await settings.budgetOverride(G), undefined);
      await settings.setBudgetOverride(G, 2_500_000);
      assert.equal(await settings.budgetOverride(G), 2_500_000);
    } finally {
      db.close();
    }
  });

  it('GIVEN channel choices THEN each reads back from its own namespace, and clearing a system prompt removes it', async () => {
    const db = openSqliteDatabase('sqlite://:memory:');
    try {
      const settings = createSettingsStore(sqliteKeyv(db));
      await settings.setChannelModel(C, 'codestral-2508');
      await settings.setChannelSystemPrompt(C, 'Be brief.');
      await settings.setChannelReasoningEffort(C, 'high');
      await settings.setMeta(C, 'not a model');
      assert.equal(await settings.channelModel(C), 'codestral-2508');
      assert.equal(await settings.channelSystemPrompt(C), 'Be brief.');
      assert.equal(await settings.channelReasoningEffort(C), 'high');
      assert.equal(await settings.meta(C), 'not a model');
      await settings.setChannelSystemPrompt(C, undefined);
      assert.equal(await settings.channelSystemPrompt(C), undefined);
      assert.equal(await settings.channelModel(C), 'codestral-2508');
    } finally {
      db.close();
    }
  });

  describe('GIVEN it is the store’s only writer (a SQLite file this process holds)', () => {
    /** Changes a stored setting behind the settings store's back, as another writer would. */
    const changeBehind = (db: ReturnType<typeof openSqliteDatabase>, key: string, value: unknown) =>
      db
        .prepare('UPDATE keyv SET value = ? WHERE key = ?')
        .run(JSON.stringify({ value, expires: null }), key);

    it('THEN a setting read once is read from memory, and a change made through it is read back at once', async () => {
      const db = openSqliteDatabase('sqlite://:memory:');
      try {
        const shared = createSettingsStore(sqliteKeyv(db));
        const sole = createSettingsStore(sqliteKeyv(db), { soleWriter: true });
        await sole.setChannelModel(C, 'codestral-2508');
        assert.equal(await sole.channelModel(C), 'codestral-2508');
        assert.equal(changeBehind(db, `channel-model:${C}`, 'mistral-large-latest').changes, 1);
        assert.equal(await shared.channelModel(C), 'mistral-large-latest', 'without the cache: the store');
        assert.equal(await sole.channelModel(C), 'codestral-2508', 'with it: memory');
        await sole.setChannelModel(C, 'mistral-medium-latest');
        assert.equal(await sole.channelModel(C), 'mistral-medium-latest');
        assert.equal(await shared.channelModel(C), 'mistral-medium-latest', 'written through');
        // A missing setting is remembered as missing, and a new one replaces that.
        assert.equal(await sole.budgetOverride(G), undefined);
        await sole.setBudgetOverride(G, 0);
        assert.equal(await sole.budgetOverride(G), 0);
        await sole.setBudgetOverride(G, undefined);
        assert.equal(await sole.budgetOverride(G), undefined);
        assert.equal(await shared.budgetOverride(G), undefined);
      } finally {
        db.close();
      }
    });

    it('THEN a read that was under way when a write landed does not bring the old value back', async () => {
      const adapter = new HeldReadsAdapter();
      const sole = createSettingsStore(
        (namespace) => new Keyv({ store: adapter, namespace, throwOnErrors: true }),
        {
          soleWriter: true,
        },
      );
      // Stored before this process read it, so the read below goes to the store.
      await new Keyv({ store: adapter, namespace: 'system-prompt' }).set(C, 'Old.');
      adapter.holdReads = true;
      const reading = sole.channelSystemPrompt(C);
      await sole.setChannelSystemPrompt(C, 'New.');
      adapter.releaseReads();
      assert.equal(await reading, 'Old.', 'the read took the row before the write');
      adapter.holdReads = false;
      assert.equal(await sole.channelSystemPrompt(C), 'New.');
    });

    it('THEN a write that fails forgets the setting, so the next read asks the store (and fails) instead of answering from memory', async () => {
      const db = openSqliteDatabase('sqlite://:memory:');
      const sole = createSettingsStore(sqliteKeyv(db), { soleWriter: true });
      await sole.setMemberBudget(G, M, 500);
      assert.equal(await sole.memberBudget(G, M), 500);
      db.close();
      await assert.rejects(sole.setMemberBudget(G, M, 900), { code: 'setting_not_saved' });
      await assert.rejects(sole.memberBudget(G, M), { code: 'store_unavailable' });
    });

    it(`THEN it keeps at most ${SETTINGS_CACHE_ENTRIES} settings: the one cached first is read from the store again`, async () => {
      const db = openSqliteDatabase('sqlite://:memory:');
      try {
        const sole = createSettingsStore(sqliteKeyv(db), { soleWriter: true });
        await sole.setMemberBudget(G, M, 500);
        assert.equal(await sole.memberBudget(G, M), 500);
        changeBehind(db, `member-budget:${G}:${M}`, 700);
        assert.equal(await sole.memberBudget(G, M), 500, 'cached');
        for (let i = 0; i < SETTINGS_CACHE_ENTRIES; i++)
          await sole.memberBudget(G, `4${String(i).padStart(17, '0')}`);
        assert.equal(await sole.memberBudget(G, M), 700, 'dropped, so read from the store');
      } finally {
        db.close();
      }
    });
  });
});
