import type { Message, MessageCreateOptions, MessageEditOptions } from 'discord.js';
import type { AskService } from '../ask/ask-service.ts';
import type { Turn } from '../ask/conversation.ts';
import type { AskOutcome, AskRequest, FinishedAnswer } from '../ask/request.ts';
import type { AnswerSink } from '../ask/sink.ts';
import { UserError } from '../errors.ts';
import type { BotEvents } from '../events.ts';
import { t } from '../i18n/catalogue.ts';
import type { Logger } from '../log.ts';
import type { AnswerArchive, RunningAnswers } from './answer-archive.ts';
import { AnswerStream, FIRST_WORDS_MS, type MessageBody } from './answer-stream.ts';
import { closingLines, finishedRow, NOTICE_MIN_WAIT_MS, stopRow, waitingText } from './answer-text.ts';
import { attachmentOf } from './ask-door.ts';
import { requestRef } from './dispatcher.ts';

/** How far up a reply chain the conversation is read (each step is one Discord request). */
export const MAX_CHAIN_MESSAGES = 12;

/** Discord allows about 5 edits per 5 s of one channel's messages: edit an answer at most this often. */
const CHANNEL_EDIT_GAP_MS = 1_250;

/** The typing indicator lasts 10 s; it is renewed this often while a question waits. */
const TYPING_EVERY_MS = 8_000;

export interface MentionChatDeps {
  readonly ask: AskService;
  readonly archive: AnswerArchive;
  readonly running: RunningAnswers;
  readonly botUserId: () => string | undefined;
  readonly closing: () => boolean;
  /** Whether optional traffic (waiting notices) may go now. */
  readonly roomForNotices: () => boolean;
  readonly log: Logger;
  readonly events?: BotEvents;
}

/**
 * Removes the bot's own mention from a question, and the footer lines (`-# …`) from the bot's
 * answers when they are read back as conversation.
 */
export function questionText(content: string, botUserId: string): string {
  return content.replace(new RegExp(`<@!?${botUserId}>`, 'g'), '').trim();
}

export function answerText(content: string): string {
  return content
    .split('\n')
    .filter((line) => !line.startsWith('-# '))
    .join('\n')
    .trim();
}

/**
 * Turns of a reply chain, oldest first: the bot's messages are the assistant's side (an answer
 * split over several messages is joined again), everyone else's the user's. Discord sends the
 * content of messages that mention the bot and of the bot's own; anything else in the chain has
 * none and is skipped.
 */
export function chainTurns(chain: readonly { readonly fromBot: boolean; readonly text: string }[]): Turn[] {
  const turns: Turn[] = [];
  let user: string | undefined;
  let assistant = '';
  const flush = () => {
    if (user !== undefined && assistant.trim() !== '') turns.push({ user, assistant: assistant.trim() });
    user = undefined;
    assistant = '';
  };
  for (const m of chain) {
    if (m.text.trim() === '') continue;
    if (m.fromBot) {
      if (user !== undefined) assistant += (assistant ? '\n' : '') + m.text;
    } else {
      flush();
      user = m.text;
    }
  }
  flush();
  return turns;
}

/**
 * The @mention door (`CHAT_ON_MENTION=true`): a message that mentions the bot is a question in
 * that channel's profile, and a reply to one of the bot's answers continues that reply chain as
 * the conversation (a reply pings the bot by default, so Discord sends its content without the
 * privileged Message Content intent). The answer is a reply to the member's message, with the
 * typing indicator while the question waits; refusals are replies the member sees (a message
 * cannot be answered privately). Direct messages are refused: there is no server budget to charge.
 */
export function createMentionChat(deps: MentionChatDeps): (message: Message) => Promise<void> {
  return async (message) => {
    const botId = deps.botUserId();
    if (!botId || message.author.bot || message.system) return;
    if (!message.mentions.users.has(botId)) return;
    const ref = requestRef();
    const log = deps.log.child({
      req: ref,
      door: 'mention',
      guild: message.guildId,
      channel: message.channelId,
      user: message.author.id,
    });
    const locale = message.guild?.preferredLocale;
    const where = { guildId: message.guildId, command: 'mention' };
    const sink = new MessageSink(message, {
      locale,
      archive: deps.archive,
      log,
      answerId: message.id,
      ref,
      roomForNotices: deps.roomForNotices,
    });
    try {
      if (deps.closing()) throw new UserError('restarting');
      if (!message.inGuild()) throw new UserError('guild_only');
      const running = deps.running.start(message.id);
      let outcome: AskOutcome;
      try {
        const channel = message.channel;
        const inThread = channel.isThread();
        const history = message.reference ? await replyChain(message, botId) : undefined;
        const text = questionText(message.content, botId);
        const request: AskRequest = {
          guildId: message.guildId,
          channelId: message.channelId,
          parentId: inThread ? (channel.parentId ?? undefined) : undefined,
          inThread,
          userId: message.author.id,
          locale: locale ?? 'en-US',
          guildLocale: locale,
          task: 'ask',
          parts: [
            { kind: 'text', text },
            ...[...message.attachments.values()].map((a) => ({
              kind: 'attachment' as const,
              attachment: attachmentOf(a),
            })),
          ],
          signal: running.signal,
          ...(history ? { history } : {}),
        };
        outcome = await deps.ask.answer(request, sink, log);
      } finally {
        running.done();
        sink.close();
      }
      if (outcome.kind === 'refused') deps.events?.emit({ type: 'refused', ...where, code: outcome.code });
      else deps.events?.emit({ type: 'handled', ...where, ms: 0 });
    } catch (error) {
      sink.close();
      if (error instanceof UserError) {
        deps.events?.emit({ type: 'refused', ...where, code: error.code });
        await sink.refuse(error).catch((e: unknown) => log.warn({ err: e }, 'could not tell the member'));
        return;
      }
      log.error({ err: error }, 'mention failed');
      deps.events?.emit({ type: 'failed', ...where });
      await message
        .reply({ content: t(locale, 'failed', { ref }), allowedMentions: { parse: [], repliedUser: false } })
        .catch((e: unknown) => log.warn({ err: e }, 'could not tell the member'));
    }
  };
}

