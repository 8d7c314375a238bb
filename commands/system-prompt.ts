import {
  ApplicationCommandOptionType,
  InteractionContextType,
  PermissionFlagsBits,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { estimateTokens } from '../src/budget.ts';
import type { Command } from '../src/discord/command.ts';
import { deferOnce, formatTokens, NO_MENTIONS, respond } from '../src/discord/reply.ts';
import { UserError } from '../src/errors.ts';
import { checkSystemPrompt, SYSTEM_PROMPT_MAX_CHARS } from '../src/system-prompt.ts';

/** Shows a prompt privately in an embed: no escaping needed and room for the longest one. */
async function showPrivately(
  interaction: ChatInputCommandInteraction,
  content: string,
  prompt: string,
): Promise<void> {
  const payload = { content, embeds: [{ description: prompt }], allowedMentions: NO_MENTIONS };
  await deferOnce(interaction, true);
  await interaction.editReply(payload);
}

export default {
  data: {
    name: 'system-prompt',
    description: "Set, show or clear this channel's system prompt (Manage Channels)",
    contexts: [InteractionContextType.Guild],
    default_member_permissions: PermissionFlagsBits.ManageChannels.toString(),
    options: [
      {
        name: 'set',
        description: 'Tell the model how to answer in this channel (threads follow their channel)',
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          {
            name: 'text',
            description: `The instructions, up to ${SYSTEM_PROMPT_MAX_CHARS} characters`,
            type: ApplicationCommandOptionType.String,
            required: true,
            max_length: SYSTEM_PROMPT_MAX_CHARS,
          },
        ],
      },
      {
        name: 'show',
        description: "Show this channel's system prompt",
        type: ApplicationCommandOptionType.Subcommand,
      },
      {
        name: 'clear',
        description: 'Go back to the default system prompt',
        type: ApplicationCommandOptionType.Subcommand,
      },
    ],
  },
  ack: 'private',
  async execute(interaction, { prompts, settings, log }) {
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
      throw new UserError(
        'missing_permission',
        "A channel's system prompt is managed by members with the **Manage Channels** permission. Ask a server manager.",
      );
    }
    const channel = interaction.channel;
    const parentId = channel?.isThread() ? channel.parentId : undefined;
    switch (interaction.options.getSubcommand(true)) {
      case 'set': {
        const text = checkSystemPrompt(interaction.options.getString('text', true));
        await settings.setChannelSystemPrompt(interaction.channelId, text);
        log.info({ chars: text.length }, 'channel system prompt set');
        await showPrivately(
          interaction,
          `System prompt set for this channel${parentId ? ' (this thread only)' : ' and its threads'}. ` +
            `It goes with every question here: about ${formatTokens(estimateTokens(text))} tokens each time.`,
          text,
        );
        return;
      }
      case 'clear': {
        await settings.setChannelSystemPrompt(interaction.channelId, undefined);
        log.info('channel system prompt cleared');
        const now = await prompts.systemPromptFor(interaction.channelId, parentId);
        await respond(
          interaction,
          `System prompt cleared. This channel now uses ${now.source === 'parent' ? 'its parent channel’s prompt' : 'the default prompt'}.`,
          { privately: true },
        );
        return;
      }
      case 'show': {
        const current = await prompts.systemPromptFor(interaction.channelId, parentId);
        const where = {
          channel: 'This channel’s own system prompt',
          parent: parentId ? `This thread follows <#${parentId}>’s system prompt` : 'Inherited system prompt',
          default: 'This channel uses the default system prompt (`/system-prompt set` replaces it)',
        }[current.source];
        await showPrivately(interaction, `${where}:`, current.text);
        return;
      }
    }
  },
} satisfies Command;
