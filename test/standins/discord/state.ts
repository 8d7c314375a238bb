/**
 * The Discord stand-in's state: guilds, channels, messages, interactions, registered commands and
 * gateway sessions, plus the records tests read (calls, violations, counters). Every other module of
 * the stand-in receives one {@link World} and changes it; nothing here is module-level.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { WebSocket } from 'ws';
import type {
  DiscordStandInOptions,
  RateWindow,
  RecordedCall,
  StandInAttachment,
  StandInEdit,
  StandInModal,
  StoredCommand,
} from './types.ts';
import { DISCORD_EPOCH, THREAD_TYPES } from './util.ts';
import type { Obj } from './util.ts';

/** A channel or thread of a stand-in guild. */
export interface ChannelState {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
  readonly type: number;
  readonly parentId: string | null;
  readonly position: number;
  readonly ownerId: string;
  readonly createdAt: number;
  readonly autoArchiveDuration: number;
  /** Not in GUILD_CREATE and never announced with THREAD_CREATE. */
  readonly uncached: boolean;
}

/** A guild the bot is in, with its channels by id. */
export interface GuildState {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly botRoleId: string;
  readonly joinedAt: number;
  readonly preferredLocale: string;
  readonly channels: Map<string, ChannelState>;
}

/** A stored message: the bot's, a member's, or an interaction response. */
export interface MessageState {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string;
  readonly type: number;
  readonly createdAt: number;
  /** The interaction this message answers (its original response or a follow-up). */
  readonly interaction: InteractionState | undefined;
  /** The user object shown as author. */
  readonly author: Obj;
  /** Written by this bot (its own messages always show their content). */
  readonly byBot: boolean;
  /** User objects the message mentions (`mentions`), the bot included when it is pinged. */
  mentions: Obj[];
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StandInAttachment[];
  flags: number;
  allowedMentions: unknown;
  editedAt: number | null;
  deleted: boolean;
  messageReference: Obj | undefined;
  /** Times of accepted edits inside the current rate window. */
  editTimes: number[];
}

/** Who triggered an interaction, with the client settings it carries. */
export interface Actor {
  readonly user: Obj;
  readonly memberPermissions: string;
  readonly appPermissions: string;
  readonly locale: string;
  readonly attachmentSizeLimit: number;
}

/** One dispatched interaction and everything the bot did with it. */
export interface InteractionState {
  readonly id: string;
  readonly token: string;
  readonly kind:
    'command' | 'autocomplete' | 'message-command' | 'user-command' | 'component' | 'modal-submit';
  /** Interaction type on the wire: 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  readonly type: number;
  readonly guildId: string;
  readonly channelId: string;
  /** For descriptions: `/ask`, `Ask Mistral`, `button ask:stop`, `modal ask:form`. */
  readonly label: string;
  readonly commandName: string;
  /** Application command type (1 chat input, 2 user, 3 message) for interaction_metadata. */
  readonly commandType: number;
  readonly actor: Actor;
  readonly payload: Obj;
  readonly dispatchedAt: number;
  /** The message a clicked component sits on (or that opened the submitted modal). */
  readonly sourceMessage: MessageState | undefined;
  responseType: number | undefined;
  ackAt: number | undefined;
  ephemeral: boolean;
  deferred: boolean;
  original: MessageState | undefined;
  readonly followUps: MessageState[];
  readonly edits: StandInEdit[];
  readonly messageEdits: Array<StandInEdit & { readonly messageId: string }>;
  choices: Array<{ name: string; value: string | number }> | undefined;
  modal: StandInModal | undefined;
  modalSubmitted: boolean;
}

/** One gateway WebSocket and what it identified with. */
export interface GatewayConnection {
  readonly socket: WebSocket;
  readonly sessionId: string;
  seq: number;
  identified: boolean;
  ready: boolean;
  shard: readonly [number, number];
  guildIds: readonly string[];
  intents: number;
}

