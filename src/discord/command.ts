import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  PermissionFlagsBits,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { AskService } from '../ask/ask-service.ts';
import type { AskOutcome } from '../ask/request.ts';
import type { ConversationMemory } from '../ask/conversation.ts';
import type { ChannelProfiles } from '../ask/profile.ts';
import type { BudgetAlerts } from '../budget/alerts.ts';
import type { BudgetService } from '../budget/budget-service.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { ModelDirectory } from '../mistral/models.ts';
import type { SettingsStore } from '../store/settings.ts';
import type { UsageLedger } from '../store/usage-ledger.ts';
import type { AnswerArchive, RunningAnswers } from './answer-archive.ts';
import type { Operators } from './operators.ts';
import type { PromptStash } from './prompt-stash.ts';
import type { InteractionReply } from './reply.ts';
import type { DiscordRequestBudget } from './request-budget.ts';

/** A member permission a command may require (a key of discord.js' `PermissionFlagsBits`). */
export type PermissionName = keyof typeof PermissionFlagsBits;

/**
 * What must hold before a command runs. Declared once on the command and checked by the
 * dispatcher at run time for every invocation: a server's command overrides can show a command
 * to anyone, so `default_member_permissions` alone proves nothing.
 */
export interface Preconditions {
  /** Refused outside a server (DMs): every budget belongs to a server. */
  readonly guildOnly?: boolean;
  /** Member permissions in the channel (any one of them is enough). */
  readonly anyPermission?: readonly PermissionName[];
  /** Only the bot's operators (`BOT_OWNER_IDS`, else the application's owners). */
  readonly operatorOnly?: boolean;
}

/** The services every handler gets (never infrastructure), plus this interaction's own helpers. */
export interface AppContext {
  readonly config: Config;
  /** A child logger bound to this interaction (`req`, guild, channel, user). */
  readonly log: Logger;
  /** This interaction's short reference, shown with failures and on its log lines. */
  readonly ref: string;
  /** Answers this interaction (acknowledgement, private and public replies). */
  readonly reply: InteractionReply;
  readonly ask: AskService;
  readonly budget: BudgetService;
  readonly usage: UsageLedger;
  readonly settings: SettingsStore;
  readonly profiles: ChannelProfiles;
  readonly conversations: ConversationMemory;
  readonly models: ModelDirectory;
  readonly operators: Operators;
  readonly alerts: BudgetAlerts;
  readonly archive: AnswerArchive;
  readonly running: RunningAnswers;
  readonly stash: PromptStash;
  /** Every Discord REST call's shared budget; waiting notices only go when it has room. */
  readonly requests: DiscordRequestBudget;
}

/** How the dispatcher acknowledges if the handler has not within 2 s (Discord drops it at 3 s). */
export type Ack = 'public' | 'private';

/** A slash command: its definition as sent to Discord, its preconditions, and its handler. */
export interface SlashCommand {
  readonly kind: 'slash';
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  readonly preconditions: Preconditions;
  /** Further preconditions of single subcommands (e.g. `/model set` needs Manage Channels). */
  readonly subcommands?: Readonly<Record<string, Preconditions>>;
  readonly ack: Ack;
  execute(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<AskOutcome | void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: Omit<AppContext, 'reply' | 'ref'>): Promise<void>;
}

/** A message context-menu command ("Apps" → name on a message). */
export interface MessageCommand {
  readonly kind: 'message';
  readonly data: RESTPostAPIContextMenuApplicationCommandsJSONBody;
  readonly preconditions: Preconditions;
  /** `none`: the handler answers at once itself (opens a modal, which must be the first response). */
  readonly ack: Ack | 'none';
  execute(interaction: MessageContextMenuCommandInteraction, ctx: AppContext): Promise<AskOutcome | void>;
}

/** Handles clicks on buttons whose custom ID starts with `prefix:`; `args` are the rest, split on `:`. */
export interface ButtonHandler {
  readonly prefix: string;
  readonly preconditions: Preconditions;
  execute(
    interaction: ButtonInteraction,
    ctx: AppContext,
    args: readonly string[],
  ): Promise<AskOutcome | void>;
}

/** Handles submitted modals whose custom ID starts with `prefix:`. */
export interface ModalHandler {
  readonly prefix: string;
  readonly preconditions: Preconditions;
  readonly ack: Ack;
  execute(
    interaction: ModalSubmitInteraction,
    ctx: AppContext,
    args: readonly string[],
  ): Promise<AskOutcome | void>;
}

/** Everything the dispatcher routes. */
export interface Handlers {
  readonly slash: ReadonlyMap<string, SlashCommand>;
  readonly message: ReadonlyMap<string, MessageCommand>;
  readonly buttons: ReadonlyMap<string, ButtonHandler>;
  readonly modals: ReadonlyMap<string, ModalHandler>;
}
