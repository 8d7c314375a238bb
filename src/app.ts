import type { Redis } from 'ioredis';
import { Client, GatewayIntentBits, Options, Partials, Routes, type CacheFactory } from 'discord.js';
import { AskService } from './ask/ask-service.ts';
import { ConversationMemory } from './ask/conversation.ts';
import { Cooldowns } from './ask/cooldowns.ts';
import { ChannelProfiles } from './ask/profile.ts';
import { BudgetAlerts } from './budget/alerts.ts';
import { BudgetService } from './budget/budget-service.ts';
import { commandDefinitions, handlers } from './commands/index.ts';
import { sendIntervalMs, type Config } from './config.ts';
import { AnswerArchive, RunningAnswers } from './discord/answer-archive.ts';
import { createDispatcher } from './discord/dispatcher.ts';
import { createMentionChat } from './discord/mention-chat.ts';
import { Operators, operatorIdsOf } from './discord/operators.ts';
import { PromptStash } from './discord/prompt-stash.ts';
import { NO_MENTIONS } from './discord/reply.ts';
import { registerCommands } from './discord/register.ts';
import { budgetedRequests, DiscordRequestBudget } from './discord/request-budget.ts';
import { BotEvents } from './events.ts';
import { RequestGate } from './gate/gate.ts';
import { ModelLimits } from './gate/model-limits.ts';
import { Pacer, type SendPacer } from './gate/pacer.ts';
import type { Logger } from './log.ts';
import { createMistralApi } from './mistral/client.ts';
import { saysUnavailable } from './mistral/rate-limit-headers.ts';
import { AttachmentReader } from './ask/attachments.ts';
import { ModelDirectory, modelCatalogue, refreshCapabilities } from './mistral/models.ts';
import { checkHealth, startOpsServer, type OpsServer } from './ops/ops-server.ts';
import { PendingWork, withTimeout } from './ops/shutdown.ts';
import { isShardProcess } from './ops/sharding.ts';
import { monthKey } from './store/month.ts';
import { openStore, type Store } from './store/open-store.ts';
import { createSettingsStore } from './store/settings.ts';

