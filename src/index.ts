import 'dotenv/config';
import type { Redis } from 'ioredis';
import { Client, GatewayIntentBits, Routes, Team, type User } from 'discord.js';
import { commands } from '../commands/index.ts';
import { Reservations } from './budget.ts';
import { ConfigError, loadConfig, sendIntervalMs, type Config } from './config.ts';
import { ConversationMemory } from './conversation.ts';
import { Operators } from './discord/command.ts';
import { createDispatcher } from './discord/dispatcher.ts';
import { NO_MENTIONS } from './discord/reply.ts';
import { registerCommands } from './discord/register.ts';
import { createGate, type RequestGate } from './gate/gate.ts';
import { ModelLimits } from './gate/model-limits.ts';
import { Pacer, type SendPacer } from './gate/pacer.ts';
import { RedisPacer } from './gate/redis-pacer.ts';
import { BotEvents } from './events.ts';
import { createLogger, type Logger } from './log.ts';
import { createMistralApi } from './mistral/client.ts';
import { saysUnavailable } from './mistral/rate-limit-headers.ts';
import { ModelDirectory, modelCatalogue } from './mistral/models.ts';
import { BudgetAlerts } from './ops/budget-alerts.ts';
import { BotMetrics } from './ops/metrics.ts';
import { checkHealth, startOpsServer, type OpsServer } from './ops/ops-server.ts';
import { PendingWork, signalExitCode, withTimeout } from './ops/shutdown.ts';
import { PromptService } from './prompts.ts';
import { createSettingsStore } from './settings.ts';
import { monthKey } from './store/month.ts';
import { openStore, type Store } from './store/open-store.ts';
import { isShardProcess, recommendedShardCount, runShardProcesses, shardPlan } from './sharding.ts';

/** A running bot, as the entry point and the end-to-end tests hold it. */
export interface RunningBot {
  readonly client: Client<true>;
  readonly events: BotEvents;
  /** Per-model limits as configured and learned from Mistral's headers. */
  readonly limits: ModelLimits;
  readonly gate: RequestGate;
  readonly store: Store;
  readonly alerts: BudgetAlerts;
  /** Base URL of the /healthz and /metrics listener, when `METRICS_PORT` is set. */
  readonly opsUrl: string | undefined;
  /**
   * Shuts down gracefully: refuses new commands, tells waiting members their question was not
   * sent, lets requests already upstream finish (up to `SHUTDOWN_GRACE_MS`, then a few seconds
   * to deliver), logs out and closes the store. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

/** After the grace period, how long answers and refusals may still take to reach Discord. */
const DELIVERY_GRACE_MS = 4_000;

/**
 * The composition root: config → store → gate and Mistral client → Discord client → log in.
 * The only place that builds infrastructure; everything else receives it.
 */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const events = new BotEvents((error) => log.error({ err: error }, 'event listener failed'));
  const store = await openStore(config.databaseUrl);
  const settings = createSettingsStore((ns) => store.keyv(ns));
  const intervalMs = sendIntervalMs(config);
  let gateRedis: Redis | undefined;
  try {
    if (config.redisUrl) {
      const { connectRedis } = await import('./store/redis-connection.ts'); // only when configured
      gateRedis = await connectRedis(config.redisUrl, 'REDIS_URL');
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  // With REDIS_URL every process shares one gate; the scope keeps different Mistral keys apart.
  const pacer: SendPacer = gateRedis
    ? new RedisPacer(gateRedis, intervalMs, config.mistralApiKey, log.child({ component: 'gate' }))
    : new Pacer(intervalMs);
  const limits = new ModelLimits(config.modelLimits);
  for (const { model, totalTokens } of await store.usage.keyMonthByModel(monthKey(new Date()))) {
    limits.seedMonthUsage(model, totalTokens);
  }
  const models = new ModelDirectory(modelCatalogue(config.models, config.defaultModel), config.defaultModel);
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
  const gate = createGate({
    pacer,
    log: log.child({ component: 'gate' }),
    maxRetries: config.maxRetries,
    maxWaiting: config.maxQueued,
    maxWaitingPerGuild: config.maxQueuedPerGuild,
    limits,
    events,
  });
  const prompts = new PromptService({
    config,
    settings,
    usage: store.usage,
    reservations: new Reservations(),
    gate,
    mistral,
    models,
    conversations: new ConversationMemory(store.keyv('conversation'), {
      maxTokens: config.conversationMaxTokens,
      idleMs: config.conversationIdleMs,
    }),
    events,
  });
  const operators = new Operators(config.botOwnerIds);
  const metrics = new BotMetrics(events, { gate, requestsPerSecond: config.requestsPerSecond });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // In a shard process discord.js reads its shards from the environment the manager set.
    ...(!isShardProcess() && config.shardCount !== undefined
      ? config.shardCount === 'auto'
        ? { shards: 'auto' as const }
        : { shards: [...Array(config.shardCount).keys()], shardCount: config.shardCount }
      : {}),
    rest: { api: config.discordApiUrl },
    allowedMentions: NO_MENTIONS,
  });
  const alerts = new BudgetAlerts({
    events,
    keyv: (ns) => store.keyv(ns),
    standing: (guildId) => prompts.standing(guildId),
    keyMonthByModel: (month) => store.usage.keyMonthByModel(month),
    send: async (channelId, content) => {
      await client.rest.post(Routes.channelMessages(channelId), {
        body: { content, allowed_mentions: { parse: [] } },
      });
    },
    log: log.child({ component: 'alerts' }),
    keyThreshold: config.keyMonthlyTokenAlert,
    operatorChannelId: config.operatorAlertChannelId,
  });
  let closing = false;
  const running = new PendingWork();
  const dispatch = createDispatcher(
    commands,
    { config, prompts, usage: store.usage, settings, models, operators, alerts },
    log,
    events,
    { closing: () => closing },
  );
  client.on('interactionCreate', (interaction) => running.track(dispatch(interaction)));
  client.on('error', (error) => log.error({ err: error }, 'discord client error'));

