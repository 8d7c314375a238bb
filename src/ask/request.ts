import type { Turn } from './conversation.ts';

/**
 * A file that came with a question (an `/ask` option, or the message a context-menu command
 * targets), as Discord describes it. The core fetches and judges it; it never trusts the name alone.
 */
export interface Attachment {
  readonly name: string;
  /** A signed, expiring CDN URL, fetchable without authentication. */
  readonly url: string;
  /** As Discord reports it; may be absent or wrong, so content is checked too. */
  readonly contentType: string | undefined;
  /** Bytes. */
  readonly size: number;
  /** Pixels, for images (Discord sends them): the image's token estimate comes from these. */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}

/** One piece of what a member asks. */
export type PromptPart =
  /** The member's own words. */
  | { readonly kind: 'text'; readonly text: string }
  /** A Discord message the member asks about (a context-menu target). */
  | {
      readonly kind: 'quote';
      readonly author: string;
      readonly text: string;
      readonly attachments: readonly Attachment[];
    }
  /** A file the member attached to their question. */
  | { readonly kind: 'attachment'; readonly attachment: Attachment };

/** What the member wants done with the parts: a question, or one of the context-menu tasks. */
export type AskTask = 'ask' | 'summarize' | 'explain' | 'translate';

/**
 * A question as the core sees it: no Discord objects, only what every door (slash command, context
 * menu, button, mention) can fill in from the interaction or message payload.
 */
export interface AskRequest {
  readonly guildId: string;
  readonly channelId: string;
  /** The thread's parent channel, whose model and system prompt a thread follows. */
  readonly parentId: string | undefined;
  /** The channel is a thread: it has memory (unless the door brings its own `history`). */
  readonly inThread: boolean;
  readonly userId: string;
  /** The member's Discord locale (private texts). */
  readonly locale: string;
  /** The server's Discord locale (public texts). */
  readonly guildLocale: string | undefined;
  readonly task: AskTask;
  readonly parts: readonly PromptPart[];
  /**
   * Earlier turns the door knows (a reply chain under @mention chat). When absent, a thread's own
   * memory is used and the new turn is remembered there.
   */
  readonly history?: readonly Turn[];
  /** Epoch ms after which the request must not start upstream (a Discord token dies at 15 min). */
  readonly deadline?: number;
  /** Aborts the question: removed from line while waiting, upstream closed while streaming (Stop). */
  readonly signal?: AbortSignal;
  /** A regenerated answer: in a thread it replaces the turn it regenerates instead of adding one. */
  readonly regenerated?: boolean;
}

/** How an answer ended. */
export type AnswerEnd =
  /** Complete. */
  | 'stop'
  /** It reached its length limit (`max_tokens`). */
  | 'length'
  /** The stream broke after text was shown; the text stays. */
  | 'cut_off'
  /** A member pressed Stop. */
  | 'stopped';

/** A finished answer, as the sink shows it and the ledger charged it. */
export interface FinishedAnswer {
  readonly content: string;
  /** The model's reasoning ('' when it did not think), shown only on request. */
  readonly reasoning: string;
  readonly end: AnswerEnd;
  /** Why it was cut off, when `end` is `cut_off`. */
  readonly cutOffBy?: 'timed_out' | 'network';
  readonly model: string;
  /** What was charged: Mistral's count, or the estimate (`estimated`). */
  readonly usage: {
    readonly promptTokens: number;
    readonly completionTokens: number;
    readonly totalTokens: number;
  };
  readonly estimated: boolean;
  /** Earlier turns sent as context. */
  readonly contextTurns: number;
  /** How long the model thought before its first words, when it did (ms). */
  readonly thoughtMs: number | undefined;
}

/** What happened to a question, for the door's log and metrics. */
export type AskOutcome =
  | { readonly kind: 'answered'; readonly answer: FinishedAnswer }
  | { readonly kind: 'refused'; readonly code: string };
