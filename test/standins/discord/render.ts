/**
 * How the stand-in's state looks on the wire: channel, role, guild (GUILD_CREATE), user, member and
 * message objects in Discord's JSON shape, and the snapshots tests read. Also the 2026 message content
 * rule, which decides when `content`, `embeds` and `attachments` go out blank.
 */
import { signedUrl } from './cdn.ts';
import type { ChannelState, GuildState, MessageState, World } from './state.ts';
import type { StandInAttachment, StandInMessage } from './types.ts';
import {
  DEFAULT_APP_PERMISSIONS,
  DEFAULT_MEMBER_PERMISSIONS,
  FLAG_EPHEMERAL,
  PERM_READ_MESSAGE_HISTORY,
  THREAD_TYPES,
  iso,
} from './util.ts';
import type { Obj } from './util.ts';

/**
 * Whether a message's content reaches the app (the 2026-06 rules): always for its own messages, DMs and
 * messages that mention it (a reply to it with the ping on counts), else only with the Message Content
 * intent. The target of a message command is always shown; callers pass `true` for that case.
 */
export function contentVisible(
  message: { readonly byBot: boolean; readonly mentionsBot: boolean; readonly isDm: boolean },
  hasMessageContent: boolean,
): boolean {
  return message.byBot || message.mentionsBot || message.isDm || hasMessageContent;
}

/** Whether the message pings the bot (its `mentions` hold the bot user). */
export function mentionsBot(world: World, message: MessageState): boolean {
  return message.mentions.some((u) => u.id === world.botUserId);
}

/** A member's user object as interactions and messages carry it. */
export function userJson(id: string, username?: string): Obj {
  return {
    id,
    username: username ?? `user${id.slice(-4)}`,
    global_name: null,
    discriminator: '0',
    avatar: null,
    avatar_decoration_data: null,
    collectibles: null,
    clan: null,
    primary_guild: null,
    public_flags: 0,
    flags: 0,
  };
}

/** A guild member object without `user`, with the given permission bits. */
export function memberJson(permissions: string, joinedAt: number): Obj {
  return {
    roles: [],
    permissions,
    joined_at: iso(joinedAt),
    premium_since: null,
    nick: null,
    avatar: null,
    banner: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
    unusual_dm_activity_until: null,
  };
}

/** A channel or thread object (threads with `thread_metadata`). */
export function channelJson(channel: ChannelState, extra: Obj = {}): Obj {
  if (THREAD_TYPES.has(channel.type)) {
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      parent_id: channel.parentId,
      owner_id: channel.ownerId,
      name: channel.name,
      last_message_id: null,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      rate_limit_per_user: 0,
      flags: 0,
      applied_tags: [],
      thread_metadata: {
        archived: false,
        auto_archive_duration: channel.autoArchiveDuration,
        archive_timestamp: iso(channel.createdAt),
        locked: false,
        create_timestamp: iso(channel.createdAt),
        ...(channel.type === 12 ? { invitable: true } : {}),
      },
      ...extra,
    };
  }
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: channel.parentId,
    ...(channel.type === 4
      ? {}
      : {
          topic: null,
          nsfw: false,
          last_message_id: null,
          rate_limit_per_user: 0,
          default_auto_archive_duration: 4_320,
        }),
    flags: 0,
    ...extra,
  };
}

/** A role object; `managed` marks the bot's own role. */
export function roleJson(
  world: World,
  id: string,
  name: string,
  position: number,
  permissions: bigint,
  managed: boolean,
): Obj {
  return {
    id,
    name,
    description: null,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed,
    mentionable: false,
    flags: 0,
    ...(managed ? { tags: { bot_id: world.botUserId } } : {}),
  };
}

/** The guild's @everyone role (id = guild id). */
export function everyoneRole(world: World, guild: GuildState): Obj {
  return roleJson(
    world,
    guild.id,
    '@everyone',
    0,
    DEFAULT_MEMBER_PERMISSIONS | PERM_READ_MESSAGE_HISTORY,
    false,
  );
}

/** The bot's managed role with the default app permissions. */
export function botRole(world: World, guild: GuildState): Obj {
  return roleJson(world, guild.botRoleId, world.botUsername, 1, DEFAULT_APP_PERMISSIONS, true);
}

