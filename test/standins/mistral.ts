/**
 * A local stand-in for the Mistral chat API that enforces the free tier's limits strictly, so tests can
 * point the real `@mistralai/mistralai` SDK at it (`serverURL: standIn.url`) and check that the bot
 * paces, budgets and recovers the way it must against the real service. It listens on loopback only.
 *
 * Order of checks for `POST /v1/chat/completions`, mirroring what a client sees from Mistral:
 * 401 (bearer key) → 422 (body validation) → 400 (unknown model) → 429 (Retry-After window, requests per
 * second, model not on the plan, month quota, requests per minute, tokens per minute) → injected fault →
 * answer. Only requests that pass every limit are "accepted": they alone move the requests-per-second
 * clock and fill the per-model windows, like the real limiter.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

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
  readonly [key: string]: unknown;
}

/** Per-model limits. Missing numbers fall back to the default entry. */
export interface ModelLimits {
  readonly reqPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly tokensPerMonth?: number;
  /** The model is not on this workspace's plan: every call is a 429 with `limit-…: 0` headers. */
  readonly unavailable?: boolean;
}

/**
 * A failure the next accepted completion(s) will show instead of a normal answer.
 * - `rate-limit`: 429, with `Retry-After` when `retryAfterSeconds` is given; requests that arrive inside
 *   that wait are recorded as violations (and get 429 too).
 * - `server-error`: 500 (or the given status) with a JSON error body.
 * - `hang`: headers are never sent; the response stays open until the client aborts or `close()`.
 * - `garbage`: 200 whose body is not JSON (`not-json`, default), JSON of the wrong shape (`wrong-shape`),
 *   or an HTML page (`html`, wrong content type). Streams get the same inside `data:` lines.
 * - `break-stream`: writes `afterChunks` SSE events (the role chunk counts) and destroys the socket. On a
 *   non-stream request, 0 destroys the socket before any response and > 0 sends half the JSON body first.
 * - `no-usage`: the body (or the stream's last chunk) has no `usage`.
 * - `quota-exhausted`: 429 with `x-ratelimit-remaining-tokens-month: 0`; the model's month is marked spent
 *   (it stays spent until `reset()`), as when the quota ran out upstream.
 */
export type Fault =
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'server-error'; readonly status?: 500 | 502 | 503 }
  | { readonly kind: 'hang' }
  | { readonly kind: 'garbage'; readonly shape?: 'not-json' | 'wrong-shape' | 'html' }
  | { readonly kind: 'break-stream'; readonly afterChunks: number }
  | { readonly kind: 'no-usage' }
  | { readonly kind: 'quota-exhausted' };

/** Token counts in the API's wire shape. */
export interface WireUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** What the stand-in saw and did, one entry per HTTP request (completions, model lists, 404s alike). */
export interface RecordedRequest {
  /** `performance.now()` when the request reached the handler: the arrival the limiter judges. */
  readonly at: number;
  readonly wallAt: number;
  readonly method: string;
  readonly path: string;
  model?: string;
  messages?: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  stream: boolean;
  /** The status sent, or null while nothing has been sent (and forever for a hang). */
  status: number | null;
  /** Passed every limit (counts for pacing and windows). Faulted 5xx/hang/garbage requests count too. */
  accepted: boolean;
  fault?: Fault;
  /** Tokens charged to the model's windows (only for requests that produced an answer). */
  usage?: WireUsage;
  /** The client closed the connection before the response ended (an abort or timeout on its side). */
  closedByClient: boolean;
  /** The parsed JSON body, or the raw text when it did not parse. */
  body: unknown;
}

