import type { APIActionRowComponent, APIComponentInMessageActionRow } from 'discord.js';
import { PacedEditor } from './paced-editor.ts';
import { MESSAGE_LIMIT } from './split-message.ts';
import { StreamLayout } from './stream-layout.ts';

/** A row of buttons in Discord's raw shape. */
export type ButtonRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** What one message shows. `components: []` removes the buttons a message had. */
export interface MessageBody {
  readonly content: string;
  readonly components: readonly ButtonRow[];
}

/**
 * The messages of one answer: a first message and its follow-ups (an interaction's deferred reply
 * and follow-ups, or a reply to a mention and the messages after it). Each call resolves with the
 * message's ID.
 */
export interface AnswerTarget {
  editFirst(body: MessageBody): Promise<string>;
  createFollowUp(body: MessageBody): Promise<string>;
  editFollowUp(messageId: string, body: MessageBody): Promise<string>;
}

export interface AnswerStreamOptions {
  /** Least time between two edits of one message (Discord allows about 5 per 2 s). Default 1000. */
  readonly minGapMs?: number;
  /** Characters per message. Default 2000, Discord's limit. */
  readonly limit?: number;
  /** Buttons on the message being written (Stop), removed when it is complete. */
  readonly liveComponents?: readonly ButtonRow[];
  /**
   * How long the first words gather before they are shown. An answer that is complete by then
   * goes out as one edit, final at once, instead of its first words and then, a `minGapMs` later,
   * the rest. Default 0 (shown as they arrive).
   */
  readonly firstWordsMs?: number;
}

/**
 * How long the bot's answers gather their first words: short answers (most of them) then arrive
 * whole in one edit, a second sooner and with one Discord request less, and long ones show their
 * first words a moment later.
 */
export const FIRST_WORDS_MS = 300;

/** Where a delivered answer ended up. */
export interface DeliveredAnswer {
  readonly firstMessageId: string | undefined;
  readonly lastMessageId: string | undefined;
  readonly messages: number;
}

/**
 * Delivers one answer while it streams. The first message shows the first words as soon as they
 * arrive (or once they gathered for `firstWordsMs`) and grows through paced edits (one {@link PacedEditor} per message, so every message is
 * edited at most once per `minGapMs` and always ends on its latest text). When the text outgrows a
 * message, that message is completed at a safe split ({@link StreamLayout}) and the answer
 * continues in a follow-up, strictly in order. Only the message being written carries the live
 * buttons; at the end the last message gets the final ones and the others none.
 *
 * Status lines (the queue's "you are #3 in line", "thinking…") go through the same editor as the
 * answer and are dropped from the moment text arrives, so a late status can never overwrite model
 * text. Waiting notices also stop while an attempt runs (`attemptStarted`).
 *
 * Limits: Discord errors stop further delivery; they surface from {@link AnswerStream.finish}.
 */
