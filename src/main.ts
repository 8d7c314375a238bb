import 'dotenv/config';
import { startBot, type RunningBot } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { configSecrets, createLogger } from './log.ts';
import { isShardProcess, recommendedShardCount, runShardProcesses, shardPlan } from './ops/sharding.ts';
import { onShutdownSignals, signalExitCode } from './ops/shutdown.ts';

/**
 * The process: checks Node, reads the configuration (one line per bad variable), runs the shards
 * (as processes with Redis, or inside this process), starts the bot and turns SIGTERM/SIGINT into
 * one graceful shutdown (exit 0). Exit codes: 1 for a configuration or start-up failure, 130/143
 * when a second, separate signal cut the shutdown short.
 */
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
    secrets: configSecrets(config),
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
  // Listening before start-up: a signal while the bot logs in still shuts it down cleanly.
  let bot: RunningBot | undefined;
  let stopRequested: NodeJS.Signals | undefined;
  const shutDown = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down (a second signal a second or more later exits at once)');
    stopRequested = signal;
    bot?.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  onShutdownSignals(shutDown, (signal) => {
    log.warn({ signal }, 'second signal: exiting at once');
    process.exit(signalExitCode(signal));
  });
  try {
    bot = await startBot(config, log);
  } catch (error) {
    log.fatal({ err: error }, 'start-up failed');
    console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (stopRequested) shutDown(stopRequested);
}

if (import.meta.main) await main();
