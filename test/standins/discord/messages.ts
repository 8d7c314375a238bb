/**
 * Messages: creating and editing them under Discord's rules (body limits, empty messages, the per-message
 * edit bucket, kept and new attachments), and members' messages posted by tests, delivered as
 * MESSAGE_CREATE to the sessions whose intents let them see it.
 */
import { allowedMentionsBreach, messageIssues } from './checks.ts';
import { storeAttachment } from './cdn.ts';
import { connectionsFor, dispatch } from './gateway.ts';
import { takeSlot, rateLimited } from './limits.ts';
import { contentVisible, memberJson, mentionsBot, messageJson, snapshot, userJson } from './render.ts';
import { checkWaiters, logMessage, violate } from './state.ts';
import type { InteractionState, MessageState, World } from './state.ts';
import type { PostMessageOptions, PostedMessage, RecordedFile, StandInAttachment } from './types.ts';
import {
  CREATABLE_FLAGS,
  DEFAULT_MEMBER_PERMISSIONS,
  FLAG_EPHEMERAL,
  FLAG_LOADING,
  INTENT_GUILD_MESSAGES,
  INTENT_MESSAGE_CONTENT,
  apiError,
  asArray,
  asNumber,
  asString,
  describeIssues,
  fail,
  idString,
  invalidForm,
  isObj,
} from './util.ts';
import type { Obj } from './util.ts';

function isEmptyMessage(message: {
  content: string;
  embeds: readonly unknown[];
  attachments: readonly unknown[];
  components: readonly unknown[];
}): boolean {
  return (
    message.content.trim() === '' &&
    message.embeds.length === 0 &&
    message.attachments.length === 0 &&
    message.components.length === 0
  );
}

/** Refuses (400 50035) and records a body over Discord's limits. */
export function checkMessageBody(world: World, body: Obj, where: string, prefix = ''): void {
  const issues = messageIssues(body, prefix);
  if (issues.length > 0) {
    violate(world, `${where}: ${describeIssues(issues)} → 400 50035`);
    fail(invalidForm(issues));
  }
}

function noteAllowedMentions(world: World, body: Obj, where: string): void {
  const breach = allowedMentionsBreach(body);
  if (breach) violate(world, `${where}: ${breach}`);
}

/** Attachments after a create/edit: kept ones listed in `body.attachments` plus newly uploaded files. */
function resolveAttachments(
  world: World,
  channelId: string,
  body: Obj,
  files: ReadonlyMap<string, RecordedFile>,
  existing: readonly StandInAttachment[],
): StandInAttachment[] {
  const listed = asArray(body.attachments);
  const listedIds = new Set(listed?.map((a) => (isObj(a) ? idString(a.id) : '')) ?? []);
  const kept = listed ? existing.filter((a) => listedIds.has(a.id)) : [...existing];
  const uploaded = [...files.entries()].map(([key, file]) => {
    const index = /\[(\d+)\]$/.exec(key)?.[1];
    const entry = listed?.find((a) => isObj(a) && idString(a.id) === index);
    const filename = (isObj(entry) ? asString(entry.filename) : undefined) ?? file.filename;
    const description = isObj(entry) ? asString(entry.description) : undefined;
    return storeAttachment(world, channelId, {
      ...file,
      filename,
      ...(description === undefined ? {} : { description }),
    });
  });
  return [...kept, ...uploaded];
}

/** What a message the bot writes is made of. */
export interface NewMessage {
  readonly body: Obj;
  readonly files: ReadonlyMap<string, RecordedFile>;
  readonly channelId: string;
  readonly type: number;
  readonly interaction: InteractionState | undefined;
  readonly where: string;
  readonly issuePrefix?: string;
}