/** The conversation a reply continues: up the chain of referenced messages, oldest first. */
async function replyChain(message: Message<true>, botId: string): Promise<Turn[]> {
  const chain: { fromBot: boolean; text: string }[] = [];
  let reference = message.reference?.messageId;
  for (let i = 0; reference && i < MAX_CHAIN_MESSAGES; i++) {
    const parent = await message.channel.messages.fetch(reference).catch(() => undefined);
    if (!parent) break;
    const fromBot = parent.author.id === botId;
    chain.unshift({
      fromBot,
      text: fromBot ? answerText(parent.content) : questionText(parent.content, botId),
    });
    reference = parent.reference?.messageId;
  }
  return chainTurns(chain);
}

interface MessageSinkOptions {
  /** The server's locale: replies to a mention are public texts. */
  readonly locale: string | undefined;
  readonly archive: AnswerArchive;
  readonly log: Logger;
  readonly answerId: string;
  readonly ref: string;
  readonly roomForNotices: () => boolean;
}

/** The sink of a mention: replies to the member's message, edited as the answer streams. */
class MessageSink implements AnswerSink {
  readonly #message: Message;
  readonly #o: MessageSinkOptions;
  readonly #stream: AnswerStream;
  #typing: NodeJS.Timeout | undefined;
  #noticeShown = false;
  #first: Message | undefined;

  constructor(message: Message, options: MessageSinkOptions) {
    this.#message = message;
    this.#o = options;
    let last: Message = message;
    const send = async (to: Message, body: MessageBody) => {
      const reply = await to.reply(this.#payload(body));
      last = reply;
      return reply;
    };
    const messages = new Map<string, Message>();
    this.#stream = new AnswerStream(
      {
        editFirst: async (body) => {
          this.#first = this.#first ? await this.#first.edit(this.#payload(body)) : await send(message, body);
          return this.#first.id;
        },
        createFollowUp: async (body) => {
          const sent = await send(last, body);
          messages.set(sent.id, sent);
          return sent.id;
        },
        editFollowUp: async (id, body) => {
          const edited = await (messages.get(id) as Message).edit(this.#payload(body));
          messages.set(id, edited);
          return edited.id;
        },
      },
      {
        minGapMs: CHANNEL_EDIT_GAP_MS,
        firstWordsMs: FIRST_WORDS_MS,
        liveComponents: [stopRow(options.locale, message.author.id, options.answerId)],
      },
    );
  }

  #payload(body: MessageBody): MessageCreateOptions & MessageEditOptions {
    return {
      content: body.content,
      components: [...body.components],
      allowedMentions: { parse: [], repliedUser: false },
    };
  }

  async accepted(): Promise<void> {
    this.#typingOn();
  }

  waiting(position: number, etaMs: number, stalled: boolean): void {
    if (!this.#noticeShown && etaMs < NOTICE_MIN_WAIT_MS && !stalled) return;
    if (!this.#o.roomForNotices()) return;
    this.#noticeShown = true;
    this.#stream.notice(waitingText(this.#o.locale, position, etaMs, stalled));
  }

  started(): void {
    this.#stream.attemptStarted();
  }

  retrying(): void {
    this.#stream.attemptFailed();
  }

  thinking(): void {
    this.#stream.status(t(this.#o.locale, 'thinking', { seconds: 0 }));
  }

  append(text: string): void {
    this.close();
    this.#stream.append(text);
  }

  async finish(answer: FinishedAnswer, request: AskRequest): Promise<void> {
    this.close();
    const delivered = await this.#stream.finish(closingLines(this.#o.locale, answer), [
      finishedRow(this.#o.locale, this.#message.author.id, answer.reasoning.trim() !== ''),
    ]);
    await this.#o.archive.keepFinished(delivered.lastMessageId, request, answer, this.#o.log);
  }

  async refuse(refusal: UserError): Promise<void> {
    this.close();
    await this.#stream.abandon();
    if (refusal.code.startsWith('upstream_')) refusal.ref = this.#o.ref;
    const content = refusal.render(this.#o.locale);
    const body = { content, components: [] };
    if (this.#first) await this.#first.edit(this.#payload(body));
    else await this.#message.reply(this.#payload(body));
  }

  /** Stops the typing indicator. */
  close(): void {
    clearInterval(this.#typing);
    this.#typing = undefined;
  }

  #typingOn(): void {
    const channel = this.#message.channel;
    if (this.#typing || !('sendTyping' in channel)) return;
    const type = () =>
      channel
        .sendTyping()
        .catch((error: unknown) => this.#o.log.debug({ err: error }, 'typing indicator failed'));
    void type();
    this.#typing = setInterval(() => void type(), TYPING_EVERY_MS);
    this.#typing.unref();
  }
}
