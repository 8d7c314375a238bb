/**
 * The footprint rows of `npm run bench`: the bot exactly as `npm start` runs it (the built
 * JavaScript in dist/ under the settings of package.json's start script: its malloc arena limit and
 * V8 flags) beside the simplest bot that answers (bare-client.ts: a bare discord.js client + the
 * Mistral SDK's streaming chat, built the same way, run under the same settings), each in its own
 * process against its own stand-ins.
 * Figures come from /proc: resident memory (VmRSS) 10 s after ready, CPU time of all threads
 * (schedstat, ns) while idle and per answered `/ask`, one at a time, the bot and the baseline in
 * turns. Linux only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { medianInterval, percentile } from './percentile.ts';

const ROOT = join(import.meta.dirname, '..');
const SETTLE_MS = 10_000;
const IDLE_MS = 10_000;
/**
 * Questions each process answers before measuring, then rounds of one question each. 300 rounds:
 * with 100, the median of bot − baseline moved by up to ±0.4 ms from one run to the next.
 */
const WARM_UP_ASKS = 30;
const ROUNDS = 300;

/**
 * The environment defaults, V8 flags and entry point of `npm start` (package.json), so the benchmark
 * cannot drift from it: `NAME=${NAME:-value}` words before `exec node` are applied as `value`.
 */
function startCommand(): { env: Record<string, string>; flags: string[]; entry: string } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  // NAME=${NAME:-default} or NAME=value
  const assignment = /^([A-Z_]+)=(?:\$\{\1:-([^}]*)\}|(.*))$/;
  let m: RegExpExecArray | null;
  while ((m = assignment.exec(words[0] ?? ''))) {
    env[m[1] as string] = m[2] ?? m[3] ?? '';
    words.shift();
  }
  if (words[0] === 'exec') words.shift();
  if (words[0] !== 'node') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  const rest = words.slice(1);
  return {
    env,
    flags: rest.filter((w) => w.startsWith('--')),
    entry: rest.find((w) => !w.startsWith('--')) ?? '',
  };
}

/** `npm run build`, then the baseline stripped of its types beside it in dist/bench/. */
function build(): string {
  const built = spawnSync(process.execPath, ['--no-warnings', join(ROOT, 'scripts/build.ts')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const baseline = join(ROOT, 'dist/bench/bare-client.js');
  mkdirSync(join(ROOT, 'dist/bench'), { recursive: true });
  writeFileSync(
    baseline,
    stripTypeScriptTypes(readFileSync(join(ROOT, 'bench/bare-client.ts'), 'utf8'), { mode: 'strip' }),
  );
  return baseline;
}

function lineReader(child: ChildProcess) {
  const seen: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    seen.push(line);
    for (const w of [...waiters])
      if (w.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
  });
  return {
    get count() {
      return seen.length;
    },
    wait: (test: (l: string) => boolean, timeoutMs: number, from = 0) =>
      new Promise<string>((resolve, reject) => {
        const hit = seen.slice(from).find(test);
        if (hit !== undefined) return resolve(hit);
        waiters.push({ test, resolve });
        setTimeout(
          () => reject(new Error(`timed out; last lines: ${seen.slice(-3).join(' | ')}`)),
          timeoutMs,
        ).unref();
      }),
  };
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
/** CPU time of every live thread of a process, in ms. */
const cpuMs = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).reduce((sum, task) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return sum; // the thread ended meanwhile
    }
  }, 0);

export interface Footprint {
  readonly rssMb: number;
  readonly idleCpuMsPer10s: number;
  /** The stand-ins' own records: 429s and violations over the whole run. */
  readonly discord429: number;
  readonly mistral429: number;
  readonly violations: number;
}

