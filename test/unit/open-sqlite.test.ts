import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { openSqliteDatabase, parseSqliteUrl } from '../../src/store/open-sqlite.ts';

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
    assert.equal(db.prepare('PRAGMA synchronous').get()?.synchronous, 2);
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
