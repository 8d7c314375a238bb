import { monthClock } from '../store/month.ts';
import type { RateLimitSnapshot } from '../mistral/rate-limit-headers.ts';

/** A model's (or a pool of models') upstream limits. `undefined` means "no limit known". */
export interface ModelLimit {
  readonly tokensPerMinute: number | undefined;
  readonly tokensPerMonth: number | undefined;
  readonly requestsPerMinute: number | undefined;
}

/** The free tier's published defaults (2024): 500k tokens/minute and 1B tokens/month per model. */
export const DEFAULT_MODEL_LIMIT: ModelLimit = Object.freeze({
  tokensPerMinute: 500_000,
  tokensPerMonth: 1_000_000_000,
  requestsPerMinute: undefined,
});

/** Operator overrides: one entry per pool (models sharing one quota). */
export interface PoolLimitConfig {
  readonly models: readonly string[];
  readonly limit: Partial<ModelLimit>;
}

/**
 * Parses `MISTRAL_MODEL_LIMITS`: comma-separated `models=tokensPerMinute/tokensPerMonth[/requestsPerMinute]`,
 * where `models` is one model or several joined with `+` (a pool sharing one quota) and any number
 * may be `-` (keep the default). Example: `mistral-small-latest+mistral-small-2503=50000/4000000/50`.
 * Returns an error message instead of throwing so config can report it on its own line.
 */
export function parseModelLimits(text: string): PoolLimitConfig[] | string {
  const pools: PoolLimitConfig[] = [];
  for (const raw of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([\w.:+-]+)=([\d_-]+)\/([\d_-]+)(?:\/([\d_-]+))?$/.exec(raw);
    if (!match)
      return `entry "${raw}" must look like model=tokensPerMinute/tokensPerMonth[/requestsPerMinute]`;
    const num = (s: string | undefined) =>
      s === undefined || s === '-' ? undefined : Number(s.replaceAll('_', ''));
    const [tpm, tpmo, rpm] = [num(match[2]), num(match[3]), num(match[4])];
    for (const n of [tpm, tpmo, rpm]) {
      if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) return `entry "${raw}" has a bad number`;
    }
    const limit: { -readonly [K in keyof ModelLimit]?: ModelLimit[K] } = {};
    if (tpm !== undefined) limit.tokensPerMinute = tpm;
    if (tpmo !== undefined) limit.tokensPerMonth = tpmo;
    if (rpm !== undefined) limit.requestsPerMinute = rpm;
    pools.push({ models: (match[1] as string).split('+').filter(Boolean), limit });
  }
  return pools;
}

interface Use {
  readonly at: number;
  tokens: number;
}

interface Pool {
  readonly name: string;
  configured: ModelLimit;
  learned: { -readonly [K in keyof ModelLimit]?: ModelLimit[K] };
  /** Starts in the last minute with their (reserved, later settled) tokens. */
  readonly minute: Use[];
  /** Tokens the key used this month in this pool, as far as the bot knows. */
  monthUsed: number;
  month: string;
  /** Set when Mistral says the pool's month is spent; cleared when the month turns. */
  monthSpent: boolean;
}

/** A reservation against a pool's windows, settled to the real usage or released on failure. */
export interface LimitReservation {
  settle(actualTokens: number): void;
  release(): void;
}

const MINUTE_MS = 60_000;

/**
 * Per-model (or per-pool) token and request windows of the shared key. Limits start from the
 * defaults and operator config, and are tightened or loosened by every response's rate-limit
 * headers. The gate asks {@link canStart} before starting a request (so a request that would
 * overflow a minute window waits while other models' requests pass) and reserves the request's
 * estimated tokens, settled to Mistral's reported usage afterwards.
 */
export class ModelLimits {
  readonly #pools = new Map<string, Pool>();
  readonly #poolOf = new Map<string, string>();
  readonly #defaults: ModelLimit;
  readonly #now: () => number;
  readonly #monthOf: () => string;

  constructor(
    config: readonly PoolLimitConfig[] = [],
    options: { defaults?: ModelLimit; now?: () => number; month?: () => string } = {},
  ) {
    this.#defaults = options.defaults ?? DEFAULT_MODEL_LIMIT;
    this.#now = options.now ?? (() => performance.now());
    this.#monthOf = options.month ?? monthClock();
    for (const pool of config) {
      const name = pool.models.join('+');
      this.#pools.set(name, this.#newPool(name, { ...this.#defaults, ...pool.limit }));
      for (const model of pool.models) this.#poolOf.set(model, name);
    }
  }

