/**
 * The Mistral stand-in a test holds: its setters, its records and its routes (`POST /v1/chat/completions`,
 * `GET /v1/models`, `GET /v1/models/{id}`). Completions are judged and answered in complete.ts.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { complete } from './complete.ts';
import {
  authorized,
  breakConnection,
  cardOf,
  completions,
  createCore,
  modelNames,
  modelState,
} from './core.ts';
import type { Core } from './core.ts';
import { MINUTE_MS } from './limits.ts';
import type { ModelLimits } from './limits.ts';
import { cardJson } from './models.ts';
import type { ModelCardOptions, ResolvedCard } from './models.ts';
import type { ChatRequest } from './tokens.ts';
import type { Fault, MistralStandInOptions, RecordedRequest } from './types.ts';
import { sendJson, unauthorizedBody } from './wire.ts';
import type { Headers } from './wire.ts';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A running stand-in. Create it with `startMistralStandIn`. */
export class MistralStandIn {
  readonly #server: Server;
  readonly #url: string;
  readonly #core: Core = createCore();
  #closing: Promise<void> | undefined;

  /** @internal Use `startMistralStandIn`. */
  constructor(server: Server, url: string, opts: MistralStandInOptions) {
    this.#server = server;
    this.#url = url;
    if (opts.requestsPerSecond !== undefined) this.setRequestsPerSecond(opts.requestsPerSecond);
    if (opts.latencyMs !== undefined) this.setLatencyMs(opts.latencyMs);
    if (opts.firstTokenMs !== undefined) this.setFirstTokenMs(opts.firstTokenMs);
    if (opts.answer) this.setAnswer(opts.answer);
    if (opts.thinking) this.setThinking(opts.thinking);
    if (opts.thinkingMs !== undefined) this.setThinkingMs(opts.thinkingMs);
    if (opts.charsPerToken !== undefined) this.setCharsPerToken(opts.charsPerToken);
    if (opts.models) this.setModels(opts.models);
    if (opts.modelCards) this.setModelCards(opts.modelCards);
    if (opts.defaultModelLimits) this.setDefaultModelLimits(opts.defaultModelLimits);
    if (opts.knownModels) this.setKnownModels(opts.knownModels);
    if (opts.legacyHeaders !== undefined) this.setLegacyHeaders(opts.legacyHeaders);
    if (opts.apiKey !== undefined) this.setApiKey(opts.apiKey);
  }

