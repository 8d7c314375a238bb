import { z } from 'zod';
import { DEFAULT_MAX_ATTACHMENT_TOKENS } from './ask/attachments.ts';
import type { MemberShare } from './budget/budget-service.ts';
import { parseModelLimits, type PoolLimitConfig } from './gate/model-limits.ts';
import { REASONING_EFFORTS } from './mistral/models.ts';

/** Where the Mistral API lives when `MISTRAL_SERVER_URL` is unset. */
export const MISTRAL_DEFAULT_URL = 'https://api.mistral.ai';
/** Discord's REST base (with `/api`) when `DISCORD_API_URL` is unset. */
export const DISCORD_DEFAULT_API_URL = 'https://discord.com/api';

const SNOWFLAKE = /^\d{17,20}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Blank strings count as unset, so `FOO=` in a .env file falls back to the default. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** Whole numbers, optionally written with `_` separators (`1_000_000`). */
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d[\d_]*$/, 'must be a whole number')
    .transform((s) => Number(s.replaceAll('_', '')))
    .pipe(z.number().int().min(min).max(max));

const positiveNumber = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a positive number')
  .transform(Number)
  .pipe(z.number().positive('must be greater than 0'));

const httpUrl = z
  .string()
  .trim()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http(s) URL')
  .transform((s) => s.replace(/\/+$/, ''));

const databaseUrl = z
  .string()
  .trim()
  .refine(
    (s) => /^sqlite:\/\/.+/.test(s) || /^rediss?:\/\/.+/.test(s),
    'must be sqlite://<file path> or redis://host:port',
  );

const redisUrl = z
  .string()
  .trim()
  .refine((s) => /^rediss?:\/\/.+/.test(s) && URL.canParse(s), 'must be redis://host:port');

const idList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .refine((ids) => ids.every((id) => SNOWFLAKE.test(id)), 'must be comma-separated Discord user IDs')
  .transform((ids) => Object.freeze(ids));

const modelList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .refine(
    (ids) => ids.length > 0 && ids.every((m) => /^[\w.:-]{1,100}$/.test(m)),
    'must be comma-separated model names',
  )
  .transform((ids) => Object.freeze(ids));

/** `model=effort|effort,…`: the reasoning efforts each listed model takes (values of the API's enum). */
const reasoningEfforts = z.string().transform((text, ctx) => {
  const efforts: Record<string, readonly string[]> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [model = '', list = ''] = entry.split('=').map((p) => p.trim());
    const values = list
      .split('|')
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean);
    if (
      !/^[\w.:-]{1,100}$/.test(model) ||
      values.length === 0 ||
      values.some((v) => !REASONING_EFFORTS.includes(v))
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `must be model=effort|effort, comma-separated, with efforts among ${REASONING_EFFORTS.join(', ')} (got "${entry}")`,
      });
      return z.NEVER;
    }
    efforts[model] = Object.freeze(values);
  }
  return Object.freeze(efforts);
});

/** A monthly usage threshold: absolute tokens, or a share of the model's monthly limit. */
export type TokenThreshold =
  | { readonly kind: 'tokens'; readonly tokens: number }
  | { readonly kind: 'percent'; readonly percent: number };

const tokenThreshold = z
  .string()
  .trim()
  .regex(/^(\d[\d_]*|\d+(\.\d+)?%)$/, 'must be a number of tokens (2_000_000) or a percentage (80%)')
  .transform((s): TokenThreshold =>
    s.endsWith('%')
      ? { kind: 'percent', percent: Number(s.slice(0, -1)) }
      : { kind: 'tokens', tokens: Number(s.replaceAll('_', '')) },
  )
  .refine(
    (t) => (t.kind === 'percent' ? t.percent > 0 && t.percent <= 100 : t.tokens > 0),
    'must be more than 0 (and a percentage at most 100%)',
  );

