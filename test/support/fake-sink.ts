/**
 * A recording {@link AnswerSink} for tests of the ask core: every call, in order, with its
 * arguments. Behaviours a door might have (a Stop press on the first words, a finish that opens a
 * thread, a Discord that rejects the placeholder) are passed in as hooks.
 */
import type { AskRequest, FinishedAnswer } from '../../src/ask/request.ts';
import type { AnswerSink } from '../../src/ask/sink.ts';
import type { UserError } from '../../src/errors.ts';

/** One call the core made on the sink. */
export type SinkCall =
  | { readonly method: 'accepted' }
  | {
      readonly method: 'waiting';
      readonly position: number;
      readonly etaMs: number;
      readonly stalled: boolean;
    }
  | { readonly method: 'started' }
  | { readonly method: 'retrying' }
  | { readonly method: 'thinking'; readonly text: string }
  | { readonly method: 'append'; readonly text: string }
  | { readonly method: 'finish'; readonly answer: FinishedAnswer; readonly request: AskRequest }
  | { readonly method: 'refuse'; readonly refusal: UserError };

export type SinkMethod = SinkCall['method'];

/** How the fake door behaves; each hook runs after the call is recorded. */
export interface RecordingSinkHooks {
  /** Replaces `accepted` (reject to play a door that cannot show the placeholder). */
  readonly accepted?: () => Promise<void>;
  /** Replaces `finish` (resolve `{ threadId }` to play `/ask thread:true`, reject to play a dead token). */
  readonly finish?: (
    answer: FinishedAnswer,
    request: AskRequest,
  ) => Promise<{ readonly threadId?: string } | void>;
  readonly refuse?: (refusal: UserError) => Promise<void>;
  /** Runs on every `append` (e.g. press Stop once some text is shown). */
  readonly onAppend?: (text: string, sink: RecordingSink) => void;
  readonly onStarted?: (sink: RecordingSink) => void;
}

export class RecordingSink implements AnswerSink {
  readonly calls: SinkCall[] = [];
  readonly #hooks: RecordingSinkHooks;

  constructor(hooks: RecordingSinkHooks = {}) {
    this.#hooks = hooks;
  }

  async accepted(): Promise<void> {
    this.calls.push({ method: 'accepted' });
    await this.#hooks.accepted?.();
  }

  waiting(position: number, etaMs: number, stalled: boolean): void {
    this.calls.push({ method: 'waiting', position, etaMs, stalled });
  }

  started(): void {
    this.calls.push({ method: 'started' });
    this.#hooks.onStarted?.(this);
  }

  retrying(): void {
    this.calls.push({ method: 'retrying' });
  }

  thinking(text: string): void {
    this.calls.push({ method: 'thinking', text });
  }

  append(text: string): void {
    this.calls.push({ method: 'append', text });
    this.#hooks.onAppend?.(text, this);
  }

  async finish(answer: FinishedAnswer, request: AskRequest): Promise<{ readonly threadId?: string } | void> {
    this.calls.push({ method: 'finish', answer, request });
    return this.#hooks.finish?.(answer, request);
  }

  async refuse(refusal: UserError): Promise<void> {
    this.calls.push({ method: 'refuse', refusal });
    await this.#hooks.refuse?.(refusal);
  }

  /** The methods called, in order, with consecutive repeats of `waiting`, `thinking` and `append` merged. */
  get sequence(): SinkMethod[] {
    const out: SinkMethod[] = [];
    for (const { method } of this.calls) {
      const merged = method === 'waiting' || method === 'thinking' || method === 'append';
      if (merged && out.at(-1) === method) continue;
      out.push(method);
    }
    return out;
  }

  /** Every method called, in order. */
  get methods(): SinkMethod[] {
    return this.calls.map((c) => c.method);
  }

  /** The answer text shown, as the appends add up. */
  get shownText(): string {
    return this.calls.flatMap((c) => (c.method === 'append' ? [c.text] : [])).join('');
  }

  /** The reasoning shown, as the thinking calls add up. */
  get shownThinking(): string {
    return this.calls.flatMap((c) => (c.method === 'thinking' ? [c.text] : [])).join('');
  }

  /** The one refusal given; fails the test if there was none or more than one. */
  get refusal(): UserError {
    const refusals = this.calls.flatMap((c) => (c.method === 'refuse' ? [c.refusal] : []));
    if (refusals.length !== 1)
      throw new Error(`expected one refusal, got ${refusals.length}: ${this.methods.join(',')}`);
    return refusals[0] as UserError;
  }

  /** The one finished answer; fails the test if there was none or more than one. */
  get finished(): FinishedAnswer {
    const answers = this.calls.flatMap((c) => (c.method === 'finish' ? [c.answer] : []));
    if (answers.length !== 1)
      throw new Error(`expected one finish, got ${answers.length}: ${this.methods.join(',')}`);
    return answers[0] as FinishedAnswer;
  }
}
