import { InteractionContextType } from 'discord.js';
import { placeOf } from '../discord/ask-door.ts';
import type { SlashCommand } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';
import { described } from '../i18n/commands.ts';

export default {
  kind: 'slash',
  data: { name: 'forget', ...described('cmd_forget'), contexts: [InteractionContextType.Guild] },
  preconditions: { guildOnly: true },
  ack: 'private',
  async execute(interaction, { conversations, reply, log }) {
    if (!placeOf(interaction).inThread) throw new UserError('forget_outside_thread');
    const turns = await conversations.forget(interaction.channelId);
    log.info({ turns }, 'conversation forgotten');
    await reply.respond(t(interaction.locale, 'forgotten', { turns }), { privately: true });
  },
} satisfies SlashCommand;
