import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './process.ts';

/** A real redis-server on a free loopback port, with append-only persistence (fsync always). */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SHUTDOWN, so the append-only file is flushed), keeping its data directory. */
  stop(): Promise<void>;
  /** Starts it again on the same port over the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

const MISSING =
  'redis-server is not installed: the Redis tests need a real one. Install it (Debian: apt-get install -y redis-server); .ci/run does this on a fresh machine.';

/** Throws a clear error when redis-server is missing, so Redis tests fail loudly instead of passing. */
export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(MISSING);
}

async function ping(port: number): Promise<boolean> {
  const probe = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2_000 });
  return probe.stdout?.trim() === 'PONG';
}

export async function startRedisServer(): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bot-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (await ping(port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const running = child; // start() may replace `child` later; only ever kill this one
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    spawnSync('redis-cli', ['-p', String(port), 'shutdown'], { timeout: 5_000 });
    const timeout = new AbortController();
    await Promise.race([
      exited,
      sleep(5_000, undefined, { signal: timeout.signal }).then(
        () => running.kill('SIGKILL'),
        () => undefined,
      ),
    ]);
    timeout.abort();
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
