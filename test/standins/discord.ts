/**
 * A local stand-in for Discord: one loopback HTTP server that serves the REST API under `/api/v10`
 * and a JSON gateway over WebSocket, so the real discord.js client can be tested without the network.
 *
 * It keeps just enough state to answer like Discord (guilds, channels, threads, interactions and their
 * messages, registered commands) and it is strict where Discord is strict: a rule Discord enforces is
 * answered with Discord's HTTP error *and* written to `violations`, so a test can assert that the bot
 * stayed inside the rules instead of merely surviving the error.
 *
 * Limits of the model: no presences, no member list beyond the bot, no MESSAGE_CREATE events, no
 * resume (a RESUME gets op 9 and discord.js re-identifies), no zlib transport compression (a request
 * for `compress=zlib-stream` is ignored and plain JSON text frames are sent, which discord.js accepts).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';

const DISCORD_EPOCH = 1_420_070_400_000n;
const API_PREFIX = ['api', 'v10'];
const HEARTBEAT_INTERVAL_MS = 41_250;
const ACK_DEADLINE_MS = 3_000;
const TOKEN_LIFETIME_MS = 15 * 60_000;
const MAX_CONTENT_LENGTH = 2_000;
const MAX_AUTOCOMPLETE_CHOICES = 25;
const DEFAULT_WAIT_MS = 20_000;
/** Generic bucket announced in the rate-limit headers of every route; generous so discord.js never waits. */
const GENERIC_BUCKET_LIMIT = 50;
const GENERIC_BUCKET_WINDOW_MS = 1_000;

const FLAG_EPHEMERAL = 64;
const FLAG_LOADING = 128;
const FLAG_HAS_THREAD = 32;
/** Flags a bot may set when it creates a message (suppress embeds, ephemeral, silent, components v2). */
const CREATABLE_FLAGS = 4 | FLAG_EPHEMERAL | 4_096 | 32_768;

const PERM_VIEW_CHANNEL = 1n << 10n;
const PERM_SEND_MESSAGES = 1n << 11n;
const PERM_EMBED_LINKS = 1n << 14n;
const PERM_ATTACH_FILES = 1n << 15n;
const PERM_READ_MESSAGE_HISTORY = 1n << 16n;
const PERM_USE_EXTERNAL_EMOJIS = 1n << 18n;
const PERM_USE_APPLICATION_COMMANDS = 1n << 31n;
const PERM_CREATE_PUBLIC_THREADS = 1n << 35n;
const PERM_SEND_MESSAGES_IN_THREADS = 1n << 38n;
/** A plain member: may see the channel, talk and use slash commands. */
const DEFAULT_MEMBER_PERMISSIONS = PERM_VIEW_CHANNEL | PERM_SEND_MESSAGES | PERM_USE_APPLICATION_COMMANDS;
/** What an invited bot typically holds: enough to answer, embed, attach and open threads. */
const DEFAULT_APP_PERMISSIONS =
  DEFAULT_MEMBER_PERMISSIONS |
  PERM_EMBED_LINKS |
  PERM_ATTACH_FILES |
  PERM_READ_MESSAGE_HISTORY |
  PERM_USE_EXTERNAL_EMOJIS |
  PERM_CREATE_PUBLIC_THREADS |
  PERM_SEND_MESSAGES_IN_THREADS;

const THREAD_TYPES = new Set([10, 11, 12]);
const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/**
 * Makes a Discord snowflake for the given time (default now). The low 22 bits are random, so ids made
 * in the same millisecond almost never collide. From February 2015 on, the result has 17–19 digits.
 * Pass a timestamp to control `(id >> 22n) % shardCount`, i.e. which shard a guild lands on.
 */
export function snowflake(timestampMs: number = Date.now()): string {
  const time = BigInt(Math.floor(timestampMs)) - DISCORD_EPOCH;
  return ((time << 22n) | BigInt(randomInt(0, 1 << 22))).toString();
}

/** A channel of a stand-in guild. */
export interface StandInChannelOptions {
  readonly id: string;
  readonly name?: string;
  /** Discord channel type: 0 text (default), 4 category, 5 announcement, 11 public thread, 12 private thread. */
  readonly type?: number;
  /** Parent text channel of a thread (default: the guild's first text channel) or category of a channel. */
  readonly parentId?: string;
}

/** A guild the bot is in. */
export interface StandInGuildOptions {
  readonly id: string;
  readonly name?: string;
  /** Guild owner (default: the stand-in's `ownerId`). */
  readonly ownerId?: string;
  /** Default: one text channel `general` and one public thread under it. */
  readonly channels?: readonly StandInChannelOptions[];
}

/** Options of {@link startDiscordStandIn}; every field has a generated default. */
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
   * Time source for the rules that depend on time (3 s acknowledgement, 15 min token, edit rate) and
   * for recorded timestamps. Inject a skewed clock to test lateness without sleeping.
   */
  readonly clock?: () => number;
  /** Edits allowed to one message per window before a 429 (default 5 per 2000 ms, as observed on Discord). */
  readonly editRateLimit?: { readonly count: number; readonly windowMs: number };
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
}

/** A message as a user would see it (a snapshot; later edits do not change it). */
export interface StandInMessage {
  readonly id: string;
  readonly channelId: string;
  readonly content: string;
  readonly ephemeral: boolean;
  readonly flags: number;
  /** `allowed_mentions` of the last request that wrote the message (`undefined` if it sent none). */
  readonly allowedMentions: unknown;
  readonly embeds: readonly unknown[];
  readonly attachments: readonly StandInAttachment[];
}

/** One accepted edit of an interaction's original response. */
export interface StandInEdit {
  /** Stand-in clock time of the edit (ms, same base as `dispatchedAt` and `RecordedCall.at`). */
  readonly at: number;
  /** Content after the edit. */
  readonly content: string;
}

/** What a user does to trigger an application command. */
export interface InteractOptions {
  readonly guildId: string;
  readonly channelId: string;
  /** Default: the stand-in's `defaultUserId`. */
  readonly userId?: string;
  readonly username?: string;
  /** The member's computed permissions in the channel (default: ViewChannel | SendMessages | UseApplicationCommands). */
  readonly permissions?: bigint | string;
  /** The bot's permissions in the channel (`app_permissions`). */
  readonly appPermissions?: bigint | string;
  readonly locale?: string;
  readonly command: string;
  readonly subcommandGroup?: string;
  readonly subcommand?: string;
  /**
   * Option values. Types come from the registered definition when there is one (so a snowflake for a
   * type-7 option becomes a resolved channel), else from the JS type: string 3, integer 4, number 10, boolean 5.
   */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
}

/** An autocomplete request: the user is typing into option `focused`. */
export interface AutocompleteOptions extends InteractOptions {
  readonly focused: string;
}

/** Live view of one dispatched interaction and everything the bot did with it. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  /** The raw INTERACTION_CREATE data that was dispatched. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Stand-in clock time of the dispatch (ms). */
  readonly dispatchedAt: number;
  /** Ms from dispatch to the first *accepted* callback; `undefined` while unacknowledged (late callbacks are refused). */
  readonly ackAt: number | undefined;
  /** Callback type of the acknowledgement (4 reply, 5 deferred, 8 autocomplete result, 9 modal). */
  readonly responseType: number | undefined;
  /** The defer/reply carried flag 64. */
  readonly ephemeral: boolean;
  /** Acknowledged with a deferred reply (type 5). */
  readonly deferred: boolean;
  /** Current content of the original response; `''` while a deferred reply is still "thinking"; `undefined` if none or deleted. */
  original(): string | undefined;
  /** Follow-up messages (not deleted), oldest first. */
  followUps(): StandInMessage[];
  /** Accepted edits of the original response, oldest first. */
  edits(): StandInEdit[];
  /** Accepted edits of every message of the interaction (original and follow-ups), oldest first. */
  messageEdits(): Array<StandInEdit & { readonly messageId: string }>;
  /** The original response, then the follow-ups, as the user would see them. */
  allMessages(): StandInMessage[];
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
  /** Default invoking user of `interact()`. */
  readonly defaultUserId: string;
  /** Every REST call, in arrival order. */
  readonly calls: RecordedCall[];
  /** Protocol breaches a real Discord would reject or punish, plus our own allowed_mentions rule. */
  readonly violations: string[];
  /** Resolves when `count` open gateway connections are identified and have been sent their guilds. */
  waitForReady(count?: number, timeoutMs?: number): Promise<void>;
  /** Dispatches an application-command INTERACTION_CREATE to the session holding the guild. */
  interact(opts: InteractOptions): InteractionHandle;
  /** Dispatches an autocomplete INTERACTION_CREATE (type 4). */
  autocomplete(opts: AutocompleteOptions): AutocompleteHandle;
  /** Registered commands of a guild, or the global ones without `guildId`. */
  commands(guildId?: string): StoredCommand[];
  /** Messages posted with `POST /channels/{id}/messages` (not interaction responses). */
  channelMessages(channelId: string): StandInMessage[];
  /** Closes all sockets and the server. Idempotent. */
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly raw?: { readonly bytes: Buffer; readonly contentType: string };
}

