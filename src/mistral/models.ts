import type { Logger } from '../log.ts';

/**
 * Models usable on Mistral's free tier, as of the 2025 workspace table plus the 2026 aliases.
 * Operators replace the list with `MISTRAL_MODELS`; at run time, models whose rate-limit headers
 * say 0 are hidden (see the gate's limit tracker).
 */
export const FREE_TIER_MODELS: readonly string[] = Object.freeze([
  'mistral-small-latest',
  'mistral-medium-latest',
  'mistral-large-latest',
  'ministral-3b-2512',
  'ministral-8b-2512',
  'ministral-14b-2512',
  'codestral-2508',
  'codestral-2501',
  'codestral-2405',
  'codestral-mamba-2407',
  'ministral-3b-2410',
  'ministral-8b-2410',
  'mistral-large-2411',
  'mistral-large-2407',
  'mistral-large-2402',
  'mistral-medium',
  'mistral-saba-2502',
  'mistral-small-2503',
  'mistral-small-2501',
  'mistral-small-2409',
  'mistral-small-2402',
  'open-mistral-7b',
  'open-mistral-nemo',
  'open-mixtral-8x22b',
  'open-mixtral-8x7b',
  'pixtral-12b-2409',
  'pixtral-large-2411',
]);

/** The catalogue in force: the operator's list or the free-tier one, always including the default model. */
export function modelCatalogue(
  configured: readonly string[] | undefined,
  defaultModel: string,
): readonly string[] {
  const base = configured ?? FREE_TIER_MODELS;
  return Object.freeze(base.includes(defaultModel) ? [...base] : [defaultModel, ...base]);
}

/** The `reasoning_effort` values Mistral's API knows (a model takes some of them). */
export const REASONING_EFFORTS: readonly string[] = Object.freeze([
  'none',
  'minimal',
  'low',
  'medium',
  'high',
  'xhigh',
]);

/**
 * Efforts of the reasoning families Mistral documents as adjustable on and off (Small 4, Medium 3.5,
 * and magistral): `none` or `high`. Model cards do not list efforts, so for other reasoning models
 * every API value is offered until Mistral refuses one and names the ones it takes (see
 * {@link ModelDirectory.learnRefusal}), or the operator lists them in `REASONING_EFFORTS`.
 */
function defaultEfforts(model: string): readonly string[] {
  return /^(mistral-small|mistral-medium|magistral)/.test(model) ? ['none', 'high'] : REASONING_EFFORTS;
}

/** What a model takes, as the bot knows it. */
export interface ModelCapabilities {
  /** Images (`image_url` chunks): the card's `capabilities.vision`. */
  readonly vision: boolean;
  /** PDFs (`document_url` chunks): the card's `capabilities.ocr`. */
  readonly documents: boolean;
  /** `reasoning_effort`: the card's `capabilities.reasoning`. */
  readonly reasoning: boolean;
}

/** One entry of `GET /v1/models`, as the Mistral adapter hands it over. */
export interface ModelCard {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly capabilities: ModelCapabilities;
}

/**
 * The operator's word on capabilities, which wins over the cards: `VISION_MODELS` and
 * `DOCUMENT_MODELS` replace what the cards say about images and PDFs (for every model) when set,
 * `REASONING_EFFORTS` names the efforts of the models it lists, and `VISION_MODEL` always counts as
 * reading images.
 */
export interface CapabilityOverrides {
  readonly visionModels?: readonly string[] | undefined;
  readonly documentModels?: readonly string[] | undefined;
  readonly reasoningEfforts?: Readonly<Record<string, readonly string[]>> | undefined;
  readonly visionModel?: string | undefined;
}

/** What Mistral refused about a request (a 400 naming it), learned so the next question is told first. */
export type RequestRefusal =
  | { readonly kind: 'images' }
  | { readonly kind: 'documents' }
  | { readonly kind: 'effort'; readonly accepted: readonly string[] | undefined };