  let ops: OpsServer | undefined;
  const ready = new Promise<Client<true>>((resolve) => client.once('clientReady', resolve));
  try {
    if (config.metricsPort !== undefined) {
      ops = await startOpsServer({
        host: config.metricsHost,
        // Shard processes each listen on the next port: METRICS_PORT + shard id.
        port:
          config.metricsPort === 0
            ? 0
            : config.metricsPort + (isShardProcess() ? Number(process.env.SHARDS ?? 0) : 0),
        health: () =>
          checkHealth({
            gatewayReady: () => client.isReady(),
            pingStore: () => store.usage.ping(),
            closing: () => closing,
          }),
        metrics,
        log,
      });
    }
    await client.login(config.discordToken);
  } catch (error) {
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
  operators.adoptApplicationOwners(ownerIds(application.owner));
  // One process registers: the one holding shard 0 (or the only one).
  if (!readyClient.shard || readyClient.shard.ids.includes(0))
    await registerCommands({
      rest: readyClient.rest,
      applicationId: application.id,
      guildId: config.devGuildId,
      definitions: [...commands.values()].map((c) => c.data),
      settings,
      log,
    });
  log.info({ operators: operators.ids.length, models: models.all.length }, 'ready');

  const shutDown = async () => {
    closing = true;
    const t0 = performance.now();
    log.info(
      { inFlight: gate.inFlight, waiting: gate.waiting, graceMs: config.shutdownGraceMs },
      'shutting down: new commands are refused, waiting questions are not sent',
    );
    // Closing first rejects the waiting questions (their members are told) and starts nothing new.
    await gate.close();
    const drained = await gate.drain(config.shutdownGraceMs);
    const left = Math.max(0, config.shutdownGraceMs - (performance.now() - t0)) + DELIVERY_GRACE_MS;
    const delivered = await running.settled(left);
    await withTimeout(alerts.idle(), DELIVERY_GRACE_MS, undefined);
    alerts.close();
    metrics.close();
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
    alerts,
    opsUrl: ops?.url,
    stop() {
      stopping ??= shutDown();
      return stopping;
    },
  };
}

function ownerIds(owner: User | Team | null): string[] {
  if (!owner) return [];
  if (owner instanceof Team) return [...owner.members.keys()];
  return [owner.id];
}

async function main(): Promise<void> {
  const [major] = process.versions.node.split('.').map(Number);
  if ((major ?? 0) < 24) {
    console.error(
      `This bot needs Node.js 24 or newer (running ${process.version}). Use \`npm start\`, which brings it.`,
    );
    process.exit(1);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.problems) console.error(line);
      console.error('See .env.example for every variable.');
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, {
    secrets: [config.discordToken, config.mistralApiKey],
    pretty: config.logPretty,
  });
  if (config.shardCount !== undefined && !isShardProcess()) {
    let total: number;
    try {
      total = config.shardCount === 'auto' ? await recommendedShardCount(config) : config.shardCount;
    } catch (error) {
      console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
    const plan = shardPlan(config, total);
    if (plan.problem) {
      console.error(plan.problem);
      process.exit(1);
    }
    if (plan.mode === 'processes') {
      await runShardProcesses(config, total, log);
      process.exit(0);
    }
  }
  let bot: RunningBot;
  try {
    bot = await startBot(config, log);
  } catch (error) {
    log.fatal({ err: error }, 'start-up failed');
    console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(signalExitCode(signal));
    }
    log.info({ signal }, 'shutting down (a second signal exits at once)');
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (import.meta.main) await main();
