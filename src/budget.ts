/**
 * Budget arithmetic (pure) and the in-process reservations that keep concurrent requests of
 * one server from spending the same tokens twice.
 */

/** A server's standing for the month, in tokens. */
export interface BudgetStanding {
  readonly limit: number;
  /** Settled usage this month, exactly as Mistral reported it. */
  readonly used: number;
  /** Tokens held by requests in flight. */
  readonly reserved: number;
  /** What a new request may still use (never negative). */
  readonly left: number;
}

export function standing(limit: number, used: number, reserved: number): BudgetStanding {
  return { limit, used, reserved, left: Math.max(0, limit - used - reserved) };
}

/**
 * A conservative token estimate for text sent to Mistral, used only before a call (the ledger
 * always records Mistral's own count). chars/4 runs 30–66% low on code, numbers and CJK, so
 * ASCII counts a token per 3 characters and anything else a token per character.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

/** Tokens a chat request's messages will cost as a prompt (per-message overhead included). */
export function estimatePromptTokens(messages: readonly { content: string }[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
}

/** The smallest answer worth asking for; below this the request is refused as too expensive. */
export const MIN_ANSWER_TOKENS = 16;

/**
 * How many answer tokens a request may ask for: the configured maximum, clamped so the
 * prompt estimate plus the answer fits in what is left (one answer can overshoot the budget
 * by at most the estimate's error). Returns 0 when not even a minimal answer fits.
 */
export function clampMaxTokens(left: number, promptEstimate: number, maxAnswerTokens: number): number {
  const room = left - promptEstimate;
  if (room < MIN_ANSWER_TOKENS) return 0;
  return Math.min(maxAnswerTokens, room);
}

/** Tokens held per server by requests in flight in this process. */
export class Reservations {
  readonly #held = new Map<string, number>();

  /** Tokens currently held for a server. */
  heldBy(guildId: string): number {
    return this.#held.get(guildId) ?? 0;
  }

  /** Holds `tokens` for a server until the returned function is called (idempotent). */
  hold(guildId: string, tokens: number): () => void {
    this.#held.set(guildId, this.heldBy(guildId) + tokens);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const rest = this.heldBy(guildId) - tokens;
      if (rest > 0) this.#held.set(guildId, rest);
      else this.#held.delete(guildId);
    };
  }
}
