import { setTimeout as sleep } from 'node:timers/promises';

/** What one process offers for the next send slot: its fairest waiting server (see FairQueue). */
export interface SlotOffer {
  readonly guildId: string;
  /** That server's effective virtual tag; the smallest tag of all processes gets the slot. */
  readonly tag: number;
  /** The virtual time this process knows (restores the shared one if Redis lost it). */
  readonly virtualTime: number;
  /** Servers waiting in this process, for other processes' position estimates. */
  readonly servers: number;
  /** Requests waiting in this process, for other processes' notice pacing. */
  readonly waiting: number;
}

/** The answer to {@link SendPacer.claim}. */
export interface SlotTurn {
  /** true: the slot is taken for this process, which must send at once; false: nothing was offered. */
  readonly go: boolean;
  /** The shared order's virtual time, when the order is shared (else undefined). */
  readonly virtualTime: number | undefined;
  /** Servers waiting in other processes (0 in-process). */
  readonly otherServers: number;
  /** Requests waiting in other processes (0 in-process). */
  readonly otherWaiting: number;
}

/**
 * The one source of spacing between upstream requests, and, when shared by several processes,
 * the arbiter of which process's server gets the next slot. At most one request leaves per
 * `intervalMs`, none while paused after a 429. The gate awaits {@link claim} before starting a
 * request and the Mistral client calls {@link markSent} when the request's headers actually hit
 * the socket, so the next slot is measured from the real send, not from when a timer fired.
 */
export interface SendPacer {
  readonly intervalMs: number;
  /** `performance.now()` before which this process knows nothing may be sent. */
  readonly pausedUntil: number;
  /**
   * `performance.now()` since when the shared store has left a request of this pacer unanswered
   * (Redis away); undefined while it answers, and always in-process.
   */
  readonly unansweredSince: number | undefined;
  /** Holds every send for `ms` from now (extends, never shortens, a running pause). */
  pauseFor(ms: number): void;
  /** Records that a request actually left now. */
  markSent(): void;
  /**
   * Resolves when this process may send for its current offer (asked again before every try, so
   * it is always the fairest one now), or with `go: false` as soon as `offer()` has nothing.
   * Rejects if `signal` aborts.
   */
  claim(offer: () => SlotOffer | undefined, signal?: AbortSignal): Promise<SlotTurn>;
  /**
   * Whether one more request may wait, counting every process sharing this pacer; `waitingHere`
   * includes the new one. May take as long as the shared store does: callers bound it. Absent
   * when no other process shares the count (in-process): the gate's own count is the whole count.
   */
  readonly admit?: (waitingHere: number, maxWaiting: number) => Promise<boolean>;
  /** This process's count of waiting requests changed (shared with the others for {@link admit}). */
  report(waitingHere: number): void;
  /** Withdraws this process from anything shared (its offer, its count); pacing stays usable. */
  close(): Promise<void>;
}

/**
 * The in-process pacer. A scheduler's timers fire late and the SDK does work between "start"
 * and "send" (10–25 ms on a new connection), so spacing measured only where a job starts can
 * come out short and trip a strict server; {@link markSent} moves the reference to the real send.
 * With one process the local fair order is the whole order, so offers are only checked for
 * being there.
 */
export class Pacer implements SendPacer {
  readonly intervalMs: number;
  #lastSend = -Infinity;
  #pausedUntil = 0;
  readonly unansweredSince = undefined;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** `performance.now()` time before which nothing may be sent. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Holds every send for `ms` from now (extends, never shortens, a running pause). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
  }

  /** Records that a request actually left now (later than its turn began, on a new connection). */
  markSent(): void {
    this.#lastSend = Math.max(this.#lastSend, performance.now());
  }

  async claim(offer: () => SlotOffer | undefined, signal?: AbortSignal): Promise<SlotTurn> {
    for (;;) {
      signal?.throwIfAborted();
      if (!offer()) return { go: false, virtualTime: undefined, otherServers: 0, otherWaiting: 0 };
      const now = performance.now();
      const at = Math.max(this.#lastSend + this.intervalMs, this.#pausedUntil);
      if (now >= at) {
        this.#lastSend = now;
        return { go: true, virtualTime: undefined, otherServers: 0, otherWaiting: 0 };
      }
      await sleep(Math.ceil(at - now), undefined, { signal });
    }
  }

  /** Resolves when this caller may send (no order: for one-off requests such as the doctor's). */
  async waitTurn(signal?: AbortSignal): Promise<void> {
    await this.claim(() => ANYTHING, signal);
  }

  report(): void {}

  async close(): Promise<void> {}
}

const ANYTHING: SlotOffer = Object.freeze({ guildId: '', tag: 0, virtualTime: 0, servers: 0, waiting: 0 });
