/**
 * Token estimates for text sent to Mistral, used only before a call to size its budget hold (the
 * ledger always records Mistral's own count). There is no official JavaScript tokenizer for the
 * current models, so the estimate is deliberately conservative: chars/4 runs 30–66% low on code,
 * numbers and CJK, so ASCII counts a token per 3 characters and anything else a token per character.
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

/** Tokens each chat message costs beyond its text (role and separators). */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** Tokens a chat request's text messages will cost as a prompt (per-message overhead included). */
export function estimateTextPromptTokens(messages: readonly { readonly text: string }[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.text) + MESSAGE_OVERHEAD_TOKENS, 0);
}
