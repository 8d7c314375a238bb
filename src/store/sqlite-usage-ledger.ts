import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';

import { decideHold, type HoldOutcome, type HoldRequest } from '../budget/hold.ts';
import { dayKey, monthKey } from './month.ts';
import { setBounded } from './bounded-map.ts';
import { applyConnectionPragmas, syncSoon } from './open-sqlite.ts';
import {
  assertMonth,
  assertValidHold,
  assertValidRecord,
  type GuildMonthUsage,
  type HeldTokens,
  type UsageLedger,
  type UsageRecord,
  type UsageTotals,
} from './usage-ledger.ts';

type Row = Record<string, SQLOutputValue>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_monthly (
  guild_id TEXT NOT NULL,
  month TEXT NOT NULL,
  model TEXT NOT NULL,
  user_id TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  PRIMARY KEY (guild_id, month, model, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS usage_monthly_by_month ON usage_monthly (month, model);
CREATE TABLE IF NOT EXISTS usage_daily (
  guild_id TEXT NOT NULL,
  day TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  PRIMARY KEY (guild_id, day, model)
) WITHOUT ROWID;
-- Holds live in memory now (see SqliteUsageLedger); the table older versions kept them in goes.
DROP TABLE IF EXISTS budget_holds;
CREATE TABLE IF NOT EXISTS settled_holds (
  id TEXT PRIMARY KEY NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Month totals a sole writer keeps in memory at most; beyond it the one read first is dropped. */
const TOTALS_KEPT = 10_000;

/** Settled hold IDs are kept this long, so a late retry of a settle cannot count twice. */
const SETTLED_KEEP_MS = 2 * 24 * 3_600_000;

// Keyv has no atomic increment (a read-modify-write through it loses concurrent updates), so the
// ledger adds inside SQLite: the upsert reads and writes the row under the database's write lock.
const ADD_MONTHLY = `
INSERT INTO usage_monthly (guild_id, month, model, user_id, prompt_tokens, completion_tokens, requests)
VALUES (?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (guild_id, month, model, user_id) DO UPDATE SET
  prompt_tokens = prompt_tokens + excluded.prompt_tokens,
  completion_tokens = completion_tokens + excluded.completion_tokens,
  requests = requests + excluded.requests`;

const ADD_DAILY = `
INSERT INTO usage_daily (guild_id, day, model, prompt_tokens, completion_tokens, requests)
VALUES (?, ?, ?, ?, ?, 1)
ON CONFLICT (guild_id, day, model) DO UPDATE SET
  prompt_tokens = prompt_tokens + excluded.prompt_tokens,
  completion_tokens = completion_tokens + excluded.completion_tokens,
  requests = requests + excluded.requests`;

const SUMS = `SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
  SUM(requests) AS requests`;
const BY_TOTAL_DESC = 'ORDER BY SUM(prompt_tokens) + SUM(completion_tokens) DESC';

/** A question's tokens held until it is settled or released, or until `expiresAt` (epoch ms). */
interface Hold {
  readonly userId: string;
  readonly tokens: number;
  readonly expiresAt: number;
}

/**
 * The usage ledger on the bot's SQLite file (`node:sqlite`). Exact under concurrency: each
 * `record()` is one `BEGIN IMMEDIATE` transaction of two additive upserts (monthly per
 * guild/model/user, daily per guild/model), so a request is counted in both tables or in neither,
 * even with other connections on the file.
 *
 * Holds are kept in this object's memory, not in the file. A SQLite file belongs to one bot
 * process (the process lock), and its store makes one ledger, so every hold is here: a reserve
 * reads the usage, decides and holds with no `await` in between, which makes it one atomic step.
 * It writes nothing, which spares every question a write transaction. A hold lasts as long as
 * its process: a restart frees what a crashed process held.
 *
 * Limits:
 * - Calls are synchronous under the hood; while another process holds the write lock a call blocks
 *   the event loop for up to the busy timeout, then rejects with SQLITE_BUSY.
 * - Code sharing the handle must not keep a transaction open across an `await`, or `record()` fails.
 * - Counts must stay below 2^53 per row and per sum (far beyond any monthly quota).
 */
export class SqliteUsageLedger implements UsageLedger {
  readonly #db: DatabaseSync;
  readonly #addMonthly: StatementSync;
  readonly #addDaily: StatementSync;
  readonly #monthTotal: StatementSync;
  readonly #monthByModel: StatementSync;
  readonly #monthByUser: StatementSync;
  readonly #monthByDay: StatementSync;
  readonly #keyMonthByModel: StatementSync;
  readonly #ping: StatementSync;
  readonly #memberMonthTotal: StatementSync;
  readonly #markSettled: StatementSync;
  readonly #dropOldSettled: StatementSync;
  readonly #now: () => number;
  /** Holds by server, then by hold ID. */
  readonly #holds = new Map<string, Map<string, Hold>>();
  /** With `soleWriter`: month totals read so far, by server and month (and member). */
  readonly #totals: Map<string, number> | undefined;

  /**
   * Creates the tables if missing and applies the durability pragmas to `db` (idempotent). `now`
   * (epoch ms) decides when holds expire.
   */
  constructor(
    db: DatabaseSync,
    options: {
      readonly now?: () => number;
      /**
       * Nothing else writes usage to this file (the bot's own store, under the process lock):
       * month totals are then kept in memory once read and added to on every record and settle,
       * so a question's budget check reads no rows. Leave it off when other connections write.
       */
      readonly soleWriter?: boolean;
    } = {},
  ) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#totals = options.soleWriter ? new Map() : undefined;
    applyConnectionPragmas(db);
    db.exec(SCHEMA);
    this.#addMonthly = db.prepare(ADD_MONTHLY);
    this.#addDaily = db.prepare(ADD_DAILY);
    this.#monthTotal = db.prepare(
      'SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS total FROM usage_monthly ' +
        'WHERE guild_id = ? AND month = ?',
    );
    this.#monthByModel = db.prepare(
      `SELECT model, ${SUMS} FROM usage_monthly WHERE guild_id = ? AND month = ? ` +
        `GROUP BY model ${BY_TOTAL_DESC}, model`,
    );
    this.#monthByUser = db.prepare(
      `SELECT user_id, ${SUMS} FROM usage_monthly WHERE guild_id = ? AND month = ? ` +
        `GROUP BY user_id ${BY_TOTAL_DESC}, user_id`,
    );
    // Day keys sort as strings, so a month is the range [yyyy-mm-01, yyyy-mm-31] on the primary key.
    this.#monthByDay = db.prepare(
      'SELECT day, model, prompt_tokens, completion_tokens, requests FROM usage_daily ' +
        'WHERE guild_id = ? AND day >= ? AND day <= ? ORDER BY day, model',
    );
    this.#keyMonthByModel = db.prepare(
      `SELECT model, ${SUMS} FROM usage_monthly WHERE month = ? GROUP BY model ${BY_TOTAL_DESC}, model`,
    );
    this.#ping = db.prepare('SELECT 1 AS ok');
    this.#memberMonthTotal = db.prepare(
      'SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS total FROM usage_monthly ' +
        'WHERE guild_id = ? AND month = ? AND user_id = ?',
    );
    this.#markSettled = db.prepare('INSERT OR IGNORE INTO settled_holds (id, at) VALUES (?, ?)');
    this.#dropOldSettled = db.prepare('DELETE FROM settled_holds WHERE at < ?');
    this.#dropOldSettled.run(this.#now() - SETTLED_KEEP_MS);
  }

  /**
   * Adds one settled request. Rejects with a TypeError, recording nothing, when a token count is not a
   * non-negative integer, an id or the model is empty, or `at` is not a valid Date.
   */
  async record(r: UsageRecord): Promise<void> {
    assertValidRecord(r);
    const month = monthKey(r.at);
    const day = dayKey(r.at);
    // IMMEDIATE takes the write lock up front, so another process cannot slip in between the upserts
    // and a lock upgrade can never deadlock (which would fail at once instead of waiting busy_timeout).
    this.#transaction('BEGIN IMMEDIATE', () => {
      this.#addMonthly.run(r.guildId, month, r.model, r.userId, r.promptTokens, r.completionTokens);
      this.#addDaily.run(r.guildId, day, r.model, r.promptTokens, r.completionTokens);
    });
    this.#counted(r, month);
  }

  /**
   * The check and the hold in one step: the usage is read and the hold kept with nothing in
   * between (see the class comment). Rejects with a TypeError for a malformed request.
   */
  async reserve(r: HoldRequest): Promise<HoldOutcome> {
    assertValidHold(r);
    const now = this.#now();
    const held = this.#heldNow(r.guildId, now);
    const numbers = {
      guildUsed: this.#guildTotal(r.guildId, r.month),
      guildHeld: held.total,
      memberUsed: this.#memberTotal(r.guildId, r.month, r.userId),
      memberHeld: held.byUser.get(r.userId) ?? 0,
    };
    const decision = decideHold(numbers, r);
    if (decision.ok) {
      let holds = this.#holds.get(r.guildId);
      if (!holds) this.#holds.set(r.guildId, (holds = new Map<string, Hold>()));
      holds.set(r.holdId, { userId: r.userId, tokens: decision.tokens, expiresAt: now + r.ttlMs });
    }
    return { ...decision, numbers };
  }

  /**
   * Adds the usage in one transaction and drops the hold; a hold settled before is not counted
   * again. When the write fails the hold stays, counting until it is settled or expires.
   */
  async settle(holdId: string, r: UsageRecord): Promise<boolean> {
    assertValidRecord(r);
    const month = monthKey(r.at);
    const day = dayKey(r.at);
    const counted = this.#transaction('BEGIN IMMEDIATE', () => {
      if (this.#markSettled.run(holdId, this.#now()).changes === 0) return false;
      this.#addMonthly.run(r.guildId, month, r.model, r.userId, r.promptTokens, r.completionTokens);
      this.#addDaily.run(r.guildId, day, r.model, r.promptTokens, r.completionTokens);
      return true;
    });
    this.#drop(r.guildId, holdId);
    if (counted) this.#counted(r, month);
    return counted;
  }

  async release(holdId: string, guildId: string): Promise<void> {
    this.#drop(guildId, holdId);
  }

  async held(guildId: string): Promise<HeldTokens> {
    return this.#heldNow(guildId, this.#now());
  }

  async memberMonthTotal(guildId: string, userId: string, month: string): Promise<number> {
    assertMonth(month);
    return this.#memberTotal(guildId, month, userId);
  }

  #guildTotal(guildId: string, month: string): number {
    return this.#total(totalKey(guildId, month), () => intOf(this.#monthTotal.get(guildId, month)?.total));
  }

  #memberTotal(guildId: string, month: string, userId: string): number {
    return this.#total(totalKey(guildId, month, userId), () =>
      intOf(this.#memberMonthTotal.get(guildId, month, userId)?.total),
    );
  }

  /** A month total from memory (with `soleWriter`), else read. */
  #total(key: string, read: () => number): number {
    const known = this.#totals?.get(key);
    if (known !== undefined) return known;
    const total = read();
    if (this.#totals) setBounded(this.#totals, key, total, TOTALS_KEPT);
    return total;
  }

  /** A record or settle landed: the month totals kept in memory grow by it. */
  #counted(r: UsageRecord, month: string): void {
    const totals = this.#totals;
    if (!totals) return;
    const tokens = r.promptTokens + r.completionTokens;
    for (const key of [totalKey(r.guildId, month), totalKey(r.guildId, month, r.userId)]) {
      const known = totals.get(key);
      if (known !== undefined) totals.set(key, known + tokens);
    }
  }

  /** A server's live holds, in total and per member; expired ones are dropped. */
  #heldNow(guildId: string, now: number): HeldTokens {
    const byUser = new Map<string, number>();
    let total = 0;
    const holds = this.#holds.get(guildId);
    if (!holds) return { total, byUser };
    for (const [id, hold] of holds) {
      if (hold.expiresAt <= now) {
        holds.delete(id);
        continue;
      }
      byUser.set(hold.userId, (byUser.get(hold.userId) ?? 0) + hold.tokens);
      total += hold.tokens;
    }
    if (holds.size === 0) this.#holds.delete(guildId);
    return { total, byUser };
  }

  #drop(guildId: string, holdId: string): void {
    const holds = this.#holds.get(guildId);
    if (holds?.delete(holdId) && holds.size === 0) this.#holds.delete(guildId);
  }

  /** Prompt + completion tokens of one guild in one month; 0 for a month with no usage. */
  async monthTotal(guildId: string, month: string): Promise<number> {
    assertMonth(month);
    return this.#guildTotal(guildId, month);
  }

  /** The /usage breakdown, read from one snapshot so its parts always add up. */
  async monthReport(guildId: string, month: string): Promise<GuildMonthUsage> {
    assertMonth(month);
    return this.#transaction('BEGIN', () => {
      const byModel = this.#monthByModel.all(guildId, month).map((row) => ({
        model: textOf(row.model),
        ...totalsOf(row),
      }));
      const byUser = this.#monthByUser.all(guildId, month).map((row) => ({
        userId: textOf(row.user_id),
        ...totalsOf(row),
      }));
      const byDay = this.#monthByDay.all(guildId, `${month}-01`, `${month}-31`).map((row) => ({
        day: textOf(row.day),
        model: textOf(row.model),
        ...totalsOf(row),
      }));
      return { month, total: sumTotals(byModel), byModel, byUser, byDay };
    });
  }

  /** Per-model totals over every guild for a month, largest first. */
  async keyMonthByModel(month: string): Promise<ReadonlyArray<{ model: string } & UsageTotals>> {
    assertMonth(month);
    return this.#keyMonthByModel.all(month).map((row) => ({ model: textOf(row.model), ...totalsOf(row) }));
  }

  /** Runs a trivial query; rejects if the database is closed or unreadable. */
  async ping(): Promise<void> {
    if (intOf(this.#ping.get()?.ok) !== 1) {
      throw new Error('SQLite ping returned an unexpected result');
    }
  }

  /**
   * Runs `work` in one transaction. Writes begin IMMEDIATE (the write lock at once) and are on the
   * disk within a second ({@link syncSoon}: one fsync off the event loop for every commit of that
   * second); a read snapshot (BEGIN) has nothing to sync. A crashed process loses nothing.
   */
  #transaction<T>(begin: 'BEGIN' | 'BEGIN IMMEDIATE', work: () => T): T {
    this.#db.exec(begin);
    try {
      const result = work();
      this.#db.exec('COMMIT');
      if (begin === 'BEGIN IMMEDIATE') syncSoon(this.#db);
      return result;
    } catch (error) {
      if (this.#db.isTransaction) {
        this.#db.exec('ROLLBACK');
      }
      throw error;
    }
  }
}

/** The key of a month total kept in memory: a server's, or with `userId` one member's. */
function totalKey(guildId: string, month: string, userId?: string): string {
  return userId === undefined ? `${guildId}:${month}` : `${guildId}:${month}:${userId}`;
}

function totalsOf(row: Row): UsageTotals {
  const promptTokens = intOf(row.prompt_tokens);
  const completionTokens = intOf(row.completion_tokens);
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    requests: intOf(row.requests),
  };
}

function sumTotals(parts: readonly UsageTotals[]): UsageTotals {
  let promptTokens = 0;
  let completionTokens = 0;
  let requests = 0;
  for (const part of parts) {
    promptTokens += part.promptTokens;
    completionTokens += part.completionTokens;
    requests += part.requests;
  }
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, requests };
}

function intOf(value: SQLOutputValue | undefined): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return value;
  }
  throw new TypeError(`Expected an integer from the usage tables, got ${String(value)}`);
}

function textOf(value: SQLOutputValue | undefined): string {
  if (typeof value !== 'string') {
    throw new TypeError(`Expected TEXT from the usage tables, got ${String(value)}`);
  }
  return value;
}
