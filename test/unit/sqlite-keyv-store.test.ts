import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { expect } from 'expect';
import Keyv from 'keyv';

import { openSqliteDatabase } from '../../src/store/open-sqlite.ts';
import { SqliteKeyvStore, SWEEP_INTERVAL_MS } from '../../src/store/sqlite-keyv-store.ts';

/**
 * @keyv/test-suite is written for vitest: it calls `test.it(name, (t) => t.expect(...))`,
 * `test.beforeEach` and `test.afterEach`. This bridge maps those onto node:test and jest's standalone
 * `expect`. `expect.assertions(n)` is only recorded by standalone expect, so the bridge resets that
 * state before each test and fails the test afterwards if the expected count was not met, as vitest would.
 */
type SuiteTest = (context: { expect: typeof expect }) => unknown;

const vitestBridge = {
  it(name: string, fn: SuiteTest): void {
    it(name, async () => {
      expect.extractExpectedAssertionsErrors();
      await fn({ expect });
      const [unmet] = expect.extractExpectedAssertionsErrors();
      if (unmet !== undefined) {
        throw unmet.error;
      }
    });
  },
  beforeEach(fn: () => unknown): void {
    beforeEach(async () => {
      await fn();
    });
  },
  afterEach(fn: () => unknown): void {
    afterEach(async () => {
      await fn();
    });
  },
};
// The suite's parameter is typed as vitest's whole module; it only uses the three members above.
const suiteApi = vitestBridge as unknown as Parameters<typeof keyvTestSuite>[0];

const dir = mkdtempSync(path.join(tmpdir(), 'sqlite-keyv-store-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteKeyvStore against @keyv/test-suite', () => {
  let db: DatabaseSync;
  before(() => {
    db = new DatabaseSync(path.join(dir, 'suite.sqlite'));
  });
  after(() => {
    db.close();
  });
  // A fresh adapter per call (as the suite expects) over one shared handle, like the bot.
  const store = (): SqliteKeyvStore => new SqliteKeyvStore(db);

  describe('keyvTestSuite (api, values, namespaces)', () => {
    keyvTestSuite(suiteApi, Keyv, store);
  });

  describe('keyvIteratorTests', () => {
    keyvIteratorTests(suiteApi, Keyv, store);
  });
});

describe('SqliteKeyvStore with Keyv in the bot', () => {
  it('GIVEN a namespaced Keyv THEN strings, numbers and objects round-trip and survive a reopen', async () => {
    const file = path.join(dir, 'roundtrip.sqlite');
    const url = `sqlite://${file}`;
    const first = openSqliteDatabase(url);
    const settings = new Keyv({ store: new SqliteKeyvStore(first), namespace: 'settings' });
    await settings.set('guild:123:model', 'mistral-small-latest');
    await settings.set('guild:123:budget', 250_000);
    await settings.set('guild:123:channels', { '456': 'codestral-2508', '789': null });
    first.close();

    const second = openSqliteDatabase(url);
    const reopened = new Keyv({ store: new SqliteKeyvStore(second), namespace: 'settings' });
    assert.equal(await reopened.get('guild:123:model'), 'mistral-small-latest');
    assert.equal(await reopened.get('guild:123:budget'), 250_000);
    assert.deepEqual(await reopened.get('guild:123:channels'), { '456': 'codestral-2508', '789': null });
    const raw = second.prepare('SELECT key FROM keyv ORDER BY key').all();
    assert.deepEqual(
      raw.map((row) => row.key),
      ['settings:guild:123:budget', 'settings:guild:123:channels', 'settings:guild:123:model'],
    );
    second.close();
  });

  it('GIVEN two namespaces with look-alike names THEN clear() removes only its own', async () => {
    const db = new DatabaseSync(':memory:');
    const a = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'a' });
    const ab = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'a_b' });
    const percent = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'a%' });
    await a.set('k', 1);
    await ab.set('k', 2);
    await percent.set('k', 3);
    await percent.clear();
    assert.equal(await percent.get('k'), undefined);
    assert.equal(await a.get('k'), 1);
    assert.equal(await ab.get('k'), 2);
    db.close();
  });

  it('GIVEN a key set with a ttl THEN has() is true until it expires and false after', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const db = new DatabaseSync(':memory:');
    const keyv = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'cooldown' });
    await keyv.set('user:1', true, 1_000);
    await keyv.set('user:2', true);
    assert.equal(await keyv.has('user:1'), true);
    t.mock.timers.tick(1_001);
    assert.equal(await keyv.has('user:1'), false);
    assert.equal(await keyv.has('user:2'), true);
    assert.equal(await keyv.get('user:1'), undefined);
    db.close();
  });

  it('GIVEN more keys than one iterator batch THEN iterator() yields every key of the namespace once', async () => {
    const db = new DatabaseSync(':memory:');
    const keyv = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'many' });
    const other = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'other' });
    await other.set('x', 'not mine');
    const expected = new Map(Array.from({ length: 250 }, (_, i) => [`k${i}`, i] as const));
    await keyv.setMany([...expected].map(([key, value]) => ({ key, value })));
    assert.ok(keyv.iterator, 'Keyv exposes iterator() for a sqlite dialect adapter');
    const seen = new Map<string, unknown>();
    // Keyv types its iterator as taking one (ignored) argument.
    for await (const [key, value] of keyv.iterator(undefined)) {
      assert.equal(seen.has(String(key)), false);
      seen.set(String(key), value);
    }
    assert.deepEqual(seen, expected);
    db.close();
  });

  it('GIVEN getMany and deleteMany on the adapter THEN results follow the order of the keys', async () => {
    const db = new DatabaseSync(':memory:');
    const store = new SqliteKeyvStore(db);
    await store.set('n:b', 'B');
    await store.set('n:a', 'A');
    assert.deepEqual(await store.getMany(['n:a', 'n:missing', 'n:b']), ['A', undefined, 'B']);
    assert.deepEqual(await store.hasMany(['n:b', 'n:missing']), [true, false]);
    assert.equal(await store.deleteMany(['n:missing']), false);
    assert.equal(await store.deleteMany(['n:a', 'n:missing']), true);
    assert.deepEqual(await store.getMany(['n:a', 'n:b']), [undefined, 'B']);
    db.close();
  });

  it('GIVEN a non-string value (a Keyv without serializer) THEN set is refused with a TypeError', async () => {
    const db = new DatabaseSync(':memory:');
    const store = new SqliteKeyvStore(db);
    await assert.rejects(store.set('k', { value: 1 }), TypeError);
    db.close();
  });

  it('GIVEN a disconnected adapter THEN it refuses calls but leaves the shared database open', async () => {
    const db = new DatabaseSync(':memory:');
    const store = new SqliteKeyvStore(db);
    await store.disconnect();
    await assert.rejects(store.get('k'), /disconnected/);
    assert.equal(db.isOpen, true);
    db.close();
  });
});

