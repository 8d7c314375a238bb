import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { SendPacer, SlotOffer, SlotTurn } from './pacer.ts';

// Redis's own clock (TIME) is the one clock every process shares; times are epoch ms with µs.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000`;
const KEEP_MS = 3_600_000;
/** An offer not renewed for this long belongs to a process that died or froze: ignored, deleted. */
const OFFER_TTL_MS = 3_000;
/** A waiting process renews its offer at least this often (well inside the TTL). */
const RENEW_MS = 1_000;
/** The slot is due but another process's server comes first: ask again this soon. */
const YIELD_MS = 25;
/** A process's waiting count not renewed for this long no longer counts. */
const COUNT_TTL_MS = 5_000;
const HEARTBEAT_MS = 1_000;

/**
 * Records this process's offer, then claims the slot if it has come *and* the offer is the
 * fairest of all live offers (smallest effective tag, ties to the one held longest).
 * KEYS: last-send, paused-until, offers, virtual-time.
 * ARGV: process, intervalMs, guild, tag, servers, known virtual time, known pause left (ms), waiting.
 * Returns {status, waitMs, virtualTime, otherServers, pauseLeftMs, otherWaiting}; status 0 = send
 * now, 1 = not yet (pacing or pause), 2 = another process's server is due first.
 */
const CLAIM = `${NOW}
local me, interval, guild, tag = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local v = math.max(tonumber(redis.call('GET', KEYS[4]) or '0'), tonumber(ARGV[6]))
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local pauseLeft = tonumber(ARGV[7])
if pauseLeft > 0 and now + pauseLeft > paused then
  paused = now + pauseLeft
  redis.call('SET', KEYS[2], string.format('%.3f', paused), 'PX', math.ceil(pauseLeft) + 1000)
end
local since = now
local old = redis.call('HGET', KEYS[3], me)
if old then
  local o = cjson.decode(old)
  if o.g == guild and o.t == tag then since = o.s end
end
redis.call('HSET', KEYS[3], me, cjson.encode({g = guild, t = tag, s = since, e = now + ${OFFER_TTL_MS}, n = tonumber(ARGV[5]), w = tonumber(ARGV[8])}))
redis.call('PEXPIRE', KEYS[3], ${KEEP_MS})
local best, bestTag, bestSince, others, othersWaiting = nil, math.huge, math.huge, 0, 0
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local o = cjson.decode(all[i + 1])
  if o.e < now then
    redis.call('HDEL', KEYS[3], all[i])
  else
    local eff = math.max(o.t, v)
    if all[i] ~= me then others, othersWaiting = others + o.n, othersWaiting + o.w end
    if eff < bestTag or (eff == bestTag and o.s < bestSince) then best, bestTag, bestSince = all[i], eff, o.s end
  end
end
local pauseOut = math.max(0, math.ceil(paused - now))
local last = redis.call('GET', KEYS[1])
if not last then
  -- Lost (restart, flush, expiry): a send may have happened just now, so wait one interval.
  redis.call('SET', KEYS[1], string.format('%.3f', now), 'PX', ${KEEP_MS})
  return {1, math.ceil(interval), v, others, pauseOut, othersWaiting}
end
local at = math.max(tonumber(last) + interval, paused)
if now < at then return {1, math.ceil(at - now), v, others, pauseOut, othersWaiting} end
if best ~= me then return {2, ${YIELD_MS}, v, others, pauseOut, othersWaiting} end
redis.call('SET', KEYS[1], string.format('%.3f', now), 'PX', ${KEEP_MS})
v = math.max(v, tag)
redis.call('SET', KEYS[4], string.format('%d', v), 'PX', ${KEEP_MS})
redis.call('HDEL', KEYS[3], me)
return {0, 0, v, others, pauseOut, othersWaiting}`;

/** This process has nothing to offer (or is leaving). KEYS: offers. ARGV: process. */
const WITHDRAW = `redis.call('HDEL', KEYS[1], ARGV[1]) return 0`;

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

/**
 * Sets this process's waiting count and says whether the total over live processes stays
 * within the limit. KEYS: counts. ARGV: process, count (with the new request), max (0 = just
 * record). Returns 1 = admitted (or recorded), 0 = full (the count is recorded without it).
 */
