import {
  PermissionFlagsBits,
  type CommandInteractionOption,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import type { AskOutcome } from '../ask/request.ts';
import { failureMessage, UserError } from '../errors.ts';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Ack, AppContext, Handlers, Preconditions } from './command.ts';
import { InteractionReply } from './reply.ts';

/** Discord drops an interaction not acknowledged within 3 s; the guard defers at this point. */
export const ACK_GUARD_MS = 2_000;

export interface DispatcherOptions {
  /** True once shutdown began: everything new is refused privately with `restarting`. */
  readonly closing?: () => boolean;
}

/** An option as the debug log shows it: name and value, subcommands flattened. */
function optionForLog(o: CommandInteractionOption): unknown {
  return o.options ? { [o.name]: o.options.map(optionForLog) } : { [o.name]: o.value };
}

/**
 * A short reference for one interaction, shown with failures and bound to its log lines. It only
 * has to tell a few lines apart, not to be unguessable: `Math.random`, not the system's entropy.
 */
export function requestRef(): string {
  return Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
}

/** Why `preconditions` refuse this interaction, or undefined when they hold. */
export function checkPreconditions(
  interaction: RepliableInteraction,
  preconditions: Preconditions,
  isOperator: (userId: string) => boolean,
): UserError | undefined {
  if (preconditions.operatorOnly && !isOperator(interaction.user.id)) return new UserError('not_operator');
  if (preconditions.guildOnly && !interaction.inGuild()) return new UserError('guild_only');
  const any = preconditions.anyPermission;
  if (any && any.length > 0) {
    const granted = any.some(
      (name) => interaction.memberPermissions?.has(PermissionFlagsBits[name]) === true,
    );
    if (!granted) return new UserError('missing_permission', { permission: any[0] as string });
  }
  return undefined;
}

/** What the dispatcher found for one interaction. */
interface Route {
  /** For logs and metrics: the command name, or `button:<prefix>`, `modal:<prefix>`. */
  readonly name: string;
  readonly preconditions: Preconditions;
  readonly ack: Ack | 'none' | 'update';
  run(ctx: AppContext): Promise<AskOutcome | void>;
}

/**
 * The one place that routes interactions (slash commands, message commands, buttons, modals,
 * autocomplete), checks every handler's declared preconditions at run time, keeps Discord's
 * 3-second acknowledgement, and catches what handlers throw. A {@link UserError} becomes a private
 * refusal in the member's language; anything else is logged with its context and the member gets a
 * generic private apology with a reference, never the error's text.
 */
export function createDispatcher(
  handlers: Handlers,
  services: Omit<AppContext, 'log' | 'reply' | 'ref'>,
  log: Logger,
  events?: BotEvents,
  options: DispatcherOptions = {},
): (interaction: Interaction) => Promise<void> {
  const route = (interaction: Interaction): Route | undefined => {
    if (interaction.isChatInputCommand()) {
      const command = handlers.slash.get(interaction.commandName);
      if (!command) return undefined;
      const sub = interaction.options.getSubcommand(false);
      return {
        name: interaction.commandName,
        preconditions: { ...command.preconditions, ...(sub ? command.subcommands?.[sub] : {}) },
        ack: command.ack,
        run: (ctx) => command.execute(interaction, ctx),
      };
    }
    if (interaction.isMessageContextMenuCommand()) {
      const command = handlers.message.get(interaction.commandName);
      if (!command) return undefined;
      return {
        name: interaction.commandName,
        preconditions: command.preconditions,
        ack: command.ack,
        run: (ctx) => command.execute(interaction, ctx),
      };
    }
    if (interaction.isButton()) {
      const [prefix = '', ...args] = interaction.customId.split(':');
      const handler = handlers.buttons.get(prefix);
      if (!handler) return undefined;
      return {
        name: `button:${prefix}:${args[0] ?? ''}`,
        preconditions: handler.preconditions,
        ack: 'update',
        run: (ctx) => handler.execute(interaction, ctx, args),
      };
    }
    if (interaction.isModalSubmit()) {
      const [prefix = '', ...args] = interaction.customId.split(':');
      const handler = handlers.modals.get(prefix);
      if (!handler) return undefined;
      return {
        name: `modal:${prefix}`,
        preconditions: handler.preconditions,
        ack: handler.ack,
        run: (ctx) => handler.execute(interaction, ctx, args),
      };
    }
    return undefined;
  };

  return async (interaction) => {
    if (interaction.isAutocomplete()) {
      const command = handlers.slash.get(interaction.commandName);
      try {
        if (command?.autocomplete) await command.autocomplete(interaction, { ...services, log });
        else await interaction.respond([]);
      } catch (error) {
        log.warn({ err: error, command: interaction.commandName }, 'autocomplete failed');
      }
      return;
    }
    if (!interaction.isRepliable()) return;
    const ref = requestRef();
    const reply = new InteractionReply(interaction);
    const found = route(interaction);
    const name = found?.name ?? ('commandName' in interaction ? interaction.commandName : 'unknown');
    const ilog = log.child({
      req: ref,
      interaction: interaction.id,
      command: name,
      guild: interaction.guildId,
      channel: interaction.channelId,
      user: interaction.user.id,
    });
    const where = { guildId: interaction.guildId, command: name };
    if (!found) {
      ilog.warn('unknown command or component');
      await reply
        .private(new UserError('unknown_command').render(interaction.locale))
        .catch((error: unknown) => ilog.warn({ err: error }, 'could not answer an unknown command'));
      return;
    }
    const guard = setTimeout(() => {
      const ack =
        found.ack === 'update'
          ? reply.deferUpdate()
          : found.ack === 'none'
            ? undefined
            : reply.defer(found.ack === 'private');
      ack?.catch((error: unknown) => ilog.warn({ err: error }, 'could not acknowledge in time'));
    }, ACK_GUARD_MS);
    try {
      if (options.closing?.()) throw new UserError('restarting');
      const refused = checkPreconditions(interaction, found.preconditions, (id) =>
        services.operators.has(id),
      );
      if (refused) throw refused;
      // Options hold prompts: members' words are logged at debug only.
      if (interaction.isChatInputCommand())
        ilog.debug({ options: interaction.options.data.map(optionForLog) }, 'command');
      const t0 = performance.now();
      const outcome = await found.run({ ...services, log: ilog, ref, reply });
      if (outcome?.kind === 'refused') {
        ilog.info({ code: outcome.code }, 'refused');
        events?.emit({ type: 'refused', ...where, code: outcome.code });
      } else {
        events?.emit({ type: 'handled', ...where, ms: performance.now() - t0 });
      }
    } catch (error) {
      let text: string;
      if (error instanceof UserError) {
        ilog.info({ code: error.code, cause: error.cause }, 'refused');
        events?.emit({ type: 'refused', ...where, code: error.code });
        if (error.code.startsWith('upstream_')) error.ref = ref;
        text = error.render(interaction.locale);
      } else {
        ilog.error({ err: error }, 'command failed');
        events?.emit({ type: 'failed', ...where });
        text = failureMessage(interaction.locale, ref);
      }
      await reply
        .private(text)
        .catch((replyError: unknown) => ilog.warn({ err: replyError }, 'could not tell the member'));
    } finally {
      clearTimeout(guard);
    }
  };
}
