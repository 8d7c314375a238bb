/**
 * What members do that reaches the bot as INTERACTION_CREATE: slash commands (options resolved,
 * attachments included), autocomplete, message and user context menus and button clicks (modal
 * submits are in modals.ts, handles in handles.ts). Each refuses in the test (throws) what a Discord
 * client would not let a member do.
 */
import { randomBytes } from 'node:crypto';
import { storeAttachment } from './cdn.ts';
import { dispatch, sessionFor } from './gateway.ts';
import {
  attachmentJson,
  botRole,
  channelJson,
  everyoneRole,
  memberJson,
  messageJson,
  userJson,
} from './render.ts';
import type { Actor, ChannelState, GuildState, InteractionState, MessageState, World } from './state.ts';
import type {
  ActorOptions,
  AttachmentInput,
  ClickOptions,
  InteractOptions,
  MessageCommandOptions,
  StoredCommand,
  UserCommandOptions,
} from './types.ts';
import {
  DEFAULT_APP_PERMISSIONS,
  DEFAULT_ATTACHMENT_SIZE_LIMIT,
  DEFAULT_MEMBER_PERMISSIONS,
  FLAG_EPHEMERAL,
  asArray,
  asNumber,
  isObj,
  permissionString,
} from './util.ts';
import type { Obj } from './util.ts';

function actorOf(world: World, opts: ActorOptions): Actor {
  const userId = opts.userId ?? world.defaultUserId;
  return {
    user: userJson(userId, opts.username),
    memberPermissions: permissionString(opts.permissions, DEFAULT_MEMBER_PERMISSIONS),
    appPermissions: permissionString(opts.appPermissions, DEFAULT_APP_PERMISSIONS),
    locale: opts.locale ?? 'en-US',
    attachmentSizeLimit: opts.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
  };
}

/** The guild and channel of an interaction; throws the test's mistake in plain words. */
export function place(
  world: World,
  guildId: string,
  channelId: string,
): { guild: GuildState; channel: ChannelState } {
  const guild = world.guilds.get(guildId);
  if (!guild) throw new Error(`stand-in: unknown guild ${guildId}`);
  const channel = guild.channels.get(channelId);
  if (!channel) throw new Error(`stand-in: channel ${channelId} is not in guild ${guild.id}`);
  return { guild, channel };
}

function findCommand(world: World, name: string, type: number, guildId: string): StoredCommand | undefined {
  return (
    (world.commandStore.get(guildId) ?? []).find((c) => c.name === name && c.type === type) ??
    (world.commandStore.get('global') ?? []).find((c) => c.name === name && c.type === type)
  );
}

/** What one interaction is: who, where, which type, and its `data`. */
export interface Dispatch {
  readonly kind: InteractionState['kind'];
  readonly type: number;
  readonly guild: GuildState;
  readonly channel: ChannelState;
  readonly actor: Actor;
  readonly data: Obj;
  readonly label: string;
  readonly commandName: string;
  readonly commandType: number;
  readonly sourceMessage?: MessageState;
}