/**
 * The models servers may choose, and what the bot has learned about them at run time: a model
 * whose limit headers say 0 is not on this key's plan and is hidden until the process restarts;
 * which models read images and PDFs and which reason comes from their cards (`GET /v1/models`,
 * learned at start-up and refreshed), the operator's overrides, and Mistral's own refusals.
 * A model no card describes takes nothing but text until the cards arrive.
 */
export class ModelDirectory {
  readonly #catalogue: readonly string[];
  readonly #unavailable = new Set<string>();
  readonly #overrides: CapabilityOverrides;
  #cards = new Map<string, ModelCapabilities>();
  #learnedAt: number | undefined;
  /** What Mistral refused per model; kept over card refreshes (the card was wrong, or stale). */
  readonly #refused = new Map<string, { images?: true; documents?: true; efforts?: readonly string[] }>();
  readonly defaultModel: string;

  constructor(catalogue: readonly string[], defaultModel: string, overrides: CapabilityOverrides = {}) {
    this.#catalogue = catalogue;
    this.defaultModel = defaultModel;
    this.#overrides = overrides;
  }

  /** Every offered model, usable or not, in catalogue order. */
  get all(): readonly string[] {
    return this.#catalogue;
  }

  /** Offered models this key can use, as far as the bot knows. */
  usable(): string[] {
    return this.#catalogue.filter((m) => !this.#unavailable.has(m));
  }

  isOffered(model: string): boolean {
    return this.#catalogue.includes(model);
  }

  isUnavailable(model: string): boolean {
    return this.#unavailable.has(model);
  }

  markUnavailable(model: string): void {
    this.#unavailable.add(model);
  }

  /** Offered models matching what a user typed, best first, at most `limit` (autocomplete). */
  search(typed: string, limit = 25): string[] {
    const q = typed.trim().toLowerCase();
    const usable = this.usable();
    const starts = usable.filter((m) => m.startsWith(q));
    const contains = usable.filter((m) => !m.startsWith(q) && m.includes(q));
    return [...starts, ...contains].slice(0, limit);
  }

  /** `VISION_MODEL`: where questions with images go when the channel's model cannot read them. */
  get visionModel(): string | undefined {
    return this.#overrides.visionModel;
  }

  /**
   * Replaces what the cards say with a new `GET /v1/models` answer (each card under its ID and its
   * aliases). An empty list is ignored: a key sees at least one model, so it is a broken answer.
   */
  learnCapabilities(cards: readonly ModelCard[], at: number = Date.now()): void {
    if (cards.length === 0) return;
    const next = new Map<string, ModelCapabilities>();
    for (const card of cards) {
      for (const name of [card.id, ...card.aliases]) next.set(name, card.capabilities);
    }
    this.#cards = next;
    this.#learnedAt = at;
  }

  /** When the cards were last learned (epoch ms), if ever. */
  get capabilitiesLearnedAt(): number | undefined {
    return this.#learnedAt;
  }

  /**
   * Whether the bot can tell which models take `what`: the cards have been read, or the operator
   * listed them (`VISION_MODELS`, `DOCUMENT_MODELS`). Until then a refusal would be a guess.
   */
  decides(what: 'vision' | 'documents'): boolean {
    const listed = what === 'vision' ? this.#overrides.visionModels : this.#overrides.documentModels;
    return this.#learnedAt !== undefined || listed !== undefined;
  }

  /** Whether a card (or `REASONING_EFFORTS`) describes `model`: otherwise its efforts are unknown. */
  knows(model: string): boolean {
    return this.#cards.has(model) || this.#overrides.reasoningEfforts?.[model] !== undefined;
  }

  /** What `model` takes: the operator's lists over its card, minus what Mistral refused. */
  capabilitiesOf(model: string): ModelCapabilities {
    const o = this.#overrides;
    const card = this.#cards.get(model);
    const refused = this.#refused.get(model);
    const vision =
      model === o.visionModel || (o.visionModels ? o.visionModels.includes(model) : card?.vision === true);
    const documents = o.documentModels ? o.documentModels.includes(model) : card?.documents === true;
    const reasoning = o.reasoningEfforts?.[model] !== undefined || card?.reasoning === true;
    return {
      vision: vision && !refused?.images,
      documents: documents && !refused?.documents,
      reasoning: reasoning && (refused?.efforts === undefined || refused.efforts.length > 0),
    };
  }

