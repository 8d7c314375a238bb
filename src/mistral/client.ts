import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import diagnostics from 'node:diagnostics_channel';
// The SDK's standalone functions, not the `Mistral` class: the class loads every endpoint's
// schemas (about 170 MB of RSS); core + the streaming chat function are about 65 MB.
import { MistralCore } from '@mistralai/mistralai/core.js';
import { chatStream } from '@mistralai/mistralai/funcs/chatStream.js';
import { HTTPClient } from '@mistralai/mistralai/lib/http.js';
import { causedByIdleTimeout, IdleTimeout, idleTimeoutFetcher } from './idle-timeout-fetcher.ts';
import { RequestTimeoutError } from '@mistralai/mistralai/models/errors/httpclienterrors.js';
import { MistralError } from '@mistralai/mistralai/models/errors/mistralerror.js';
import { ResponseValidationError } from '@mistralai/mistralai/models/errors/responsevalidationerror.js';
import { SDKValidationError } from '@mistralai/mistralai/models/errors/sdkvalidationerror.js';
import type { ContentChunk } from '@mistralai/mistralai/models/components/contentchunk.js';
import type { ReasoningEffort } from '@mistralai/mistralai/models/components/reasoningeffort.js';
import {
  parseRateLimitHeaders,
  saysMonthSpent,
  saysUnavailable,
  type RateLimitSnapshot,
} from './rate-limit-headers.ts';
import type { ModelCard, RequestRefusal } from './models.ts';

/** Why one upstream attempt failed, translated at this edge so nothing above sees SDK types. */
export type UpstreamFailureKind =
  | 'rate_limited'
  | 'quota_exhausted'
  | 'model_unavailable'
  | 'server_error'
  | 'timed_out'
  | 'network'
  | 'malformed'
  | 'bad_request'
  | 'unknown_model'
  | 'unauthorized';

const RETRYABLE: ReadonlySet<UpstreamFailureKind> = new Set([
  'rate_limited',
  'server_error',
  'timed_out',
  'network',
  'malformed',
]);

/** A failed upstream attempt. `cause` keeps the SDK error for the log. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamFailureKind;
  readonly status: number | undefined;
  /** The wait the server asked for (Retry-After), if it stated one. */
  readonly retryAfterMs: number | undefined;
  readonly model: string | undefined;
  /** For a `bad_request`: what Mistral said the model does not take (images, documents, an effort). */
  readonly refusal: RequestRefusal | undefined;
  constructor(
    kind: UpstreamFailureKind,
    message: string,
    details: {
      status?: number;
      retryAfterMs?: number;
      model?: string;
      cause?: unknown;
      refusal?: RequestRefusal;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.model = details.model;
    this.refusal = details.refusal;
  }
  /** Whether another attempt later can succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** One piece of a message's content: text, an image (vision models) or a document. */
export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly url: string }
  | { readonly type: 'document_url'; readonly url: string; readonly name?: string };

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  /** Plain text, or parts when the message carries images or documents. */
  readonly content: string | readonly ContentPart[];
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  readonly temperature?: number;
  /** For models that reason (`none` … `xhigh`); absent = the model's default. */
  readonly reasoningEffort?: string;
}