/** A member's cap within their server's month: `25%` of the server's budget, or a number of tokens. */
const memberShare = z
  .string()
  .trim()
  .regex(/^(\d[\d_]*|\d+(\.\d+)?%)$/, 'must be a share (25%) or a number of tokens (100_000)')
  .transform((s): MemberShare =>
    s.endsWith('%')
      ? { kind: 'percent', percent: Number(s.slice(0, -1)) }
      : { kind: 'tokens', tokens: Number(s.replaceAll('_', '')) },
  )
  .refine(
    (m) => (m.kind === 'percent' ? m.percent > 0 && m.percent <= 100 : m.tokens > 0),
    'must be more than 0 (and at most 100%)',
  );

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(s), 'must be true or false')
  .transform((s) => ['true', '1', 'yes', 'on'].includes(s));

const schema = z.object({
  DISCORD_TOKEN: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  MISTRAL_API_KEY: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  MISTRAL_SERVER_URL: optional(httpUrl),
  DISCORD_API_URL: optional(httpUrl),
  DATABASE_URL: optional(databaseUrl),
  REDIS_URL: optional(redisUrl),
  DEFAULT_MODEL: optional(
    z
      .string()
      .trim()
      .regex(/^[\w.:-]{1,100}$/, 'must be a model name'),
  ),
  GUILD_MONTHLY_TOKEN_BUDGET: optional(integer(0)),
  MEMBER_MONTHLY_TOKEN_SHARE: optional(memberShare),
  MEMBER_COOLDOWN_SECONDS: optional(integer(0, 86_400)),
  BOT_OWNER_IDS: optional(idList),
  MISTRAL_REQUESTS_PER_SECOND: optional(positiveNumber),
  MISTRAL_TIMEOUT_MS: optional(integer(1_000, 600_000)),
  CHAT_ON_MENTION: optional(booleanFlag),
  DEV_GUILD_ID: optional(z.string().trim().regex(SNOWFLAKE, 'must be a Discord server ID')),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  NODE_ENV: optional(z.string().trim()),
  MISTRAL_MODELS: optional(modelList),
  MAX_ANSWER_TOKENS: optional(integer(16, 32_000)),
  MAX_PROMPT_CHARS: optional(integer(1, 6_000)),
  MAX_ATTACHMENT_TOKENS: optional(integer(0, 1_000_000)),
  VISION_MODEL: optional(
    z
      .string()
      .trim()
      .regex(/^[\w.:-]{1,100}$/, 'must be a model name'),
  ),
  VISION_MODELS: optional(modelList),
  DOCUMENT_MODELS: optional(modelList),
  REASONING_EFFORTS: optional(reasoningEfforts),
  MISTRAL_MAX_RETRIES: optional(integer(0, 10)),
  MISTRAL_START_MARGIN_MS: optional(integer(0, 1_000)),
  CONVERSATION_MAX_TOKENS: optional(integer(0, 100_000)),
  CONVERSATION_IDLE_HOURS: optional(
    positiveNumber.pipe(z.number().max(8_760, 'must be at most 8760 (a year)')),
  ),
  MISTRAL_MODEL_LIMITS: optional(
    z.string().transform((text, ctx) => {
      const parsed = parseModelLimits(text);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return Object.freeze(parsed);
    }),
  ),
  MAX_QUEUED: optional(integer(1, 1_000_000)),
  MAX_QUEUED_PER_GUILD: optional(integer(1, 1_000_000)),
  MAX_QUEUED_PER_MEMBER: optional(integer(1, 1_000)),
  METRICS_PORT: optional(integer(0, 65_535)),
  METRICS_HOST: optional(
    z
      .string()
      .trim()
      .regex(/^[\w.:-]{1,253}$/, 'must be a host name or IP address'),
  ),
  SHUTDOWN_GRACE_MS: optional(integer(0, 600_000)),
  KEY_MONTHLY_TOKEN_ALERT: optional(tokenThreshold),
  OPERATOR_ALERT_CHANNEL_ID: optional(z.string().trim().regex(SNOWFLAKE, 'must be a Discord channel ID')),
  SHARD_COUNT: optional(
    z.union([z.literal('auto'), integer(1, 10_000)], { error: 'must be a whole number of shards or auto' }),
  ),
  SHARD_SPAWN_DELAY_MS: optional(integer(0, 60_000)),
});

