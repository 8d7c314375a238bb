/** Limits and what remains of them, as one Mistral response's headers stated them. */
export interface RateLimitSnapshot {
  readonly requestsPerMinute?: { limit?: number; remaining?: number };
  readonly tokensPerMinute?: { limit?: number; remaining?: number };
  readonly tokensPerMonth?: { limit?: number; remaining?: number };
  /** Tokens this request cost (prompt + completion), when stated. */
  readonly queryCost?: number;
  /** Milliseconds to wait before the next attempt, from `Retry-After` (seconds or HTTP date). */
  readonly retryAfterMs?: number;
}

type Window = 'requestsPerMinute' | 'tokensPerMinute' | 'tokensPerMonth';

/**
 * Every rate-limit header the bot reads, with the window and field it states. Where two name one
 * value, the later wins: the 2026 name over the older `ratelimitbysize-*`, `requests` over `req`.
 */
const WINDOW_HEADERS: ReadonlyArray<readonly [name: string, window: Window, field: 'limit' | 'remaining']> = (
  ['limit', 'remaining'] as const
).flatMap((field) => [
  [`ratelimitbysize-${field}`, 'tokensPerMinute', field] as const,
  [`x-ratelimit-${field}-req-minute`, 'requestsPerMinute', field] as const,
  [`x-ratelimit-${field}-requests-minute`, 'requestsPerMinute', field] as const,
  [`x-ratelimit-${field}-tokens-minute`, 'tokensPerMinute', field] as const,
  [`x-ratelimit-${field}-tokens-month`, 'tokensPerMonth', field] as const,
]);
const QUERY_COST_HEADERS = ['ratelimitbysize-query-cost', 'x-ratelimit-tokens-query-cost'];

/**
 * Reads Mistral's rate-limit headers: the 2026 names
 * (`x-ratelimit-{limit,remaining}-{req,tokens}-{minute,month}`), the older
 * `ratelimitbysize-*` ones (tokens per minute), and `Retry-After`. Each is looked up by name
 * (walking a `Headers` sorts it first, which costs more than all the lookups together).
 * Unknown or malformed values are ignored rather than guessed.
 */
export function parseRateLimitHeaders(headers: Headers, now = Date.now()): RateLimitSnapshot {
  const out: { -readonly [K in keyof RateLimitSnapshot]: RateLimitSnapshot[K] } = {};
  const count = (name: string): number | undefined => {
    const text = headers.get(name)?.trim();
    if (!text) return undefined;
    const value = Number(text);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  for (const [name, window, field] of WINDOW_HEADERS) {
    const value = count(name);
    if (value !== undefined) out[window] = { ...out[window], [field]: value };
  }
  for (const name of QUERY_COST_HEADERS) {
    const value = count(name);
    if (value !== undefined) out.queryCost = value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const ms = parseRetryAfter(retryAfter, now);
    if (ms !== undefined) out.retryAfterMs = ms;
  }
  return out;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; `undefined` if unreadable. */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** True when a header says a limit is 0: the model is not on this workspace's plan. */
export function saysUnavailable(s: RateLimitSnapshot): boolean {
  return s.requestsPerMinute?.limit === 0 || s.tokensPerMinute?.limit === 0 || s.tokensPerMonth?.limit === 0;
}

/** True when the month's token quota is spent upstream (retrying before the month turns is useless). */
export function saysMonthSpent(s: RateLimitSnapshot): boolean {
  return s.tokensPerMonth?.remaining === 0 && (s.tokensPerMonth.limit ?? 1) > 0;
}
