import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import { UpstreamError } from '../mistral/client.ts';
import { FairQueue } from './fair-queue.ts';
import type { Pacer } from './pacer.ts';

/** One request waiting for its turn upstream. */
export interface GateRequest<T> {
  readonly guildId: string;
  readonly userId: string;
  readonly model: string;
  /** One upstream attempt; throws {@link UpstreamError} on failure. Called again for each retry. */
  readonly attempt: () => Promise<T>;
  /** Epoch ms after which the request must not start (its Discord token would be dead). */
  readonly deadline?: number;
  /** Called while the request waits, with its place in line (0 = next) and a wait estimate. */
  readonly onWait?: (position: number, etaMs: number) => void;
}

/** Refusals the gate can give before or instead of starting a request. */
export class GateRefusal extends Error {
  override readonly name = 'GateRefusal';
  readonly reason: 'queue_full' | 'guild_queue_full' | 'expired' | 'closed';
  constructor(reason: GateRefusal['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Starts upstream requests at the configured rate, fairly, with retries. */
export interface RequestGate {
  run<T>(request: GateRequest<T>): Promise<T>;
  /** Requests waiting (not yet started). */
  readonly waiting: number;
  /** Requests started and not yet settled. */
  readonly inFlight: number;
  /** Resolves when no request is in flight, or after `timeoutMs`; true if drained. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Refuses new requests, rejects waiting ones with `closed`, and stops pacing. */
  close(): Promise<void>;
}

export interface GateOptions {
  readonly requestsPerSecond: number;
  /** Added to the start spacing so timer and network jitter never bring two starts too close. */
  readonly marginMs: number;
  readonly pacer: Pacer;
  readonly log: Logger;
  /** Retries after 5xx, timeouts, network errors and unreadable responses. */
  readonly maxRetries: number;
  /** Retries after 429s (rate limits pause everything; users just wait longer). */
  readonly maxRateLimitRetries?: number;
  readonly maxWaiting?: number;
  readonly maxWaitingPerGuild?: number;
  /** Backoff base for 429s without Retry-After and for 5xx (doubles per attempt, with jitter). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** A Bottleneck instance to pace with (e.g. a clustered one); built in-process when absent. */
  readonly limiter?: Bottleneck;
  readonly events?: BotEvents;
}

interface Entry {
  readonly request: GateRequest<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  failures: number;
  rateLimits: number;
  readonly enqueuedAt: number;
}

/**
 * The single way upstream. Waiting requests sit in a {@link FairQueue}; Bottleneck paces
 * *starts* (`minTime`, no concurrency limit, so slow completions overlap) by running one
 * "ticket" at a time, and each ticket starts whichever request is fairest at that moment.
 * A 429 pauses every start (the stated Retry-After, else exponential backoff with jitter)
 * and puts the request back at the front of its lane; a failed request is retried through
 * the same pacing, never around it (Bottleneck's own retry skips minTime).
 */
export function createGate(options: GateOptions): RequestGate {
  const intervalMs = 1000 / options.requestsPerSecond + options.marginMs;
  const limiter = options.limiter ?? new Bottleneck({ minTime: Math.ceil(intervalMs) });
  const queue = new FairQueue<Entry>();
  const maxWaiting = options.maxWaiting ?? Infinity;
  const maxWaitingPerGuild = options.maxWaitingPerGuild ?? Infinity;
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 8;
  const backoffBase = options.backoffBaseMs ?? 1_000;
  const backoffMax = options.backoffMaxMs ?? 30_000;
  const log = options.log;
  let ticketPending = false;
  let consecutive429 = 0;
  let inFlight = 0;
  let closed = false;
  const retryTimers = new Set<NodeJS.Timeout>();

  const backoff = (n: number) => {
    const ceiling = Math.min(backoffMax, backoffBase * 2 ** Math.max(0, n - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };

  const notifyWaiting = () => {
    // Cheap for the sizes the gate allows; positions are recomputed only when the line moves.
    for (const entry of waitingEntries()) {
      if (!entry.request.onWait) continue;
      const position = queue.position(entry);
      const pauseLeft = Math.max(0, options.pacer.pausedUntil - performance.now());
      entry.request.onWait(position, pauseLeft + (position + 1) * intervalMs);
    }
  };

  const waiting = new Set<Entry>();
  const waitingEntries = () => waiting.values();

  const enqueue = (entry: Entry, front: boolean) => {
    const { guildId, userId } = entry.request;
    if (front) queue.pushFront(guildId, userId, entry);
    else queue.push(guildId, userId, entry);
    waiting.add(entry);
    pump();
  };

  const pump = () => {
    if (ticketPending || closed || queue.size === 0) return;
    ticketPending = true;
    limiter
      .schedule(() => {
        ticketPending = false;
        const pauseLeft = options.pacer.pausedUntil - performance.now();
        if (pauseLeft > 0) {
          const timer = setTimeout(() => {
            retryTimers.delete(timer);
            pump();
          }, Math.ceil(pauseLeft));
          retryTimers.add(timer);
          return Promise.resolve();
        }
        startNext();
        pump();
        return Promise.resolve();
      })
      .catch((error: unknown) => {
        ticketPending = false;
        log.error({ err: error }, 'gate ticket failed; retrying in 1 s');
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          pump();
        }, 1_000);
        retryTimers.add(timer);
      });
  };

  const startNext = () => {
    for (;;) {
      const entry = queue.shift();
      if (!entry) return;
      waiting.delete(entry);
      const { deadline } = entry.request;
      if (deadline !== undefined && Date.now() >= deadline) {
        entry.reject(new GateRefusal('expired', 'The request waited too long and was not sent.'));
        continue;
      }
      options.events?.emit({
        type: 'started',
        guildId: entry.request.guildId,
        model: entry.request.model,
        waitedMs: performance.now() - entry.enqueuedAt,
        attempt: entry.failures + entry.rateLimits + 1,
        waiting: queue.size,
      });
      void execute(entry);
      notifyWaiting();
      return;
    }
  };

  const execute = async (entry: Entry) => {
    inFlight++;
    const t0 = performance.now();
    const model = entry.request.model;
    try {
      const value = await entry.request.attempt();
      consecutive429 = 0;
      options.events?.emit({ type: 'attempt', model, outcome: 'ok', ms: performance.now() - t0 });
      entry.resolve(value);
    } catch (error) {
      const outcome = error instanceof UpstreamError ? error.kind : 'network';
      options.events?.emit({ type: 'attempt', model, outcome, ms: performance.now() - t0 });
      handleFailure(entry, error);
    } finally {
      inFlight--;
    }
  };

  const handleFailure = (entry: Entry, error: unknown) => {
    if (!(error instanceof UpstreamError) || !error.retryable || closed) {
      entry.reject(error);
      return;
    }
    const ctx = { guildId: entry.request.guildId, model: entry.request.model, kind: error.kind };
    if (error.kind === 'rate_limited') {
      consecutive429++;
      entry.rateLimits++;
      const waitMs = error.retryAfterMs ?? backoff(consecutive429);
      options.pacer.pauseFor(waitMs);
      options.events?.emit({
        type: 'paused',
        model: entry.request.model,
        waitMs,
        stated: error.retryAfterMs !== undefined,
      });
      log.warn(
        { ...ctx, waitMs: Math.round(waitMs), stated: error.retryAfterMs !== undefined },
        'rate limited; gate paused',
      );
      if (entry.rateLimits > maxRateLimitRetries) {
        entry.reject(error);
        return;
      }
      enqueue(entry, true);
      notifyWaiting();
      return;
    }
    entry.failures++;
    if (entry.failures > options.maxRetries) {
      entry.reject(error);
      return;
    }
    const delay = backoff(entry.failures);
    log.warn(
      { ...ctx, attempt: entry.failures, delayMs: Math.round(delay) },
      'upstream attempt failed; retrying',
    );
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      if (closed) entry.reject(error);
      else enqueue(entry, true);
    }, delay);
    retryTimers.add(timer);
  };

  return {
    run<T>(request: GateRequest<T>): Promise<T> {
      if (closed) return Promise.reject(new GateRefusal('closed', 'The bot is shutting down.'));
      if (queue.size >= maxWaiting) {
        return Promise.reject(new GateRefusal('queue_full', 'Too many questions are waiting.'));
      }
      if (queue.sizeOf(request.guildId) >= maxWaitingPerGuild) {
        return Promise.reject(
          new GateRefusal('guild_queue_full', 'This server has too many questions waiting.'),
        );
      }
      return new Promise<T>((resolve, reject) => {
        enqueue(
          {
            request: request,
            resolve: resolve as (value: unknown) => void,
            reject,
            failures: 0,
            rateLimits: 0,
            enqueuedAt: performance.now(),
          },
          false,
        );
        options.events?.emit({
          type: 'queued',
          guildId: request.guildId,
          model: request.model,
          waiting: queue.size,
        });
        notifyWaiting();
      });
    },
    get waiting() {
      return queue.size;
    },
    get inFlight() {
      return inFlight;
    },
    async drain(timeoutMs) {
      const until = performance.now() + timeoutMs;
      while (inFlight > 0 && performance.now() < until) await sleep(50);
      return inFlight === 0;
    },
    async close() {
      closed = true;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      for (const entry of waiting) {
        queue.remove(entry);
        entry.reject(new GateRefusal('closed', 'The bot is shutting down; this request was not sent.'));
      }
      waiting.clear();
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      // Give Bottleneck's own timers a tick to settle so the process can exit.
      await sleep(0);
    },
  };
}