  #newPool(name: string, configured: ModelLimit): Pool {
    return {
      name,
      configured,
      learned: {},
      minute: [],
      monthUsed: 0,
      month: this.#monthOf(),
      monthSpent: false,
    };
  }

  #pool(model: string): Pool {
    const name = this.#poolOf.get(model) ?? model;
    let pool = this.#pools.get(name);
    if (!pool) {
      pool = this.#newPool(name, this.#defaults);
      this.#pools.set(name, pool);
    }
    const month = this.#monthOf();
    if (pool.month !== month) {
      pool.month = month;
      pool.monthUsed = 0;
      pool.monthSpent = false;
    }
    const cutoff = this.#now() - MINUTE_MS;
    while (pool.minute.length > 0 && (pool.minute[0] as Use).at <= cutoff) pool.minute.shift();
    return pool;
  }

  /** The limits in force for a model: learned from headers where known, else configured. */
  limitOf(model: string): ModelLimit {
    const pool = this.#pool(model);
    return {
      tokensPerMinute: pool.learned.tokensPerMinute ?? pool.configured.tokensPerMinute,
      tokensPerMonth: pool.learned.tokensPerMonth ?? pool.configured.tokensPerMonth,
      requestsPerMinute: pool.learned.requestsPerMinute ?? pool.configured.requestsPerMinute,
    };
  }

  /** Why a request of `tokens` can never start for this model, or `undefined` if it can some time. */
  neverFits(model: string, tokens: number): 'too_large' | 'month_spent' | undefined {
    const pool = this.#pool(model);
    const limit = this.limitOf(model);
    if (pool.monthSpent) return 'month_spent';
    if (limit.tokensPerMinute !== undefined && tokens > limit.tokensPerMinute) return 'too_large';
    if (limit.tokensPerMonth !== undefined && pool.monthUsed + tokens > limit.tokensPerMonth)
      return 'month_spent';
    return undefined;
  }

  /** Whether a request of `tokens` fits the model's minute windows right now. */
  canStart(model: string, tokens: number): boolean {
    return this.waitFor(model, tokens) === 0;
  }

  /** Milliseconds until a request of `tokens` fits the minute windows (0 = now). */
  waitFor(model: string, tokens: number): number {
    const pool = this.#pool(model);
    const limit = this.limitOf(model);
    const now = this.#now();
    let wait = 0;
    if (limit.requestsPerMinute !== undefined && pool.minute.length >= limit.requestsPerMinute) {
      const oldest = pool.minute[pool.minute.length - limit.requestsPerMinute] as Use;
      wait = Math.max(wait, oldest.at + MINUTE_MS - now);
    }
    if (limit.tokensPerMinute !== undefined) {
      let used = pool.minute.reduce((n, u) => n + u.tokens, 0);
      // Free the oldest uses until the request fits; the last one freed says when.
      for (const use of pool.minute) {
        if (used + tokens <= limit.tokensPerMinute) break;
        used -= use.tokens;
        wait = Math.max(wait, use.at + MINUTE_MS - now);
      }
    }
    return Math.max(0, Math.ceil(wait));
  }

  /** Counts a started request against the model's windows. */
  reserve(model: string, tokens: number): LimitReservation {
    const pool = this.#pool(model);
    const use: Use = { at: this.#now(), tokens };
    pool.minute.push(use);
    pool.monthUsed += tokens;
    let done = false;
    return {
      settle: (actual) => {
        if (done) return;
        done = true;
        pool.monthUsed += actual - use.tokens;
        use.tokens = actual;
      },
      release: () => {
        if (done) return;
        done = true;
        pool.monthUsed -= use.tokens;
        use.tokens = 0;
      },
    };
  }

  /** Seeds the month's key-wide usage (from the ledger) at start-up. */
  seedMonthUsage(model: string, tokens: number): void {
    const pool = this.#pool(model);
    pool.monthUsed = Math.max(pool.monthUsed, tokens);
  }

  /** Marks a model's month as spent upstream (a 429 whose month-remaining header is 0). */
  markMonthSpent(model: string): void {
    this.#pool(model).monthSpent = true;
  }

  isMonthSpent(model: string): boolean {
    return this.#pool(model).monthSpent;
  }

  /**
   * Adopts what one response's headers say: stated limits replace configured ones (tighter or
   * looser), and "remaining" figures raise the bot's own count where Mistral has seen more use
   * (another client of the same key, or usage from before a restart).
   */
  learn(model: string, s: RateLimitSnapshot): void {
    const pool = this.#pool(model);
    const t = s.tokensPerMinute;
    const m = s.tokensPerMonth;
    const r = s.requestsPerMinute;
    if (t?.limit !== undefined && t.limit > 0) pool.learned.tokensPerMinute = t.limit;
    if (m?.limit !== undefined && m.limit > 0) pool.learned.tokensPerMonth = m.limit;
    if (r?.limit !== undefined && r.limit > 0) pool.learned.requestsPerMinute = r.limit;
    if (m?.limit !== undefined && m.remaining !== undefined) {
      pool.monthUsed = Math.max(pool.monthUsed, m.limit - m.remaining);
      if (m.limit > 0 && m.remaining === 0) pool.monthSpent = true;
    }
    if (t?.limit !== undefined && t.remaining !== undefined && t.limit > 0) {
      const ours = pool.minute.reduce((n, u) => n + u.tokens, 0);
      const theirs = t.limit - t.remaining;
      // Mistral has seen more this minute than we started: account for it as a use now.
      if (theirs > ours) pool.minute.push({ at: this.#now(), tokens: theirs - ours });
    }
  }

  /** Every pool's limits and current use, for metrics and the doctor. */
  snapshot(): Array<{
    pool: string;
    limit: ModelLimit;
    minuteTokens: number;
    minuteRequests: number;
    monthUsed: number;
    monthSpent: boolean;
  }> {
    return [...this.#pools.keys()].map((name) => {
      const model = name.split('+')[0] as string;
      const pool = this.#pool(model);
      return {
        pool: name,
        limit: this.limitOf(model),
        minuteTokens: pool.minute.reduce((n, u) => n + u.tokens, 0),
        minuteRequests: pool.minute.length,
        monthUsed: pool.monthUsed,
        monthSpent: pool.monthSpent,
      };
    });
  }
}
