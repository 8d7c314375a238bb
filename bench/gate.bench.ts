/**
 * `npm run bench`: the real gate, fair queue, pacers and Mistral client against the strict 1-RPS
 * Mistral stand-in (in its own process), each row beside the best simple alternative in the same
 * run (see baselines.ts: the naive limiter has the gate's start margin and 429 retry; the
 * cross-process baseline shares the send slot but orders each process's line on its own).
 * The footprint rows (footprint.ts) run the bot as `npm start` does beside a bare client + SDK.
 * BENCH_SECONDS (default 15) sets the length of the backlog run; the whole run takes about 6 min.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { RequestGate } from '../src/gate/gate.ts';
import { ModelLimits } from '../src/gate/model-limits.ts';
import { DEFAULT_NOTICE_POLICY, EVERY_CHANGE, type NoticePolicy } from '../src/gate/notice-policy.ts';
import { Pacer } from '../src/gate/pacer.ts';
import { AnswerStream } from '../src/discord/answer-stream.ts';
import { waitingText } from '../src/discord/answer-text.ts';
import { createMistralApi, type MistralApi } from '../src/mistral/client.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { INTERVAL_MS, naiveLimiter } from './baselines.ts';
import { footprint, type Footprint } from './footprint.ts';
import { percentile } from './percentile.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const LATENCY_MS = 4_000;
const MODEL = 'mistral-small-latest';
const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });

const mb = (bytes: number) => bytes / 1024 / 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

interface Arrival {
  readonly at: number;
  readonly status: number | null;
  readonly accepted: boolean;
  readonly content: string;
}
interface StandInStats {
  rejected429: number;
  accepted: number;
  inFlightMax: number;
  violations: number;
  starts: number[];
  arrivals: Arrival[];
}
type StandIn = Awaited<ReturnType<typeof spawnStandIn>>;

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

/** Which requests (by question) the stand-in accepted, in order. */
const acceptedOrder = (stats: StandInStats) =>
  stats.arrivals
    .filter((a) => a.accepted)
    .sort((a, b) => a.at - b.at)
    .map((a) => a.content);

/** One way of sending requests upstream: the gate or the naive baseline. */
interface Contender {
  run(guildId: string, userId: string, attempt: () => Promise<unknown>): Promise<unknown>;
  readonly api: MistralApi;
  close(): Promise<void>;
}

