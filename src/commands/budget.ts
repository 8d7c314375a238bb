import { ApplicationCommandOptionType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { discordTime } from '../budget/budget-service.ts';
import type { SlashCommand } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';
import { described } from '../i18n/commands.ts';

const guildOption = (required: boolean) =>
  ({
    name: 'guild',
    ...described('cmd_budget_guild'),
    type: ApplicationCommandOptionType.String,
    required,
    min_length: 17,
    max_length: 20,
  }) as const;

const tokensOption = (required: boolean) =>
  ({
    name: 'tokens',
    ...described('cmd_budget_tokens'),
    type: ApplicationCommandOptionType.Integer,
    required,
    min_value: 0,
    max_value: 1_000_000_000_000,
  }) as const;

/**
 * `/budget`: operators set, clear or show a server's monthly budget (`set`, `clear`, `show`);
 * a server's managers give one member a cap within their server's budget (`member`).
 */
export default {
  kind: 'slash',
  data: {
    name: 'budget',
    ...described('cmd_budget'),
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    // Managers see it (for `member`); the operator subcommands are checked at run time.
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    options: [
      {
        name: 'set',
        ...described('cmd_budget_set'),
        type: ApplicationCommandOptionType.Subcommand,
        options: [guildOption(true), tokensOption(true)],
      },
      {
        name: 'clear',
        ...described('cmd_budget_clear'),
        type: ApplicationCommandOptionType.Subcommand,
        options: [guildOption(true)],
      },
      {
        name: 'show',
        ...described('cmd_budget_show'),
        type: ApplicationCommandOptionType.Subcommand,
        options: [guildOption(false)],
      },
      {
        name: 'member',
        ...described('cmd_budget_member'),
        type: ApplicationCommandOptionType.Subcommand,
        options: [
          {
            name: 'user',
            ...described('cmd_budget_member_user'),
            type: ApplicationCommandOptionType.User,
            required: true,
          },
          tokensOption(false),
          {
            name: 'clear',
            ...described('cmd_budget_member_clear'),
            type: ApplicationCommandOptionType.Boolean,
          },
        ],
      },
    ],
  },
  preconditions: {},
  subcommands: {
    set: { operatorOnly: true },
    clear: { operatorOnly: true },
    show: { operatorOnly: true },
    member: { guildOnly: true, anyPermission: ['ManageGuild'] },
  },
  ack: 'private',
  async execute(interaction, { budget, settings, reply, log }) {
    const locale = interaction.locale;
    const sub = interaction.options.getSubcommand(true);
    if (sub === 'member') {
      const guildId = interaction.guildId;
      if (!guildId) throw new UserError('guild_only');
      const user = interaction.options.getUser('user', true);
      const tokens = interaction.options.getInteger('tokens');
      const clear = interaction.options.getBoolean('clear') ?? false;
      if (tokens !== null && clear) throw new UserError('budget_member_both');
      if (tokens !== null) {
        await settings.setMemberBudget(guildId, user.id, tokens);
        log.info({ member: user.id, tokens }, 'member budget set');
      } else if (clear) {
        await settings.setMemberBudget(guildId, user.id, undefined);
        log.info({ member: user.id }, 'member budget cleared');
      }
      const [guild, member] = await Promise.all([
        budget.standing(guildId),
        budget.memberStanding(guildId, user.id),
      ]);
      await reply.respond(
        t(locale, 'budget_member_show', {
          verb: tokens !== null ? 'set' : clear ? 'cleared' : 'none',
          user: `<@${user.id}>`,
          limit: member.limit,
          source: member.source,
          used: member.used,
          left: member.left,
          guildLimit: guild.limit,
          resetsAt: discordTime(guild.resetsAt),
        }),
        { privately: true },
      );
      return;
    }
    const guildId = interaction.options.getString('guild')?.trim() ?? interaction.guildId;
    if (!guildId || !/^\d{17,20}$/.test(guildId)) throw new UserError('budget_guild_id');
    if (sub === 'set') {
      const tokens = interaction.options.getInteger('tokens', true);
      await settings.setBudgetOverride(guildId, tokens);
      log.info({ target: guildId, tokens }, 'budget override set');
    } else if (sub === 'clear') {
      await settings.setBudgetOverride(guildId, undefined);
      log.info({ target: guildId }, 'budget override cleared');
    }
    const s = await budget.standing(guildId);
    await reply.respond(
      t(locale, 'budget_show', {
        verb: sub,
        guild: guildId,
        limit: s.limit,
        source: s.source,
        used: s.used,
        left: s.left,
        resetsAt: discordTime(s.resetsAt),
      }),
      { privately: true },
    );
  },
} satisfies SlashCommand;
