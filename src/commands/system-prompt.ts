import { ApplicationCommandOptionType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { checkSystemPrompt, SYSTEM_PROMPT_MAX_CHARS } from '../ask/system-prompt.ts';
import { estimateTokens } from '../budget/estimate.ts';
import { placeOf } from '../discord/ask-door.ts';
import type { SlashCommand } from '../discord/command.ts';
import { t } from '../i18n/catalogue.ts';
import { described } from '../i18n/commands.ts';

export default {
  kind: 'slash',
  data: {
    name: 'system-prompt',
    ...described('cmd_system_prompt'),
    contexts: [InteractionContextType.Guild],
    default_member_permissions: PermissionFlagsBits.ManageChannels.toString(),
    options: [
      {
        name: 'set',
        ...described('cmd_system_prompt_set'),
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          {
            name: 'text',
            ...described('cmd_system_prompt_set_text'),
            type: ApplicationCommandOptionType.String,
            required: true,
            max_length: SYSTEM_PROMPT_MAX_CHARS,
          },
        ],
      },
      { name: 'show', ...described('cmd_system_prompt_show'), type: ApplicationCommandOptionType.Subcommand },
      {
        name: 'clear',
        ...described('cmd_system_prompt_clear'),
        type: ApplicationCommandOptionType.Subcommand,
      },
    ],
  },
  preconditions: { guildOnly: true, anyPermission: ['ManageChannels'] },
  ack: 'private',
  async execute(interaction, { profiles, settings, reply, log }) {
    const { parentId } = placeOf(interaction);
    const locale = interaction.locale;
    switch (interaction.options.getSubcommand(true)) {
      case 'set': {
        const text = checkSystemPrompt(interaction.options.getString('text', true));
        await settings.setChannelSystemPrompt(interaction.channelId, text);
        log.info({ chars: text.length }, 'channel system prompt set');
        await reply.respond(
          t(locale, 'system_prompt_set', { thread: parentId ? 'yes' : 'no', tokens: estimateTokens(text) }),
          { privately: true, embeds: [{ description: text }] },
        );
        return;
      }
      case 'clear': {
        await settings.setChannelSystemPrompt(interaction.channelId, undefined);
        log.info('channel system prompt cleared');
        const now = await profiles.profileFor(interaction.channelId, parentId);
        await reply.respond(t(locale, 'system_prompt_cleared', { source: now.systemPrompt.source }), {
          privately: true,
        });
        return;
      }
      case 'show': {
        const current = (await profiles.profileFor(interaction.channelId, parentId)).systemPrompt;
        await reply.respond(
          t(locale, 'system_prompt_show', { source: current.source, parent: parentId ?? '' }),
          {
            privately: true,
            embeds: [{ description: current.text }],
          },
        );
        return;
      }
    }
  },
} satisfies SlashCommand;