/** Options of {@link startMistralStandIn}; each has a setter on the returned stand-in too. */
export interface MistralStandInOptions {
  /** Workspace-wide pace (default 1). A completion arriving < 1000/rps ms after the last accepted one is a 429. */
  readonly requestsPerSecond?: number;
  /** Total time an answer takes from arrival (default 50 ms). */
  readonly latencyMs?: number | ((req: ChatRequest) => number);
  /** When the first stream chunk goes out, capped by the latency (default 100 ms). */
  readonly firstTokenMs?: number;
  /** The completion text (default {@link defaultAnswer}). */
  readonly answer?: (req: ChatRequest) => string;
  /** Limits per model name. */
  readonly models?: Readonly<Record<string, ModelLimits>>;
  /** Limits for known models absent from `models` (default 500k tokens/min, 1B tokens/month). */
  readonly defaultModelLimits?: ModelLimits;
  /** Model names the API accepts and `GET /v1/models` lists; names in `models` are known too. */
  readonly knownModels?: readonly string[];
  /** Send the older `ratelimitbysize-*` headers instead of `x-ratelimit-*`. */
  readonly legacyHeaders?: boolean;
  /** The bearer key every request must carry (default `test-key`). */
  readonly apiKey?: string;
}

/** The body of every 429, exactly as Mistral sends it. */
export const RATE_LIMIT_BODY = {
  object: 'error',
  message: 'Rate limit exceeded',
  type: 'rate_limited',
  code: '1300',
} as const;

/** Models the stand-in knows by default: a plausible free workspace. */
export const DEFAULT_KNOWN_MODELS: readonly string[] = Object.freeze([
  'mistral-small-latest',
  'mistral-small-2503',
  'mistral-medium-latest',
  'mistral-large-latest',
  'mistral-large-2411',
  'open-mistral-nemo',
  'open-mistral-7b',
  'codestral-latest',
  'ministral-8b-latest',
  'ministral-3b-latest',
  'pixtral-12b-2409',
]);

/** The free tier's 2024 per-model figures, used for known models without their own entry. */
export const DEFAULT_MODEL_LIMITS = Object.freeze({
  tokensPerMinute: 500_000,
  tokensPerMonth: 1_000_000_000,
}) satisfies ModelLimits;

/** Fields Mistral's chat endpoint accepts (the SDK 2.7 request schema); anything else is a 422. */
const ALLOWED_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'metadata',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'reasoning_effort',
  'prompt_mode',
  'guardrails',
  'prompt_cache_key',
  'service_tier',
  'safe_prompt',
]);
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const MINUTE_MS = 60_000;

/** The plain text of a message's content: strings as they are, text chunks joined, anything else empty. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((chunk: unknown) => (isRecord(chunk) && typeof chunk['text'] === 'string' ? chunk['text'] : ''))
    .join('');
}

/** Prompt tokens as the stand-in counts them: per message `ceil(chars / 4) + 4`. */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + Math.ceil(messageText(m.content).length / 4) + 4, 0);
}

/** Completion tokens as the stand-in counts them: `ceil(chars / 4)`, at least 1. */
export function countCompletionTokens(answer: string): number {
  return Math.max(1, Math.ceil(answer.length / 4));
}

/** Cuts an answer to `maxTokens` of the stand-in's tokens (4 characters each). */
export function truncateToTokens(answer: string, maxTokens: number): string {
  return answer.slice(0, Math.max(0, maxTokens) * 4);
}

/** The default completion: one short sentence that depends only on the prompt's length. */
export function defaultAnswer(req: ChatRequest): string {
  const chars = req.messages.reduce((sum, m) => sum + messageText(m.content).length, 0);
  return `This is the stand-in answer to a prompt of ${chars} characters.`;
}

