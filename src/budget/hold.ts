/**
 * The arithmetic of a budget hold, pure and shared by every ledger backend: the SQLite ledger runs
 * it inside its write transaction and the Redis ledger's Lua script implements the same formula
 * (a property test holds the two to each other), so the check and the hold are one atomic step.
 */

/** The smallest answer worth asking for; below this a question is refused as too expensive. */
export const MIN_ANSWER_TOKENS = 16;

/** What a question asks to hold. */
export interface HoldRequest {
  /** Unique per question; settling or releasing it twice has no further effect. */
  readonly holdId: string;
  readonly guildId: string;
  readonly userId: string;
  /** `yyyy-mm` (UTC) whose usage the hold counts against. */
  readonly month: string;
  /** The server's monthly budget. */
  readonly guildLimit: number;
  /** The member's cap within it; `Infinity` for none. */
  readonly memberLimit: number;
  /** Estimated prompt tokens (system prompt, memory, question, attachments). */
  readonly promptTokens: number;
  /** The most answer tokens the question would like (`MAX_ANSWER_TOKENS`). */
  readonly maxAnswerTokens: number;
  /** How long the hold counts if nobody settles or releases it (a crashed process). */
  readonly ttlMs: number;
}

/** What the ledger knows at the moment of the hold. */
export interface BudgetNumbers {
  /** Settled usage of the server this month. */
  readonly guildUsed: number;
  /** Tokens held by the server's questions in flight (every process). */
  readonly guildHeld: number;
  readonly memberUsed: number;
  readonly memberHeld: number;
}

/** Why a hold was refused. */
export type HoldRefusal = 'guild_spent' | 'guild_too_small' | 'member_spent' | 'member_too_small';

export type HoldDecision =
  | {
      readonly ok: true;
      /** Tokens held: the prompt estimate plus `maxTokens`. */
      readonly tokens: number;
      /** `max_tokens` for the request: clamped so the hold fits in what is left. */
      readonly maxTokens: number;
    }
  | { readonly ok: false; readonly reason: HoldRefusal };

/** A decision together with the numbers it was made on (for refusal messages and reports). */
export type HoldOutcome = HoldDecision & { readonly numbers: BudgetNumbers };

/** Tokens still free for a server and for a member, never negative. */
export function leftOf(
  n: BudgetNumbers,
  guildLimit: number,
  memberLimit: number,
): { guild: number; member: number } {
  return {
    guild: Math.max(0, guildLimit - n.guildUsed - n.guildHeld),
    member: Math.max(0, memberLimit - n.memberUsed - n.memberHeld),
  };
}

/**
 * Whether a question may go ahead, and with what `max_tokens`. The answer is clamped so the
 * prompt estimate plus the answer fits in what the server and the member have left: however many
 * questions run at once, holds never add up to more than the budget, so overspend is bounded by
 * the prompt estimates' errors.
 */
export function decideHold(
  n: BudgetNumbers,
  r: Pick<HoldRequest, 'guildLimit' | 'memberLimit' | 'promptTokens' | 'maxAnswerTokens'>,
): HoldDecision {
  const left = leftOf(n, r.guildLimit, r.memberLimit);
  if (left.guild <= 0) return { ok: false, reason: 'guild_spent' };
  if (left.member <= 0) return { ok: false, reason: 'member_spent' };
  const room = Math.min(left.guild, left.member) - r.promptTokens;
  if (room < MIN_ANSWER_TOKENS) {
    return { ok: false, reason: left.member < left.guild ? 'member_too_small' : 'guild_too_small' };
  }
  const maxTokens = Math.min(r.maxAnswerTokens, room);
  return { ok: true, tokens: r.promptTokens + maxTokens, maxTokens };
}
