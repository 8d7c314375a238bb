/**
 * The Discord stand-in's public types: what a test passes in (options of the stand-in, of a guild, of
 * every user action) and what it reads back (recorded calls, messages, interaction handles).
 */

/** A channel of a stand-in guild. */
export interface StandInChannelOptions {
  readonly id: string;
  readonly name?: string;
  /** Discord channel type: 0 text (default), 4 category, 5 announcement, 11 public thread, 12 private thread. */
  readonly type?: number;
  /** Parent text channel of a thread (default: the guild's first text channel) or category of a channel. */
  readonly parentId?: string;
  /**
   * Left out of GUILD_CREATE, as a private thread the bot is not a member of (or an archived one) is:
   * the client has not cached it, yet interactions from it carry the full channel object.
   */
  readonly uncached?: boolean;
}

/** A guild the bot is in. */
export interface StandInGuildOptions {
  readonly id: string;
  readonly name?: string;
  /** Guild owner (default: the stand-in's `ownerId`). */
  readonly ownerId?: string;
  /** Default: one text channel `general` and one public thread under it. */
  readonly channels?: readonly StandInChannelOptions[];
  /** The guild's `preferred_locale` (default `en-US`): in GUILD_CREATE and as `guild_locale` of interactions. */
  readonly preferredLocale?: string;
}

/** A count per window, e.g. 5 per 5000 ms. */
export interface RateWindow {
  readonly count: number;
  readonly windowMs: number;
}

/** Options of `startDiscordStandIn`; every field has a generated default. */
export interface DiscordStandInOptions {
  readonly applicationId?: string;
  /** The bot user's id (on Discord usually equal to the application id; here distinct by default). */
  readonly botUserId?: string;
  readonly botUsername?: string;
  /** Owner of the application (`GET /applications/@me`). */
  readonly ownerId?: string;
  /** The bot token the stand-in accepts (default: a fixed, well-formed fake). */
  readonly token?: string;
  /** Default: one guild with a text channel and a thread. */
  readonly guilds?: readonly StandInGuildOptions[];
  /** Recommended shard count in `GET /gateway/bot` (default 1). */
  readonly shards?: number;
  /**
   * `session_start_limit.max_concurrency` (default 16, a large bot's value, so several shards identify
   * at once; with 1, discord.js waits 5 s between shards as it would on Discord).
   */
  readonly maxConcurrency?: number;
  /**
   * Time source for the rules that depend on time (3 s acknowledgement, 15 min token, rate windows,
   * attachment URL expiry) and for recorded timestamps. Inject a skewed clock to test lateness without
   * sleeping.
   */
  readonly clock?: () => number;
  /** Edits allowed to one message per window before a 429 (default 5 per 2000 ms, as observed on Discord). */
  readonly editRateLimit?: RateWindow;
  /** `PATCH /channels/:c/messages/:m` per channel (default 5 per 5000 ms). */
  readonly channelEditRateLimit?: RateWindow;
  /** `POST /channels/:c/messages` per channel (default 5 per 5000 ms). */
  readonly channelMessageRateLimit?: RateWindow;
  /** Requests per second per bot token across all routes but interaction callbacks (default 50). */
  readonly globalRequestsPerSecond?: number;
  /**
   * Whether the application has the privileged Message Content intent switched on in the developer
   * portal (default false). Without it an IDENTIFY asking for MessageContent (1 << 15) is closed with
   * 4014, as are GuildMembers (1 << 1) and GuildPresences (1 << 8), which are never granted here.
   */
  readonly messageContentIntent?: boolean;
  /** How long signed attachment URLs stay valid, in stand-in clock ms (default 24 h). */
  readonly attachmentUrlLifetimeMs?: number;
}