function ours(url: string, paused = false): Contender & { gate: RequestGate } {
  const pacer = new Pacer(INTERVAL_MS);
  if (paused) pacer.pauseFor(3_600_000);
  const api = createMistralApi({
    serverUrl: url,
    apiKey: 'test-key',
    timeoutMs: 30_000,
    onSent: () => pacer.markSent(),
  });
  const gate = new RequestGate({ pacer, log, maxRetries: 3, limits: new ModelLimits() });
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

function naive(url: string): Contender {
  const limiter = naiveLimiter();
  const api = createMistralApi({ serverUrl: url, apiKey: 'test-key', timeoutMs: 30_000 });
  return {
    api,
    run: (_g, _u, attempt) => limiter.run(attempt),
    close: async () => {
      await limiter.close();
      api.close();
    },
  };
}

const ask =
  (api: MistralApi, content = 'benchmark question') =>
  () =>
    api.complete({ model: MODEL, messages: [{ role: 'user', content }], maxTokens: 100 });

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

/** A standing backlog for SECONDS: how much of the limit turns into accepted starts, and at what cost. */
async function backlog(make: () => Contender, standIn: StandIn) {
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

/**
 * `flood` requests first (from one server's one member, or from one member of the lone one's own
 * server), then one lone request: which upstream slot does the lone one get, after how long?
 */
async function flood(make: () => Contender, standIn: StandIn, shape: 'servers' | 'members', size: number) {
  await standIn.reset();
  const c = make();
  const order: string[] = [];
  let loneWait = NaN;
  const add = (guildId: string, userId: string, label: string) => {
    const enqueuedAt = performance.now();
    const attempt = ask(c.api);
    c.run(guildId, userId, () => {
      order.push(label);
      if (label === 'lone') loneWait = performance.now() - enqueuedAt;
      return attempt();
    }).catch(() => undefined);
  };
  for (let i = 0; i < size; i++) add('flooder', 'flood-member', `flood-${i}`);
  if (shape === 'servers') add('lone-server', 'lone-member', 'lone');
  else add('flooder', 'other-member', 'lone');
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
    const limiter = naiveLimiter();
    for (let i = 0; i < 10_000; i++)
      pending.push(limiter.run(() => Promise.resolve()).catch(() => undefined));
    close = () => limiter.close();
  }
  gc();
  await sleep(100);
  gc();
  const after = process.memoryUsage();
  await close();
  return { rss: mb(after.rss - before.rss), heap: mb(after.heapUsed - before.heapUsed) };
}

interface Job {
  readonly id: string;
  readonly guildId: string;
  readonly userId: string;
  readonly delayMs: number;
}

/** Two bot-like processes (A, B) against the one stand-in, started together; see shared-gate-worker.ts. */
async function twoProcesses(
  kind: 'naive' | 'arrival' | 'ours',
  standIn: StandIn,
  redisUrl: string,
  jobs: { a: Job[]; b: Job[] },
  seconds: number,
) {
  await standIn.reset();
  const worker = new URL('./shared-gate-worker.ts', import.meta.url).pathname;
  const scope = `bench-${kind}-${Math.random()}`;
  const children = [jobs.a, jobs.b].map((list) =>
    spawn(
      process.execPath,
      [worker, JSON.stringify({ kind, standInUrl: standIn.url, redisUrl, scope, seconds, jobs: list })],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  await Promise.all(
    children.map(async (child) => {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      await lines.next(); // ready
    }),
  );
  for (const child of children) child.stdin.write('go\n');
  await Promise.all(children.map((child) => once(child, 'exit')));
  const stats = await standIn.stats();
  return {
    utilisation: acceptedRate(stats.starts, seconds).perSecond,
    rejected429: stats.rejected429,
    violations: stats.violations,
    order: acceptedOrder(stats),
  };
}

const jobsOf = (count: number, guildId: string, delayMs = 0): Job[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${guildId}-${i}`, guildId, userId: `m${i}`, delayMs }));

/** Two servers flooding on process A, one on process B. */
const THREE_SERVERS = { a: [...jobsOf(20, 'A1'), ...jobsOf(20, 'A2')], b: jobsOf(20, 'B1') };
/** A 15-question flood on process A; one lone question on B 300 ms later. */
const LONE = { a: jobsOf(15, 'A-flood'), b: jobsOf(1, 'B-lone', 300) };
const SHARE_SLOTS = 12;

const shares = (order: readonly string[]) =>
  ['A1', 'A2', 'B1'].map((g) => order.slice(0, SHARE_SLOTS).filter((id) => id.startsWith(`${g}-`)).length);

/**
 * 500 members waiting (100 servers × 5) in a gate at 1 request/s with instant attempts: how many
 * notices it gives per second, and how many Discord edits they become through the answer's
 * stream as the interaction sink drives it (at most one edit per member per second, identical
 * texts skipped).
 */
async function notices(policy: NoticePolicy, seconds: number) {
  const pacer = new Pacer(INTERVAL_MS);
  const gate = new RequestGate({ pacer, log, maxRetries: 0, notices: policy });
  let calls = 0;
  let edits = 0;
  const perSecond: number[] = [];
  let measuring = false;
  const tickets = await Promise.all(
    Array.from({ length: 500 }, (_, i) => {
      const count = async () => {
        if (measuring) edits++;
        return 'message';
      };
      const notice = new AnswerStream({ editFirst: count, createFollowUp: count, editFollowUp: count });
      return gate.join({
        guildId: `guild-${i % 100}`,
        userId: `member-${i}`,
        model: MODEL,
        tokens: 100,
        onWait: (position, eta, stalled) => {
          if (measuring) calls++;
          notice.notice(waitingText('en-US', position, eta, stalled));
        },
        attempt: async () => {
          notice.attemptStarted();
          return undefined;
        },
      });
    }),
  );
  for (const t of tickets) t.result.catch(() => undefined);
  await sleep(2_000);
  measuring = true;
  for (let s = 0; s < seconds; s++) {
    const before = calls;
    await sleep(1_000);
    perSecond.push(calls - before);
  }
  measuring = false;
  await gate.close();
  return { perSecond: calls / seconds, peak: Math.max(...perSecond), editsPerSecond: edits / seconds };
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (a: number, b: number) => (b === 0 || !Number.isFinite(a / b) ? '—' : fmt(a / b));

const standIn = await spawnStandIn();
console.log(
  `Benchmark: ${SECONDS} s backlog, ${LATENCY_MS / 1000} s completions, strict 1 RPS stand-in (own process)…`,
);
const benchStart = performance.now();
const stage = (name: string) =>
  process.stderr.write(`  … ${name} (${((performance.now() - benchStart) / 1000).toFixed(1)} s)\n`);
stage('server flood, naive');
const naiveFlood = await flood(() => naive(standIn.url), standIn, 'servers', 15);
stage('server flood, ours');
const oursFlood = await flood(() => ours(standIn.url), standIn, 'servers', 15);
stage('member flood, naive');
const naiveMember = await flood(() => naive(standIn.url), standIn, 'members', 10);
stage('member flood, ours');
const oursMember = await flood(() => ours(standIn.url), standIn, 'members', 10);
stage('backlog, naive');
const naiveBacklog = await backlog(() => naive(standIn.url), standIn);
stage('backlog, ours');
const oursBacklog = await backlog(() => ours(standIn.url), standIn);

let cross:
  | {
      naiveThree: Awaited<ReturnType<typeof twoProcesses>>;
      arrivalThree: Awaited<ReturnType<typeof twoProcesses>>;
      oursThree: Awaited<ReturnType<typeof twoProcesses>>;
      arrivalLone: Awaited<ReturnType<typeof twoProcesses>>;
      oursLone: Awaited<ReturnType<typeof twoProcesses>>;
    }
  | undefined;
let crossNote = '';
stage('two processes (notices measured meanwhile, in this process)');
const noticeRuns = Promise.all([notices(EVERY_CHANGE, 15), notices(DEFAULT_NOTICE_POLICY, 15)]);
try {
  const redis = await startRedisServer();
  try {
    const seconds = 14;
    cross = {
      naiveThree: await twoProcesses('naive', standIn, redis.url, THREE_SERVERS, seconds),
      arrivalThree: await twoProcesses('arrival', standIn, redis.url, THREE_SERVERS, seconds),
      oursThree: await twoProcesses('ours', standIn, redis.url, THREE_SERVERS, seconds),
      arrivalLone: await twoProcesses('arrival', standIn, redis.url, LONE, 5),
      oursLone: await twoProcesses('ours', standIn, redis.url, LONE, 5),
    };
  } finally {
    await redis.close();
  }
} catch (error) {
  crossNote = error instanceof Error ? error.message : String(error);
}
const [everyNotice, oursNotice] = await noticeRuns;
stage('10,000 queued');
const naiveMem = await queuedMemory('naive');
const oursMem = await queuedMemory('ours');
await standIn.close();
let fp: Awaited<ReturnType<typeof footprint>> | undefined;
let fpNote = '';
try {
  fp = await footprint(stage);
} catch (error) {
  fpNote = error instanceof Error ? error.message : String(error);
}

type Row = [string, string, string, string];
const section = (title: string): Row => [`**${title}**`, '', '', ''];
const rows: Row[] = [
  section('one process; baseline: Bottleneck minTime 1015 ms, first come first served, same 429 retry'),
  [
    `upstream utilisation over ${fmt(oursBacklog.windowSeconds, 0)} s of backlog (accepted starts/s ÷ limit)`,
    fmt(naiveBacklog.utilisation, 3),
    fmt(oursBacklog.utilisation, 3),
    ratio(oursBacklog.utilisation, naiveBacklog.utilisation),
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
    ratio(oursFlood.slot, naiveFlood.slot),
  ],
  [
    'lone server behind a 15-request flood: wait (s)',
    fmt(naiveFlood.waitMs / 1000, 1),
    fmt(oursFlood.waitMs / 1000, 1),
    ratio(oursFlood.waitMs, naiveFlood.waitMs),
  ],
  [
    'member behind a 10-request flood of another member, same server: slot',
    String(naiveMember.slot),
    String(oursMember.slot),
    ratio(oursMember.slot, naiveMember.slot),
  ],
  [
    'member behind a 10-request flood of another member, same server: wait (s)',
    fmt(naiveMember.waitMs / 1000, 1),
    fmt(oursMember.waitMs / 1000, 1),
    ratio(oursMember.waitMs, naiveMember.waitMs),
  ],
  [
    'enqueue → start p50 under backlog (s)',
    fmt(naiveBacklog.p50 / 1000, 1),
    fmt(oursBacklog.p50 / 1000, 1),
    ratio(oursBacklog.p50, naiveBacklog.p50),
  ],
  [
    'enqueue → start p99 under backlog (s)',
    fmt(naiveBacklog.p99 / 1000, 1),
    fmt(oursBacklog.p99 / 1000, 1),
    ratio(oursBacklog.p99, naiveBacklog.p99),
  ],
  [
    'CPU per request, gate + Mistral client in this process (ms)',
    fmt(naiveBacklog.cpuMsPerRequest),
    fmt(oursBacklog.cpuMsPerRequest),
    ratio(oursBacklog.cpuMsPerRequest, naiveBacklog.cpuMsPerRequest),
  ],
  [
    'RSS growth with 10,000 queued requests (MB)',
    fmt(naiveMem.rss, 1),
    fmt(oursMem.rss, 1),
    ratio(oursMem.rss, naiveMem.rss),
  ],
  [
    'JS heap growth with 10,000 queued requests (MB)',
    fmt(naiveMem.heap, 1),
    fmt(oursMem.heap, 1),
    ratio(oursMem.heap, naiveMem.heap),
  ],
  section('500 members waiting at 1 request/s; baseline: every change told (the gate before the policy)'),
  [
    'gate notices per second (onWait calls, 15 s after all joined)',
    fmt(everyNotice.perSecond, 1),
    fmt(oursNotice.perSecond, 1),
    ratio(oursNotice.perSecond, everyNotice.perSecond),
  ],
  ['gate notices in the busiest second', String(everyNotice.peak), String(oursNotice.peak), '—'],
  [
    'Discord edits per second they become (the answer stream, ≤ 1 per member per s)',
    fmt(everyNotice.editsPerSecond, 1),
    fmt(oursNotice.editsPerSecond, 1),
    ratio(oursNotice.editsPerSecond, everyNotice.editsPerSecond),
  ],
];
if (cross) {
  const { naiveThree, arrivalThree, oursThree, arrivalLone, oursLone } = cross;
  const slot = (order: readonly string[]) => {
    const i = order.indexOf('B-lone-0');
    return i < 0 ? `> ${order.length}` : String(i + 1);
  };
  const spread = (s: number[]) => Math.max(...s) / Math.max(1, Math.min(...s));
  rows.push(
    section('two processes, one key; baseline: a Bottleneck per process (same margin and 429 retry)'),
    [
      'utilisation over 14 s, 2 servers on A + 1 on B flooding (accepted starts/s ÷ limit)',
      fmt(naiveThree.utilisation, 3),
      fmt(oursThree.utilisation, 3),
      ratio(oursThree.utilisation, naiveThree.utilisation),
    ],
    ['429s from the stand-in', String(naiveThree.rejected429), String(oursThree.rejected429), '—'],
    section('two processes, one key; baseline: one shared send slot, each process orders its own line'),
    [
      `slots of the first ${SHARE_SLOTS} for servers A1 / A2 (process A) / B1 (process B)`,
      shares(arrivalThree.order).join(' / '),
      shares(oursThree.order).join(' / '),
      '—',
    ],
    [
      'largest ÷ smallest of those shares (1 = equal)',
      fmt(spread(shares(arrivalThree.order))),
      fmt(spread(shares(oursThree.order))),
      '—',
    ],
    [
      'lone server on B behind a 15-request flood on A: upstream slot',
      slot(arrivalLone.order),
      slot(oursLone.order),
      '—',
    ],
    [
      '429s / violations (all shared-slot runs)',
      `${arrivalThree.rejected429 + arrivalLone.rejected429} / ${arrivalThree.violations + arrivalLone.violations}`,
      `${oursThree.rejected429 + oursLone.rejected429} / ${oursThree.violations + oursLone.violations}`,
      '—',
    ],
  );
} else {
  rows.push(['two processes, one key', 'n/a', 'n/a', crossNote.slice(0, 60)]);
}
if (fp) {
  const { bareSmall, botSmall, bareLarge, botLarge, cpu } = fp;
  const pair = (figure: string, value: (f: Footprint) => number, digits = 1): Row => [
    figure,
    fmt(value(bareSmall), digits) + ' / ' + fmt(value(bareLarge), digits),
    fmt(value(botSmall), digits) + ' / ' + fmt(value(botLarge), digits),
    '—',
  ];
  rows.push(
    section(
      `footprint as \`npm start\` runs it (${fp.settings.join(' ')}); baseline: bare discord.js client + SDK chat, same settings`,
    ),
    pair('RSS 10 s after ready (MB), 3 servers / 1,000 servers × 20 channels', (f) => f.rssMb),
    [
      "the bot's share over the baseline (MB), 3 / 1,000 servers",
      '—',
      `${fmt(botSmall.rssMb - bareSmall.rssMb, 1)} / ${fmt(botLarge.rssMb - bareLarge.rssMb, 1)}`,
      '—',
    ],
    pair('idle CPU (ms per 10 s), 3 / 1,000 servers', (f) => f.idleCpuMsPer10s),
    [
      `CPU per answered /ask, the two asked in turns (ms, median / p90 of ${cpu.rounds} each; answered ${cpu.answered.bare} / ${cpu.answered.bot})`,
      `${fmt(cpu.bare.medianMs, 1)} / ${fmt(cpu.bare.p90Ms, 1)}`,
      `${fmt(cpu.bot.medianMs, 1)} / ${fmt(cpu.bot.p90Ms, 1)}`,
      ratio(cpu.bot.medianMs, cpu.bare.medianMs),
    ],
    [
      "the bot's own CPU per /ask: bot − baseline in each round (ms, median [95% interval] / p90)",
      '—',
      `${fmt(cpu.ownMedianMs, 1)} [${fmt(cpu.ownMedianIntervalMs[0], 1)}–${fmt(cpu.ownMedianIntervalMs[1], 1)}] / ${fmt(cpu.ownP90Ms, 1)}`,
      '—',
    ],
    [
      'Discord 429s / Mistral 429s / violations (footprint runs)',
      `${bareSmall.discord429 + bareLarge.discord429} / ${bareSmall.mistral429 + bareLarge.mistral429} / ${bareSmall.violations + bareLarge.violations}`,
      `${botSmall.discord429 + botLarge.discord429} / ${botSmall.mistral429 + botLarge.mistral429} / ${botSmall.violations + botLarge.violations}`,
      '—',
    ],
  );
} else {
  rows.push(['footprint', 'n/a', 'n/a', fpNote.slice(0, 60)]);
}
const header: Row = ['figure', 'baseline', 'ours', 'ours/baseline'];
const widths = [0, 1, 2, 3].map((i) => Math.max(...[header, ...rows].map((r) => (r[i] as string).length)));
const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
if (oursBacklog.violations > 0)
  console.log(`ours sent ${oursBacklog.violations} requests too early or inside a stated Retry-After`);
process.exit(0);