/** The text, finish reason and usage the stand-in will produce for a request. */
export function planCompletion(
  req: ChatRequest,
  answer: (req: ChatRequest) => string = defaultAnswer,
): { content: string; finishReason: 'stop' | 'length'; usage: WireUsage } {
  const full = answer(req);
  const max = req.max_tokens;
  const cut = typeof max === 'number' && countTokensRaw(full) > max;
  const content = cut ? truncateToTokens(full, max) : full;
  const prompt = countPromptTokens(req.messages);
  const completion = countCompletionTokens(content);
  return {
    content,
    finishReason: cut ? 'length' : 'stop',
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

function countTokensRaw(text: string): number {
  return Math.ceil(text.length / 4);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

/** Checks a body the way Mistral's FastAPI layer does; returns pydantic-style details, empty when valid. */
function validate(body: unknown): ValidationDetail[] {
  if (!isRecord(body)) {
    return [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be an object', input: body }];
  }
  const details: ValidationDetail[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!ALLOWED_FIELDS.has(key)) {
      details.push({
        type: 'extra_forbidden',
        loc: ['body', key],
        msg: 'Extra inputs are not permitted',
        input: value,
      });
    }
  }
  const model = body['model'];
  if (model === undefined) details.push({ type: 'missing', loc: ['body', 'model'], msg: 'Field required' });
  else if (typeof model !== 'string') {
    details.push({
      type: 'string_type',
      loc: ['body', 'model'],
      msg: 'Input should be a valid string',
      input: model,
    });
  }
  const messages = body['messages'];
  if (messages === undefined) {
    details.push({ type: 'missing', loc: ['body', 'messages'], msg: 'Field required' });
  } else if (!Array.isArray(messages)) {
    details.push({
      type: 'list_type',
      loc: ['body', 'messages'],
      msg: 'Input should be a valid list',
      input: messages,
    });
  } else if (messages.length === 0) {
    details.push({
      type: 'too_short',
      loc: ['body', 'messages'],
      msg: 'List should have at least 1 item after validation, not 0',
      input: messages,
    });
  } else {
    messages.forEach((m: unknown, i) => {
      if (!isRecord(m) || typeof m['role'] !== 'string' || !ROLES.has(m['role'])) {
        details.push({
          type: 'union_tag_invalid',
          loc: ['body', 'messages', i],
          msg: "Input tag does not match any of the expected tags: 'system', 'user', 'assistant', 'tool'",
          input: m,
        });
        return;
      }
      const blankAllowed = m['role'] === 'assistant' && (m['tool_calls'] != null || m['prefix'] === true);
      if (!blankAllowed && messageText(m['content']).trim() === '') {
        details.push({
          type: 'value_error',
          loc: ['body', 'messages', i, 'content'],
          msg: 'Value error, message content must not be blank',
          input: m['content'],
        });
      }
    });
  }
  const maxTokens = body['max_tokens'];
  if (maxTokens != null && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 0)) {
    details.push({
      type: 'int_type',
      loc: ['body', 'max_tokens'],
      msg: 'Input should be a valid non-negative integer',
      input: maxTokens,
    });
  }
  const temperature = body['temperature'];
  if (temperature != null && typeof temperature !== 'number') {
    details.push({
      type: 'float_type',
      loc: ['body', 'temperature'],
      msg: 'Input should be a valid number',
      input: temperature,
    });
  }
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') {
    details.push({
      type: 'bool_type',
      loc: ['body', 'stream'],
      msg: 'Input should be a valid boolean',
      input: stream,
    });
  }
  return details;
}

interface ModelState {
  /** Accepted requests of the last minute: arrival and the tokens they were charged. */
  window: { at: number; tokens: number }[];
  monthUsed: number;
}

interface EffectiveLimits {
  reqPerMinute: number;
  tokensPerMinute: number;
  tokensPerMonth: number;
  unavailable: boolean;
}

type Headers = Record<string, string>;

/** A running stand-in. Create it with {@link startMistralStandIn}. */
export class MistralStandIn {
  readonly #server: Server;
  readonly #url: string;
  #rps = 1;
  #latency: number | ((req: ChatRequest) => number) = 50;
  #firstTokenMs = 100;
  #answer: (req: ChatRequest) => string = defaultAnswer;
  #models: Record<string, ModelLimits> = {};
  #defaultLimits: ModelLimits = DEFAULT_MODEL_LIMITS;
  #knownModels: readonly string[] = DEFAULT_KNOWN_MODELS;
  #legacyHeaders = false;
  #apiKey = 'test-key';

  #requests: RecordedRequest[] = [];
  #violations: string[] = [];
  #faults: { fault: Fault; remaining: number }[] = [];
  #state = new Map<string, ModelState>();
  #lastAcceptedAt: number | undefined;
  #notBefore = -Infinity;
  #inFlight = 0;
  #inFlightMax = 0;
  /** One controller per open response; `close()` aborts them all so every timer and hang ends. */
  readonly #open = new Set<AbortController>();
  #closing: Promise<void> | undefined;
  /** Responses the stand-in cut on purpose, so their 'close' is not blamed on the client. */
  readonly #broken = new WeakSet<ServerResponse>();
  readonly #closed = new WeakSet<ServerResponse>();

  /** @internal Use {@link startMistralStandIn}. */
  constructor(server: Server, url: string, opts: MistralStandInOptions) {
    this.#server = server;
    this.#url = url;
    if (opts.requestsPerSecond !== undefined) this.setRequestsPerSecond(opts.requestsPerSecond);
    if (opts.latencyMs !== undefined) this.setLatencyMs(opts.latencyMs);
    if (opts.firstTokenMs !== undefined) this.setFirstTokenMs(opts.firstTokenMs);
    if (opts.answer) this.setAnswer(opts.answer);
    if (opts.models) this.setModels(opts.models);
    if (opts.defaultModelLimits) this.setDefaultModelLimits(opts.defaultModelLimits);
    if (opts.knownModels) this.setKnownModels(opts.knownModels);
    if (opts.legacyHeaders !== undefined) this.setLegacyHeaders(opts.legacyHeaders);
    if (opts.apiKey !== undefined) this.setApiKey(opts.apiKey);
  }

  /** `http://127.0.0.1:PORT`, to pass to the SDK as `serverURL`. */
  get url(): string {
    return this.#url;
  }
  /** Every request so far, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }
  /** Completions that passed every limit (including ones then answered with a 5xx, hang or garbage fault). */
  get accepted(): number {
    return this.#completions().filter((r) => r.accepted).length;
  }
  /** Responses with status 429, whatever the reason. */
  get rejected429(): number {
    return this.#requests.filter((r) => r.status === 429).length;
  }
  /** Broken promises of the client: each completion that arrived while a stated Retry-After was running. */
  get violations(): readonly string[] {
    return this.#violations;
  }
  /** The most accepted completions that were running at the same time. */
  get inFlightMax(): number {
    return this.#inFlightMax;
  }
  /** Accepted completions running now. */
  get inFlight(): number {
    return this.#inFlight;
  }
  /** Arrival times (`performance.now()`) of accepted completions, ascending. */
  startTimes(): number[] {
    return this.#completions()
      .filter((r) => r.accepted)
      .map((r) => r.at);
  }
  /** Faults still waiting to be used. */
  pendingFaults(): number {
    return this.#faults.reduce((n, f) => n + f.remaining, 0);
  }
  /** Tokens and requests a model has been charged in the minute before `now`, and in the month. */
  usageOf(
    model: string,
    now = performance.now(),
  ): { minuteRequests: number; minuteTokens: number; monthTokens: number } {
    const state = this.#stateOf(model);
    const recent = state.window.filter((e) => e.at > now - MINUTE_MS);
    return {
      minuteRequests: recent.length,
      minuteTokens: recent.reduce((s, e) => s + e.tokens, 0),
      monthTokens: state.monthUsed,
    };
  }

  /** Makes the next `times` completions that would be accepted fail with `fault` (queued after earlier faults). */
  inject(fault: Fault, times = 1): void {
    if (times > 0) this.#faults.push({ fault, remaining: times });
  }

  setRequestsPerSecond(rps: number): void {
    if (!(rps > 0)) throw new RangeError('requestsPerSecond must be > 0 (Infinity disables the check)');
    this.#rps = rps;
  }
  setLatencyMs(latency: number | ((req: ChatRequest) => number)): void {
    this.#latency = latency;
  }
  setFirstTokenMs(ms: number): void {
    this.#firstTokenMs = ms;
  }
  setAnswer(answer: (req: ChatRequest) => string): void {
    this.#answer = answer;
  }
  /** Replaces all per-model limits. */
  setModels(models: Readonly<Record<string, ModelLimits>>): void {
    this.#models = { ...models };
  }
  /** Sets (or with `undefined` removes) one model's limits. */
  setModelLimits(model: string, limits: ModelLimits | undefined): void {
    if (limits) this.#models[model] = limits;
    else delete this.#models[model];
  }
  setDefaultModelLimits(limits: ModelLimits): void {
    this.#defaultLimits = { ...limits };
  }
  setKnownModels(models: readonly string[]): void {
    this.#knownModels = [...models];
  }
  setLegacyHeaders(legacy: boolean): void {
    this.#legacyHeaders = legacy;
  }
  setApiKey(key: string): void {
    this.#apiKey = key;
  }

  /** Forgets records, faults, windows, spent quotas and the Retry-After wait; keeps the configuration. */
  reset(): void {
    this.#requests = [];
    this.#violations = [];
    this.#faults = [];
    this.#state.clear();
    this.#lastAcceptedAt = undefined;
    this.#notBefore = -Infinity;
    this.#inFlightMax = this.#inFlight;
  }

  /** Ends every open response (hangs included) and stops the server. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const ac of this.#open) ac.abort();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  /** @internal The `request` listener. Arrival is taken before anything else runs. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const at = performance.now();
    const wallAt = Date.now();
    this.#route(req, res, at, wallAt).catch((err: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, {
          object: 'error',
          message: `Stand-in failure: ${String(err)}`,
          type: 'internal_server_error',
          code: '3000',
        });
      } else {
        this.#breakConnection(res);
      }
    });
  }

  #completions(): RecordedRequest[] {
    return this.#requests.filter((r) => r.path === '/v1/chat/completions' && r.method === 'POST');
  }

  #stateOf(model: string): ModelState {
    let state = this.#state.get(model);
    if (!state) {
      state = { window: [], monthUsed: 0 };
      this.#state.set(model, state);
    }
    return state;
  }

  #limitsOf(model: string): EffectiveLimits {
    const own = this.#models[model] ?? {};
    const fallbackRpm = Number.isFinite(this.#rps) ? Math.floor(60 * this.#rps) : 1_000_000;
    return {
      reqPerMinute: own.reqPerMinute ?? this.#defaultLimits.reqPerMinute ?? fallbackRpm,
      tokensPerMinute:
        own.tokensPerMinute ?? this.#defaultLimits.tokensPerMinute ?? DEFAULT_MODEL_LIMITS.tokensPerMinute,
      tokensPerMonth:
        own.tokensPerMonth ?? this.#defaultLimits.tokensPerMonth ?? DEFAULT_MODEL_LIMITS.tokensPerMonth,
      unavailable: own.unavailable ?? this.#defaultLimits.unavailable ?? false,
    };
  }

  #isKnown(model: string): boolean {
    return this.#knownModels.includes(model) || Object.hasOwn(this.#models, model);
  }

  async #route(req: IncomingMessage, res: ServerResponse, at: number, wallAt: number): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname.replace(/\/+$/, '');
    // Recorded before the body is read, so `requests` stays in arrival order.
    const record: RecordedRequest = {
      at,
      wallAt,
      method,
      path,
      stream: false,
      status: null,
      accepted: false,
      closedByClient: false,
      body: undefined,
    };
    this.#requests.push(record);
    const raw = await readBody(req);
    record.body = raw === '' ? undefined : raw;
    try {
      if (raw !== '') record.body = JSON.parse(raw);
    } catch {
      // Kept as text; the completion handler answers it with a 422.
    }
    res.on('close', () => {
      this.#closed.add(res);
      if (!res.writableFinished && !this.#closing && !this.#broken.has(res)) record.closedByClient = true;
    });
    const send = (status: number, payload: unknown, headers: Headers = {}): void => {
      record.status = status;
      sendJson(res, status, payload, headers);
    };

    if (path === '/v1/chat/completions' && method === 'POST') {
      await this.#complete(req, res, record, send, raw);
      return;
    }
    if (!this.#authorized(req)) {
      send(401, unauthorizedBody());
      return;
    }
    if (path === '/v1/models') {
      if (method === 'GET') send(200, this.#modelList());
      else send(405, { detail: 'Method Not Allowed' });
      return;
    }
    if (path === '/v1/chat/completions') {
      send(405, { detail: 'Method Not Allowed' });
      return;
    }
    send(404, { detail: 'Not Found' });
  }

  #authorized(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.#apiKey}`;
  }

  async #complete(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    send: (status: number, payload: unknown, headers?: Headers) => void,
    raw: string,
  ): Promise<void> {
    const at = record.at;
    const body = record.body;
    if (isRecord(body)) {
      if (typeof body['model'] === 'string') record.model = body['model'];
      if (Array.isArray(body['messages'])) record.messages = body['messages'] as ChatMessage[];
      if (typeof body['max_tokens'] === 'number') record.maxTokens = body['max_tokens'];
      if (typeof body['temperature'] === 'number') record.temperature = body['temperature'];
      record.stream = body['stream'] === true;
    }
    if (at < this.#notBefore) {
      this.#violations.push(
        `request inside Retry-After: completion #${this.#completions().length} (${record.model ?? '?'}) ` +
          `arrived ${Math.round(this.#notBefore - at)} ms before the stated wait ended`,
      );
    }
    if (!this.#authorized(req)) {
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
    if (!this.#isKnown(chat.model)) {
      send(400, {
        object: 'error',
        message: `Invalid model: ${chat.model}`,
        type: 'invalid_model',
        code: '1500',
      });
      return;
    }

    const model = chat.model;
    const limits = this.#limitsOf(model);
    const state = this.#stateOf(model);
    state.window = state.window.filter((e) => e.at > at - MINUTE_MS);
    const plan = planCompletion(chat, this.#answer);
    const cost = plan.usage.total_tokens;
    const reject = (headers: Headers = this.#rateHeaders(limits, state, at, 0)): void =>
      send(429, RATE_LIMIT_BODY, headers);

    if (at < this.#notBefore) {
      reject({
        ...this.#rateHeaders(limits, state, at, 0),
        'retry-after': String(Math.ceil((this.#notBefore - at) / 1000)),
      });
      return;
    }
    if (this.#lastAcceptedAt !== undefined && at - this.#lastAcceptedAt < 1000 / this.#rps) {
      reject();
      return;
    }
    if (limits.unavailable) {
      reject();
      return;
    }
    if (state.monthUsed + cost > limits.tokensPerMonth) {
      reject();
      return;
    }
    if (state.window.length >= limits.reqPerMinute) {
      reject();
      return;
    }
    const minuteTokens = state.window.reduce((s, e) => s + e.tokens, 0);
    if (minuteTokens + cost > limits.tokensPerMinute) {
      reject();
      return;
    }

    const fault = this.#takeFault();
    if (fault) record.fault = fault;
    if (fault?.kind === 'rate-limit') {
      const headers = this.#rateHeaders(limits, state, at, 0);
      if (fault.retryAfterSeconds !== undefined) {
        headers['retry-after'] = String(fault.retryAfterSeconds);
        this.#notBefore = Math.max(this.#notBefore, at + fault.retryAfterSeconds * 1000);
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
    this.#lastAcceptedAt = at;
    const charged = fault === undefined || ['garbage', 'break-stream', 'no-usage'].includes(fault.kind);
    state.window.push({ at, tokens: charged ? cost : 0 });
    if (charged) {
      state.monthUsed += cost;
      record.usage = plan.usage;
    }
    const headers = this.#rateHeaders(limits, state, at, charged ? cost : 0);

    const ac = new AbortController();
    this.#open.add(ac);
    this.#inFlight += 1;
    this.#inFlightMax = Math.max(this.#inFlightMax, this.#inFlight);
    const finish = (): void => {
      ac.abort();
      this.#open.delete(ac);
      this.#inFlight -= 1;
    };
    // The client may already have gone while the body was read; then 'close' will not fire again.
    if (this.#closed.has(res)) finish();
    else res.once('close', finish);
    const latency = typeof this.#latency === 'function' ? this.#latency(chat) : this.#latency;
    const until = async (offsetMs: number): Promise<boolean> => {
      const wait = at + offsetMs - performance.now();
      try {
        if (wait > 0) await sleep(wait, undefined, { signal: ac.signal });
      } catch {
        return false;
      }
      return !ac.signal.aborted;
    };

    switch (fault?.kind) {
      case 'server-error': {
        const status = fault.status ?? 500;
        send(status, serverErrorBody(status), headers);
        return;
      }
      case 'hang':
        // Never answer; the 'close' listener above frees it when the client gives up or close() runs.
        return;
      case 'garbage':
        if (!(await until(latency))) return;
        sendGarbage(res, record, fault.shape ?? 'not-json', chat.stream === true, headers);
        return;
      default:
        break;
    }

    const id = randomBytes(16).toString('hex');
    const created = Math.floor(Date.now() / 1000);
    const withUsage = fault?.kind !== 'no-usage';
    const breakAfter = fault?.kind === 'break-stream' ? fault.afterChunks : undefined;

    if (chat.stream === true) {
      const events = streamEvents(id, created, model, plan, withUsage);
      const firstAt = Math.min(this.#firstTokenMs, latency);
      if (!(await until(firstAt))) return;
      record.status = 200;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
      res.flushHeaders();
      for (let i = 0; i < events.length; i++) {
        if (breakAfter !== undefined && i >= breakAfter) {
          this.#breakConnection(res);
          return;
        }
        // The role chunk goes at first-token time; content chunks spread evenly up to the full latency.
        const offset = i === 0 ? firstAt : firstAt + ((latency - firstAt) * i) / (events.length - 1);
        if (!(await until(offset))) return;
        await write(res, `data: ${JSON.stringify(events[i])}\n\n`);
      }
      if (breakAfter !== undefined) {
        this.#breakConnection(res);
        return;
      }
      res.end('data: [DONE]\n\n');
      return;
    }

    if (!(await until(latency))) return;
    const payload: Record<string, unknown> = {
      id,
      object: 'chat.completion',
      model,
      created,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: plan.content, tool_calls: null, prefix: false },
          finish_reason: plan.finishReason,
        },
      ],
    };
    if (withUsage) payload['usage'] = plan.usage;
    if (breakAfter !== undefined) {
      if (breakAfter <= 0) {
        this.#breakConnection(res);
        return;
      }
      const text = JSON.stringify(payload);
      record.status = 200;
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      await write(res, text.slice(0, Math.floor(text.length / 2)));
      this.#breakConnection(res);
      return;
    }
    send(200, payload, headers);
  }

  #breakConnection(res: ServerResponse): void {
    this.#broken.add(res);
    res.destroy();
  }

  #takeFault(): Fault | undefined {
    const next = this.#faults[0];
    if (!next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) this.#faults.shift();
    return next.fault;
  }

  /** The rate-limit headers for one response; `cost` is what this request was charged (0 if refused). */
  #rateHeaders(limits: EffectiveLimits, state: ModelState, now: number, cost: number): Headers {
    const recent = state.window.filter((e) => e.at > now - MINUTE_MS);
    const minuteTokens = recent.reduce((s, e) => s + e.tokens, 0);
    const zeroed = limits.unavailable;
    const reqLimit = zeroed ? 0 : limits.reqPerMinute;
    const tpmLimit = zeroed ? 0 : limits.tokensPerMinute;
    const monthLimit = zeroed ? 0 : limits.tokensPerMonth;
    const reqRemaining = Math.max(0, reqLimit - recent.length);
    const tpmRemaining = Math.max(0, tpmLimit - minuteTokens);
    const monthRemaining = Math.max(0, monthLimit - state.monthUsed);
    if (this.#legacyHeaders) {
      const oldest = recent[0];
      const reset = oldest ? Math.max(0, Math.ceil(Math.round(oldest.at + MINUTE_MS - now) / 1000)) : 0;
      return {
        'ratelimitbysize-limit': String(tpmLimit),
        'ratelimitbysize-remaining': String(tpmRemaining),
        'ratelimitbysize-reset': String(reset),
        'ratelimitbysize-query-cost': String(cost),
      };
    }
    return {
      'x-ratelimit-limit-req-minute': String(reqLimit),
      'x-ratelimit-remaining-req-minute': String(reqRemaining),
      'x-ratelimit-limit-tokens-minute': String(tpmLimit),
      'x-ratelimit-remaining-tokens-minute': String(tpmRemaining),
      'x-ratelimit-limit-tokens-month': String(monthLimit),
      'x-ratelimit-remaining-tokens-month': String(monthRemaining),
      'x-ratelimit-tokens-query-cost': String(cost),
    };
  }

  #modelList(): unknown {
    const names = [...new Set([...this.#knownModels, ...Object.keys(this.#models)])];
    return {
      object: 'list',
      data: names.map((id) => ({
        id,
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'mistralai',
        capabilities: {
          completion_chat: true,
          function_calling: true,
          completion_fim: id.startsWith('codestral'),
          fine_tuning: false,
          vision: id.startsWith('pixtral') || id.includes('small') || id.includes('medium'),
          classification: false,
        },
        name: id,
        description: `Stand-in entry for ${id}`,
        max_context_length: 131_072,
        aliases: [],
        deprecation: null,
        default_model_temperature: 0.3,
        type: 'base',
      })),
    };
  }
}

/** The stream's events: a role chunk, then one chunk per word; the last carries finish_reason and usage. */
function streamEvents(
  id: string,
  created: number,
  model: string,
  plan: ReturnType<typeof planCompletion>,
  withUsage: boolean,
): Record<string, unknown>[] {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const pieces = plan.content.match(/\S+\s*|\s+/g) ?? [''];
  const events = [chunk({ role: 'assistant', content: '' }, null)];
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    const event = chunk({ content: piece }, last ? plan.finishReason : null);
    if (last && withUsage) event['usage'] = plan.usage;
    events.push(event);
  });
  return events;
}

