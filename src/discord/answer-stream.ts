import type { ChatInputCommandInteraction } from 'discord.js';
import { PacedEditor } from './paced-editor.ts';
import { NO_MENTIONS } from './reply.ts';
import { MESSAGE_LIMIT } from './split-message.ts';
import { StreamLayout } from './stream-layout.ts';

/** The messages of one answer: the interaction's (deferred) original reply and its follow-ups. */
export interface AnswerTarget {
  editOriginal(content: string): Promise<unknown>;
  /** Posts a follow-up message and resolves with its ID. */
  createFollowUp(content: string): Promise<string>;
  editFollowUp(messageId: string, content: string): Promise<unknown>;
}

/** An {@link AnswerTarget} over an interaction; every message parses no mentions. */
export function interactionTarget(interaction: ChatInputCommandInteraction): AnswerTarget {
  return {
    editOriginal: (content) => interaction.editReply({ content, allowedMentions: NO_MENTIONS }),
    createFollowUp: async (content) =>
      (await interaction.followUp({ content, allowedMentions: NO_MENTIONS })).id,
    editFollowUp: (messageId, content) =>
      interaction.editReply({ message: messageId, content, allowedMentions: NO_MENTIONS }),
  };
}

export interface AnswerStreamOptions {
  /** Least time between two edits of one message (Discord allows about 5 per 2 s). Default 1000. */
  readonly minGapMs?: number;
  /** Characters per message. Default 2000, Discord's limit. */
  readonly limit?: number;
}

/**
 * Delivers one answer while it streams. The deferred reply shows the first words as soon as
 * they arrive and grows through paced edits (one {@link PacedEditor} per message, so every
 * message is edited at most once per `minGapMs` and always ends on its latest text). When the
 * text outgrows a message, that message is completed at a safe split ({@link StreamLayout})
 * and the answer continues in a follow-up, strictly in order.
 *
 * Waiting notices (the queue's "you are #3 in line") go through the same editor as the answer
 * via {@link AnswerStream.notice}, and are dropped from the moment an upstream attempt starts,
 * so a late notice can never overwrite model text.
 *
 * Limits: Discord errors stop further delivery; they surface from {@link AnswerStream.finish}.
 */
export class AnswerStream {
  readonly #target: AnswerTarget;
  readonly #minGapMs: number;
  readonly #layout: StreamLayout;
  readonly #original: PacedEditor;
  #current: PacedEditor;
  #messages = 1;
  #noticesOpen = true;
  #hasText = false;
  #final = false;
  #dirty = false;
  #running: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(target: AnswerTarget, options: AnswerStreamOptions = {}) {
    this.#target = target;
    this.#minGapMs = options.minGapMs ?? 1_000;
    this.#layout = new StreamLayout(options.limit ?? MESSAGE_LIMIT);
    this.#original = new PacedEditor((content) => target.editOriginal(content), this.#minGapMs);
    this.#current = this.#original;
  }

  /** Whether any model text has arrived (it may still be on its way to Discord). */
  get hasText(): boolean {
    return this.#hasText;
  }

  /** How many messages the answer uses so far. */
  get messageCount(): number {
    return this.#messages;
  }

  /**
   * Shows a status line (e.g. the place in line) in the original reply, unless an attempt is
   * running or model text has arrived. Never rejects; resolves at once (the editor paces).
   */
  notice(content: string): Promise<void> {
    if (this.#noticesOpen && !this.#hasText && content.trim() !== '') this.#original.set(content);
    return Promise.resolve();
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
    this.#hasText = true;
    this.#noticesOpen = false;
    this.#layout.append(piece);
    this.#kick();
  }

  /**
   * Adds the closing `tail` (notes, footer), shows the final text of every message and
   * resolves when Discord has it all. Rejects with the first Discord error, if any.
   */
  async finish(tail: string): Promise<void> {
    this.#noticesOpen = false;
    if (!this.#final) {
      this.#layout.append(tail);
      this.#final = true;
      this.#kick();
    }
    while (this.#running) await this.#running;
    if (this.#failed === undefined) await this.#current.flush().catch((error: unknown) => this.#fail(error));
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** Gives up without an answer (nothing streamed): stops notices and lets a pending edit land. */
  async abandon(): Promise<void> {
    this.#noticesOpen = false;
    this.#final = true;
    while (this.#running) await this.#running;
    await this.#original.flush().catch(() => undefined);
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
          // A completed message gets its final text before the next one is posted, so the
          // messages appear in order and none is edited again.
          this.#current.set(content);
          await this.#current.flush();
          this.#current = this.#followUpEditor();
          this.#messages++;
        }
      }
      const display = this.#layout.current(this.#final);
      if (display.trim() !== '') this.#current.set(display);
      // Let the rest of a burst of deltas arrive before looking again.
      await Promise.resolve();
    }
  }

  #followUpEditor(): PacedEditor {
    let id: string | undefined;
    return new PacedEditor(async (content) => {
      if (id === undefined) id = await this.#target.createFollowUp(content);
      else await this.#target.editFollowUp(id, content);
    }, this.#minGapMs);
  }

  #fail(error: unknown): void {
    this.#failed ??=
      error instanceof Error ? error : new Error('delivering the answer failed', { cause: error });
  }
}