const COUNT = `${NOW}
local me, mine, max = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local others = 0
if max > 0 then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local o = cjson.decode(all[i + 1])
    if o.e < now then redis.call('HDEL', KEYS[1], all[i])
    elseif all[i] ~= me then others = others + o.n end
  end
  if others + mine > max then mine = mine - 1 end
end
if mine > 0 then
  redis.call('HSET', KEYS[1], me, cjson.encode({n = mine, e = now + ${COUNT_TTL_MS}}))
  redis.call('PEXPIRE', KEYS[1], ${KEEP_MS})
else
  redis.call('HDEL', KEYS[1], me)
end
if max > 0 and others + tonumber(ARGV[2]) > max then return 0 end
return 1`;

/** A claim that takes this long means Redis is away: say so once in the log. */
const SLOW_CLAIM_MS = 5_000;

/**
 * The send pacer shared by every bot process through Redis (`REDIS_URL`): all processes together
 * send at most one request per `intervalMs`, a 429 pause taken by one holds them all, and each
 * slot goes to the server that has waited longest in virtual time across all processes.
 *
 * Each waiting process keeps one *offer* in Redis, its fairest server's virtual tag (servers
 * live on one shard, so the order inside a server stays local); a claim records the offer and,
 * in the same Lua script on Redis's clock, grants the slot only if it has come and this offer is
 * the smallest live one. Other processes learn the shared virtual time from every claim, so a
 * server that starts waiting anywhere joins at the same point of the order.
 *
 * Why not Bottleneck's Redis clustering: it hangs with redis@4/5 clients, fails every job with
 * SETTINGS_KEY_NOT_FOUND once its settings key is lost (a Redis restart or flush) until the limiter
 * is rebuilt, and it spaces job *starts*, not sends.
 *
 * No state here is precious. A lost last-send time means "a send may have just happened" (one
 * interval's wait); a lost pause is re-imposed by the process that took the 429; a lost virtual
 * time is restored from what processes pass in; lost offers and counts are re-sent within a
 * second. A process that dies stops renewing its offer (3 s) and its count (5 s), and is then
 * ignored. While Redis is unreachable, claims wait (ioredis's offline queue) and requests stay in
 * line; they resume when it is back. Shared `MAX_QUEUED` counts are each process's own, renewed
 * every second while it has requests waiting.
 */
