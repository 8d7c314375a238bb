import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from '../budget/estimate.ts';
import type { ChatMessage, ContentPart } from '../mistral/client.ts';
import { turnMessages, type Turn } from './conversation.ts';
import type { AskRequest, AskTask } from './request.ts';

/**
 * What the model is asked to do with a quoted message, per context-menu task. These are
 * instructions to the model, not texts members read, so they stay in English (the model answers
 * in the language it is asked to).
 */
export function taskInstruction(task: AskTask, language: string): string | undefined {
  switch (task) {
    case 'ask':
      return undefined;
    case 'summarize':
      return `Summarize the Discord message below in a few sentences. Answer in ${language}.`;
    case 'explain':
      return `Explain the Discord message below: what it says and anything a reader may not know. Answer in ${language}.`;
    case 'translate':
      return `Translate the Discord message below into ${language}. Reply with the translation only.`;
  }
}

/** The English name of a Discord locale's language (`fr` → French), for instructions to the model. */
export function languageName(locale: string | undefined): string {
  if (!locale) return 'English';
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? 'English';
  } catch {
    return 'English';
  }
}

/** A quoted message as the model sees it: marked off, so its text is data, not instructions. */
export function quoteBlock(author: string, text: string, notes: readonly string[] = []): string {
  const body = text.trim() === '' ? '(no text)' : text;
  const extra = notes.length > 0 ? `\n${notes.join('\n')}` : '';
  return `<discord_message author="${author.replace(/["<>]/g, '')}">\n${body}${extra}\n</discord_message>`;
}

/** The user message of a question: the member's words, the quoted message, the task's instruction. */
export interface UserTurn {
  /** What the model gets. */
  readonly content: string | readonly ContentPart[];
  /** What memory keeps (text only: attachments become a short note). */
  readonly remembered: string;
  /** Tokens the content is estimated to cost (text and attachments). */
  readonly tokens: number;
}

/**
 * Text parts of a request as one user turn. Attachments are not handled here (see the ask service):
 * their content parts, notes and token estimates are passed in `extra`.
 */
export function userTurn(
  request: Pick<AskRequest, 'task' | 'parts' | 'locale' | 'guildLocale'>,
  language: string,
  extra: {
    readonly parts: readonly ContentPart[];
    readonly notes: readonly string[];
    readonly tokens: number;
  } = {
    parts: [],
    notes: [],
    tokens: 0,
  },
): UserTurn {
  const lines: string[] = [];
  const instruction = taskInstruction(request.task, language);
  if (instruction) lines.push(instruction);
  for (const part of request.parts) {
    if (part.kind === 'text') lines.push(part.text);
    else if (part.kind === 'quote') lines.push(quoteBlock(part.author, part.text));
  }
  lines.push(...extra.notes);
  const text = lines.join('\n\n');
  const content: string | ContentPart[] =
    extra.parts.length === 0 ? text : [{ type: 'text', text }, ...extra.parts];
  return { content, remembered: text, tokens: estimateTokens(text) + extra.tokens + MESSAGE_OVERHEAD_TOKENS };
}

/** The whole prompt: system prompt, earlier turns, the question; and its estimated tokens. */
export function chatMessages(
  systemPrompt: string,
  history: readonly Turn[],
  turn: UserTurn,
): { messages: ChatMessage[]; tokens: number } {
  const earlier = turnMessages(history);
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt },
    ...earlier,
    { role: 'user', content: turn.content },
  ];
  const tokens =
    estimateTokens(systemPrompt) +
    MESSAGE_OVERHEAD_TOKENS +
    earlier.reduce(
      (sum, m) =>
        sum + (typeof m.content === 'string' ? estimateTokens(m.content) : 0) + MESSAGE_OVERHEAD_TOKENS,
      0,
    ) +
    turn.tokens;
  return { messages, tokens };
}
