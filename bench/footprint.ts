/**
 * The footprint rows of `npm run bench`: the bot exactly as `npm start` runs it (the built
 * JavaScript in dist/ under the V8 flags of package.json's start script) beside the simplest bot
 * that answers (bare-client.ts: a bare discord.js client + the Mistral SDK's streaming chat, built
 * the same way, run under the same flags), each in its own process against stand-ins in a third.
 * Figures come from /proc: resident memory (VmRSS) 10 s after ready, CPU time of all threads
 * (schedstat, ns) while idle and per answered `/ask` asked one at a time. Linux only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '..');
const SETTLE_MS = 10_000;
const IDLE_MS = 10_000;
const SEQUENTIAL_ASKS = 30;

/** The V8 flags and entry point of `npm start` (package.json), so the benchmark cannot drift from it. */
function startCommand(): { flags: string[]; entry: string } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.replace(/^exec\s+/, '').split(/\s+/);
  if (words[0] !== 'node') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  const rest = words.slice(1);
  return {
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
  /** Median and 90th percentile CPU per answered question, idle rate subtracted; only with asks. */
  readonly cpuPerAnswer?: { readonly medianMs: number; readonly p90Ms: number; readonly answered: number };
  /** The stand-ins' own records: 429s and violations over the whole run. */
  readonly discord429: number;
  readonly mistral429: number;
  readonly violations: number;
}

/** One process (the bot or the baseline) on `servers` × `channels`, optionally asked questions. */
async function measure(script: string, flags: string[], servers: number, channels: number, asks: boolean) {
  const standIns = spawn(
    process.execPath,
    [join(ROOT, 'bench/discord-standin-server.ts'), String(servers), String(channels)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const fromStandIns = lineReader(standIns);
  const data = mkdtempSync(join(tmpdir(), 'bench-footprint-'));
  let bot: ChildProcess | undefined;
  try {
    const { env } = JSON.parse(await fromStandIns.wait((l) => l.startsWith('{"env"'), 120_000)) as {
      env: Record<string, string>;
    };
    bot = spawn(process.execPath, [...flags, script], {
      cwd: data,
      env: {
        PATH: process.env.PATH,
        ...env,
        DATABASE_URL: `sqlite://${join(data, 'bot.sqlite')}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = bot.pid!;
    const exited = once(bot, 'exit').then(([code]) => {
      throw new Error(`${script} exited with ${String(code)} before it was ready`);
    });
    await Promise.race([lineReader(bot).wait((l) => /"msg":"ready"/.test(l), 300_000), exited]);
    await sleep(SETTLE_MS);
    const rss = rssMb(pid);
    const idle0 = cpuMs(pid);
    await sleep(IDLE_MS);
    const idleCpu = cpuMs(pid) - idle0;
    let cpuPerAnswer: Footprint['cpuPerAnswer'];
    if (asks) {
      const ask = async (n: number) => {
        const from = fromStandIns.count;
        standIns.stdin.write(`ask ${n}\n`);
        return JSON.parse(await fromStandIns.wait((l) => l.startsWith(`{"asked":${n},`), 150_000, from)) as {
          answered: number;
        };
      };
      // Warm-up: first-use code paths are not what each question costs.
      for (let i = 0; i < 5; i++) await ask(1);
      await sleep(500);
      const idleRate = idleCpu / IDLE_MS;
      const per: number[] = [];
      let answered = 0;
      for (let i = 0; i < SEQUENTIAL_ASKS; i++) {
        const cpu0 = cpuMs(pid);
        const t0 = performance.now();
        answered += (await ask(1)).answered;
        await sleep(150); // the last edit's reply and the settle after it
        per.push(cpuMs(pid) - cpu0 - idleRate * (performance.now() - t0));
      }
      per.sort((x, y) => x - y);
      cpuPerAnswer = {
        medianMs: per[per.length >> 1]!,
        p90Ms: per[Math.floor(per.length * 0.9)]!,
        answered,
      };
    }
    standIns.stdin.write('stats\n');
    const stats = JSON.parse(await fromStandIns.wait((l) => l.startsWith('{"discord429"'), 10_000)) as {
      discord429: number;
      mistral429: number;
      violations: number;
    };
    return { rssMb: rss, idleCpuMsPer10s: (idleCpu * 10_000) / IDLE_MS, cpuPerAnswer, ...stats };
  } finally {
    bot?.kill('SIGKILL');
    standIns.stdin.write('exit\n');
    setTimeout(() => standIns.kill('SIGKILL'), 3_000).unref();
    await once(standIns, 'exit');
    rmSync(data, { recursive: true, force: true });
  }
}

/** The bot and the baseline on 3 servers (idle, then questions) and on 1,000 servers × 20 channels. */
export async function footprint(stage: (name: string) => void) {
  const { flags, entry } = startCommand();
  const baseline = build();
  const bot = join(ROOT, entry);
  stage('footprint: 3 servers, baseline');
  const bareSmall = await measure(baseline, flags, 3, 1, true);
  stage('footprint: 3 servers, the bot');
  const botSmall = await measure(bot, flags, 3, 1, true);
  stage('footprint: 1,000 servers × 20 channels, baseline');
  const bareLarge = await measure(baseline, flags, 1_000, 20, false);
  stage('footprint: 1,000 servers × 20 channels, the bot');
  const botLarge = await measure(bot, flags, 1_000, 20, false);
  return { flags, bareSmall, botSmall, bareLarge, botLarge };
}
