import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import {
  fsyncFile,
  openSqliteDatabase,
  parseSqliteUrl,
  syncSoon,
  walPathOf,
  WalSync,
} from '../../src/store/open-sqlite.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'open-sqlite-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('parseSqliteUrl', () => {
  it('GIVEN sqlite://relative/path THEN resolves it against the working directory', () => {
    assert.equal(parseSqliteUrl('sqlite://data/bot.sqlite', '/srv/bot'), '/srv/bot/data/bot.sqlite');
    assert.equal(parseSqliteUrl('sqlite://./data/bot.sqlite', '/srv/bot'), '/srv/bot/data/bot.sqlite');
    assert.equal(parseSqliteUrl('sqlite://../shared/bot.sqlite', '/srv/bot'), '/srv/shared/bot.sqlite');
  });

  it('GIVEN sqlite:///absolute/path (as Keyv writes it) THEN returns the absolute path', () => {
    assert.equal(parseSqliteUrl('sqlite:///var/lib/bot/bot.sqlite', '/srv/bot'), '/var/lib/bot/bot.sqlite');
  });

  it('GIVEN no cwd THEN relative paths resolve against process.cwd()', () => {
    assert.equal(parseSqliteUrl('sqlite://bot.sqlite'), path.join(process.cwd(), 'bot.sqlite'));
  });

  it('GIVEN sqlite://:memory: THEN returns :memory:', () => {
    assert.equal(parseSqliteUrl('sqlite://:memory:'), ':memory:');
  });

  it('GIVEN another scheme or no path THEN throws naming DATABASE_URL', () => {
    for (const bad of ['redis://localhost:6379', 'data/bot.sqlite', 'sqlite:bot.sqlite', 'sqlite://', '']) {
      assert.throws(() => parseSqliteUrl(bad), /DATABASE_URL/, bad);
    }
  });
});

describe('openSqliteDatabase', () => {
  it('GIVEN a path in missing directories THEN creates them and opens a WAL database', () => {
    const file = path.join(dir, 'nested', 'deeper', 'bot.sqlite');
    const db = openSqliteDatabase(`sqlite://${file}`);
    assert.equal(existsSync(file), true);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    // NORMAL: commits that must survive a power cut ask syncSoon for their fsync.
    assert.equal(db.prepare('PRAGMA synchronous').get()?.synchronous, 1);
    assert.equal(db.prepare('PRAGMA busy_timeout').get()?.timeout, 5_000);
    db.close();
  });

  it('GIVEN a path that is a directory THEN throws one line naming DATABASE_URL and the path', () => {
    const directory = path.join(dir, 'a-directory');
    mkdirSync(directory);
    const url = `sqlite://${directory}`;
    assert.throws(
      () => openSqliteDatabase(url),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^Cannot open the SQLite database at /);
        assert.ok(error.message.includes(directory), error.message);
        assert.ok(error.message.includes(`DATABASE_URL=${url}`), error.message);
        assert.equal(error.message.includes('\n'), false);
        assert.notEqual(error.cause, undefined);
        return true;
      },
    );
  });

  it('GIVEN a parent path that is a file THEN throws naming DATABASE_URL and the path', () => {
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, 'not a directory');
    const target = path.join(file, 'bot.sqlite');
    assert.throws(
      () => openSqliteDatabase(`sqlite://${target}`),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.ok(error.message.includes('DATABASE_URL='), error.message);
        assert.ok(error.message.includes(target), error.message);
        return true;
      },
    );
  });

  it('GIVEN a file that is not a database THEN throws naming DATABASE_URL', () => {
    const file = path.join(dir, 'garbage.sqlite');
    writeFileSync(
      file,
      'this is definitely not an SQLite file, just some text long enough to matter'.repeat(20),
    );
    assert.throws(() => openSqliteDatabase(`sqlite://${file}`), /DATABASE_URL=.*not a database/);
  });
});

describe('WalSync', () => {
  /** A WalSync whose fsyncs are recorded, each taking `takesMs`; `fail` errors to throw, in order. */
  const recorded = (withinMs: number, takesMs = 0, fail: Error[] = []) => {
    const started: number[] = [];
    const t0 = performance.now();
    const sync = new WalSync('/nowhere/bot.sqlite-wal', {
      withinMs,
      fsync: async () => {
        started.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, takesMs));
        const error = fail.shift();
        if (error) throw error;
      },
    });
    return { sync, started };
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** The process warnings emitted during a test. */
  const captureWarnings = (t: { after(fn: () => void): void }) => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    return warnings;
  };

  it('GIVEN many commits within one window THEN one fsync covers them, at the end of the window', async () => {
    const { sync, started } = recorded(40);
    for (let i = 0; i < 10; i++) sync.soon();
    await sleep(15);
    sync.soon();
    assert.deepEqual(started, []);
    await sleep(100);
    assert.equal(started.length, 1);
    assert.ok((started[0] ?? 0) >= 39, `synced after ${started[0]} ms, not before the window closed`);
  });

  it('GIVEN a commit while an fsync runs THEN another fsync follows it (the running one may miss it)', async () => {
    const { sync, started } = recorded(20, 30);
    sync.soon();
    await sleep(30); // the first fsync is running
    assert.equal(started.length, 1);
    sync.soon();
    await sleep(120);
    assert.equal(started.length, 2);
    await sleep(80);
    assert.equal(started.length, 2, 'no fsync without a commit asking');
  });

  for (const [code, fsyncs, warned] of [
    ['EIO', 2, 1], // a failure: warned about, and retried in the next window
    ['ENOENT', 1, 0], // the WAL is gone (its database closed): nothing to retry or report
  ] as const) {
    it(`GIVEN an fsync that fails with ${code} THEN ${fsyncs} fsync(s) and ${warned} warning(s)`, async (t) => {
      const warnings = captureWarnings(t);
      const { sync, started } = recorded(20, 0, [Object.assign(new Error(code), { code })]);
      sync.soon();
      await sleep(120);
      assert.equal(started.length, fsyncs);
      assert.equal(warnings.length, warned);
      for (const w of warnings) assert.match(w, /could not fsync \/nowhere\/bot\.sqlite-wal; retrying/);
    });
  }

  it('GIVEN a real database file THEN its WAL is where syncSoon looks and can be fsynced; :memory: has none', async (t) => {
    const warnings = captureWarnings(t);
    const file = path.join(dir, 'synced.sqlite');
    const db = openSqliteDatabase(`sqlite://${file}`);
    db.exec('CREATE TABLE t (a)');
    db.exec('INSERT INTO t VALUES (1)');
    const wal = walPathOf(db);
    assert.equal(wal, `${file}-wal`);
    assert.ok(statSync(wal).size > 0, 'the commit is in the WAL');
    await fsyncFile(wal);
    await assert.rejects(fsyncFile(path.join(dir, 'missing-wal')), { code: 'ENOENT' });
    const memory = openSqliteDatabase('sqlite://:memory:');
    assert.equal(walPathOf(memory), undefined);
    syncSoon(db);
    syncSoon(memory);
    await sleep(1_300);
    assert.deepEqual(warnings, []);
    db.close();
    memory.close();
  });
});
