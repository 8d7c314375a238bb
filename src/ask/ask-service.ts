import type { BudgetHold, BudgetService } from '../budget/budget-service.ts';
import { estimateTokens } from '../budget/estimate.ts';
import { UserError } from '../errors.ts';
import type { RequestGate } from '../gate/gate.ts';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import {
  partialOf,
  StreamStopped,
  UpstreamError,
  type ChatRequest,
  type ChatResult,
  type MistralApi,
  type TokenUsage,
} from '../mistral/client.ts';
import type { ModelDirectory } from '../mistral/models.ts';
import {
  AttachmentReader,
  attachmentsOf,
  DEFAULT_MAX_ATTACHMENT_TOKENS,
  languageOf,
  type ReadAttachment,
} from './attachments.ts';
import type { ConversationMemory, Turn } from './conversation.ts';
import type { Cooldowns } from './cooldowns.ts';
import { explainFailure, modelList } from './failures.ts';
import type { ChannelProfile, ChannelProfiles } from './profile.ts';
import { attachmentContent, chatMessages, languageName, userTurn } from './prompt.ts';
import type { AnswerEnd, AskOutcome, AskRequest, FinishedAnswer } from './request.ts';
import type { AnswerSink } from './sink.ts';

/** The part of the request gate the core uses: join the line (or be refused), then await the result. */
export type AskGate = Pick<RequestGate, 'join'>;

export interface AskServiceOptions {
  readonly profiles: ChannelProfiles;
  readonly budget: Pick<BudgetService, 'reserve' | 'settle' | 'release'>;
  readonly gate: AskGate;
  readonly mistral: Pick<MistralApi, 'stream'>;
  readonly models: Pick<ModelDirectory, 'isOffered' | 'isUnavailable' | 'usable' | 'markUnavailable'>;
  /**
   * What each model takes (images, PDFs, reasoning efforts) and `VISION_MODEL`: the model
   * directory, once it learns the cards. Absent: attachments go to the channel's model as they are
   * and its reasoning effort is sent as set, so Mistral refuses what the model does not take.
   */
  readonly capabilities?: Pick<
    ModelDirectory,
    | 'capabilitiesOf'
    | 'decides'
    | 'knows'
    | 'reasoningEfforts'
    | 'visionModels'
    | 'documentModels'
    | 'visionModel'
    | 'learnRefusal'
  >;
  /** Downloads and judges attachments (`MAX_ATTACHMENT_TOKENS`). Default: the default limits. */
  readonly attachments?: AttachmentReader;
  readonly conversations: ConversationMemory;
  /** `MEMBER_COOLDOWN_SECONDS`; absent = none. */
  readonly cooldowns?: Cooldowns;
  /** `MAX_ANSWER_TOKENS` and `MAX_PROMPT_CHARS`. */
  readonly limits: { readonly maxAnswerTokens: number; readonly maxPromptChars: number };
  readonly log: Logger;
  readonly events?: BotEvents;
}

/** What one upstream attempt produced; `end` says how it ended. */
interface Streamed extends ChatResult {
  readonly end: AnswerEnd;
  readonly cutOffBy?: 'timed_out' | 'network';
}

/**
 * The path from a question to an answer, with no Discord in it: validation → the channel's
 * profile (model, system prompt, memory) → the budget hold → the gate → the stream into the sink →
 * the settle of what Mistral reported → memory. Every door (slash command, context menu, button,
 * mention) calls {@link AskService.answer} with a plain {@link AskRequest} and an {@link AnswerSink},
 * and none can skip a step.
 *
 * Refusals go to `sink.refuse` and nothing is charged. Once text is shown, nothing deletes it: a
 * broken stream keeps its text (charged what was reported, or an estimate), a store that will not
 * take the usage is the budget service's to retry, and a sink that fails at the end is logged.
 */
export class AskService {
  readonly #o: AskServiceOptions;
  readonly #reader: AttachmentReader;

  constructor(options: AskServiceOptions) {
    this.#o = options;
    this.#reader =
      options.attachments ?? new AttachmentReader({ maxFileTokens: DEFAULT_MAX_ATTACHMENT_TOKENS });
  }

