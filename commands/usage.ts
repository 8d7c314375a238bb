import { InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { Command } from '../src/discord/command.ts';
import { respond } from '../src/discord/reply.ts';
import { UserError } from '../src/errors.ts';
import { renderUsageReport } from '../src/usage-report.ts';

export default {
  data: {
    name: 'usage',
    description: "This server's Mistral token usage this month (private)",
    contexts: [InteractionContextType.Guild],
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  },
  ack: 'private',
  async execute(interaction, { prompts, usage }) {
    const guildId = interaction.guildId;
    if (!guildId) throw new UserError('guild_only', 'Usage is reported per server; run this inside one.');
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      throw new UserError('missing_permission', 'The usage report needs the **Manage Server** permission.');
    }
    const standing = await prompts.standing(guildId);
    const report = await usage.monthReport(guildId, standing.month);
    await respond(
      interaction,
      renderUsageReport(interaction.guild?.name ?? 'this server', standing, report),
      { privately: true },
    );
  },
} satisfies Command;
