import {
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type AttachmentPayload,
} from 'discord.js';
import type { Command } from '../src/discord/command.ts';
import { respond } from '../src/discord/reply.ts';
import { UserError } from '../src/errors.ts';
import { renderAlertState } from '../src/ops/budget-alerts.ts';
import { renderUsageChart } from '../src/ops/usage-chart.ts';
import { monthName, renderUsageReport } from '../src/usage-report.ts';

/** Channel kinds alerts may be posted in. */
const ALERT_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

/**
 * `/usage`: the private monthly report with a chart of tokens per day. The contract fixes `/usage`
 * as the bare report, so the "`/usage alerts channel:`" became two optional options:
 * `alerts-channel:<#channel>` chooses where budget alerts (80%, 100%) go, `alerts:off` stops them.
 */
export default {
  data: {
    name: 'usage',
    description: "This server's Mistral token usage this month (private)",
    contexts: [InteractionContextType.Guild],
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    options: [
      {
        name: 'alerts-channel',
        description: 'Post budget alerts (at 80% and 100% of the monthly budget) in this channel',
        type: ApplicationCommandOptionType.Channel,
        channel_types: [...ALERT_CHANNEL_TYPES],
        required: false,
      },
      {
        name: 'alerts',
        description: 'Stop posting budget alerts',
        type: ApplicationCommandOptionType.String,
        choices: [{ name: 'off', value: 'off' }],
        required: false,
      },
    ],
  },
  ack: 'private',
  async execute(interaction, { prompts, usage, alerts, log }) {
    const guildId = interaction.guildId;
    if (!guildId) throw new UserError('guild_only', 'Usage is reported per server; run this inside one.');
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      throw new UserError('missing_permission', 'The usage report needs the **Manage Server** permission.');
    }
    const channel = interaction.options.getChannel('alerts-channel', false, [...ALERT_CHANNEL_TYPES]);
    const off = interaction.options.getString('alerts', false) === 'off';
    if (channel && off) {
      throw new UserError('bad_input', 'Choose either `alerts-channel:` or `alerts:off`, not both.');
    }
    const notes: string[] = [];
    if (channel) {
      await alerts.setChannel(guildId, channel.id);
      notes.push(`✅ Budget alerts will be posted in <#${channel.id}>.`);
    } else if (off) {
      await alerts.setChannel(guildId, undefined);
      notes.push('✅ Budget alerts are off.');
    }

    const standing = await prompts.standing(guildId);
    const [report, alertState] = await Promise.all([
      usage.monthReport(guildId, standing.month),
      alerts.state(guildId, standing.month),
    ]);
    notes.push(renderAlertState(alertState));
    const text = renderUsageReport(interaction.guild?.name ?? 'this server', standing, report, 10, notes);

    const files: AttachmentPayload[] = [];
    if (report.byDay.length > 0) {
      try {
        files.push({
          attachment: await renderUsageChart({
            month: standing.month,
            byDay: report.byDay,
            title: monthName(standing.month),
          }),
          name: `usage-${standing.month}.png`,
          description: `Bar chart: tokens per day in ${monthName(standing.month)}, stacked by model. The numbers are in the message.`,
        });
      } catch (error) {
        // The text report is complete on its own; a chart that fails is logged, not fatal.
        log.warn({ err: error }, 'could not render the usage chart');
      }
    }
    await respond(interaction, text, { privately: true, ...(files.length > 0 ? { files } : {}) });
  },
} satisfies Command;
