import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import { modelList } from '../ask/failures.ts';
import { placeOf } from '../discord/ask-door.ts';
import type { SlashCommand } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';
import { described } from '../i18n/commands.ts';

export default {
  kind: 'slash',
  data: {
    name: 'model',
    ...described('cmd_model'),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        name: 'set',
        ...described('cmd_model_set'),
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          {
            name: 'model',
            ...described('cmd_model_set_model'),
            type: ApplicationCommandOptionType.String,
            required: true,
            autocomplete: true,
            max_length: 100,
          },
        ],
      },
      { name: 'show', ...described('cmd_model_show'), type: ApplicationCommandOptionType.Subcommand },
      { name: 'list', ...described('cmd_model_list'), type: ApplicationCommandOptionType.Subcommand },
    ],
  },
  preconditions: { guildOnly: true },
  subcommands: { set: { anyPermission: ['ManageChannels'] } },
  ack: 'private',
  async execute(interaction, { profiles, settings, models, reply, log }) {
    const { parentId } = placeOf(interaction);
    const locale = interaction.locale;
    switch (interaction.options.getSubcommand(true)) {
      case 'show': {
        const { model } = await profiles.profileFor(interaction.channelId, parentId);
        await reply.respond(
          t(locale, 'model_show', { model, unavailable: models.isUnavailable(model) ? 'yes' : 'no' }),
          {
            privately: true,
          },
        );
        return;
      }
      case 'list': {
        const { model } = await profiles.profileFor(interaction.channelId, parentId);
        await reply.respond(
          t(locale, 'model_list', {
            models: modelList(models.usable(), 100),
            model,
            unavailable: models.isUnavailable(model) ? 'yes' : 'no',
            default: models.defaultModel,
          }),
          { privately: true },
        );
        return;
      }
      case 'set': {
        const model = interaction.options.getString('model', true).trim();
        if (!models.isOffered(model) || models.isUnavailable(model)) {
          throw new UserError('unknown_model', {
            model: model.slice(0, 100),
            models: modelList(models.usable(), 100),
          });
        }
        await settings.setChannelModel(interaction.channelId, model);
        log.info({ model }, 'channel model set');
        await reply.respond(t(interaction.guildLocale ?? locale, 'model_set', { model }), {
          privately: false,
        });
        return;
      }
    }
  },
  async autocomplete(interaction, { models }) {
    const typed = interaction.options.getFocused();
    await interaction.respond(models.search(typed).map((m) => ({ name: m, value: m })));
  },
} satisfies SlashCommand;
