import type { UserError } from '../errors.ts';
import type { AskRequest, FinishedAnswer } from './request.ts';

/**
 * Where an answer goes: the port the ask core talks through. The Discord side implements it (an
 * interaction's deferred reply and follow-ups, or a reply to a mention); tests use a recording
 * fake. Calls arrive in this order: `refuse` alone; or `accepted`, then any number of `waiting`,
 * `started`/`retrying`, `thinking` and `append`, then `finish` or `refuse`.
 *
 * Only `accepted`, `finish` and `refuse` may reject; the core logs what they throw and never
 * retries or charges anything because of it.
 */
export interface AnswerSink {
  /**
   * The question passed every check and is in line: nothing was shown yet, so a refusal before
   * this point can still be private. The door may now show a public placeholder.
   */
  accepted(): Promise<void>;
  /** Still waiting: its place in line (0 = next), an estimate, and `stalled` when the shared queue is away. */
  waiting(position: number, etaMs: number, stalled: boolean): void;
  /** An upstream attempt began. */
  started(): void;
  /** That attempt failed before any text; the question is back in line. */
  retrying(): void;
  /** Reasoning text arrived (a reasoning model thinking). Not part of the answer. */
  thinking(text: string): void;
  /** Answer text arrived. */
  append(text: string): void;
  /**
   * The answer is complete (or stopped, or cut off) and charged. Resolves with the thread the
   * conversation continues in when the door opened one (`/ask thread:true`), so the core remembers
   * the turn there.
   */
  finish(answer: FinishedAnswer, request: AskRequest): Promise<{ readonly threadId?: string } | void>;
  /** The question was refused or failed; nothing was charged for it. Shown to the member as a refusal. */
  refuse(refusal: UserError): Promise<void>;
}