/** A message the bot writes (channel post, interaction reply or follow-up), checked like Discord does. */
export function createMessage(world: World, m: NewMessage): MessageState {
  checkMessageBody(world, m.body, m.where, m.issuePrefix);
  const channel = world.channels.get(m.channelId);
  const reference = isObj(m.body.message_reference) ? m.body.message_reference : undefined;
  const message: MessageState = {
    id: world.nextId(),
    channelId: m.channelId,
    guildId: channel?.guildId ?? '',
    type: m.type,
    createdAt: world.clock(),
    interaction: m.interaction,
    author: m.interaction ? { ...world.botUser, discriminator: '0000' } : world.botUser,
    byBot: true,
    mentions: [],
    content: asString(m.body.content) ?? '',
    embeds: asArray(m.body.embeds) ?? [],
    components: asArray(m.body.components) ?? [],
    attachments: resolveAttachments(world, m.channelId, m.body, m.files, []),
    flags: (asNumber(m.body.flags) ?? 0) & CREATABLE_FLAGS,
    allowedMentions: m.body.allowed_mentions,
    editedAt: null,
    deleted: false,
    messageReference: reference
      ? {
          type: 0,
          message_id: idString(reference.message_id),
          channel_id: m.channelId,
          ...(channel ? { guild_id: channel.guildId } : {}),
        }
      : undefined,
    editTimes: [],
  };
  if (isEmptyMessage(message) && (asArray(m.body.sticker_ids)?.length ?? 0) === 0 && !isObj(m.body.poll)) {
    violate(world, `${m.where}: empty message → 400 50006`);
    fail(apiError(400, 50006, 'Cannot send an empty message'));
  }
  noteAllowedMentions(world, m.body, m.where);
  world.messages.set(message.id, message);
  return message;
}

/** The placeholder a deferred reply shows ("… is thinking"). */
export function loadingMessage(
  world: World,
  state: InteractionState,
  ephemeral: boolean,
  flags: number,
): MessageState {
  const channel = world.channels.get(state.channelId);
  const message: MessageState = {
    id: world.nextId(),
    channelId: state.channelId,
    guildId: channel?.guildId ?? '',
    type: state.type === 2 ? 20 : 0,
    createdAt: world.clock(),
    interaction: state,
    author: { ...world.botUser, discriminator: '0000' },
    byBot: true,
    mentions: [],
    content: '',
    embeds: [],
    components: [],
    attachments: [],
    flags: FLAG_LOADING | (ephemeral ? flags : 0),
    allowedMentions: undefined,
    editedAt: null,
    deleted: false,
    messageReference: undefined,
    editTimes: [],
  };
  world.messages.set(message.id, message);
  return message;
}

/**
 * Applies an edit under the per-message bucket (`paced`; an UPDATE_MESSAGE callback is not), and
 * records it on the interaction that owns the message and on `by`, the interaction that edited it.
 */
export function editMessage(
  world: World,
  message: MessageState,
  body: Obj,
  files: ReadonlyMap<string, RecordedFile>,
  where: string,
  by?: InteractionState,
  paced = true,
): void {
  const now = world.clock();
  const limit = world.settings.editLimit;
  const retryMs = paced ? takeSlot(message.editTimes, limit, now) : undefined;
  if (retryMs !== undefined) {
    violate(
      world,
      `${where}: more than ${limit.count} edits of message ${message.id} within ${limit.windowMs} ms → 429 (retry after ${retryMs} ms)`,
    );
    fail(rateLimited(retryMs, false));
  }
  const unpace = (): void => {
    if (paced) message.editTimes.pop();
  };
  try {
    checkMessageBody(world, body, where);
  } catch (error) {
    unpace();
    throw error;
  }
  const next = {
    content: 'content' in body ? (asString(body.content) ?? '') : message.content,
    embeds: 'embeds' in body ? (asArray(body.embeds) ?? []) : message.embeds,
    components: 'components' in body ? (asArray(body.components) ?? []) : message.components,
    attachments:
      'attachments' in body || files.size > 0
        ? resolveAttachments(world, message.channelId, body, files, message.attachments)
        : message.attachments,
  };
  if (isEmptyMessage(next)) {
    unpace();
    violate(world, `${where}: edit would leave an empty message → 400 50006`);
    fail(apiError(400, 50006, 'Cannot send an empty message'));
  }
  noteAllowedMentions(world, body, where);
  Object.assign(message, next);
  if ('allowed_mentions' in body) message.allowedMentions = body.allowed_mentions;
  message.flags &= ~FLAG_LOADING;
  message.editedAt = now;
  for (const interaction of new Set([message.interaction, by])) {
    if (!interaction) continue;
    if (interaction.original === message) interaction.edits.push({ at: now, content: message.content });
    interaction.messageEdits.push({ messageId: message.id, at: now, content: message.content });
  }
}

