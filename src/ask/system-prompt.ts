import { UserError } from '../errors.ts';

/**
 * What the model is told when a channel has no system prompt of its own: where it is
 * answering and how a good Discord answer looks. A channel's own prompt replaces it.
 */
export const DEFAULT_SYSTEM_PROMPT =
  'You are a helpful assistant in a Discord chat. Use Discord markdown (no tables). ' +
  'Keep answers short unless asked for detail. Never mention @everyone, @here, roles or users.';

/**
 * Longest system prompt a manager may set, in characters. It goes with every question in the
 * channel and counts against the server's budget (about 500 tokens at this length), and it must
 * fit, with a few words around it, in one Discord message when shown.
 */
export const SYSTEM_PROMPT_MAX_CHARS = 1_500;

/** Where a channel's effective system prompt comes from. */
export type SystemPromptSource = 'channel' | 'parent' | 'default';

/** A channel's effective system prompt and where it comes from. */
export interface EffectiveSystemPrompt {
  readonly text: string;
  readonly source: SystemPromptSource;
}

/** A manager's proposed system prompt, trimmed; refuses blank or too long ones with a {@link UserError}. */
export function checkSystemPrompt(raw: string): string {
  const text = raw.trim();
  if (text === '') {
    throw new UserError('system_prompt_blank');
  }
  const length = [...text].length;
  if (length > SYSTEM_PROMPT_MAX_CHARS) {
    throw new UserError('system_prompt_too_long', { length, limit: SYSTEM_PROMPT_MAX_CHARS });
  }
  return text;
}
