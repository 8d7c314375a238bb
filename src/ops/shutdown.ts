/**
 * Work still running (interaction handlers delivering answers or refusals), so a shutdown can
 * wait for it before the Discord client is destroyed, for a bounded time.
 */
export class PendingWork {
  readonly #pending = new Set<Promise<unknown>>();

  /** Follows `work` until it settles; its rejection is the owner's to handle, not this tracker's. */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
  }

  /** How many are still running. */
  get size(): number {
    return this.#pending.size;
  }

  /** Resolves true once nothing is running (work started meanwhile included), false after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<boolean> {
    const all = (async () => {
      while (this.#pending.size > 0) await Promise.all([...this.#pending]);
      return true;
    })();
    return withTimeout(all, timeoutMs, false);
  }
}

/** `promise`, or `fallback` when it has not settled within `ms`; the timer never holds the process. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Conventional exit status for a process ended by a signal: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}
