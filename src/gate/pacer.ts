import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Claims send slots: at most one request leaves per `intervalMs`, none while paused after a 429.
 * The gate awaits {@link SendPacer.waitTurn} before starting a request and the Mistral client
 * calls {@link SendPacer.markSent} when the request's headers actually hit the socket, so the next
 * slot is measured from the real send, not from when a timer fired.
 */
export interface SendPacer {
  readonly intervalMs: number;
  /** `performance.now()` before which this process knows nothing may be sent. */
  readonly pausedUntil: number;
  /** Holds every send for `ms` from now (extends, never shortens, a running pause). */
  pauseFor(ms: number): void;
  /** Records that a request actually left now. */
  markSent(): void;
  /** Resolves when this caller may send (the caller must send at once); rejects if `signal` aborts. */
  waitTurn(signal?: AbortSignal): Promise<void>;
}

/**
 * The in-process pacer. A scheduler's timers fire late and the SDK does work between "start"
 * and "send" (10–25 ms on a new connection), so spacing measured only where a job starts can
 * come out short and trip a strict server; {@link markSent} moves the reference to the real send.
 */
export class Pacer implements SendPacer {
  readonly intervalMs: number;
  #lastSend = -Infinity;
  #pausedUntil = 0;

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

  /** Resolves when this caller may send; the caller must send at once. */
  async waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = performance.now();
      const at = Math.max(this.#lastSend + this.intervalMs, this.#pausedUntil);
      if (now >= at) {
        this.#lastSend = now;
        return;
      }
      await sleep(Math.ceil(at - now), undefined, { signal });
    }
  }
}
