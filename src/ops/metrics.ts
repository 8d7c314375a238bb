import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BotEvent, BotEvents } from '../events.ts';
import type { RateLimitSnapshot } from '../mistral/rate-limit-headers.ts';

/** What the metrics read at scrape time rather than from events. */
export interface MetricsSources {
  /** Requests waiting for the gate and requests upstream, as the gate counts them now. */
  readonly gate: { readonly waiting: number; readonly inFlight: number };
  /** The configured start rate, the denominator of gate utilisation. */
  readonly requestsPerSecond: number;
  /** Milliseconds, monotonic (tests inject a clock). Default `performance.now`. */
  readonly now?: () => number;
  /** Process metrics (memory, CPU, event-loop lag). Default true. */
  readonly processMetrics?: boolean;
}

/** The window over which gate utilisation is averaged. */
export const UTILISATION_WINDOW_MS = 60_000;

const PREFIX = 'mistral_bot_';
const WINDOWS = [
  ['requestsPerMinute', 'requests_per_minute'],
  ['tokensPerMinute', 'tokens_per_minute'],
  ['tokensPerMonth', 'tokens_per_month'],
] as const satisfies ReadonlyArray<readonly [keyof RateLimitSnapshot, string]>;

/**
 * The bot's Prometheus metrics, in a registry of their own (never prom-client's global one, so
 * two bots in one process, as in the tests, do not collide). Everything is fed by subscribing to
 * {@link BotEvents}; queue depth and utilisation are read from the gate when scraped.
 *
 * - `mistral_bot_requests_total{command,outcome,reason}`: every slash command once, `ok` / `refused`
 *   (reason = the refusal code) / `failed`
 * - `mistral_bot_answers_total{model}`: questions answered and charged
 * - `mistral_bot_queue_waiting`, `mistral_bot_in_flight`: gauges
 * - `mistral_bot_wait_seconds`, `mistral_bot_request_seconds`: answered questions' time in line and in total
 * - `mistral_bot_upstream_seconds{model,outcome}`: each upstream attempt
 * - `mistral_bot_tokens_total{model,kind}`: prompt / completion tokens as Mistral reported them
 * - `mistral_bot_rate_limited_total{model}`: 429s that paused the gate
 * - `mistral_bot_discord_rate_limited_total`: 429s from Discord
 * - `mistral_bot_gate_starts_total`, `mistral_bot_gate_utilisation`: starts, and starts over the last
 *   minute (or since start-up, when younger) ÷ the most the configured rate allows in that window
 * - `mistral_bot_model_limit{model,window}`, `mistral_bot_model_remaining{model,window}`: limits as the
 *   latest response headers stated them
 */
export class BotMetrics {
  readonly registry = new Registry();
  readonly #unsubscribe: () => void;
  readonly #starts: number[] = [];
  readonly #now: () => number;
  readonly #createdAt: number;

