import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from '../budget/estimate.ts';
import type { ChatMessage, ContentPart } from '../mistral/client.ts';
import { setBounded } from '../store/bounded-map.ts';
import { estimateImageTokens, type ReadAttachment } from './attachments.ts';
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

/** English names of languages, by Discord locale: looking one up in ICU costs far more than a map. */
const languageNames = new Map<string, string>();

/** The English name of a Discord locale's language (`fr` → French), for instructions to the model. */
export function languageName(locale: string | undefined): string {
  if (!locale) return 'English';
  let name = languageNames.get(locale);
  if (name === undefined) {
    try {
      name = new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? 'English';
    } catch {
      name = 'English';
    }
    // Discord sends about thirty locales; anything beyond a few dozen is not one of them.
    if (languageNames.size < 64) languageNames.set(locale, name);
  }
  return name;
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

/** What a question's attachments add to its user turn (see {@link attachmentContent}). */
export interface TurnExtra {
  /** Image and document chunks, after the text. */
  readonly parts: readonly ContentPart[];
  /** Short lines about the member's own files, sent and remembered. */
  readonly notes: readonly string[];
  /** Estimated tokens of `parts` (text is estimated from the text itself). */
  readonly tokens: number;
  /** Notes that belong inside a quoted message's block, by the quote's index in the request's parts. */
  readonly quoteNotes?: ReadonlyMap<number, readonly string[]>;
  /** Text the model gets after everything else but memory does not keep (files' contents). */
  readonly blocks?: readonly string[];
}

/**
 * Text parts of a request as one user turn, with what its attachments add (`extra`, from
 * {@link attachmentContent}): image and PDF chunks after the text, a note per file (inside the
 * quoted message's block for a quoted message's files), and text files' contents as fenced blocks
 * at the end. Memory keeps the words and the notes, never a file's content or an image.
 */
export function userTurn(
  request: Pick<AskRequest, 'task' | 'parts' | 'locale' | 'guildLocale'>,
  language: string,
  extra: TurnExtra = {
    parts: [],
    notes: [],
    tokens: 0,
  },
): UserTurn {
  const lines: string[] = [];
  const instruction = taskInstruction(request.task, language);
  if (instruction) lines.push(instruction);
  request.parts.forEach((part, i) => {
    if (part.kind === 'text') lines.push(part.text);
    else if (part.kind === 'quote')
      lines.push(quoteBlock(part.author, part.text, extra.quoteNotes?.get(i) ?? []));
  });
  lines.push(...extra.notes);
  const remembered = lines.join('\n\n');
  const text = [...lines, ...(extra.blocks ?? [])].join('\n\n');
  const content: string | ContentPart[] =
    extra.parts.length === 0
      ? text
      : [...(text === '' ? [] : [{ type: 'text' as const, text }]), ...extra.parts];
  return { content, remembered, tokens: estimateTokens(text) + extra.tokens + MESSAGE_OVERHEAD_TOKENS };
}

/** A size as a note shows it: `512 B`, `20.0 kB`, `1.2 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1_024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${(bytes / 1_024).toFixed(1)} kB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The line that stands for an attachment in the prompt and in memory: `[image: cat.png, 1024×768]`. */
export function attachmentNote(read: ReadAttachment): string {
  const name = read.attachment.name.replace(/[[\]\r\n]/g, '');
  switch (read.kind) {
    case 'image':
      return `[image: ${name}, ${read.image.width}×${read.image.height}]`;
    case 'pdf':
      return `[PDF: ${name}, ${sizeText(read.bytes)}]`;
    case 'text':
      return `[file: ${name}, ${sizeText(read.bytes)}]`;
  }
}

/**
 * A text file as the model reads it: marked off as data and named after the file, inside a fence
 * longer than any run of backticks in it (so the file cannot close it), its language from the
 * extension.
 */
export function fileBlock(name: string, language: string, text: string): string {
  const longest = (text.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `<attachment name="${name.replace(/["<>\r\n]/g, '')}">\n${fence}${language}\n${body}${fence}\n</attachment>`;
}

/**
 * What read attachments add to a user turn for `model`: each image as an `image_url` chunk and
 * each PDF as a `document_url` chunk (their `data:` URLs), a note per file, text files as fenced
 * blocks, and the estimated tokens of the chunks (images by their patches for this model, see
 * {@link estimateImageTokens}; PDFs by their bytes).
 */
export function attachmentContent(
  read: readonly ReadAttachment[],
  model: string,
  languageOf: (name: string) => string,
): TurnExtra {
  const parts: ContentPart[] = [];
  const notes: string[] = [];
  const quoteNotes = new Map<number, string[]>();
  const blocks: string[] = [];
  let tokens = 0;
  for (const r of read) {
    const note = attachmentNote(r);
    if (r.inQuote) quoteNotes.set(r.partIndex, [...(quoteNotes.get(r.partIndex) ?? []), note]);
    else notes.push(note);
    switch (r.kind) {
      case 'image':
        parts.push({ type: 'image_url', url: r.dataUrl });
        tokens += estimateImageTokens(r.image.width, r.image.height, model);
        break;
      case 'pdf':
        parts.push({ type: 'document_url', url: r.dataUrl, name: r.attachment.name });
        tokens += r.tokens;
        break;
      case 'text':
        blocks.push(fileBlock(r.attachment.name, languageOf(r.attachment.name), r.text));
        break;
    }
  }
  return { parts, notes, tokens, quoteNotes, blocks };
}

/** Token estimates of the system prompts in use (a channel's comes with every question it asks). */
const systemPromptTokens = new Map<string, number>();

/** The estimate of a system prompt, worked out once per prompt text (at most 256 kept). */
function systemTokens(systemPrompt: string): number {
  let tokens = systemPromptTokens.get(systemPrompt);
  if (tokens === undefined) {
    tokens = estimateTokens(systemPrompt);
    setBounded(systemPromptTokens, systemPrompt, tokens, 256);
  }
  return tokens;
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
    systemTokens(systemPrompt) +
    MESSAGE_OVERHEAD_TOKENS +
    earlier.reduce(
      (sum, m) =>
        sum + (typeof m.content === 'string' ? estimateTokens(m.content) : 0) + MESSAGE_OVERHEAD_TOKENS,
      0,
    ) +
    turn.tokens;
  return { messages, tokens };
}
