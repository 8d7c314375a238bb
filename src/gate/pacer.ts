import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The last line of pacing, awaited right before a request leaves the process: it guarantees
 * `intervalMs` between sends and holds every send while the gate is paused after a 429.
 * A scheduler's timers fire late and the SDK does work between "start" and "send", so
 * spacing measured only where a job starts can come out a few ms short and trip a strict
 * server; measured here it cannot.
 */
export class Pacer {
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
  async waitTurn(): Promise<void> {
    for (;;) {
      const now = performance.now();
      const at = Math.max(this.#lastSend + this.intervalMs, this.#pausedUntil);
      if (now >= at) {
        this.#lastSend = now;
        return;
      }
      await sleep(Math.ceil(at - now));
    }
  }
}
