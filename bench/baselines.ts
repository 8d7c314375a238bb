/**
 * The simple alternatives the benchmark sets beside the gate, each as good as it can be made
 * simply, so rows show what fairness and pacing add rather than what a margin adds:
 * - {@link naiveLimiter}: Bottleneck `minTime` at the gate's send interval (the same margin),
 *   first come first served, with the gate's 429 retry (stated Retry-After, else exponential
 *   backoff with jitter), one per process;
 * - {@link ArrivalOrderPacer}: one send slot shared through Redis, claimed first come first
 *   served by whichever process asks first; each process orders only its own line (the gate's
 *   design before the global order).
 */
import Bottleneck from 'bottleneck';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { SendPacer, SlotOffer, SlotTurn } from '../src/gate/pacer.ts';
import { UpstreamError } from '../src/mistral/client.ts';

/** The gate's send interval at 1 request/s: 1000 ms plus the default 15 ms start margin. */
export const INTERVAL_MS = 1_015;

export interface NaiveLimiter {
  run<T>(attempt: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function naiveLimiter(intervalMs = INTERVAL_MS): NaiveLimiter {
  const limiter = new Bottleneck({ minTime: intervalMs });
  let consecutive429 = 0;
  const backoff = (n: number) => {
    const ceiling = Math.min(30_000, 1_000 * 2 ** Math.max(0, n - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };
  const run = async <T>(attempt: () => Promise<T>, rateLimits = 0): Promise<T> => {
    try {
      const value = await limiter.schedule(attempt);
      consecutive429 = 0;
      return value;
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.kind !== 'rate_limited' || rateLimits >= 8) throw error;
      consecutive429++;
      await sleep(error.retryAfterMs ?? backoff(consecutive429));
      return run(attempt, rateLimits + 1);
    }
  };
  return {
    run: (attempt) => run(attempt),
    close: async () => {
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    },
  };
}

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000`;
const CLAIM = `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = math.max(last + tonumber(ARGV[1]), paused)
if now >= at then
  redis.call('SET', KEYS[1], string.format('%.3f', now), 'PX', 3600000)
  return 0
end
return math.ceil(at - now)`;
const SENT = `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if now > last then redis.call('SET', KEYS[1], string.format('%.3f', now), 'PX', 3600000) end
return 0`;
const PAUSE = `${NOW}
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.3f', untilMs), 'PX', math.ceil(tonumber(ARGV[1])) + 1000)
end
return 0`;

/** One send slot shared through Redis, claimed first come first served (no order between processes). */
export class ArrivalOrderPacer implements SendPacer {
  readonly intervalMs: number;
  readonly unansweredSince = undefined;
  readonly #redis: Redis;
  readonly #keys: readonly [string, string];
  #pausedUntil = 0;

  constructor(redis: Redis, intervalMs: number, scope: string) {
    this.#redis = redis;
    this.intervalMs = intervalMs;
    const id = createHash('sha256').update(scope).digest('hex').slice(0, 16);
    this.#keys = [`bench:${id}:last-send`, `bench:${id}:paused-until`];
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
    this.#redis.eval(PAUSE, 1, this.#keys[1], String(Math.ceil(ms))).catch(() => undefined);
  }

  markSent(): void {
    this.#redis.eval(SENT, 1, this.#keys[0]).catch(() => undefined);
  }

  async claim(offer: () => SlotOffer | undefined, signal?: AbortSignal): Promise<SlotTurn> {
    for (;;) {
      signal?.throwIfAborted();
      if (!offer()) return { go: false, virtualTime: undefined, otherServers: 0, otherWaiting: 0 };
      const wait = Number(await this.#redis.eval(CLAIM, 2, ...this.#keys, String(this.intervalMs)));
      if (wait <= 0) return { go: true, virtualTime: undefined, otherServers: 0, otherWaiting: 0 };
      await sleep(wait, undefined, { signal });
    }
  }

  async admit(): Promise<boolean> {
    return true;
  }

  report(): void {}

  async close(): Promise<void> {}
}
