/**
 * The Mistral stand-in's configuration and mutable state as two plain objects, shared by the public
 * class (stand-in.ts) and the completion pipeline (complete.ts), with the small lookups both need.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MODEL_LIMITS, effectiveLimits } from './limits.ts';
import type { EffectiveLimits, ModelLimits, ModelState } from './limits.ts';
import { DEFAULT_KNOWN_MODELS, resolveCard } from './models.ts';
import type { ModelCardOptions, ResolvedCard } from './models.ts';
import { DEFAULT_CHARS_PER_TOKEN, defaultAnswer, defaultThinking } from './tokens.ts';
import type { ChatRequest } from './tokens.ts';
import type { Fault, RecordedRequest } from './types.ts';

/** What tests configure (each field has a setter on the stand-in). */
export interface Config {
  rps: number;
  latency: number | ((req: ChatRequest) => number);
  firstTokenMs: number;
  answer: (req: ChatRequest) => string;
  thinking: (req: ChatRequest) => string;
  thinkingMs: number | ((req: ChatRequest) => number) | undefined;
  charsPerToken: number;
  models: Record<string, ModelLimits>;
  cards: Record<string, ModelCardOptions>;
  defaultLimits: ModelLimits;
  knownModels: readonly string[];
  legacyHeaders: boolean;
  apiKey: string;
}

/** What the stand-in records and tracks between requests. */
export interface State {
  requests: RecordedRequest[];
  violations: string[];
  /** Since start; `reset()` leaves it. */
  readonly history: { readonly violations: string[]; rejected429: number; requests: number };
  faults: Array<{ fault: Fault; remaining: number }>;
  readonly models: Map<string, ModelState>;
  lastAcceptedAt: number | undefined;
  notBefore: number;
  inFlight: number;
  inFlightMax: number;
  /** One controller per open response; `close()` aborts them all so every timer and hang ends. */
  readonly open: Set<AbortController>;
  closing: boolean;
  /** Responses the stand-in cut on purpose, so their 'close' is not blamed on the client. */
  readonly broken: WeakSet<ServerResponse>;
  readonly closed: WeakSet<ServerResponse>;
}

/** Configuration and state together, as the modules receive them. */
export interface Core {
  readonly config: Config;
  readonly state: State;
}

/** The defaults: 1 request/s, 50 ms answers, 4 characters per token, the default workspace. */
export function createCore(): Core {
  return {
    config: {
      rps: 1,
      latency: 50,
      firstTokenMs: 100,
      answer: defaultAnswer,
      thinking: defaultThinking,
      thinkingMs: undefined,
      charsPerToken: DEFAULT_CHARS_PER_TOKEN,
      models: {},
      cards: {},
      defaultLimits: DEFAULT_MODEL_LIMITS,
      knownModels: DEFAULT_KNOWN_MODELS,
      legacyHeaders: false,
      apiKey: 'test-key',
    },
    state: {
      requests: [],
      violations: [],
      history: { violations: [], rejected429: 0, requests: 0 },
      faults: [],
      models: new Map(),
      lastAcceptedAt: undefined,
      notBefore: -Infinity,
      inFlight: 0,
      inFlightMax: 0,
      open: new Set(),
      closing: false,
      broken: new WeakSet(),
      closed: new WeakSet(),
    },
  };
}

/** Records a breach in `violations` and in `history`. */
export function violate(core: Core, text: string): void {
  core.state.violations.push(text);
  core.state.history.violations.push(text);
}

/** The recorded chat completion requests. */
export function completions(core: Core): RecordedRequest[] {
  return core.state.requests.filter((r) => r.path === '/v1/chat/completions' && r.method === 'POST');
}

/** A model's windows, created on first use. */
export function modelState(core: Core, model: string): ModelState {
  let state = core.state.models.get(model);
  if (!state) {
    state = { window: [], monthUsed: 0 };
    core.state.models.set(model, state);
  }
  return state;
}

/** A model's limits after defaults. */
export function limitsOf(core: Core, model: string): EffectiveLimits {
  return effectiveLimits(core.config.models[model] ?? {}, core.config.defaultLimits, core.config.rps);
}

/** Every model name the API accepts: the known list plus models with limits or cards of their own. */
export function modelNames(core: Core): string[] {
  const { knownModels, models, cards } = core.config;
  return [...new Set([...knownModels, ...Object.keys(models), ...Object.keys(cards)])];
}

/** A model's card after overrides. */
export function cardOf(core: Core, model: string): ResolvedCard {
  return resolveCard(model, core.config.cards[model]);
}

/** Whether the request carries the configured bearer key. */
export function authorized(core: Core, req: IncomingMessage): boolean {
  return req.headers.authorization === `Bearer ${core.config.apiKey}`;
}

/** The next injected fault, used up by one accepted completion. */
export function takeFault(core: Core): Fault | undefined {
  const next = core.state.faults[0];
  if (!next) return undefined;
  next.remaining -= 1;
  if (next.remaining <= 0) core.state.faults.shift();
  return next.fault;
}

/** Cuts a response on purpose (its 'close' is not the client's doing). */
export function breakConnection(core: Core, res: ServerResponse): void {
  core.state.broken.add(res);
  res.destroy();
}