  /**
   * The `reasoning_effort` values `model` takes, `[]` when it does not reason: the operator's list
   * (`REASONING_EFFORTS`), else what Mistral said when it refused one, else the family's known
   * values (see {@link defaultEfforts}).
   */
  reasoningEfforts(model: string): readonly string[] {
    if (!this.capabilitiesOf(model).reasoning) return [];
    return (
      this.#overrides.reasoningEfforts?.[model] ?? this.#refused.get(model)?.efforts ?? defaultEfforts(model)
    );
  }

  /** Usable models that read images (`VISION_MODEL` first when it is offered), for refusals and lists. */
  visionModels(): string[] {
    return this.usable().filter((m) => this.capabilitiesOf(m).vision);
  }

  /** Usable models that read PDFs. */
  documentModels(): string[] {
    return this.usable().filter((m) => this.capabilitiesOf(m).documents);
  }

  /** Usable models that reason. */
  reasoningModels(): string[] {
    return this.usable().filter((m) => this.capabilitiesOf(m).reasoning);
  }

  /**
   * Records what Mistral refused for `model` (a 400 saying it takes no images, no documents, or
   * which efforts it takes), so later questions are told before anything is sent. Kept until the
   * process restarts; the operator's lists still win for images and PDFs they name.
   */
  learnRefusal(model: string, refusal: RequestRefusal): void {
    const known = this.#refused.get(model) ?? {};
    switch (refusal.kind) {
      case 'images':
        this.#refused.set(model, { ...known, images: true });
        return;
      case 'documents':
        this.#refused.set(model, { ...known, documents: true });
        return;
      case 'effort':
        this.#refused.set(model, {
          ...known,
          efforts: (refusal.accepted ?? []).filter((e) => REASONING_EFFORTS.includes(e)),
        });
        return;
    }
  }
}

/** A running capability refresh (see {@link refreshCapabilities}). */
export interface CapabilityRefresh {
  /** Settles after the first attempt (learned or failed) or `firstWaitMs`, whichever comes first. */
  readonly ready: Promise<void>;
  /** Stops refreshing. */
  stop(): void;
}

export interface CapabilityRefreshOptions {
  readonly log: Logger;
  /** Between successful refreshes. Default one hour. */
  readonly everyMs?: number;
  /** After a failed attempt. Default five minutes. */
  readonly retryMs?: number;
  /** Longest `ready` waits for the first answer. Default 10 s. */
  readonly firstWaitMs?: number;
}

/**
 * Learns the model cards now and keeps them fresh: every `everyMs` after a success, every
 * `retryMs` after a failure (Mistral unreachable at start-up must not stop the bot: until the
 * cards arrive, questions with attachments are told to try again later). Timers do not hold the
 * process open. One `GET /v1/models` per refresh, outside the chat gate (it is not a chat request).
 */
export function refreshCapabilities(
  directory: Pick<ModelDirectory, 'learnCapabilities'>,
  load: () => Promise<readonly ModelCard[]>,
  options: CapabilityRefreshOptions,
): CapabilityRefresh {
  const everyMs = options.everyMs ?? 3_600_000;
  const retryMs = options.retryMs ?? 300_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void attempt(), ms);
    timer.unref();
  };
  const attempt = async (): Promise<void> => {
    try {
      const cards = await load();
      directory.learnCapabilities(cards);
      options.log.info({ models: cards.length }, 'learned the model cards');
      schedule(everyMs);
    } catch (error) {
      options.log.warn({ err: error, retryMs }, 'could not read the model cards; retrying later');
      schedule(retryMs);
    }
  };
  const first = attempt();
  let waitTimer: NodeJS.Timeout | undefined;
  const ready = Promise.race([
    first,
    new Promise<void>((resolve) => {
      waitTimer = setTimeout(resolve, options.firstWaitMs ?? 10_000);
      waitTimer.unref();
    }),
  ]).finally(() => clearTimeout(waitTimer));
  return {
    ready,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
