import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { SendPacer } from './pacer.ts';

// Redis's own clock (TIME) is the one clock every process shares; times are epoch ms with µs.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000`;
const KEEP_MS = 3_600_000;

/** Claims the next send slot if it has come: 0 = send now (and the slot is taken), else ms to wait. */
const CLAIM = `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = math.max(last + tonumber(ARGV[1]), paused)
if now >= at then
  redis.call('SET', KEYS[1], string.format('%.3f', now), 'PX', ${KEEP_MS})
  return 0
end
return math.ceil(at - now)`;

/** A request's headers actually left: the next slot is measured from now. */
const SENT = `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if now > last then redis.call('SET', KEYS[1], string.format('%.3f', now), 'PX', ${KEEP_MS}) end
return 0`;

/** Holds every process's sends for ARGV[1] ms (extends, never shortens). */
const PAUSE = `${NOW}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[1], string.format('%.3f', untilMs), 'PX', math.ceil(tonumber(ARGV[1])) + 1000)
end
return 0`;

/** A claim that takes this long means Redis is away: say so once in the log. */
const SLOW_CLAIM_MS = 5_000;

/**
 * The send pacer shared by every bot process through Redis (`REDIS_URL`): all processes together
 * send at most one request per `intervalMs`, and a 429 pause taken by one holds them all.
 *
 * Why not Bottleneck's Redis clustering: it hangs with redis@4/5 clients, fails every job with
 * SETTINGS_KEY_NOT_FOUND once its settings key is lost (a Redis restart or flush) until the limiter
 * is rebuilt, and it spaces job *starts*, not sends. Here each slot is claimed atomically by a
 * small Lua script on Redis's own clock at the moment of sending, and re-measured from the real
 * send; there is no state whose loss breaks anything (a lost key just means "no recent send").
 * Bottleneck still paces and orders each process's own tickets in front of this.
 *
 * While Redis is unreachable, claims wait (ioredis's offline queue) and requests stay in line;
 * they resume when Redis is back.
 */
export class RedisPacer implements SendPacer {
  readonly intervalMs: number;
  readonly #redis: Redis;
  readonly #keys: { readonly last: string; readonly paused: string };
  readonly #log: Logger;
  #pausedUntil = 0;

  /** `scope` separates keys that share a Redis (different Mistral keys must not share a gate). */
  constructor(redis: Redis, intervalMs: number, scope: string, log: Logger) {
    this.#redis = redis;
    this.intervalMs = intervalMs;
    this.#log = log;
    const id = createHash('sha256').update(scope).digest('hex').slice(0, 16);
    this.#keys = { last: `gate:${id}:last-send`, paused: `gate:${id}:paused-until` };
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
    this.#redis.eval(PAUSE, 1, this.#keys.paused, String(Math.ceil(ms))).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'could not share a rate-limit pause through Redis');
    });
  }

  markSent(): void {
    this.#redis.eval(SENT, 1, this.#keys.last).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'could not record a send in Redis');
    });
  }

  async waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      const wait = Number(
        await this.#redis.eval(CLAIM, 2, this.#keys.last, this.#keys.paused, String(this.intervalMs)),
      );
      const took = performance.now() - t0;
      if (took > SLOW_CLAIM_MS)
        this.#log.warn({ ms: Math.round(took) }, 'the shared gate (Redis) was unreachable; requests waited');
      if (wait <= 0) return;
      await sleep(wait, undefined, { signal });
    }
  }
}
