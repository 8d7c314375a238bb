import { randomUUID } from 'node:crypto';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { monthKey, nextMonthStart } from '../store/month.ts';
import type { SettingsStore } from '../store/settings.ts';
import type { UsageLedger } from '../store/usage-ledger.ts';
import { leftOf, MIN_ANSWER_TOKENS, type BudgetNumbers, type HoldOutcome } from './hold.ts';

/** Each member's cap within their server's month: a share of the server's budget, or tokens. */
export type MemberShare =
  | { readonly kind: 'percent'; readonly percent: number }
  | { readonly kind: 'tokens'; readonly tokens: number };

/** A server's month, in tokens. */
export interface GuildStanding {
  /** `yyyy-mm`, UTC. */
  readonly month: string;
  readonly resetsAt: Date;
  readonly limit: number;
  /** Where the limit comes from: `GUILD_MONTHLY_TOKEN_BUDGET`, or an operator's `/budget set`. */
  readonly source: 'default' | 'override';
  /** Settled usage this month, exactly as Mistral reported it. */
  readonly used: number;
  /** Held by questions in flight (every process). */
  readonly reserved: number;
  /** What a new question may still use (never negative). */
  readonly left: number;
}

/** One member's month within their server. */
export interface MemberStanding {
  readonly limit: number;
  /** `share` = `MEMBER_MONTHLY_TOKEN_SHARE`; `override` = a manager's `/budget member`. */
  readonly source: 'share' | 'override';
  readonly used: number;
  readonly reserved: number;
  readonly left: number;
}

/** Tokens held for one question until it is settled or released (exactly once). */
export interface BudgetHold {
  readonly id: string;
  readonly guildId: string;
  readonly userId: string;
  /** Held in total: prompt estimate + `maxTokens`. */
  readonly tokens: number;
  /** `max_tokens` for the request, clamped to what is left. */
  readonly maxTokens: number;
}

/** What an answer cost, as Mistral reported it (or as estimated when it did not). */
export interface Charge {
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface BudgetServiceOptions {
  readonly ledger: UsageLedger;
  readonly settings: Pick<SettingsStore, 'budgetOverride' | 'memberBudget'>;
  /** `GUILD_MONTHLY_TOKEN_BUDGET`. */
  readonly guildMonthlyTokens: number;
  /** `MEMBER_MONTHLY_TOKEN_SHARE`. */
  readonly memberShare: MemberShare;
  readonly log: Logger;
  /** A hold counts this long when nobody settles it (a crashed process). Default 30 min. */
  readonly holdTtlMs?: number;
  /**
   * A store call that takes longer fails the question with `store_unavailable`. Default 2.5 s.
   * `Infinity` for a store whose calls finish synchronously (SQLite): no timer could fire first.
   */
  readonly storeTimeoutMs?: number;
  /** First and longest pause between retries of a usage record the store refused. */
  readonly retryMs?: { readonly first: number; readonly max: number };
  readonly now?: () => Date;
}

/** An answer's usage the store has not taken yet, retried until it does. */
interface PendingCharge {
  readonly hold: BudgetHold;
  readonly charge: Charge;
  readonly at: Date;
  attempts: number;
}

/**
 * The one owner of a server's budget: its standing, the hold placed before a question goes
 * upstream, and the settle that replaces the hold by what Mistral reported. The check and the hold
 * are one atomic step in the ledger (in the memory of the one process a SQLite file allows, a Redis
 * script), so no concurrency, in one process or many, lets holds add up to more than what is left;
 * overspend is bounded by the prompt estimates' error.
 *
 * It fails closed. A question whose hold cannot be placed (the store is down or slow) is refused
 * with `store_unavailable`. An answer whose usage cannot be recorded (a full disk) keeps its usage
 * in memory, retried with backoff; until every such record has landed, new questions are refused
 * with `usage_unrecorded` and {@link health} reports it (so `/healthz` answers 503). It recovers by
 * itself when the store works again. An answer is never free: a usage record lost with the process
 * (it crashed while the store was failing) is logged at error with everything needed to add it by
 * hand, and its hold keeps counting until it expires (with SQLite, until the bot starts again).
 */
export class BudgetService {
  readonly #o: BudgetServiceOptions;
  readonly #holdTtlMs: number;
  readonly #timeoutMs: number;
  readonly #pending: PendingCharge[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #retrying: Promise<void> | undefined;
  #closed = false;

