import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import { modelList } from '../ask/failures.ts';
import { placeOf } from '../discord/ask-door.ts';
import type { SlashCommand } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';
import { described } from '../i18n/commands.ts';
import type { ModelDirectory } from '../mistral/models.ts';

/** The `reasoning:` value that clears a channel's effort (the model's own default applies). */
const DEFAULT_EFFORT = 'default';

/** A model as `/model list` shows it: its name, then 🖼️ (images), 📄 (PDFs), 💭 (reasons). */
function withMarks(models: Pick<ModelDirectory, 'capabilitiesOf'>, model: string): string {
  const c = models.capabilitiesOf(model);
  const marks = `${c.vision ? '🖼️' : ''}${c.documents ? '📄' : ''}${c.reasoning ? '💭' : ''}`;
  return marks === '' ? modelList([model]) : `${modelList([model])} ${marks}`;
}

/**
 * The `reasoning:` a manager chose, checked against what the model takes. `undefined` when none
 * was given; {@link DEFAULT_EFFORT} clears the channel's effort.
 */
function chosenEffort(
  models: Pick<ModelDirectory, 'capabilitiesLearnedAt' | 'reasoningEfforts' | 'reasoningModels'>,
  model: string,
  given: string | null,
): string | undefined {
  const effort = given?.trim().toLowerCase();
  if (effort === undefined || effort === '' || effort === DEFAULT_EFFORT) return effort || undefined;
  const efforts = models.reasoningEfforts(model);
  if (efforts.length === 0) {
    // Before the first model cards arrive nothing reasons, as far as the bot knows: say so, not "no".
    if (models.capabilitiesLearnedAt === undefined)
      throw new UserError('capabilities_unknown', { what: 'reasoning' });
    const reasoning = models.reasoningModels();
    throw new UserError('reasoning_not_supported', {
      model,
      models: reasoning.length > 0 ? modelList(reasoning, 25) : 'none',
    });
  }
  if (!efforts.includes(effort))
    throw new UserError('reasoning_effort_not_offered', {
      model,
      effort: effort.slice(0, 20),
      efforts: modelList(efforts),
    });
  return effort;
}

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
          {
            name: 'reasoning',
            ...described('cmd_model_set_reasoning'),
            type: ApplicationCommandOptionType.String,
            autocomplete: true,
            max_length: 20,
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
        const { model, reasoningEffort } = await profiles.profileFor(interaction.channelId, parentId);
        const shown = t(locale, 'model_show', {
          model,
          unavailable: models.isUnavailable(model) ? 'yes' : 'no',
        });
        await reply.respond(
          reasoningEffort === undefined
            ? shown
            : `${shown}\n${t(locale, 'model_show_reasoning', { effort: reasoningEffort })}`,
          { privately: true },
        );
        return;
      }
      case 'list': {
        const { model } = await profiles.profileFor(interaction.channelId, parentId);
        const listed = models
          .usable()
          .slice(0, 60)
          .map((m) => withMarks(models, m))
          .join(', ');
        await reply.respond(
          `${t(locale, 'model_list', {
            models: listed,
            model,
            unavailable: models.isUnavailable(model) ? 'yes' : 'no',
            default: models.defaultModel,
          })}\n-# ${t(locale, 'model_list_legend')}`,
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
        const channelId = interaction.channelId;
        const chosen = chosenEffort(models, model, interaction.options.getString('reasoning'));
        await settings.setChannelModel(channelId, model);
        const publicLocale = interaction.guildLocale ?? locale;
        if (chosen !== undefined) {
          const effort = chosen === DEFAULT_EFFORT ? undefined : chosen;
          await settings.setChannelReasoningEffort(channelId, effort);
          log.info({ model, effort: effort ?? 'default' }, 'channel model set');
          await reply.respond(
            effort === undefined
              ? t(publicLocale, 'model_set', { model })
              : t(publicLocale, 'model_set_reasoning', { model, effort }),
            { privately: false },
          );
          return;
        }
        // The channel's own effort stays while the new model takes it (a model nothing describes yet keeps it).
        const kept = await settings.channelReasoningEffort(channelId);
        const fits =
          kept === undefined || !models.knows(model) || models.reasoningEfforts(model).includes(kept);
        if (!fits) await settings.setChannelReasoningEffort(channelId, undefined);
        log.info({ model, effort: fits ? (kept ?? 'default') : 'cleared' }, 'channel model set');
        await reply.respond(
          kept === undefined
            ? t(publicLocale, 'model_set', { model })
            : fits
              ? t(publicLocale, 'model_set_reasoning', { model, effort: kept })
              : t(publicLocale, 'model_set_effort_cleared', { model, effort: kept }),
          { privately: false },
        );
        return;
      }
    }
  },
  async autocomplete(interaction, { models }) {
    const focused = interaction.options.getFocused(true);
    if (focused.name !== 'reasoning') {
      await interaction.respond(models.search(focused.value).map((m) => ({ name: m, value: m })));
      return;
    }
    // The efforts of the model typed in the same command; `default` always.
    const model = (interaction.options.getString('model') ?? '').trim();
    const typed = focused.value.trim().toLowerCase();
    const choices = [
      { name: t(interaction.locale, 'reasoning_choice_default'), value: DEFAULT_EFFORT },
      ...models.reasoningEfforts(model).map((e) => ({ name: e, value: e })),
    ].filter((c) => c.value.startsWith(typed));
    await interaction.respond(choices.slice(0, 25));
  },
} satisfies SlashCommand;
