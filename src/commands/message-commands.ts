import { ApplicationCommandType, ComponentType, InteractionContextType, TextInputStyle } from 'discord.js';
import type { AskTask } from '../ask/request.ts';
import { askFromInteraction, quoteOf } from '../discord/ask-door.ts';
import type { MessageCommand, ModalHandler } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t, type MessageCode } from '../i18n/catalogue.ts';
import { named } from '../i18n/commands.ts';

/** Longest question the "Ask Mistral" modal takes (Discord's text inputs allow 4,000). */
const MODAL_QUESTION_MAX = 4_000;

/**
 * A message command that runs one task on the message it targets. Discord gives the target's
 * content with the command (no privileged intent needed). Summaries and explanations are public
 * like `/ask`; a translation into the member's own language is for them, so it is private.
 */
function taskCommand(name: MessageCode, task: AskTask, visibility: 'public' | 'private'): MessageCommand {
  return {
    kind: 'message',
    data: { ...named(name), type: ApplicationCommandType.Message, contexts: [InteractionContextType.Guild] },
    preconditions: { guildOnly: true },
    ack: visibility,
    execute: (interaction, ctx) =>
      askFromInteraction(interaction, ctx, { task, parts: [quoteOf(interaction.targetMessage)], visibility }),
  };
}

export const summarize = taskCommand('ctx_summarize', 'summarize', 'public');
export const explain = taskCommand('ctx_explain', 'explain', 'public');
export const translate = taskCommand('ctx_translate', 'translate', 'private');

/**
 * "Ask Mistral" on a message: keeps the message (its content arrives only with this command),
 * then opens a modal for the member's question and who sees the answer. The modal's submit asks.
 */
export const askAbout: MessageCommand = {
  kind: 'message',
  data: {
    ...named('ctx_ask'),
    type: ApplicationCommandType.Message,
    contexts: [InteractionContextType.Guild],
  },
  preconditions: { guildOnly: true },
  // A modal must be the first response: no defer.
  ack: 'none',
  async execute(interaction, { stash }) {
    const locale = interaction.locale;
    await stash.keep(interaction.id, quoteOf(interaction.targetMessage));
    await interaction.showModal({
      custom_id: `ask-about:${interaction.id}`,
      title: t(locale, 'modal_ask_title'),
      components: [
        {
          type: ComponentType.Label,
          label: t(locale, 'modal_ask_question'),
          component: {
            type: ComponentType.TextInput,
            custom_id: 'question',
            style: TextInputStyle.Paragraph,
            required: true,
            max_length: MODAL_QUESTION_MAX,
          },
        },
        {
          type: ComponentType.Label,
          label: t(locale, 'modal_ask_visibility'),
          component: {
            type: ComponentType.StringSelect,
            custom_id: 'visibility',
            required: false,
            options: [
              { label: t(locale, 'modal_ask_everyone'), value: 'public', default: true },
              { label: t(locale, 'modal_ask_only_me'), value: 'private' },
            ],
          },
        },
      ],
    });
  },
};

/** The "Ask Mistral" modal's submit: the member's question about the kept message. */
export const askAboutModal: ModalHandler = {
  prefix: 'ask-about',
  preconditions: { guildOnly: true },
  ack: 'public',
  async execute(interaction, ctx, [id = '']) {
    const quote = await ctx.stash.take(id);
    if (!quote) throw new UserError('ask_about_expired');
    const question = interaction.fields.getTextInputValue('question');
    const visibility =
      interaction.fields.getStringSelectValues('visibility')[0] === 'private' ? 'private' : 'public';
    return askFromInteraction(interaction, ctx, {
      task: 'ask',
      parts: [{ kind: 'text', text: question }, quote],
      visibility,
    });
  },
};