/** CPU per answered question of the bot and the baseline, asked in turns in the same minutes. */
export interface CpuPerAnswer {
  readonly bare: { readonly medianMs: number; readonly p90Ms: number };
  readonly bot: { readonly medianMs: number; readonly p90Ms: number };
  /** The median of (bot − baseline) over the rounds: what the bot's own work adds per question. */
  readonly ownMedianMs: number;
  /** A 95% interval for that median (bootstrap over the rounds): how far this run's may be off. */
  readonly ownMedianIntervalMs: readonly [number, number];
  readonly ownP90Ms: number;
  readonly rounds: number;
  readonly answered: { readonly bare: number; readonly bot: number };
}

type StartCommand = ReturnType<typeof startCommand>;

/** One process (the bot or the baseline) on `servers` × `channels`, ready, with its own stand-ins. */
async function start(script: string, command: StartCommand, servers: number, channels: number) {
  const standIns = spawn(
    process.execPath,
    [join(ROOT, 'bench/discord-standin-server.ts'), String(servers), String(channels)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const fromStandIns = lineReader(standIns);
  const data = mkdtempSync(join(tmpdir(), 'bench-footprint-'));
  let bot: ChildProcess | undefined;
  const close = async () => {
    bot?.kill('SIGKILL');
    standIns.stdin.write('exit\n');
    setTimeout(() => standIns.kill('SIGKILL'), 3_000).unref();
    await once(standIns, 'exit');
    rmSync(data, { recursive: true, force: true });
  };
  try {
    const { env } = JSON.parse(await fromStandIns.wait((l) => l.startsWith('{"env"'), 120_000)) as {
      env: Record<string, string>;
    };
    bot = spawn(process.execPath, [...command.flags, script], {
      cwd: data,
      env: {
        PATH: process.env.PATH,
        ...command.env,
        ...env,
        DATABASE_URL: `sqlite://${join(data, 'bot.sqlite')}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(bot, 'exit').then(([code]) => {
      throw new Error(`${script} exited with ${String(code)} before it was ready`);
    });
    await Promise.race([lineReader(bot).wait((l) => /"msg":"ready"/.test(l), 300_000), exited]);
  } catch (error) {
    await close();
    throw error;
  }
  const pid = bot.pid!;
  return {
    pid,
    /** One `/ask`; resolves with how many got a final answer (1 or 0) once it has. */
    async ask(): Promise<number> {
      const from = fromStandIns.count;
      standIns.stdin.write('ask 1\n');
      const line = await fromStandIns.wait((l) => l.startsWith('{"asked":1,'), 150_000, from);
      return (JSON.parse(line) as { answered: number }).answered;
    },
    async stats() {
      const from = fromStandIns.count;
      standIns.stdin.write('stats\n');
      return JSON.parse(await fromStandIns.wait((l) => l.startsWith('{"discord429"'), 10_000, from)) as {
        discord429: number;
        mistral429: number;
        violations: number;
      };
    },
    close,
  };
}
type Running = Awaited<ReturnType<typeof start>>;

/**
 * RSS 10 s after ready, then idle CPU over 10 s, of processes started together. `idleRate` (ms of
 * CPU per ms) is the median of the ten one-second windows: what a process spends when nothing
 * happens, taken off each question's CPU. A one-off burst in the idle time (a late collection, a
 * housekeeping timer) is in `idleCpuMs` but not in the rate, where it would be taken off every
 * round of the run.
 */
async function settle(processes: readonly Running[]) {
  await sleep(SETTLE_MS);
  const rss = processes.map((p) => rssMb(p.pid));
  const idle0 = processes.map((p) => cpuMs(p.pid));
  const windows = processes.map(() => [] as number[]);
  let last = idle0;
  for (let second = 0; second < IDLE_MS / 1_000; second++) {
    await sleep(1_000);
    const now = processes.map((p) => cpuMs(p.pid));
    now.forEach((ms, i) => windows[i]!.push(ms - last[i]!));
    last = now;
  }
  return processes.map((_, i) => ({
    rssMb: rss[i]!,
    idleCpuMs: last[i]! - idle0[i]!,
    idleRate: percentile(windows[i]!, 50) / 1_000,
  }));
}

type Settled = Awaited<ReturnType<typeof settle>>[number];

/** CPU (ms) one question costs a process: its CPU over the question, less its idle rate. */
async function askOnce(p: Running, idleRate: number): Promise<{ ms: number; answered: number }> {
  const cpu0 = cpuMs(p.pid);
  const t0 = performance.now();
  const answered = await p.ask();
  await sleep(150); // the last edit's reply and the settle after it
  return { ms: cpuMs(p.pid) - cpu0 - idleRate * (performance.now() - t0), answered };
}

/**
 * The bot and the baseline on 3 servers, started together and asked in turns (which goes first
 * alternates), so both see the same machine at the same moments; then each alone on 1,000 servers
 * × 20 channels (memory only).
 */
export async function footprint(stage: (name: string) => void) {
  const command = startCommand();
  const baselineScript = build();
  const botScript = join(ROOT, command.entry);
  stage('footprint: 3 servers, the bot and the baseline side by side');
  const [bare, bot] = await Promise.all([
    start(baselineScript, command, 3, 1),
    start(botScript, command, 3, 1),
  ]);
  let bareSmall: Footprint;
  let botSmall: Footprint;
  let cpu: CpuPerAnswer;
  try {
    const [bareIdle, botIdle] = (await settle([bare, bot])) as [Settled, Settled];
    const runs = {
      bare: { process: bare, idleRate: bareIdle.idleRate, ms: [] as number[], answered: 0 },
      bot: { process: bot, idleRate: botIdle.idleRate, ms: [] as number[], answered: 0 },
    };
    // Warm-up: first-use code paths are not what each question costs.
    for (let i = 0; i < WARM_UP_ASKS; i++)
      for (const run of [runs.bare, runs.bot]) await askOnce(run.process, run.idleRate);
    await sleep(500);
    for (let round = 0; round < ROUNDS; round++) {
      for (const run of round % 2 === 0 ? [runs.bare, runs.bot] : [runs.bot, runs.bare]) {
        const r = await askOnce(run.process, run.idleRate);
        run.ms.push(r.ms);
        run.answered += r.answered;
      }
    }
    const own = runs.bot.ms.map((ms, i) => ms - runs.bare.ms[i]!);
    cpu = {
      bare: { medianMs: percentile(runs.bare.ms, 50), p90Ms: percentile(runs.bare.ms, 90) },
      bot: { medianMs: percentile(runs.bot.ms, 50), p90Ms: percentile(runs.bot.ms, 90) },
      ownMedianMs: percentile(own, 50),
      ownMedianIntervalMs: medianInterval(own),
      ownP90Ms: percentile(own, 90),
      rounds: ROUNDS,
      answered: { bare: runs.bare.answered, bot: runs.bot.answered },
    };
    bareSmall = { rssMb: bareIdle.rssMb, idleCpuMsPer10s: bareIdle.idleCpuMs, ...(await bare.stats()) };
    botSmall = { rssMb: botIdle.rssMb, idleCpuMsPer10s: botIdle.idleCpuMs, ...(await bot.stats()) };
  } finally {
    await Promise.all([bare.close(), bot.close()]);
  }
  const alone = async (script: string) => {
    const p = await start(script, command, 1_000, 20);
    try {
      const [idle] = (await settle([p])) as [Settled];
      return { rssMb: idle.rssMb, idleCpuMsPer10s: idle.idleCpuMs, ...(await p.stats()) } satisfies Footprint;
    } finally {
      await p.close();
    }
  };
  stage('footprint: 1,000 servers × 20 channels, baseline');
  const bareLarge = await alone(baselineScript);
  stage('footprint: 1,000 servers × 20 channels, the bot');
  const botLarge = await alone(botScript);
  const settings = [
    ...Object.entries(command.env).map(([name, value]) => `${name}=${value}`),
    ...command.flags,
  ];
  return { settings, bareSmall, botSmall, bareLarge, botLarge, cpu };
}
