/**
 * One of the benchmark's bot-like processes. argv[2] is a JSON plan:
 * `{ kind, standInUrl, redisUrl, scope, seconds, jobs: [{ id, guildId, userId, delayMs }] }`.
 * `kind`: `ours` (the gate on the RedisPacer: shared slot, one fair order across processes),
 * `arrival` (the gate on a shared slot claimed first come first served: per-process order), or
 * `naive` (a per-process limiter, see baselines.ts). Prints `{"ready":true}`, starts the jobs
 * when stdin says `go` (each `delayMs` later), and after `seconds` closes and prints
 * `{"started": n}`. Each request's question is its id, so the stand-in's records name it.
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { RequestGate } from '../src/gate/gate.ts';
import type { SendPacer } from '../src/gate/pacer.ts';
import { RedisPacer } from '../src/gate/redis-pacer.ts';
import { createMistralApi } from '../src/mistral/client.ts';
import { connectRedis } from '../src/store/redis-connection.ts';
import { ArrivalOrderPacer, INTERVAL_MS, naiveLimiter } from './baselines.ts';

interface Plan {
  readonly kind: 'ours' | 'arrival' | 'naive';
  readonly standInUrl: string;
  readonly redisUrl: string;
  readonly scope: string;
  readonly seconds: number;
  readonly jobs: ReadonlyArray<{ id: string; guildId: string; userId: string; delayMs: number }>;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const log = pino({ level: 'silent' });
const redis = plan.kind === 'naive' ? undefined : await connectRedis(plan.redisUrl, 'REDIS_URL');
const pacer: SendPacer | undefined = !redis
  ? undefined
  : plan.kind === 'ours'
    ? new RedisPacer(redis, INTERVAL_MS, plan.scope, log)
    : new ArrivalOrderPacer(redis, INTERVAL_MS, plan.scope);
const api = createMistralApi({
  serverUrl: plan.standInUrl,
  apiKey: 'test-key',
  timeoutMs: 30_000,
  ...(pacer ? { onSent: () => pacer.markSent() } : {}),
});
const gate = pacer ? new RequestGate({ pacer, log, maxRetries: 3 }) : undefined;
const naive = gate ? undefined : naiveLimiter();
let started = 0;
const ask = (id: string) => () => {
  started++;
  return api.complete({
    model: 'mistral-small-latest',
    messages: [{ role: 'user', content: id }],
    maxTokens: 50,
  });
};

console.log(JSON.stringify({ ready: true }));
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
await lines.next(); // "go"
const t0 = performance.now();
for (const job of plan.jobs) {
  const wait = job.delayMs - (performance.now() - t0);
  if (wait > 0) await sleep(wait);
  const attempt = ask(job.id);
  const run = gate
    ? gate.run({
        guildId: job.guildId,
        userId: job.userId,
        model: 'mistral-small-latest',
        tokens: 100,
        attempt,
      })
    : (naive as NonNullable<typeof naive>).run(attempt);
  run.catch(() => undefined);
}
await sleep(Math.max(0, plan.seconds * 1000 - (performance.now() - t0)));
await gate?.close();
await naive?.close();
console.log(JSON.stringify({ started }));
// Let completions in flight end so the next run starts clean.
if (gate) await gate.drain(5_000);
else await sleep(4_500);
await redis?.quit();
api.close();
process.exit(0);
