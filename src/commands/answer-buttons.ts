import { MessageFlags, PermissionFlagsBits, type ButtonInteraction } from 'discord.js';
import { ARCHIVE_DAYS } from '../discord/answer-archive.ts';
import { askFromInteraction } from '../discord/ask-door.ts';
import type { ButtonHandler } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';

/** Reasoning longer than this is sent as a file instead of a message. */
const REASONING_INLINE_MAX = 1_800;

/** Whether the clicking member may act on an answer: the asker, or someone who manages messages. */
function mayAct(interaction: ButtonInteraction, askerId: string): boolean {
  return (
    interaction.user.id === askerId ||
    interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) === true
  );
}

/**
 * The buttons on answers (custom IDs `answer:<action>:…`, see `BUTTON` in answer-text.ts):
 * - **Stop** (`stop:<asker>:<answer>`) closes a running answer's stream; the text so far stays,
 *   marked stopped, charged what was generated. After a restart nothing runs and the button goes.
 * - **Regenerate** (`regen:<asker>`) asks the same question again as a new, gated and charged
 *   answer under the old one; the question comes from the store, keyed by the message.
 * - **Show reasoning** sends the model's reasoning privately (as a file when long).
 * Stop and Regenerate are for the asker or members with Manage Messages; others are told privately.
 */
export const answerButtons: ButtonHandler = {
  prefix: 'answer',
  preconditions: { guildOnly: true },
  async execute(interaction, ctx, [action = '', askerId = '', answerId = '']) {
    const locale = interaction.locale;
    switch (action) {
      case 'stop': {
        if (!mayAct(interaction, askerId)) throw new UserError('button_not_yours');
        if (ctx.running.stop(answerId)) {
          await ctx.reply.deferUpdate();
          return;
        }
        // Nothing runs under this ID (finished, or the bot restarted): take the button away.
        await interaction.update({ components: [] });
        await ctx.reply.private(t(locale, 'answer_not_running'));
        return;
      }
      case 'regen': {
        if (!mayAct(interaction, askerId)) throw new UserError('button_not_yours');
        const archived = await ctx.archive.find(interaction.message.id);
        if (!archived) throw new UserError('answer_forgotten', { days: ARCHIVE_DAYS });
        const privately = interaction.message.flags.has(MessageFlags.Ephemeral);
        await ctx.reply.deferUpdate();
        return askFromInteraction(
          interaction,
          ctx,
          {
            task: archived.request.task,
            parts: archived.request.parts,
            visibility: privately ? 'private' : 'public',
          },
          { regeneratedBy: interaction.user.id, asFollowUp: true },
        );
      }
      case 'reasoning': {
        const archived = await ctx.archive.find(interaction.message.id);
        if (!archived) throw new UserError('answer_forgotten', { days: ARCHIVE_DAYS });
        if (archived.reasoning.trim() === '') throw new UserError('no_reasoning');
        if (archived.reasoning.length <= REASONING_INLINE_MAX) {
          await ctx.reply.private(
            `${t(locale, 'reasoning_header', { model: archived.model })}\n>>> ${archived.reasoning}`,
          );
        } else {
          await ctx.reply.respond(t(locale, 'reasoning_in_file', { model: archived.model }), {
            privately: true,
            files: [{ attachment: Buffer.from(archived.reasoning, 'utf8'), name: 'reasoning.md' }],
          });
        }
        return;
      }
      default:
        throw new UserError('unknown_command');
    }
  },
};
