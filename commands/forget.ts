import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/command.ts';
import { respond } from '../src/discord/reply.ts';
import { UserError } from '../src/errors.ts';

export default {
  data: {
    name: 'forget',
    description: "Clear this thread's conversation memory; the next /ask here starts fresh",
    contexts: [InteractionContextType.Guild],
  },
  ack: 'private',
  async execute(interaction, { prompts, log }) {
    if (!interaction.channel?.isThread()) {
      throw new UserError(
        'bad_input',
        'Only threads remember earlier questions, so there is nothing to forget here. ' +
          'Each `/ask` in a channel starts fresh; use `/forget` inside a thread.',
      );
    }
    const turns = await prompts.forget(interaction.channelId);
    log.info({ turns }, 'conversation forgotten');
    await respond(
      interaction,
      turns === 0
        ? 'This thread had nothing to remember. The next `/ask` here starts fresh.'
        : `Forgotten: ${turns} earlier ${turns === 1 ? 'question and answer' : 'questions and answers'}. The next \`/ask\` here starts fresh.`,
      { privately: true },
    );
  },
} satisfies Command;
