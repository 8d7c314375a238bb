import type Keyv from 'keyv';
import { estimateTokens } from '../budget/estimate.ts';
import type { ChatMessage } from '../mistral/client.ts';

/**
 * One exchange of a conversation: what a member asked and what the model answered, as text.
 * Attachments are kept as a short note in `user` (their name and kind), never their data.
 */
export interface Turn {
  readonly user: string;
  readonly assistant: string;
}

/** Tokens a turn adds to a prompt, estimated like any prompt (two messages' overhead included). */
export function turnTokens(turn: Turn): number {
  return estimateTokens(turn.user) + estimateTokens(turn.assistant) + 8;
}

/**
 * The most recent turns that fit in `maxTokens` (estimated), oldest first. Older turns are
 * dropped first; a turn is never cut in half, so a newest turn bigger than the window leaves
 * no context at all.
 */
export function recentTurns(turns: readonly Turn[], maxTokens: number): Turn[] {
  const kept: Turn[] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i] as Turn;
    used += turnTokens(turn);
    if (used > maxTokens) break;
    kept.unshift(turn);
  }
  return kept;
}

/** Turns as chat messages, in order: user, assistant, user, assistant… */
export function turnMessages(turns: readonly Turn[]): ChatMessage[] {
  return turns.flatMap((t): ChatMessage[] => [
    { role: 'user', content: t.user },
    { role: 'assistant', content: t.assistant },
  ]);
}

export interface ConversationMemoryOptions {
  /** Most tokens (estimated) of earlier turns sent with a question; 0 turns memory off. */
  readonly maxTokens: number;
  /** A conversation untouched for this long is forgotten (Keyv TTL). */
  readonly idleMs: number;
}

/**
 * What each thread remembers, in Keyv (namespace `conversation`, key = thread ID), so it
 * survives restarts and works on any Keyv backend. Each write renews the idle expiry.
 *
 * Only what fits in the context window is kept, so a conversation's record stays small.
 * Keyv has no compare-and-set, so two answers finishing at the same moment in one thread could
 * lose a turn across processes; within a process, writes to one thread are serialised.
 */
export class ConversationMemory {
  readonly #keyv: Keyv;
  readonly #options: ConversationMemoryOptions;
  /** The last write per thread, so read-modify-write of one thread never interleaves here. */
  readonly #writes = new Map<string, Promise<unknown>>();

  constructor(keyv: Keyv, options: ConversationMemoryOptions) {
    this.#keyv = keyv;
    this.#options = options;
  }

  /** Whether threads remember anything at all (`CONVERSATION_MAX_TOKENS` > 0). */
  get enabled(): boolean {
    return this.#options.maxTokens > 0;
  }

  /** The turns to send as context with the next question in a thread, oldest first. */
  async context(threadId: string): Promise<Turn[]> {
    if (!this.enabled) return [];
    return recentTurns(await this.#read(threadId), this.#options.maxTokens);
  }

  /** Adds a turn to a thread's conversation and renews its idle expiry. */
  async remember(threadId: string, turn: Turn): Promise<void> {
    if (!this.enabled || turn.user.trim() === '' || turn.assistant.trim() === '') return;
    await this.#serial(threadId, async () => {
      const turns = recentTurns([...(await this.#read(threadId)), turn], this.#options.maxTokens);
      if (turns.length === 0) await this.#keyv.delete(threadId);
      else await this.#keyv.set(threadId, turns, this.#options.idleMs);
    });
  }

  /**
   * Replaces the thread's newest turn when it asked the same question (a regenerated answer), else
   * adds the turn.
   */
  async rememberRegenerated(threadId: string, turn: Turn): Promise<void> {
    if (!this.enabled || turn.assistant.trim() === '') return;
    await this.#serial(threadId, async () => {
      const stored = await this.#read(threadId);
      const last = stored.at(-1);
      const kept = last?.user === turn.user ? stored.slice(0, -1) : stored;
      const turns = recentTurns([...kept, turn], this.#options.maxTokens);
      if (turns.length === 0) await this.#keyv.delete(threadId);
      else await this.#keyv.set(threadId, turns, this.#options.idleMs);
    });
  }

  /** Forgets a thread's conversation; resolves with how many turns it held. */
  async forget(threadId: string): Promise<number> {
    return this.#serial(threadId, async () => {
      const count = (await this.#read(threadId)).length;
      await this.#keyv.delete(threadId);
      return count;
    });
  }

  async #read(threadId: string): Promise<Turn[]> {
    const stored: unknown = await this.#keyv.get(threadId);
    if (!Array.isArray(stored)) return [];
    return stored.filter(
      (t: unknown): t is Turn =>
        typeof t === 'object' &&
        t !== null &&
        typeof (t as Record<string, unknown>)['user'] === 'string' &&
        typeof (t as Record<string, unknown>)['assistant'] === 'string',
    );
  }

  async #serial<T>(threadId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#writes.get(threadId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.#writes.set(threadId, next);
    try {
      return await next;
    } finally {
      if (this.#writes.get(threadId) === next) this.#writes.delete(threadId);
    }
  }
}