  constructor(options: BudgetServiceOptions) {
    this.#o = options;
    this.#holdTtlMs = options.holdTtlMs ?? 30 * 60_000;
    this.#timeoutMs = options.storeTimeoutMs ?? 2_500;
  }

  /** A server's standing this month. */
  async standing(guildId: string): Promise<GuildStanding> {
    const [month, held] = await Promise.all([
      this.settled(guildId),
      this.#store(this.#o.ledger.held(guildId)),
    ]);
    return { ...month, reserved: held.total, left: Math.max(0, month.limit - month.used - held.total) };
  }

  /** A server's limit and settled usage this month, without what is held (what budget alerts read). */
  async settled(guildId: string): Promise<Omit<GuildStanding, 'reserved' | 'left'>> {
    const now = this.#now();
    const month = monthKey(now);
    const [{ limit, source }, used] = await Promise.all([
      this.#guildLimit(guildId),
      this.#store(this.#o.ledger.monthTotal(guildId, month)),
    ]);
    return { month, resetsAt: nextMonthStart(now), limit, source, used };
  }

  /** A member's standing this month within their server. */
  async memberStanding(guildId: string, userId: string): Promise<MemberStanding> {
    const month = monthKey(this.#now());
    const [{ limit: guildLimit }, override, used, held] = await Promise.all([
      this.#guildLimit(guildId),
      this.#settings(() => this.#o.settings.memberBudget(guildId, userId)),
      this.#store(this.#o.ledger.memberMonthTotal(guildId, userId, month)),
      this.#store(this.#o.ledger.held(guildId)),
    ]);
    const limit = override ?? memberCap(guildLimit, this.#o.memberShare);
    const reserved = held.byUser.get(userId) ?? 0;
    return {
      limit,
      source: override === undefined ? 'share' : 'override',
      used,
      reserved,
      left: Math.max(0, limit - used - reserved),
    };
  }

  /** The cap a member gets from `MEMBER_MONTHLY_TOKEN_SHARE` for a server budget of `guildLimit`. */
  defaultMemberCap(guildLimit: number): number {
    return memberCap(guildLimit, this.#o.memberShare);
  }

  /**
   * Holds a question's tokens against its server's and its member's month, or refuses it with a
   * {@link UserError} that says why (spent, too small, store down, usage not recorded yet).
   * `promptTokens` is the prompt estimate; the hold adds `max_tokens`, clamped to what is left.
   */
  async reserve(q: {
    readonly guildId: string;
    readonly userId: string;
    readonly promptTokens: number;
    readonly maxAnswerTokens: number;
    /** The prompt carries earlier turns of a conversation (the refusal says so). */
    readonly withContext?: boolean;
  }): Promise<BudgetHold> {
    if (this.#pending.length > 0) {
      void this.#retryNow();
      throw new UserError('usage_unrecorded');
    }
    const now = this.#now();
    const month = monthKey(now);
    const [{ limit: guildLimit }, override] = await Promise.all([
      this.#guildLimit(q.guildId),
      this.#settings(() => this.#o.settings.memberBudget(q.guildId, q.userId)),
    ]);
    const memberLimit = override ?? memberCap(guildLimit, this.#o.memberShare);
    const holdId = randomUUID();
    const placing = this.#o.ledger.reserve({
      holdId,
      guildId: q.guildId,
      userId: q.userId,
      month,
      guildLimit,
      memberLimit,
      promptTokens: q.promptTokens,
      maxAnswerTokens: q.maxAnswerTokens,
      ttlMs: this.#holdTtlMs,
    });
    let outcome: HoldOutcome;
    try {
      outcome = await this.#store(placing);
    } catch (error) {
      // A hold that lands after we gave up (a queued Redis command) must not block the budget.
      placing
        .then(
          (late) => (late.ok ? this.#o.ledger.release(holdId, q.guildId) : undefined),
          () => undefined,
        )
        .catch(() => undefined);
      throw error;
    }
    if (outcome.ok) {
      return {
        id: holdId,
        guildId: q.guildId,
        userId: q.userId,
        tokens: outcome.tokens,
        maxTokens: outcome.maxTokens,
      };
    }
    throw refusalFor(outcome.reason, outcome.numbers, {
      guildLimit,
      memberLimit,
      // The smallest answer worth asking for comes on top of the prompt.
      needed: q.promptTokens + MIN_ANSWER_TOKENS,
      resetsAt: nextMonthStart(now),
      withContext: q.withContext === true,
    });
  }

  /**
   * Replaces a hold by what the answer cost. Never rejects: when the store refuses, the charge is
   * kept and retried (see the class comment), so an answer already shown is never lost or free.
   */
  async settle(hold: BudgetHold, reported: Charge): Promise<void> {
    // The ledger takes whole, non-negative counts; a malformed report must not block every server.
    const charge = {
      model: reported.model,
      promptTokens: wholeTokens(reported.promptTokens),
      completionTokens: wholeTokens(reported.completionTokens),
    };
    const pending: PendingCharge = { hold, charge, at: this.#now(), attempts: 0 };
    if (this.#pending.length > 0 || !(await this.#trySettle(pending))) {
      this.#pending.push(pending);
      this.#o.log.error(
        { guild: hold.guildId, user: hold.userId, hold: hold.id, ...charge, pending: this.#pending.length },
        'could not record an answer’s usage; keeping it to retry, and refusing new questions until it lands',
      );
      this.#scheduleRetry();
    }
  }

  /** Drops a hold: the question failed or was refused after its hold was placed. Never rejects. */
  async release(hold: BudgetHold): Promise<void> {
    try {
      await this.#store(this.#o.ledger.release(hold.id, hold.guildId));
    } catch (error) {
      // It expires by itself; until then it only makes the budget look fuller (fails closed).
      this.#o.log.warn({ err: error, hold: hold.id, guild: hold.guildId }, 'could not release a budget hold');
    }
  }

  /** Whether questions can be taken: false while usage records wait for the store. */
  health(): { readonly ok: boolean; readonly reason?: string } {
    if (this.#pending.length === 0) return { ok: true };
    return { ok: false, reason: `usage: ${this.#pending.length} answer(s) not recorded yet; retrying` };
  }

  /** Usage records waiting for the store. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * At shutdown: one last try for every waiting record, then logs what could not be kept (at error,
   * with guild, member, model and tokens, so an operator can add it by hand).
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    await this.#retrying;
    await this.#retryNow();
    for (const p of this.#pending.splice(0)) {
      this.#o.log.error(
        { guild: p.hold.guildId, user: p.hold.userId, at: p.at.toISOString(), ...p.charge },
        'usage lost at shutdown: the store never took it; add it by hand',
      );
    }
  }

  async #trySettle(p: PendingCharge): Promise<boolean> {
    p.attempts++;
    try {
      await this.#store(
        this.#o.ledger.settle(p.hold.id, {
          guildId: p.hold.guildId,
          userId: p.hold.userId,
          model: p.charge.model,
          promptTokens: p.charge.promptTokens,
          completionTokens: p.charge.completionTokens,
          at: p.at,
        }),
      );
      return true;
    } catch (error) {
      this.#o.log.warn({ err: error, hold: p.hold.id, attempts: p.attempts }, 'recording usage failed');
      return false;
    }
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#retrying || this.#closed || this.#pending.length === 0) return;
    const first = this.#o.retryMs?.first ?? 1_000;
    const max = this.#o.retryMs?.max ?? 30_000;
    const attempts = this.#pending[0]?.attempts ?? 1;
    const delay = Math.min(max, first * 2 ** Math.max(0, attempts - 1));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#retryNow().finally(() => this.#scheduleRetry());
    }, delay);
    this.#retryTimer.unref();
  }

  /** Retries waiting records oldest first, stopping at the first the store still refuses. */
  #retryNow(): Promise<void> {
    this.#retrying ??= (async () => {
      while (this.#pending.length > 0) {
        const head = this.#pending[0] as PendingCharge;
        if (!(await this.#trySettle(head))) return;
        this.#pending.shift();
        if (this.#pending.length === 0) this.#o.log.info('recording usage works again; taking questions');
      }
    })().finally(() => {
      this.#retrying = undefined;
    });
    return this.#retrying;
  }

  async #guildLimit(guildId: string): Promise<{ limit: number; source: 'default' | 'override' }> {
    const override = await this.#settings(() => this.#o.settings.budgetOverride(guildId));
    return override === undefined
      ? { limit: this.#o.guildMonthlyTokens, source: 'default' }
      : { limit: override, source: 'override' };
  }

  /** A settings read, bounded in time like any store call. */
  #settings<T>(read: () => Promise<T>): Promise<T> {
    return this.#store(read());
  }

  /** Bounds a store call: a store that does not answer fails the question instead of hanging it. */
  async #store<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (this.#timeoutMs === Infinity) return await work;
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new UserError(
                  'store_unavailable',
                  {},
                  { cause: new Error('the store did not answer in time') },
                ),
              ),
            this.#timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError('store_unavailable', {}, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}

/** A token count as the ledger stores it: whole and not negative (rounded up: never charge less). */
function wholeTokens(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
}

/** A member's cap from the share setting, for a server budget of `guildLimit`. */
export function memberCap(guildLimit: number, share: MemberShare): number {
  return share.kind === 'tokens'
    ? Math.min(share.tokens, guildLimit)
    : Math.floor((guildLimit * share.percent) / 100);
}

/** The Discord timestamp a reset date is shown as (every reader sees their own zone and language). */
export function discordTime(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<t:${unix}:F> (<t:${unix}:R>)`;
}

function refusalFor(
  reason: Exclude<HoldOutcome, { ok: true }>['reason'],
  n: BudgetNumbers,
  q: { guildLimit: number; memberLimit: number; needed: number; resetsAt: Date; withContext: boolean },
): UserError {
  const resetsAt = discordTime(q.resetsAt);
  const left = leftOf(n, q.guildLimit, q.memberLimit);
  switch (reason) {
    case 'guild_spent':
      if (n.guildUsed < q.guildLimit)
        return new UserError('budget_held', {
          left: q.guildLimit - n.guildUsed,
          limit: q.guildLimit,
          resetsAt,
        });
      return new UserError('budget_spent', { used: n.guildUsed, limit: q.guildLimit, resetsAt });
    case 'guild_too_small':
      return new UserError('budget_too_small', {
        needed: q.needed,
        left: left.guild,
        limit: q.guildLimit,
        resetsAt,
        context: q.withContext ? 'yes' : 'no',
      });
    case 'member_spent':
      if (n.memberUsed < q.memberLimit)
        return new UserError('member_budget_held', {
          left: q.memberLimit - n.memberUsed,
          limit: q.memberLimit,
        });
      return new UserError('member_budget_spent', { used: n.memberUsed, limit: q.memberLimit, resetsAt });
    case 'member_too_small':
      return new UserError('member_budget_too_small', {
        needed: q.needed,
        left: left.member,
        limit: q.memberLimit,
        resetsAt,
      });
  }
}