/** A pending `waitFor`/`waitForReady`. */
export interface Waiter {
  readonly check: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Limits and switches after defaults were applied. */
export interface Settings {
  readonly editLimit: RateWindow;
  readonly channelEditLimit: RateWindow;
  readonly channelMessageLimit: RateWindow;
  readonly globalRequestsPerSecond: number;
  readonly messageContentIntent: boolean;
  readonly attachmentUrlLifetimeMs: number;
  readonly recommendedShards: number;
  readonly maxConcurrency: number;
}

/** Everything the stand-in knows; one per stand-in, passed to every module. */
export interface World {
  readonly clock: () => number;
  readonly nextId: () => string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly botUsername: string;
  readonly ownerId: string;
  readonly defaultUserId: string;
  readonly token: string;
  readonly botUser: Obj;
  readonly ownerUser: Obj;
  readonly settings: Settings;
  readonly calls: RecordedCall[];
  readonly violations: string[];
  readonly guilds: Map<string, GuildState>;
  readonly channels: Map<string, ChannelState>;
  readonly messages: Map<string, MessageState>;
  /** Messages shown in a channel's history (bot posts and member posts), by channel, oldest first. */
  readonly channelLog: Map<string, MessageState[]>;
  readonly interactions: Map<string, InteractionState>;
  readonly interactionsByToken: Map<string, InteractionState>;
  /** Commands by scope: a guild id, or `global`. */
  readonly commandStore: Map<string, StoredCommand[]>;
  readonly connections: Set<GatewayConnection>;
  readonly waiters: Set<Waiter>;
  readonly typing: Array<{ readonly channelId: string; readonly at: number }>;
  /** Times of requests counted against the global limit. */
  readonly globalTimes: number[];
  /** Per-channel windows of message creates and edits. */
  readonly channelWindows: Map<string, number[]>;
  readonly counters: { rejected429: number; invalid: number };
  /** Every attachment the CDN can serve (message files and slash-option uploads), by id. */
  readonly attachments: Map<string, { readonly channelId: string; readonly file: StandInAttachment }>;
  /** Key of the attachment URL signatures. */
  readonly cdnSecret: Buffer;
  /** Set once the server listens. */
  urls: { http: string; gateway: string };
}

/** Records a breach; tests assert on `violations`. */
export function violate(world: World, text: string): void {
  world.violations.push(text);
}

/** Builds the state from the options: guilds with their channels, users, limits. */
export function createWorld(opts: DiscordStandInOptions): World {
  const clock = opts.clock ?? Date.now;
  const workerBits = BigInt(randomInt(0, 1 << 10)) << 12n;
  const sequence = { value: 0 };
  const nextId = (): string => {
    sequence.value = (sequence.value + 1) & 0xfff;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | workerBits | BigInt(sequence.value)).toString();
  };
  const applicationId = opts.applicationId ?? nextId();
  const botUserId = opts.botUserId ?? nextId();
  const ownerId = opts.ownerId ?? nextId();
  const botUsername = opts.botUsername ?? 'Stand-in Bot';
  const world: World = {
    clock,
    nextId,
    applicationId,
    botUserId,
    botUsername,
    ownerId,
    defaultUserId: nextId(),
    token:
      opts.token ??
      `${Buffer.from(botUserId).toString('base64url')}.ZmFrZQ.c3RhbmQtaW4tdG9rZW4tbm90LWEtcmVhbC1kaXNjb3JkLXRva2Vu`,
    botUser: {
      id: botUserId,
      username: botUsername,
      discriminator: '4242',
      global_name: null,
      avatar: null,
      avatar_decoration_data: null,
      bot: true,
      public_flags: 0,
      flags: 0,
    },
    ownerUser: {
      id: ownerId,
      username: 'owner',
      discriminator: '0',
      global_name: 'Owner',
      avatar: null,
      public_flags: 0,
      flags: 0,
    },
    settings: {
      editLimit: opts.editRateLimit ?? { count: 5, windowMs: 2_000 },
      channelEditLimit: opts.channelEditRateLimit ?? { count: 5, windowMs: 5_000 },
      channelMessageLimit: opts.channelMessageRateLimit ?? { count: 5, windowMs: 5_000 },
      globalRequestsPerSecond: opts.globalRequestsPerSecond ?? 50,
      messageContentIntent: opts.messageContentIntent ?? false,
      attachmentUrlLifetimeMs: opts.attachmentUrlLifetimeMs ?? 24 * 3_600_000,
      recommendedShards: opts.shards ?? 1,
      maxConcurrency: opts.maxConcurrency ?? 16,
    },
    calls: [],
    violations: [],
    guilds: new Map(),
    channels: new Map(),
    messages: new Map(),
    channelLog: new Map(),
    interactions: new Map(),
    interactionsByToken: new Map(),
    commandStore: new Map(),
    connections: new Set(),
    waiters: new Set(),
    typing: [],
    globalTimes: [],
    channelWindows: new Map(),
    counters: { rejected429: 0, invalid: 0 },
    attachments: new Map(),
    cdnSecret: randomBytes(32),
    urls: { http: '', gateway: '' },
  };