export class AnswerStream {
  readonly #target: AnswerTarget;
  readonly #minGapMs: number;
  readonly #layout: StreamLayout;
  readonly #live: readonly ButtonRow[];
  readonly #firstWordsMs: number;
  #gathering: NodeJS.Timeout | undefined;
  readonly #first: PacedEditor;
  #current: PacedEditor;
  #firstId: string | undefined;
  #currentId: string | undefined;
  #messages = 1;
  #noticesOpen = true;
  #hasText = false;
  #final = false;
  #finalComponents: readonly ButtonRow[] = [];
  #dirty = false;
  #running: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(target: AnswerTarget, options: AnswerStreamOptions = {}) {
    this.#target = target;
    this.#minGapMs = options.minGapMs ?? 1_000;
    this.#layout = new StreamLayout(options.limit ?? MESSAGE_LIMIT);
    this.#live = options.liveComponents ?? [];
    this.#firstWordsMs = options.firstWordsMs ?? 0;
    this.#first = new PacedEditor(async (content) => {
      this.#firstId = await target.editFirst(this.#body(content, this.#first));
      this.#currentId ??= this.#firstId;
    }, this.#minGapMs);
    this.#current = this.#first;
  }

  /** Whether any model text has arrived (it may still be on its way to Discord). */
  get hasText(): boolean {
    return this.#hasText;
  }

  /** How many messages the answer uses so far. */
  get messageCount(): number {
    return this.#messages;
  }

  /** The text received so far. */
  get text(): string {
    return this.#layout.text;
  }

  /**
   * Shows a waiting notice in the first message, unless an attempt is running or text has
   * arrived. Never rejects; the editor paces.
   */
  notice(content: string): void {
    if (this.#noticesOpen && !this.#hasText && !this.#final && content.trim() !== '')
      this.#first.set(content);
  }

  /** Shows a status line while no text has arrived yet (e.g. "thinking… 12 s"), attempt running or not. */
  status(content: string): void {
    if (!this.#hasText && !this.#final && content.trim() !== '') this.#first.set(content);
  }

  /** An upstream attempt starts: notices stop, so the answer's first edit comes after the last one. */
  attemptStarted(): void {
    this.#noticesOpen = false;
  }

  /** An attempt failed before any text: the request is back in line and notices may resume. */
  attemptFailed(): void {
    if (!this.#hasText && !this.#final) this.#noticesOpen = true;
  }

  /** Adds streamed model text. */
  append(piece: string): void {
    if (piece === '' || this.#final) return;
    const firstWords = !this.#hasText;
    this.#hasText = true;
    this.#noticesOpen = false;
    this.#layout.append(piece);
    if (firstWords && this.#firstWordsMs > 0) {
      this.#gathering = setTimeout(() => {
        this.#gathering = undefined;
        this.#kick();
      }, this.#firstWordsMs);
      return;
    }
    if (this.#gathering === undefined) this.#kick();
  }

  #stopGathering(): void {
    clearTimeout(this.#gathering);
    this.#gathering = undefined;
  }

  /**
   * Adds the closing `tail` (notes, footer), shows the final text of every message with `components`
   * on the last one, and resolves when Discord has it all. Rejects with the first Discord error.
   */
  async finish(tail: string, components: readonly ButtonRow[] = []): Promise<DeliveredAnswer> {
    this.#noticesOpen = false;
    this.#stopGathering();
    if (!this.#final) {
      this.#finalComponents = components;
      this.#layout.append(tail);
      this.#final = true;
      this.#kick();
    }
    while (this.#running) await this.#running;
    if (this.#failed === undefined) await this.#current.flush().catch((error: unknown) => this.#fail(error));
    if (this.#failed !== undefined) throw this.#failed;
    return { firstMessageId: this.#firstId, lastMessageId: this.#currentId, messages: this.#messages };
  }

  /** Gives up without an answer (nothing streamed): stops notices and lets a pending edit land. */
  async abandon(): Promise<void> {
    this.#noticesOpen = false;
    this.#stopGathering();
    this.#final = true;
    while (this.#running) await this.#running;
    await this.#first.flush().catch(() => undefined);
  }

  /** Buttons for a message: live ones while it is being written, final ones on the last at the end. */
  #body(content: string, editor: PacedEditor): MessageBody {
    if (editor !== this.#current) return { content, components: [] };
    return { content, components: this.#final ? this.#finalComponents : this.#live };
  }

  #kick(): void {
    this.#dirty = true;
    if (this.#running || this.#failed !== undefined) return;
    this.#running = this.#loop()
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#running = undefined;
        if (this.#dirty && this.#failed === undefined) this.#kick();
      });
  }

  async #loop(): Promise<void> {
    while (this.#dirty && this.#failed === undefined) {
      this.#dirty = false;
      // Text keeps arriving while a completed message is flushed, so look again until no
      // completed message is left: the open message is shown only after all before it.
      for (let done = this.#layout.takeCompleted(); done.length > 0; done = this.#layout.takeCompleted()) {
        for (const content of done) {
          // A completed message gets its final text (and loses the live buttons) before the next
          // one is posted, so the messages appear in order and none is edited again.
          const completed = this.#current;
          this.#current = this.#followUpEditor();
          completed.set(content, true);
          await completed.flush();
          this.#messages++;
        }
      }
      const display = this.#layout.current(this.#final);
      // The final edit always goes out: the last message's buttons change even if its text does not.
      if (display.trim() !== '') this.#current.set(display, this.#final);
      // Let the rest of a burst of deltas arrive before looking again.
      await Promise.resolve();
    }
  }

  #followUpEditor(): PacedEditor {
    let id: string | undefined;
    const editor: PacedEditor = new PacedEditor(async (content) => {
      const body = this.#body(content, editor);
      id =
        id === undefined
          ? await this.#target.createFollowUp(body)
          : await this.#target.editFollowUp(id, body);
      if (editor === this.#current) this.#currentId = id;
    }, this.#minGapMs);
    return editor;
  }

  #fail(error: unknown): void {
    this.#failed ??=
      error instanceof Error ? error : new Error('delivering the answer failed', { cause: error });
  }
}