/**
 * Dispatches MESSAGE_CREATE to the sessions holding the guild whose intents include GuildMessages,
 * blank for a session that may not read it; returns who got it. Ephemeral messages are never dispatched.
 */
export function announce(
  world: World,
  message: MessageState,
): Array<{ readonly sessionId: string; readonly contentVisible: boolean }> {
  const deliveries: Array<{ sessionId: string; contentVisible: boolean }> = [];
  if ((message.flags & FLAG_EPHEMERAL) !== 0) return deliveries;
  const { permissions: _omitted, ...member } = memberJson(
    DEFAULT_MEMBER_PERMISSIONS.toString(),
    world.clock() - 86_400_000,
  );
  for (const conn of connectionsFor(world, message.guildId)) {
    if ((conn.intents & INTENT_GUILD_MESSAGES) === 0) continue;
    const visible = contentVisible(
      { byBot: message.byBot, mentionsBot: mentionsBot(world, message), isDm: false },
      (conn.intents & INTENT_MESSAGE_CONTENT) !== 0,
    );
    dispatch(conn, 'MESSAGE_CREATE', {
      ...messageJson(world, message, { blank: !visible }),
      guild_id: message.guildId,
      ...(message.byBot ? {} : { member }),
    });
    deliveries.push({ sessionId: conn.sessionId, contentVisible: visible });
  }
  return deliveries;
}

/** A member posts a message; sessions with GuildMessages get MESSAGE_CREATE, blank unless they may read it. */
export function postMemberMessage(world: World, opts: PostMessageOptions): PostedMessage {
  const guild = world.guilds.get(opts.guildId);
  if (!guild) throw new Error(`stand-in: unknown guild ${opts.guildId}`);
  const channel = guild.channels.get(opts.channelId);
  if (!channel) throw new Error(`stand-in: channel ${opts.channelId} is not in guild ${guild.id}`);
  if (channel.type === 4)
    throw new Error(`stand-in: channel ${channel.id} is a category; nobody can post there`);
  const authorId = opts.authorId ?? world.defaultUserId;
  const author = userJson(authorId, opts.authorName);
  const botMention = `<@${world.botUserId}>`;
  let content = opts.content ?? '';
  if (opts.mentionsBot === true && !content.includes(botMention))
    content = `${botMention} ${content}`.trimEnd();
  const replied = opts.replyTo === undefined ? undefined : world.messages.get(opts.replyTo);
  if (opts.replyTo !== undefined && (!replied || replied.deleted || replied.channelId !== channel.id)) {
    throw new Error(`stand-in: message ${opts.replyTo} is not in channel ${channel.id}`);
  }
  const mentions: Obj[] = [];
  if (content.includes(botMention)) mentions.push(world.botUser);
  if (replied && opts.replyPing !== false && !mentions.some((u) => u.id === replied.author.id)) {
    mentions.push(replied.author);
  }
  const attachments = (opts.attachments ?? []).map((a) => storeAttachment(world, channel.id, a));
  const message: MessageState = {
    id: world.nextId(),
    channelId: channel.id,
    guildId: guild.id,
    type: replied ? 19 : 0,
    createdAt: world.clock(),
    interaction: undefined,
    author,
    byBot: false,
    mentions,
    content,
    embeds: [...(opts.embeds ?? [])],
    components: [],
    attachments,
    flags: 0,
    allowedMentions: undefined,
    editedAt: null,
    deleted: false,
    messageReference: replied
      ? { type: 0, message_id: replied.id, channel_id: channel.id, guild_id: guild.id }
      : undefined,
    editTimes: [],
  };
  if (isEmptyMessage(message)) throw new Error('stand-in: a member cannot post an empty message');
  world.messages.set(message.id, message);
  logMessage(world, message);
  const deliveries = announce(world, message);
  checkWaiters(world);
  return { ...snapshot(message), deliveries };
}
