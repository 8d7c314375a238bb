import {
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type AttachmentPayload,
} from 'discord.js';
import { renderAlertState } from '../budget/alerts.ts';
import type { MemberStanding } from '../budget/budget-service.ts';
import { monthName, renderUsageReport } from '../budget/report.ts';
import type { SlashCommand } from '../discord/command.ts';
import { UserError } from '../errors.ts';
import { t } from '../i18n/catalogue.ts';
import { described } from '../i18n/commands.ts';

/** Channel kinds alerts may be posted in. */
const ALERT_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

/** Members whose share `/usage` shows (its top list). */
const TOP_MEMBERS = 10;

/**
 * `/usage`: the private monthly report with a chart of tokens per day. The contract fixes `/usage`
 * as the bare report, so choosing where budget alerts go is two optional options:
 * `alerts-channel:<#channel>` (80% and 100%) and `alerts:off`.
 */
export default {
  kind: 'slash',
  data: {
    name: 'usage',
    ...described('cmd_usage'),
    contexts: [InteractionContextType.Guild],
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    options: [
      {
        name: 'alerts-channel',
        ...described('cmd_usage_alerts_channel'),
        type: ApplicationCommandOptionType.Channel,
        channel_types: [...ALERT_CHANNEL_TYPES],
        required: false,
      },
      {
        name: 'alerts',
        ...described('cmd_usage_alerts'),
        type: ApplicationCommandOptionType.String,
        choices: [{ name: 'off', value: 'off' }],
        required: false,
      },
    ],
  },
  preconditions: { guildOnly: true, anyPermission: ['ManageGuild'] },
  ack: 'private',
  async execute(interaction, { budget, usage, alerts, reply, log }) {
    const guildId = interaction.guildId;
    if (!guildId) throw new UserError('guild_only');
    const locale = interaction.locale;
    const picked = interaction.options.getChannel('alerts-channel', false, [...ALERT_CHANNEL_TYPES]);
    const off = interaction.options.getString('alerts', false) === 'off';
    if (picked && off) throw new UserError('alerts_both');
    const notes: string[] = [];
    if (picked) {
      // Discord's picker only offers this server's channels, but an interaction can be crafted.
      const channel = await interaction.client.channels.fetch(picked.id).catch(() => null);
      if (!channel || !('guildId' in channel) || channel.guildId !== guildId)
        throw new UserError('alerts_foreign_channel');
      await alerts.setChannel(guildId, picked.id);
      notes.push(t(locale, 'alerts_set', { channel: `<#${picked.id}>` }));
    } else if (off) {
      await alerts.setChannel(guildId, undefined);
      notes.push(t(locale, 'alerts_stopped'));
    }

    const standing = await budget.standing(guildId);
    const [report, alertState] = await Promise.all([
      usage.monthReport(guildId, standing.month),
      alerts.state(guildId, standing.month),
    ]);
    const members = new Map<string, MemberStanding>();
    for (const member of report.byUser.slice(0, TOP_MEMBERS)) {
      members.set(member.userId, await budget.memberStanding(guildId, member.userId));
    }
    notes.push(renderAlertState(locale, alertState));
    const text = renderUsageReport(locale, interaction.guild?.name ?? guildId, standing, report, {
      topMembers: TOP_MEMBERS,
      notes,
      members,
    });

    const files: AttachmentPayload[] = [];
    if (report.byDay.length > 0) {
      try {
        // The renderer and its fonts load on first use: most processes never draw a chart.
        const { renderUsageChart } = await import('../budget/chart.ts');
        files.push({
          attachment: await renderUsageChart({
            month: standing.month,
            byDay: report.byDay,
            title: t(locale, 'chart_title', { month: monthName(locale, standing.month) }),
            empty: t(locale, 'chart_empty'),
          }),
          name: `usage-${standing.month}.png`,
          description: t(locale, 'chart_description', { month: monthName(locale, standing.month) }),
        });
      } catch (error) {
        // The text report is complete on its own; a chart that fails is logged, not fatal.
        log.warn({ err: error }, 'could not render the usage chart');
      }
    }
    await reply.respond(text, { privately: true, ...(files.length > 0 ? { files } : {}) });
  },
} satisfies SlashCommand;
