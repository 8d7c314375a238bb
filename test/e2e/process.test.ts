import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { snowflake, startDiscordStandIn, type DiscordStandIn } from '../standins/discord.ts';
import { startMistralStandIn, type MistralStandIn } from '../standins/mistral.ts';
import { watchCleanRun, type CleanRunWatch } from '../support/clean-run.ts';
import { exitOf, startScript, waitUntil, type ScriptProcess } from '../support/process.ts';
import { answered, PERMS, seen } from './harness.ts';

const startProcess = (env: Record<string, string>, cwd: string) => startScript('src/main.ts', env, cwd);
const waitForLine = (child: ScriptProcess, pattern: RegExp, timeoutMs = 20_000) =>
  waitUntil(
    () => pattern.test(child.output()),
    String(pattern),
    timeoutMs,
    () => child.output(),
  );

describe('the bot as a process', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bot-process-'));
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('GIVEN no variables THEN start-up stops with one line per missing variable', async () => {
    const child = startProcess({}, cwd);
    assert.equal((await exitOf(child)).code, 1);
    assert.match(child.output(), /^DISCORD_TOKEN is required$/m);
    assert.match(child.output(), /^MISTRAL_API_KEY is required$/m);
  });

  it('GIVEN malformed variables THEN each is named on its own line', async () => {
    const child = startProcess(
      {
        DISCORD_TOKEN: 't',
        MISTRAL_API_KEY: 'k',
        MISTRAL_REQUESTS_PER_SECOND: 'fast',
        DATABASE_URL: 'postgres://x',
      },
      cwd,
    );
    assert.equal((await exitOf(child)).code, 1);
    assert.match(child.output(), /^MISTRAL_REQUESTS_PER_SECOND must be a positive number$/m);
    assert.match(child.output(), /^DATABASE_URL must be sqlite:\/\/<file path> or redis:\/\/host:port$/m);
  });

  it('GIVEN a store that cannot be opened THEN start-up stops with a clear message naming DATABASE_URL', async () => {
    const blocker = join(cwd, 'not-a-dir');
    writeFileSync(blocker, 'a file where a directory should be');
    const child = startProcess(
      { DISCORD_TOKEN: 't', MISTRAL_API_KEY: 'k', DATABASE_URL: `sqlite://${blocker}/bot.sqlite` },
      cwd,
    );
    assert.equal((await exitOf(child)).code, 1);
    assert.match(child.output(), /DATABASE_URL/);
    assert.doesNotMatch(child.output(), /^\s+at /m);
  });

  describe('against the stand-ins', () => {
    let discord: DiscordStandIn;
    let mistral: MistralStandIn;
    const guildId = snowflake();
    const channelId = snowflake();
    let env: Record<string, string>;
    let clean: CleanRunWatch;
    before(async () => {
      discord = await startDiscordStandIn({
        guilds: [{ id: guildId, channels: [{ id: channelId, type: 0 }] }],
      });
      mistral = await startMistralStandIn({ requestsPerSecond: 1, latencyMs: 30 });
      clean = watchCleanRun({ discord, mistral });
      env = {
        DISCORD_TOKEN: discord.token,
        MISTRAL_API_KEY: 'test-key',
        DISCORD_API_URL: discord.apiUrl,
        MISTRAL_SERVER_URL: mistral.url,
      };
    });
    afterEach(() => clean.assertCleanRun());
    after(async () => {
      await discord.close();
      await mistral.close();
    });

    it('GIVEN only the four variables THEN it logs in on the default SQLite file, answers, and usage and channel models survive kill -9', async () => {
      const first = startProcess(env, cwd);
      try {
        await waitForLine(first, /"msg":"ready"/);
        const set = discord.interact({
          guildId,
          channelId,
          command: 'model',
          subcommand: 'set',
          permissions: PERMS.member | PERMS.manageChannels,
          options: { model: 'open-mistral-nemo' },
        });
        await set.waitFor((x) => x.allMessages().length > 0);
        const ask = discord.interact({
          guildId,
          channelId,
          command: 'ask',
          options: { prompt: 'remember me' },
        });
        // The footer ends a finished answer: only then is its usage recorded.
        await ask.waitFor(answered);
      } finally {
        first.kill('SIGKILL');
        await exitOf(first);
      }
      const charged = mistral.requests.find((r) => r.status === 200 && r.path.endsWith('/chat/completions'))
        ?.usage?.total_tokens;
      assert.ok(charged);

      const second = startProcess(env, cwd);
      try {
        await waitForLine(second, /"msg":"ready"/);
        assert.match(second.output(), /slash commands unchanged/);
        const usage = discord.interact({
          guildId,
          channelId,
          command: 'usage',
          permissions: PERMS.member | PERMS.manageGuild,
        });
        await usage.waitFor((x) => x.allMessages().length > 0);
        assert.match(seen(usage), new RegExp(`Used \\*\\*${charged.toLocaleString('en-US')}\\*\\*`));
        const show = discord.interact({ guildId, channelId, command: 'model', subcommand: 'show' });
        await show.waitFor((x) => x.allMessages().length > 0);
        assert.match(seen(show), /open-mistral-nemo/);
      } finally {
        second.kill('SIGTERM');
        assert.equal((await exitOf(second)).code, 0);
      }
      assert.equal(discord.calls.filter((c) => c.method === 'PUT' && /\/commands$/.test(c.path)).length, 1);
    });
  });
});