  /** `http://127.0.0.1:PORT`, to pass to the SDK as `serverURL`. */
  get url(): string {
    return this.#url;
  }
  /** Every request since the last `reset()`, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.#core.state.requests;
  }
  /** Completions that passed every limit (including ones then answered with a 5xx, hang or garbage fault). */
  get accepted(): number {
    return completions(this.#core).filter((r) => r.accepted).length;
  }
  /** Responses with status 429 since the last `reset()`, whatever the reason. */
  get rejected429(): number {
    return this.#core.state.requests.filter((r) => r.status === 429).length;
  }
  /**
   * Broken promises of the client since the last `reset()`: each completion that arrived while a stated
   * Retry-After was running, or closer than the requests-per-second spacing to the last accepted one.
   */
  get violations(): readonly string[] {
    return this.#core.state.violations;
  }
  /** Violations, 429s and requests since the stand-in started; `reset()` does not clear them. */
  get history(): {
    readonly violations: readonly string[];
    readonly rejected429: number;
    readonly requests: number;
  } {
    return this.#core.state.history;
  }
  /** The most accepted completions that were running at the same time. */
  get inFlightMax(): number {
    return this.#core.state.inFlightMax;
  }
  /** Accepted completions running now. */
  get inFlight(): number {
    return this.#core.state.inFlight;
  }
  /** Characters per token the stand-in counts with now. */
  get charsPerToken(): number {
    return this.#core.config.charsPerToken;
  }
  /** Arrival times (`performance.now()`) of accepted completions, ascending. */
  startTimes(): number[] {
    return completions(this.#core)
      .filter((r) => r.accepted)
      .map((r) => r.at);
  }
  /** Faults still waiting to be used. */
  pendingFaults(): number {
    return this.#core.state.faults.reduce((n, f) => n + f.remaining, 0);
  }
  /** Tokens and requests a model has been charged in the minute before `now`, and in the month. */
  usageOf(
    model: string,
    now = performance.now(),
  ): { minuteRequests: number; minuteTokens: number; monthTokens: number } {
    const state = modelState(this.#core, model);
    const recent = state.window.filter((e) => e.at > now - MINUTE_MS);
    return {
      minuteRequests: recent.length,
      minuteTokens: recent.reduce((s, e) => s + e.tokens, 0),
      monthTokens: state.monthUsed,
    };
  }
  /** The card `GET /v1/models` shows for a model (defaults plus overrides). */
  card(model: string): ResolvedCard {
    return cardOf(this.#core, model);
  }

  /** Makes the next `times` completions that would be accepted fail with `fault` (queued after earlier faults). */
  inject(fault: Fault, times = 1): void {
    if (times > 0) this.#core.state.faults.push({ fault, remaining: times });
  }

  setRequestsPerSecond(rps: number): void {
    if (!(rps > 0)) throw new RangeError('requestsPerSecond must be > 0 (Infinity disables the check)');
    this.#core.config.rps = rps;
  }
  setLatencyMs(latency: number | ((req: ChatRequest) => number)): void {
    this.#core.config.latency = latency;
  }
  setFirstTokenMs(ms: number): void {
    this.#core.config.firstTokenMs = ms;
  }
  setAnswer(answer: (req: ChatRequest) => string): void {
    this.#core.config.answer = answer;
  }
  /** The reasoning trace of a model that thinks for a request. */
  setThinking(thinking: (req: ChatRequest) => string): void {
    this.#core.config.thinking = thinking;
  }
  /** How long a stream spends on the trace; `undefined` restores the default (half the stream). */
  setThinkingMs(ms: number | ((req: ChatRequest) => number) | undefined): void {
    this.#core.config.thinkingMs = ms;
  }
  /** Characters per token for text, documents and truncation (> 0). */
  setCharsPerToken(chars: number): void {
    if (!(chars > 0)) throw new RangeError('charsPerToken must be > 0');
    this.#core.config.charsPerToken = chars;
  }
  /** Replaces all per-model limits. */
  setModels(models: Readonly<Record<string, ModelLimits>>): void {
    this.#core.config.models = { ...models };
  }
  /** Sets (or with `undefined` removes) one model's limits. */
  setModelLimits(model: string, limits: ModelLimits | undefined): void {
    if (limits) this.#core.config.models[model] = limits;
    else delete this.#core.config.models[model];
  }
  /** Replaces all card overrides. */
  setModelCards(cards: Readonly<Record<string, ModelCardOptions>>): void {
    this.#core.config.cards = { ...cards };
  }
  /** Sets (or with `undefined` removes) one model's card overrides; a model with a card is known. */
  setModelCard(model: string, card: ModelCardOptions | undefined): void {
    if (card) this.#core.config.cards[model] = card;
    else delete this.#core.config.cards[model];
  }
  setDefaultModelLimits(limits: ModelLimits): void {
    this.#core.config.defaultLimits = { ...limits };
  }
  setKnownModels(models: readonly string[]): void {
    this.#core.config.knownModels = [...models];
  }
  setLegacyHeaders(legacy: boolean): void {
    this.#core.config.legacyHeaders = legacy;
  }
  setApiKey(key: string): void {
    this.#core.config.apiKey = key;
  }

  /** Forgets records, faults, windows, spent quotas and the Retry-After wait; keeps the configuration and `history`. */
  reset(): void {
    const state = this.#core.state;
    state.requests = [];
    state.violations = [];
    state.faults = [];
    state.models.clear();
    state.lastAcceptedAt = undefined;
    state.notBefore = -Infinity;
    state.inFlightMax = state.inFlight;
  }

  /** Ends every open response (hangs included) and stops the server. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#core.state.closing = true;
      for (const ac of this.#core.state.open) ac.abort();
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
        breakConnection(this.#core, res);
      }
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse, at: number, wallAt: number): Promise<void> {
    const core = this.#core;
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
    core.state.requests.push(record);
    core.state.history.requests += 1;
    const raw = await readBody(req);
    record.body = raw === '' ? undefined : raw;
    try {
      if (raw !== '') record.body = JSON.parse(raw);
    } catch {
      // Kept as text; the completion handler answers it with a 422.
    }
    res.on('close', () => {
      core.state.closed.add(res);
      if (!res.writableFinished && !core.state.closing && !core.state.broken.has(res))
        record.closedByClient = true;
    });
    const send = (status: number, payload: unknown, headers: Headers = {}): void => {
      record.status = status;
      if (status === 429) core.state.history.rejected429 += 1;
      sendJson(res, status, payload, headers);
    };

    if (path === '/v1/chat/completions' && method === 'POST') {
      await complete(core, req, res, record, send, raw);
      return;
    }
    if (!authorized(core, req)) {
      send(401, unauthorizedBody());
      return;
    }
    const modelId = /^\/v1\/models\/([^/]+)$/.exec(path)?.[1];
    if (path === '/v1/models' || modelId !== undefined) {
      const id = modelId === undefined ? undefined : decodeURIComponent(modelId);
      if (method !== 'GET') send(405, { detail: 'Method Not Allowed' });
      else if (id === undefined)
        send(200, { object: 'list', data: modelNames(core).map((m) => cardJson(this.card(m))) });
      else if (modelNames(core).includes(id)) send(200, cardJson(this.card(id)));
      else send(404, { detail: 'Model not found' });
      return;
    }
    if (path === '/v1/chat/completions') {
      send(405, { detail: 'Method Not Allowed' });
      return;
    }
    send(404, { detail: 'Not Found' });
  }
}
