import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import Keyv from 'keyv';

import { openSqliteDatabase } from '../../src/store/open-sqlite.ts';
import { SqliteKeyvStore } from '../../src/store/sqlite-keyv-store.ts';
import { SqliteUsageLedger } from '../../src/store/sqlite-usage-ledger.ts';
import type { UsageRecord } from '../../src/store/usage-ledger.ts';

const WRITER = fileURLToPath(new URL('../fixtures/usage-writer.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'sqlite-usage-ledger-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
/** A fresh database URL per test, so tests never see each other's rows. */
function freshUrl(): string {
  files += 1;
  return `sqlite://${path.join(dir, `ledger-${files}.sqlite`)}`;
}

function open(url: string): { db: DatabaseSync; ledger: SqliteUsageLedger } {
  const db = openSqliteDatabase(url);
  return { db, ledger: new SqliteUsageLedger(db) };
}

function usage(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    guildId: 'g1',
    userId: 'u1',
    model: 'mistral-small-latest',
    promptTokens: 10,
    completionTokens: 5,
    at: new Date('2026-11-22T12:00:00Z'),
    ...overrides,
  };
}

/**
 * Runs the writer fixture; `ready` and `done` resolve when it prints those lines. With `waitForGo`
 * it starts recording only when `go()` is called, so both processes write at the same time.
 */
function startWriter(url: string, count: number, mode: 'hold' | 'exit', waitForGo = false) {
  const args = [WRITER, url, String(count), mode, ...(waitForGo ? ['wait-for-go'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(`${line}\n`)) {
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      void exited.then(({ code, signal }) => {
        check();
        reject(new Error(`writer exited (${String(code ?? signal)}) before "${line}": ${stderr}`));
      });
    });
  // Resolves once "go" is flushed to the pipe, before the caller's loop can hog the event loop.
  const go = () =>
    new Promise<void>((resolve) => {
      child.stdin.end('go\n', resolve);
    });
  return { child, ready: printed('ready'), done: printed('done'), exited, go };
}

describe('SqliteUsageLedger.record under concurrency', () => {
  it('GIVEN 100 concurrent records of +10/+5 THEN the month holds exactly 1000/500 over 100 requests', async () => {
    const { db, ledger } = open(freshUrl());
    await Promise.all(Array.from({ length: 100 }, () => ledger.record(usage())));

    const report = await ledger.monthReport('g1', '2026-11');
    assert.deepEqual(report.total, {
      promptTokens: 1000,
      completionTokens: 500,
      totalTokens: 1500,
      requests: 100,
    });
    assert.equal(await ledger.monthTotal('g1', '2026-11'), 1500);
    assert.deepEqual(report.byDay, [
      {
        day: '2026-11-22',
        model: 'mistral-small-latest',
        promptTokens: 1000,
        completionTokens: 500,
        totalTokens: 1500,
        requests: 100,
      },
    ]);
    db.close();
  });

  it('GIVEN two handles on one file recording interleaved THEN both see the exact sum', async () => {
    const url = freshUrl();
    const a = open(url);
    const b = open(url);
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).ledger.record(usage())));

    for (const { ledger } of [a, b]) {
      const { total } = await ledger.monthReport('g1', '2026-11');
      assert.deepEqual(total, {
        promptTokens: 1000,
        completionTokens: 500,
        totalTokens: 1500,
        requests: 100,
      });
    }
    a.db.close();
    b.db.close();
  });

  it('GIVEN another process recording at the same time THEN no update is lost', async () => {
    const url = freshUrl();
    const { db, ledger } = open(url);
    const writer = startWriter(url, 300, 'exit', true);
    await writer.ready;
    await writer.go();
    for (let i = 0; i < 300; i += 1) {
      await ledger.record(usage({ guildId: 'g-child', userId: 'u-parent' }));
    }
    await writer.done;
    assert.deepEqual(await writer.exited, { code: 0, signal: null });

    const report = await ledger.monthReport('g-child', '2026-11');
    assert.deepEqual(report.total, {
      promptTokens: 6000,
      completionTokens: 3000,
      totalTokens: 9000,
      requests: 600,
    });
    assert.deepEqual(
      report.byUser.map((u) => [u.userId, u.requests]),
      [
        ['u-child', 300],
        ['u-parent', 300],
      ],
    );
    db.close();
  });
});