/** Builds the payload Discord sends for any interaction type and dispatches it to the guild's session. */
export function send(world: World, d: Dispatch): InteractionState {
  const conn = sessionFor(world, d.guild.id);
  const id = world.nextId();
  const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('hex')}`).toString('base64url');
  const payload: Obj = {
    id,
    application_id: world.applicationId,
    type: d.type,
    data: d.data,
    guild: { id: d.guild.id, locale: d.guild.preferredLocale, features: [] },
    guild_id: d.guild.id,
    channel: { ...channelJson(d.channel), permissions: d.actor.memberPermissions },
    channel_id: d.channel.id,
    member: { ...memberJson(d.actor.memberPermissions, world.clock() - 86_400_000), user: d.actor.user },
    token,
    version: 1,
    app_permissions: d.actor.appPermissions,
    locale: d.actor.locale,
    guild_locale: d.guild.preferredLocale,
    entitlements: [],
    authorizing_integration_owners: { '0': d.guild.id },
    context: 0,
    attachment_size_limit: d.actor.attachmentSizeLimit,
    ...(d.sourceMessage ? { message: messageJson(world, d.sourceMessage) } : {}),
  };
  const state: InteractionState = {
    id,
    token,
    kind: d.kind,
    type: d.type,
    guildId: d.guild.id,
    channelId: d.channel.id,
    label: d.label,
    commandName: d.commandName,
    commandType: d.commandType,
    actor: d.actor,
    payload,
    dispatchedAt: world.clock(),
    sourceMessage: d.sourceMessage,
    responseType: undefined,
    ackAt: undefined,
    ephemeral: false,
    deferred: false,
    original: undefined,
    followUps: [],
    edits: [],
    messageEdits: [],
    choices: undefined,
    modal: undefined,
    modalSubmitted: false,
  };
  world.interactions.set(id, state);
  world.interactionsByToken.set(token, state);
  dispatch(conn, 'INTERACTION_CREATE', payload);
  return state;
}

function isAttachment(value: unknown): value is AttachmentInput {
  return isObj(value) && Buffer.isBuffer(value.bytes) && typeof value.filename === 'string';
}

/** A slash command or (with `focused`) an autocomplete request. */
export function dispatchCommand(
  world: World,
  opts: InteractOptions,
  focused: string | undefined,
): InteractionState {
  const { guild, channel } = place(world, opts.guildId, opts.channelId);
  const actor = actorOf(world, opts);
  const command = findCommand(world, opts.command, 1, guild.id);
  let defs: unknown[] = asArray(command?.options) ?? [];
  for (const [name, type] of [
    [opts.subcommandGroup, 2],
    [opts.subcommand, 1],
  ] as const) {
    if (name === undefined) continue;
    const found = defs.find((d) => isObj(d) && d.name === name && d.type === type);
    defs = isObj(found) ? (asArray(found.options) ?? []) : [];
  }
  const resolved: { channels: Obj; users: Obj; members: Obj; roles: Obj; attachments: Obj } = {
    channels: {},
    users: {},
    members: {},
    roles: {},
    attachments: {},
  };
  const leafOptions: Obj[] = Object.entries(opts.options ?? {}).map(([name, value]) => {
    const def = defs.find((d) => isObj(d) && d.name === name);
    const defType = isObj(def) ? asNumber(def.type) : undefined;
    if (isAttachment(value)) {
      if (defType !== undefined && defType !== 11)
        throw new Error(`stand-in: option ${name} is not an attachment option`);
      if (value.bytes.length > actor.attachmentSizeLimit) {
        throw new Error(
          `stand-in: ${value.filename} is ${value.bytes.length} bytes, over the ${actor.attachmentSizeLimit}-byte upload limit; the client refuses it`,
        );
      }
      const file = storeAttachment(world, channel.id, value);
      resolved.attachments[file.id] = attachmentJson(world, channel.id, file, { ephemeral: true });
      return { name, type: 11, value: file.id };
    }
    const inferred =
      typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : Number.isInteger(value) ? 4 : 10;
    const type = defType ?? inferred;
    if (typeof value === 'string' && /^\d{17,19}$/.test(value) && focused === undefined) {
      if (type === 7) {
        const target = world.channels.get(value);
        if (!target) throw new Error(`stand-in: channel option ${name} names unknown channel ${value}`);
        resolved.channels[value] = { ...channelJson(target), permissions: actor.memberPermissions };
      } else if (type === 6) {
        resolved.users[value] = userJson(value);
        resolved.members[value] = memberJson(DEFAULT_MEMBER_PERMISSIONS.toString(), world.clock());
      } else if (type === 8 && (value === guild.id || value === guild.botRoleId)) {
        resolved.roles[value] = value === guild.id ? everyoneRole(world, guild) : botRole(world, guild);
      }
    }
    return { name, type, value, ...(focused === name ? { focused: true } : {}) };
  });
  if (focused !== undefined && !leafOptions.some((o) => o.name === focused)) {
    const def = defs.find((d) => isObj(d) && d.name === focused);
    leafOptions.push({
      name: focused,
      type: (isObj(def) ? asNumber(def.type) : undefined) ?? 3,
      value: '',
      focused: true,
    });
  }
  let options: Obj[] = leafOptions;
  if (opts.subcommand !== undefined) options = [{ name: opts.subcommand, type: 1, options }];
  if (opts.subcommandGroup !== undefined) options = [{ name: opts.subcommandGroup, type: 2, options }];
  const usedResolved = Object.fromEntries(
    Object.entries(resolved).filter(([, r]) => Object.keys(r).length > 0),
  );
  return send(world, {
    kind: focused === undefined ? 'command' : 'autocomplete',
    type: focused === undefined ? 2 : 4,
    guild,
    channel,
    actor,
    label: `/${opts.command}`,
    commandName: opts.command,
    commandType: 1,
    data: {
      id: command?.id ?? world.nextId(),
      name: opts.command,
      type: 1,
      ...(options.length > 0 ? { options } : {}),
      ...(Object.keys(usedResolved).length > 0 ? { resolved: usedResolved } : {}),
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    },
  });
}

function registered(world: World, name: string, type: 2 | 3, guildId: string): StoredCommand {
  const command = findCommand(world, name, type, guildId);
  if (!command) {
    throw new Error(
      `stand-in: no ${type === 3 ? 'message' : 'user'} command named "${name}" is registered for guild ${guildId}; the menu would not show it`,
    );
  }
  return command;
}

/** A message context-menu command: the target message travels whole, content included. */
export function dispatchMessageCommand(world: World, opts: MessageCommandOptions): InteractionState {
  const { guild, channel } = place(world, opts.guildId, opts.channelId);
  const command = registered(world, opts.command, 3, guild.id);
  const target = world.messages.get(opts.messageId);
  if (!target || target.deleted || target.channelId !== channel.id) {
    throw new Error(`stand-in: message ${opts.messageId} is not shown in channel ${channel.id}`);
  }
  if ((target.flags & FLAG_EPHEMERAL) !== 0)
    throw new Error('stand-in: an ephemeral message has no context menu');
  return send(world, {
    kind: 'message-command',
    type: 2,
    guild,
    channel,
    actor: actorOf(world, opts),
    label: `message command "${opts.command}"`,
    commandName: opts.command,
    commandType: 3,
    data: {
      id: command.id,
      name: command.name,
      type: 3,
      target_id: target.id,
      resolved: { messages: { [target.id]: messageJson(world, target) } },
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    },
  });
}

/** A user context-menu command on a member. */
export function dispatchUserCommand(world: World, opts: UserCommandOptions): InteractionState {
  const { guild, channel } = place(world, opts.guildId, opts.channelId);
  const command = registered(world, opts.command, 2, guild.id);
  const member = memberJson(DEFAULT_MEMBER_PERMISSIONS.toString(), world.clock());
  return send(world, {
    kind: 'user-command',
    type: 2,
    guild,
    channel,
    actor: actorOf(world, opts),
    label: `user command "${opts.command}"`,
    commandName: opts.command,
    commandType: 2,
    data: {
      id: command.id,
      name: command.name,
      type: 2,
      target_id: opts.targetUserId,
      resolved: {
        users: { [opts.targetUserId]: userJson(opts.targetUserId) },
        members: { [opts.targetUserId]: member },
      },
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    },
  });
}

/** Every component of a message's layout, rows and nested containers flattened. */
function components(list: readonly unknown[]): Obj[] {
  return list.flatMap((c) => {
    if (!isObj(c)) return [];
    const nested = [...(asArray(c.components) ?? []), ...(isObj(c.accessory) ? [c.accessory] : [])];
    return [c, ...components(nested)];
  });
}

/** A click on a button of a stored message. */
export function dispatchClick(world: World, opts: ClickOptions): InteractionState {
  const message = world.messages.get(opts.messageId);
  if (!message || message.deleted)
    throw new Error(`stand-in: message ${opts.messageId} is not shown anywhere`);
  const { guild, channel } = place(world, message.guildId, message.channelId);
  const actor = actorOf(world, opts);
  const owner = message.interaction?.actor.user.id;
  if ((message.flags & FLAG_EPHEMERAL) !== 0 && owner !== actor.user.id) {
    throw new Error(`stand-in: message ${message.id} is ephemeral; only ${String(owner)} sees it`);
  }
  const button = components(message.components).find((c) => c.type === 2 && c.custom_id === opts.customId);
  if (!button) {
    const ids = components(message.components).flatMap((c) =>
      typeof c.custom_id === 'string' ? [c.custom_id] : [],
    );
    throw new Error(
      `stand-in: message ${message.id} has no button "${opts.customId}" (has ${JSON.stringify(ids)})`,
    );
  }
  if (button.disabled === true)
    throw new Error(`stand-in: button "${opts.customId}" is disabled; it cannot be clicked`);
  return send(world, {
    kind: 'component',
    type: 3,
    guild,
    channel,
    actor,
    label: `button ${opts.customId}`,
    commandName: opts.customId,
    commandType: 0,
    sourceMessage: message,
    data: { custom_id: opts.customId, component_type: 2 },
  });
}