interface FormIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

interface ChannelState {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
  readonly type: number;
  readonly parentId: string | null;
  readonly position: number;
  readonly ownerId: string;
  readonly createdAt: number;
  readonly autoArchiveDuration: number;
}

interface GuildState {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly botRoleId: string;
  readonly joinedAt: number;
  readonly channels: Map<string, ChannelState>;
}

interface MessageState {
  readonly id: string;
  readonly channelId: string;
  readonly type: number;
  readonly createdAt: number;
  readonly interaction: InteractionState | undefined;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StandInAttachment[];
  flags: number;
  allowedMentions: unknown;
  editedAt: number | null;
  deleted: boolean;
  messageReference: unknown;
  /** Times of accepted edits inside the current rate window. */
  editTimes: number[];
}

interface InteractionState {
  readonly id: string;
  readonly token: string;
  readonly kind: 'command' | 'autocomplete';
  readonly guildId: string;
  readonly channelId: string;
  readonly commandName: string;
  readonly user: Obj;
  readonly payload: Obj;
  readonly dispatchedAt: number;
  responseType: number | undefined;
  ackAt: number | undefined;
  ephemeral: boolean;
  deferred: boolean;
  original: MessageState | undefined;
  readonly followUps: MessageState[];
  readonly edits: StandInEdit[];
  readonly messageEdits: Array<StandInEdit & { readonly messageId: string }>;
  choices: Array<{ name: string; value: string | number }> | undefined;
}

interface GatewayConnection {
  readonly socket: WebSocket;
  readonly sessionId: string;
  seq: number;
  identified: boolean;
  ready: boolean;
  shard: readonly [number, number];
  guildIds: readonly string[];
}

interface Waiter {
  readonly check: () => boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly files: ReadonlyMap<string, RecordedFile>;
}

type Handler = (ctx: RequestContext, params: Readonly<Record<string, string>>) => Reply;

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  /** Requests must carry the bot token (interaction callbacks and webhooks do not). */
  readonly auth: boolean;
  readonly handler: Handler;
}

/** Thrown inside handlers to answer with an error reply. */
class ApiFailure extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super(`stand-in answered ${reply.status}`);
    this.reply = reply;
  }
}