export class RedisPacer implements SendPacer {
  readonly intervalMs: number;
  readonly #redis: Redis;
  readonly #keys: {
    readonly last: string;
    readonly paused: string;
    readonly offers: string;
    readonly virtualTime: string;
    readonly counts: string;
  };
  readonly #log: Logger;
  /** This process's name in the shared hashes. */
  readonly #me = randomUUID();
  #pausedUntil = 0;
  #offered = false;
  #waitingHere = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #countSoon = false;
  /** Start times of calls Redis has not answered yet. */
  readonly #outstanding = new Set<{ readonly at: number }>();

  /** `scope` separates keys that share a Redis (different Mistral keys must not share a gate). */
  constructor(redis: Redis, intervalMs: number, scope: string, log: Logger) {
    this.#redis = redis;
    this.intervalMs = intervalMs;
    this.#log = log;
    const id = createHash('sha256').update(scope).digest('hex').slice(0, 16);
    this.#keys = {
      last: `gate:${id}:last-send`,
      paused: `gate:${id}:paused-until`,
      offers: `gate:${id}:offers`,
      virtualTime: `gate:${id}:virtual-time`,
      counts: `gate:${id}:waiting`,
    };
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  get unansweredSince(): number | undefined {
    let oldest: number | undefined;
    for (const call of this.#outstanding) if (oldest === undefined || call.at < oldest) oldest = call.at;
    return oldest;
  }

  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
    this.#call(this.#redis.eval(PAUSE, 1, this.#keys.paused, String(Math.ceil(ms)))).catch(
      (error: unknown) => {
        this.#log.warn({ err: error }, 'could not share a rate-limit pause through Redis');
      },
    );
  }

  markSent(): void {
    this.#call(this.#redis.eval(SENT, 1, this.#keys.last)).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'could not record a send in Redis');
    });
  }

  async claim(offer: () => SlotOffer | undefined, signal?: AbortSignal): Promise<SlotTurn> {
    for (;;) {
      signal?.throwIfAborted();
      const current = offer();
      if (!current) {
        if (this.#offered) await this.#withdraw(signal);
        return { go: false, virtualTime: undefined, otherServers: 0, otherWaiting: 0 };
      }
      const t0 = performance.now();
      const pauseLeft = Math.max(0, Math.ceil(this.#pausedUntil - t0));
      this.#offered = true;
      const reply = await abortable(
        this.#call(
          this.#redis.eval(
            CLAIM,
            4,
            this.#keys.last,
            this.#keys.paused,
            this.#keys.offers,
            this.#keys.virtualTime,
            this.#me,
            String(this.intervalMs),
            current.guildId,
            String(current.tag),
            String(current.servers),
            String(current.virtualTime),
            String(pauseLeft),
            String(current.waiting),
          ),
        ),
        signal,
      );
      const took = performance.now() - t0;
      if (took > SLOW_CLAIM_MS)
        this.#log.warn({ ms: Math.round(took) }, 'the shared gate (Redis) was unreachable; requests waited');
      const [status, waitMs, virtualTime, otherServers, pauseLeftMs, otherWaiting] = numbers(reply);
      this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + pauseLeftMs);
      if (status === 0) {
        this.#offered = false;
        return { go: true, virtualTime, otherServers, otherWaiting };
      }
      await sleep(Math.max(1, Math.min(waitMs, RENEW_MS)), undefined, { signal });
    }
  }

  async admit(waitingHere: number, maxWaiting: number): Promise<boolean> {
    if (!Number.isFinite(maxWaiting)) return true;
    const reply = await this.#call(
      this.#redis.eval(COUNT, 1, this.#keys.counts, this.#me, String(waitingHere), String(maxWaiting)),
    );
    return Number(reply) === 1;
  }

  report(waitingHere: number): void {
    const dropped = waitingHere < this.#waitingHere;
    this.#waitingHere = waitingHere;
    if (waitingHere > 0 && !this.#heartbeat) {
      this.#heartbeat = setInterval(() => this.#sendCount(), HEARTBEAT_MS);
      this.#heartbeat.unref();
    } else if (waitingHere === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
    // Rises are recorded by admit(); a fall frees room for other processes, so share it now.
    if (dropped && !this.#countSoon) {
      this.#countSoon = true;
      setImmediate(() => {
        this.#countSoon = false;
        this.#sendCount();
      });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#waitingHere = 0;
    const done = Promise.allSettled([
      this.#redis.eval(WITHDRAW, 1, this.#keys.offers, this.#me),
      this.#redis.eval(COUNT, 1, this.#keys.counts, this.#me, '0', '0'),
    ]);
    this.#offered = false;
    // Redis may be away: the entries then expire on their own; do not hold shutdown for them.
    const timeout = new AbortController();
    await Promise.race([done, sleep(1_000, undefined, { signal: timeout.signal }).catch(() => undefined)]);
    timeout.abort();
  }

  #sendCount(): void {
    this.#call(this.#redis.eval(COUNT, 1, this.#keys.counts, this.#me, String(this.#waitingHere), '0')).catch(
      (error: unknown) => this.#log.warn({ err: error }, 'could not share the queue length in Redis'),
    );
  }

  async #withdraw(signal?: AbortSignal): Promise<void> {
    this.#offered = false;
    await abortable(this.#call(this.#redis.eval(WITHDRAW, 1, this.#keys.offers, this.#me)), signal);
  }

  /** Tracks a Redis call until it answers, for {@link unansweredSince}. */
  #call<T>(promise: Promise<T>): Promise<T> {
    const call = { at: performance.now() };
    this.#outstanding.add(call);
    return promise.finally(() => this.#outstanding.delete(call));
  }
}

/** Awaits `promise` unless `signal` aborts first (the promise then settles unobserved). */
async function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  promise.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function numbers(reply: unknown): [number, number, number, number, number, number] {
  const a = Array.isArray(reply) ? reply.map(Number) : [];
  return [a[0] ?? 1, a[1] ?? RENEW_MS, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0, a[5] ?? 0];
}
