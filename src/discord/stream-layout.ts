import {
  cutPart,
  FENCE_SCAN_START,
  fenceAt,
  MESSAGE_LIMIT,
  MIN_MESSAGE_LIMIT,
  type FenceScan,
} from './split-message.ts';

const FENCE_LINE = /^ {0,3}```/;

/**
 * Lays a growing answer out over Discord messages while it streams. A message is completed
 * (and never touched again) as soon as the text no longer fits in it, at the same place
 * {@link splitMessageParts} would cut the whole answer: cuts depend only on text already
 * received, so the completed messages plus the last one are exactly `splitMessage(text)`.
 * Nothing is lost, reordered or repeated, and no message exceeds the limit.
 *
 * Pure and synchronous; {@link AnswerStream} does the Discord side. Each `append` runs in time
 * proportional to the piece plus the text it completes messages with (every cut advances, and fence
 * lines are read once), so no answer can stall the process, whatever its shape.
 */
export class StreamLayout {
  readonly #limit: number;
  #text = '';
  /** Where the open (last) message's body starts in the text. */
  #pos = 0;
  /** The fence line the open message starts with, when it continues a code block. */
  #reopen = '';
  /** How far the fence lines have been read, so each cut goes on from the last one. */
  #scan: FenceScan = FENCE_SCAN_START;
  #completed: string[] = [];

  /** Throws a RangeError for a limit below {@link MIN_MESSAGE_LIMIT}. */
  constructor(limit = MESSAGE_LIMIT) {
    if (!Number.isInteger(limit) || limit < MIN_MESSAGE_LIMIT) {
      throw new RangeError(
        `A message limit must be an integer of at least ${MIN_MESSAGE_LIMIT}, got ${limit}`,
      );
    }
    this.#limit = limit;
  }

  /** Everything appended so far. */
  get text(): string {
    return this.#text;
  }

  /** Adds text at the end, completing every message it pushes past the limit. */
  append(piece: string): void {
    this.#text += piece;
    while (this.#reopen.length + this.#text.length - this.#pos > this.#limit) {
      const cut = cutPart(this.#text, this.#pos, this.#reopen, this.#limit, this.#scan);
      this.#completed.push(cut.part.reopen + cut.part.body + cut.part.close);
      this.#pos = cut.next;
      this.#reopen = cut.reopen;
      this.#scan = cut.scan;
    }
  }

  /** Messages completed since the last call, oldest first. Each is final. */
  takeCompleted(): string[] {
    const done = this.#completed;
    this.#completed = [];
    return done;
  }

  /**
   * The open (last) message as it should look now. While the answer is still coming
   * (`final` false), a code block left open gets a temporary closing fence when it fits, so
   * the half-written code renders as code; the final form is exactly the split's last part.
   */
  current(final = false): string {
    const content = this.#reopen + this.#text.slice(this.#pos);
    if (final || fenceAt(content, content.length) === undefined) return content;
    // A fence line still being written (e.g. the closing one) needs no help.
    if (FENCE_LINE.test(content.slice(content.lastIndexOf('\n') + 1))) return content;
    const close = content.endsWith('\n') ? '```' : '\n```';
    return content.length + close.length <= this.#limit ? content + close : content;
  }
}
