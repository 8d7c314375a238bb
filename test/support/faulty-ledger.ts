/**
 * A {@link UsageLedger} wrapping a real one, with the faults a store shows in production: a settle
 * refused (a full disk), a settle whose write lands but whose answer is lost (a dropped connection
 * after commit), calls that answer late or never (a stuck Redis). Every settle attempt is recorded
 * with its time, so tests can check the retry backoff.
 */
import type { HoldOutcome, HoldRequest } from '../../src/budget/hold.ts';
import type {
  GuildMonthUsage,
  HeldTokens,
  UsageLedger,
  UsageRecord,
  UsageTotals,
} from '../../src/store/usage-ledger.ts';

export interface LedgerFaults {
  /** The next this many settles throw without writing. */
  refuseSettles?: number;
  /** The next this many settles write, then throw as if the answer was lost. */
  landThenThrowSettles?: number;
  /** Settles wait this long before reaching the real ledger (they still land). */
  settleDelayMs?: number;
  /** Settles after the first wait this long (default: same as `settleDelayMs`). */
  laterSettleDelayMs?: number;
  /** Reserves wait this long before reaching the real ledger (they still land). */
  reserveDelayMs?: number;
  /** Reserves never answer. */
  reserveHangs?: boolean;
}

export class FaultyLedger implements UsageLedger {
  readonly inner: UsageLedger;
  readonly faults: LedgerFaults;
  /** `performance.now()` of every settle attempt, and how it went. */
  readonly settleAttempts: Array<{
    at: number;
    outcome: 'refused' | 'landed-then-threw' | 'settled' | 'duplicate';
  }> = [];
  /** Reserves that reached the real ledger, with their outcome. */
  readonly landedReserves: HoldOutcome[] = [];

  constructor(inner: UsageLedger, faults: LedgerFaults = {}) {
    this.inner = inner;
    this.faults = faults;
  }

  async settle(holdId: string, r: UsageRecord): Promise<boolean> {
    const attempt = this.settleAttempts.length;
    const at = performance.now();
    const delay =
      attempt === 0
        ? this.faults.settleDelayMs
        : (this.faults.laterSettleDelayMs ?? this.faults.settleDelayMs);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if ((this.faults.refuseSettles ?? 0) > 0) {
      this.faults.refuseSettles = (this.faults.refuseSettles ?? 0) - 1;
      this.settleAttempts.push({ at, outcome: 'refused' });
      throw new Error('SQLITE_FULL: database or disk is full');
    }
    const done = await this.inner.settle(holdId, r);
    if ((this.faults.landThenThrowSettles ?? 0) > 0) {
      this.faults.landThenThrowSettles = (this.faults.landThenThrowSettles ?? 0) - 1;
      this.settleAttempts.push({ at, outcome: 'landed-then-threw' });
      throw new Error('connection reset after the write');
    }
    this.settleAttempts.push({ at, outcome: done ? 'settled' : 'duplicate' });
    return done;
  }

  async reserve(r: HoldRequest): Promise<HoldOutcome> {
    if (this.faults.reserveHangs) return new Promise<never>(() => undefined);
    if (this.faults.reserveDelayMs)
      await new Promise((resolve) => setTimeout(resolve, this.faults.reserveDelayMs));
    const outcome = await this.inner.reserve(r);
    this.landedReserves.push(outcome);
    return outcome;
  }

  record(r: UsageRecord): Promise<void> {
    return this.inner.record(r);
  }
  release(holdId: string, guildId: string): Promise<void> {
    return this.inner.release(holdId, guildId);
  }
  held(guildId: string): Promise<HeldTokens> {
    return this.inner.held(guildId);
  }
  monthTotal(guildId: string, month: string): Promise<number> {
    return this.inner.monthTotal(guildId, month);
  }
  memberMonthTotal(guildId: string, userId: string, month: string): Promise<number> {
    return this.inner.memberMonthTotal(guildId, userId, month);
  }
  monthReport(guildId: string, month: string): Promise<GuildMonthUsage> {
    return this.inner.monthReport(guildId, month);
  }
  keyMonthByModel(month: string): Promise<ReadonlyArray<{ model: string } & UsageTotals>> {
    return this.inner.keyMonthByModel(month);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
}