  const guildOptions = opts.guilds ?? [{ id: nextId(), name: 'Stand-in Guild' }];
  for (const [guildIndex, g] of guildOptions.entries()) {
    const guild: GuildState = {
      id: g.id,
      name: g.name ?? `Guild ${guildIndex + 1}`,
      ownerId: g.ownerId ?? ownerId,
      botRoleId: nextId(),
      joinedAt: clock(),
      preferredLocale: g.preferredLocale ?? 'en-US',
      channels: new Map(),
    };
    world.guilds.set(guild.id, guild);
    const channels = g.channels ?? [
      { id: nextId(), name: 'general', type: 0 },
      { id: nextId(), name: 'stand-in-thread', type: 11 },
    ];
    const firstText = channels.find((c) => (c.type ?? 0) === 0 || c.type === 5);
    let position = 0;
    for (const c of channels) {
      const type = c.type ?? 0;
      const isThread = THREAD_TYPES.has(type);
      if (isThread && !(c.parentId ?? firstText?.id)) {
        throw new Error(`stand-in: thread ${c.id} in guild ${guild.id} needs a parent text channel`);
      }
      addChannel(world, {
        id: c.id,
        guildId: guild.id,
        name: c.name ?? (isThread ? `thread-${c.id.slice(-4)}` : `channel-${c.id.slice(-4)}`),
        type,
        parentId: (isThread ? (c.parentId ?? firstText?.id) : c.parentId) ?? null,
        position: isThread ? 0 : position++,
        ownerId: isThread ? guild.ownerId : '',
        createdAt: clock(),
        autoArchiveDuration: 4_320,
        uncached: c.uncached ?? false,
      });
    }
  }
  return world;
}

/** Adds a channel or thread to its guild and to the channel index. */
export function addChannel(world: World, channel: ChannelState): void {
  const guild = world.guilds.get(channel.guildId);
  if (!guild) throw new Error(`stand-in: unknown guild ${channel.guildId}`);
  guild.channels.set(channel.id, channel);
  world.channels.set(channel.id, channel);
}

/** Adds a message to a channel's visible history. */
export function logMessage(world: World, message: MessageState): void {
  const list = world.channelLog.get(message.channelId) ?? [];
  list.push(message);
  world.channelLog.set(message.channelId, list);
}

function settle(world: World, waiter: Waiter, error?: unknown): void {
  clearTimeout(waiter.timer);
  world.waiters.delete(waiter);
  if (error === undefined) waiter.resolve();
  else
    waiter.reject(error instanceof Error ? error : new Error('stand-in: predicate threw', { cause: error }));
}

/** Re-evaluates every pending `waitFor`; call after any change a test could wait for. */
export function checkWaiters(world: World): void {
  for (const waiter of world.waiters) {
    try {
      if (waiter.check()) settle(world, waiter);
    } catch (error) {
      settle(world, waiter, error);
    }
  }
}

/** Resolves once `check` holds; rejects after `timeoutMs` with `describe()` in the message. */
export function wait(
  world: World,
  check: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      check,
      resolve,
      reject,
      timer: setTimeout(() => {
        world.waiters.delete(waiter);
        reject(new Error(`stand-in: timed out after ${timeoutMs} ms waiting ${describe()}`));
      }, timeoutMs),
    };
    world.waiters.add(waiter);
    checkWaiters(world);
  });
}

/** Rejects every pending wait (the stand-in is closing). */
export function rejectWaiters(world: World): void {
  for (const waiter of world.waiters) {
    clearTimeout(waiter.timer);
    waiter.reject(new Error('stand-in: closed while waiting'));
  }
  world.waiters.clear();
}
