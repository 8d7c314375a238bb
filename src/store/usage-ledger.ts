import type { HoldOutcome, HoldRequest } from '../budget/hold.ts';
import { isMonthKey } from './month.ts';

/** One settled request's usage, as Mistral reported it. */
export interface UsageRecord {
  readonly guildId: string;
  readonly userId: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** When the request settled; decides the UTC month and day it counts against. */
  readonly at: Date;
}

/** Summed usage over some set of requests. `totalTokens` is prompt + completion. */
export interface UsageTotals {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly requests: number;
}

/** One guild's usage in one UTC month, broken down for the /usage command. */
export interface GuildMonthUsage {
  /** `yyyy-mm`, UTC. */
  readonly month: string;
  readonly total: UsageTotals;
  /** Sorted by totalTokens, largest first. */
  readonly byModel: ReadonlyArray<{ model: string } & UsageTotals>;
  /** Sorted by totalTokens, largest first. */
  readonly byUser: ReadonlyArray<{ userId: string } & UsageTotals>;
  /** Sorted by day, then model. */
  readonly byDay: ReadonlyArray<{ day: string; model: string } & UsageTotals>;
}

/**
 * Exact per-guild token accounting, the source of truth for monthly budgets. It is a separate port
 * from the settings store because Keyv has no atomic increment: counters need the backend's own
 * atomic add (SQLite upsert, Redis HINCRBY), or concurrent requests lose updates.
 */
export interface UsageLedger {
  /** Adds one request's usage atomically (exact under any concurrency). */
  record(r: UsageRecord): Promise<void>;
  /**
   * Checks what a server and a member have left and, if the question fits, holds its tokens: one
   * atomic step in the store, shared by every process using it. Expired holds (a crashed process)
   * stop counting. See {@link decideHold} for the arithmetic.
   */
  reserve(r: HoldRequest): Promise<HoldOutcome>;
  /**
   * Replaces a hold by the usage Mistral reported, atomically: the hold is gone and the usage
   * counted, or neither. Exactly once per hold: a repeated settle (a retry after an error whose
   * write did land) records nothing and resolves false. A hold that already expired is still
   * settled (the answer exists).
   */
  settle(holdId: string, r: UsageRecord): Promise<boolean>;
  /** Drops a hold without charging anything (the question failed or was refused). Idempotent. */
  release(holdId: string, guildId: string): Promise<void>;
  /** Tokens held by one server's questions in flight, in total and per member. */
  held(guildId: string): Promise<HeldTokens>;
  /** Total tokens (prompt + completion) a guild used in a month ('yyyy-mm', UTC). Fast: used before every request. */
  monthTotal(guildId: string, month: string): Promise<number>;
  /** Total tokens one member of a guild used in a month. */
  memberMonthTotal(guildId: string, userId: string, month: string): Promise<number>;
  /** Full breakdown for /usage (byModel and byUser sorted by totalTokens desc, byDay by day). */
  monthReport(guildId: string, month: string): Promise<GuildMonthUsage>;
  /** Whole-key totals per model for a month (all guilds), for operator alerts. */
  keyMonthByModel(month: string): Promise<ReadonlyArray<{ model: string } & UsageTotals>>;
  /** Cheap liveness check for health endpoints. */
  ping(): Promise<void>;
}

/** Tokens held by a server's questions in flight. */
export interface HeldTokens {
  readonly total: number;
  readonly byUser: ReadonlyMap<string, number>;
}

/** The fields each check walks (constant lists: a check allocates nothing). */
const RECORD_NAMES = ['guildId', 'userId', 'model'] as const;
const RECORD_COUNTS = ['promptTokens', 'completionTokens'] as const;

/**
 * Rejects a record no ledger may store: empty ids or model, token counts that are not
 * non-negative safe integers, or an invalid date. Shared by every ledger implementation.
 */
export function assertValidRecord(r: UsageRecord): void {
  for (const field of RECORD_NAMES) {
    const value = r[field];
    if (typeof value !== 'string' || value === '')
      throw new TypeError(`UsageRecord.${field} must be a non-empty string`);
  }
  for (const field of RECORD_COUNTS) {
    const value = r[field];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`UsageRecord.${field} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (!(r.at instanceof Date) || Number.isNaN(r.at.getTime()))
    throw new TypeError('UsageRecord.at must be a valid Date');
}

/** Rejects a malformed month key, so a typo cannot read as zero usage. */
export function assertMonth(month: string): void {
  if (!isMonthKey(month)) throw new RangeError(`Expected a month key like 2026-11, got "${month}"`);
}

const HOLD_IDS = ['holdId', 'guildId', 'userId'] as const;
const HOLD_COUNTS = ['guildLimit', 'promptTokens', 'maxAnswerTokens', 'ttlMs'] as const;

/** Rejects a hold request no ledger may store. Shared by every implementation. */
export function assertValidHold(r: HoldRequest): void {
  for (const field of HOLD_IDS) {
    const value = r[field];
    if (typeof value !== 'string' || value === '' || value.includes('|'))
      throw new TypeError(`HoldRequest.${field} must be a non-empty string without "|"`);
  }
  assertMonth(r.month);
  for (const field of HOLD_COUNTS) {
    const value = r[field];
    if (!Number.isSafeInteger(value) || value < 0)
      throw new TypeError(`HoldRequest.${field} must be a non-negative integer, got ${String(value)}`);
  }
  if (r.memberLimit !== Infinity && (!Number.isSafeInteger(r.memberLimit) || r.memberLimit < 0))
    throw new TypeError(`HoldRequest.memberLimit must be a non-negative integer or Infinity`);
}