/** A file uploaded with a multipart request. */
export interface RecordedFile {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/** One REST request as the stand-in saw it. */
export interface RecordedCall {
  readonly method: string;
  /** Decoded path without `/api/v10`, e.g. `/webhooks/1…/tok/messages/@original`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON body; for multipart requests the parsed `payload_json`. `undefined` without a body. */
  readonly body: unknown;
  /** Files of a multipart request, in upload order. */
  readonly files: readonly RecordedFile[];
  /** Stand-in clock time the request arrived (ms). */
  readonly at: number;
  /** HTTP status the stand-in answered with. */
  status: number;
}

/** An attachment of a stored message. */
export interface StandInAttachment extends RecordedFile {
  readonly id: string;
  /** Pixel size, read from the bytes for PNG, JPEG, GIF and WEBP images. */
  readonly width?: number;
  readonly height?: number;
  readonly description?: string;
}

/** A message as a user would see it (a snapshot; later edits do not change it). */
export interface StandInMessage {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string;
  /** The bot for its own messages, the member for `postMessage`. */
  readonly authorId: string;
  readonly content: string;
  readonly ephemeral: boolean;
  readonly flags: number;
  /** `allowed_mentions` of the last request that wrote the message (`undefined` if it sent none). */
  readonly allowedMentions: unknown;
  readonly embeds: readonly unknown[];
  readonly attachments: readonly StandInAttachment[];
  /** Component rows as last written (buttons keep their `disabled` state). */
  readonly components: readonly unknown[];
  /** The message this one replies to (`message_reference.message_id`). */
  readonly replyTo: string | undefined;
}

/** One accepted edit of an interaction's original response. */
export interface StandInEdit {
  /** Stand-in clock time of the edit (ms, same base as `dispatchedAt` and `RecordedCall.at`). */
  readonly at: number;
  /** Content after the edit. */
  readonly content: string;
}

/** A file a member attaches (to a slash option or a posted message). */
export interface AttachmentInput {
  readonly filename: string;
  readonly bytes: Buffer;
  /** Default: sniffed from the bytes (PNG, JPEG, GIF, WEBP, PDF), else `application/octet-stream`. */
  readonly contentType?: string;
  readonly description?: string;
}

/** Who acts and with which client settings; shared by every interaction a test dispatches. */
export interface ActorOptions {
  /** Default: the stand-in's `defaultUserId`. */
  readonly userId?: string;
  readonly username?: string;
  /** The member's computed permissions in the channel (default: ViewChannel | SendMessages | UseApplicationCommands). */
  readonly permissions?: bigint | string;
  /** The bot's permissions in the channel (`app_permissions`). */
  readonly appPermissions?: bigint | string;
  /** The member's client language, the interaction's `locale` (default `en-US`). */
  readonly locale?: string;
  /** `attachment_size_limit` of the interaction (default 10 MiB); larger option files are refused. */
  readonly attachmentSizeLimit?: number;
}

/** What a user does to trigger a slash command. */
export interface InteractOptions extends ActorOptions {
  readonly guildId: string;
  readonly channelId: string;
  readonly command: string;
  readonly subcommandGroup?: string;
  readonly subcommand?: string;
  /**
   * Option values. Types come from the registered definition when there is one (so a snowflake for a
   * type-7 option becomes a resolved channel), else from the JS type: string 3, integer 4, number 10,
   * boolean 5, {@link AttachmentInput} 11 (resolved into `data.resolved.attachments` and served by the CDN).
   */
  readonly options?: Readonly<Record<string, string | number | boolean | AttachmentInput>>;
}

/** An autocomplete request: the user is typing into option `focused`. */
export interface AutocompleteOptions extends InteractOptions {
  readonly focused: string;
}

/** A message context-menu command (type 3) run on a stored message. */
export interface MessageCommandOptions extends ActorOptions {
  readonly guildId: string;
  readonly channelId: string;
  /** A registered message command's name, e.g. `Ask Mistral`. */
  readonly command: string;
  /** The target: any message stored in that channel (posted by a member or by the bot). */
  readonly messageId: string;
}

/** A user context-menu command (type 2) run on a member. */
export interface UserCommandOptions extends ActorOptions {
  readonly guildId: string;
  readonly channelId: string;
  readonly command: string;
  readonly targetUserId: string;
}

/** A member clicks a button on a message. */
export interface ClickOptions extends ActorOptions {
  readonly messageId: string;
  readonly customId: string;
}

/** A member's message, posted with `postMessage`. */
export interface PostMessageOptions {
  readonly guildId: string;
  readonly channelId: string;
  /** Default: the stand-in's `defaultUserId`. */
  readonly authorId?: string;
  readonly authorName?: string;
  readonly content?: string;
  /** The message @mentions the bot: `mentions` holds the bot user and `<@bot>` is prepended to the content if missing. */
  readonly mentionsBot?: boolean;
  /** Id of a message in the same channel this one replies to. */
  readonly replyTo?: string;
  /** A reply pings the replied-to author unless the member switched the ping off (default true). */
  readonly replyPing?: boolean;
  readonly attachments?: readonly AttachmentInput[];
  readonly embeds?: readonly unknown[];
}

/** A posted member message and which sessions it was delivered to. */
export interface PostedMessage extends StandInMessage {
  /** One entry per gateway session it was dispatched to (only sessions with GuildMessages get it). */
  readonly deliveries: ReadonlyArray<{ readonly sessionId: string; readonly contentVisible: boolean }>;
}

/** A thread created while the bot runs, silently (no THREAD_CREATE), as a private thread it is not in. */
export interface AddThreadOptions {
  readonly guildId: string;
  readonly parentId: string;
  /** 11 public or 12 private (default 12). */
  readonly type?: 11 | 12;
  readonly name?: string;
  readonly id?: string;
}

/** A gateway session as the stand-in saw it identify. */
export interface GatewaySession {
  readonly sessionId: string;
  readonly shard: readonly [number, number];
  /** The `intents` bit field of its IDENTIFY. */
  readonly intents: number;
  readonly guildIds: readonly string[];
  readonly ready: boolean;
}

/** A modal the bot opened (callback type 9), as validated. */
export interface StandInModal {
  readonly customId: string;
  readonly title: string;
  /** The top-level components as sent (action rows or labels). */
  readonly components: readonly unknown[];
}

/** Values a member types or picks in a modal: text input value, or string-select values, by custom_id. */
export type ModalValues = Readonly<Record<string, string | readonly string[]>>;

/** Which kind of interaction a handle tracks. */
export type InteractionKind =
  'command' | 'autocomplete' | 'message-command' | 'user-command' | 'component' | 'modal-submit';

/** Live view of one dispatched interaction and everything the bot did with it. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly kind: InteractionKind;
  /** The raw INTERACTION_CREATE data that was dispatched. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Stand-in clock time of the dispatch (ms). */
  readonly dispatchedAt: number;
  /** Ms from dispatch to the first *accepted* callback; `undefined` while unacknowledged (late callbacks are refused). */
  readonly ackAt: number | undefined;
  /** Callback type of the acknowledgement (4 reply, 5 deferred, 6 deferred update, 7 update, 8 autocomplete result, 9 modal). */
  readonly responseType: number | undefined;
  /** The defer/reply carried flag 64. */
  readonly ephemeral: boolean;
  /** Acknowledged with a deferred reply (type 5) or a deferred update (type 6). */
  readonly deferred: boolean;
  /** Current content of the original response; `''` while a deferred reply is still "thinking"; `undefined` if none or deleted. For a component interaction answered with 6/7, the clicked message. */
  original(): string | undefined;
  /** The original response as a full snapshot (components included). */
  originalMessage(): StandInMessage | undefined;
  /** Follow-up messages (not deleted), oldest first. */
  followUps(): StandInMessage[];
  /** Accepted edits of the original response, oldest first. */
  edits(): StandInEdit[];
  /** Accepted edits of every message of the interaction (original and follow-ups), oldest first. */
  messageEdits(): Array<StandInEdit & { readonly messageId: string }>;
  /** The original response, then the follow-ups, as the user would see them. */
  allMessages(): StandInMessage[];
  /** The modal the bot answered with (callback 9), if any. */
  modal(): StandInModal | undefined;
  /** Resolves once `predicate` holds (checked now and after every change); rejects with the current state on timeout. */
  waitFor(predicate: (handle: InteractionHandle) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once the interaction is acknowledged. */
  waitForAck(timeoutMs?: number): Promise<void>;
}

/** Handle of an autocomplete interaction. */
export interface AutocompleteHandle extends InteractionHandle {
  /** The choices the bot answered with, or `undefined` before it answered. */
  choices(): Array<{ readonly name: string; readonly value: string | number }> | undefined;
}

/** An application command as stored by the stand-in (what Discord would return). */
export interface StoredCommand {
  readonly id: string;
  readonly application_id: string;
  readonly version: string;
  readonly name: string;
  readonly type: number;
  readonly description: string;
  readonly guild_id?: string;
  readonly options?: readonly unknown[];
  readonly [key: string]: unknown;
}

/** A running stand-in. Destroy discord.js clients before calling `close()`, or they will try to reconnect. */
export interface DiscordStandIn {
  /** Pass as `rest.api` to discord.js: `http://127.0.0.1:PORT/api`. */
  readonly apiUrl: string;
  /** The gateway URL (`ws://127.0.0.1:PORT`) that `GET /gateway/bot` hands out. */
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly ownerId: string;
  /** The only bot token accepted; any other `Authorization: Bot …` gets 401, a bad IDENTIFY gets close 4004. */
  readonly token: string;
  /** Default invoking user of `interact()` and author of `postMessage()`. */
  readonly defaultUserId: string;
  /** Every REST call, in arrival order. */
  readonly calls: RecordedCall[];
  /** Protocol breaches a real Discord would reject or punish (schema mismatches included), plus our own allowed_mentions rule. */
  readonly violations: string[];
  /** Every 429 the stand-in answered (per-route buckets and the global limit). */
  readonly rejected429: number;
  /** Answers Discord counts towards its invalid-request ban (401, 403, 429; 10,000 per 10 min earns an IP ban). */
  readonly invalidRequests: number;
  /**
   * `Date.now()` times of the requests counted against the global limit (all routes but interaction
   * callbacks; refused ones excluded), ascending. The global window runs on real time, so a skewed
   * `clock` does not move it.
   */
  requestTimes(): number[];
  /** The most requests counted against the global limit in any 1000 ms window (sliding). */
  maxRequestsPerSecond(): number;
  /** Gateway sessions that identified, with their intents, in identify order (closed ones are dropped). */
  sessions(): GatewaySession[];
  /** Resolves when `count` open gateway connections are identified and have been sent their guilds. */
  waitForReady(count?: number, timeoutMs?: number): Promise<void>;
  /** Dispatches an application-command INTERACTION_CREATE to the session holding the guild. */
  interact(opts: InteractOptions): InteractionHandle;
  /** Dispatches an autocomplete INTERACTION_CREATE (type 4). */
  autocomplete(opts: AutocompleteOptions): AutocompleteHandle;
  /** Runs a registered message command (type 3) on a stored message; throws if either is unknown. */
  messageCommand(opts: MessageCommandOptions): InteractionHandle;
  /** Runs a registered user command (type 2) on a member. */
  userCommand(opts: UserCommandOptions): InteractionHandle;
  /** Clicks a button; throws if the message has no such enabled button or the actor cannot see it. */
  click(opts: ClickOptions): InteractionHandle;
  /** Submits the modal the bot opened for `handle` (once); throws if none was opened or a value is invalid. */
  submitModal(handle: InteractionHandle, values: ModalValues): InteractionHandle;
  /** Posts a member's message and dispatches MESSAGE_CREATE to the sessions that may see it. */
  postMessage(opts: PostMessageOptions): PostedMessage;
  /** Creates a thread silently (no THREAD_CREATE, not cached by the client); returns its id. */
  addThread(opts: AddThreadOptions): string;
  /** Any stored message by id (bot posts, member posts, interaction responses), or `undefined`. */
  message(id: string): StandInMessage | undefined;
  /** Registered commands of a guild, or the global ones without `guildId`. */
  commands(guildId?: string): StoredCommand[];
  /** Messages in a channel: the bot's `POST /channels/{id}/messages` and the members' posts, oldest first. */
  channelMessages(channelId: string): StandInMessage[];
  /** `POST /channels/:c/typing` calls, oldest first (all channels, or one). */
  typing(channelId?: string): Array<{ readonly channelId: string; readonly at: number }>;
  /** Closes all sockets and the server. Idempotent. */
  close(): Promise<void>;
}
