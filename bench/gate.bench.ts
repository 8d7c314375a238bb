/**
 * `npm run bench`: the real gate, fair queue and Mistral client against the strict 1-RPS
 * Mistral stand-in (in its own process), side by side with a naive limiter (Bottleneck
 * `minTime: 1000`, first come first served, no pacing at the socket) in the same run.
 * BENCH_SECONDS (default 60) sets the length of the backlog run.
 */
import Bottleneck from 'bottleneck';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createGate, type RequestGate } from '../src/gate/gate.ts';
import { ModelLimits } from '../src/gate/model-limits.ts';
import { Pacer } from '../src/gate/pacer.ts';
import { createMistralApi, type MistralApi } from '../src/mistral/client.ts';
import { startRedisServer } from '../test/support/redis-server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const LATENCY_MS = 4_000;
const MODEL = 'mistral-small-latest';
const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });
/** Two processes, each with its own backlog, against one stand-in: ours share the gate through Redis. */
async function twoProcesses(
  kind: 'naive' | 'ours',
  standIn: Awaited<ReturnType<typeof spawnStandIn>>,
  redisUrl: string,
) {
  await standIn.reset();
  const seconds = Math.max(10, Math.round(SECONDS / 2));
  const worker = new URL('./shared-gate-worker.ts', import.meta.url).pathname;
  const runs = ['a', 'b'].map((name) => {
    const child = spawn(process.execPath, [worker, kind, standIn.url, redisUrl, String(seconds), name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return once(child, 'exit');
  });
  await Promise.all(runs);
  const stats = await standIn.stats();
  return {
    utilisation: acceptedRate(stats.starts, seconds).perSecond,
    rejected429: stats.rejected429,
    seconds,
  };
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

interface StandInStats {
  rejected429: number;
  accepted: number;
  inFlightMax: number;
  violations: number;
  starts: number[];
}

async function spawnStandIn() {
  const child = spawn(
    process.execPath,
    [
      new URL('./standin-server.ts', import.meta.url).pathname,
      JSON.stringify({ requestsPerSecond: 1, latencyMs: LATENCY_MS }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value } = await lines.next();
    return JSON.parse(typeof value === 'string' ? value : '{}') as unknown;
  };
  const { url } = (await next()) as { url: string };
  const ask = async (cmd: string) => {
    child.stdin.write(`${cmd}\n`);
    return next();
  };
  return {
    url,
    stats: () => ask('stats') as Promise<StandInStats>,
    reset: () => ask('reset'),
    close: async () => {
      const exited = once(child, 'exit');
      child.stdin.write('exit\n');
      await Promise.race([exited, sleep(3_000).then(() => child.kill())]);
    },
  };
}

/** One way of sending requests upstream: ours or the naive baseline. */
interface Contender {
  run(guildId: string, userId: string, attempt: () => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

function ours(url: string, paused = false): Contender & { gate: RequestGate; api: MistralApi } {
  const pacer = new Pacer(1015);
  if (paused) pacer.pauseFor(3_600_000);
  const api = createMistralApi({
    serverUrl: url,
    apiKey: 'test-key',
    timeoutMs: 30_000,
    onSent: () => pacer.markSent(),
  });
  const gate = createGate({
    pacer,
    log,
    maxRetries: 3,
    limits: new ModelLimits(),
  });
  return {
    gate,
    api,
    run: (guildId, userId, attempt) => gate.run({ guildId, userId, model: MODEL, tokens: 200, attempt }),
    close: async () => {
      await gate.close();
      api.close();
    },
  };
}

function naive(url: string): Contender & { api: MistralApi } {
  const limiter = new Bottleneck({ minTime: 1000 });
  const api = createMistralApi({ serverUrl: url, apiKey: 'test-key', timeoutMs: 30_000 });
  return {
    api,
    run: (_g, _u, attempt) => limiter.schedule(attempt),
    close: async () => {
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      api.close();
    },
  };
}

const ask = (api: MistralApi) => () =>
  api.complete({ model: MODEL, messages: [{ role: 'user', content: 'benchmark question' }], maxTokens: 100 });

/**
 * Accepted starts per second over the first `seconds` of a run: (starts − 1) ÷ time from the first
 * start to the last one in the window. With a 1 RPS limit this is also the share of the limit used.
 */
function acceptedRate(
  starts: readonly number[],
  seconds: number,
): { perSecond: number; spanSeconds: number } {
  const first = starts[0] ?? 0;
  const inWindow = starts.filter((t) => t < first + seconds * 1000);
  const spanSeconds = ((inWindow.at(-1) ?? first) - first) / 1000;
  return { perSecond: spanSeconds > 0 ? (inWindow.length - 1) / spanSeconds : NaN, spanSeconds };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A standing backlog for SECONDS: how much of the limit turns into accepted starts, and at what cost. */
async function backlog(
  make: () => Contender & { api: MistralApi },
  standIn: Awaited<ReturnType<typeof spawnStandIn>>,
) {
  await standIn.reset();
  const c = make();
  const n = Math.ceil(SECONDS * 1.2) + 10;
  const waits: number[] = [];
  let started = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const enqueuedAt = performance.now();
    const attempt = ask(c.api);
    c.run(`guild-${i % 5}`, `user-${i % 11}`, () => {
      waits.push(performance.now() - enqueuedAt);
      started++;
      return attempt();
    }).catch(() => undefined);
  }
  await sleep(SECONDS * 1000 + 500);
  await c.close();
  await sleep(LATENCY_MS + 500);
  const cpu = process.cpuUsage(cpu0);
  const stats = await standIn.stats();
  const rate = acceptedRate(stats.starts, SECONDS);
  return {
    utilisation: rate.perSecond,
    windowSeconds: rate.spanSeconds,
    rejected429: stats.rejected429,
    inFlightMax: stats.inFlightMax,
    p50: percentile(waits, 50),
    p99: percentile(waits, 99),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, started),
    violations: stats.violations,
  };
}

/** 15 requests from one server, then one from another: which upstream slot does the lone one get? */
async function flood(
  make: () => Contender & { api: MistralApi },
  standIn: Awaited<ReturnType<typeof spawnStandIn>>,
) {
  await standIn.reset();
  const c = make();
  const order: string[] = [];
  let loneWait = NaN;
  const jobs: Promise<unknown>[] = [];
  const add = (guildId: string, label: string) => {
    const enqueuedAt = performance.now();
    const attempt = ask(c.api);
    jobs.push(
      c
        .run(guildId, `${guildId}-user`, () => {
          order.push(label);
          if (label === 'lone') loneWait = performance.now() - enqueuedAt;
          return attempt();
        })
        .catch(() => undefined),
    );
  };
  for (let i = 0; i < 15; i++) add('flooder', `flood-${i}`);
  add('lone-server', 'lone');
  while (!order.includes('lone')) await sleep(50);
  await c.close();
  return { slot: order.indexOf('lone') + 1, waitMs: loneWait };
}

/** Memory for 10,000 queued requests (nothing starts: ours is paused, the naive jobs are no-ops). */
async function queuedMemory(kind: 'naive' | 'ours') {
  gc();
  await sleep(100);
  gc();
  const before = process.memoryUsage();
  const pending: Promise<unknown>[] = [];
  let close: () => Promise<void>;
  if (kind === 'ours') {
    const c = ours('http://127.0.0.1:9', true);
    for (let i = 0; i < 10_000; i++) {
      pending.push(
        c.run(`guild-${i % 500}`, `user-${i % 3000}`, () => Promise.resolve()).catch(() => undefined),
      );
    }
    close = () => c.close();
  } else {
    const limiter = new Bottleneck({ minTime: 1000 });
    for (let i = 0; i < 10_000; i++)
      pending.push(limiter.schedule(() => Promise.resolve()).catch(() => undefined));
    close = async () => {
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    };
  }
  gc();
  await sleep(100);
  gc();
  const after = process.memoryUsage();
  await close();
  return { rss: mb(after.rss - before.rss), heap: mb(after.heapUsed - before.heapUsed) };
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

const standIn = await spawnStandIn();
gc();
const rssIdle = mb(process.memoryUsage().rss);
console.log(
  `Benchmark: ${SECONDS} s backlog, ${LATENCY_MS / 1000} s completions, strict 1 RPS stand-in (own process)…`,
);
const benchStart = performance.now();
const stage = (name: string) =>
  process.stderr.write(`  … ${name} (${((performance.now() - benchStart) / 1000).toFixed(1)} s)\n`);
stage('flood, naive');
const naiveFlood = await flood(() => naive(standIn.url), standIn);
stage('flood, ours');
const oursFlood = await flood(() => ours(standIn.url), standIn);
stage('backlog, naive');
const naiveBacklog = await backlog(() => naive(standIn.url), standIn);
stage('backlog, ours');
const oursBacklog = await backlog(() => ours(standIn.url), standIn);
stage('two processes');
let naiveTwo: Awaited<ReturnType<typeof twoProcesses>> | undefined;
let oursTwo: Awaited<ReturnType<typeof twoProcesses>> | undefined;
let twoNote = '';
try {
  const redis = await startRedisServer();
  try {
    naiveTwo = await twoProcesses('naive', standIn, redis.url);
    oursTwo = await twoProcesses('ours', standIn, redis.url);
  } finally {
    await redis.close();
  }
} catch (error) {
  twoNote = error instanceof Error ? error.message : String(error);
}
stage('10,000 queued');
const naiveMem = await queuedMemory('naive');
const oursMem = await queuedMemory('ours');
await standIn.close();

const rows: Array<[string, string, string, string]> = [
  [
    `upstream utilisation over ${fmt(oursBacklog.windowSeconds, 0)} s of backlog (accepted starts/s ÷ limit)`,
    fmt(naiveBacklog.utilisation, 3),
    fmt(oursBacklog.utilisation, 3),
    fmt(oursBacklog.utilisation / naiveBacklog.utilisation),
  ],
  [
    '429s from the stand-in during the backlog',
    String(naiveBacklog.rejected429),
    String(oursBacklog.rejected429),
    '—',
  ],
  [
    'most completions in flight at once',
    String(naiveBacklog.inFlightMax),
    String(oursBacklog.inFlightMax),
    '—',
  ],
  [
    'lone server behind a 15-request flood: upstream slot',
    String(naiveFlood.slot),
    String(oursFlood.slot),
    fmt(oursFlood.slot / naiveFlood.slot),
  ],
  [
    'lone server behind a 15-request flood: wait (s)',
    fmt(naiveFlood.waitMs / 1000, 1),
    fmt(oursFlood.waitMs / 1000, 1),
    fmt(oursFlood.waitMs / naiveFlood.waitMs),
  ],
  [
    'enqueue → start p50 under backlog (s)',
    fmt(naiveBacklog.p50 / 1000, 1),
    fmt(oursBacklog.p50 / 1000, 1),
    fmt(oursBacklog.p50 / naiveBacklog.p50),
  ],
  [
    'enqueue → start p99 under backlog (s)',
    fmt(naiveBacklog.p99 / 1000, 1),
    fmt(oursBacklog.p99 / 1000, 1),
    fmt(oursBacklog.p99 / naiveBacklog.p99),
  ],
  [
    'CPU time per request in the bot (ms)',
    fmt(naiveBacklog.cpuMsPerRequest),
    fmt(oursBacklog.cpuMsPerRequest),
    fmt(oursBacklog.cpuMsPerRequest / naiveBacklog.cpuMsPerRequest),
  ],
  ['RSS idle (MB, this process)', fmt(rssIdle, 1), fmt(rssIdle, 1), '—'],
  [
    'RSS growth with 10,000 queued requests (MB)',
    fmt(naiveMem.rss, 1),
    fmt(oursMem.rss, 1),
    fmt(oursMem.rss / naiveMem.rss),
  ],
  [
    'JS heap growth with 10,000 queued requests (MB)',
    fmt(naiveMem.heap, 1),
    fmt(oursMem.heap, 1),
    fmt(oursMem.heap / naiveMem.heap),
  ],
];
if (naiveTwo && oursTwo) {
  rows.push(
    [
      `two processes, one key: utilisation over ${oursTwo.seconds} s (accepted starts/s ÷ limit)`,
      fmt(naiveTwo.utilisation, 3),
      fmt(oursTwo.utilisation, 3),
      fmt(oursTwo.utilisation / naiveTwo.utilisation),
    ],
    [
      'two processes, one key: 429s from the stand-in',
      String(naiveTwo.rejected429),
      String(oursTwo.rejected429),
      '—',
    ],
  );
} else {
  rows.push(['two processes, one key', 'n/a', 'n/a', twoNote.slice(0, 60)]);
}
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...[['figure', 'naive', 'ours', 'ours/naive'], ...rows].map((r) => (r[i] as string).length)),
);
const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
console.log(line(['figure', 'naive', 'ours', 'ours/naive']));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
if (oursBacklog.violations > 0)
  console.log(`ours sent ${oursBacklog.violations} requests inside a stated Retry-After`);
process.exit(0);