/** The bot's settings, parsed once at start-up and frozen. */
export interface Config {
  readonly discordToken: string;
  readonly mistralApiKey: string;
  readonly mistralServerUrl: string;
  readonly discordApiUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string | undefined;
  readonly defaultModel: string;
  readonly guildMonthlyTokenBudget: number;
  /** Each member's cap within their server's month. */
  readonly memberShare: MemberShare;
  /** Least time between one member's questions (0 = none). */
  readonly memberCooldownMs: number;
  /** Members may ask by @mentioning the bot or replying to its answers. */
  readonly chatOnMention: boolean;
  /** Operators' user IDs; empty means "the application's owner", looked up at log-in. */
  readonly botOwnerIds: readonly string[];
  readonly requestsPerSecond: number;
  readonly mistralTimeoutMs: number;
  readonly devGuildId: string | undefined;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `NODE_ENV=development`: human-readable logs (pino-pretty, a dev dependency). */
  readonly logPretty: boolean;
  /** Models offered to servers; `undefined` means the built-in free-tier catalogue. */
  readonly models: readonly string[] | undefined;
  readonly maxAnswerTokens: number;
  readonly maxPromptChars: number;
  /** Estimated tokens the text files and PDFs of one question may add. */
  readonly maxAttachmentTokens: number;
  /** Where questions with images go when the channel's model cannot read them; unset = refused. */
  readonly visionModel: string | undefined;
  /** Models that read images, replacing what the model cards say; unset = the cards. */
  readonly visionModels: readonly string[] | undefined;
  /** Models that read PDFs, replacing what the model cards say; unset = the cards. */
  readonly documentModels: readonly string[] | undefined;
  /** Reasoning efforts per model, over what the bot knows or learns; unset = none given. */
  readonly reasoningEfforts: Readonly<Record<string, readonly string[]>> | undefined;
  readonly maxRetries: number;
  readonly startMarginMs: number;
  /** Most tokens (estimated) of a thread's earlier turns sent with a question; 0 = no memory. */
  readonly conversationMaxTokens: number;
  /** A thread's conversation is forgotten after this long without a question. */
  readonly conversationIdleMs: number;
  /** Operator overrides of per-model (or per-pool) limits; headers refine them at run time. */
  readonly modelLimits: readonly PoolLimitConfig[];
  /** Questions that may wait for the gate, in total and per server. */
  readonly maxQueued: number;
  readonly maxQueuedPerGuild: number;
  /** Questions one member may have waiting in one server at once. */
  readonly maxQueuedPerMember: number;
  /** Port of the /healthz and /metrics listener; `undefined` = off, 0 = any free port (tests). */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** On SIGTERM/SIGINT, how long requests already upstream may take to finish. */
  readonly shutdownGraceMs: number;
  /** Tell the operator when one model's monthly usage on the whole key reaches this. */
  readonly keyMonthlyTokenAlert: TokenThreshold | undefined;
  /** Channel for operator alerts (besides the log). */
  readonly operatorAlertChannelId: string | undefined;
  /** Discord shards: processes when REDIS_URL is set, else inside this process; unset = one shard. */
  readonly shardCount: number | 'auto' | undefined;
  /** Pause between starting shard processes (Discord allows one identify per 5 s by default). */
  readonly shardSpawnDelayMs: number;
}

/** Defaults for everything optional; documented in .env.example and README.md. */
export const DEFAULTS = Object.freeze({
  databaseUrl: 'sqlite://data/bot.sqlite',
  defaultModel: 'mistral-small-latest',
  guildMonthlyTokenBudget: 500_000,
  memberShare: Object.freeze({ kind: 'percent', percent: 50 }),
  requestsPerSecond: 1,
  mistralTimeoutMs: 60_000,
  logLevel: 'info',
  maxAnswerTokens: 1_024,
  maxPromptChars: 6_000,
  maxAttachmentTokens: DEFAULT_MAX_ATTACHMENT_TOKENS,
  maxRetries: 3,
  startMarginMs: 15,
  conversationMaxTokens: 4_000,
  conversationIdleHours: 72,
  maxQueued: 500,
  maxQueuedPerGuild: 25,
  maxQueuedPerMember: 1,
  metricsHost: '127.0.0.1',
  shutdownGraceMs: 5_000,
  shardSpawnDelayMs: 5_500,
} as const);

