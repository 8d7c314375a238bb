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
 * Reads Mistral's rate-limit headers by pattern: the 2026 names
 * (`x-ratelimit-{limit,remaining}-{req,tokens}-{minute,month}`), the older
 * `ratelimitbysize-*` ones (tokens per minute), and `Retry-After`.
 * Unknown or malformed values are ignored rather than guessed.
 */
export function parseRateLimitHeaders(headers: Headers, now = Date.now()): RateLimitSnapshot {
  const out: { -readonly [K in keyof RateLimitSnapshot]: RateLimitSnapshot[K] } = {};
  const put = (window: Window, field: 'limit' | 'remaining', value: number) => {
    out[window] = { ...out[window], [field]: value };
  };
  for (const [rawName, rawValue] of headers) {
    const name = rawName.toLowerCase();
    const value = Number(rawValue.trim());
    const modern = /^x-ratelimit-(limit|remaining)-(req|requests|tokens)-(minute|month)$/.exec(name);
    if (modern && Number.isFinite(value) && value >= 0) {
      const [, field, unit, period] = modern as unknown as [string, 'limit' | 'remaining', string, string];
      const window: Window =
        unit === 'tokens' ? (period === 'month' ? 'tokensPerMonth' : 'tokensPerMinute') : 'requestsPerMinute';
      if (!(unit !== 'tokens' && period === 'month')) put(window, field, value);
      continue;
    }
    const legacy = /^ratelimitbysize-(limit|remaining)$/.exec(name);
    if (legacy && Number.isFinite(value) && value >= 0) {
      put('tokensPerMinute', legacy[1] as 'limit' | 'remaining', value);
      continue;
    }
    if (
      (name === 'x-ratelimit-tokens-query-cost' || name === 'ratelimitbysize-query-cost') &&
      Number.isFinite(value) &&
      value >= 0
    ) {
      out.queryCost = value;
    }
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
