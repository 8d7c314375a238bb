import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';

import { decideHold, type HoldOutcome, type HoldRequest } from '../budget/hold.ts';
import { dayKey, monthKey } from './month.ts';
import { applyConnectionPragmas, withoutFsync } from './open-sqlite.ts';
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
CREATE TABLE IF NOT EXISTS budget_holds (
  id TEXT PRIMARY KEY NOT NULL,
  guild_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS budget_holds_by_guild ON budget_holds (guild_id, user_id);
CREATE TABLE IF NOT EXISTS settled_holds (
  id TEXT PRIMARY KEY NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
`;

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

/**
 * The usage ledger on the bot's SQLite file (`node:sqlite`). Exact under concurrency, including other
 * connections and other processes on the same file: each `record()` is one `BEGIN IMMEDIATE`
 * transaction of two additive upserts (monthly per guild/model/user, daily per guild/model), so a
 * request is counted in both tables or in neither.
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
  readonly #dropExpiredHolds: StatementSync;
  readonly #heldByGuild: StatementSync;
  readonly #insertHold: StatementSync;
  readonly #deleteHold: StatementSync;
  readonly #markSettled: StatementSync;
  readonly #dropOldSettled: StatementSync;
  readonly #now: () => number;

  /**
   * Creates the tables if missing and applies the durability pragmas to `db` (idempotent). `now`
   * (epoch ms) decides when holds expire.
   */
  constructor(db: DatabaseSync, options: { readonly now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
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
    this.#dropExpiredHolds = db.prepare('DELETE FROM budget_holds WHERE guild_id = ? AND expires_at <= ?');
    this.#heldByGuild = db.prepare(
      'SELECT user_id, SUM(tokens) AS tokens FROM budget_holds WHERE guild_id = ? AND expires_at > ? GROUP BY user_id',
    );
    this.#insertHold = db.prepare(
      'INSERT INTO budget_holds (id, guild_id, user_id, tokens, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#deleteHold = db.prepare('DELETE FROM budget_holds WHERE id = ?');
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
  }

  /**
   * The check and the hold in one `BEGIN IMMEDIATE` transaction: no other connection or process can
   * spend between the read and the write. Rejects with a TypeError for a malformed request.
   */
  async reserve(r: HoldRequest): Promise<HoldOutcome> {
    assertValidHold(r);
    return this.#transaction(
      'BEGIN IMMEDIATE',
      () => {
        const now = this.#now();
        this.#dropExpiredHolds.run(r.guildId, now);
        const held = this.#heldNow(r.guildId, now);
        const numbers = {
          guildUsed: intOf(this.#monthTotal.get(r.guildId, r.month)?.total),
          guildHeld: held.total,
          memberUsed: intOf(this.#memberMonthTotal.get(r.guildId, r.month, r.userId)?.total),
          memberHeld: held.byUser.get(r.userId) ?? 0,
        };
        const decision = decideHold(numbers, r);
        if (decision.ok) this.#insertHold.run(r.holdId, r.guildId, r.userId, decision.tokens, now + r.ttlMs);
        return { ...decision, numbers };
      },
      'transient',
    );
  }

  /** Deletes the hold and adds the usage in one transaction; a hold settled before is not counted again. */
  async settle(holdId: string, r: UsageRecord): Promise<boolean> {
    assertValidRecord(r);
    const month = monthKey(r.at);
    const day = dayKey(r.at);
    return this.#transaction('BEGIN IMMEDIATE', () => {
      if (this.#markSettled.run(holdId, this.#now()).changes === 0) return false;
      this.#deleteHold.run(holdId);
      this.#addMonthly.run(r.guildId, month, r.model, r.userId, r.promptTokens, r.completionTokens);
      this.#addDaily.run(r.guildId, day, r.model, r.promptTokens, r.completionTokens);
      return true;
    });
  }

  async release(holdId: string): Promise<void> {
    this.#transaction('BEGIN IMMEDIATE', () => this.#deleteHold.run(holdId), 'transient');
  }

  async held(guildId: string): Promise<HeldTokens> {
    return this.#heldNow(guildId, this.#now());
  }

  async memberMonthTotal(guildId: string, userId: string, month: string): Promise<number> {
    assertMonth(month);
    return intOf(this.#memberMonthTotal.get(guildId, month, userId)?.total);
  }

  #heldNow(guildId: string, now: number): HeldTokens {
    const byUser = new Map<string, number>();
    let total = 0;
    for (const row of this.#heldByGuild.all(guildId, now)) {
      const tokens = intOf(row.tokens);
      byUser.set(textOf(row.user_id), tokens);
      total += tokens;
    }
    return { total, byUser };
  }

  /** Prompt + completion tokens of one guild in one month; 0 for a month with no usage. */
  async monthTotal(guildId: string, month: string): Promise<number> {
    assertMonth(month);
    return intOf(this.#monthTotal.get(guildId, month)?.total);
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
   * Runs `work` in one transaction. `transient` writes (budget holds, which only count while a
   * question runs and expire by themselves) commit without waiting for an fsync: a power cut may
   * lose a hold, never usage, and the file stays consistent (WAL). Usage commits are fsynced. An
   * fsync costs about half a millisecond of blocked event loop; a burst of questions would otherwise
   * hold up every other server's answers and Discord's 3-second acknowledgements.
   */
  #transaction<T>(
    begin: 'BEGIN' | 'BEGIN IMMEDIATE',
    work: () => T,
    writes: 'durable' | 'transient' = 'durable',
  ): T {
    const run = () => {
      this.#db.exec(begin);
      try {
        const result = work();
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.isTransaction) {
          this.#db.exec('ROLLBACK');
        }
        throw error;
      }
    };
    return writes === 'transient' ? withoutFsync(this.#db, run) : run();
  }
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
