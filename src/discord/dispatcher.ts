import { randomBytes } from 'node:crypto';
import type { CommandInteractionOption, Interaction } from 'discord.js';
import { failureMessage, UserError } from '../errors.ts';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { AppContext, Command } from './command.ts';
import { deferOnce, replyPrivately } from './reply.ts';

/** Discord drops an interaction not acknowledged within 3 s; the guard defers at this point. */
export const ACK_GUARD_MS = 2_000;

/** What members are told while the bot shuts down (every new command, /ask included). */
export const RESTARTING =
  'I am restarting and not taking new requests right now; nothing was sent or charged. Please try again in a minute.';

export interface DispatcherOptions {
  /** True once shutdown began: new commands are refused privately with {@link RESTARTING}. */
  readonly closing?: () => boolean;
}

/** An option as the debug log shows it: name and value, subcommands flattened. */
function optionForLog(o: CommandInteractionOption): unknown {
  return o.options ? { [o.name]: o.options.map(optionForLog) } : { [o.name]: o.value };
}

/** A short reference for one interaction, shown with failures and bound to its log lines. */
export function requestRef(): string {
  return randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
}

/**
 * The one place that routes interactions and catches what handlers throw. A {@link UserError}
 * becomes a private refusal with its own message; anything else is logged with its context and
 * the user gets a generic private apology, never the error's text.
 */
export function createDispatcher(
  commands: ReadonlyMap<string, Command>,
  ctx: Omit<AppContext, 'log'>,
  log: Logger,
  events?: BotEvents,
  options: DispatcherOptions = {},
): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    if (interaction.isAutocomplete()) {
      const command = commands.get(interaction.commandName);
      try {
        if (command?.autocomplete) await command.autocomplete(interaction, { ...ctx, log });
        else await interaction.respond([]);
      } catch (error) {
        log.warn({ err: error, command: interaction.commandName }, 'autocomplete failed');
      }
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    const ref = requestRef();
    const ilog = log.child({
      req: ref,
      interaction: interaction.id,
      command: interaction.commandName,
      guild: interaction.guildId,
      channel: interaction.channelId,
      user: interaction.user.id,
    });
    const command = commands.get(interaction.commandName);
    if (!command) {
      ilog.warn('unknown command');
      await replyPrivately(
        interaction,
        'I do not know this command any more; it will disappear shortly.',
      ).catch((error: unknown) => ilog.warn({ err: error }, 'could not answer an unknown command'));
      return;
    }
    const guard = setTimeout(() => {
      deferOnce(interaction, command.ack === 'private').catch((error: unknown) =>
        ilog.warn({ err: error }, 'could not defer in time'),
      );
    }, ACK_GUARD_MS);
    try {
      if (options.closing?.()) throw new UserError('restarting', RESTARTING);
      // Options hold prompts: members' text is logged at debug only.
      ilog.debug({ options: interaction.options.data.map(optionForLog) }, 'command');
      const t0 = performance.now();
      await command.execute(interaction, { ...ctx, log: ilog });
      events?.emit({
        type: 'handled',
        guildId: interaction.guildId,
        command: interaction.commandName,
        ms: performance.now() - t0,
      });
    } catch (error) {
      const refusal = error instanceof UserError;
      const where = { guildId: interaction.guildId, command: interaction.commandName };
      if (refusal) {
        ilog.info({ code: error.code, cause: error.cause }, 'refused');
        events?.emit({ type: 'refused', ...where, code: error.code });
      } else {
        ilog.error({ err: error }, 'command failed');
        events?.emit({ type: 'failed', ...where });
      }
      // Upstream failures carry the reference too: they are worth an operator's look.
      const text = !refusal
        ? failureMessage(ref)
        : error.code === 'upstream_failed'
          ? `${error.message} (ref \`${ref}\`)`
          : error.message;
      await replyPrivately(interaction, text).catch((replyError: unknown) =>
        ilog.warn({ err: replyError }, 'could not tell the user'),
      );
    } finally {
      clearTimeout(guard);
    }
  };
}