/** One streamed piece: answer text, or the model's reasoning (thinking chunks). */
export interface StreamDelta {
  readonly text?: string;
  readonly thinking?: string;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface ChatResult {
  readonly content: string;
  /** The model's reasoning, when it thought before answering ('' otherwise). */
  readonly reasoning: string;
  readonly finishReason: string;
  /** As Mistral reported it; `undefined` when the response carried none (rare, seen on streams). */
  readonly usage: TokenUsage | undefined;
}

/** The part of Mistral the bot uses. One call = one upstream attempt; retries belong to the gate. */
export interface MistralApi {
  complete(request: ChatRequest): Promise<ChatResult>;
  /**
   * Streams the answer, calling `onDelta` with each new piece of text or reasoning, and resolves
   * with the whole. `signal` closes the upstream request (a Stop button): the call then rejects
   * with {@link StreamStopped}, carrying what had arrived.
   */
  stream(
    request: ChatRequest,
    onDelta: (delta: StreamDelta) => void,
    signal?: AbortSignal,
  ): Promise<ChatResult>;
  /** IDs of the models this key can see (`GET /v1/models`). */
  listModels(): Promise<string[]>;
  /**
   * The cards of the models this key can see (`GET /v1/models`): what each takes (images,
   * documents, reasoning). Not paced by the chat gate: it is not a chat request.
   */
  listModelCards(): Promise<ModelCard[]>;
  /** Stops listening for sends. */
  close(): void;
}

export interface MistralApiOptions {
  readonly serverUrl: string;
  readonly apiKey: string;
  /** An attempt is abandoned when no byte has arrived for this long. */
  readonly timeoutMs: number;
  /** Awaited right before a chat request leaves, so pacing is measured where it matters. */
  readonly beforeSend?: () => Promise<void>;
  /**
   * Called when a chat request's headers are actually written to the socket. The first request
   * on a new connection leaves 10–25 ms after `fetch()` is called (seen on loopback); pacing
   * from this moment keeps that delay from shrinking the gap to the next request.
   */
  readonly onSent?: () => void;
  /** Called with every chat response's rate-limit headers (successes and failures). */
  readonly onLimits?: (model: string, limits: RateLimitSnapshot) => void;
}

/** Node's fetch (undici) publishes here when a request's headers go out on the socket. */
const SEND_HEADERS_CHANNEL = 'undici:client:sendHeaders';

interface CallContext {
  readonly model: string;
  /** Aborts this call's HTTP request (our own fetcher links it to its controller). */
  readonly signal?: AbortSignal | undefined;
  limits?: RateLimitSnapshot;
}

/** A stream closed on purpose by its caller (`signal` aborted); never retried. */
export class StreamStopped extends Error {
  override readonly name = 'StreamStopped';
  readonly partial: {
    readonly content: string;
    readonly reasoning: string;
    readonly usage: TokenUsage | undefined;
  };
  constructor(partial: StreamStopped['partial']) {
    super('The stream was stopped by its caller');
    this.partial = partial;
  }
}

/**
 * Builds the Mistral adapter over the official SDK: SDK retries off, a fetcher that owns the
 * timeout (the SDK's own signal is unreliable on Node, undici#4068), and every failure
 * translated into an {@link UpstreamError}.
 */
export function createMistralApi(options: MistralApiOptions): MistralApi {
  const calls = new AsyncLocalStorage<CallContext>();
  const httpClient = new HTTPClient({
    fetcher: idleTimeoutFetcher(options.timeoutMs, options.beforeSend, () => calls.getStore()?.signal),
  });
  httpClient.addHook('response', (res) => {
    const ctx = calls.getStore();
    if (!ctx) return;
    ctx.limits = parseRateLimitHeaders(res.headers);
    options.onLimits?.(ctx.model, ctx.limits);
  });
  const origin = new URL(options.serverUrl).origin;
  const onSendHeaders = (message: unknown) => {
    const req = (message as { request?: { origin?: unknown; path?: unknown; method?: unknown } }).request;
    if (
      req?.method === 'POST' &&
      String(req.origin) === origin &&
      typeof req.path === 'string' &&
      req.path.endsWith('/chat/completions')
    ) {
      options.onSent?.();
    }
  };
  if (options.onSent) diagnostics.subscribe(SEND_HEADERS_CHANNEL, onSendHeaders);
  const sdk = new MistralCore({
    apiKey: options.apiKey,
    serverURL: options.serverUrl,
    httpClient,
    retryConfig: { strategy: 'none' },
  });
  const body = (r: ChatRequest) => ({
    model: r.model,
    messages: r.messages.map(sdkMessage),
    maxTokens: r.maxTokens,
    ...(r.temperature === undefined ? {} : { temperature: r.temperature }),
    // An open enum in the SDK: values it does not know yet still go through.
    ...(r.reasoningEffort === undefined ? {} : { reasoningEffort: r.reasoningEffort as ReasoningEffort }),
  });

  return {
    complete(request) {
      const ctx: CallContext = { model: request.model };
      return calls.run(ctx, async () => {
        try {
          // Only the doctor asks for whole answers: that endpoint's schemas load on first use.
          const { chatComplete } = await import('@mistralai/mistralai/funcs/chatComplete.js');
          const res = unwrap(await chatComplete(sdk, body(request)));
          const choice = res.choices[0];
          if (!choice)
            throw new UpstreamError('malformed', 'Mistral returned no choices', { model: request.model });
          const parts = new ThinkingSplitter();
          parts.push(choice.message?.content);
          parts.flush();
          return {
            content: parts.text,
            reasoning: parts.thinking.trim(),
            finishReason: choice.finishReason,
            usage: usageOf(res.usage),
          };
        } catch (error) {
          throw translate(error, ctx);
        }
      });
    },
    stream(request, onDelta, signal) {
      const ctx: CallContext = { model: request.model, signal };
      return calls.run(ctx, async () => {
        const parts = new ThinkingSplitter();
        let finishReason = '';
        let usage: TokenUsage | undefined;
        const partial = () => ({ content: parts.text, reasoning: parts.thinking.trim(), usage });
        try {
          signal?.throwIfAborted();
          const events = unwrap(await chatStream(sdk, body(request)));
          for await (const event of events) {
            const chunk = event.data;
            usage = usageOf(chunk.usage) ?? usage;
            const choice = chunk.choices[0];
            if (!choice) continue;
            const delta = parts.push(choice.delta.content);
            if (delta.text || delta.thinking) onDelta(delta);
            if (choice.finishReason) finishReason = choice.finishReason;
          }
          // Text held back because it might have opened a <think> tag is the answer after all.
          const tail = parts.flush();
          if (tail.text) onDelta(tail);
        } catch (error) {
          if (signal?.aborted) throw new StreamStopped(partial());
          throw Object.assign(translate(error, ctx), { partial: partial() });
        }
        if (signal?.aborted && !finishReason) throw new StreamStopped(partial());
        if (!finishReason) {
          throw Object.assign(
            new UpstreamError('network', 'The stream ended before the answer was finished', {
              model: request.model,
            }),
            { partial: partial() },
          );
        }
        return { ...partial(), finishReason };
      });
    },
    close() {
      if (options.onSent) diagnostics.unsubscribe(SEND_HEADERS_CHANNEL, onSendHeaders);
    },
    async listModels() {
      try {
        // Only the doctor lists models: load that endpoint's schemas on demand.
        const { modelsList } = await import('@mistralai/mistralai/funcs/modelsList.js');
        const list = unwrap(await modelsList(sdk));
        return (list.data ?? []).flatMap((m) => ('id' in m && typeof m.id === 'string' ? [m.id] : []));
      } catch (error) {
        throw translate(error, { model: '' });
      }
    },
    async listModelCards() {
      // A plain request, not the SDK's modelsList: its schemas cost about 9 MB of memory for the
      // three fields read here.
      let response: Response;
      try {
        response = await fetch(`${options.serverUrl.replace(/\/+$/, '')}/v1/models`, {
          headers: { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        throw error instanceof Error && error.name === 'TimeoutError'
          ? new UpstreamError('timed_out', 'Mistral did not answer in time', { cause: error })
          : new UpstreamError('network', 'Could not reach Mistral', { cause: error });
      }
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        throw statusError(response.status, body, response.headers, { model: '' });
      }
      const parsed = MODEL_LIST.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success)
        throw new UpstreamError('malformed', 'Mistral sent a model list that could not be read', {
          cause: parsed.error,
        });
      return parsed.data.data.map((m) => ({
        id: m.id,
        aliases: m.aliases ?? [],
        capabilities: {
          vision: m.capabilities?.vision === true,
          documents: m.capabilities?.ocr === true,
          reasoning: m.capabilities?.reasoning === true,
        },
      }));
    },
  };
}

/** What the bot reads of `GET /v1/models`: each card's ID, aliases and three capabilities. */
const MODEL_LIST = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      aliases: z.array(z.string()).nullish(),
      capabilities: z
        .object({
          vision: z.boolean().nullish(),
          ocr: z.boolean().nullish(),
          reasoning: z.boolean().nullish(),
        })
        .nullish(),
    }),
  ),
});

