import { DefaultRestOptions, type RESTOptions } from 'discord.js';

/**
 * Discord allows 50 requests a second per bot token, counted as they arrive. The bot keeps to 40:
 * with the counting below that holds at Discord however the calls bunch on the way, and leaves
 * room for clocks that do not tick alike.
 */
export const DISCORD_REQUESTS_PER_SECOND = 40;

/** Waiting notices are optional traffic: they go only while the last second used less than this share. */
const OPTIONAL_SHARE = 0.5;

/** How long a call keeps counting after its answer came back. */
const WINDOW_MS = 1_000;

/**
 * One budget for every Discord REST call the bot makes (answers, edits, follow-ups, notices,
 * threads, alerts), kept below Discord's global limit over any sliding second **as Discord counts
 * it**: a call reaches Discord somewhere between its send and its answer, so it counts here from
 * the moment it is sent until a second after its answer came back. Then however late one call
 * arrives and however early the next, no second at Discord can hold more than
 * {@link DISCORD_REQUESTS_PER_SECOND} of them. (Counting send times only, which is what discord.js
 * and a plain sliding window do, let 47 calls arrive within one second at a budget of 45.) A call
 * waits, first come first served, for room. Interaction callbacks (the 3-second acknowledgements)
 * are exempt, as on Discord, and never wait.
 *
 * Answers always win over notices: waiting notices ask {@link hasRoomForOptional} first and are
 * skipped (a later one replaces them) while the bot is busy with more than half its budget.
 */
export class DiscordRequestBudget {
  readonly #perSecond: number;
  readonly #now: () => number;
  /** Calls sent whose answer has not come back yet. */
  #inFlight = 0;
  /** When the answers of the calls answered in the last second came back, oldest first. */
  readonly #answered: number[] = [];
  #queue: Promise<void> = Promise.resolve();
  /** Wakes the call waiting for room when one in flight comes back. */
  #wake: (() => void) | undefined;

  constructor(perSecond = DISCORD_REQUESTS_PER_SECOND, now: () => number = () => performance.now()) {
    this.#perSecond = perSecond;
    this.#now = now;
  }

  /**
   * Resolves when a call may be sent now (and counts it) with the function to call once its answer,
   * or its failure, came back; rejects if `signal` aborts while waiting.
   */
  take(signal?: AbortSignal | null): Promise<() => void> {
    const turn = this.#queue.then(() => this.#waitForRoom(signal ?? undefined));
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Whether optional traffic (a waiting notice) may go now without crowding out answers. */
  hasRoomForOptional(): boolean {
    return this.recent < this.#perSecond * OPTIONAL_SHARE;
  }

  /** Calls in flight or answered within the last second. */
  get recent(): number {
    this.#prune();
    return this.#inFlight + this.#answered.length;
  }

  async #waitForRoom(signal: AbortSignal | undefined): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.recent < this.#perSecond) return this.#send();
      // Full: room comes when the oldest answer leaves the window or a call in flight comes back,
      // whichever is first (then this looks again).
      const oldest = this.#answered[0];
      const wait = oldest === undefined ? WINDOW_MS : oldest + WINDOW_MS - this.#now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.#wake?.(), Math.max(1, Math.ceil(wait)));
        this.#wake = () => {
          this.#wake = undefined;
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  #send(): () => void {
    this.#inFlight += 1;
    let back = false;
    return () => {
      if (back) return;
      back = true;
      this.#inFlight -= 1;
      this.#answered.push(this.#now());
      this.#wake?.();
    };
  }

  #prune(): void {
    const cutoff = this.#now() - WINDOW_MS;
    while (this.#answered.length > 0 && (this.#answered[0] as number) <= cutoff) this.#answered.shift();
  }
}

/** Interaction callbacks are not under Discord's global limit (and must never wait: 3 s). */
function isInteractionCallback(url: string): boolean {
  return /\/interactions\/\d+\/[^/]+\/callback/.test(url);
}

/**
 * discord.js' `makeRequest` that passes every call but interaction callbacks through `budget`,
 * and reports Discord's 429s (each one counts towards Discord's invalid-request ban).
 */
export function budgetedRequests(
  budget: DiscordRequestBudget,
  onRateLimited: (url: string) => void,
): RESTOptions['makeRequest'] {
  return async (url, init) => {
    const back = isInteractionCallback(url) ? undefined : await budget.take(init.signal);
    try {
      const response = await DefaultRestOptions.makeRequest(url, init);
      if (response.status === 429) onRateLimited(url);
      return response;
    } finally {
      back?.();
    }
  };
}
