import { PacedEditor } from './paced-editor.ts';

/** Only waits at least this long are worth a notice; quicker answers would just flash it. */
export const NOTICE_MIN_WAIT_MS = 2_000;

/** What a waiting member sees in place of Discord's "thinking…". */
export function formatWaiting(position: number, etaMs: number, stalled = false): string {
  if (stalled) {
    return (
      `⏳ Waiting for my turn with Mistral: you are **#${position + 1}** in line. ` +
      "The bot's shared queue is not answering right now; your question goes as soon as it is back."
    );
  }
  const seconds = Math.max(1, Math.round(etaMs / 1000));
  const eta = seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  return `⏳ Waiting for my turn with Mistral: you are **#${position + 1}** in line (about ${eta}).`;
}

/**
 * Shows a waiting request's place in line in its deferred reply, updated as the line moves,
 * at most one edit per second. Stopped the moment the request starts; the answer then
 * replaces it.
 */
export class WaitingNotice {
  readonly #editor: PacedEditor;
  #stopped = false;
  #last = '';

  constructor(edit: (content: string) => Promise<unknown>, minGapMs = 1_000) {
    this.#editor = new PacedEditor(edit, minGapMs);
  }

  /** The gate's `onWait`: position 0 is next; `stalled` when the gate's pacer is not answering. */
  update(position: number, etaMs: number, stalled = false): void {
    if (this.#stopped) return;
    if (this.#last === '' && etaMs < NOTICE_MIN_WAIT_MS && !stalled) return;
    const text = formatWaiting(position, etaMs, stalled);
    if (text === this.#last) return;
    this.#last = text;
    this.#editor.set(text);
  }

  /** No more updates (call when the request starts). */
  stop(): void {
    this.#stopped = true;
  }

  /** Resolves once no notice edit is in flight, so the answer's edit lands last. */
  async settled(): Promise<void> {
    this.stop();
    await this.#editor.flush().catch(() => undefined);
  }
}
