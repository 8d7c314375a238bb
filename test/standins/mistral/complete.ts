/**
 * `POST /v1/chat/completions` of the Mistral stand-in, in Mistral's order of checks:
 * 401 (bearer key) → 422 (body validation) → 400 (unknown model; images, documents or reasoning the model
 * does not take; more than 8 images; unreadable media) → 429 (Retry-After window, requests per second,
 * model not on the plan, month quota, requests per minute, tokens per minute) → injected fault → answer.
 * Only requests that pass every limit are "accepted": they alone move the requests-per-second clock and
 * fill the per-model windows, like the real limiter. A request inside a stated Retry-After, or closer
 * than the requests-per-second spacing to the last accepted one, is also a violation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  authorized,
  breakConnection,
  cardOf,
  completions,
  limitsOf,
  modelNames,
  modelState,
  takeFault,
  violate,
} from './core.ts';
import type { Core } from './core.ts';
import { MINUTE_MS, rateHeaders } from './limits.ts';
import { MAX_IMAGES_PER_REQUEST, MediaError, measureMedia, mediaRefs } from './media.ts';
import { capabilityRefusal } from './models.ts';
import { respond } from './respond.ts';
import { planCompletion } from './tokens.ts';
import type { ChatMessage, ChatRequest } from './tokens.ts';
import type { RecordedRequest } from './types.ts';
import { validate } from './validate.ts';
import { RATE_LIMIT_BODY, invalidArgsBody, unauthorizedBody } from './wire.ts';
import type { Headers } from './wire.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Judges and answers one completion request; `send` writes a JSON answer and records its status. */
export async function complete(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  send: (status: number, payload: unknown, headers?: Headers) => void,
  raw: string,
): Promise<void> {
  const { config } = core;
  const at = record.at;
  const body = record.body;
  if (isRecord(body)) {
    if (typeof body['model'] === 'string') record.model = body['model'];
    if (Array.isArray(body['messages'])) record.messages = body['messages'] as ChatMessage[];
    if (typeof body['max_tokens'] === 'number') record.maxTokens = body['max_tokens'];
    if (typeof body['temperature'] === 'number') record.temperature = body['temperature'];
    if (typeof body['reasoning_effort'] === 'string') record.reasoningEffort = body['reasoning_effort'];
    record.stream = body['stream'] === true;
  }
  const insideRetryAfter = at < core.state.notBefore;
  if (insideRetryAfter) {
    violate(
      core,
      `request inside Retry-After: completion #${completions(core).length} (${record.model ?? '?'}) ` +
        `arrived ${Math.round(core.state.notBefore - at)} ms before the stated wait ended`,
    );
  }
  if (!authorized(core, req)) {
    send(401, unauthorizedBody());
    return;
  }
  if (raw !== '' && typeof body === 'string') {
    send(422, {
      detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }],
    });
    return;
  }
  const details = validate(body);
  if (details.length > 0) {
    send(422, { detail: details });
    return;
  }
  const chat = body as ChatRequest;
  if (!modelNames(core).includes(chat.model)) {
    send(400, {
      object: 'error',
      message: `Invalid model: ${chat.model}`,
      type: 'invalid_model',
      code: '1500',
    });
    return;
  }
  const card = cardOf(core, chat.model);
  const refs = mediaRefs(chat.messages);
  const refusal = capabilityRefusal(
    card,
    chat,
    refs.images.length,
    refs.documents.length,
    MAX_IMAGES_PER_REQUEST,
  );
  if (refusal) {
    send(400, invalidArgsBody(refusal));
    return;
  }
  let media: Awaited<ReturnType<typeof measureMedia>>;
  try {
    media = await measureMedia(refs, chat.model, config.charsPerToken);
  } catch (error) {
    if (!(error instanceof MediaError)) throw error;
    send(400, invalidArgsBody(error.message));
    return;
  }
  if (media.images.length > 0) record.images = media.images;
  if (media.documents.length > 0) record.documents = media.documents;

  const model = chat.model;
  const limits = limitsOf(core, model);
  const state = modelState(core, model);
  state.window = state.window.filter((e) => e.at > at - MINUTE_MS);
  const effort =
    chat.reasoning_effort ?? (card.capabilities.reasoning ? card.defaultReasoningEffort : 'none');
  const plan = planCompletion(chat, config.answer, {
    charsPerToken: config.charsPerToken,
    mediaTokens: [...media.images, ...media.documents].reduce((n, m) => n + m.tokens, 0),
    ...(card.capabilities.reasoning && effort !== 'none' ? { thinking: config.thinking(chat) } : {}),
  });
  const cost = plan.usage.total_tokens;
  const headersNow = (charged: number): Headers =>
    rateHeaders(limits, state, at, charged, config.legacyHeaders);
  const reject = (headers: Headers = headersNow(0)): void => send(429, RATE_LIMIT_BODY, headers);

  if (insideRetryAfter) {
    reject({ ...headersNow(0), 'retry-after': String(Math.ceil((core.state.notBefore - at) / 1000)) });
    return;
  }
  const spacing = 1000 / config.rps;
  // Absolute: a request whose media took long to load is judged at its arrival, not after a later one.
  if (core.state.lastAcceptedAt !== undefined && Math.abs(at - core.state.lastAcceptedAt) < spacing) {
    violate(
      core,
      `request too early: completion #${completions(core).length} (${model}) arrived ` +
        `${Math.abs(at - core.state.lastAcceptedAt).toFixed(1)} ms from the last accepted one (spacing ${spacing.toFixed(1)} ms at ${config.rps} req/s)`,
    );
    reject();
    return;
  }
  if (
    limits.unavailable ||
    state.monthUsed + cost > limits.tokensPerMonth ||
    state.window.length >= limits.reqPerMinute
  ) {
    reject();
    return;
  }
  if (state.window.reduce((s, e) => s + e.tokens, 0) + cost > limits.tokensPerMinute) {
    reject();
    return;
  }

  const fault = takeFault(core);
  if (fault) record.fault = fault;
  if (fault?.kind === 'rate-limit') {
    const headers = headersNow(0);
    if (fault.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(fault.retryAfterSeconds);
      core.state.notBefore = Math.max(core.state.notBefore, at + fault.retryAfterSeconds * 1000);
    }
    reject(headers);
    return;
  }
  if (fault?.kind === 'quota-exhausted') {
    state.monthUsed = Math.max(state.monthUsed, limits.tokensPerMonth);
    reject();
    return;
  }

  // Accepted: from here on the request counts against pacing and, if the model answers, the windows.
  record.accepted = true;
  core.state.lastAcceptedAt = Math.max(core.state.lastAcceptedAt ?? at, at);
  const charged = fault === undefined || ['garbage', 'break-stream', 'no-usage'].includes(fault.kind);
  const entry = { at, tokens: charged ? cost : 0 };
  state.window.push(entry);
  if (charged) {
    state.monthUsed += cost;
    record.usage = plan.usage;
    if (plan.thinking !== '') record.thinkingTokens = Math.ceil(plan.thinking.length / config.charsPerToken);
  }
  const ac = new AbortController();
  core.state.open.add(ac);
  core.state.inFlight += 1;
  core.state.inFlightMax = Math.max(core.state.inFlightMax, core.state.inFlight);
  const finish = (): void => {
    ac.abort();
    core.state.open.delete(ac);
    core.state.inFlight -= 1;
  };
  // The client may already have gone while the body was read; then 'close' will not fire again.
  if (core.state.closed.has(res)) finish();
  else res.once('close', finish);
  const latency = typeof config.latency === 'function' ? config.latency(chat) : config.latency;
  const thinkingMs = typeof config.thinkingMs === 'function' ? config.thinkingMs(chat) : config.thinkingMs;
  await respond({
    res,
    record,
    plan,
    fault,
    signal: ac.signal,
    headers: headersNow(charged ? cost : 0),
    model,
    format: card.thinkingFormat,
    charsPerToken: config.charsPerToken,
    timing: { latency, firstTokenMs: config.firstTokenMs, thinkingMs },
    breakConnection: () => breakConnection(core, res),
    rebill: (usage) => {
      // A stream the client closed is billed what was generated, not the planned answer.
      const diff = cost - usage.total_tokens;
      entry.tokens -= diff;
      state.monthUsed -= diff;
      record.usage = usage;
    },
  });
}
