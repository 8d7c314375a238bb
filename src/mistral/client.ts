import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
// The SDK's standalone functions, not the `Mistral` class: the class loads every endpoint's
// schemas (about 170 MB of RSS); core + the chat functions are about 115 MB.
import { MistralCore } from '@mistralai/mistralai/core.js';
import { chatComplete } from '@mistralai/mistralai/funcs/chatComplete.js';
import { chatStream } from '@mistralai/mistralai/funcs/chatStream.js';
import { HTTPClient, type Fetcher } from '@mistralai/mistralai/lib/http.js';
import { RequestTimeoutError } from '@mistralai/mistralai/models/errors/httpclienterrors.js';
import { MistralError } from '@mistralai/mistralai/models/errors/mistralerror.js';
import { ResponseValidationError } from '@mistralai/mistralai/models/errors/responsevalidationerror.js';
import { SDKValidationError } from '@mistralai/mistralai/models/errors/sdkvalidationerror.js';
import type { ContentChunk } from '@mistralai/mistralai/models/components/contentchunk.js';
import {
  parseRateLimitHeaders,
  saysMonthSpent,
  saysUnavailable,
  type RateLimitSnapshot,
} from './rate-limit-headers.ts';

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
  constructor(
    kind: UpstreamFailureKind,
    message: string,
    details: { status?: number; retryAfterMs?: number; model?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.model = details.model;
  }
  /** Whether another attempt later can succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  readonly temperature?: number;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface ChatResult {
  readonly content: string;
  readonly finishReason: string;
  /** As Mistral reported it; `undefined` when the response carried none (rare, seen on streams). */
  readonly usage: TokenUsage | undefined;
}

/** The part of Mistral the bot uses. One call = one upstream attempt; retries belong to the gate. */
export interface MistralApi {
  complete(request: ChatRequest): Promise<ChatResult>;
  /** Streams the answer, calling `onDelta` with each new piece of text, and resolves with the whole. */
  stream(request: ChatRequest, onDelta: (text: string) => void): Promise<ChatResult>;
  /** IDs of the models this key can see (`GET /v1/models`). */
  listModels(): Promise<string[]>;
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
  limits?: RateLimitSnapshot;
}

/**
 * Builds the Mistral adapter over the official SDK: SDK retries off, a fetcher that owns the
 * timeout (the SDK's own signal is unreliable on Node, undici#4068), and every failure
 * translated into an {@link UpstreamError}.
 */
export function createMistralApi(options: MistralApiOptions): MistralApi {
  const calls = new AsyncLocalStorage<CallContext>();
  const httpClient = new HTTPClient({ fetcher: idleTimeoutFetcher(options.timeoutMs, options.beforeSend) });
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
    messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
    maxTokens: r.maxTokens,
    ...(r.temperature === undefined ? {} : { temperature: r.temperature }),
  });

  return {
    complete(request) {
      const ctx: CallContext = { model: request.model };
      return calls.run(ctx, async () => {
        try {
          const res = unwrap(await chatComplete(sdk, body(request)));
          const choice = res.choices[0];
          if (!choice)
            throw new UpstreamError('malformed', 'Mistral returned no choices', { model: request.model });
          return {
            content: textOf(choice.message?.content),
            finishReason: choice.finishReason,
            usage: usageOf(res.usage),
          };
        } catch (error) {
          throw translate(error, ctx);
        }
      });
    },
    stream(request, onDelta) {
      const ctx: CallContext = { model: request.model };
      return calls.run(ctx, async () => {
        let content = '';
        let finishReason = '';
        let usage: TokenUsage | undefined;
        try {
          const events = unwrap(await chatStream(sdk, body(request)));
          for await (const event of events) {
            const chunk = event.data;
            usage = usageOf(chunk.usage) ?? usage;
            const choice = chunk.choices[0];
            if (!choice) continue;
            const piece = textOf(choice.delta.content);
            if (piece) {
              content += piece;
              onDelta(piece);
            }
            if (choice.finishReason) finishReason = choice.finishReason;
          }
        } catch (error) {
          throw Object.assign(translate(error, ctx), { partial: { content, usage } });
        }
        if (!finishReason) {
          throw Object.assign(
            new UpstreamError('network', 'The stream ended before the answer was finished', {
              model: request.model,
            }),
            { partial: { content, usage } },
          );
        }
        return { content, finishReason, usage };
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
  };
}

/** The SDK's standalone functions return results; failures carry the same error classes. */
function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** What a broken stream had delivered before it broke, attached to the thrown {@link UpstreamError}. */
export function partialOf(error: unknown): { content: string; usage: TokenUsage | undefined } | undefined {
  if (error instanceof UpstreamError && 'partial' in error) {
    return error.partial as { content: string; usage: TokenUsage | undefined };
  }
  return undefined;
}

function textOf(content: string | ContentChunk[] | null | undefined): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((c) => ('text' in c && typeof c.text === 'string' ? c.text : '')).join('');
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

class IdleTimeout extends Error {
  override readonly name = 'IdleTimeout';
}

/**
 * A fetch that aborts an attempt when nothing has arrived for `timeoutMs` (before the headers
 * or between body chunks), using its own AbortController and timer, and that awaits
 * `beforeSend` right before a chat request leaves.
 */
export function idleTimeoutFetcher(timeoutMs: number, beforeSend?: () => Promise<void>): Fetcher {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (beforeSend && /\/chat\/completions$/.test(new URL(url).pathname)) await beforeSend();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new IdleTimeout(`no data for ${timeoutMs} ms`)), timeoutMs);
      // A body its reader abandoned never reaches flush(); the timer must not hold the process open.
      timer.unref();
    };
    const outer = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (outer) {
      if (outer.aborted) controller.abort(outer.reason);
      else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
    }
    arm();
    let res: Response;
    try {
      res = await fetch(input as string | URL | Request, { ...init, signal: controller.signal });
    } catch (error) {
      clearTimeout(timer);
      throw controller.signal.reason instanceof IdleTimeout ? controller.signal.reason : error;
    }
    if (!res.body) {
      clearTimeout(timer);
      return res;
    }
    arm();
    const watched = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, sink) {
          arm();
          sink.enqueue(chunk);
        },
        flush() {
          clearTimeout(timer);
        },
      }),
    );
    return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
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
  if (error instanceof MistralError) {
    const limits = ctx.limits ?? parseRateLimitHeaders(error.headers);
    const status = error.statusCode;
    const details = {
      status,
      model,
      cause: error,
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
    if (status === 400 && /model/i.test(error.body))
      return new UpstreamError('unknown_model', 'Mistral does not know this model', details);
    if (status >= 500) return new UpstreamError('server_error', `Mistral answered ${status}`, details);
    return new UpstreamError('bad_request', `Mistral refused the request (${status})`, details);
  }
  // ConnectionError, RequestAbortedError, undici's TypeError('fetch failed') and anything else.
  return new UpstreamError('network', 'Could not reach Mistral', { model, cause: error });
}

function causedByIdleTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof IdleTimeout) return true;
    current = current.cause;
  }
  return false;
}