function sendGarbage(
  res: ServerResponse,
  record: RecordedRequest,
  shape: 'not-json' | 'wrong-shape' | 'html',
  stream: boolean,
  headers: Headers,
): void {
  record.status = 200;
  if (shape === 'html') {
    res.writeHead(200, { 'content-type': 'text/html', ...headers });
    res.end('<html><body><h1>Gateway hiccup</h1></body></html>');
    return;
  }
  const text =
    shape === 'not-json' ? '{"id": "cmpl-garbage", "choices": [ <truncated>' : '{"result":"ok","items":[]}';
  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    res.end(`data: ${text}\n\ndata: [DONE]\n\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function serverErrorBody(status: number): unknown {
  if (status === 500) {
    return { object: 'error', message: 'Internal server error', type: 'internal_server_error', code: '3000' };
  }
  if (status === 502) return { object: 'error', message: 'Bad gateway', type: 'bad_gateway', code: '3001' };
  return { object: 'error', message: 'Service unavailable', type: 'service_unavailable', code: '3002' };
}

function unauthorizedBody(): unknown {
  return { message: 'Unauthorized', request_id: randomBytes(16).toString('hex') };
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Headers = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function write(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    // Resolve once flushed, so a break right after cannot discard what was "sent".
    res.write(text, () => resolve());
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts a stand-in on 127.0.0.1 with a random port. Close it with `close()` (tests: in `after`/`t.after`),
 * or the test runner will not exit.
 */
export async function startMistralStandIn(opts: MistralStandInOptions = {}): Promise<MistralStandIn> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const standIn = new MistralStandIn(server, `http://127.0.0.1:${port}`, opts);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => standIn.handle(req, res));
  return standIn;
}