  async answer(request: AskRequest, sink: AnswerSink, log: Logger = this.#o.log): Promise<AskOutcome> {
    try {
      return await this.#answer(request, sink, log);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await sink
        .refuse(error)
        .catch((refuseError: unknown) =>
          log.warn(
            { err: refuseError, code: error.code },
            'could not tell the member why the question was refused',
          ),
        );
      return { kind: 'refused', code: error.code };
    }
  }

  async #answer(request: AskRequest, sink: AnswerSink, log: Logger): Promise<AskOutcome> {
    const o = this.#o;
    checkQuestion(request, o.limits.maxPromptChars);
    const wait = o.cooldowns?.waitSeconds(request.guildId, request.userId) ?? 0;
    if (wait > 0) throw new UserError('cooldown', { seconds: wait });
    const profile = await o.profiles.profileFor(request.channelId, request.parentId);
    if (!o.models.isOffered(profile.model) || o.models.isUnavailable(profile.model)) {
      throw new UserError('model_unavailable', {
        model: profile.model,
        models: modelList(o.models.usable()),
      });
    }
    // Files are judged (and downloaded) before anything is held; images may pick the model.
    const attachments = await this.#reader.read(attachmentsOf(request.parts));
    for (const a of attachments)
      if (a.kind === 'image' && a.discordSize)
        log.warn(
          { discord: a.discordSize, header: { width: a.image.width, height: a.image.height } },
          'an image is not the size Discord said; its tokens are estimated from the file',
        );
    const model = this.#modelFor(profile.model, attachments);
    const effort = this.#effortFor(model, profile);
    const ownMemory = request.history === undefined && request.inThread;
    // Public answers follow the server's language; a translation is into the member's own.
    const language = languageName(
      request.task === 'translate' ? request.locale : (request.guildLocale ?? request.locale),
    );
    const turn = userTurn(
      request,
      language,
      attachments.length > 0 ? attachmentContent(attachments, model, languageOf) : undefined,
    );
    let history: readonly Turn[] =
      request.history ?? (ownMemory ? await o.conversations.context(request.channelId) : []);
    // A regenerated answer must not see the answer it replaces.
    if (request.regenerated && history.at(-1)?.user === turn.remembered) history = history.slice(0, -1);
    const prompt = chatMessages(profile.systemPrompt.text, history, turn);

