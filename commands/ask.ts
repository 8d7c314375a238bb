import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/command.ts';

export default {
  data: {
    name: 'ask',
    description: "Ask this channel's Mistral model a question",
    contexts: [InteractionContextType.Guild],
    options: [
      {
        name: 'prompt',
        description: 'Your question',
        type: ApplicationCommandOptionType.String,
        required: true,
        max_length: 6000,
      },
      {
        name: 'thread',
        description: 'Open a thread from the answer to continue the conversation there',
        type: ApplicationCommandOptionType.Boolean,
        required: false,
      },
    ],
  },
  ack: 'public',
  async execute(interaction, { prompts, log }) {
    await prompts.answer(interaction, interaction.options.getString('prompt', true), log, {
      openThread: interaction.options.getBoolean('thread') ?? false,
    });
  },
} satisfies Command;
