import { OAuth2Scopes, PermissionFlagsBits } from 'discord.js';

/**
 * What the bot needs in a server: see its channels (View Channel: budget alerts, @mention chat),
 * answer and continue in channels and threads (Send Messages, Send Messages in Threads, Create
 * Public Threads), embeds and the /usage chart (Embed Links, Attach Files), and context (Read
 * Message History: the reply chains of @mention chat). Nothing else: no administrator, no mentions.
 */
export const INVITE_PERMISSIONS: bigint =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory;

/** The OAuth2 scopes of the invite: the bot user and its slash commands. */
export const INVITE_SCOPES: readonly string[] = [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands];

/** The URL a server manager opens to add the bot with exactly {@link INVITE_PERMISSIONS}. */
export function inviteUrl(applicationId: string): string {
  const params = new URLSearchParams({
    client_id: applicationId,
    scope: INVITE_SCOPES.join(' '),
    permissions: INVITE_PERMISSIONS.toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