    const hold = await o.budget.reserve({
      guildId: request.guildId,
      userId: request.userId,
      promptTokens: prompt.tokens,
      maxAnswerTokens: o.limits.maxAnswerTokens,
      withContext: history.length > 0,
    });
    const chat: ChatRequest = {
      model,
      messages: prompt.messages,
      maxTokens: hold.maxTokens,
      ...(effort === undefined ? {} : { reasoningEffort: effort }),
    };
    const reqLog = log.child({
      model,
      maxTokens: hold.maxTokens,
      promptEstimate: prompt.tokens,
      ...(attachments.length > 0 ? { attachments: attachments.map((a) => a.kind) } : {}),
      ...(model === profile.model ? {} : { channelModel: profile.model }),
    });
    const startedAt = performance.now();
    let firstStart: number | undefined;
    let shown = false;
    let thinkingSince: number | undefined;
    let thoughtMs: number | undefined;
    // Stop (the member's signal) or a door that cannot show the answer any more ends the question.
    // (One controller fed by the member's signal: AbortSignal.any costs more and needs nothing more.)
    const abandon = new AbortController();
    const stop = request.signal;
    if (stop?.aborted) abandon.abort(stop.reason);
    else stop?.addEventListener('abort', () => abandon.abort(stop.reason), { once: true });
    const signal = abandon.signal;
    let result: Streamed;
    try {
      const ticket = await o.gate.join<Streamed>({
        guildId: request.guildId,
        userId: request.userId,
        model,
        tokens: hold.tokens,
        actualTokens: (r) => r.usage?.totalTokens,
        ...(request.deadline === undefined ? {} : { deadline: request.deadline }),
        signal,
        onWait: (position, etaMs, stalled) => sink.waiting(position, etaMs, stalled),
        attempt: async () => {
          firstStart ??= performance.now();
          sink.started();
          try {
            return await this.#streamOnce(chat, signal, {
              text: (text) => {
                if (thinkingSince !== undefined && thoughtMs === undefined)
                  thoughtMs = performance.now() - thinkingSince;
                shown = true;
                sink.append(text);
              },
              thinking: (text) => {
                thinkingSince ??= performance.now();
                shown = true;
                sink.thinking(text);
              },
              shown: () => shown,
            });
          } catch (error) {
            // Only a failure the gate retries puts the question back in line.
            if (!shown && error instanceof UpstreamError && error.retryable) sink.retrying();
            throw error;
          }
        },
      });
      o.cooldowns?.mark(request.guildId, request.userId);
      await sink.accepted().catch((error: unknown) => {
        // Nobody can see this answer: stop it, and settle whatever it had already cost.
        reqLog.warn({ err: error }, 'the door could not show the answer; stopping it');
        abandon.abort();
      });
      result = await ticket.result;
    } catch (error) {
      await o.budget.release(hold);
      if (error instanceof UpstreamError && error.kind === 'model_unavailable')
        o.models.markUnavailable(model);
      throw this.#refusalFor(error, model, chat) ?? explainFailure(error, model, o.models.usable());
    }

    const usage = result.usage ?? estimatedUsage(prompt.tokens, result.content + result.reasoning);
    await o.budget.settle(hold, {
      model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
    });
    const answer: FinishedAnswer = {
      content: result.content,
      reasoning: result.reasoning,
      end: result.end,
      ...(result.cutOffBy ? { cutOffBy: result.cutOffBy } : {}),
      model,
      usage,
      estimated: !result.usage,
      contextTurns: history.length,
      thoughtMs: thoughtMs ?? (thinkingSince !== undefined ? performance.now() - thinkingSince : undefined),
    };
    this.#logAnswer(reqLog, answer, hold, performance.now() - startedAt);
    o.events?.emit({
      type: 'answered',
      guildId: request.guildId,
      userId: request.userId,
      model,
      usage,
      estimated: answer.estimated,
      waitedMs: (firstStart ?? startedAt) - startedAt,
      totalMs: performance.now() - startedAt,
    });

    let continuesIn: string | undefined;
    try {
      continuesIn = (await sink.finish(answer, request))?.threadId;
    } catch (error) {
      // The answer was charged and what reached Discord stays there; nothing to undo.
      reqLog.warn({ err: error }, 'could not deliver the end of an answer');
    }
    await this.#remember(request, ownMemory ? request.channelId : continuesIn, {
      user: turn.remembered,
      assistant: result.content,
    }).catch((error: unknown) => reqLog.warn({ err: error }, 'could not remember the conversation turn'));
    return { kind: 'answered', answer };
  }

  /**
   * One upstream attempt. A failure before any text is thrown, so the gate may retry it; once
   * text has arrived a retry would repeat it, so the attempt ends as a cut-off answer instead,
   * keeping what was shown and what the stream reported. Stop ends it as `stopped`, never retried.
   */
  async #streamOnce(
    chat: ChatRequest,
    signal: AbortSignal | undefined,
    on: { text(t: string): void; thinking(t: string): void; shown(): boolean },
  ): Promise<Streamed> {
    try {
      const result = await this.#o.mistral.stream(
        chat,
        (delta) => {
          if (delta.thinking) on.thinking(delta.thinking);
          if (delta.text) on.text(delta.text);
        },
        signal,
      );
      return { ...result, end: result.finishReason === 'length' ? 'length' : 'stop' };
    } catch (error) {
      if (error instanceof StreamStopped)
        return { ...error.partial, finishReason: 'stopped', end: 'stopped' };
      if (!on.shown()) throw error;
      const partial = partialOf(error);
      return {
        content: partial?.content ?? '',
        reasoning: partial?.reasoning ?? '',
        usage: partial?.usage,
        finishReason: 'cut_off',
        end: 'cut_off',
        cutOffBy: error instanceof UpstreamError && error.kind === 'timed_out' ? 'timed_out' : 'network',
      };
    }
  }

  /**
   * The model that answers: the channel's, unless it cannot read the question's images and
   * `VISION_MODEL` can (that question only; the footer names it). Refused before anything is
   * spent when no model here can read what was attached.
   */
  #modelFor(channelModel: string, attachments: readonly ReadAttachment[]): string {
    const caps = this.#o.capabilities;
    if (!caps || attachments.length === 0) return channelModel;
    let model = channelModel;
    if (attachments.some((a) => a.kind === 'image') && !caps.capabilitiesOf(model).vision) {
      const vision = caps.visionModel;
      if (vision !== undefined && vision !== model && !this.#o.models.isUnavailable(vision)) model = vision;
      else if (!caps.decides('vision')) throw new UserError('capabilities_unknown', { what: 'images' });
      else throw new UserError('vision_not_supported', { model, models: listed(caps.visionModels()) });
    }
    if (attachments.some((a) => a.kind === 'pdf') && !caps.capabilitiesOf(model).documents) {
      if (!caps.decides('documents')) throw new UserError('capabilities_unknown', { what: 'documents' });
      throw new UserError('documents_not_supported', { model, models: listed(caps.documentModels()) });
    }
    return model;
  }

  /**
   * The channel's reasoning effort, when the answering model takes it: a model that does not
   * reason, or takes other efforts, gets none (its own default). Unknown models get it as set.
   */
  #effortFor(model: string, profile: ChannelProfile): string | undefined {
    const effort = profile.reasoningEffort;
    const caps = this.#o.capabilities;
    if (effort === undefined) return undefined;
    if (!caps || !caps.knows(model)) return model === profile.model ? effort : undefined;
    return caps.reasoningEfforts(model).includes(effort) ? effort : undefined;
  }

  /**
   * A 400 in which Mistral says the model does not take what was sent (images, PDFs, the effort):
   * learned, so the next question is told before anything is sent, and explained to the member.
   */
  #refusalFor(error: unknown, model: string, chat: ChatRequest): UserError | undefined {
    if (!(error instanceof UpstreamError) || !error.refusal) return undefined;
    const caps = this.#o.capabilities;
    const refusal = error.refusal;
    caps?.learnRefusal(model, refusal);
    const cause = { cause: error };
    switch (refusal.kind) {
      case 'images':
        return new UserError(
          'vision_not_supported',
          { model, models: listed(caps?.visionModels() ?? []) },
          cause,
        );
      case 'documents':
        return new UserError(
          'documents_not_supported',
          { model, models: listed(caps?.documentModels() ?? []) },
          cause,
        );
      case 'effort':
        return new UserError(
          'reasoning_effort_refused',
          { model, effort: chat.reasoningEffort ?? '', efforts: listed(refusal.accepted ?? []) },
          cause,
        );
    }
  }

  async #remember(request: AskRequest, threadId: string | undefined, turn: Turn): Promise<void> {
    if (!threadId) return;
    if (request.regenerated) await this.#o.conversations.rememberRegenerated(threadId, turn);
    else await this.#o.conversations.remember(threadId, turn);
  }

  #logAnswer(log: Logger, answer: FinishedAnswer, hold: BudgetHold, ms: number): void {
    const facts = {
      usage: answer.usage,
      held: hold.tokens,
      end: answer.end,
      estimated: answer.estimated,
      chars: answer.content.length,
      ms: Math.round(ms),
      context: answer.contextTurns,
    };
    // Members' words stay out of the log above debug: only sizes and counts here.
    if (answer.end === 'cut_off')
      log.warn(facts, 'the stream broke after text was shown; kept it and charged what it used');
    else if (answer.estimated && answer.end !== 'stopped')
      log.warn(facts, 'Mistral reported no usage; charged an estimate');
    else log.info(facts, 'answered');
  }
}

/** Refuses a blank question or one longer than the limit, before anything is spent. */
export function checkQuestion(request: Pick<AskRequest, 'task' | 'parts'>, maxChars: number): void {
  const words = request.parts.flatMap((p) => (p.kind === 'text' ? [p.text] : [])).join('\n');
  const length = [...words].length;
  const hasMore = request.parts.some((p) => p.kind !== 'text');
  if (words.trim() === '' && !hasMore && request.task === 'ask') throw new UserError('blank_prompt');
  if (length > maxChars) throw new UserError('prompt_too_long', { length, limit: maxChars });
}

/** Names for a refusal's list (`a`, `b`), or `none` for its select. */
function listed(names: readonly string[]): string {
  return names.length > 0 ? modelList(names) : 'none';
}

/** Usage when Mistral reported none: our prompt estimate plus the estimate of what came back. */
export function estimatedUsage(promptTokens: number, completion: string): TokenUsage {
  const completionTokens = estimateTokens(completion);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
