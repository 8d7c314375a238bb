import { ShardingManager } from 'discord.js';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { onShutdownSignals, signalExitCode } from './shutdown.ts';

/** The bot's entry point beside this file: `main.ts` in the sources, `main.js` in the build (dist/). */
function entryPoint(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), '..', `main${extname(here)}`);
}

/** True in a shard process started by {@link runShardProcesses} (discord.js sets this). */
export function isShardProcess(): boolean {
  return process.env.SHARDING_MANAGER === 'true';
}

/** Discord's recommended shard count for `auto`, asked of `DISCORD_API_URL` (GET /gateway/bot). */
export async function recommendedShardCount(config: Config): Promise<number> {
  const res = await fetch(`${config.discordApiUrl}/v10/gateway/bot`, {
    headers: { Authorization: `Bot ${config.discordToken}` },
  });
  if (!res.ok)
    throw new Error(`Discord refused GET /gateway/bot (${res.status}) while resolving SHARD_COUNT=auto`);
  const body = (await res.json()) as { shards?: unknown };
  return typeof body.shards === 'number' && body.shards > 0 ? body.shards : 1;
}

/**
 * Where the shards run. Several processes need a shared gate and a shared store, so
 * `processes` needs REDIS_URL and a redis:// DATABASE_URL; otherwise every shard runs inside
 * this one process. Returns a problem line when the configuration cannot work.
 */
export function shardPlan(
  config: Config,
  total: number,
): { mode: 'processes' | 'in-process'; problem?: string } {
  if (total <= 1 || !config.redisUrl) return { mode: 'in-process' };
  if (!/^rediss?:\/\//.test(config.databaseUrl)) {
    return {
      mode: 'processes',
      problem: `SHARD_COUNT=${total} with REDIS_URL runs ${total} processes, which cannot share a SQLite file: set DATABASE_URL to redis://… as well (or unset REDIS_URL to run the shards in one process).`,
    };
  }
  return { mode: 'processes' };
}

/**
 * Runs one bot process per shard with discord.js' ShardingManager (respawned if one dies), and
 * forwards SIGTERM/SIGINT so each shard shuts down gracefully. Resolves when all have exited.
 */
export async function runShardProcesses(config: Config, total: number, log: Logger): Promise<void> {
  const manager = new ShardingManager(entryPoint(), {
    totalShards: total,
    token: config.discordToken,
    respawn: true,
    execArgv: process.execArgv,
  });
  manager.on('shardCreate', (shard) => {
    log.info({ shard: shard.id }, 'shard process started');
    shard.on('death', () => log.warn({ shard: shard.id }, 'shard process exited'));
  });
  // One graceful stop however many copies of the signal arrive (npm forwards it to the group too).
  onShutdownSignals(
    (signal) => {
      manager.respawn = false;
      log.info({ signal }, 'stopping every shard');
      for (const shard of manager.shards.values()) shard.process?.kill(signal);
    },
    (signal) => {
      log.warn({ signal }, 'second signal: stopping every shard at once');
      for (const shard of manager.shards.values()) shard.process?.kill('SIGKILL');
      process.exit(signalExitCode(signal));
    },
  );
  await manager.spawn({ amount: total, delay: config.shardSpawnDelayMs, timeout: 60_000 });
  log.info({ shards: total }, 'all shard processes ready');
  await Promise.all(
    [...manager.shards.values()].map(
      (shard) =>
        new Promise<void>((resolve) => {
          if (!shard.process || shard.process.exitCode !== null) resolve();
          else shard.process.once('exit', () => resolve());
        }),
    ),
  );
}