/** GUILD_CREATE data: the guild, its roles, the bot member, channels and the threads the client may cache. */
export function guildCreateJson(world: World, guild: GuildState): Obj {
  const all = [...guild.channels.values()].filter((c) => !c.uncached);
  const channels = all.filter((c) => !THREAD_TYPES.has(c.type));
  const threads = all.filter((c) => THREAD_TYPES.has(c.type));
  const systemChannel = channels.find((c) => c.type === 0);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    application_id: null,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: guild.preferredLocale,
    system_channel_id: systemChannel?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    max_members: 500_000,
    max_presences: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    features: [],
    incidents_data: null,
    hub_type: null,
    latest_onboarding_question_id: null,
    // GUILD_CREATE-only fields
    joined_at: iso(guild.joinedAt),
    large: false,
    lazy: true,
    unavailable: false,
    member_count: 2,
    roles: [everyoneRole(world, guild), botRole(world, guild)],
    emojis: [],
    stickers: [],
    members: [
      {
        user: world.botUser,
        roles: [guild.botRoleId],
        nick: null,
        avatar: null,
        banner: null,
        joined_at: iso(guild.joinedAt),
        premium_since: null,
        deaf: false,
        mute: false,
        pending: false,
        flags: 0,
        communication_disabled_until: null,
      },
    ],
    channels: channels.map((c) => {
      const { guild_id: _omitted, ...rest } = channelJson(c);
      return rest;
    }),
    threads: threads.map((t) =>
      channelJson(t, {
        member: { id: t.id, user_id: world.botUserId, join_timestamp: iso(t.createdAt), flags: 0 },
      }),
    ),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
    application_command_counts: {},
  };
}

/** An attachment object with a freshly signed CDN URL, and width/height for images. */
export function attachmentJson(world: World, channelId: string, a: StandInAttachment, extra: Obj = {}): Obj {
  const url = signedUrl(world, channelId, a);
  return {
    id: a.id,
    filename: a.filename,
    size: a.bytes.length,
    url,
    proxy_url: url,
    content_type: a.contentType,
    ...(a.width === undefined ? {} : { width: a.width, height: a.height }),
    ...(a.description === undefined ? {} : { description: a.description }),
    ...extra,
  };
}

function interactionMetadata(m: MessageState): Obj | undefined {
  const interaction = m.interaction;
  if (!interaction) return undefined;
  const base = {
    id: interaction.id,
    type: interaction.type,
    user: interaction.actor.user,
    authorizing_integration_owners: { '0': interaction.guildId },
    ...(interaction.original && interaction.original !== m
      ? { original_response_message_id: interaction.original.id }
      : {}),
  };
  if (interaction.type === 3 && interaction.sourceMessage) {
    return { ...base, interacted_message_id: interaction.sourceMessage.id };
  }
  if (interaction.type === 5) return base;
  return { ...base, name: interaction.commandName, command_type: interaction.commandType };
}

/**
 * A message object. With `blank`, content, embeds, attachments and components are emptied as Discord
 * does for apps that may not read the message (see {@link contentVisible}).
 */
export function messageJson(
  world: World,
  m: MessageState,
  opts: { blank?: boolean; depth?: number } = {},
): Obj {
  const thread = world.channels.get(m.id);
  const metadata = interactionMetadata(m);
  const referenced =
    m.messageReference && (opts.depth ?? 0) === 0
      ? world.messages.get(String(m.messageReference.message_id))
      : undefined;
  const blank = opts.blank === true;
  return {
    id: m.id,
    type: m.type,
    content: blank ? '' : m.content,
    channel_id: m.channelId,
    author: m.author,
    attachments: blank ? [] : m.attachments.map((a) => attachmentJson(world, m.channelId, a)),
    embeds: blank ? [] : m.embeds,
    mentions: m.mentions,
    mention_roles: [],
    mention_channels: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: iso(m.createdAt),
    edited_timestamp: m.editedAt === null ? null : iso(m.editedAt),
    flags: m.flags,
    components: blank ? [] : m.components,
    ...(m.messageReference ? { message_reference: m.messageReference } : {}),
    ...(m.messageReference && (opts.depth ?? 0) === 0
      ? {
          referenced_message:
            referenced && !referenced.deleted
              ? messageJson(world, referenced, {
                  depth: 1,
                  blank:
                    blank ||
                    !contentVisible(
                      { byBot: referenced.byBot, mentionsBot: mentionsBot(world, referenced), isDm: false },
                      world.settings.messageContentIntent,
                    ),
                })
              : null,
        }
      : {}),
    ...(thread ? { thread: channelJson(thread) } : {}),
    ...(metadata
      ? {
          webhook_id: world.applicationId,
          application_id: world.applicationId,
          interaction_metadata: metadata,
          ...(m.interaction && m.interaction.type === 2
            ? {
                interaction: {
                  id: m.interaction.id,
                  type: 2,
                  name: m.interaction.commandName,
                  user: m.interaction.actor.user,
                },
              }
            : {}),
        }
      : {}),
  };
}

/** What a test sees of a message: a copy that later edits do not change. */
export function snapshot(m: MessageState): StandInMessage {
  const reference = m.messageReference?.message_id;
  return {
    id: m.id,
    channelId: m.channelId,
    guildId: m.guildId,
    authorId: String(m.author.id),
    content: m.content,
    ephemeral: (m.flags & FLAG_EPHEMERAL) !== 0,
    flags: m.flags,
    allowedMentions: m.allowedMentions,
    embeds: [...m.embeds],
    attachments: [...m.attachments],
    components: structuredClone(m.components),
    replyTo: typeof reference === 'string' ? reference : undefined,
  };
}
