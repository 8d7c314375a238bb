import type { Interaction } from 'discord.js';
import { GENERIC_FAILURE, UserError } from '../errors.ts';
import type { BotEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { AppContext, Command } from './command.ts';
import { deferOnce, replyPrivately } from './reply.ts';

/** Discord drops an interaction not acknowledged within 3 s; the guard defers at this point. */
export const ACK_GUARD_MS = 2_000;

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
    const ilog = log.child({
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
      await command.execute(interaction, { ...ctx, log: ilog });
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
      await replyPrivately(interaction, refusal ? error.message : GENERIC_FAILURE).catch(
        (replyError: unknown) => ilog.warn({ err: replyError }, 'could not tell the user'),
      );
    } finally {
      clearTimeout(guard);
    }
  };
}
