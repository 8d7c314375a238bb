import type Keyv from 'keyv';
import type { AskRequest, FinishedAnswer } from '../ask/request.ts';
import type { Logger } from '../log.ts';

/** How long an answer's question and reasoning are kept for its Regenerate and Show reasoning buttons. */
export const ARCHIVE_DAYS = 7;

/** What a finished answer's buttons need: the question (to ask again) and the reasoning (to show). */
export interface ArchivedAnswer {
  readonly request: Omit<AskRequest, 'signal' | 'deadline'>;
  readonly model: string;
  readonly reasoning: string;
}

/**
 * Finished answers' questions and reasoning, in the store (Keyv namespace `answer`, keyed by the
 * ID of the message that carries the buttons), so the buttons work after a restart and on any
 * process. Entries expire after {@link ARCHIVE_DAYS} days.
 */
export class AnswerArchive {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  async keep(messageId: string, answer: ArchivedAnswer): Promise<void> {
    await this.#keyv.set(messageId, answer, ARCHIVE_DAYS * 24 * 3_600_000);
  }

  /**
   * Keeps a finished answer for the buttons on its last message. Never rejects: without it the
   * buttons say the question is gone, the answer itself is unharmed.
   */
  async keepFinished(
    lastMessageId: string | undefined,
    request: AskRequest,
    answer: Pick<FinishedAnswer, 'model' | 'reasoning'>,
    log: Logger,
  ): Promise<void> {
    if (!lastMessageId) return;
    const { signal: _signal, deadline: _deadline, ...kept } = request;
    await this.keep(lastMessageId, { request: kept, model: answer.model, reasoning: answer.reasoning }).catch(
      (error: unknown) => log.warn({ err: error }, 'could not keep the answer for its buttons'),
    );
  }

  async find(messageId: string): Promise<ArchivedAnswer | undefined> {
    const value: unknown = await this.#keyv.get(messageId);
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Partial<ArchivedAnswer>;
    if (typeof v.model !== 'string' || typeof v.reasoning !== 'string' || typeof v.request !== 'object')
      return undefined;
    return value as ArchivedAnswer;
  }
}

/**
 * Answers being written in this process, by answer ID, so a Stop click can close the stream. An
 * answer only ever runs in the process that holds its server's shard, which is where its clicks
 * arrive; after a restart nothing is running and a Stop click says so.
 */
export class RunningAnswers {
  readonly #running = new Map<string, AbortController>();

  /** Registers an answer; the returned signal aborts when someone presses Stop. */
  start(answerId: string): { readonly signal: AbortSignal; done(): void } {
    const controller = new AbortController();
    this.#running.set(answerId, controller);
    return { signal: controller.signal, done: () => this.#running.delete(answerId) };
  }

  /** Stops a running answer; false when it is not running here. */
  stop(answerId: string): boolean {
    const controller = this.#running.get(answerId);
    if (!controller) return false;
    controller.abort(new Error('stopped by a member'));
    return true;
  }

  /** Stops every running answer (shutdown, once the grace period is over). */
  stopAll(): void {
    for (const controller of this.#running.values()) controller.abort(new Error('the bot is shutting down'));
  }

  get size(): number {
    return this.#running.size;
  }
}