/** The SDK's standalone functions return results; failures carry the same error classes. */
function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** What a broken stream had delivered before it broke, attached to the thrown {@link UpstreamError}. */
export function partialOf(
  error: unknown,
): { content: string; reasoning: string; usage: TokenUsage | undefined } | undefined {
  if (error instanceof UpstreamError && 'partial' in error) {
    return error.partial as { content: string; reasoning: string; usage: TokenUsage | undefined };
  }
  return undefined;
}

function sdkMessage(m: ChatMessage) {
  const content = sdkContent(m.content);
  switch (m.role) {
    case 'system':
      return {
        role: 'system' as const,
        content: typeof content === 'string' ? content : textChunks(content),
      };
    case 'assistant':
      return { role: 'assistant' as const, content };
    case 'user':
      return { role: 'user' as const, content };
  }
}

/** System messages take text only. */
function textChunks(chunks: ContentChunk[]): Array<{ type: 'text'; text: string }> {
  return chunks.flatMap((c) => (c.type === 'text' ? [{ type: 'text' as const, text: c.text }] : []));
}

function sdkContent(content: ChatMessage['content']): string | ContentChunk[] {
  if (typeof content === 'string') return content;
  return content.map((part): ContentChunk => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image_url':
        return { type: 'image_url', imageUrl: part.url };
      case 'document_url':
        return {
          type: 'document_url',
          documentUrl: part.url,
          ...(part.name ? { documentName: part.name } : {}),
        };
    }
  });
}

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

