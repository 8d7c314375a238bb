import 'dotenv/config';
import { Client, GatewayIntentBits, Team, type User } from 'discord.js';
import { commands } from '../commands/index.ts';
import { Reservations } from './budget.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { Operators } from './discord/command.ts';
import { createDispatcher } from './discord/dispatcher.ts';
import { NO_MENTIONS } from './discord/reply.ts';
import { registerCommands } from './discord/register.ts';
import { createGate, type RequestGate } from './gate/gate.ts';
import { ModelLimits } from './gate/model-limits.ts';
import { Pacer } from './gate/pacer.ts';
import { BotEvents } from './events.ts';
import { createLogger, type Logger } from './log.ts';
import { createMistralApi } from './mistral/client.ts';
import { saysUnavailable } from './mistral/rate-limit-headers.ts';
import { ModelDirectory, modelCatalogue } from './mistral/models.ts';
import { PromptService } from './prompts.ts';
import { createSettingsStore } from './settings.ts';
import { monthKey } from './store/month.ts';
import { openStore, type Store } from './store/open-store.ts';

/** A running bot, as the entry point and the end-to-end tests hold it. */
export interface RunningBot {
  readonly client: Client<true>;
  readonly events: BotEvents;
  /** Per-model limits as configured and learned from Mistral's headers. */
  readonly limits: ModelLimits;
  readonly gate: RequestGate;
  readonly store: Store;
  /** Logs out, stops the gate and closes the store. */
  stop(): Promise<void>;
}

/**
 * The composition root: config → store → gate and Mistral client → Discord client → log in.
 * The only place that builds infrastructure; everything else receives it.
 */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const events = new BotEvents((error) => log.error({ err: error }, 'event listener failed'));
  const store = await openStore(config.databaseUrl);
  const settings = createSettingsStore((ns) => store.keyv(ns));
  const intervalMs = 1000 / config.requestsPerSecond + config.startMarginMs;
  const pacer = new Pacer(intervalMs);
  const limits = new ModelLimits(config.modelLimits);
  for (const { model, totalTokens } of await store.usage.keyMonthByModel(monthKey(new Date()))) {
    limits.seedMonthUsage(model, totalTokens);
  }
  const models = new ModelDirectory(modelCatalogue(config.models, config.defaultModel), config.defaultModel);
  const mistral = createMistralApi({
    serverUrl: config.mistralServerUrl,
    apiKey: config.mistralApiKey,
    timeoutMs: config.mistralTimeoutMs,
    beforeSend: () => pacer.waitTurn(),
    onSent: () => pacer.markSent(),
    onLimits: (model, snapshot) => {
      limits.learn(model, snapshot);
      if (saysUnavailable(snapshot)) models.markUnavailable(model);
      events.emit({ type: 'limits', model, limits: snapshot });
    },
  });
  const gate = createGate({
    requestsPerSecond: config.requestsPerSecond,
    marginMs: config.startMarginMs,
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
    events,
  });
  const operators = new Operators(config.botOwnerIds);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.discordApiUrl },
    allowedMentions: NO_MENTIONS,
  });
  const dispatch = createDispatcher(
    commands,
    { config, prompts, usage: store.usage, settings, models, operators },
    log,
    events,
  );
  client.on('interactionCreate', (interaction) => void dispatch(interaction));
  client.on('error', (error) => log.error({ err: error }, 'discord client error'));

  const ready = new Promise<Client<true>>((resolve) => client.once('clientReady', resolve));
  try {
    await client.login(config.discordToken);
  } catch (error) {
    await Promise.allSettled([client.destroy(), gate.close(), store.close()]);
    throw error;
  }
  const readyClient = await ready;
  log.info({ user: readyClient.user.tag, guilds: readyClient.guilds.cache.size }, 'logged in to Discord');
  const application = await readyClient.application.fetch();
  operators.adoptApplicationOwners(ownerIds(application.owner));
  await registerCommands({
    rest: readyClient.rest,
    applicationId: application.id,
    guildId: config.devGuildId,
    definitions: [...commands.values()].map((c) => c.data),
    settings,
    log,
  });
  log.info({ operators: operators.ids.length, models: models.all.length }, 'ready');

  let stopped = false;
  return {
    client: readyClient,
    events,
    limits,
    gate,
    store,
    async stop() {
      if (stopped) return;
      stopped = true;
      await gate.close();
      await readyClient.destroy();
      await store.close();
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
  const log = createLogger(config.logLevel);
  let bot: RunningBot;
  try {
    bot = await startBot(config, log);
  } catch (error) {
    log.fatal({ err: error }, 'start-up failed');
    console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (import.meta.main) await main();
