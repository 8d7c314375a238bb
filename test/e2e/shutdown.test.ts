import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { t } from '../../src/i18n/catalogue.ts';
import { snowflake, startDiscordStandIn, type DiscordStandIn } from '../standins/discord.ts';
import { startMistralStandIn, type MistralStandIn } from '../standins/mistral.ts';
import { watchCleanRun, type CleanRunWatch } from '../support/clean-run.ts';
import { exitOf, ROOT, startScript, waitUntil, type ScriptProcess } from '../support/process.ts';
import { answered, PERMS, seen } from './harness.ts';

type BotProcess = ScriptProcess;
const startProcess = (env: Record<string, string>, cwd: string): BotProcess =>
  startScript('src/main.ts', env, cwd);
const waitFor = (check: () => boolean, what: string, timeoutMs = 20_000) => waitUntil(check, what, timeoutMs);

describe('the bot process: graceful shutdown and its logs', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bot-shutdown-'));
  const guildId = snowflake();
  const channelId = snowflake();
  const apiKey = 'sk-standin-0123456789abcdef';
  let discord: DiscordStandIn;
  let mistral: MistralStandIn;
  let env: Record<string, string>;
  let clean: CleanRunWatch;
  const completions = () => mistral.requests.filter((r) => r.path === '/v1/chat/completions');

  before(async () => {
    discord = await startDiscordStandIn({
      guilds: [{ id: guildId, channels: [{ id: channelId, type: 0 }] }],
    });
    mistral = await startMistralStandIn({ requestsPerSecond: 1, latencyMs: 2_500, apiKey });
    clean = watchCleanRun({ discord, mistral });
    env = {
      DISCORD_TOKEN: discord.token,
      MISTRAL_API_KEY: apiKey,
      DISCORD_API_URL: discord.apiUrl,
      MISTRAL_SERVER_URL: mistral.url,
      DATABASE_URL: `sqlite://${join(cwd, 'bot.sqlite')}`,
      // One start every 4 s: the second and third questions are surely still waiting at SIGTERM.
      MISTRAL_REQUESTS_PER_SECOND: '0.25',
    };
  });
  afterEach(() => clean.assertCleanRun());
  after(async () => {
    await discord.close();
    await mistral.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  let asker = 0;
  /** Each question from its own member: one member may have only one question in line. */
  const ask = (prompt: string) =>
    discord.interact({
      guildId,
      channelId,
      command: 'ask',
      userId: `4300000000000000${String(asker++ % 100).padStart(2, '0')}`,
      options: { prompt },
    });

  it('GIVEN a question upstream and two waiting WHEN SIGTERM THEN the first is answered, the waiting are told, new ones are refused, it exits 0 and usage survives', async () => {
    const bot = startProcess(env, cwd);
    try {
      await waitFor(() => /"msg":"ready"/.test(bot.output()), 'ready');
      const inFlight = ask('the question already upstream');
      await waitFor(() => completions().length === 1, 'the first request upstream');
      const waiting = [ask('a waiting question'), ask('another waiting question')];
      await Promise.all(waiting.map((x) => x.waitForAck(3_000)));
      assert.equal(completions().length, 1, 'the other two are still waiting');

      bot.kill('SIGTERM');
      await waitFor(() => /shutting down/.test(bot.output()), 'the shutdown line');
      const late = ask('a question after SIGTERM');
      const { code } = await exitOf(bot);
      assert.equal(code, 0, bot.output());

      assert.match(inFlight.original() ?? '', /This is the stand-in answer/);
      for (const x of waiting) {
        assert.match(seen(x), /restarting; your question was not sent/);
        assert.ok(
          x.allMessages().every((m) => m.ephemeral),
          'told privately, no public placeholder left',
        );
      }
      assert.ok(late.allMessages().length > 0, 'the question after SIGTERM was answered');
      assert.equal(seen(late), t('en-US', 'restarting'));
      assert.ok(late.ephemeral);
      assert.equal(completions().length, 1, 'nothing else went upstream');
      assert.deepEqual(discord.violations, []);
      // Prompts are logged at debug only; this ran at the default level (info).
      assert.doesNotMatch(bot.output(), /the question already upstream|a waiting question/);
      assert.match(bot.output(), /"msg":"stopped"/);
    } finally {
      bot.kill('SIGKILL');
    }

    const charged = completions()[0]?.usage?.total_tokens;
    assert.ok(charged);
    const again = startProcess(env, cwd);
    try {
      await waitFor(() => /"msg":"ready"/.test(again.output()), 'ready after restart');
      const usage = discord.interact({
        guildId,
        channelId,
        command: 'usage',
        permissions: PERMS.member | PERMS.manageGuild,
      });
      await usage.waitFor((x) => x.allMessages().length > 0);
      assert.match(seen(usage), new RegExp(`Used \\*\\*${charged.toLocaleString('en-US')}\\*\\*`));
      assert.match(seen(usage), /1 request\b/);
      again.kill('SIGTERM');
      assert.equal((await exitOf(again)).code, 0);
    } finally {
      again.kill('SIGKILL');
    }
  });

  it('GIVEN npm start in its own process group with 8 questions in flight or waiting WHEN the group gets SIGTERM THEN every member is answered or told, it exits 0, the whole tree is gone in time, and a restart right away succeeds', async () => {
    const npm = (dataEnv: Record<string, string>) => {
      // Under `npm test` npm tells its own path; run it with this Node as a supervisor would.
      const cli = process.env.npm_execpath;
      const child = spawn(cli ? process.execPath : 'npm', [...(cli ? [cli] : []), 'start'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...dataEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, like a service manager or a terminal's job
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      return Object.assign(child, { output: () => out });
    };
    const groupAlive = (pgid: number) => {
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const graceMs = 5_000;
    const runEnv = {
      ...env,
      SHUTDOWN_GRACE_MS: String(graceMs),
      DATABASE_URL: `sqlite://${join(cwd, 'group.sqlite')}`,
    };
    const bot = npm(runEnv);
    let again: ReturnType<typeof npm> | undefined;
    try {
      await waitFor(() => /"msg":"ready"/.test(bot.output()), 'ready under npm start');
      const before = completions().length;
      const handles = Array.from({ length: 8 }, (_, i) => ask(`group question ${i}`));
      await Promise.all(handles.map((x) => x.waitForAck(3_000)));
      await waitFor(() => completions().length > before, 'the first request upstream');
      const pgid = bot.pid as number;
      const t0 = Date.now();
      process.kill(-pgid, 'SIGTERM');
      // A supervisor that restarts at once: the new process waits for the old one's store lock.
      await sleep(200);
      again = npm(runEnv);
      const { code } = await exitOf(bot);
      assert.equal(code, 0, bot.output());
      await waitFor(() => !groupAlive(pgid), 'the whole process tree gone', graceMs + 5_000);
      assert.ok(Date.now() - t0 <= graceMs + 5_000, `gone after ${Date.now() - t0} ms`);
      assert.doesNotMatch(
        bot.output(),
        /second signal: exiting/,
        'the copies of the signal were one request',
      );
      for (const x of handles) {
        assert.ok(
          answered(x) || /restarting; your question was not sent/.test(seen(x)),
          `every member answered or told: ${seen(x)}`,
        );
      }
      assert.ok(handles.some(answered), 'the question upstream was answered');
      await waitFor(() => /"msg":"ready"/.test(again?.output() ?? ''), 'the restarted bot ready', 30_000);
      const after = ask('after the restart');
      await after.waitFor(answered, 15_000);
    } finally {
      for (const child of [bot, again]) {
        if (child?.pid) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }
  });

  it('GIVEN a shutdown waiting on a slow answer WHEN a second signal comes THEN it exits at once, non-zero', async () => {
    mistral.setLatencyMs(30_000);
    const bot = startProcess({ ...env, SHUTDOWN_GRACE_MS: '60000' }, cwd);
    try {
      await waitFor(() => /"msg":"ready"/.test(bot.output()), 'ready');
      const before = completions().length;
      ask('a slow question');
      await waitFor(() => completions().length === before + 1, 'the slow request upstream');
      bot.kill('SIGTERM');
      await waitFor(() => /shutting down/.test(bot.output()), 'the shutdown line');
      // A copy within a second is the same request (a signalled process group): wait past that.
      await sleep(1_200);
      const t0 = Date.now();
      bot.kill('SIGINT');
      const { code } = await exitOf(bot);
      assert.equal(code, 130);
      assert.ok(Date.now() - t0 < 5_000, 'at once, not after the grace period');
      assert.match(bot.output(), /second signal: exiting at once/);
    } finally {
      bot.kill('SIGKILL');
      mistral.setLatencyMs(50);
    }
  });

  it('GIVEN a run at debug level with a refused Mistral key THEN no log line holds the token or the key, and the member sees the reference the log has', async () => {
    const bot = startProcess({ ...env, LOG_LEVEL: 'debug', MISTRAL_REQUESTS_PER_SECOND: '1' }, cwd);
    try {
      await waitFor(() => /"msg":"ready"/.test(bot.output()), 'ready');
      const ok = ask('hello there');
      await ok.waitFor((x) => /This is the stand-in answer/.test(x.original() ?? ''), 10_000);
      mistral.setApiKey('sk-someone-elses-key-000000');
      const refused = ask('and now with a refused key');
      await refused.waitFor((x) => /key was refused/.test(seen(x)), 10_000);
      const ref = /\(ref `([a-z0-9]{6})`\)/.exec(seen(refused))?.[1];
      assert.ok(ref, seen(refused));
      bot.kill('SIGTERM');
      assert.equal((await exitOf(bot)).code, 0);

      const lines = bot.output().trim().split('\n');
      const refusal = lines.filter((l) => l.includes(`"req":"${ref}"`) && l.includes('"msg":"refused"'));
      assert.equal(refusal.length, 1, 'logged once');
      const entry = JSON.parse(refusal[0] ?? '{}') as Record<string, unknown>;
      assert.equal(entry.guild, guildId);
      assert.equal(entry.channel, channelId);
      assert.match(String(entry.user), /^43000000000000\d{4}$/);
      assert.equal(entry.code, 'upstream_unauthorized');
      assert.ok(
        lines.some((l) => l.includes('"level":20') && l.includes('hello there')),
        'at debug, prompts are logged',
      );
      for (const line of lines) {
        assert.ok(!line.includes(discord.token), `the Discord token leaked: ${line}`);
        assert.ok(!line.includes(apiKey), `the Mistral key leaked: ${line}`);
      }
    } finally {
      bot.kill('SIGKILL');
      mistral.setApiKey(apiKey);
    }
  });
});
