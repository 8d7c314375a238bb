/**
 * Per-model limits of the Mistral stand-in (requests and tokens per minute, tokens per month, "not on
 * this plan"), the minute windows they are judged on, and the rate-limit headers each answer carries
 * (`x-ratelimit-*`, or the older `ratelimitbysize-*`).
 */

/** Per-model limits. Missing numbers fall back to the default entry. */
export interface ModelLimits {
  readonly reqPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly tokensPerMonth?: number;
  /** The model is not on this workspace's plan: every call is a 429 with `limit-…: 0` headers. */
  readonly unavailable?: boolean;
}

/** The free tier's 2024 per-model figures, used for known models without their own entry. */
export const DEFAULT_MODEL_LIMITS = Object.freeze({
  tokensPerMinute: 500_000,
  tokensPerMonth: 1_000_000_000,
}) satisfies ModelLimits;

export const MINUTE_MS = 60_000;

/** One model's usage: accepted requests of the last minute (arrival, tokens charged) and the month's tokens. */
export interface ModelState {
  window: Array<{ at: number; tokens: number }>;
  monthUsed: number;
}

export interface EffectiveLimits {
  readonly reqPerMinute: number;
  readonly tokensPerMinute: number;
  readonly tokensPerMonth: number;
  readonly unavailable: boolean;
}

/** A model's limits: its own entry, else the default entry, else the free tier's figures (rpm from rps). */
export function effectiveLimits(own: ModelLimits, defaults: ModelLimits, rps: number): EffectiveLimits {
  const fallbackRpm = Number.isFinite(rps) ? Math.floor(60 * rps) : 1_000_000;
  return {
    reqPerMinute: own.reqPerMinute ?? defaults.reqPerMinute ?? fallbackRpm,
    tokensPerMinute: own.tokensPerMinute ?? defaults.tokensPerMinute ?? DEFAULT_MODEL_LIMITS.tokensPerMinute,
    tokensPerMonth: own.tokensPerMonth ?? defaults.tokensPerMonth ?? DEFAULT_MODEL_LIMITS.tokensPerMonth,
    unavailable: own.unavailable ?? defaults.unavailable ?? false,
  };
}

/** The rate-limit headers for one response; `cost` is what this request was charged (0 if refused). */
export function rateHeaders(
  limits: EffectiveLimits,
  state: ModelState,
  now: number,
  cost: number,
  legacy: boolean,
): Record<string, string> {
  const recent = state.window.filter((e) => e.at > now - MINUTE_MS);
  const minuteTokens = recent.reduce((s, e) => s + e.tokens, 0);
  const zeroed = limits.unavailable;
  const reqLimit = zeroed ? 0 : limits.reqPerMinute;
  const tpmLimit = zeroed ? 0 : limits.tokensPerMinute;
  const monthLimit = zeroed ? 0 : limits.tokensPerMonth;
  const reqRemaining = Math.max(0, reqLimit - recent.length);
  const tpmRemaining = Math.max(0, tpmLimit - minuteTokens);
  const monthRemaining = Math.max(0, monthLimit - state.monthUsed);
  if (legacy) {
    const oldest = recent[0];
    const reset = oldest ? Math.max(0, Math.ceil(Math.round(oldest.at + MINUTE_MS - now) / 1000)) : 0;
    return {
      'ratelimitbysize-limit': String(tpmLimit),
      'ratelimitbysize-remaining': String(tpmRemaining),
      'ratelimitbysize-reset': String(reset),
      'ratelimitbysize-query-cost': String(cost),
    };
  }
  return {
    'x-ratelimit-limit-req-minute': String(reqLimit),
    'x-ratelimit-remaining-req-minute': String(reqRemaining),
    'x-ratelimit-limit-tokens-minute': String(tpmLimit),
    'x-ratelimit-remaining-tokens-minute': String(tpmRemaining),
    'x-ratelimit-limit-tokens-month': String(monthLimit),
    'x-ratelimit-remaining-tokens-month': String(monthRemaining),
    'x-ratelimit-tokens-query-cost': String(cost),
  };
}