/**
 * Separates an answer's text from the model's reasoning, whatever shape Mistral sends: content as a
 * plain string; as a list of chunks where `thinking` chunks hold the reasoning (streamed: first a
 * list with a thinking chunk, then one with the closing thinking chunk and the first text, then
 * strings); or, on older magistral models, literal `<think>…</think>` tags at the start of the text.
 * Feed it every delta in order; it returns what each one added.
 */
export class ThinkingSplitter {
  text = '';
  thinking = '';
  /** Inside a literal <think> block; undefined until the text shows whether one opens it. */
  #inTag: boolean | undefined;
  /** Just after `</think>`: whitespace that separates the block from the answer is dropped, however it is cut. */
  #afterClose = false;
  #held = '';

  push(content: string | readonly ContentChunk[] | null | undefined): StreamDelta {
    let text = '';
    let thinking = '';
    if (typeof content === 'string') {
      ({ text, thinking } = this.#literal(content));
    } else if (content) {
      for (const chunk of content) {
        if (chunk.type === 'thinking' && 'thinking' in chunk) {
          for (const inner of chunk.thinking)
            if ('text' in inner && typeof inner.text === 'string') thinking += inner.text;
        } else if ('text' in chunk && typeof chunk.text === 'string') {
          const more = this.#literal(chunk.text);
          text += more.text;
          thinking += more.thinking;
        }
      }
    }
    this.text += text;
    this.thinking += thinking;
    return { ...(text ? { text } : {}), ...(thinking ? { thinking } : {}) };
  }

  /**
   * Ends the content: text held back because it could still have become `<think>` is answer text
   * after all (an answer that is just `<th`), and an unclosed think block's held tail is reasoning.
   * Returns what it added.
   */
  flush(): StreamDelta {
    const held = this.#held;
    this.#held = '';
    if (held === '') return {};
    if (this.#inTag === true) {
      this.thinking += held;
      return { thinking: held };
    }
    this.#inTag = false;
    this.text += held;
    return { text: held };
  }

  /** Plain text that may carry literal think tags (only at the very start of the answer). */
  #literal(piece: string): { text: string; thinking: string } {
    if (this.#inTag === false) {
      if (!this.#afterClose) return { text: piece, thinking: '' };
      const text = piece.replace(/^\s+/, '');
      if (text !== '') this.#afterClose = false;
      return { text, thinking: '' };
    }
    let rest = this.#held + piece;
    this.#held = '';
    if (this.#inTag === undefined) {
      const start = rest.trimStart();
      if (start.length < THINK_OPEN.length && THINK_OPEN.startsWith(start)) {
        this.#held = rest; // could still become "<think>"
        return { text: '', thinking: '' };
      }
      if (!start.startsWith(THINK_OPEN)) {
        this.#inTag = false;
        return { text: rest, thinking: '' };
      }
      this.#inTag = true;
      rest = start.slice(THINK_OPEN.length);
    }
    const close = rest.indexOf(THINK_CLOSE);
    if (close >= 0) {
      this.#inTag = false;
      const text = rest.slice(close + THINK_CLOSE.length).replace(/^\s+/, '');
      this.#afterClose = text === '';
      return { thinking: rest.slice(0, close), text };
    }
    // Keep a possible partial closing tag for the next piece.
    let keep = 0;
    for (let k = Math.min(THINK_CLOSE.length - 1, rest.length); k > 0; k--) {
      if (THINK_CLOSE.startsWith(rest.slice(-k))) {
        keep = k;
        break;
      }
    }
    this.#held = rest.slice(rest.length - keep);
    return { thinking: rest.slice(0, rest.length - keep), text: '' };
  }
}

function usageOf(
  u:
    | {
        promptTokens?: number | undefined;
        completionTokens?: number | undefined;
        totalTokens?: number | undefined;
      }
    | undefined,
): TokenUsage | undefined {
  if (!u || typeof u.promptTokens !== 'number' || typeof u.completionTokens !== 'number') return undefined;
  return {
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    totalTokens: u.totalTokens ?? u.promptTokens + u.completionTokens,
  };
}

function translate(error: unknown, ctx: CallContext): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const model = ctx.model || undefined;
  if (error instanceof IdleTimeout || error instanceof RequestTimeoutError || causedByIdleTimeout(error)) {
    return new UpstreamError('timed_out', 'Mistral did not answer in time', { model, cause: error });
  }
  // The SDK lets a non-JSON body through as SyntaxError and a bad stream chunk as ZodError.
  if (
    error instanceof ResponseValidationError ||
    error instanceof SDKValidationError ||
    error instanceof SyntaxError ||
    (error instanceof Error && error.name === 'ZodError')
  ) {
    return new UpstreamError('malformed', 'Mistral sent a response that could not be read', {
      model,
      cause: error,
    });
  }
  if (error instanceof MistralError)
    return statusError(error.statusCode, error.body, error.headers, ctx, error);
  // ConnectionError, RequestAbortedError, undici's TypeError('fetch failed') and anything else.
  return new UpstreamError('network', 'Could not reach Mistral', { model, cause: error });
}

