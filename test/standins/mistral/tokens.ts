/**
 * How the Mistral stand-in counts tokens and plans an answer. Text is counted as
 * `ceil(chars / charsPerToken)` (default 4 characters per token); a test can lower `charsPerToken` to make
 * Mistral count more tokens than the bot estimates. Images and documents add the tokens media.ts counts.
 */

/** One chat message as it travels on the wire (`content` is a string, an array of chunks, or null). */
export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly [key: string]: unknown;
}

/** The validated body of a chat completion request, in the API's snake_case. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly max_tokens?: number | null;
  readonly temperature?: number | null;
  readonly stream?: boolean;
  readonly reasoning_effort?: string | null;
  readonly [key: string]: unknown;
}

/** Token counts in the API's wire shape. */
export interface WireUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** The default: 4 characters per token, within ~15% of Mistral's tokenizers on English prose. */
export const DEFAULT_CHARS_PER_TOKEN = 4;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The plain text of a message's content: strings as they are, text chunks joined, anything else empty. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((chunk: unknown) => (isRecord(chunk) && typeof chunk['text'] === 'string' ? chunk['text'] : ''))
    .join('');
}

/** Tokens of a piece of text: `ceil(chars / charsPerToken)`. */
export function countTextTokens(text: string, charsPerToken = DEFAULT_CHARS_PER_TOKEN): number {
  return Math.ceil(text.length / charsPerToken);
}

/** Prompt tokens of the text: per message `ceil(chars / charsPerToken) + 4` (media counted apart). */
export function countPromptTokens(
  messages: readonly ChatMessage[],
  charsPerToken = DEFAULT_CHARS_PER_TOKEN,
): number {
  return messages.reduce((sum, m) => sum + countTextTokens(messageText(m.content), charsPerToken) + 4, 0);
}

/** Completion tokens: `ceil(chars / charsPerToken)`, at least 1. */
export function countCompletionTokens(answer: string, charsPerToken = DEFAULT_CHARS_PER_TOKEN): number {
  return Math.max(1, countTextTokens(answer, charsPerToken));
}

/** Cuts a text to `maxTokens` of the stand-in's tokens. */
export function truncateToTokens(
  answer: string,
  maxTokens: number,
  charsPerToken = DEFAULT_CHARS_PER_TOKEN,
): string {
  return answer.slice(0, Math.max(0, maxTokens) * charsPerToken);
}

/** The default completion: one short sentence that depends only on the prompt's length. */
export function defaultAnswer(req: ChatRequest): string {
  const chars = req.messages.reduce((sum, m) => sum + messageText(m.content).length, 0);
  return `This is the stand-in answer to a prompt of ${chars} characters.`;
}

/** The default reasoning trace of a reasoning model. */
export function defaultThinking(req: ChatRequest): string {
  const last = messageText(req.messages.at(-1)?.content);
  return `The member asks about ${last.length} characters of text. I will answer briefly and plainly.`;
}

/** What the stand-in will produce for a request. */
export interface CompletionPlan {
  readonly content: string;
  /** The reasoning trace, `''` when the model does not think for this request. */
  readonly thinking: string;
  readonly finishReason: 'stop' | 'length';
  readonly usage: WireUsage;
}

/** Extra inputs of {@link planCompletion}. */
export interface PlanOptions {
  readonly charsPerToken?: number;
  /** Prompt tokens of images and documents, added to the text's. */
  readonly mediaTokens?: number;
  /** The reasoning trace to emit (counts towards completion tokens); none by default. */
  readonly thinking?: string;
}

/**
 * The text, reasoning, finish reason and usage for a request. `max_tokens` caps thinking plus answer:
 * the trace is cut first, then the answer (`finishReason: 'length'`).
 */
export function planCompletion(
  req: ChatRequest,
  answer: (req: ChatRequest) => string = defaultAnswer,
  opts: PlanOptions = {},
): CompletionPlan {
  const cpt = opts.charsPerToken ?? DEFAULT_CHARS_PER_TOKEN;
  const full = answer(req);
  const fullThinking = opts.thinking ?? '';
  const max = typeof req.max_tokens === 'number' ? req.max_tokens : undefined;
  const thinkingTokens = countTextTokens(fullThinking, cpt);
  let thinking = fullThinking;
  let content = full;
  let cut = false;
  if (max !== undefined && thinkingTokens + countTextTokens(full, cpt) > max) {
    cut = true;
    if (thinkingTokens >= max) {
      thinking = truncateToTokens(fullThinking, max, cpt);
      content = '';
    } else {
      content = truncateToTokens(full, max - thinkingTokens, cpt);
    }
  }
  const prompt = countPromptTokens(req.messages, cpt) + (opts.mediaTokens ?? 0);
  const completion = Math.max(1, countTextTokens(thinking, cpt) + countTextTokens(content, cpt));
  return {
    content,
    thinking,
    finishReason: cut ? 'length' : 'stop',
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}
