import { ChannelType, MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import {
  estimatePromptTokens,
  clampMaxTokens,
  standing,
  type Reservations,
  type BudgetStanding,
} from './budget.ts';
import type { Config } from './config.ts';
import { turnMessages, type ConversationMemory, type Turn } from './conversation.ts';
import { AnswerStream, interactionTarget } from './discord/answer-stream.ts';
import { deferOnce, discordTime, formatTokens, NO_MENTIONS } from './discord/reply.ts';
import { WaitingNotice } from './discord/waiting-notice.ts';
import { fenceAt } from './discord/split-message.ts';
import { UserError } from './errors.ts';
import { GateRefusal, type RequestGate } from './gate/gate.ts';
import type { BotEvents } from './events.ts';
import type { Logger } from './log.ts';
import {
  partialOf,
  UpstreamError,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type MistralApi,
  type TokenUsage,
} from './mistral/client.ts';
import type { ModelDirectory } from './mistral/models.ts';
import type { SettingsStore } from './settings.ts';
import { DEFAULT_SYSTEM_PROMPT, type EffectiveSystemPrompt } from './system-prompt.ts';
import { monthKey, nextMonthStart } from './store/month.ts';
import type { UsageLedger } from './store/usage-ledger.ts';

/** A Discord interaction token lives 15 minutes; a request must start well before that. */
const TOKEN_LIFETIME_MS = 15 * 60_000;
const START_DEADLINE_MS = TOKEN_LIFETIME_MS - 60_000;

export interface PromptServiceDeps {
  readonly config: Config;
  readonly settings: SettingsStore;
  readonly usage: UsageLedger;
  readonly reservations: Reservations;
  readonly gate: RequestGate;
  readonly mistral: MistralApi;
  readonly models: ModelDirectory;
  /** What threads remember between questions. */
  readonly conversations: ConversationMemory;
  readonly events?: BotEvents;
  readonly now?: () => Date;
}

/**
 * Everything between a member's question and the answer in the channel: validation, the
 * channel's model, the budget (checked and reserved before anything goes upstream), the
 * shared gate, exact accounting of what Mistral reports, and delivery. Commands call
 * {@link PromptService.answer} and cannot skip any of it.
 */
export class PromptService {
  readonly #deps: PromptServiceDeps;

  constructor(deps: PromptServiceDeps) {
    this.#deps = deps;
  }

  /** The model a channel uses: its own choice, else its parent's (threads), else the default. */
  async modelFor(channelId: string, parentId?: string | null): Promise<string> {
    const { settings, models } = this.#deps;
    return (
      (await settings.channelModel(channelId)) ??
      (parentId ? await settings.channelModel(parentId) : undefined) ??
      models.defaultModel
    );
  }

  /** A server's budget standing for the current month. */
  async standing(guildId: string): Promise<BudgetStanding & { month: string; resetsAt: Date }> {
    const { config, settings, usage, reservations } = this.#deps;
    const now = this.#now();
    const month = monthKey(now);
    const [limit, used] = await Promise.all([
      settings.budgetOverride(guildId).then((o) => o ?? config.guildMonthlyTokenBudget),
      usage.monthTotal(guildId, month),
    ]);
    return { ...standing(limit, used, reservations.heldBy(guildId)), month, resetsAt: nextMonthStart(now) };
  }

  /**
   * A channel's system prompt: its own, else its parent's (threads), else
   * {@link DEFAULT_SYSTEM_PROMPT}.
   */
  async systemPromptFor(channelId: string, parentId?: string | null): Promise<EffectiveSystemPrompt> {
    const { settings } = this.#deps;
    const own = await settings.channelSystemPrompt(channelId);
    if (own !== undefined) return { text: own, source: 'channel' };
    const inherited = parentId ? await settings.channelSystemPrompt(parentId) : undefined;
    if (inherited !== undefined) return { text: inherited, source: 'parent' };
    return { text: DEFAULT_SYSTEM_PROMPT, source: 'default' };
  }

  /** Forgets a thread's conversation; resolves with how many turns it held. */
  forget(threadId: string): Promise<number> {
    return this.#deps.conversations.forget(threadId);
  }

  /**
   * Answers `/ask` in the interaction's channel, streaming the answer as it arrives. In a
   * thread, the thread's earlier turns go along as context and this turn is remembered;
   * `openThread` opens a thread from the answer so the conversation can go on there.
   * Refusals throw {@link UserError}.
   */
  async answer(
    interaction: ChatInputCommandInteraction,
    rawPrompt: string,
    log: Logger,
    options: { readonly openThread?: boolean } = {},
  ): Promise<void> {
    const { config, models, reservations } = this.#deps;
    const guildId = interaction.guildId;
    if (!guildId) throw new UserError('guild_only', 'I only answer inside a server.');
    const prompt = rawPrompt.trim();
    if (prompt === '')
      throw new UserError(
        'blank_prompt',
        'Your question is empty. Try `/ask prompt:` followed by your question.',
      );
    if (prompt.length > config.maxPromptChars) {
      throw new UserError(
        'prompt_too_long',
        `Your question is ${formatTokens(prompt.length)} characters; the limit is ${formatTokens(config.maxPromptChars)}. Please shorten it.`,
      );
    }
    const channel = interaction.channel;
    const parentId = channel?.isThread() ? channel.parentId : undefined;
    const model = await this.modelFor(interaction.channelId, parentId);
    if (!models.isOffered(model) || models.isUnavailable(model)) {
      throw new UserError(
        'model_unavailable',
        `This channel's model \`${model}\` is not available on this bot right now. ` +
          `A manager can pick another with \`/model set\`; usable models: ${models
            .usable()
            .slice(0, 10)
            .map((m) => `\`${m}\``)
            .join(', ')}.`,
      );
    }

    const inThread = channel?.isThread() ?? false;
    const openThread = options.openThread === true && !inThread;
    if (openThread) checkCanOpenThread(interaction);
    const system = await this.systemPromptFor(interaction.channelId, parentId);
    const earlier = inThread ? await this.#deps.conversations.context(interaction.channelId) : [];
    const messages: ChatMessage[] = [
      { role: 'system', content: system.text },
      ...turnMessages(earlier),
      { role: 'user', content: prompt },
    ];
    // The system prompt and the thread's context are part of the prompt: budgeted like it.
    const promptEstimate = estimatePromptTokens(messages);
    const budget = await this.standing(guildId);
    if (budget.left <= 0) throw budgetSpent(budget);
    const maxTokens = clampMaxTokens(budget.left, promptEstimate, config.maxAnswerTokens);
    if (maxTokens === 0) {
      throw new UserError(
        'budget_too_small',
        `This question needs about ${formatTokens(promptEstimate)} tokens, but this server has only ` +
          `${formatTokens(budget.left)} of its ${formatTokens(budget.limit)} monthly tokens left. ` +
          (earlier.length > 0
            ? 'That includes this thread’s earlier conversation (`/forget` clears it); '
            : 'Try a shorter question; ') +
          `the budget resets ${discordTime(budget.resetsAt)}.`,
      );
    }

    const gateRefusal = this.#deps.gate.refusal({ guildId, model, tokens: promptEstimate + maxTokens });
    if (gateRefusal) throw explainFailure(gateRefusal, model, models.usable());

    const release = reservations.hold(guildId, promptEstimate + maxTokens);
    // One editor per message: queue notices and the streamed answer share the original's.
    const delivery = new AnswerStream(interactionTarget(interaction));
    const notice = new WaitingNotice((content) => delivery.notice(content));
    let result: StreamedAnswer;
    let usage: TokenUsage;
    const reqLog = log.child({ model, maxTokens, promptEstimate });
    const startedAt = performance.now();
    let firstStart: number | undefined;
    try {
      await deferOnce(interaction, false);
      try {
        result = await this.#deps.gate.run({
          guildId,
          userId: interaction.user.id,
          model,
          deadline: interaction.createdTimestamp + START_DEADLINE_MS,
          tokens: promptEstimate + maxTokens,
          actualTokens: (r) => r.usage?.totalTokens,
          onWait: (position, etaMs, stalled) => notice.update(position, etaMs, stalled),
          attempt: () => {
            notice.stop();
            delivery.attemptStarted();
            firstStart ??= performance.now();
            return this.#streamOnce({ model, messages, maxTokens }, delivery);
          },
        });
      } catch (error) {
        await delivery.abandon();
        if (error instanceof UpstreamError && error.kind === 'model_unavailable')
          models.markUnavailable(model);
        throw explainFailure(error, model, models.usable());
      }
      usage = result.usage ?? estimatedUsage(promptEstimate, result.content);
      if (result.cutOff) {
        reqLog.warn(
          { err: result.cutOff, usage, chars: result.content.length, estimated: !result.usage },
          'the stream broke after text was shown; keeping it and charging what it used',
        );
      } else if (!result.usage) {
        reqLog.warn({ usage }, 'Mistral reported no usage; charging an estimate');
      }
      await this.#deps.usage.record({
        guildId,
        userId: interaction.user.id,
        model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        at: this.#now(),
      });
      const totalMs = performance.now() - startedAt;
      reqLog.info(
        { usage, finishReason: result.finishReason, ms: Math.round(totalMs), context: earlier.length },
        'answered',
      );
      this.#deps.events?.emit({
        type: 'answered',
        guildId,
        userId: interaction.user.id,
        model,
        usage,
        estimated: !result.usage,
        waitedMs: (firstStart ?? startedAt) - startedAt,
        totalMs,
      });
    } finally {
      // Settled (or failed): the reservation gives way to the recorded usage before delivery.
      release();
      await notice.settled();
    }
    await delivery.finish(
      closingLines({
        content: result.content,
        finishReason: result.finishReason,
        cutOff: result.cutOff,
        model,
        usage,
        estimated: !result.usage,
        contextTurns: earlier.length,
      }),
    );
    const turn: Turn = { user: prompt, assistant: result.content };
    if (inThread) {
      await this.#deps.conversations.remember(interaction.channelId, turn);
    } else if (openThread) {
      const threadId = await startAnswerThread(interaction, prompt, reqLog);
      if (threadId) await this.#deps.conversations.remember(threadId, turn);
    }
  }

  /**
   * One upstream attempt, streamed into `delivery`. A failure before any text is thrown, so
   * the gate may retry it; once text has arrived a retry would repeat it, so the attempt ends
   * as a (cut-off) result instead, keeping what was shown and what the stream reported.
   */
  async #streamOnce(request: ChatRequest, delivery: AnswerStream): Promise<StreamedAnswer> {
    try {
      return await this.#deps.mistral.stream(request, (piece) => delivery.append(piece));
    } catch (error) {
      if (!delivery.hasText) {
        delivery.attemptFailed();
        throw error;
      }
      const partial = partialOf(error);
      return {
        content: partial?.content ?? '',
        finishReason: 'cut_off',
        usage: partial?.usage,
        cutOff:
          error instanceof UpstreamError
            ? error
            : new UpstreamError('network', 'The stream broke', { model: request.model, cause: error }),
      };
    }
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }
}

/** A streamed answer; `cutOff` is set when the stream broke after text was shown. */
export interface StreamedAnswer extends ChatResult {
  readonly cutOff?: UpstreamError;
}

/** How an answer ended, for the lines under it. */
export interface AnswerEnding {
  readonly content: string;
  readonly finishReason: string;
  readonly cutOff: UpstreamError | undefined;
  readonly model: string;
  /** What is charged: Mistral's count, or the estimate (`estimated`). */
  readonly usage: TokenUsage;
  readonly estimated: boolean;
  /** Earlier turns of the thread sent as context. */
  readonly contextTurns: number;
}

/**
 * What members see after the streamed text: a closing fence if the answer stopped inside a
 * code block, a note when it was cut off (broken stream) or cut short (length limit), and a
 * small subtext footer with the model and the tokens charged. The footer ends the last message.
 */
export function closingLines(end: AnswerEnding): string {
  const { content } = end;
  let lead = '';
  if (content.trim() === '') lead = '(The model returned an empty answer.)';
  else if (fenceAt(`${content}\n`, content.length + 1) !== undefined) {
    lead = content.endsWith('\n') ? '```' : '\n```';
  }
  const notes: string[] = [];
  if (end.cutOff) {
    const why =
      end.cutOff.kind === 'timed_out'
        ? 'Mistral stopped sending'
        : 'the connection to Mistral broke before the answer was finished';
    notes.push(`-# ⚠️ The answer was cut off: ${why}.`);
  }
  if (end.finishReason === 'length') notes.push('-# (Cut short: the answer reached its length limit.)');
  const tokens = `${end.estimated ? '~' : ''}${formatTokens(end.usage.totalTokens)} tokens`;
  const context =
    end.contextTurns > 0
      ? ` · ${end.contextTurns} earlier ${end.contextTurns === 1 ? 'turn' : 'turns'} remembered`
      : '';
  notes.push(`-# ${end.model.replaceAll('_', '\\_')} · ${tokens}${context}`);
  return `${lead}\n${notes.join('\n')}`;
}

/** A thread's name from the question that opened it: one line, at most Discord's 100 characters. */
export function threadName(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  if (chars.length === 0) return 'Conversation';
  return chars.length <= 100 ? line : `${chars.slice(0, 99).join('').trimEnd()}…`;
}

/** Refuses `thread:true` up front, before anything is spent, where no thread can be opened. */
function checkCanOpenThread(interaction: ChatInputCommandInteraction): void {
  const type = interaction.channel?.type;
  if (type !== ChannelType.GuildText && type !== ChannelType.GuildAnnouncement) {
    throw new UserError(
      'bad_input',
      'I can only open a thread from an answer in a text or announcement channel. Ask again without `thread`.',
    );
  }
  const needed = PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads;
  if (!interaction.appPermissions.has(needed)) {
    throw new UserError(
      'missing_permission',
      'I cannot open threads here: I need **Create Public Threads** and **Send Messages in Threads** in this channel. ' +
        'Ask again without `thread`, or ask a manager to grant them.',
    );
  }
}

/**
 * Opens a public thread from the answer's first message, so the conversation can go on there.
 * Resolves with the thread's ID, or `undefined` (logged, and the member told privately) when
 * Discord refused.
 */
async function startAnswerThread(
  interaction: ChatInputCommandInteraction,
  prompt: string,
  log: Logger,
): Promise<string | undefined> {
  try {
    const reply = await interaction.fetchReply();
    const thread = await reply.startThread({ name: threadName(prompt) });
    return thread.id;
  } catch (error) {
    log.warn({ err: error }, 'could not open a thread from the answer');
    await interaction
      .followUp({
        content: 'I answered, but Discord would not let me open a thread from the answer here.',
        allowedMentions: NO_MENTIONS,
        flags: MessageFlags.Ephemeral,
      })
      .catch((followUpError: unknown) => log.warn({ err: followUpError }, 'could not tell the member'));
    return undefined;
  }
}

function estimatedUsage(promptEstimate: number, content: string): TokenUsage {
  const completionTokens = estimatePromptTokens([{ content }]) - 4;
  return { promptTokens: promptEstimate, completionTokens, totalTokens: promptEstimate + completionTokens };
}

/** The private refusal for a server whose month is spent; nothing goes upstream. */
export function budgetSpent(b: BudgetStanding & { resetsAt: Date }): UserError {
  return new UserError(
    'budget_spent',
    `This server has used its monthly token budget: **${formatTokens(b.used)} of ${formatTokens(b.limit)} tokens**. ` +
      `It resets ${discordTime(b.resetsAt)}. A bot operator can raise it with \`/budget set\`.`,
  );
}

/** Turns a failed request into what the member is told; nothing was charged for it. */
export function explainFailure(error: unknown, model: string, usable: readonly string[] = []): Error {
  const others = usable
    .filter((m) => m !== model)
    .slice(0, 6)
    .map((m) => `\`${m}\``)
    .join(', ');
  const tryOthers = others
    ? ` Other models still work: ${others}; a manager can switch with \`/model set\`.`
    : '';
  if (error instanceof GateRefusal) {
    switch (error.reason) {
      case 'too_large':
        return new UserError(
          'prompt_too_long',
          `${error.message} Please shorten your question. Nothing was sent or charged.`,
          { cause: error },
        );
      case 'month_spent':
        return new UserError(
          'model_unavailable',
          `\`${model}\` has used its monthly quota on this bot's Mistral key; it comes back next month. Nothing was sent or charged.${tryOthers}`,
          { cause: error },
        );
      case 'queue_full':
      case 'guild_queue_full':
        return new UserError(
          'busy',
          `I'm busy: ${error.message} Please try again in a minute; nothing was sent or charged.`,
          { cause: error },
        );
      case 'expired':
        return new UserError(
          'upstream_failed',
          'Your question waited too long in line and was not sent; nothing was charged. Please ask again.',
          { cause: error },
        );
      case 'closed':
        return new UserError(
          'upstream_failed',
          'I am restarting; your question was not sent and nothing was charged. Please ask again in a moment.',
          { cause: error },
        );
    }
  }
  if (!(error instanceof UpstreamError)) return error instanceof Error ? error : new Error(String(error));
  const free = 'Nothing was charged.';
  const messages: Record<UpstreamError['kind'], string> = {
    rate_limited: `Mistral is rate-limiting this bot right now. ${free} Please try again in a minute.`,
    quota_exhausted: `\`${model}\` has used its monthly quota on this bot's Mistral key; it comes back next month. ${free}${tryOthers}`,
    model_unavailable: `\`${model}\` is not available on this bot's Mistral plan. ${free}${tryOthers || ' A manager can pick another with `/model set`.'}`,
    server_error: `Mistral is having trouble answering (server error). ${free} Please try again later.`,
    network: `I could not reach Mistral. ${free} Please try again later.`,
    malformed: `Mistral sent an answer I could not read. ${free} Please try again later.`,
    timed_out: `Mistral did not answer in time. ${free} Please try again, perhaps with a shorter question.`,
    bad_request: `Mistral refused this request. ${free} Try rephrasing or shortening your question.`,
    unknown_model: `Mistral does not know the model \`${model}\`. ${free} A manager can pick another with \`/model set\`.`,
    unauthorized: `The bot's Mistral key was refused; the operator needs to fix it. ${free}`,
  };
  return new UserError('upstream_failed', messages[error.kind], { cause: error });
}