describe('SqliteUsageLedger.monthReport', () => {
  it('GIVEN usage by several models, users and days THEN each breakdown is summed and sorted', async () => {
    const { db, ledger } = open(freshUrl());
    const day1 = new Date('2026-11-01T00:00:00Z');
    const day2 = new Date('2026-11-30T23:59:59.999Z');
    await ledger.record(
      usage({ userId: 'alice', model: 'small', promptTokens: 100, completionTokens: 50, at: day1 }),
    );
    await ledger.record(
      usage({ userId: 'alice', model: 'large', promptTokens: 1000, completionTokens: 0, at: day2 }),
    );
    await ledger.record(
      usage({ userId: 'bob', model: 'small', promptTokens: 2000, completionTokens: 500, at: day2 }),
    );
    await ledger.record(
      usage({ userId: 'carol', model: 'small', promptTokens: 1, completionTokens: 1, at: day1 }),
    );

    const report = await ledger.monthReport('g1', '2026-11');
    assert.equal(report.month, '2026-11');
    assert.deepEqual(report.total, {
      promptTokens: 3101,
      completionTokens: 551,
      totalTokens: 3652,
      requests: 4,
    });
    assert.deepEqual(report.byModel, [
      { model: 'small', promptTokens: 2101, completionTokens: 551, totalTokens: 2652, requests: 3 },
      { model: 'large', promptTokens: 1000, completionTokens: 0, totalTokens: 1000, requests: 1 },
    ]);
    assert.deepEqual(report.byUser, [
      { userId: 'bob', promptTokens: 2000, completionTokens: 500, totalTokens: 2500, requests: 1 },
      { userId: 'alice', promptTokens: 1100, completionTokens: 50, totalTokens: 1150, requests: 2 },
      { userId: 'carol', promptTokens: 1, completionTokens: 1, totalTokens: 2, requests: 1 },
    ]);
    assert.deepEqual(report.byDay, [
      {
        day: '2026-11-01',
        model: 'small',
        promptTokens: 101,
        completionTokens: 51,
        totalTokens: 152,
        requests: 2,
      },
      {
        day: '2026-11-30',
        model: 'large',
        promptTokens: 1000,
        completionTokens: 0,
        totalTokens: 1000,
        requests: 1,
      },
      {
        day: '2026-11-30',
        model: 'small',
        promptTokens: 2000,
        completionTokens: 500,
        totalTokens: 2500,
        requests: 1,
      },
    ]);
    assert.equal(await ledger.monthTotal('g1', '2026-11'), 3652);
    db.close();
  });

  it('GIVEN usage either side of New Year THEN December and January are counted apart', async () => {
    const { db, ledger } = open(freshUrl());
    await ledger.record(
      usage({ promptTokens: 7, completionTokens: 0, at: new Date('2026-12-31T23:59:59.999Z') }),
    );
    await ledger.record(
      usage({ promptTokens: 3, completionTokens: 0, at: new Date('2027-01-01T00:00:00.000Z') }),
    );

    assert.equal(await ledger.monthTotal('g1', '2026-12'), 7);
    assert.equal(await ledger.monthTotal('g1', '2027-01'), 3);
    const january = await ledger.monthReport('g1', '2027-01');
    assert.deepEqual(
      january.byDay.map((d) => d.day),
      ['2027-01-01'],
    );
    db.close();
  });

  it('GIVEN two guilds THEN neither sees the other, but the key-wide view sums both', async () => {
    const { db, ledger } = open(freshUrl());
    await ledger.record(usage({ guildId: 'g1', model: 'small', promptTokens: 10, completionTokens: 0 }));
    await ledger.record(usage({ guildId: 'g2', model: 'small', promptTokens: 20, completionTokens: 0 }));
    await ledger.record(usage({ guildId: 'g2', model: 'large', promptTokens: 50, completionTokens: 0 }));
    await ledger.record(usage({ guildId: 'g2', model: 'large', at: new Date('2026-10-31T23:59:59Z') }));

    assert.equal(await ledger.monthTotal('g1', '2026-11'), 10);
    assert.equal(await ledger.monthTotal('g2', '2026-11'), 70);
    const g1 = await ledger.monthReport('g1', '2026-11');
    assert.deepEqual(
      g1.byModel.map((m) => m.model),
      ['small'],
    );
    assert.deepEqual(await ledger.keyMonthByModel('2026-11'), [
      { model: 'large', promptTokens: 50, completionTokens: 0, totalTokens: 50, requests: 1 },
      { model: 'small', promptTokens: 30, completionTokens: 0, totalTokens: 30, requests: 2 },
    ]);
    db.close();
  });

  it('GIVEN a month with no usage THEN totals are zero and breakdowns empty', async () => {
    const { db, ledger } = open(freshUrl());
    assert.equal(await ledger.monthTotal('g1', '2026-11'), 0);
    assert.deepEqual(await ledger.monthReport('g1', '2026-11'), {
      month: '2026-11',
      total: { promptTokens: 0, completionTokens: 0, totalTokens: 0, requests: 0 },
      byModel: [],
      byUser: [],
      byDay: [],
    });
    assert.deepEqual(await ledger.keyMonthByModel('2026-11'), []);
    db.close();
  });

  it('GIVEN a malformed month key THEN queries reject instead of reporting zero', async () => {
    const { db, ledger } = open(freshUrl());
    await assert.rejects(ledger.monthTotal('g1', '2026-1'), RangeError);
    await assert.rejects(ledger.monthReport('g1', '2026-11-01'), RangeError);
    await assert.rejects(ledger.keyMonthByModel('Nov 2026'), RangeError);
    db.close();
  });
});

