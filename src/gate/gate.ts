import { setTimeout as sleep } from 'node:timers/promises';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import { UpstreamError } from '../mistral/client.ts';
import { FairQueue } from './fair-queue.ts';
import type { LimitReservation, ModelLimits } from './model-limits.ts';
import { DEFAULT_NOTICE_POLICY, planNotices, type GivenNotice, type NoticePolicy } from './notice-policy.ts';
import type { SendPacer, SlotOffer } from './pacer.ts';

/** The shared store has left a request unanswered this long: waiting members are told it stalled. */
const STALL_AFTER_MS = 2_000;
/** How often waiting requests are looked over (expired deadlines, stalls, coalesced notices). */
const SWEEP_MS = 1_000;

/** One request for a turn upstream. */
export interface GateRequest<T> {
  readonly guildId: string;
  readonly userId: string;
  readonly model: string;
  /** Tokens the request may use (prompt estimate + max_tokens), reserved against the model's windows. */
  readonly tokens: number;
  /** Tokens the result actually used (Mistral's usage), to settle the reservation. */
  readonly actualTokens?: (value: T) => number | undefined;
  /**
   * One upstream attempt; throws {@link UpstreamError} on failure. Called again for each retry.
   * It may be called as soon as {@link RequestGate.join} resolves, so it must itself wait for
   * anything it needs (a deferred reply, for instance).
   */
  readonly attempt: () => Promise<T>;
  /** Epoch ms after which the request must not start (its Discord token would be dead). */
  readonly deadline?: number;
  /**
   * Called while the request waits, with its place in line (0 = next; across processes, an
   * estimate), a wait estimate, and `stalled` when the shared store (Redis) is not answering.
   * Called when the {@link NoticePolicy} says the change is worth a message edit, not on every one.
   */
  readonly onWait?: (position: number, etaMs: number, stalled: boolean) => void;
  /**
   * Aborting while the request waits (in line, in a retry's backoff, or while joining) removes it
   * at once and rejects with `GateRefusal('cancelled')`. Aborting while an attempt runs is the
   * attempt's business: the gate settles with its outcome, and does not retry it.
   */
  readonly signal?: AbortSignal;
}

/** Why the gate refused or dropped a request; `message` is safe to show a member. */
export type GateRefusalReason =
  /** Admission: `maxWaiting` requests wait already (in every process sharing the pacer). */
  | 'queue_full'
  /** Admission: this server has `maxWaitingPerGuild` requests waiting. */
  | 'guild_queue_full'
  /** Admission: this member has `maxWaitingPerMember` requests waiting in this server. */
  | 'member_queue_full'
  /** Admission: larger than the model's minute window can ever hold. */
  | 'too_large'
  /** Admission: the model's monthly quota on this key is spent. */
  | 'month_spent'
  /** Dropped: its deadline passed before it could start. */
  | 'expired'
  /** Dropped or refused: the gate is closing. */
  | 'closed'
  /** Dropped: its signal aborted while it waited. */
  | 'cancelled';

