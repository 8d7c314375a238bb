/**
 * Small helpers and constants shared by the Discord stand-in's modules: value narrowing, Discord's
 * error bodies (`{ message, code, errors }`), snowflakes and the permission and flag bits it uses.
 */
import { randomInt } from 'node:crypto';
import type { RawData } from 'ws';

/** A JSON object as parsed. */
export type Obj = Record<string, unknown>;

/** Discord's numbers (ms unless named otherwise): epoch of snowflakes, 3 s acknowledgement, 15 min token, 2000-character content, default wait of `waitFor`. */
export const DISCORD_EPOCH = 1_420_070_400_000n;
export const ACK_DEADLINE_MS = 3_000;
export const TOKEN_LIFETIME_MS = 15 * 60_000;
export const MAX_CONTENT_LENGTH = 2_000;
export const DEFAULT_WAIT_MS = 20_000;
/** Discord's upload limit for a server without boosts (10 MiB), sent as `attachment_size_limit`. */
export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10_485_760;

/** Message flags. */
export const FLAG_HAS_THREAD = 32;
export const FLAG_EPHEMERAL = 64;
export const FLAG_LOADING = 128;
/** `IS_COMPONENTS_V2`: the message is laid out by components alone (no content, no embeds). */
export const FLAG_COMPONENTS_V2 = 32_768;
/** Flags a bot may set when it creates a message (suppress embeds, ephemeral, silent, components v2). */
export const CREATABLE_FLAGS = 4 | FLAG_EPHEMERAL | 4_096 | FLAG_COMPONENTS_V2;

/** Gateway intent bits the stand-in acts on. */
export const INTENT_GUILDS = 1 << 0;
export const INTENT_GUILD_MEMBERS = 1 << 1;
export const INTENT_GUILD_PRESENCES = 1 << 8;
export const INTENT_GUILD_MESSAGES = 1 << 9;
export const INTENT_MESSAGE_CONTENT = 1 << 15;

/** Permission bits. */
export const PERM_VIEW_CHANNEL = 1n << 10n;
export const PERM_SEND_MESSAGES = 1n << 11n;
export const PERM_EMBED_LINKS = 1n << 14n;
export const PERM_ATTACH_FILES = 1n << 15n;
export const PERM_READ_MESSAGE_HISTORY = 1n << 16n;
export const PERM_USE_EXTERNAL_EMOJIS = 1n << 18n;
export const PERM_USE_APPLICATION_COMMANDS = 1n << 31n;
export const PERM_CREATE_PUBLIC_THREADS = 1n << 35n;
export const PERM_SEND_MESSAGES_IN_THREADS = 1n << 38n;
/** A plain member: may see the channel, talk and use slash commands. */
export const DEFAULT_MEMBER_PERMISSIONS =
  PERM_VIEW_CHANNEL | PERM_SEND_MESSAGES | PERM_USE_APPLICATION_COMMANDS;
/** What an invited bot typically holds: enough to answer, embed, attach and open threads. */
export const DEFAULT_APP_PERMISSIONS =
  DEFAULT_MEMBER_PERMISSIONS |
  PERM_EMBED_LINKS |
  PERM_ATTACH_FILES |
  PERM_READ_MESSAGE_HISTORY |
  PERM_USE_EXTERNAL_EMOJIS |
  PERM_CREATE_PUBLIC_THREADS |
  PERM_SEND_MESSAGES_IN_THREADS;

/** Channel types that are threads (announcement, public, private). */
export const THREAD_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);

/**
 * Makes a Discord snowflake for the given time (default now). The low 22 bits are random, so ids made
 * in the same millisecond almost never collide. From February 2015 on, the result has 17–19 digits.
 * Pass a timestamp to control `(id >> 22n) % shardCount`, i.e. which shard a guild lands on.
 */
export function snowflake(timestampMs: number = Date.now()): string {
  const time = BigInt(Math.floor(timestampMs)) - DISCORD_EPOCH;
  return ((time << 22n) | BigInt(randomInt(0, 1 << 22))).toString();
}

/** A reply the HTTP layer writes: JSON `body`, raw bytes, or nothing. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly raw?: { readonly bytes: Buffer; readonly contentType: string };
}

/** One entry of Discord's nested `errors` object. */
export interface FormIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Thrown inside handlers to answer with an error reply. */
export class ApiFailure extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super(`stand-in answered ${reply.status}`);
    this.reply = reply;
  }
}

/** Throws a reply for the REST layer to send. */
export function fail(reply: Reply): never {
  throw new ApiFailure(reply);
}

/** Narrowing helpers for parsed JSON. */
export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Discord counts string lengths in Unicode code points. */
export function codePoints(text: string): number {
  return [...text].length;
}

/** A snowflake sent as string or number, as a string (`''` otherwise). */
export function idString(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** A WebSocket frame as text. */
export function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Discord's timestamp format (`+00:00`, not `Z`). */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Discord's error body `{ message, code, errors? }` with an HTTP status. */
export function apiError(status: number, code: number, message: string, errors?: Obj): Reply {
  return { status, body: errors ? { message, code, errors } : { message, code } };
}

/** Discord's 50035 "Invalid Form Body" with its nested `errors` object. */
export function invalidForm(issues: readonly FormIssue[]): Reply {
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

/** Form issues as one line for `violations`. */
export function describeIssues(issues: readonly FormIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

/** Discord's length issues. */
export function maxLengthIssue(path: string, max: number): FormIssue {
  return { path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` };
}

export function badLengthIssue(path: string, min: number, max: number): FormIssue {
  return { path, code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between ${min} and ${max} in length.` };
}

/** A permission bit set as Discord's decimal string. */
export function permissionString(value: bigint | string | undefined, fallback: bigint): string {
  if (value === undefined) return fallback.toString();
  return typeof value === 'bigint' ? value.toString() : BigInt(value).toString();
}
