import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { BudgetAlerts } from '../ops/budget-alerts.ts';
import type { ModelDirectory } from '../mistral/models.ts';
import type { PromptService } from '../prompts.ts';
import type { SettingsStore } from '../settings.ts';
import type { UsageLedger } from '../store/usage-ledger.ts';

/** Who may use `/budget`: `BOT_OWNER_IDS`, or the application's owner(s) learned at log-in. */
export class Operators {
  #ids: ReadonlySet<string>;
  readonly #fixed: boolean;

  constructor(configured: readonly string[]) {
    this.#ids = new Set(configured);
    this.#fixed = configured.length > 0;
  }

  /** Adopts the application's owners, unless the operator listed IDs explicitly. */
  adoptApplicationOwners(ids: readonly string[]): void {
    if (!this.#fixed) this.#ids = new Set(ids);
  }

  has(userId: string): boolean {
    return this.#ids.has(userId);
  }

  get ids(): readonly string[] {
    return [...this.#ids];
  }
}

/** What every handler gets: services, never infrastructure. `log` is a per-interaction child. */
export interface AppContext {
  readonly config: Config;
  readonly log: Logger;
  readonly prompts: PromptService;
  readonly usage: UsageLedger;
  readonly settings: SettingsStore;
  readonly models: ModelDirectory;
  readonly operators: Operators;
  /** Where a server's budget alerts go, and which were sent this month. */
  readonly alerts: BudgetAlerts;
}

/** A slash command: its definition as sent to Discord, and its handlers. */
export interface Command {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /**
   * How the dispatcher acknowledges the interaction if the handler has not within 2 s
   * (Discord drops it at 3 s): `public` for answers, `private` for reports and refusals.
   */
  readonly ack: 'public' | 'private';
  execute(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: AppContext): Promise<void>;
}