describe('SqliteKeyvStore sweeps expired rows', () => {
  /** The keys physically in the table, whatever Keyv would say about them. */
  const rawKeys = (db: DatabaseSync) =>
    db
      .prepare('SELECT key FROM keyv ORDER BY key')
      .all()
      .map((row) => row.key);

  it('GIVEN rows set with a TTL that has passed THEN a sweep deletes them from the table and keeps the live ones', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const db = new DatabaseSync(':memory:');
    const store = new SqliteKeyvStore(db, { sweepIntervalMs: 0 });
    const keyv = new Keyv({ store, namespace: 'cooldown' });
    await keyv.set('user:1', true, 1_000);
    await keyv.set('user:2', true, 60_000);
    await keyv.set('user:3', 'no ttl');
    t.mock.timers.tick(1_001);
    assert.equal(store.sweepExpired(), 1);
    assert.deepEqual(rawKeys(db), ['cooldown:user:2', 'cooldown:user:3']);
    assert.equal(await keyv.get('user:2'), true);
    t.mock.timers.tick(60_000);
    assert.equal(store.sweepExpired(), 1);
    assert.deepEqual(rawKeys(db), ['cooldown:user:3']);
    assert.equal(store.sweepExpired(), 0);
    db.close();
  });

  it('GIVEN a file holding rows that expired while the bot was down THEN opening an adapter on it deletes them', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 5_000_000 });
    const file = path.join(dir, 'expired-at-open.sqlite');
    const first = new DatabaseSync(file);
    const keyv = new Keyv({ store: new SqliteKeyvStore(first, { sweepIntervalMs: 0 }), namespace: 'n' });
    await keyv.set('short', 1, 10);
    await keyv.set('forever', 2);
    first.close();
    t.mock.timers.tick(11);
    const second = new DatabaseSync(file);
    new SqliteKeyvStore(second, { sweepIntervalMs: 0 });
    assert.deepEqual(rawKeys(second), ['n:forever']);
    second.close();
  });

  it('GIVEN the hourly timer THEN each hour it deletes what expired, and after disconnect it stops', async (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 9_000_000 });
    const db = new DatabaseSync(':memory:');
    const store = new SqliteKeyvStore(db);
    const keyv = new Keyv({ store, namespace: 'n' });
    await keyv.set('a', 1, 1_000);
    await keyv.set('b', 2, 2 * SWEEP_INTERVAL_MS);
    t.mock.timers.tick(SWEEP_INTERVAL_MS - 1);
    assert.deepEqual(rawKeys(db), ['n:a', 'n:b'], 'no sweep before the hour');
    t.mock.timers.tick(1);
    assert.deepEqual(rawKeys(db), ['n:b']);
    await store.disconnect();
    t.mock.timers.tick(2 * SWEEP_INTERVAL_MS);
    assert.deepEqual(rawKeys(db), ['n:b'], 'no sweep after disconnect');
    db.close();
  });

  it('GIVEN the database closed under a live adapter THEN its timer stops instead of throwing', (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 1_000 });
    const db = new DatabaseSync(':memory:');
    new SqliteKeyvStore(db, { sweepIntervalMs: 1_000 });
    db.close();
    assert.doesNotThrow(() => t.mock.timers.tick(3_000));
  });
});
