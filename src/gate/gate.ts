import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import { UpstreamError } from '../mistral/client.ts';
import { FairQueue } from './fair-queue.ts';
import type { LimitReservation, ModelLimits } from './model-limits.ts';
import type { SendPacer } from './pacer.ts';

/** How far past its expected time a send slot may be before waiting members are told the gate stalled. */
const STALL_AFTER_MS = 5_000;

/** One request waiting for its turn upstream. */
export interface GateRequest<T> {
  readonly guildId: string;
  readonly userId: string;
  readonly model: string;
  /** Tokens the request may use (prompt estimate + max_tokens), reserved against the model's windows. */
  readonly tokens: number;
  /** Tokens the result actually used (Mistral's usage), to settle the reservation. */
  readonly actualTokens?: (value: T) => number | undefined;
  /** One upstream attempt; throws {@link UpstreamError} on failure. Called again for each retry. */
  readonly attempt: () => Promise<T>;
  /** Epoch ms after which the request must not start (its Discord token would be dead). */
  readonly deadline?: number;
  /**
   * Called while the request waits, with its place in line (0 = next), a wait estimate, and
   * `stalled` when the pacer has not answered for much longer than it should (Redis away).
   */
  readonly onWait?: (position: number, etaMs: number, stalled: boolean) => void;
}

