/**
 * Channel routes: read a channel; post, read, list, edit and delete messages (replies included, under
 * the per-channel buckets and the message content rule); the typing indicator; threads with and
 * without a starter message.
 */
import { connectionsFor, dispatch } from '../gateway.ts';
import { takeSlot, rateLimited } from '../limits.ts';
import { announce, createMessage, editMessage } from '../messages.ts';
import { channelJson, contentVisible, mentionsBot, messageJson } from '../render.ts';
import type { Handler, RequestContext, Route } from '../rest.ts';
import { route } from '../rest.ts';
import { addChannel, checkWaiters, logMessage, violate } from '../state.ts';
import type { ChannelState, MessageState, World } from '../state.ts';
import type { RateWindow } from '../types.ts';
import {
  FLAG_EPHEMERAL,
  FLAG_HAS_THREAD,
  apiError,
  asNumber,
  asString,
  codePoints,
  describeIssues,
  fail,
  invalidForm,
  isObj,
  iso,
} from '../util.ts';
import type { Obj, Reply } from '../util.ts';

/** The channel, message, typing and thread routes. */
export function channelRoutes(world: World): Route[] {
  const bodyObj = (ctx: RequestContext): Obj => (isObj(ctx.body) ? ctx.body : {});

  const knownChannel = (id: string | undefined): ChannelState => {
    const channel = world.channels.get(id ?? '');
    if (!channel) fail(apiError(404, 10003, 'Unknown Channel'));
    return channel;
  };

  const knownMessage = (channel: ChannelState, id: string | undefined): MessageState => {
    const message = world.messages.get(id ?? '');
    if (
      !message ||
      message.deleted ||
      message.channelId !== channel.id ||
      (message.flags & FLAG_EPHEMERAL) !== 0
    ) {
      fail(apiError(404, 10008, 'Unknown Message'));
    }
    return message;
  };

  const paced = (key: string, limit: RateWindow, where: string): void => {
    const times = world.channelWindows.get(key) ?? [];
    world.channelWindows.set(key, times);
    const retryMs = takeSlot(times, limit, world.clock());
    if (retryMs !== undefined) {
      violate(
        world,
        `${where}: more than ${limit.count} in ${limit.windowMs} ms in this channel → 429 (retry after ${retryMs} ms)`,
      );
      fail(rateLimited(retryMs, false));
    }
  };

  /** A message as the bot may read it over REST: blank unless its own, mentioning it, or with the intent. */
  const readable = (message: MessageState): Obj =>
    messageJson(world, message, {
      blank: !contentVisible(
        { byBot: message.byBot, mentionsBot: mentionsBot(world, message), isDm: false },
        world.settings.messageContentIntent,
      ),
    });

  const getChannel: Handler = (_ctx, p) => ({ status: 200, body: channelJson(knownChannel(p.channel)) });

  const post: Handler = (ctx, p) => {
    const channel = knownChannel(p.channel);
    const where = `POST /channels/${channel.id}/messages`;
    if (channel.type === 4 || channel.type === 2)
      return apiError(400, 50008, 'Cannot send messages in a non-text channel');
    paced(`create:${channel.id}`, world.settings.channelMessageLimit, where);
    const body = bodyObj(ctx);
    const reference = isObj(body.message_reference) ? body.message_reference : undefined;
    const replied = reference ? world.messages.get(String(reference.message_id)) : undefined;
    const repliedOk = replied && !replied.deleted && replied.channelId === channel.id;
    if (reference && !repliedOk && reference.fail_if_not_exists !== false) {
      const issues = [
        { path: 'message_reference', code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' },
      ];
      violate(world, `${where}: ${describeIssues(issues)} → 400 50035`);
      return invalidForm(issues);
    }
    const message = createMessage(world, {
      body: repliedOk ? body : { ...body, message_reference: undefined },
      files: ctx.files,
      channelId: channel.id,
      type: repliedOk ? 19 : 0,
      interaction: undefined,
      where,
    });
    message.flags &= ~FLAG_EPHEMERAL;
    const allowed = isObj(body.allowed_mentions) ? body.allowed_mentions : undefined;
    // Without allowed_mentions a reply pings its author; with it, only when replied_user is true.
    const pings = allowed === undefined ? true : allowed.replied_user === true;
    if (repliedOk && pings) message.mentions = [replied.author];
    logMessage(world, message);
    announce(world, message);
    checkWaiters(world);
    return { status: 200, body: { ...messageJson(world, message), guild_id: channel.guildId } };
  };

  const getOne: Handler = (_ctx, p) => {
    const channel = knownChannel(p.channel);
    return { status: 200, body: readable(knownMessage(channel, p.message)) };
  };

  const list: Handler = (ctx, p) => {
    const channel = knownChannel(p.channel);
    const limit = Math.min(Math.max(Number(ctx.query.get('limit') ?? 50), 1), 100);
    const before = ctx.query.get('before');
    const after = ctx.query.get('after');
    let shown = (world.channelLog.get(channel.id) ?? []).filter(
      (m) => !m.deleted && (m.flags & FLAG_EPHEMERAL) === 0,
    );
    if (before !== null) shown = shown.filter((m) => BigInt(m.id) < BigInt(before));
    if (after !== null) shown = shown.filter((m) => BigInt(m.id) > BigInt(after));
    const newestFirst = [...shown].reverse();
    return {
      status: 200,
      body: (after !== null ? newestFirst.slice(-limit) : newestFirst.slice(0, limit)).map(readable),
    };
  };

  const patch: Handler = (ctx, p) => {
    const channel = knownChannel(p.channel);
    const message = knownMessage(channel, p.message);
    const where = `PATCH /channels/${channel.id}/messages/${message.id}`;
    if (!message.byBot) {
      violate(world, `${where}: the bot edits a message another user wrote → 403 50005`);
      return apiError(403, 50005, 'Cannot edit a message authored by another user');
    }
    paced(`edit:${channel.id}`, world.settings.channelEditLimit, where);
    editMessage(world, message, bodyObj(ctx), ctx.files, where);
    checkWaiters(world);
    return { status: 200, body: { ...messageJson(world, message), guild_id: channel.guildId } };
  };

  const remove: Handler = (_ctx, p) => {
    const channel = knownChannel(p.channel);
    const message = knownMessage(channel, p.message);
    if (!message.byBot) {
      violate(
        world,
        `DELETE /channels/${channel.id}/messages/${message.id}: the bot lacks Manage Messages → 403 50013`,
      );
      return apiError(403, 50013, 'Missing Permissions');
    }
    message.deleted = true;
    checkWaiters(world);
    return { status: 204 };
  };

  const typing: Handler = (_ctx, p) => {
    const channel = knownChannel(p.channel);
    world.typing.push({ channelId: channel.id, at: world.clock() });
    checkWaiters(world);
    return { status: 204 };
  };

  const createThread = (parent: ChannelState, id: string, body: Obj, type: number): Reply => {
    const name = asString(body.name) ?? '';
    if (codePoints(name) < 1 || codePoints(name) > 100) {
      const issues = [
        { path: 'name', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' },
      ];
      violate(world, `POST threads in ${parent.id}: ${describeIssues(issues)} → 400 50035`);
      return invalidForm(issues);
    }
    const thread: ChannelState = {
      id,
      guildId: parent.guildId,
      name,
      type,
      parentId: parent.id,
      position: 0,
      ownerId: world.botUserId,
      createdAt: world.clock(),
      autoArchiveDuration: asNumber(body.auto_archive_duration) ?? 4_320,
      uncached: false,
    };
    addChannel(world, thread);
    const member = { id, user_id: world.botUserId, join_timestamp: iso(thread.createdAt), flags: 0 };
    for (const conn of connectionsFor(world, parent.guildId)) {
      dispatch(conn, 'THREAD_CREATE', channelJson(thread, { newly_created: true, member }));
    }
    return { status: 201, body: channelJson(thread, { member }) };
  };

  const threadWithoutMessage: Handler = (ctx, p) => {
    const parent = knownChannel(p.channel);
    if (parent.type !== 0 && parent.type !== 5 && parent.type !== 15) {
      return apiError(400, 50024, 'Cannot execute action on this channel type');
    }
    const body = bodyObj(ctx);
    // Discord's default for a thread without a message is a private thread (12).
    const requested = asNumber(body.type) ?? 12;
    const type = parent.type === 5 ? 10 : requested === 11 ? 11 : 12;
    return createThread(parent, world.nextId(), body, type);
  };

  const threadFromMessage: Handler = (ctx, p) => {
    const parent = knownChannel(p.channel);
    const message = knownMessage(parent, p.message);
    if (world.channels.has(message.id)) {
      violate(
        world,
        `POST /channels/${parent.id}/messages/${message.id}/threads: message already has a thread → 400 160004`,
      );
      return apiError(400, 160004, 'A thread has already been created for this message');
    }
    message.flags |= FLAG_HAS_THREAD;
    return createThread(parent, message.id, bodyObj(ctx), parent.type === 5 ? 10 : 11);
  };

  return [
    route('GET', '/channels/:channel', true, getChannel),
    route('GET', '/channels/:channel/messages', true, list),
    route('POST', '/channels/:channel/messages', true, post),
    route('GET', '/channels/:channel/messages/:message', true, getOne),
    route('PATCH', '/channels/:channel/messages/:message', true, patch),
    route('DELETE', '/channels/:channel/messages/:message', true, remove),
    route('POST', '/channels/:channel/typing', true, typing),
    route('POST', '/channels/:channel/threads', true, threadWithoutMessage),
    route('POST', '/channels/:channel/messages/:message/threads', true, threadFromMessage),
  ];
}
