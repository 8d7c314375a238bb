import { ApplicationCommandOptionType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { Command } from '../src/discord/command.ts';
import { respond } from '../src/discord/reply.ts';
import { UserError } from '../src/errors.ts';

const list = (models: readonly string[]) => models.map((m) => `\`${m}\``).join(', ');

export default {
  data: {
    name: 'model',
    description: 'Show or choose the Mistral model this channel uses',
    contexts: [InteractionContextType.Guild],
    options: [
      {
        name: 'set',
        description: "Choose this channel's model (Manage Channels)",
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          {
            name: 'model',
            description: 'Model name',
            type: ApplicationCommandOptionType.String,
            required: true,
            autocomplete: true,
            max_length: 100,
          },
        ],
      },
      {
        name: 'show',
        description: "Show this channel's model",
        type: ApplicationCommandOptionType.Subcommand,
      },
      {
        name: 'list',
        description: 'List the models you can use',
        type: ApplicationCommandOptionType.Subcommand,
      },
    ],
  },
  ack: 'private',
  async execute(interaction, { prompts, settings, models, log }) {
    const reply = (content: string, privately: boolean) => respond(interaction, content, { privately });
    const channel = interaction.channel;
    const parentId = channel?.isThread() ? channel.parentId : undefined;
    switch (interaction.options.getSubcommand(true)) {
      case 'show': {
        const model = await prompts.modelFor(interaction.channelId, parentId);
        const note = models.isUnavailable(model) ? ' (not available on this bot right now)' : '';
        await reply(`This channel uses \`${model}\`${note}.`, true);
        return;
      }
      case 'list': {
        const current = await prompts.modelFor(interaction.channelId, parentId);
        const note = models.isUnavailable(current) ? ' (not available right now; pick another)' : '';
        await reply(
          `Models you can use: ${list(models.usable())}.\nThis channel uses \`${current}\`${note}; the default is \`${models.defaultModel}\`.`,
          true,
        );
        return;
      }
      case 'set': {
        if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
          throw new UserError(
            'missing_permission',
            "Choosing a channel's model needs the **Manage Channels** permission. Ask a server manager.",
          );
        }
        const model = interaction.options.getString('model', true).trim();
        if (!models.isOffered(model) || models.isUnavailable(model)) {
          throw new UserError(
            'unknown_model',
            `\`${model.slice(0, 100)}\` is not a model you can use here. Choose one of: ${list(models.usable())}.`,
          );
        }
        await settings.setChannelModel(interaction.channelId, model);
        log.info({ model }, 'channel model set');
        await reply(`This channel now uses \`${model}\`.`, false);
        return;
      }
    }
  },
  async autocomplete(interaction, { models }) {
    const typed = interaction.options.getFocused();
    await interaction.respond(models.search(typed).map((m) => ({ name: m, value: m })));
  },
} satisfies Command;