describe('SqliteUsageLedger.record validation', () => {
  it('GIVEN negative, fractional or non-finite token counts THEN rejects with a TypeError and records nothing', async () => {
    const { db, ledger } = open(freshUrl());
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      await assert.rejects(ledger.record(usage({ promptTokens: bad })), TypeError, `prompt ${bad}`);
      await assert.rejects(ledger.record(usage({ completionTokens: bad })), TypeError, `completion ${bad}`);
    }
    await assert.rejects(ledger.record(usage({ guildId: '' })), TypeError);
    await assert.rejects(ledger.record(usage({ at: new Date(Number.NaN) })), TypeError);
    assert.equal(await ledger.monthTotal('g1', '2026-11'), 0);
    db.close();
  });

  it('GIVEN zero tokens THEN the request is still counted', async () => {
    const { db, ledger } = open(freshUrl());
    await ledger.record(usage({ promptTokens: 0, completionTokens: 0 }));
    const { total } = await ledger.monthReport('g1', '2026-11');
    assert.deepEqual(total, { promptTokens: 0, completionTokens: 0, totalTokens: 0, requests: 1 });
    db.close();
  });
});

describe('SqliteUsageLedger durability and health', () => {
  it('GIVEN a process that recorded usage and settings is killed with SIGKILL THEN all of it is there on reopen', async () => {
    const url = freshUrl();
    const writer = startWriter(url, 50, 'hold');
    await writer.done;
    writer.child.kill('SIGKILL');
    assert.deepEqual(await writer.exited, { code: null, signal: 'SIGKILL' });

    const { db, ledger } = open(url);
    const report = await ledger.monthReport('g-child', '2026-11');
    assert.deepEqual(report.total, {
      promptTokens: 500,
      completionTokens: 250,
      totalTokens: 750,
      requests: 50,
    });
    assert.equal(report.byDay[0]?.requests, 50);
    const settings = new Keyv({ store: new SqliteKeyvStore(db), namespace: 'settings' });
    assert.equal(await settings.get('guild:g-child:model'), 'codestral-2508');
    assert.deepEqual(await settings.get('guild:g-child:limits'), {
      monthlyTokens: 1_000_000,
      perUserDaily: 50_000,
    });
    assert.equal(await settings.get('guild:g-child:records'), 50);
    db.close();
  });

  it('GIVEN an open database THEN ping resolves, and after close it rejects', async () => {
    const { db, ledger } = open(freshUrl());
    await ledger.ping();
    db.close();
    await assert.rejects(ledger.ping());
  });

  it('GIVEN a ledger THEN its connection runs in WAL mode with synchronous NORMAL (usage asks syncSoon for its fsync)', () => {
    const { db } = open(freshUrl());
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.equal(db.prepare('PRAGMA synchronous').get()?.synchronous, 1);
    db.close();
  });
});

