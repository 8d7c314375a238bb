import type Keyv from 'keyv';
import type { TokenThreshold } from '../config.ts';
import type { BotEvent, BotEvents } from '../events.ts';
import { t } from '../i18n/catalogue.ts';
import type { Logger } from '../log.ts';
import { monthKey } from '../store/month.ts';
import type { UsageTotals } from '../store/usage-ledger.ts';
import { discordTime } from './budget-service.ts';
import { monthName } from './report.ts';

/** Shares of a server's monthly budget at which its managers are told, once each per month. */
export const BUDGET_ALERT_THRESHOLDS = [80, 100] as const;

/** Refusals that mean the server's budget stopped a question. */
const BUDGET_REFUSALS: ReadonlySet<string> = new Set(['budget_spent', 'budget_too_small']);

/** Sent-alert markers outlive their month by a few weeks, then Keyv drops them. */
const SENT_TTL_MS = 70 * 24 * 60 * 60_000;

/** A server's month as the alerts need it. */
export interface AlertStanding {
  readonly limit: number;
  readonly used: number;
  /** `yyyy-mm`, UTC. */
  readonly month: string;
  readonly resetsAt: Date;
}

/** One alert already sent (or attempted) this month. */
export interface SentAlert {
  readonly threshold: number;
  /** ISO time it was sent. */
  readonly at: string;
  /** False when Discord refused the message (deleted channel, missing permission). */
  readonly delivered: boolean;
}

/** What `/usage` shows about alerts. */
export interface AlertState {
  readonly channelId: string | undefined;
  readonly sent: readonly SentAlert[];
}

export interface BudgetAlertsDeps {
  readonly events: BotEvents;
  /** A Keyv over the bot's store for one namespace. */
  readonly keyv: (namespace: string) => Keyv;
  /** A server's settled usage and budget this month. */
  readonly standing: (guildId: string) => Promise<AlertStanding>;
  /** The whole key's usage this month, per model (the bot's own ledger). */
  readonly keyMonthByModel: (month: string) => Promise<ReadonlyArray<{ model: string } & UsageTotals>>;
  /** Posts a message that pings nobody; rejects when Discord refuses it. */
  readonly send: (channelId: string, content: string) => Promise<void>;
  /** A server's Discord locale (its alerts are public texts in its language). */
  readonly localeOf?: (guildId: string) => string | undefined;
  readonly log: Logger;
  /** The operator's key-wide threshold per model, if any. */
  readonly keyThreshold?: TokenThreshold | undefined;
  readonly operatorChannelId?: string | undefined;
  readonly now?: () => Date;
}

/**
 * Budget alerts, as an observer of {@link BotEvents}: after each answer, a server whose settled usage
 * crossed 80% or 100% of its monthly budget is told once per threshold per month, in the channel its
 * managers chose (and not at all without one; crossing both at once sends only the 100% message).
 * Since answers are clamped to what is left, 100% is also reached by a question refused for budget
 * while less than 1% of it is left.
 * The operator is told (log, and a channel when configured) when one model's monthly usage on the
 * whole key reaches `KEY_MONTHLY_TOKEN_ALERT`. "Already sent" lives in the store (namespace
 * `alert-sent`), so a restart does not send again. Checks of one server run one at a time in this
 * process; two processes sharing a store could, rarely, both send.
 */
export class BudgetAlerts {
  readonly #deps: BudgetAlertsDeps;
  readonly #channels: Keyv;
  readonly #sent: Keyv;
  readonly #chains = new Map<string, Promise<void>>();
  /** The latest monthly limit and remainder per model, from response headers. */
  readonly #monthLimits = new Map<string, { month: string; limit?: number; remaining?: number }>();
  readonly #unsubscribe: () => void;

  constructor(deps: BudgetAlertsDeps) {
    this.#deps = deps;
    this.#channels = deps.keyv('alert-channel');
    this.#sent = deps.keyv('alert-sent');
    this.#unsubscribe = deps.events.on((event) => this.#observe(event));
  }

