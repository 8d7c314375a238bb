import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { PromptPart } from '../ask/request.ts';
import { askFromInteraction, attachmentOf } from '../discord/ask-door.ts';
import type { SlashCommand } from '../discord/command.ts';
import { described } from '../i18n/commands.ts';

export default {
  kind: 'slash',
  data: {
    name: 'ask',
    ...described('cmd_ask'),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        name: 'prompt',
        ...described('cmd_ask_prompt'),
        type: ApplicationCommandOptionType.String,
        required: true,
        max_length: 6000,
      },
      {
        name: 'attachment',
        ...described('cmd_ask_attachment'),
        type: ApplicationCommandOptionType.Attachment,
      },
      { name: 'thread', ...described('cmd_ask_thread'), type: ApplicationCommandOptionType.Boolean },
      { name: 'private', ...described('cmd_ask_private'), type: ApplicationCommandOptionType.Boolean },
    ],
  },
  preconditions: { guildOnly: true },
  ack: 'public',
  async execute(interaction, ctx) {
    const attachment = interaction.options.getAttachment('attachment');
    const parts: PromptPart[] = [{ kind: 'text', text: interaction.options.getString('prompt', true) }];
    if (attachment) parts.push({ kind: 'attachment', attachment: attachmentOf(attachment) });
    return askFromInteraction(interaction, ctx, {
      task: 'ask',
      parts,
      visibility: interaction.options.getBoolean('private') ? 'private' : 'public',
      openThread: interaction.options.getBoolean('thread') ?? false,
    });
  },
} satisfies SlashCommand;