/** Refusals the gate can give before or instead of starting a request. */
export class GateRefusal extends Error {
  override readonly name = 'GateRefusal';
  readonly reason: 'queue_full' | 'guild_queue_full' | 'expired' | 'closed' | 'too_large' | 'month_spent';
  constructor(reason: GateRefusal['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Starts upstream requests at the configured rate, fairly, with retries. */
export interface RequestGate {
  run<T>(request: GateRequest<T>): Promise<T>;
  /** Why a request like this would be refused right now, before anything is promised; else undefined. */
  refusal(request: Pick<GateRequest<unknown>, 'guildId' | 'model' | 'tokens'>): GateRefusal | undefined;
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
  /** Claims send slots; its `intervalMs` (the rate's spacing plus a margin) also spaces tickets. */
  readonly pacer: SendPacer;
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
  /** Per-model token and request windows; without it, only the start rate is enforced. */
  readonly limits?: ModelLimits;
}

interface Entry {
  readonly request: GateRequest<unknown>;
  readonly resolve: (value: unknown) => void;
  reservation?: LimitReservation;
  readonly reject: (error: unknown) => void;
  failures: number;
  rateLimits: number;
  readonly enqueuedAt: number;
}

/**
 * The single way upstream. Waiting requests sit in a {@link FairQueue}; Bottleneck paces
 * *starts* (`minTime`, no concurrency limit, so slow completions overlap) by running one
 * "ticket" at a time, and each ticket starts whichever request is fairest at that moment.
 * Each ticket first claims a send slot from the {@link SendPacer} (in-process, or shared through
 * Redis by every bot process), so starts are spaced where requests actually leave.
 * A 429 pauses every start (the stated Retry-After, else exponential backoff with jitter)
 * and puts the request back at the front of its lane; a failed request is retried through
 * the same pacing, never around it (Bottleneck's own retry skips minTime).
 */
export function createGate(options: GateOptions): RequestGate {
  const intervalMs = options.pacer.intervalMs;
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
  /** Aborts a ticket waiting for its send slot (a long 429 pause must not delay shutdown). */
  const closing = new AbortController();
  const retryTimers = new Set<NodeJS.Timeout>();

  const backoff = (n: number) => {
    const ceiling = Math.min(backoffMax, backoffBase * 2 ** Math.max(0, n - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };

  const notifyWaiting = () => {
    if (!watched) return;
    const pauseLeft = Math.max(0, options.pacer.pausedUntil - performance.now());
    queue.order().forEach((entry, position) => {
      entry.request.onWait?.(position, pauseLeft + (position + 1) * intervalMs, stalled);
    });
  };
  /** Whether any waiting request wants to hear its place in line (skip the O(n) walk if not). */
  let watched = 0;
  /** The pacer has taken far longer than its interval and any pause: a shared pacer's Redis is away. */
  let stalled = false;

  const waiting = new Set<Entry>();

  const limits = options.limits;
  const fits = (entry: Entry) => !limits || limits.canStart(entry.request.model, entry.request.tokens);
  let windowTimer: NodeJS.Timeout | undefined;
  /** Nothing waiting fits its model's minute window: look again when the first one frees. */
  const waitForWindows = () => {
    if (!limits || windowTimer) return;
    let soonest = Infinity;
    for (const entry of waiting)
      soonest = Math.min(soonest, limits.waitFor(entry.request.model, entry.request.tokens));
    if (!Number.isFinite(soonest)) return;
    windowTimer = setTimeout(
      () => {
        windowTimer = undefined;
        pump();
      },
      Math.max(10, soonest),
    );
  };

  const enqueue = (entry: Entry, front: boolean) => {
    const { guildId, userId } = entry.request;
    if (front) queue.pushFront(guildId, userId, entry);
    else queue.push(guildId, userId, entry);
    waiting.add(entry);
    if (entry.request.onWait) watched++;
    pump();
  };

  const pump = () => {
    if (ticketPending || closed || queue.size === 0) return;
    ticketPending = true;
    limiter
      .schedule(async () => {
        // The pacer claims the send slot (and holds every start during a 429 pause); the
        // request then leaves at once, and the pacer re-measures from its real send time.
        const expected = Math.max(0, options.pacer.pausedUntil - performance.now()) + intervalMs;
        const stallTimer = setTimeout(() => {
          stalled = true;
          log.warn('the send pacer is not answering; questions wait in line');
          notifyWaiting();
        }, expected + STALL_AFTER_MS);
        try {
          await options.pacer.waitTurn(closing.signal);
        } finally {
          clearTimeout(stallTimer);
          if (stalled) {
            stalled = false;
            notifyWaiting();
          }
        }
        ticketPending = false;
        if (closed) return;
        startNext();
        pump();
      })
      .catch((error: unknown) => {
        ticketPending = false;
        if (closed) return; // close() stopped the limiter and dropped this ticket
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
      const entry = queue.shift(fits);
      if (!entry) {
        if (queue.size > 0) waitForWindows();
        return;
      }
      waiting.delete(entry);
      if (entry.request.onWait) watched--;
      const { deadline } = entry.request;
      if (deadline !== undefined && Date.now() >= deadline) {
        entry.reject(new GateRefusal('expired', 'The request waited too long and was not sent.'));
        continue;
      }
      entry.reservation = limits?.reserve(entry.request.model, entry.request.tokens);
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
      entry.reservation?.settle(entry.request.actualTokens?.(value) ?? entry.request.tokens);
      options.events?.emit({ type: 'attempt', model, outcome: 'ok', ms: performance.now() - t0 });
      entry.resolve(value);
    } catch (error) {
      // A failed attempt used no tokens (Mistral charges only answers).
      entry.reservation?.release();
      if (error instanceof UpstreamError && error.kind === 'quota_exhausted') limits?.markMonthSpent(model);
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
    refusal(request) {
      if (closed) return new GateRefusal('closed', 'The bot is shutting down.');
      if (queue.size >= maxWaiting) {
        return new GateRefusal('queue_full', `${queue.size} questions are already waiting.`);
      }
      if (queue.sizeOf(request.guildId) >= maxWaitingPerGuild) {
        return new GateRefusal(
          'guild_queue_full',
          `This server already has ${queue.sizeOf(request.guildId)} questions waiting.`,
        );
      }
      const never = limits?.neverFits(request.model, request.tokens);
      if (never === 'too_large') {
        const perMinute = limits?.limitOf(request.model).tokensPerMinute ?? 0;
        return new GateRefusal(
          'too_large',
          `This question needs up to ${request.tokens} tokens, more than ${request.model} may use in a minute (${perMinute}).`,
        );
      }
      if (never === 'month_spent') {
        return new GateRefusal('month_spent', `${request.model} has used its monthly quota on this key.`);
      }
      return undefined;
    },
    run<T>(request: GateRequest<T>): Promise<T> {
      const refused = this.refusal(request);
      if (refused) return Promise.reject(refused);
      return new Promise<T>((resolve, reject) => {
        enqueue(
          {
            // The entry's request is stored type-erased; `resolve` gets back exactly what it returned.
            request: request as unknown as GateRequest<unknown>,
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
      closing.abort();
      clearTimeout(windowTimer);
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      queue.clear();
      for (const entry of waiting) {
        entry.reject(new GateRefusal('closed', 'The bot is shutting down; this request was not sent.'));
      }
      waiting.clear();
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      // Give Bottleneck's own timers a tick to settle so the process can exit.
      await sleep(0);
    },
  };
}
