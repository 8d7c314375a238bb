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

/**
 * The models servers may choose, and what the bot has learned about them at run time: a model
 * whose limit headers say 0 is not on this key's plan and is hidden until the process restarts.
 */
export class ModelDirectory {
  readonly #catalogue: readonly string[];
  readonly #unavailable = new Set<string>();
  readonly defaultModel: string;

  constructor(catalogue: readonly string[], defaultModel: string) {
    this.#catalogue = catalogue;
    this.defaultModel = defaultModel;
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
}