  /** The channel a server's alerts go to, if its managers chose one. */
  async channel(guildId: string): Promise<string | undefined> {
    const value: unknown = await this.#channels.get(guildId);
    return typeof value === 'string' ? value : undefined;
  }

  /** Chooses (or, with `undefined`, clears) the channel for a server's alerts. */
  async setChannel(guildId: string, channelId: string | undefined): Promise<void> {
    if (channelId === undefined) await this.#channels.delete(guildId);
    else await this.#channels.set(guildId, channelId);
  }

  /** The channel and this month's sent alerts, for `/usage`. */
  async state(guildId: string, month: string): Promise<AlertState> {
    const [channelId, ...sent] = await Promise.all([
      this.channel(guildId),
      ...BUDGET_ALERT_THRESHOLDS.map((t) => this.#sentAlert(guildKey(guildId, month, t), t)),
    ]);
    return { channelId, sent: sent.filter((s): s is SentAlert => s !== undefined) };
  }

  /** Resolves when every check under way has finished (shutdown waits for this). */
  async idle(): Promise<void> {
    while (this.#chains.size > 0) await Promise.allSettled([...this.#chains.values()]);
  }

  /** Stops listening; checks already under way still finish (see {@link idle}). */
  close(): void {
    this.#unsubscribe();
  }

  #observe(event: BotEvent): void {
    if (event.type === 'limits') {
      const month = event.limits.tokensPerMonth;
      if (month) this.#monthLimits.set(event.model, { month: monthKey(this.#now()), ...month });
      return;
    }
    if (event.type === 'refused' && event.guildId !== null && BUDGET_REFUSALS.has(event.code)) {
      const guildId = event.guildId;
      this.#enqueue(`guild:${guildId}`, () => this.#checkGuild(guildId, true));
      return;
    }
    if (event.type !== 'answered') return;
    this.#enqueue(`guild:${event.guildId}`, () => this.#checkGuild(event.guildId, false));
    if (this.#deps.keyThreshold) this.#enqueue(`key:${event.model}`, () => this.#checkKey(event.model));
  }

  /** Runs checks with the same key one after another, so two answers cannot both send. */
  #enqueue(key: string, check: () => Promise<void>): void {
    const run = (this.#chains.get(key) ?? Promise.resolve())
      .then(check)
      .catch((error: unknown) =>
        this.#deps.log.error({ err: error, check: key }, 'budget alert check failed'),
      );
    this.#chains.set(key, run);
    void run.finally(() => {
      if (this.#chains.get(key) === run) this.#chains.delete(key);
    });
  }

  async #checkGuild(guildId: string, refusedForBudget: boolean): Promise<void> {
    const s = await this.#deps.standing(guildId);
    if (s.limit <= 0) return;
    // Answers never overshoot the budget (each is clamped to what is left), so "100%" also means a
    // question was refused for budget with less than 1% of it left: the month is, in practice, spent.
    const spent = s.used >= s.limit || (refusedForBudget && (s.limit - s.used) * 100 < s.limit);
    const crossed = BUDGET_ALERT_THRESHOLDS.filter((t) => (t >= 100 ? spent : s.used * 100 >= t * s.limit));
    if (crossed.length === 0) return;
    const known = await Promise.all(crossed.map((t) => this.#sentAlert(guildKey(guildId, s.month, t), t)));
    const pending = crossed.filter((_, i) => known[i] === undefined);
    if (pending.length === 0) return;
    const channelId = await this.channel(guildId);
    if (!channelId) return;
    const threshold = Math.max(...pending);
    const text = guildAlertText(this.#deps.localeOf?.(guildId), threshold, s);
    const delivered = await this.#post(channelId, text, { guildId, threshold });
    const record = { at: this.#now().toISOString(), delivered };
    // A lower threshold crossed in the same step is covered by the higher one's message.
    for (const t of pending) await this.#sent.set(guildKey(guildId, s.month, t), record, SENT_TTL_MS);
    this.#deps.log.info(
      { guild: guildId, channel: channelId, threshold, used: s.used, limit: s.limit, delivered },
      'budget alert',
    );
  }

  async #checkKey(model: string): Promise<void> {
    const threshold = this.#deps.keyThreshold;
    if (!threshold) return;
    const month = monthKey(this.#now());
    const key = `key:${model}:${month}`;
    if ((await this.#sent.get(key)) !== undefined) return;
    const ledger = (await this.#deps.keyMonthByModel(month)).find((r) => r.model === model)?.totalTokens ?? 0;
    const stated = this.#monthLimits.get(model);
    const fresh = stated?.month === month ? stated : undefined;
    const limit = fresh?.limit !== undefined && fresh.limit > 0 ? fresh.limit : undefined;
    // Mistral's own count (limit − remaining) also sees what others spent on this key.
    const used =
      limit !== undefined && fresh?.remaining !== undefined
        ? Math.max(ledger, limit - fresh.remaining)
        : ledger;
    const reached =
      threshold.kind === 'tokens'
        ? used >= threshold.tokens
        : limit !== undefined && used * 100 >= threshold.percent * limit;
    if (!reached) return;
    const text = keyAlertText(undefined, model, used, limit, threshold, month);
    this.#deps.log.warn({ model, used, limit, threshold, month }, 'key monthly usage alert');
    const channelId = this.#deps.operatorChannelId;
    const delivered = channelId ? await this.#post(channelId, text, { model }) : true;
    await this.#sent.set(key, { at: this.#now().toISOString(), delivered }, SENT_TTL_MS);
  }

  async #post(channelId: string, content: string, context: Record<string, unknown>): Promise<boolean> {
    try {
      await this.#deps.send(channelId, content);
      return true;
    } catch (error) {
      this.#deps.log.warn({ err: error, channel: channelId, ...context }, 'could not post an alert');
      return false;
    }
  }

  async #sentAlert(key: string, threshold: number): Promise<SentAlert | undefined> {
    const value: unknown = await this.#sent.get(key);
    if (typeof value !== 'object' || value === null) return undefined;
    const { at, delivered } = value as { at?: unknown; delivered?: unknown };
    return { threshold, at: typeof at === 'string' ? at : '', delivered: delivered !== false };
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }
}

function guildKey(guildId: string, month: string, threshold: number): string {
  return `${guildId}:${month}:${threshold}`;
}

/** What a server's managers read in their alerts channel, in the server's language. Pings nobody. */
export function guildAlertText(locale: string | undefined, threshold: number, s: AlertStanding): string {
  const params = {
    month: monthName(locale, s.month),
    used: s.used,
    limit: s.limit,
    share: s.limit > 0 ? Math.floor((s.used / s.limit) * 100) / 100 : 0,
    resetsAt: discordTime(s.resetsAt),
  };
  return t(locale, threshold >= 100 ? 'alert_budget_spent' : 'alert_budget_near', params);
}

/** What the operator reads (log and channel) when a model nears the key's monthly quota. */
export function keyAlertText(
  locale: string | undefined,
  model: string,
  used: number,
  limit: number | undefined,
  threshold: TokenThreshold,
  month: string,
): string {
  return t(locale, 'alert_key', {
    model,
    used,
    limited: limit !== undefined ? 'yes' : 'no',
    limit: limit ?? 0,
    share: limit ? Math.floor((used / limit) * 100) / 100 : 0,
    month: monthName(locale, month),
    kind: threshold.kind,
    tokens: threshold.kind === 'tokens' ? threshold.tokens : 0,
    percent: threshold.kind === 'percent' ? threshold.percent / 100 : 0,
  });
}

/** The alerts line(s) of the `/usage` report. */
export function renderAlertState(locale: string | undefined, state: AlertState): string {
  if (!state.channelId) return t(locale, 'alerts_off');
  const sent = state.sent.map((s) =>
    t(locale, s.delivered ? 'alert_sent' : 'alert_not_posted', {
      threshold: s.threshold / 100,
      when: s.at ? ` <t:${Math.floor(Date.parse(s.at) / 1000)}:R>` : '',
    }),
  );
  return t(locale, 'alerts_on', {
    channel: `<#${state.channelId}>`,
    sent: sent.length > 0 ? sent.join('; ') : 'none',
  });
}