function fail(reply: Reply): never {
  throw new ApiFailure(reply);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Discord counts string lengths in Unicode code points. */
function codePoints(text: string): number {
  return [...text].length;
}

function idString(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

function apiError(status: number, code: number, message: string, errors?: Obj): Reply {
  return { status, body: errors ? { message, code, errors } : { message, code } };
}

/** Discord's 50035 "Invalid Form Body" with its nested `errors` object. */
function invalidForm(issues: readonly FormIssue[]): Reply {
  const errors: Obj = {};
  for (const issue of issues) {
    let node = errors;
    for (const part of issue.path.split('.')) {
      const next = node[part];
      if (isObj(next)) {
        node = next;
      } else {
        const created: Obj = {};
        node[part] = created;
        node = created;
      }
    }
    const list = asArray(node._errors) ?? [];
    list.push({ code: issue.code, message: issue.message });
    node._errors = list;
  }
  return apiError(400, 50035, 'Invalid Form Body', errors);
}

function describeIssues(issues: readonly FormIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

function maxLengthIssue(path: string, max: number): FormIssue {
  return { path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` };
}

/** Content and embed limits of a message body (Discord's numbers, code-point lengths). */
function messageIssues(body: Obj, prefix: string): FormIssue[] {
  const issues: FormIssue[] = [];
  const content = asString(body.content);
  if (content !== undefined && codePoints(content) > MAX_CONTENT_LENGTH) {
    issues.push(maxLengthIssue(`${prefix}content`, MAX_CONTENT_LENGTH));
  }
  const embeds = asArray(body.embeds);
  if (!embeds) return issues;
  if (embeds.length > 10) issues.push(maxLengthIssue(`${prefix}embeds`, 10));
  let total = 0;
  const measure = (value: unknown, path: string, max: number): void => {
    const text = asString(value);
    if (text === undefined) return;
    const size = codePoints(text);
    total += size;
    if (size > max) issues.push(maxLengthIssue(path, max));
  };
  embeds.forEach((embed, index) => {
    if (!isObj(embed)) return;
    const at = `${prefix}embeds.${index}`;
    measure(embed.title, `${at}.title`, 256);
    measure(embed.description, `${at}.description`, 4_096);
    if (isObj(embed.footer)) measure(embed.footer.text, `${at}.footer.text`, 2_048);
    if (isObj(embed.author)) measure(embed.author.name, `${at}.author.name`, 256);
    const fields = asArray(embed.fields) ?? [];
    if (fields.length > 25) issues.push(maxLengthIssue(`${at}.fields`, 25));
    fields.forEach((field, fieldIndex) => {
      if (!isObj(field)) return;
      measure(field.name, `${at}.fields.${fieldIndex}.name`, 256);
      measure(field.value, `${at}.fields.${fieldIndex}.value`, 1_024);
    });
  });
  if (total > 6_000) {
    issues.push({
      path: `${prefix}embeds`,
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: 'Embed size exceeds maximum size of 6000',
    });
  }
  return issues;
}

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

function permissionString(value: bigint | string | undefined, fallback: bigint): string {
  if (value === undefined) return fallback.toString();
  return typeof value === 'bigint' ? value.toString() : BigInt(value).toString();
}

function commandIssues(def: unknown, path: string): FormIssue[] {
  if (!isObj(def)) return [{ path, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used.' }];
  const issues: FormIssue[] = [];
  const type = asNumber(def.type) ?? 1;
  const name = asString(def.name) ?? '';
  if (!COMMAND_NAME.test(name) || (type === 1 && name !== name.toLowerCase())) {
    issues.push({
      path: `${path}.name`,
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: `Command name is invalid`,
    });
  }
  const description = asString(def.description) ?? '';
  if (type === 1 && (codePoints(description) < 1 || codePoints(description) > 100)) {
    issues.push({
      path: `${path}.description`,
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
  }
  issues.push(...optionIssues(def.options, `${path}.options`, 0));
  return issues;
}

function optionIssues(options: unknown, path: string, depth: number): FormIssue[] {
  const list = asArray(options);
  if (!list) return [];
  const issues: FormIssue[] = [];
  if (list.length > 25) issues.push(maxLengthIssue(path, 25));
  let sawOptional = false;
  const names = new Set<string>();
  list.forEach((option, index) => {
    const at = `${path}.${index}`;
    if (!isObj(option)) {
      issues.push({ path: at, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used.' });
      return;
    }
    const type = asNumber(option.type) ?? 0;
    const name = asString(option.name) ?? '';
    if (!COMMAND_NAME.test(name) || name !== name.toLowerCase()) {
      issues.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Invalid name' });
    }
    if (names.has(name)) {
      issues.push({
        path: `${at}.name`,
        code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        message: 'Option name already exists',
      });
    }
    names.add(name);
    const description = asString(option.description) ?? '';
    if (codePoints(description) < 1 || codePoints(description) > 100) {
      issues.push({
        path: `${at}.description`,
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      });
    }
    if (type < 1 || type > 11) {
      issues.push({ path: `${at}.type`, code: 'BASE_TYPE_CHOICES', message: 'Value must be one of 1–11.' });
    }
    if (type === 1 || type === 2) {
      if (depth >= (type === 2 ? 1 : 2)) {
        issues.push({
          path: `${at}.type`,
          code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
          message: 'Bad nesting',
        });
      }
      issues.push(...optionIssues(option.options, `${at}.options`, depth + 1));
      return;
    }
    if (option.required === true && sawOptional) {
      issues.push({
        path: `${at}.required`,
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    }
    if (option.required !== true) sawOptional = true;
    const choices = asArray(option.choices);
    if (choices && choices.length > 25) issues.push(maxLengthIssue(`${at}.choices`, 25));
  });
  return issues;
}

function choiceIssues(choices: unknown): FormIssue[] {
  const list = asArray(choices);
  if (!list) return [{ path: 'data.choices', code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }];
  const issues: FormIssue[] = [];
  if (list.length > MAX_AUTOCOMPLETE_CHOICES)
    issues.push(maxLengthIssue('data.choices', MAX_AUTOCOMPLETE_CHOICES));
  list.forEach((choice, index) => {
    const at = `data.choices.${index}`;
    const name = isObj(choice) ? asString(choice.name) : undefined;
    if (name === undefined || codePoints(name) < 1 || codePoints(name) > 100) {
      issues.push({
        path: `${at}.name`,
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      });
    }
    const value = isObj(choice) ? choice.value : undefined;
    if (typeof value === 'string' ? codePoints(value) > 100 : typeof value !== 'number') {
      issues.push({
        path: `${at}.value`,
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be a string of at most 100 or a number.',
      });
    }
  });
  return issues;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: Map<string, RecordedFile>; invalid: boolean }> {
  const files = new Map<string, RecordedFile>();
  if (raw.length === 0) return { body: undefined, files, invalid: false };
  try {
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      let body: unknown;
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') {
          if (key === 'payload_json') body = JSON.parse(value) as unknown;
        } else {
          files.set(key, {
            filename: value.name,
            contentType: value.type || 'application/octet-stream',
            bytes: Buffer.from(await value.arrayBuffer()),
          });
        }
      }
      return { body, files, invalid: false };
    }
    return { body: JSON.parse(raw.toString('utf8')) as unknown, files, invalid: false };
  } catch {
    return { body: undefined, files, invalid: true };
  }
}

/**
 * Starts a stand-in on 127.0.0.1 at a free port. Point discord.js at it with
 * `new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiUrl } })` and log in with
 * `standIn.token`.
 */
export async function startDiscordStandIn(opts: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
  const clock = opts.clock ?? Date.now;
  const workerBits = BigInt(randomInt(0, 1 << 10)) << 12n;
  let idSequence = 0;
  const nextId = (): string => {
    idSequence = (idSequence + 1) & 0xfff;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | workerBits | BigInt(idSequence)).toString();
  };

  const applicationId = opts.applicationId ?? nextId();
  const botUserId = opts.botUserId ?? nextId();
  const ownerId = opts.ownerId ?? nextId();
  const defaultUserId = nextId();
  const botUsername = opts.botUsername ?? 'Stand-in Bot';
  const token =
    opts.token ??
    `${Buffer.from(botUserId).toString('base64url')}.ZmFrZQ.c3RhbmQtaW4tdG9rZW4tbm90LWEtcmVhbC1kaXNjb3JkLXRva2Vu`;
  const editLimit = opts.editRateLimit ?? { count: 5, windowMs: 2_000 };
  const recommendedShards = opts.shards ?? 1;
  const maxConcurrency = opts.maxConcurrency ?? 16;

  const calls: RecordedCall[] = [];
  const violations: string[] = [];
  const guilds = new Map<string, GuildState>();
  const channelIndex = new Map<string, ChannelState>();
  const messages = new Map<string, MessageState>();
  const channelPosts = new Map<string, MessageState[]>();
  const interactions = new Map<string, InteractionState>();
  const interactionsByToken = new Map<string, InteractionState>();
  const commandStore = new Map<string, StoredCommand[]>();
  const connections = new Set<GatewayConnection>();
  const waiters = new Set<Waiter>();
  const buckets = new Map<string, { resetAt: number; used: number }>();

  const violate = (text: string): void => {
    violations.push(text);
  };

  const botUser: Obj = {
    id: botUserId,
    username: botUsername,
    discriminator: '4242',
    global_name: null,
    avatar: null,
    avatar_decoration_data: null,
    bot: true,
    public_flags: 0,
    flags: 0,
  };
  const ownerUser: Obj = {
    id: ownerId,
    username: 'owner',
    discriminator: '0',
    global_name: 'Owner',
    avatar: null,
    public_flags: 0,
    flags: 0,
  };

  // ---- guilds and channels -------------------------------------------------------------------------

  const guildOptions: readonly StandInGuildOptions[] = opts.guilds ?? [
    { id: nextId(), name: 'Stand-in Guild' },
  ];
  for (const [guildIndex, g] of guildOptions.entries()) {
    const guild: GuildState = {
      id: g.id,
      name: g.name ?? `Guild ${guildIndex + 1}`,
      ownerId: g.ownerId ?? ownerId,
      botRoleId: nextId(),
      joinedAt: clock(),
      channels: new Map(),
    };
    guilds.set(guild.id, guild);
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
      const channel: ChannelState = {
        id: c.id,
        guildId: guild.id,
        name: c.name ?? (isThread ? `thread-${c.id.slice(-4)}` : `channel-${c.id.slice(-4)}`),
        type,
        parentId: (isThread ? (c.parentId ?? firstText?.id) : c.parentId) ?? null,
        position: isThread ? 0 : position++,
        ownerId: isThread ? guild.ownerId : '',
        createdAt: clock(),
        autoArchiveDuration: 4_320,
      };
      guild.channels.set(channel.id, channel);
      channelIndex.set(channel.id, channel);
    }
  }

  const shardOf = (guildId: string, shardCount: number): number =>
    Number((BigInt(guildId) >> 22n) % BigInt(shardCount));

  const channelJson = (channel: ChannelState, extra: Obj = {}): Obj => {
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
  };

  const roleJson = (
    id: string,
    name: string,
    position: number,
    permissions: bigint,
    managed: boolean,
  ): Obj => ({
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
    ...(managed ? { tags: { bot_id: botUserId } } : {}),
  });

  const guildCreateJson = (guild: GuildState): Obj => {
    const all = [...guild.channels.values()];
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
      preferred_locale: 'en-US',
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
      roles: [
        roleJson(guild.id, '@everyone', 0, DEFAULT_MEMBER_PERMISSIONS | PERM_READ_MESSAGE_HISTORY, false),
        roleJson(guild.botRoleId, botUsername, 1, DEFAULT_APP_PERMISSIONS, true),
      ],
      emojis: [],
      stickers: [],
      members: [
        {
          user: botUser,
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
          member: { id: t.id, user_id: botUserId, join_timestamp: iso(t.createdAt), flags: 0 },
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
  };

  // ---- gateway ------------------------------------------------------------------------------------

  const settle = (waiter: Waiter, error?: unknown): void => {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
    if (error === undefined) waiter.resolve();
    else
      waiter.reject(
        error instanceof Error ? error : new Error('stand-in: predicate threw', { cause: error }),
      );
  };

  const checkWaiters = (): void => {
    for (const waiter of waiters) {
      try {
        if (waiter.check()) settle(waiter);
      } catch (error) {
        settle(waiter, error);
      }
    }
  };

  const wait = (check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`stand-in: timed out after ${timeoutMs} ms waiting ${describe()}`));
        }, timeoutMs),
      };
      waiters.add(waiter);
      checkWaiters();
    });

  const sendFrame = (conn: GatewayConnection, payload: Obj): void => {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(JSON.stringify(payload));
  };

  const dispatch = (conn: GatewayConnection, event: string, data: unknown): void => {
    conn.seq += 1;
    sendFrame(conn, { op: 0, t: event, s: conn.seq, d: data });
  };

  const readyConnections = (): GatewayConnection[] => [...connections].filter((c) => c.ready);

  const connectionsFor = (guildId: string): GatewayConnection[] =>
    readyConnections().filter((c) => c.guildIds.includes(guildId));

  const identify = (conn: GatewayConnection, data: unknown): void => {
    if (conn.identified) {
      conn.socket.close(4005, 'Already authenticated.');
      return;
    }
    if (!isObj(data) || data.token !== token) {
      conn.socket.close(4004, 'Authentication failed.');
      return;
    }
    if (typeof data.intents !== 'number') {
      conn.socket.close(4013, 'Invalid intent(s).');
      return;
    }
    const shardField = asArray(data.shard);
    const shard: [number, number] = shardField
      ? [asNumber(shardField[0]) ?? -1, asNumber(shardField[1]) ?? 0]
      : [0, 1];
    if (shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
      conn.socket.close(4010, 'Invalid shard.');
      return;
    }
    conn.identified = true;
    conn.shard = shard;
    conn.guildIds = [...guilds.keys()].filter((id) => shardOf(id, shard[1]) === shard[0]);
    dispatch(conn, 'READY', {
      v: 10,
      user: { ...botUser, verified: true, mfa_enabled: false, email: null },
      user_settings: {},
      guilds: conn.guildIds.map((id) => ({ id, unavailable: true })),
      session_id: conn.sessionId,
      session_type: 'normal',
      resume_gateway_url: gatewayUrl,
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['local'],
      auth: {},
      application: { id: applicationId, flags: 0 },
      ...(shardField ? { shard } : {}),
      _trace: ['["gateway-stand-in",{"micros":0}]'],
    });
    for (const id of conn.guildIds) {
      const guild = guilds.get(id);
      if (guild) dispatch(conn, 'GUILD_CREATE', guildCreateJson(guild));
    }
    conn.ready = true;
    checkWaiters();
  };

  const onGatewayMessage = (conn: GatewayConnection, data: RawData, isBinary: boolean): void => {
    let payload: unknown;
    try {
      payload = isBinary ? undefined : (JSON.parse(rawText(data)) as unknown);
    } catch {
      payload = undefined;
    }
    if (!isObj(payload)) {
      conn.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    switch (payload.op) {
      case 1:
        sendFrame(conn, { op: 11, d: null, s: null, t: null });
        return;
      case 2:
        identify(conn, payload.d);
        return;
      case 6:
        // Sessions are not kept; Discord answers an unknown session with op 9 d:false.
        sendFrame(conn, { op: 9, d: false, s: null, t: null });
        return;
      case 3:
      case 4:
      case 8:
        if (!conn.identified) conn.socket.close(4003, 'Not authenticated.');
        return;
      default:
        conn.socket.close(4001, 'Unknown opcode.');
    }
  };

  const onGatewayConnection = (socket: WebSocket, url: URL): void => {
    const conn: GatewayConnection = {
      socket,
      sessionId: randomBytes(16).toString('hex'),
      seq: 0,
      identified: false,
      ready: false,
      shard: [0, 1],
      guildIds: [],
    };
    connections.add(conn);
    socket.on('close', () => {
      connections.delete(conn);
      checkWaiters();
    });
    socket.on('error', () => {
      connections.delete(conn);
    });
    const version = url.searchParams.get('v');
    if (version !== null && version !== '10') {
      socket.close(4012, 'Invalid API version.');
      return;
    }
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') {
      socket.close(4002, 'Only JSON encoding is supported by the stand-in.');
      return;
    }
    socket.on('message', (data, isBinary) => onGatewayMessage(conn, data, isBinary));
    sendFrame(conn, {
      op: 10,
      d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS, _trace: ['["gateway-stand-in",{"micros":0}]'] },
      s: null,
      t: null,
    });
  };

  // ---- messages -----------------------------------------------------------------------------------

  const attachmentJson = (channelId: string, a: StandInAttachment): Obj => ({
    id: a.id,
    filename: a.filename,
    size: a.bytes.length,
    url: `${httpBase}/attachments/${channelId}/${a.id}/${encodeURIComponent(a.filename)}`,
    proxy_url: `${httpBase}/attachments/${channelId}/${a.id}/${encodeURIComponent(a.filename)}`,
    content_type: a.contentType,
  });

  const messageJson = (m: MessageState): Obj => {
    const interaction = m.interaction;
    const thread = channelIndex.get(m.id);
    return {
      id: m.id,
      type: m.type,
      content: m.content,
      channel_id: m.channelId,
      author: interaction ? { ...botUser, discriminator: '0000' } : botUser,
      attachments: m.attachments.map((a) => attachmentJson(m.channelId, a)),
      embeds: m.embeds,
      mentions: [],
      mention_roles: [],
      mention_channels: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: iso(m.createdAt),
      edited_timestamp: m.editedAt === null ? null : iso(m.editedAt),
      flags: m.flags,
      components: m.components,
      ...(m.messageReference ? { message_reference: m.messageReference } : {}),
      ...(thread ? { thread: channelJson(thread) } : {}),
      ...(interaction
        ? {
            webhook_id: applicationId,
            application_id: applicationId,
            interaction_metadata: {
              id: interaction.id,
              type: 2,
              name: interaction.commandName,
              command_type: 1,
              user: interaction.user,
              authorizing_integration_owners: { '0': interaction.guildId },
            },
            interaction: {
              id: interaction.id,
              type: 2,
              name: interaction.commandName,
              user: interaction.user,
            },
          }
        : {}),
    };
  };

  const snapshot = (m: MessageState): StandInMessage => ({
    id: m.id,
    channelId: m.channelId,
    content: m.content,
    ephemeral: (m.flags & FLAG_EPHEMERAL) !== 0,
    flags: m.flags,
    allowedMentions: m.allowedMentions,
    embeds: [...m.embeds],
    attachments: [...m.attachments],
  });

  /** Attachments after a create/edit: kept ones listed in `body.attachments` plus newly uploaded files. */
  const resolveAttachments = (
    body: Obj,
    files: ReadonlyMap<string, RecordedFile>,
    existing: readonly StandInAttachment[],
  ): StandInAttachment[] => {
    const listed = asArray(body.attachments);
    const listedIds = new Set(listed?.map((a) => (isObj(a) ? idString(a.id) : '')) ?? []);
    const kept = listed ? existing.filter((a) => listedIds.has(a.id)) : [...existing];
    const uploaded = [...files.entries()].map(([key, file]) => {
      const index = /\[(\d+)\]$/.exec(key)?.[1];
      const entry = listed?.find((a) => isObj(a) && idString(a.id) === index);
      const filename = (isObj(entry) ? asString(entry.filename) : undefined) ?? file.filename;
      return { ...file, filename, id: nextId() };
    });
    return [...kept, ...uploaded];
  };

  /** Our rule: text the bot sends must say `allowed_mentions: { parse: [] }`. Recorded, never refused. */
  const checkAllowedMentions = (body: Obj, where: string): void => {
    const hasText = (asString(body.content) ?? '') !== '' || (asArray(body.embeds)?.length ?? 0) > 0;
    if (!hasText) return;
    const allowed = body.allowed_mentions;
    if (!isObj(allowed)) {
      violate(`${where}: message text sent without allowed_mentions (would ping @everyone/roles/users)`);
      return;
    }
    const parse = asArray(allowed.parse);
    if (parse && parse.length > 0) {
      violate(`${where}: allowed_mentions.parse is ${JSON.stringify(parse)}, expected []`);
    }
  };

  const checkMessageBody = (body: Obj, where: string, prefix = ''): void => {
    const issues = messageIssues(body, prefix);
    if (issues.length > 0) {
      violate(`${where}: ${describeIssues(issues)} → 400 50035`);
      fail(invalidForm(issues));
    }
  };

  const createMessage = (
    body: Obj,
    files: ReadonlyMap<string, RecordedFile>,
    channelId: string,
    type: number,
    interaction: InteractionState | undefined,
    where: string,
    issuePrefix = '',
  ): MessageState => {
    checkMessageBody(body, where, issuePrefix);
    const message: MessageState = {
      id: nextId(),
      channelId,
      type,
      createdAt: clock(),
      interaction,
      content: asString(body.content) ?? '',
      embeds: asArray(body.embeds) ?? [],
      components: asArray(body.components) ?? [],
      attachments: resolveAttachments(body, files, []),
      flags: (asNumber(body.flags) ?? 0) & CREATABLE_FLAGS,
      allowedMentions: body.allowed_mentions,
      editedAt: null,
      deleted: false,
      messageReference: body.message_reference,
      editTimes: [],
    };
    if (isEmptyMessage(message) && (asArray(body.sticker_ids)?.length ?? 0) === 0 && !isObj(body.poll)) {
      violate(`${where}: empty message → 400 50006`);
      fail(apiError(400, 50006, 'Cannot send an empty message'));
    }
    checkAllowedMentions(body, where);
    messages.set(message.id, message);
    return message;
  };

  const rateLimited = (retryMs: number): Reply => {
    const seconds = Math.max(retryMs, 1) / 1_000;
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
      headers: { 'retry-after': seconds.toFixed(3), 'x-ratelimit-scope': 'user' },
    };
  };

  const editMessage = (
    message: MessageState,
    body: Obj,
    files: ReadonlyMap<string, RecordedFile>,
    where: string,
  ): void => {
    const now = clock();
    message.editTimes = message.editTimes.filter((t) => now - t < editLimit.windowMs);
    const oldest = message.editTimes[0];
    if (oldest !== undefined && message.editTimes.length >= editLimit.count) {
      const retryMs = oldest + editLimit.windowMs - now;
      violate(
        `${where}: more than ${editLimit.count} edits of message ${message.id} within ${editLimit.windowMs} ms → 429 (retry after ${retryMs} ms)`,
      );
      fail(rateLimited(retryMs));
    }
    checkMessageBody(body, where);
    const next = {
      content: 'content' in body ? (asString(body.content) ?? '') : message.content,
      embeds: 'embeds' in body ? (asArray(body.embeds) ?? []) : message.embeds,
      components: 'components' in body ? (asArray(body.components) ?? []) : message.components,
      attachments:
        'attachments' in body || files.size > 0
          ? resolveAttachments(body, files, message.attachments)
          : message.attachments,
    };
    if (isEmptyMessage(next)) {
      violate(`${where}: edit would leave an empty message → 400 50006`);
      fail(apiError(400, 50006, 'Cannot send an empty message'));
    }
    checkAllowedMentions(body, where);
    Object.assign(message, next);
    if ('allowed_mentions' in body) message.allowedMentions = body.allowed_mentions;
    message.flags &= ~FLAG_LOADING;
    message.editedAt = now;
    message.editTimes.push(now);
    const interaction = message.interaction;
    if (interaction && interaction.original === message) {
      interaction.edits.push({ at: now, content: message.content });
    }
    interaction?.messageEdits.push({ messageId: message.id, at: now, content: message.content });
  };

  // ---- interactions -------------------------------------------------------------------------------

  /** Re-checks waiters after `state` changed (kept as a hook so every mutation site names its interaction). */
  const notify = (_state: InteractionState): void => {
    checkWaiters();
  };

  const describeState = (state: InteractionState): string =>
    JSON.stringify({
      interaction: state.id,
      command: state.commandName,
      responseType: state.responseType ?? null,
      ackAt: state.ackAt ?? null,
      deferred: state.deferred,
      ephemeral: state.ephemeral,
      original: state.original && !state.original.deleted ? state.original.content : null,
      edits: state.edits.length,
      followUps: state.followUps.filter((m) => !m.deleted).map((m) => m.content),
      choices: state.choices ?? null,
      violations: violations.filter((v) => v.includes(state.id)),
    });

  const findCommand = (name: string, guildId: string): StoredCommand | undefined =>
    (commandStore.get(guildId) ?? []).find((c) => c.name === name && c.type === 1) ??
    (commandStore.get('global') ?? []).find((c) => c.name === name && c.type === 1);

  const findOptionDefs = (command: StoredCommand | undefined, group?: string, sub?: string): unknown[] => {
    let defs: unknown[] = asArray(command?.options) ?? [];
    for (const [name, type] of [
      [group, 2],
      [sub, 1],
    ] as const) {
      if (name === undefined) continue;
      const found = defs.find((d) => isObj(d) && d.name === name && d.type === type);
      defs = isObj(found) ? (asArray(found.options) ?? []) : [];
    }
    return defs;
  };

  const dispatchInteraction = (opts: InteractOptions, focused: string | undefined): InteractionState => {
    const guild = guilds.get(opts.guildId);
    if (!guild) throw new Error(`stand-in: unknown guild ${opts.guildId}`);
    const channel = guild.channels.get(opts.channelId);
    if (!channel) throw new Error(`stand-in: channel ${opts.channelId} is not in guild ${guild.id}`);
    const conn = connectionsFor(guild.id).at(-1);
    if (!conn) {
      throw new Error(
        `stand-in: no identified gateway session holds guild ${guild.id}; await waitForReady() first`,
      );
    }
    const memberPermissions = permissionString(opts.permissions, DEFAULT_MEMBER_PERMISSIONS);
    const userId = opts.userId ?? defaultUserId;
    const user: Obj = {
      id: userId,
      username: opts.username ?? `user${userId.slice(-4)}`,
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
    const command = findCommand(opts.command, guild.id);
    const defs = findOptionDefs(command, opts.subcommandGroup, opts.subcommand);
    const resolved: { channels: Obj; users: Obj; members: Obj; roles: Obj } = {
      channels: {},
      users: {},
      members: {},
      roles: {},
    };
    const leafOptions: Obj[] = Object.entries(opts.options ?? {}).map(([name, value]) => {
      const def = defs.find((d) => isObj(d) && d.name === name);
      const defType = isObj(def) ? asNumber(def.type) : undefined;
      const inferred =
        typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : Number.isInteger(value) ? 4 : 10;
      const type = defType ?? inferred;
      if (typeof value === 'string' && /^\d{17,19}$/.test(value) && focused === undefined) {
        if (type === 7) {
          const target = channelIndex.get(value);
          if (!target) throw new Error(`stand-in: channel option ${name} names unknown channel ${value}`);
          resolved.channels[value] = {
            ...channelJson(target),
            permissions: memberPermissions,
          };
        } else if (type === 6) {
          resolved.users[value] = {
            id: value,
            username: `user${value.slice(-4)}`,
            discriminator: '0',
            avatar: null,
            global_name: null,
            public_flags: 0,
          };
          resolved.members[value] = {
            roles: [],
            joined_at: iso(clock()),
            premium_since: null,
            nick: null,
            avatar: null,
            pending: false,
            flags: 0,
            permissions: DEFAULT_MEMBER_PERMISSIONS.toString(),
            communication_disabled_until: null,
          };
        } else if (type === 8 && (value === guild.id || value === guild.botRoleId)) {
          resolved.roles[value] =
            value === guild.id
              ? roleJson(guild.id, '@everyone', 0, DEFAULT_MEMBER_PERMISSIONS, false)
              : roleJson(guild.botRoleId, botUsername, 1, DEFAULT_APP_PERMISSIONS, true);
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
    const hasResolved = Object.values(resolved).some((r) => Object.keys(r).length > 0);
    const id = nextId();
    const interactionToken = Buffer.from(`interaction:${id}:${randomBytes(48).toString('hex')}`).toString(
      'base64url',
    );
    const payload: Obj = {
      id,
      application_id: applicationId,
      type: focused === undefined ? 2 : 4,
      data: {
        id: command?.id ?? nextId(),
        name: opts.command,
        type: 1,
        ...(options.length > 0 ? { options } : {}),
        ...(hasResolved ? { resolved } : {}),
        ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
      },
      guild: { id: guild.id, locale: 'en-US', features: [] },
      guild_id: guild.id,
      channel: { ...channelJson(channel), permissions: memberPermissions },
      channel_id: channel.id,
      member: {
        user,
        roles: [],
        permissions: memberPermissions,
        joined_at: iso(clock() - 86_400_000),
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
      },
      token: interactionToken,
      version: 1,
      app_permissions: permissionString(opts.appPermissions, DEFAULT_APP_PERMISSIONS),
      locale: opts.locale ?? 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guild.id },
      context: 0,
      attachment_size_limit: 10_485_760,
    };
    const state: InteractionState = {
      id,
      token: interactionToken,
      kind: focused === undefined ? 'command' : 'autocomplete',
      guildId: guild.id,
      channelId: channel.id,
      commandName: opts.command,
      user,
      payload,
      dispatchedAt: clock(),
      responseType: undefined,
      ackAt: undefined,
      ephemeral: false,
      deferred: false,
      original: undefined,
      followUps: [],
      edits: [],
      messageEdits: [],
      choices: undefined,
    };
    interactions.set(id, state);
    interactionsByToken.set(interactionToken, state);
    dispatch(conn, 'INTERACTION_CREATE', payload);
    return state;
  };

  const makeHandle = (state: InteractionState): AutocompleteHandle => {
    const handle: AutocompleteHandle = {
      id: state.id,
      token: state.token,
      payload: state.payload,
      dispatchedAt: state.dispatchedAt,
      get ackAt() {
        return state.ackAt;
      },
      get responseType() {
        return state.responseType;
      },
      get ephemeral() {
        return state.ephemeral;
      },
      get deferred() {
        return state.deferred;
      },
      original: () => (state.original && !state.original.deleted ? state.original.content : undefined),
      followUps: () => state.followUps.filter((m) => !m.deleted).map(snapshot),
      edits: () => [...state.edits],
      messageEdits: () => [...state.messageEdits],
      allMessages: () =>
        [...(state.original && !state.original.deleted ? [state.original] : []), ...state.followUps]
          .filter((m) => !m.deleted)
          .map(snapshot),
      choices: () => state.choices?.map((c) => ({ ...c })),
      waitFor: (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
        wait(
          () => predicate(handle),
          timeoutMs,
          () => `for a predicate; interaction state: ${describeState(state)}`,
        ),
      waitForAck: (timeoutMs = DEFAULT_WAIT_MS) =>
        wait(
          () => state.ackAt !== undefined,
          timeoutMs,
          () => `for an acknowledgement; interaction state: ${describeState(state)}`,
        ),
    };
    return handle;
  };

  // ---- REST handlers ------------------------------------------------------------------------------

  const bodyObj = (ctx: RequestContext): Obj => (isObj(ctx.body) ? ctx.body : {});

  const interactionCallback: Handler = (ctx, p) => {
    const state = interactions.get(p.id ?? '');
    const where = `POST /interactions/${p.id}/…/callback`;
    if (!state || state.token !== p.token) {
      violate(`${where}: unknown interaction id or token → 404 10062`);
      return apiError(404, 10062, 'Unknown interaction');
    }
    const at = `${where} (interaction ${state.id}, /${state.commandName})`;
    if (state.responseType !== undefined) {
      violate(`${at}: second callback for an acknowledged interaction → 400 40060`);
      return apiError(400, 40060, 'Interaction has already been acknowledged.');
    }
    const elapsed = clock() - state.dispatchedAt;
    if (elapsed > ACK_DEADLINE_MS) {
      violate(`${at}: callback ${elapsed} ms after dispatch (limit ${ACK_DEADLINE_MS} ms) → 404 10062`);
      return apiError(404, 10062, 'Unknown interaction');
    }
    const body = bodyObj(ctx);
    const type = asNumber(body.type);
    const data = isObj(body.data) ? body.data : {};
    const allowed = state.kind === 'autocomplete' ? [8] : [4, 5, 9];
    if (type === undefined || !allowed.includes(type)) {
      violate(
        `${at}: callback type ${String(type)} is not valid for a ${state.kind} interaction → 400 50035`,
      );
      return invalidForm([
        { path: 'type', code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid response type' },
      ]);
    }
    if (type === 4) {
      state.original = createMessage(data, ctx.files, state.channelId, 20, state, at, 'data.');
      state.ephemeral = (state.original.flags & FLAG_EPHEMERAL) !== 0;
    } else if (type === 5) {
      state.ephemeral = ((asNumber(data.flags) ?? 0) & FLAG_EPHEMERAL) !== 0;
      state.deferred = true;
      const loading: MessageState = {
        id: nextId(),
        channelId: state.channelId,
        type: 20,
        createdAt: clock(),
        interaction: state,
        content: '',
        embeds: [],
        components: [],
        attachments: [],
        flags: FLAG_LOADING | (state.ephemeral ? FLAG_EPHEMERAL : 0),
        allowedMentions: undefined,
        editedAt: null,
        deleted: false,
        messageReference: undefined,
        editTimes: [],
      };
      messages.set(loading.id, loading);
      state.original = loading;
    } else if (type === 8) {
      const issues = choiceIssues(data.choices);
      if (issues.length > 0) {
        violate(`${at}: ${describeIssues(issues)} → 400 50035`);
        return invalidForm(issues);
      }
      state.choices = (asArray(data.choices) ?? []).filter(isObj).map((c) => ({
        name: asString(c.name) ?? '',
        value: typeof c.value === 'number' ? c.value : (asString(c.value) ?? ''),
      }));
    }
    state.responseType = type;
    state.ackAt = elapsed;
    notify(state);
    if (ctx.query.get('with_response') !== 'true') return { status: 204 };
    const original = state.original;
    return {
      status: 200,
      body: {
        interaction: {
          id: state.id,
          type: state.kind === 'autocomplete' ? 4 : 2,
          activity_instance_id: null,
          response_message_id: original?.id ?? null,
          response_message_loading: type === 5,
          response_message_ephemeral: state.ephemeral,
        },
        resource: {
          type,
          ...(original && (type === 4 || type === 5) ? { message: messageJson(original) } : {}),
        },
      },
    };
  };

  /** Finds the interaction behind a webhook route and enforces token lifetime and acknowledgement. */
  const webhookInteraction = (ctx: RequestContext, p: Readonly<Record<string, string>>): InteractionState => {
    const state = interactionsByToken.get(p.token ?? '');
    const where = `${ctx.method} ${ctx.path.replace(p.token ?? '', '…')}`;
    if (p.app !== applicationId || !state) {
      violate(`${where}: unknown application id or interaction token → 401 50027`);
      fail(apiError(401, 50027, 'Invalid Webhook Token'));
    }
    const at = `${where} (interaction ${state.id}, /${state.commandName})`;
    const age = clock() - state.dispatchedAt;
    if (age > TOKEN_LIFETIME_MS) {
      violate(
        `${at}: interaction token used ${Math.round(age / 1000)} s after dispatch (lifetime 15 min) → 401 50027`,
      );
      fail(apiError(401, 50027, 'Invalid Webhook Token'));
    }
    if (state.kind === 'autocomplete' || state.responseType === undefined || state.responseType === 9) {
      violate(`${at}: webhook used before the interaction was acknowledged with a message → 404 10015`);
      fail(apiError(404, 10015, 'Unknown Webhook'));
    }
    return state;
  };

  const webhookMessage = (state: InteractionState, ref: string): MessageState => {
    const message =
      ref === '@original'
        ? state.original
        : [state.original, ...state.followUps].find((m) => m !== undefined && m.id === ref);
    if (!message || message.deleted) fail(apiError(404, 10008, 'Unknown Message'));
    return message;
  };

  const whereOf = (ctx: RequestContext, state: InteractionState): string =>
    `${ctx.method} ${ctx.path.replace(state.token, '…')} (interaction ${state.id}, /${state.commandName})`;

  const webhookGet: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    return { status: 200, body: messageJson(webhookMessage(state, p.message ?? '')) };
  };

  const webhookPatch: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    const message = webhookMessage(state, p.message ?? '');
    editMessage(message, bodyObj(ctx), ctx.files, whereOf(ctx, state));
    notify(state);
    return { status: 200, body: messageJson(message) };
  };

  const webhookDelete: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    webhookMessage(state, p.message ?? '').deleted = true;
    notify(state);
    return { status: 204 };
  };

  const webhookFollowUp: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    const body = bodyObj(ctx);
    const where = whereOf(ctx, state);
    const original = state.original;
    // Documented Discord quirk: the first follow-up after a deferred reply edits the loading message
    // instead of creating one, and keeps the defer's ephemeral flag.
    if (state.responseType === 5 && original && !original.deleted && (original.flags & FLAG_LOADING) !== 0) {
      editMessage(original, body, ctx.files, where);
      notify(state);
      return { status: 200, body: messageJson(original) };
    }
    const message = createMessage(body, ctx.files, state.channelId, 20, state, where);
    state.followUps.push(message);
    notify(state);
    return { status: 200, body: messageJson(message) };
  };

  const knownChannel = (id: string | undefined): ChannelState => {
    const channel = channelIndex.get(id ?? '');
    if (!channel) fail(apiError(404, 10003, 'Unknown Channel'));
    return channel;
  };

  const channelGet: Handler = (_ctx, p) => ({ status: 200, body: channelJson(knownChannel(p.channel)) });

  const channelPost: Handler = (ctx, p) => {
    const channel = knownChannel(p.channel);
    if (channel.type === 4 || channel.type === 2) {
      return apiError(400, 50008, 'Cannot send messages in a non-text channel');
    }
    const body = bodyObj(ctx);
    const message = createMessage(
      body,
      ctx.files,
      channel.id,
      isObj(body.message_reference) ? 19 : 0,
      undefined,
      `POST /channels/${channel.id}/messages`,
    );
    message.flags &= ~FLAG_EPHEMERAL;
    const list = channelPosts.get(channel.id) ?? [];
    list.push(message);
    channelPosts.set(channel.id, list);
    checkWaiters();
    return { status: 200, body: { ...messageJson(message), guild_id: channel.guildId } };
  };

  const createThread = (parent: ChannelState, id: string, body: Obj, type: number): Reply => {
    const name = asString(body.name) ?? '';
    if (codePoints(name) < 1 || codePoints(name) > 100) {
      const issues = [
        { path: 'name', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' },
      ];
      violate(`POST threads in ${parent.id}: ${describeIssues(issues)} → 400 50035`);
      return invalidForm(issues);
    }
    const guild = guilds.get(parent.guildId);
    if (!guild) return apiError(404, 10003, 'Unknown Channel');
    const thread: ChannelState = {
      id,
      guildId: parent.guildId,
      name,
      type,
      parentId: parent.id,
      position: 0,
      ownerId: botUserId,
      createdAt: clock(),
      autoArchiveDuration: asNumber(body.auto_archive_duration) ?? 4_320,
    };
    guild.channels.set(id, thread);
    channelIndex.set(id, thread);
    const member = { id, user_id: botUserId, join_timestamp: iso(thread.createdAt), flags: 0 };
    for (const conn of connectionsFor(guild.id)) {
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
    return createThread(parent, nextId(), body, type);
  };

  const threadFromMessage: Handler = (ctx, p) => {
    const parent = knownChannel(p.channel);
    const message = messages.get(p.message ?? '');
    if (
      !message ||
      message.deleted ||
      message.channelId !== parent.id ||
      (message.flags & FLAG_EPHEMERAL) !== 0
    ) {
      return apiError(404, 10008, 'Unknown Message');
    }
    if (channelIndex.has(message.id)) {
      violate(
        `POST /channels/${parent.id}/messages/${message.id}/threads: message already has a thread → 400 160004`,
      );
      return apiError(400, 160004, 'A thread has already been created for this message');
    }
    message.flags |= FLAG_HAS_THREAD;
    return createThread(parent, message.id, bodyObj(ctx), parent.type === 5 ? 10 : 11);
  };

  const applicationJson = (): Obj => ({
    id: applicationId,
    name: botUsername,
    icon: null,
    description: '',
    summary: '',
    type: null,
    hook: true,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: createHash('sha256').update(applicationId).digest('hex'),
    flags: 0,
    owner: ownerUser,
    team: null,
    bot: botUser,
    approximate_guild_count: guilds.size,
    approximate_user_install_count: 0,
    redirect_uris: [],
    interactions_endpoint_url: null,
    integration_types_config: { '0': {} },
  });

  const checkApplication = (p: Readonly<Record<string, string>>, ctx: RequestContext): string | undefined => {
    if (p.app !== applicationId) {
      violate(
        `${ctx.method} ${ctx.path}: application id ${p.app} is not this bot's (${applicationId}) → 403 50001`,
      );
      fail(apiError(403, 50001, 'Missing Access'));
    }
    if (p.guild === undefined) return undefined;
    if (!guilds.has(p.guild)) {
      violate(`${ctx.method} ${ctx.path}: bot is not in guild ${p.guild} → 403 50001`);
      fail(apiError(403, 50001, 'Missing Access'));
    }
    return p.guild;
  };

  const storeCommand = (
    def: Obj,
    guildId: string | undefined,
    existing: StoredCommand | undefined,
  ): StoredCommand => ({
    default_member_permissions: null,
    nsfw: false,
    name_localizations: null,
    description_localizations: null,
    contexts: null,
    integration_types: [0],
    ...(guildId === undefined ? { dm_permission: true } : {}),
    ...def,
    id: existing?.id ?? nextId(),
    application_id: applicationId,
    version: nextId(),
    name: asString(def.name) ?? '',
    type: asNumber(def.type) ?? 1,
    description: asString(def.description) ?? '',
    ...(guildId === undefined ? {} : { guild_id: guildId }),
  });

  const commandsFailing = (ctx: RequestContext, issues: FormIssue[]): Reply | undefined => {
    if (issues.length === 0) return undefined;
    violate(`${ctx.method} ${ctx.path}: ${describeIssues(issues)} → 400 50035`);
    return invalidForm(issues);
  };

  const commandsGet: Handler = (ctx, p) => {
    const guildId = checkApplication(p, ctx);
    return { status: 200, body: commandStore.get(guildId ?? 'global') ?? [] };
  };

  const commandsPut: Handler = (ctx, p) => {
    const guildId = checkApplication(p, ctx);
    const list = asArray(ctx.body);
    if (!list) return invalidForm([{ path: '_root', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }]);
    const issues = list.flatMap((def, index) => commandIssues(def, String(index)));
    if (list.length > 100) issues.push(maxLengthIssue('_root', 100));
    const seen = new Set<string>();
    list.forEach((def, index) => {
      if (!isObj(def)) return;
      const key = `${String(asNumber(def.type) ?? 1)}:${asString(def.name) ?? ''}`;
      if (seen.has(key)) {
        issues.push({
          path: `${index}.name`,
          code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
          message: 'Duplicate command name',
        });
      }
      seen.add(key);
    });
    const failing = commandsFailing(ctx, issues);
    if (failing) return failing;
    const key = guildId ?? 'global';
    const previous = commandStore.get(key) ?? [];
    const stored = list.filter(isObj).map((def) =>
      storeCommand(
        def,
        guildId,
        previous.find((c) => c.name === def.name && c.type === (asNumber(def.type) ?? 1)),
      ),
    );
    commandStore.set(key, stored);
    return { status: 200, body: stored };
  };

  const commandsPost: Handler = (ctx, p) => {
    const guildId = checkApplication(p, ctx);
    const failing = commandsFailing(ctx, commandIssues(ctx.body, '_root'));
    if (failing) return failing;
    const def = bodyObj(ctx);
    const key = guildId ?? 'global';
    const list = commandStore.get(key) ?? [];
    const index = list.findIndex((c) => c.name === def.name && c.type === (asNumber(def.type) ?? 1));
    const stored = storeCommand(def, guildId, list[index]);
    if (index >= 0) list[index] = stored;
    else list.push(stored);
    commandStore.set(key, list);
    return { status: index >= 0 ? 200 : 201, body: stored };
  };

  const commandOne = (
    ctx: RequestContext,
    p: Readonly<Record<string, string>>,
  ): [StoredCommand[], number] => {
    const guildId = checkApplication(p, ctx);
    const list = commandStore.get(guildId ?? 'global') ?? [];
    const index = list.findIndex((c) => c.id === p.command);
    if (index < 0) fail(apiError(404, 10063, 'Unknown application command'));
    return [list, index];
  };

  const commandGet: Handler = (ctx, p) => {
    const [list, index] = commandOne(ctx, p);
    return { status: 200, body: list[index] };
  };

  const commandPatch: Handler = (ctx, p) => {
    const [list, index] = commandOne(ctx, p);
    const current = list[index];
    const merged = { ...current, ...bodyObj(ctx) };
    const failing = commandsFailing(ctx, commandIssues(merged, '_root'));
    if (failing) return failing;
    const stored = storeCommand(merged, current?.guild_id, current);
    list[index] = stored;
    return { status: 200, body: stored };
  };

  const commandDelete: Handler = (ctx, p) => {
    const [list, index] = commandOne(ctx, p);
    list.splice(index, 1);
    return { status: 204 };
  };

  const route = (method: string, pattern: string, auth: boolean, handler: Handler): Route => ({
    method,
    segments: pattern.split('/').filter(Boolean),
    auth,
    handler,
  });

  const routes: readonly Route[] = [
    route('GET', '/gateway', false, () => ({ status: 200, body: { url: gatewayUrl } })),
    route('GET', '/gateway/bot', true, () => ({
      status: 200,
      body: {
        url: gatewayUrl,
        shards: recommendedShards,
        session_start_limit: {
          total: 1_000,
          remaining: 999,
          reset_after: 86_400_000,
          max_concurrency: maxConcurrency,
        },
      },
    })),
    route('GET', '/applications/@me', true, () => ({ status: 200, body: applicationJson() })),
    route('GET', '/oauth2/applications/@me', true, () => ({ status: 200, body: applicationJson() })),
    route('GET', '/users/@me', true, () => ({
      status: 200,
      body: { ...botUser, verified: true, mfa_enabled: false, email: null, locale: 'en-US', premium_type: 0 },
    })),
    route('GET', '/applications/:app/commands', true, commandsGet),
    route('PUT', '/applications/:app/commands', true, commandsPut),
    route('POST', '/applications/:app/commands', true, commandsPost),
    route('GET', '/applications/:app/commands/:command', true, commandGet),
    route('PATCH', '/applications/:app/commands/:command', true, commandPatch),
    route('DELETE', '/applications/:app/commands/:command', true, commandDelete),
    route('GET', '/applications/:app/guilds/:guild/commands', true, commandsGet),
    route('PUT', '/applications/:app/guilds/:guild/commands', true, commandsPut),
    route('POST', '/applications/:app/guilds/:guild/commands', true, commandsPost),
    route('GET', '/applications/:app/guilds/:guild/commands/:command', true, commandGet),
    route('PATCH', '/applications/:app/guilds/:guild/commands/:command', true, commandPatch),
    route('DELETE', '/applications/:app/guilds/:guild/commands/:command', true, commandDelete),
    route('POST', '/interactions/:id/:token/callback', false, interactionCallback),
    route('POST', '/webhooks/:app/:token', false, webhookFollowUp),
    route('GET', '/webhooks/:app/:token/messages/:message', false, webhookGet),
    route('PATCH', '/webhooks/:app/:token/messages/:message', false, webhookPatch),
    route('DELETE', '/webhooks/:app/:token/messages/:message', false, webhookDelete),
    route('GET', '/channels/:channel', true, channelGet),
    route('POST', '/channels/:channel/messages', true, channelPost),
    route('POST', '/channels/:channel/threads', true, threadWithoutMessage),
    route('POST', '/channels/:channel/messages/:message/threads', true, threadFromMessage),
  ];

  const matchRoute = (segments: readonly string[]): Array<{ route: Route; params: Record<string, string> }> =>
    routes.flatMap((r) => {
      if (r.segments.length !== segments.length) return [];
      const params: Record<string, string> = {};
      for (const [index, part] of r.segments.entries()) {
        const actual = segments[index] ?? '';
        if (part.startsWith(':')) params[part.slice(1)] = actual;
        else if (part !== actual) return [];
      }
      return [{ route: r, params }];
    });

  /** Discord-like bucket headers; real time, because discord.js compares them with Date.now(). */
  const rateLimitHeaders = (method: string, bucketRoute: string, major: string): Record<string, string> => {
    const now = Date.now();
    const key = `${method} ${bucketRoute} ${major}`;
    let bucket = buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { resetAt: now + GENERIC_BUCKET_WINDOW_MS, used: 0 };
      buckets.set(key, bucket);
    }
    bucket.used += 1;
    return {
      'x-ratelimit-limit': String(GENERIC_BUCKET_LIMIT),
      'x-ratelimit-remaining': String(Math.max(GENERIC_BUCKET_LIMIT - bucket.used, 0)),
      'x-ratelimit-reset': (bucket.resetAt / 1_000).toFixed(3),
      'x-ratelimit-reset-after': ((bucket.resetAt - now) / 1_000).toFixed(3),
      'x-ratelimit-bucket': createHash('md5').update(`${method} ${bucketRoute}`).digest('hex'),
    };
  };

  const writeReply = (res: ServerResponse, reply: Reply, headers: Record<string, string>): void => {
    const base = { ...headers, ...reply.headers, via: '1.1 google' };
    if (reply.raw) {
      res.writeHead(reply.status, {
        ...base,
        'content-type': reply.raw.contentType,
        'content-length': String(reply.raw.bytes.length),
      });
      res.end(reply.raw.bytes);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, base);
      res.end();
    } else {
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...base,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    }
  };

  const serveAttachment = (segments: readonly string[]): Reply => {
    const [, channelId, attachmentId] = segments;
    for (const message of messages.values()) {
      if (message.channelId !== channelId) continue;
      const found = message.attachments.find((a) => a.id === attachmentId);
      if (found) return { status: 200, raw: { bytes: found.bytes, contentType: found.contentType } };
    }
    return apiError(404, 0, '404: Not Found');
  };

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', httpBase);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let allSegments: string[];
    try {
      allSegments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      allSegments = url.pathname.split('/').filter(Boolean);
    }
    if (allSegments[0] === 'attachments' && method === 'GET') {
      writeReply(res, serveAttachment(allSegments), {});
      return;
    }
    const versioned = allSegments[0] === API_PREFIX[0] && allSegments[1] === API_PREFIX[1];
    const segments = versioned ? allSegments.slice(2) : allSegments;
    const path = `/${segments.join('/')}`;
    const parsed = await parseBody(raw, String(req.headers['content-type'] ?? ''));
    const call: RecordedCall = {
      method,
      path: versioned ? path : url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parsed.body,
      files: [...parsed.files.values()],
      at: clock(),
      status: 0,
    };
    calls.push(call);
    const ctx: RequestContext = {
      method,
      path,
      query: url.searchParams,
      body: parsed.body,
      files: parsed.files,
    };
    const bucketRoute = path
      .replaceAll(/\d{17,19}/g, ':id')
      .replace(/\/webhooks\/:id\/[^/]+/, '/webhooks/:id/:token');
    const major =
      /^\/webhooks\/(\d{17,19}\/[^/]+)/.exec(path)?.[1] ??
      /^\/(?:channels|guilds|webhooks)\/(\d{17,19})/.exec(path)?.[1] ??
      'global';
    const headers = rateLimitHeaders(method, bucketRoute, major);
    const answer = (reply: Reply): void => {
      call.status = reply.status;
      writeReply(res, reply, headers);
    };

    if (!versioned) {
      violate(`${method} ${url.pathname}: not under /api/v10 → 404`);
      answer(apiError(404, 0, '404: Not Found'));
      return;
    }
    const matches = matchRoute(segments);
    const match = matches.find((m) => m.route.method === method);
    if (!match) {
      if (matches.length > 0) {
        violate(`${method} ${path}: method not allowed on this route → 405`);
        answer(apiError(405, 0, '405: Method Not Allowed'));
      } else {
        violate(`${method} ${path}: route unknown to the stand-in → 404`);
        answer(apiError(404, 0, '404: Not Found'));
      }
      return;
    }
    const authorization = req.headers.authorization;
    if (
      (authorization !== undefined && authorization !== `Bot ${token}`) ||
      (match.route.auth && !authorization)
    ) {
      answer(apiError(401, 0, '401: Unauthorized'));
      return;
    }
    if (parsed.invalid) {
      violate(`${method} ${path}: body is not valid JSON → 400 50109`);
      answer(apiError(400, 50109, 'The request body contains invalid JSON.'));
      return;
    }
    try {
      answer(match.route.handler(ctx, match.params));
    } catch (error) {
      if (error instanceof ApiFailure) {
        answer(error.reply);
        return;
      }
      throw error;
    }
  };

  // ---- server -------------------------------------------------------------------------------------

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      violate(`stand-in crashed on ${req.method ?? '?'} ${req.url ?? '?'}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: '500: Internal Server Error', code: 0 }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', httpBase);
    wss.handleUpgrade(req, socket, head, (ws) => onGatewayConnection(ws, url));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const httpBase = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('stand-in: closed while waiting'));
      }
      waiters.clear();
      for (const conn of connections) conn.socket.terminate();
      connections.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return closing;
  };

  return {
    apiUrl: `${httpBase}/api`,
    gatewayUrl,
    applicationId,
    botUserId,
    ownerId,
    token,
    defaultUserId,
    calls,
    violations,
    waitForReady: (count = 1, timeoutMs = DEFAULT_WAIT_MS) =>
      wait(
        () => readyConnections().length >= count,
        timeoutMs,
        () =>
          `for ${count} ready gateway session(s); have ${readyConnections().length} of ${connections.size} open`,
      ),
    interact: (interactOpts) => makeHandle(dispatchInteraction(interactOpts, undefined)),
    autocomplete: (autocompleteOpts) =>
      makeHandle(dispatchInteraction(autocompleteOpts, autocompleteOpts.focused)),
    commands: (guildId) => [...(commandStore.get(guildId ?? 'global') ?? [])],
    channelMessages: (channelId) =>
      (channelPosts.get(channelId) ?? []).filter((m) => !m.deleted).map(snapshot),
    close,
  };
}