describe('SqliteUsageLedger holds', () => {
  const holdRequest = (holdId: string) => ({
    holdId,
    guildId: 'g-holds',
    userId: 'u1',
    month: '2026-11',
    guildLimit: 1_000,
    memberLimit: Infinity,
    promptTokens: 100,
    maxAnswerTokens: 300,
    ttlMs: 60_000,
  });
  const changes = (db: DatabaseSync) => db.prepare('SELECT total_changes() AS n').get()?.n;

  it('GIVEN questions held and released THEN the file is not written at all; only a settle writes, once', async () => {
    const { db, ledger } = open(freshUrl());
    try {
      const before = changes(db);
      const held = await ledger.reserve(holdRequest('h1'));
      assert.equal(held.ok && held.tokens, 400);
      assert.equal((await ledger.reserve(holdRequest('h2'))).ok, true);
      assert.equal((await ledger.held('g-holds')).total, 800);
      await ledger.release('h2', 'g-holds');
      assert.equal(changes(db), before, 'holding and releasing wrote nothing');
      assert.equal(
        await ledger.settle('h1', usage({ guildId: 'g-holds', promptTokens: 90, completionTokens: 210 })),
        true,
      );
      assert.equal((await ledger.held('g-holds')).total, 0, 'the settle dropped the hold');
      assert.equal(await ledger.monthTotal('g-holds', '2026-11'), 300);
      assert.equal(
        await ledger.settle('h1', usage({ guildId: 'g-holds' })),
        false,
        'a second settle counts nothing',
      );
      assert.equal(await ledger.monthTotal('g-holds', '2026-11'), 300);
    } finally {
      db.close();
    }
  });

  it('GIVEN a settle the file refuses THEN the hold keeps counting until a settle lands', async () => {
    const { db, ledger } = open(freshUrl());
    try {
      assert.equal((await ledger.reserve(holdRequest('h1'))).ok, true);
      db.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON usage_daily BEGIN SELECT RAISE(ABORT, 'disk full'); END",
      );
      await assert.rejects(ledger.settle('h1', usage({ guildId: 'g-holds' })), /disk full/);
      assert.equal((await ledger.held('g-holds')).total, 400, 'still held');
      assert.equal(await ledger.monthTotal('g-holds', '2026-11'), 0, 'and nothing counted');
      db.exec('DROP TRIGGER refuse');
      assert.equal(await ledger.settle('h1', usage({ guildId: 'g-holds' })), true);
      assert.equal((await ledger.held('g-holds')).total, 0);
      assert.equal(await ledger.monthTotal('g-holds', '2026-11'), 15);
    } finally {
      db.close();
    }
  });

  it('GIVEN a restart (a new ledger on the same file) THEN the old process’s holds are gone and its usage is not', async () => {
    const url = freshUrl();
    const first = open(url);
    assert.equal((await first.ledger.reserve(holdRequest('h1'))).ok, true);
    assert.equal(await first.ledger.settle('h1', usage({ guildId: 'g-holds' })), true);
    assert.equal((await first.ledger.reserve(holdRequest('h2'))).ok, true);
    first.db.close();
    const second = open(url);
    try {
      assert.equal((await second.ledger.held('g-holds')).total, 0);
      assert.equal(await second.ledger.monthTotal('g-holds', '2026-11'), 15);
      assert.equal(
        await second.ledger.settle('h1', usage({ guildId: 'g-holds' })),
        false,
        'still settled once',
      );
    } finally {
      second.db.close();
    }
  });
});

describe('SqliteUsageLedger month totals for a sole writer', () => {
  it('GIVEN soleWriter THEN totals read once follow every record and settle without reading rows, and only a ledger without it sees another connection’s writes', async () => {
    const url = freshUrl();
    const { db, ledger } = open(url);
    const sole = new SqliteUsageLedger(db, { soleWriter: true });
    const other = openSqliteDatabase(url);
    const elsewhere = new SqliteUsageLedger(other);
    try {
      await sole.record(usage({ promptTokens: 100, completionTokens: 50 }));
      assert.equal(await sole.monthTotal('g1', '2026-11'), 150);
      assert.equal(await sole.memberMonthTotal('g1', 'u1', '2026-11'), 150);
      await sole.record(usage({ promptTokens: 7, completionTokens: 3 }));
      const reserved = await sole.reserve({
        holdId: 'h1',
        guildId: 'g1',
        userId: 'u1',
        month: '2026-11',
        guildLimit: 10_000,
        memberLimit: Infinity,
        promptTokens: 10,
        maxAnswerTokens: 100,
        ttlMs: 60_000,
      });
      assert.deepEqual(reserved.numbers, { guildUsed: 160, guildHeld: 0, memberUsed: 160, memberHeld: 0 });
      assert.equal(
        await sole.settle('h1', usage({ userId: 'u1', promptTokens: 20, completionTokens: 20 })),
        true,
      );
      assert.equal(
        await sole.settle('h1', usage({ userId: 'u1', promptTokens: 20, completionTokens: 20 })),
        false,
      );
      assert.equal(await sole.monthTotal('g1', '2026-11'), 200, 'a repeated settle added nothing');
      assert.equal(await sole.memberMonthTotal('g1', 'u1', '2026-11'), 200);
      assert.equal(await ledger.monthTotal('g1', '2026-11'), 200, 'the rows say the same');
      await elsewhere.record(usage({ promptTokens: 1, completionTokens: 0 }));
      assert.equal(await ledger.monthTotal('g1', '2026-11'), 201, 'without soleWriter: the rows');
      assert.equal(await sole.monthTotal('g1', '2026-11'), 200, 'with it: memory, as documented');
    } finally {
      other.close();
      db.close();
    }
  });
});
