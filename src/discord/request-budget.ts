import { DefaultRestOptions, type RESTOptions } from 'discord.js';

/** Discord allows 50 requests a second per bot token; the bot keeps to this, leaving a margin. */
export const DISCORD_REQUESTS_PER_SECOND = 45;

/** Waiting notices are optional traffic: they go only while the last second used less than this share. */
const OPTIONAL_SHARE = 0.5;

/**
 * One budget for every Discord REST call the bot makes (answers, edits, follow-ups, notices,
 * threads, alerts), kept below Discord's global 50 requests/s over any sliding second. discord.js
 * counts its own global limit in fixed one-second windows, which lets up to twice the rate through
 * across a window's edge, so the bot paces here instead: a call waits (first come, first served)
 * until fewer than {@link DISCORD_REQUESTS_PER_SECOND} calls left in the last second. Interaction
 * callbacks (the 3-second acknowledgements) are exempt, as on Discord, and never wait.
 *
 * Answers always win over notices: waiting notices ask {@link hasRoomForOptional} first and are
 * skipped (a later one replaces them) while the bot is busy with more than half its budget.
 */
export class DiscordRequestBudget {
  readonly #perSecond: number;
  readonly #now: () => number;
  /** Send times in the last second, oldest first. */
  readonly #sent: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(perSecond = DISCORD_REQUESTS_PER_SECOND, now: () => number = () => performance.now()) {
    this.#perSecond = perSecond;
    this.#now = now;
  }

  /** Resolves when a call may be sent now (and counts it); rejects if `signal` aborts while waiting. */
  take(signal?: AbortSignal | null): Promise<void> {
    const turn = this.#queue.then(() => this.#waitForRoom(signal ?? undefined));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Whether optional traffic (a waiting notice) may go now without crowding out answers. */
  hasRoomForOptional(): boolean {
    this.#prune();
    return this.#sent.length < this.#perSecond * OPTIONAL_SHARE;
  }

  /** Calls sent in the last second. */
  get recent(): number {
    this.#prune();
    return this.#sent.length;
  }

  async #waitForRoom(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.#prune();
      if (this.#sent.length < this.#perSecond) {
        this.#sent.push(this.#now());
        return;
      }
      const wait = (this.#sent[0] as number) + 1_000 - this.#now();
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(wait))));
    }
  }

  #prune(): void {
    const cutoff = this.#now() - 1_000;
    while (this.#sent.length > 0 && (this.#sent[0] as number) <= cutoff) this.#sent.shift();
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
    if (!isInteractionCallback(url)) await budget.take(init.signal);
    const response = await DefaultRestOptions.makeRequest(url, init);
    if (response.status === 429) onRateLimited(url);
    return response;
  };
}
