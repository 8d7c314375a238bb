import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Edits one message no more often than once per `minGapMs`, always ending on the latest
 * content. Discord allows about 5 edits per 2 s on one interaction reply and discord.js queues
 * the rest, so an unpaced stream of edits falls behind; this coalesces instead: while an edit
 * waits its turn, newer content replaces older.
 */
export class PacedEditor {
  readonly #edit: (content: string) => Promise<unknown>;
  readonly #minGapMs: number;
  #pending: string | undefined;
  #shown: string | undefined;
  #lastEditAt = -Infinity;
  #running: Promise<void> | undefined;
  #failed: unknown;
  /** Edit even if the text is unchanged (what else the message shows changed, e.g. its buttons). */
  #forced = false;

  constructor(edit: (content: string) => Promise<unknown>, minGapMs = 1_000) {
    this.#edit = edit;
    this.#minGapMs = minGapMs;
  }

  /** `performance.now()` when Discord last answered an edit (or `-Infinity`). */
  get lastEditAt(): number {
    return this.#lastEditAt;
  }

  /**
   * Shows `content` as soon as pacing allows (replacing anything not yet shown). `force` edits
   * even when the text is what is already shown (the message's buttons changed).
   */
  set(content: string, force = false): void {
    this.#pending = content;
    if (force) this.#forced = true;
    this.#start();
  }

  #start(): void {
    if (this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      // A set() between the loop's last check and this callback would otherwise never be shown.
      if (this.#pending !== undefined && (this.#pending !== this.#shown || this.#forced)) this.#start();
    });
  }

  /** Resolves when the latest content has been shown; rejects if the last edit failed. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#failed !== undefined) {
      const error = this.#failed;
      this.#failed = undefined;
      throw error instanceof Error ? error : new Error('editing the message failed', { cause: error });
    }
  }

  #gapLeft(): number {
    return this.#lastEditAt + this.#minGapMs - performance.now();
  }

  async #run(): Promise<void> {
    while (this.#pending !== undefined && (this.#pending !== this.#shown || this.#forced)) {
      // Timers are scheduled from the event loop's cached clock and can fire a little early.
      for (let wait = this.#gapLeft(); wait > 0; wait = this.#gapLeft()) await sleep(wait);
      const content = this.#pending;
      this.#forced = false;
      try {
        await this.#edit(content);
        this.#shown = content;
        this.#failed = undefined;
      } catch (error) {
        this.#failed = error;
        this.#pending = undefined;
      } finally {
        // Measured from when Discord answered: an edit that waited (for the deferral, in discord.js'
        // queue) must not leave the next one arriving less than the gap after it.
        this.#lastEditAt = performance.now();
      }
    }
  }
}