/** Thrown when the environment is unusable; `problems` has one line per bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Parses and freezes the configuration from an environment object (normally `process.env`
 * after dotenv). Throws {@link ConfigError} naming every missing or malformed variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || 'environment';
      const raw = env[name];
      const message = raw === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
      return `${name} ${message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  return Object.freeze({
    discordToken: e.DISCORD_TOKEN,
    mistralApiKey: e.MISTRAL_API_KEY,
    mistralServerUrl: e.MISTRAL_SERVER_URL ?? MISTRAL_DEFAULT_URL,
    discordApiUrl: e.DISCORD_API_URL ?? DISCORD_DEFAULT_API_URL,
    databaseUrl: e.DATABASE_URL ?? DEFAULTS.databaseUrl,
    redisUrl: e.REDIS_URL,
    defaultModel: e.DEFAULT_MODEL ?? DEFAULTS.defaultModel,
    guildMonthlyTokenBudget: e.GUILD_MONTHLY_TOKEN_BUDGET ?? DEFAULTS.guildMonthlyTokenBudget,
    memberShare: e.MEMBER_MONTHLY_TOKEN_SHARE ?? DEFAULTS.memberShare,
    memberCooldownMs: (e.MEMBER_COOLDOWN_SECONDS ?? 0) * 1_000,
    chatOnMention: e.CHAT_ON_MENTION ?? false,
    botOwnerIds: e.BOT_OWNER_IDS ?? [],
    requestsPerSecond: e.MISTRAL_REQUESTS_PER_SECOND ?? DEFAULTS.requestsPerSecond,
    mistralTimeoutMs: e.MISTRAL_TIMEOUT_MS ?? DEFAULTS.mistralTimeoutMs,
    devGuildId: e.DEV_GUILD_ID,
    logLevel: e.LOG_LEVEL ?? DEFAULTS.logLevel,
    logPretty: e.NODE_ENV === 'development',
    models: e.MISTRAL_MODELS,
    maxAnswerTokens: e.MAX_ANSWER_TOKENS ?? DEFAULTS.maxAnswerTokens,
    maxPromptChars: e.MAX_PROMPT_CHARS ?? DEFAULTS.maxPromptChars,
    maxAttachmentTokens: e.MAX_ATTACHMENT_TOKENS ?? DEFAULTS.maxAttachmentTokens,
    visionModel: e.VISION_MODEL,
    visionModels: e.VISION_MODELS,
    documentModels: e.DOCUMENT_MODELS,
    reasoningEfforts: e.REASONING_EFFORTS,
    maxRetries: e.MISTRAL_MAX_RETRIES ?? DEFAULTS.maxRetries,
    startMarginMs: e.MISTRAL_START_MARGIN_MS ?? DEFAULTS.startMarginMs,
    conversationMaxTokens: e.CONVERSATION_MAX_TOKENS ?? DEFAULTS.conversationMaxTokens,
    conversationIdleMs: (e.CONVERSATION_IDLE_HOURS ?? DEFAULTS.conversationIdleHours) * 3_600_000,
    modelLimits: e.MISTRAL_MODEL_LIMITS ?? [],
    maxQueued: e.MAX_QUEUED ?? DEFAULTS.maxQueued,
    maxQueuedPerGuild: e.MAX_QUEUED_PER_GUILD ?? DEFAULTS.maxQueuedPerGuild,
    maxQueuedPerMember: e.MAX_QUEUED_PER_MEMBER ?? DEFAULTS.maxQueuedPerMember,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST ?? DEFAULTS.metricsHost,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? DEFAULTS.shutdownGraceMs,
    keyMonthlyTokenAlert: e.KEY_MONTHLY_TOKEN_ALERT,
    operatorAlertChannelId: e.OPERATOR_ALERT_CHANNEL_ID,
    shardCount: e.SHARD_COUNT,
    shardSpawnDelayMs: e.SHARD_SPAWN_DELAY_MS ?? DEFAULTS.shardSpawnDelayMs,
  });
}

/** Milliseconds between request sends: the rate's spacing plus the start margin. */
export function sendIntervalMs(config: Pick<Config, 'requestsPerSecond' | 'startMarginMs'>): number {
  return 1000 / config.requestsPerSecond + config.startMarginMs;
}

/** Every environment variable the bot reads, in the order .env.example documents them. */
export const ENV_VARIABLES: readonly string[] = Object.freeze(Object.keys(schema.shape));
