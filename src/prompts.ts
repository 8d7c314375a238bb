import type { ChatInputCommandInteraction } from 'discord.js';
import {
  estimatePromptTokens,
  clampMaxTokens,
  standing,
  type Reservations,
  type BudgetStanding,
} from './budget.ts';
import type { Config } from './config.ts';
import { deferOnce, discordTime, formatTokens, NO_MENTIONS, sendParts } from './discord/reply.ts';
import { WaitingNotice } from './discord/waiting-notice.ts';
import { splitMessage } from './discord/split-message.ts';
import { UserError } from './errors.ts';
import { GateRefusal, type RequestGate } from './gate/gate.ts';
import type { BotEvents } from './events.ts';
import type { Logger } from './log.ts';
import {
  UpstreamError,
  type ChatMessage,
  type ChatResult,
  type MistralApi,
  type TokenUsage,
} from './mistral/client.ts';
import type { ModelDirectory } from './mistral/models.ts';
import type { SettingsStore } from './settings.ts';
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

  /** Answers `/ask` in the interaction's channel. Refusals throw {@link UserError}. */
  async answer(interaction: ChatInputCommandInteraction, rawPrompt: string, log: Logger): Promise<void> {
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

    const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
    const promptEstimate = estimatePromptTokens(messages);
    const budget = await this.standing(guildId);
    if (budget.left <= 0) throw budgetSpent(budget);
    const maxTokens = clampMaxTokens(budget.left, promptEstimate, config.maxAnswerTokens);
    if (maxTokens === 0) {
      throw new UserError(
        'budget_too_small',
        `This question needs about ${formatTokens(promptEstimate)} tokens, but this server has only ` +
          `${formatTokens(budget.left)} of its ${formatTokens(budget.limit)} monthly tokens left. ` +
          `Try a shorter question; the budget resets ${discordTime(budget.resetsAt)}.`,
      );
    }

    const gateRefusal = this.#deps.gate.refusal({ guildId, model, tokens: promptEstimate + maxTokens });
    if (gateRefusal) throw explainFailure(gateRefusal, model, models.usable());

    const release = reservations.hold(guildId, promptEstimate + maxTokens);
    const notice = new WaitingNotice((content) =>
      interaction.editReply({ content, allowedMentions: NO_MENTIONS }),
    );
    let result: ChatResult;
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
          onWait: (position, etaMs) => notice.update(position, etaMs),
          attempt: () => {
            notice.stop();
            firstStart ??= performance.now();
            return this.#deps.mistral.complete({ model, messages, maxTokens });
          },
        });
      } catch (error) {
        if (error instanceof UpstreamError && error.kind === 'model_unavailable')
          models.markUnavailable(model);
        throw explainFailure(error, model, models.usable());
      }
      const usage = result.usage ?? estimatedUsage(promptEstimate, result.content);
      if (!result.usage) reqLog.warn({ usage }, 'Mistral reported no usage; charging an estimate');
      await this.#deps.usage.record({
        guildId,
        userId: interaction.user.id,
        model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        at: this.#now(),
      });
      const totalMs = performance.now() - startedAt;
      reqLog.info({ usage, finishReason: result.finishReason, ms: Math.round(totalMs) }, 'answered');
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
    await sendParts(interaction, splitMessage(presentAnswer(result)));
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }
}

/** The text members see: the answer, and a note when Mistral stopped at the length limit. */
export function presentAnswer(result: ChatResult): string {
  const text = result.content.trim() === '' ? '(The model returned an empty answer.)' : result.content;
  return result.finishReason === 'length'
    ? `${text}\n-# (Cut short: the answer reached its length limit.)`
    : text;
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
