import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/command.ts';
import { discordTime, formatTokens, respond } from '../src/discord/reply.ts';
import { UserError } from '../src/errors.ts';

const guildOption = (required: boolean) =>
  ({
    name: 'guild',
    description: 'Server ID (defaults to this server)',
    type: ApplicationCommandOptionType.String,
    required,
    min_length: 17,
    max_length: 20,
  }) as const;

export default {
  data: {
    name: 'budget',
    description: "Set or clear a server's monthly token budget (bot operators only)",
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    // "0": only administrators see it by default; the operator check below is what counts.
    default_member_permissions: '0',
    options: [
      {
        name: 'set',
        description: "Override a server's monthly token budget",
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          guildOption(true),
          {
            name: 'tokens',
            description: 'Tokens per calendar month (UTC)',
            type: ApplicationCommandOptionType.Integer,
            required: true,
            min_value: 0,
            max_value: 1_000_000_000_000,
          },
        ],
      },
      {
        name: 'clear',
        description: 'Return a server to the default budget',
        type: ApplicationCommandOptionType.Subcommand,
        options: [guildOption(true)],
      },
      {
        name: 'show',
        description: "Show a server's budget and what it has used",
        type: ApplicationCommandOptionType.Subcommand,
        options: [guildOption(false)],
      },
    ],
  },
  ack: 'private',
  async execute(interaction, { operators, settings, prompts, config, log }) {
    if (!operators.has(interaction.user.id)) {
      throw new UserError('not_operator', '`/budget` is for the bot operators only.');
    }
    const guildId = interaction.options.getString('guild')?.trim() ?? interaction.guildId;
    if (!guildId || !/^\d{17,20}$/.test(guildId)) {
      throw new UserError(
        'bad_input',
        'Give a server ID: 17–20 digits (right-click the server → Copy Server ID).',
      );
    }
    const reply = (content: string) => respond(interaction, content, { privately: true });
    const sub = interaction.options.getSubcommand(true);
    if (sub === 'set') {
      const tokens = interaction.options.getInteger('tokens', true);
      if (tokens < 0) throw new UserError('bad_input', 'A budget cannot be negative.');
      await settings.setBudgetOverride(guildId, tokens);
      log.info({ target: guildId, tokens }, 'budget override set');
    } else if (sub === 'clear') {
      await settings.setBudgetOverride(guildId, undefined);
      log.info({ target: guildId }, 'budget override cleared');
    }
    const override = await settings.budgetOverride(guildId);
    const s = await prompts.standing(guildId);
    const source =
      override === undefined
        ? `the default (\`GUILD_MONTHLY_TOKEN_BUDGET\` = ${formatTokens(config.guildMonthlyTokenBudget)})`
        : 'an operator override';
    const verb = sub === 'set' ? 'Budget set. ' : sub === 'clear' ? 'Override cleared. ' : '';
    await reply(
      `${verb}Server \`${guildId}\`: **${formatTokens(s.limit)} tokens/month** (${source}). ` +
        `Used ${formatTokens(s.used)}, ${formatTokens(s.left)} left; resets ${discordTime(s.resetsAt)}.`,
    );
  },
} satisfies Command;