/** A running bot, as the entry point and the end-to-end tests hold it. */
export interface RunningBot {
  readonly client: Client<true>;
  readonly events: BotEvents;
  /** Per-model limits as configured and learned from Mistral's headers. */
  readonly limits: ModelLimits;
  readonly gate: RequestGate;
  readonly store: Store;
  readonly budget: BudgetService;
  readonly alerts: BudgetAlerts;
  /** Base URL of the /healthz and /metrics listener, when `METRICS_PORT` is set. */
  readonly opsUrl: string | undefined;
  /**
   * Shuts down gracefully: refuses new questions, tells waiting members their question was not
   * sent, lets answers already upstream finish (up to `SHUTDOWN_GRACE_MS`, then stops them where
   * they are and charges what they used), delivers, records usage, logs out and closes the store.
   * Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

/** After the grace period, how long answers and refusals may still take to reach Discord. */
const DELIVERY_GRACE_MS = 4_000;

/** How long a restarted bot waits for the previous process to let go of its SQLite file. */
export function lockWaitMs(config: Pick<Config, 'shutdownGraceMs'>): number {
  return config.shutdownGraceMs + DELIVERY_GRACE_MS + 1_000;
}

/**
 * The composition root: config → store → budget, gate and Mistral client → ask service →
 * Discord client → log in. The only place that builds infrastructure; everything else receives it.
 */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const events = new BotEvents((error) => log.error({ err: error }, 'event listener failed'));
  const store = await openStore(config.databaseUrl, { lockWaitMs: lockWaitMs(config) });
  // A SQLite file is this process's alone (process lock), so its settings can be read from memory.
  const settings = createSettingsStore((ns) => store.keyv(ns), { soleWriter: store.kind === 'sqlite' });
  const intervalMs = sendIntervalMs(config);
  let gateRedis: Redis | undefined;
  let pacer: SendPacer;
  try {
    if (config.redisUrl) {
      // Loaded only when configured: a one-process bot never pays for the Redis clients.
      const [{ connectRedis }, { RedisPacer }] = await Promise.all([
        import('./store/redis-connection.ts'),
        import('./gate/redis-pacer.ts'),
      ]);
      gateRedis = await connectRedis(config.redisUrl, 'REDIS_URL');
      // Every process shares one gate; the scope keeps different Mistral keys apart.
      pacer = new RedisPacer(gateRedis, intervalMs, config.mistralApiKey, log.child({ component: 'gate' }));
    } else {
      pacer = new Pacer(intervalMs);
      // The process before this one (a restart, a crash) may have sent a request a moment ago, and
      // Mistral counts per key: start as if one had just left. (Redis keeps the last send itself.)
      pacer.markSent();
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const limits = new ModelLimits(config.modelLimits);
  for (const { model, totalTokens } of await store.usage.keyMonthByModel(monthKey(new Date()))) {
    limits.seedMonthUsage(model, totalTokens);
  }
  const models = new ModelDirectory(modelCatalogue(config.models, config.defaultModel), config.defaultModel, {
    visionModels: config.visionModels,
    documentModels: config.documentModels,
    reasoningEfforts: config.reasoningEfforts,
    visionModel: config.visionModel,
  });
  const mistral = createMistralApi({
    serverUrl: config.mistralServerUrl,
    apiKey: config.mistralApiKey,
    timeoutMs: config.mistralTimeoutMs,
    onSent: () => pacer.markSent(),
    onLimits: (model, snapshot) => {
      limits.learn(model, snapshot);
      if (saysUnavailable(snapshot)) models.markUnavailable(model);
      events.emit({ type: 'limits', model, limits: snapshot });
    },
  });
  // Which models read images and PDFs and which reason: learned now (without stopping start-up if
  // Mistral does not answer) and every hour.
  const capabilities = refreshCapabilities(models, () => mistral.listModelCards(), {
    log: log.child({ component: 'models' }),
  });
  const gate = new RequestGate({
    pacer,
    log: log.child({ component: 'gate' }),
    maxRetries: config.maxRetries,
    maxWaiting: config.maxQueued,
    maxWaitingPerGuild: config.maxQueuedPerGuild,
    maxWaitingPerMember: config.maxQueuedPerMember,
    limits,
    events,
  });
  const budget = new BudgetService({
    ledger: store.usage,
    settings,
    guildMonthlyTokens: config.guildMonthlyTokenBudget,
    memberShare: config.memberShare,
    // A SQLite call finishes before any timer could fire; only Redis calls need a bound.
    ...(store.kind === 'sqlite' ? { storeTimeoutMs: Infinity } : {}),
    log: log.child({ component: 'budget' }),
  });
  const profiles = new ChannelProfiles(settings, models.defaultModel);
  const conversations = new ConversationMemory(store.keyv('conversation'), {
    maxTokens: config.conversationMaxTokens,
    idleMs: config.conversationIdleMs,
  });
  const ask = new AskService({
    profiles,
    budget,
    gate,
    mistral,
    models,
    capabilities: models,
    attachments: new AttachmentReader({ maxFileTokens: config.maxAttachmentTokens }),
    conversations,
    cooldowns: new Cooldowns(config.memberCooldownMs),
    limits: { maxAnswerTokens: config.maxAnswerTokens, maxPromptChars: config.maxPromptChars },
    log,
    events,
  });
  const archive = new AnswerArchive(store.keyv('answer', { fsync: false }));
  const running = new RunningAnswers();
  const operators = new Operators(config.botOwnerIds);
  const requests = new DiscordRequestBudget();
  // Metrics exist only when someone can scrape them (METRICS_PORT): prom-client, its registry and
  // the event-loop sampling of process metrics cost memory and CPU for nothing otherwise.
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : new (await import('./ops/metrics.ts')).BotMetrics(events, {
          gate,
          requestsPerSecond: config.requestsPerSecond,
        });
  const client: Client = new Client({
    // Slash commands, context menus and buttons need only Guilds; @mention chat adds message
    // events, whose content Discord sends without the privileged intent for mentions of the bot.
    intents: [
      GatewayIntentBits.Guilds,
      ...(config.chatOnMention ? [GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages] : []),
    ],
    // Interactions carry their channel (type, parent): with this discord.js builds it from the
    // payload, so threads it never cached still count as threads of their parent.
    partials: [Partials.Channel],
    // In a shard process discord.js reads its shards from the environment the manager set.
    ...(!isShardProcess() && config.shardCount !== undefined
      ? config.shardCount === 'auto'
        ? { shards: 'auto' as const }
        : { shards: [...Array(config.shardCount).keys()], shardCount: config.shardCount }
      : {}),
    rest: {
      api: config.discordApiUrl,
      // Our budget is the global limit (it exempts interaction callbacks, as Discord does, and counts
      // over a sliding second); discord.js' own fixed-window count would hold acknowledgements back.
      makeRequest: budgetedRequests(requests, () => events.emit({ type: 'discord_rate_limited' })),
      globalRequestsPerSecond: 1_000,
    },
    allowedMentions: NO_MENTIONS,
    // The caches keep the bot's own member and user, whose ID is known once the client logged in
    // (caches are filled only after construction, so the client is there when this is asked).
    makeCache: leanCaches(() => client.user?.id),
  });
  const alerts = new BudgetAlerts({
    events,
    keyv: (ns) => store.keyv(ns),
    standing: (guildId) => budget.settled(guildId),
    keyMonthByModel: (month) => store.usage.keyMonthByModel(month),
    send: async (channelId, content) => {
      await client.rest.post(Routes.channelMessages(channelId), {
        body: { content, allowed_mentions: { parse: [] } },
      });
    },
    localeOf: (guildId) => client.guilds.cache.get(guildId)?.preferredLocale,
    log: log.child({ component: 'alerts' }),
    keyThreshold: config.keyMonthlyTokenAlert,
    operatorChannelId: config.operatorAlertChannelId,
  });
  let closing = false;
  const work = new PendingWork();
  const dispatch = createDispatcher(
    handlers,
    {
      config,
      ask,
      budget,
      usage: store.usage,
      settings,
      profiles,
      conversations,
      models,
      operators,
      alerts,
      archive,
      running,
      stash: new PromptStash(store.keyv('ask-about', { fsync: false })),
      requests,
    },
    log,
    events,
    { closing: () => closing },
  );
  client.on('interactionCreate', (interaction) => work.track(dispatch(interaction)));
  if (config.chatOnMention) {
    const onMessage = createMentionChat({
      ask,
      archive,
      running,
      botUserId: () => client.user?.id,
      closing: () => closing,
      roomForNotices: () => requests.hasRoomForOptional(),
      log,
      events,
    });
    client.on('messageCreate', (message) => work.track(onMessage(message)));
  }
  client.on('error', (error) => log.error({ err: error }, 'discord client error'));

  let ops: OpsServer | undefined;
  const ready = new Promise<Client<true>>((resolve) => client.once('clientReady', resolve));
  try {
    if (config.metricsPort !== undefined && metrics) {
      ops = await startOpsServer({
        host: config.metricsHost,
        // Shard processes each listen on the next port: METRICS_PORT + shard id.
        port:
          config.metricsPort === 0
            ? 0
            : config.metricsPort + (isShardProcess() ? Number(process.env.SHARDS ?? 0) : 0),
        health: async () => {
          const recording = budget.health();
          if (!recording.ok && !closing)
            return { ok: false, reason: recording.reason ?? 'usage not recorded' };
          return checkHealth({
            gatewayReady: () => client.isReady(),
            pingStore: () => store.usage.ping(),
            closing: () => closing,
          });
        },
        metrics,
        log,
      });
    }
    await capabilities.ready;
    await client.login(config.discordToken);
  } catch (error) {
    capabilities.stop();
    await Promise.allSettled([
      client.destroy(),
      gate.close(),
      store.close(),
      ops?.close(),
      gateRedis?.quit(),
    ]);
    throw error;
  }
  const readyClient = await ready;
  log.info({ user: readyClient.user.tag, guilds: readyClient.guilds.cache.size }, 'logged in to Discord');
  const application = await readyClient.application.fetch();
  operators.adoptApplicationOwners(operatorIdsOf(application.owner));
  // One process registers: the one holding shard 0 (or the only one).
  if (!readyClient.shard || readyClient.shard.ids.includes(0))
    await registerCommands({
      rest: readyClient.rest,
      applicationId: application.id,
      guildId: config.devGuildId,
      definitions: commandDefinitions,
      settings,
      log,
    });
  log.info({ operators: operators.ids.length, models: models.all.length }, 'ready');

  const shutDown = async () => {
    closing = true;
    capabilities.stop();
    const t0 = performance.now();
    log.info(
      { inFlight: gate.inFlight, waiting: gate.waiting, graceMs: config.shutdownGraceMs },
      'shutting down: new questions are refused, waiting ones are not sent',
    );
    // Closing first refuses every question not started (their members are told) and starts nothing new.
    await gate.close();
    const drained = await gate.drain(config.shutdownGraceMs);
    // Answers still streaming after the grace stop where they are: kept, marked stopped, charged.
    if (!drained) running.stopAll();
    const left = Math.max(0, config.shutdownGraceMs - (performance.now() - t0)) + DELIVERY_GRACE_MS;
    const delivered = await work.settled(left);
    await budget.close();
    await withTimeout(alerts.idle(), DELIVERY_GRACE_MS, undefined);
    alerts.close();
    metrics?.close();
    await ops?.close();
    await readyClient.destroy();
    mistral.close();
    await store.close();
    await gateRedis?.quit().catch(() => undefined);
    log.info({ drained, delivered, ms: Math.round(performance.now() - t0) }, 'stopped');
  };
  let stopping: Promise<void> | undefined;
  return {
    client: readyClient,
    events,
    limits,
    gate,
    store,
    budget,
    alerts,
    opsUrl: ops?.url,
    stop() {
      stopping ??= shutDown();
      return stopping;
    },
  };
}

/**
 * discord.js caches only what the bot reads: guilds (names, locales), channels and roles (discord.js
 * needs them for channels and permissions; interactions carry their own channel and permissions).
 * Members, users, messages, presences, emojis, stickers, voice states, reactions, invites, bans and
 * events are never read, so none is kept (the bot's own member and user excepted). The caches
 * discord.js says must not be limited (channels, overwrites, roles) are left alone.
 */
function leanCaches(botUserId: () => string | undefined): CacheFactory {
  const keepBot = { maxSize: 0, keepOverLimit: (value: { id: string }) => value.id === botUserId() };
  return Options.cacheWithLimits({
    ApplicationCommandManager: 0,
    ApplicationEmojiManager: 0,
    AutoModerationRuleManager: 0,
    BaseGuildEmojiManager: 0,
    DMMessageManager: 0,
    EntitlementManager: 0,
    GuildBanManager: 0,
    GuildEmojiManager: 0,
    GuildForumThreadManager: 0,
    GuildInviteManager: 0,
    GuildMemberManager: keepBot,
    GuildMessageManager: 0,
    GuildScheduledEventManager: 0,
    GuildStickerManager: 0,
    GuildTextThreadManager: 0,
    MessageManager: 0,
    PresenceManager: 0,
    ReactionManager: 0,
    ReactionUserManager: 0,
    StageInstanceManager: 0,
    ThreadMemberManager: 0,
    UserManager: keepBot,
    VoiceStateManager: 0,
  });
}