  readonly #requests = new Counter({
    name: `${PREFIX}requests_total`,
    help: 'Slash commands by outcome: ok, refused (reason = refusal code) or failed.',
    labelNames: ['command', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly #answers = new Counter({
    name: `${PREFIX}answers_total`,
    help: 'Questions answered and charged, by model.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly #wait = new Histogram({
    name: `${PREFIX}wait_seconds`,
    help: 'Time answered questions waited for their first upstream start.',
    buckets: [0.05, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly #total = new Histogram({
    name: `${PREFIX}request_seconds`,
    help: 'Time from accepting a question to its recorded answer.',
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly #upstream = new Histogram({
    name: `${PREFIX}upstream_seconds`,
    help: 'Duration of each upstream attempt, by model and outcome.',
    labelNames: ['model', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [this.registry],
  });
  readonly #tokens = new Counter({
    name: `${PREFIX}tokens_total`,
    help: 'Tokens Mistral reported, by model and kind (prompt or completion).',
    labelNames: ['model', 'kind'] as const,
    registers: [this.registry],
  });
  readonly #rateLimited = new Counter({
    name: `${PREFIX}rate_limited_total`,
    help: '429 answers that paused the gate, by model.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly #discordRateLimited = new Counter({
    name: `${PREFIX}discord_rate_limited_total`,
    help: '429 answers from Discord (each counts towards its invalid-request ban).',
    registers: [this.registry],
  });
  readonly #gateStarts = new Counter({
    name: `${PREFIX}gate_starts_total`,
    help: 'Upstream attempts the gate started (retries included).',
    registers: [this.registry],
  });
  readonly #limit = new Gauge({
    name: `${PREFIX}model_limit`,
    help: "A model's limit as Mistral's latest response headers stated it.",
    labelNames: ['model', 'window'] as const,
    registers: [this.registry],
  });
  readonly #remaining = new Gauge({
    name: `${PREFIX}model_remaining`,
    help: 'What was left of a model limit at its latest response.',
    labelNames: ['model', 'window'] as const,
    registers: [this.registry],
  });

  constructor(events: BotEvents, sources: MetricsSources) {
    this.#now = sources.now ?? (() => performance.now());
    this.#createdAt = this.#now();
    const { gate, requestsPerSecond } = sources;
    new Gauge({
      name: `${PREFIX}queue_waiting`,
      help: 'Questions waiting for their turn upstream.',
      registers: [this.registry],
      collect() {
        this.set(gate.waiting);
      },
    });
    new Gauge({
      name: `${PREFIX}in_flight`,
      help: 'Upstream requests started and not yet settled.',
      registers: [this.registry],
      collect() {
        this.set(gate.inFlight);
      },
    });
    const utilisation = () => this.utilisation(requestsPerSecond);
    new Gauge({
      name: `${PREFIX}gate_utilisation`,
      help: 'Upstream starts per second over the last minute, divided by the configured rate (0–1).',
      registers: [this.registry],
      collect() {
        this.set(utilisation());
      },
    });
    // The event-loop lag sampled every 100 ms, not 10: a sleeping bot should sleep.
    if (sources.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX, eventLoopMonitoringPrecision: 100 });
    this.#unsubscribe = events.on((event) => this.#observe(event));
  }

  /** Starts per second over the recent window (or since start-up) ÷ the configured rate. */
  utilisation(requestsPerSecond: number): number {
    const now = this.#now();
    this.#prune(now);
    const windowMs = Math.max(1_000, Math.min(UTILISATION_WINDOW_MS, now - this.#createdAt));
    // A window of W s paced at r/s holds at most W·r + 1 starts (one at each end): 1 is the limit.
    return this.#starts.length / ((windowMs / 1000) * requestsPerSecond + 1);
  }

  /** The exposition text, for `GET /metrics`. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to events. */
  close(): void {
    this.#unsubscribe();
  }

  #observe(event: BotEvent): void {
    switch (event.type) {
      case 'started':
        this.#gateStarts.inc();
        this.#starts.push(this.#now());
        this.#prune(this.#now());
        return;
      case 'attempt':
        this.#upstream.observe({ model: event.model, outcome: event.outcome }, event.ms / 1000);
        return;
      case 'paused':
        this.#rateLimited.inc({ model: event.model });
        return;
      case 'discord_rate_limited':
        this.#discordRateLimited.inc();
        return;
      case 'limits':
        for (const [field, window] of WINDOWS) {
          const value = event.limits[field];
          if (typeof value !== 'object') continue;
          if (value.limit !== undefined) this.#limit.set({ model: event.model, window }, value.limit);
          if (value.remaining !== undefined)
            this.#remaining.set({ model: event.model, window }, value.remaining);
        }
        return;
      case 'answered':
        this.#answers.inc({ model: event.model });
        this.#wait.observe(event.waitedMs / 1000);
        this.#total.observe(event.totalMs / 1000);
        this.#tokens.inc({ model: event.model, kind: 'prompt' }, event.usage.promptTokens);
        this.#tokens.inc({ model: event.model, kind: 'completion' }, event.usage.completionTokens);
        return;
      case 'handled':
        this.#requests.inc({ command: event.command, outcome: 'ok', reason: '' });
        return;
      case 'refused':
        this.#requests.inc({ command: event.command, outcome: 'refused', reason: event.code });
        return;
      case 'failed':
        this.#requests.inc({ command: event.command, outcome: 'failed', reason: '' });
        return;
      default:
        return;
    }
  }

  #prune(now: number): void {
    const from = now - UTILISATION_WINDOW_MS;
    let drop = 0;
    while (drop < this.#starts.length && (this.#starts[drop] ?? 0) < from) drop++;
    if (drop > 0) this.#starts.splice(0, drop);
  }
}
