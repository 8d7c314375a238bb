/**
 * Rate limits of the stand-in: Discord's global limit (50 requests/s per bot token across all routes,
 * interaction callbacks exempt), sliding per-key windows for the per-message and per-channel buckets,
 * and the 429 replies Discord sends for each.
 *
 * Windows slide (any 1000 ms, not calendar seconds), which is at least as strict as Discord. The bucket
 * headers of normal answers stay generous on purpose, so discord.js does not queue in front of a limit
 * the bot should respect itself: the bot's excess shows up as a 429 and a violation.
 */
import type { RateWindow } from './types.ts';
import type { Reply } from './util.ts';

/** Discord's body for a 429; `global` tells the global limit from a route bucket. */
export function rateLimited(retryMs: number, global: boolean): Reply {
  const seconds = Math.max(retryMs, 1) / 1_000;
  return {
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: seconds, global },
    headers: global
      ? { 'retry-after': seconds.toFixed(3), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' }
      : { 'retry-after': seconds.toFixed(3), 'x-ratelimit-scope': 'user' },
  };
}

/**
 * Takes one slot in a sliding window: returns `undefined` (and records `now`) when a slot is free,
 * else the ms until the oldest slot frees (nothing recorded).
 */
export function takeSlot(times: number[], limit: RateWindow, now: number): number | undefined {
  while (times.length > 0 && now - (times[0] ?? now) >= limit.windowMs) times.shift();
  const oldest = times[0];
  if (oldest !== undefined && times.length >= limit.count) return oldest + limit.windowMs - now;
  times.push(now);
  return undefined;
}

/** The most entries of an ascending list of times that fall inside any window of `windowMs`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * The global limit over the full, never-pruned list of counted request times: `undefined` (and `now`
 * recorded) when under `perSecond` in the last 1000 ms, else the ms until a slot frees.
 */
export function takeGlobalSlot(times: number[], perSecond: number, now: number): number | undefined {
  let first = times.length;
  while (first > 0 && now - (times[first - 1] ?? now) < 1_000) first -= 1;
  if (times.length - first >= perSecond) return (times[first] ?? now) + 1_000 - now;
  times.push(now);
  return undefined;
}
