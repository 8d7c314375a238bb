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

/** Copies of a shutdown signal this close together are one request (a process group was signalled). */
export const SIGNAL_COPIES_WINDOW_MS = 1_000;

/**
 * What a shutdown signal means. The first starts one graceful shutdown. Copies of it within
 * {@link SIGNAL_COPIES_WINDOW_MS} are the same request: a supervisor or a terminal signals the
 * whole process group, so node gets the signal itself and again from npm, which forwards it. Only
 * a second, separate signal later means "exit at once".
 */
export class ShutdownSignals {
  readonly #windowMs: number;
  #firstAt: number | undefined;

  constructor(windowMs = SIGNAL_COPIES_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** `graceful` for the first signal, `copy` for its copies, `immediate` for a later one. */
  receive(at: number = performance.now()): 'graceful' | 'copy' | 'immediate' {
    if (this.#firstAt === undefined) {
      this.#firstAt = at;
      return 'graceful';
    }
    return at - this.#firstAt < this.#windowMs ? 'copy' : 'immediate';
  }
}

/** Listens for SIGTERM and SIGINT with {@link ShutdownSignals}' rules; returns a function that stops listening. */
export function onShutdownSignals(
  graceful: (signal: NodeJS.Signals) => void,
  immediate: (signal: NodeJS.Signals) => void,
): () => void {
  const signals = new ShutdownSignals();
  const listener = (signal: NodeJS.Signals) => {
    const meaning = signals.receive();
    if (meaning === 'graceful') graceful(signal);
    else if (meaning === 'immediate') immediate(signal);
  };
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  return () => {
    process.off('SIGTERM', listener);
    process.off('SIGINT', listener);
  };
}