/** A refusal the gate gives instead of starting a request; nothing was sent upstream for it. */
export class GateRefusal extends Error {
  override readonly name = 'GateRefusal';
  readonly reason: GateRefusalReason;
  constructor(reason: GateRefusalReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** A request admitted into line. */
export interface GateTicket<T> {
  /**
   * The value of the attempt that succeeded; rejects with {@link GateRefusal} (`expired`,
   * `closed`, `cancelled`) if it never started, or with the last attempt's error.
   */
  readonly result: Promise<T>;
}

/** Options of {@link RequestGate}. */
export interface GateOptions {
  /**
   * The only source of spacing: claims each send slot, in-process (`Pacer`) or shared by every
   * process through Redis (`RedisPacer`, which also orders servers across them).
   * The gate closes it (withdraws this process from what is shared) when it closes.
   */
  readonly pacer: SendPacer;
  readonly log: Logger;
  /** Retries after 5xx, timeouts, network errors and unreadable responses (then the error is the result). */
  readonly maxRetries: number;
  /** Retries after 429s (each pauses every start; members just wait longer). Default 8. */
  readonly maxRateLimitRetries?: number;
  /**
   * Requests that may wait, in total; beyond it joins are refused with `queue_full`. With a shared
   * pacer the total counts every process (each process's count lives in Redis), and when Redis
   * does not answer within `admissionTimeoutMs` this process's own count decides. Default: no limit.
   */
  readonly maxWaiting?: number;
  /** Requests one server may have waiting (`guild_queue_full`). A server lives in one process. Default: no limit. */
  readonly maxWaitingPerGuild?: number;
  /** Requests one member may have waiting in one server (`member_queue_full`). Default: no limit. */
  readonly maxWaitingPerMember?: number;
  /** Backoff base for 429s without Retry-After and for 5xx (doubles per attempt, with jitter). Default 1 s. */
  readonly backoffBaseMs?: number;
  /** The longest backoff. Default 30 s. */
  readonly backoffMaxMs?: number;
  /**
   * How long {@link RequestGate.join} waits for the shared count of waiting requests before it
   * decides on this process's own limits (the request then waits, told the queue stalled). Default 1.5 s.
   */
  readonly admissionTimeoutMs?: number;
  /** When waiting members are told their place (see {@link noticeDue}). Default {@link DEFAULT_NOTICE_POLICY}. */
  readonly notices?: NoticePolicy;
  /** Per-model token and request windows (this process's); without it, only the send rate is enforced. */
  readonly limits?: ModelLimits;
  readonly events?: BotEvents;
}

type State = 'joining' | 'waiting' | 'backoff' | 'running' | 'done';

interface Entry {
  readonly request: GateRequest<unknown>;
  readonly result: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly memberKey: string;
  readonly enqueuedAt: number;
  state: State;
  failures: number;
  rateLimits: number;
  /** The virtual time of its last turn, so a retry keeps its place. */
  tag: number | undefined;
  reservation?: LimitReservation;
  backoff?: NodeJS.Timeout;
  notice?: GivenNotice;
  onAbort?: () => void;
}

const COUNTED: ReadonlySet<State> = new Set(['joining', 'waiting', 'backoff']);

/**
 * The single way upstream: admits requests, orders them fairly, starts each in its send slot,
 * retries what can be retried, and tells waiting members their place.
 *
 * - **Order.** Waiting requests sit in a {@link FairQueue}: servers by virtual time, members
 *   round-robin inside a server. With a shared pacer the order between servers is global: each
 *   process offers its fairest server and the pacer grants the slot to the fairest of all.
 * - **Pacing.** The pacer is the one source of spacing. A "ticket" claims the next slot, then
 *   starts whichever request is fairest at that moment; the request leaves at once and the pacer
 *   re-measures from its real send. Only starts are paced, so slow answers overlap.
 * - **One ticket at a time** per process (one claim outstanding), started on the event loop's next
 *   turn. This was a Bottleneck limiter with `maxConcurrent: 1`; its `minTime` measures job starts,
 *   not sends, so it never did the spacing, and a profile showed its job machinery costing about
 *   0.3 ms of CPU per question for what a boolean does. Its Redis clustering was never used (see
 *   `RedisPacer` for why).
 * - **Failures.** A 429 pauses every start (the stated Retry-After, else exponential backoff with
 *   jitter; shared by all processes) and puts the request back at the front of its lane; 5xx,
 *   timeouts and unreadable answers are retried after a backoff, through the same pacing.
 * - **Model windows** ({@link ModelLimits}) are this process's: a request that does not fit its
 *   model's minute window keeps its place while others pass, and is not offered for shared slots.
 * - **Shutdown.** {@link close} rejects every request not started (`closed`): waiting, in a
 *   retry's backoff, or still joining.
 */
export class RequestGate {
  readonly #pacer: SendPacer;
  readonly #log: Logger;
  readonly #events: BotEvents | undefined;
  readonly #limits: ModelLimits | undefined;
  readonly #queue = new FairQueue<Entry>();
  readonly #maxRetries: number;
  readonly #maxRateLimitRetries: number;
  readonly #maxWaiting: number;
  readonly #maxWaitingPerGuild: number;
  readonly #maxWaitingPerMember: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #admissionTimeoutMs: number;
  readonly #policy: NoticePolicy;
  /** Aborts a ticket waiting for its slot (a long 429 pause must not delay shutdown). */
  readonly #closing = new AbortController();
  /** Requests admitted (or being admitted) and not started: joining, waiting, in backoff. */
  readonly #unstarted = new Set<Entry>();
  readonly #perGuild = new Map<string, number>();
  readonly #perMember = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #counted = 0;
  #inFlight = 0;
  #consecutive429 = 0;
  /** A ticket is scheduled or claiming its slot: at most one per process. */
  #ticketPending = false;
  #closed: Promise<void> | undefined;
  #windowTimer: NodeJS.Timeout | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #noticeSoon = false;
  /** Waiting requests that want notices (skip the lineup when none do). */
  #watched = 0;
  #stalled = false;
  /** A join gave up waiting for the shared store: stalled until the pacer answers again. */
  #admissionTimedOut = false;
  #otherServers = 0;
  #otherWaiting = 0;
  /** Notices members further back may still get now (refilled at the policy's `farPerSecond`). */
  #noticeAllowance = 0;
  #noticeRefilledAt = performance.now();

  constructor(options: GateOptions) {
    this.#pacer = options.pacer;
    this.#log = options.log;
    this.#events = options.events;
    this.#limits = options.limits;
    this.#maxRetries = options.maxRetries;
    this.#maxRateLimitRetries = options.maxRateLimitRetries ?? 8;
    this.#maxWaiting = options.maxWaiting ?? Infinity;
    this.#maxWaitingPerGuild = options.maxWaitingPerGuild ?? Infinity;
    this.#maxWaitingPerMember = options.maxWaitingPerMember ?? Infinity;
    this.#backoffBaseMs = options.backoffBaseMs ?? 1_000;
    this.#backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.#admissionTimeoutMs = options.admissionTimeoutMs ?? 1_500;
    this.#policy = options.notices ?? DEFAULT_NOTICE_POLICY;
  }

  /** Requests admitted and not yet started (in line or in a retry's backoff), in this process. */
  get waiting(): number {
    let n = 0;
    for (const entry of this.#unstarted) if (entry.state !== 'joining') n++;
    return n;
  }

  /** Requests started and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Why a request like this would be refused right now by this process's own limits, or
   * undefined. Instant; {@link join} checks the same and then the shared count.
   */
  refusal(
    request: Pick<GateRequest<unknown>, 'guildId' | 'model' | 'tokens'> & { readonly userId?: string },
  ): GateRefusal | undefined {
    if (this.#closed) return new GateRefusal('closed', 'The bot is shutting down.');
    const mine =
      request.userId === undefined
        ? 0
        : (this.#perMember.get(memberKey({ guildId: request.guildId, userId: request.userId })) ?? 0);
    if (mine > 0 && mine >= this.#maxWaitingPerMember) {
      return new GateRefusal(
        'member_queue_full',
        mine === 1
          ? 'You already have a question waiting in line here.'
          : `You already have ${mine} questions waiting in line here.`,
      );
    }
    const guild = this.#perGuild.get(request.guildId) ?? 0;
    if (guild >= this.#maxWaitingPerGuild) {
      return new GateRefusal('guild_queue_full', `This server already has ${guild} questions waiting.`);
    }
    if (this.#counted >= this.#maxWaiting) {
      return new GateRefusal('queue_full', `${this.#counted} questions are already waiting.`);
    }
    const never = this.#limits?.neverFits(request.model, request.tokens);
    if (never === 'too_large') {
      const perMinute = this.#limits?.limitOf(request.model).tokensPerMinute ?? 0;
      return new GateRefusal(
        'too_large',
        `This question needs up to ${request.tokens} tokens, more than ${request.model} may use in a minute (${perMinute}).`,
      );
    }
    if (never === 'month_spent') {
      return new GateRefusal('month_spent', `${request.model} has used its monthly quota on this key.`);
    }
    return undefined;
  }

  /**
   * Admits a request into line, or rejects with {@link GateRefusal} (`member_queue_full`,
   * `guild_queue_full`, `queue_full`, `too_large`, `month_spent`, `closed`, `cancelled`) before
   * anything is promised. Answers within `admissionTimeoutMs` even when the shared store is away.
   */
  async join<T>(request: GateRequest<T>): Promise<GateTicket<T>> {
    const refused = this.refusal(request);
    if (refused) throw refused;
    if (request.signal?.aborted) throw cancelled();
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller that drops the ticket must not crash the process with an unhandled rejection.
    result.catch(() => undefined);
    const entry: Entry = {
      // Stored type-erased; `result` gives back exactly what the attempt returned.
      request: request as unknown as GateRequest<unknown>,
      result,
      resolve,
      reject,
      memberKey: memberKey(request),
      enqueuedAt: performance.now(),
      state: 'done',
      failures: 0,
      rateLimits: 0,
      tag: undefined,
    };
    this.#setState(entry, 'joining');
    if (request.signal) {
      const onAbort = () => this.#cancel(entry);
      entry.onAbort = onAbort;
      request.signal.addEventListener('abort', onAbort, { once: true });
    }
    // Only a count shared with other processes is asked (and bounded in time); one process's is its own.
    const shared = Number.isFinite(this.#maxWaiting) ? this.#pacer.admit : undefined;
    const admitted = shared ? await Promise.race([this.#admit(shared), result.then(falsy, falsy)]) : true;
    if (entry.state !== 'joining') await result; // closed or cancelled meanwhile: rethrows that
    if (!admitted) {
      this.#settle(entry, false, new GateRefusal('queue_full', 'Too many questions are already waiting.'));
      await result;
    }
    this.#enqueue(entry, false);
    this.#events?.emit({
      type: 'queued',
      guildId: request.guildId,
      model: request.model,
      waiting: this.#queue.size,
    });
    return { result: result as Promise<T> };
  }

  /** {@link join}, then the ticket's result: for callers with nothing to do in between. */
  async run<T>(request: GateRequest<T>): Promise<T> {
    const ticket = await this.join(request);
    return ticket.result;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`; true if drained. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (this.#inFlight > 0 && performance.now() < until) await sleep(50);
    return this.#inFlight === 0;
  }

  /**
   * Refuses new requests, rejects every request not started with `closed` (in line, in backoff,
   * joining), stops claiming slots and withdraws from the shared pacer. Requests in flight go on
   * (see {@link drain}). Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutDown();
    return this.#closed;
  }

  async #shutDown(): Promise<void> {
    this.#closing.abort();
    clearTimeout(this.#windowTimer);
    clearInterval(this.#sweep);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const entry of [...this.#unstarted]) {
      this.#settle(
        entry,
        false,
        new GateRefusal('closed', 'The bot is shutting down; this request was not sent.'),
      );
    }
    this.#queue.clear();
    this.#watched = 0;
    await this.#pacer.close();
  }

  /** Whether the shared count has room; this process's own limits when it does not answer in time. */
  async #admit(shared: NonNullable<SendPacer['admit']>): Promise<boolean> {
    const timeout = new AbortController();
    const late = sleep(this.#admissionTimeoutMs, 'late' as const, { signal: timeout.signal }).catch(
      () => 'late' as const,
    );
    try {
      const answer = await Promise.race([shared.call(this.#pacer, this.#counted, this.#maxWaiting), late]);
      if (answer !== 'late') return answer;
    } catch (error) {
      this.#log.warn(
        { err: error },
        'could not read the shared queue length; admitting on this process’s own',
      );
      return true;
    } finally {
      timeout.abort();
    }
    if (!this.#admissionTimedOut) {
      this.#log.warn(
        { ms: this.#admissionTimeoutMs },
        'the shared queue (Redis) did not answer; admitting on this process’s own limits',
      );
    }
    this.#admissionTimedOut = true;
    this.#refreshStall();
    return true;
  }

  #setState(entry: Entry, next: State): void {
    const was = COUNTED.has(entry.state);
    const now = COUNTED.has(next);
    entry.state = next;
    if (was === now) return;
    const delta = now ? 1 : -1;
    bump(this.#perGuild, entry.request.guildId, delta);
    bump(this.#perMember, entry.memberKey, delta);
    this.#counted += delta;
    if (now) this.#unstarted.add(entry);
    else this.#unstarted.delete(entry);
    this.#pacer.report(this.#counted);
    if (now && !this.#sweep && !this.#closed) {
      this.#sweep = setInterval(() => this.#look(), SWEEP_MS);
      this.#sweep.unref();
    }
  }

  #enqueue(entry: Entry, front: boolean): void {
    this.#setState(entry, 'waiting');
    const { guildId, userId } = entry.request;
    if (front) this.#queue.pushFront(guildId, userId, entry, entry.tag ?? this.#queue.virtualTime);
    else this.#queue.push(guildId, userId, entry);
    if (entry.request.onWait) this.#watched++;
    this.#noticesSoon();
    this.#pump();
  }

  #leaveQueue(entry: Entry): void {
    if (entry.request.onWait) this.#watched--;
  }

  /** Settles a request that will not run again; `ok` with a value, else with an error. */
  #settle(entry: Entry, ok: boolean, outcome: unknown): void {
    if (entry.state === 'done') return;
    if (entry.state === 'waiting' && this.#queue.remove(entry.request.guildId, entry.request.userId, entry)) {
      this.#leaveQueue(entry);
      this.#noticesSoon();
    }
    clearTimeout(entry.backoff);
    this.#setState(entry, 'done');
    if (entry.onAbort) entry.request.signal?.removeEventListener('abort', entry.onAbort);
    if (ok) entry.resolve(outcome);
    else entry.reject(outcome);
  }

  #cancel(entry: Entry): void {
    if (!COUNTED.has(entry.state)) return; // running: the attempt's business
    this.#settle(entry, false, cancelled());
  }

  #pump(): void {
    if (this.#ticketPending || this.#closed || this.#queue.size === 0) return;
    this.#ticketPending = true;
    // On the next turn: whatever queued the request has finished setting it up.
    setImmediate(() => {
      (this.#closed ? Promise.resolve(false) : this.#ticket()).then(
        (again) => {
          this.#ticketPending = false;
          if (again) this.#pump();
        },
        (error: unknown) => {
          this.#ticketPending = false;
          if (this.#closed) return; // close() aborted this ticket's claim
          this.#log.error({ err: error }, 'gate ticket failed; retrying in 1 s');
          this.#later(1_000, () => this.#pump());
        },
      );
    });
  }

  /** Claims one slot and starts the fairest eligible request in it; false when nothing could go. */
  async #ticket(): Promise<boolean> {
    const turn = await this.#pacer.claim(() => this.#offer(), this.#closing.signal);
    if (turn.virtualTime !== undefined) this.#queue.advance(turn.virtualTime);
    this.#otherServers = turn.otherServers;
    this.#otherWaiting = turn.otherWaiting;
    if (turn.go && this.#admissionTimedOut) {
      this.#admissionTimedOut = false;
      this.#refreshStall();
    }
    if (this.#closed) return false;
    if (!turn.go) {
      this.#waitForWindows();
      return false;
    }
    this.#startNext();
    return true;
  }

  readonly #eligible = (entry: Entry): boolean => {
    const { deadline, model, tokens } = entry.request;
    if (deadline !== undefined && Date.now() >= deadline) return false;
    return !this.#limits || this.#limits.canStart(model, tokens);
  };

  #offer(): SlotOffer | undefined {
    const next = this.#queue.peek(this.#eligible);
    if (!next) return undefined;
    return {
      guildId: next.guildId,
      tag: next.tag,
      virtualTime: this.#queue.virtualTime,
      servers: this.#queue.servers,
      waiting: this.#counted,
    };
  }

  #startNext(): void {
    const turn = this.#queue.shift(this.#eligible);
    if (!turn) {
      // Everything offered was cancelled or expired in the meantime: the slot goes unused.
      this.#log.debug('a send slot found nothing to start');
      this.#waitForWindows();
      return;
    }
    const entry = turn.item;
    entry.tag = turn.tag;
    this.#leaveQueue(entry);
    this.#setState(entry, 'running');
    entry.reservation = this.#limits?.reserve(entry.request.model, entry.request.tokens);
    this.#events?.emit({
      type: 'started',
      guildId: entry.request.guildId,
      model: entry.request.model,
      waitedMs: performance.now() - entry.enqueuedAt,
      attempt: entry.failures + entry.rateLimits + 1,
      waiting: this.#queue.size,
    });
    void this.#execute(entry);
    this.#noticesSoon();
  }

  async #execute(entry: Entry): Promise<void> {
    this.#inFlight++;
    const t0 = performance.now();
    const model = entry.request.model;
    try {
      const value = await entry.request.attempt();
      this.#consecutive429 = 0;
      entry.reservation?.settle(entry.request.actualTokens?.(value) ?? entry.request.tokens);
      this.#events?.emit({ type: 'attempt', model, outcome: 'ok', ms: performance.now() - t0 });
      this.#settle(entry, true, value);
    } catch (error) {
      // A failed attempt used no tokens (Mistral charges only answers).
      entry.reservation?.release();
      if (error instanceof UpstreamError && error.kind === 'quota_exhausted')
        this.#limits?.markMonthSpent(model);
      const outcome = error instanceof UpstreamError ? error.kind : 'network';
      this.#events?.emit({ type: 'attempt', model, outcome, ms: performance.now() - t0 });
      this.#failed(entry, error);
    } finally {
      this.#inFlight--;
    }
  }

  #failed(entry: Entry, error: unknown): void {
    const retryable = error instanceof UpstreamError && error.retryable;
    if (!retryable || this.#closed || entry.request.signal?.aborted) {
      if (error instanceof UpstreamError && error.kind === 'rate_limited') this.#pauseFor(entry, error);
      this.#settle(entry, false, error);
      return;
    }
    const ctx = { guildId: entry.request.guildId, model: entry.request.model, kind: error.kind };
    if (error.kind === 'rate_limited') {
      this.#pauseFor(entry, error);
      entry.rateLimits++;
      if (entry.rateLimits > this.#maxRateLimitRetries) {
        this.#settle(entry, false, error);
        return;
      }
      this.#enqueue(entry, true);
      return;
    }
    entry.failures++;
    if (entry.failures > this.#maxRetries) {
      this.#settle(entry, false, error);
      return;
    }
    const delay = this.#backoff(entry.failures);
    this.#log.warn(
      { ...ctx, attempt: entry.failures, delayMs: Math.round(delay) },
      'upstream attempt failed; retrying',
    );
    this.#setState(entry, 'backoff');
    entry.backoff = setTimeout(() => {
      entry.backoff = undefined;
      if (entry.state === 'backoff') this.#enqueue(entry, true);
    }, delay);
  }

  /** A 429 holds every start (in every process sharing the pacer). */
  #pauseFor(entry: Entry, error: UpstreamError): void {
    this.#consecutive429++;
    const waitMs = error.retryAfterMs ?? this.#backoff(this.#consecutive429);
    this.#pacer.pauseFor(waitMs);
    const stated = error.retryAfterMs !== undefined;
    this.#events?.emit({ type: 'paused', model: entry.request.model, waitMs, stated });
    this.#log.warn(
      { guildId: entry.request.guildId, model: entry.request.model, waitMs: Math.round(waitMs), stated },
      'rate limited; gate paused',
    );
    this.#noticesSoon();
  }

  #backoff(n: number): number {
    const ceiling = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** Math.max(0, n - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Nothing waiting fits its model's minute window: look again when the first one frees. */
  #waitForWindows(): void {
    const limits = this.#limits;
    if (!limits || this.#windowTimer || this.#closed) return;
    let soonest = Infinity;
    for (const entry of this.#unstarted) {
      if (entry.state === 'waiting')
        soonest = Math.min(soonest, limits.waitFor(entry.request.model, entry.request.tokens));
    }
    if (!Number.isFinite(soonest)) return;
    this.#windowTimer = setTimeout(
      () => {
        this.#windowTimer = undefined;
        this.#pump();
      },
      Math.max(10, soonest),
    );
  }

  /** The periodic look: drops expired requests, follows the shared store's health, tells members. */
  #look(): void {
    if (this.#unstarted.size === 0) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
      return;
    }
    const now = Date.now();
    for (const entry of [...this.#unstarted]) {
      const { deadline } = entry.request;
      if (entry.state === 'waiting' && deadline !== undefined && now >= deadline) {
        this.#settle(
          entry,
          false,
          new GateRefusal('expired', 'The request waited too long and was not sent.'),
        );
      }
    }
    this.#refreshStall();
    this.#notices();
    // A request may have become eligible again (a minute window freed) without any other event.
    this.#pump();
  }

  #refreshStall(): void {
    const since = this.#pacer.unansweredSince;
    const stalled =
      this.#admissionTimedOut || (since !== undefined && performance.now() - since >= STALL_AFTER_MS);
    if (stalled === this.#stalled) return;
    this.#stalled = stalled;
    if (stalled) this.#log.warn('the shared queue (Redis) is not answering; questions wait in line');
    else this.#log.info('the shared queue (Redis) answers again');
    this.#noticesSoon();
  }

  #noticesSoon(): void {
    if (this.#noticeSoon || this.#watched === 0) return;
    this.#noticeSoon = true;
    setImmediate(() => {
      this.#noticeSoon = false;
      this.#notices();
    });
  }

  /** Tells waiting members their place, as far as the notice policy finds it worth an edit. */
  #notices(): void {
    if (this.#watched === 0 || this.#closed) return;
    const now = performance.now();
    // Discord's request budget is the bot's, across processes: each takes its share of the allowance.
    const share = this.#counted / Math.max(1, this.#counted + this.#otherWaiting);
    const farPerSecond = this.#policy.farPerSecond * share;
    this.#noticeAllowance = Number.isFinite(farPerSecond)
      ? Math.min(
          Math.max(1, farPerSecond),
          this.#noticeAllowance + ((now - this.#noticeRefilledAt) / 1_000) * farPerSecond,
        )
      : Infinity;
    this.#noticeRefilledAt = now;
    const pauseLeft = Math.max(0, this.#pacer.pausedUntil - now);
    const virtualTime = this.#queue.virtualTime;
    const interval = this.#pacer.intervalMs;
    const watched: Array<{ entry: Entry; next: { position: number; etaMs: number; stalled: boolean } }> = [];
    this.#queue.lineup().forEach(({ item: entry, virtualTime: turnAt }, index) => {
      if (!entry.request.onWait) return;
      // Servers waiting elsewhere each take about one turn per unit of virtual time before this one.
      const position = index + Math.round(this.#otherServers * Math.max(0, turnAt - virtualTime));
      watched.push({
        entry,
        next: { position, etaMs: pauseLeft + (position + 1) * interval, stalled: this.#stalled },
      });
    });
    const due = planNotices(
      watched.map(({ entry, next }) => ({ last: entry.notice, next })),
      now,
      this.#noticeAllowance,
      this.#policy,
    );
    for (const index of due) {
      const { entry, next } = watched[index] as (typeof watched)[number];
      if (next.position >= this.#policy.frontPositions) this.#noticeAllowance--;
      entry.notice = { ...next, at: now };
      try {
        entry.request.onWait?.(next.position, next.etaMs, next.stalled);
      } catch (error) {
        this.#log.warn({ err: error }, 'a waiting notice failed');
      }
    }
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }
}

/** Builds a {@link RequestGate} (kept for callers that predate the class). */
export function createGate(options: GateOptions): RequestGate {
  return new RequestGate(options);
}

function memberKey(request: Pick<GateRequest<unknown>, 'guildId' | 'userId'>): string {
  return `${request.guildId}:${request.userId}`;
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

function cancelled(): GateRefusal {
  return new GateRefusal('cancelled', 'The question was cancelled before it was sent.');
}

const falsy = () => false;
