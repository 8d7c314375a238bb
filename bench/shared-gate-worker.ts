/**
 * One of the benchmark's two bot-like processes: keeps a backlog of requests against the
 * stand-in for `seconds`, through our gate sharing its pacer via Redis, or through a naive
 * per-process limiter. Prints `{"started": n}` when done.
 */
import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createGate } from '../src/gate/gate.ts';
import { ModelLimits } from '../src/gate/model-limits.ts';
import { RedisPacer } from '../src/gate/redis-pacer.ts';
import { createMistralApi } from '../src/mistral/client.ts';
import { connectRedis } from '../src/store/redis-connection.ts';

const [kind = 'ours', standInUrl = '', redisUrl = '', secondsArg = '30', name = 'w'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const log = pino({ level: 'silent' });
const redis = kind === 'ours' ? await connectRedis(redisUrl, 'REDIS_URL') : undefined;
const pacer = redis ? new RedisPacer(redis, 1015, 'bench-key', log) : undefined;
const api = createMistralApi({
  serverUrl: standInUrl,
  apiKey: 'test-key',
  timeoutMs: 30_000,
  ...(pacer ? { onSent: () => pacer.markSent() } : {}),
});
const limiter = new Bottleneck({ minTime: 1000 });
const gate = pacer ? createGate({ pacer, log, maxRetries: 3, limits: new ModelLimits() }) : undefined;
let started = 0;
const attempt = () => {
  started++;
  return api.complete({
    model: 'mistral-small-latest',
    messages: [{ role: 'user', content: 'benchmark' }],
    maxTokens: 50,
  });
};
for (let i = 0; i < seconds + 10; i++) {
  const job = gate
    ? gate.run({
        guildId: `${name}-g${i % 3}`,
        userId: `u${i}`,
        model: 'mistral-small-latest',
        tokens: 100,
        attempt,
      })
    : limiter.schedule(attempt);
  job.catch(() => undefined);
}
await sleep(seconds * 1000);
await gate?.close();
await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
console.log(JSON.stringify({ started }));
await sleep(4_500);
await redis?.quit();
api.close();
process.exit(0);