/** What an HTTP answer Mistral's client could not use means, read with its body and rate-limit headers. */
function statusError(
  status: number,
  body: string,
  headers: Headers,
  ctx: CallContext,
  cause?: unknown,
): UpstreamError {
  const model = ctx.model || undefined;
  const limits = ctx.limits ?? parseRateLimitHeaders(headers);
  const details = {
    status,
    model,
    cause,
    ...(limits.retryAfterMs === undefined ? {} : { retryAfterMs: limits.retryAfterMs }),
  };
  // A 2xx that failed to parse (HTML from a proxy, a wrong content type) is unreadable, not refused.
  if (status >= 200 && status < 300) {
    return new UpstreamError('malformed', 'Mistral sent a response that could not be read', details);
  }
  if (status === 429) {
    if (saysUnavailable(limits))
      return new UpstreamError(
        'model_unavailable',
        'This model is not available on this Mistral workspace',
        details,
      );
    if (saysMonthSpent(limits))
      return new UpstreamError('quota_exhausted', "This model's monthly quota is spent upstream", details);
    return new UpstreamError('rate_limited', 'Mistral rate limit reached', details);
  }
  if (status === 401 || status === 403)
    return new UpstreamError('unauthorized', 'Mistral rejected the API key', details);
  const refusal = status === 400 ? refusalOf(body) : undefined;
  if (refusal)
    return new UpstreamError('bad_request', 'Mistral refused what the request asks of this model', {
      ...details,
      refusal,
    });
  if (status === 400 && /model/i.test(body))
    return new UpstreamError('unknown_model', 'Mistral does not know this model', details);
  if (status >= 500) return new UpstreamError('server_error', `Mistral answered ${status}`, details);
  return new UpstreamError('bad_request', `Mistral refused the request (${status})`, details);
}

/**
 * What a 400 says the model does not take, from its message: images ("does not support image
 * input"), documents, or a `reasoning_effort` (with the efforts it names: "Must be one of (none,
 * high)"; none named when the model takes no effort at all). Matched loosely, by the words that
 * matter, since Mistral's wording is not a contract.
 */
export function refusalOf(body: string): RequestRefusal | undefined {
  let message = body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed)
      message = String(parsed.message);
  } catch {
    // Not JSON: read the text as it is.
  }
  const unsupported = /not supported|does not support|unsupported|not allowed/i.test(message);
  if (/reasoning_effort/i.test(message) && (unsupported || /must be one of/i.test(message))) {
    const listed = /one of[^([]*[([]([^)\]]*)[)\]]/i.exec(message)?.[1];
    const accepted = listed
      ?.split(',')
      .map((e) => e.trim().replace(/^['"]|['"]$/g, ''))
      .filter(Boolean);
    return { kind: 'effort', accepted: accepted && accepted.length > 0 ? accepted : undefined };
  }
  if (unsupported && /image/i.test(message)) return { kind: 'images' };
  if (unsupported && /document/i.test(message)) return { kind: 'documents' };
  return undefined;
}
