import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { snowflake, startDiscordStandIn, type DiscordStandIn } from '../standins/discord.ts';
import { startMistralStandIn, type MistralStandIn } from '../standins/mistral.ts';
import { watchCleanRun, type CleanRunWatch } from '../support/clean-run.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { answered, PERMS, seen } from './harness.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Four servers, two on each of two shards: shard = (id >> 22) % 2, i.e. the parity of the id's timestamp. */
const guilds = [0, 1, 2, 3].map((i) => {
  const ts = Date.now() - 10_000_000 + i * 1_000;
  const guildId = snowflake(ts - (ts % 2) + (i % 2));
  return { guildId, channelId: snowflake(), shard: Number((BigInt(guildId) >> 22n) % 2n) };
});

describe('scale-out: two shard processes share one gate and one store through a real Redis', () => {
  let redis: RedisServer;
  let discord: DiscordStandIn;
  let mistral: MistralStandIn;
  let bot: ChildProcess;
  let output = '';
  let clean: CleanRunWatch;

  before(async () => {
    redis = await startRedisServer();
    discord = await startDiscordStandIn({
      guilds: guilds.map((g) => ({ id: g.guildId, channels: [{ id: g.channelId, type: 0 }] })),
    });
    mistral = await startMistralStandIn({ requestsPerSecond: 1, latencyMs: 3_000 });
    clean = watchCleanRun({ discord, mistral });
    bot = spawn(process.execPath, [`${root}src/main.ts`], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DISCORD_TOKEN: discord.token,
        MISTRAL_API_KEY: 'test-key',
        DISCORD_API_URL: discord.apiUrl,
        MISTRAL_SERVER_URL: mistral.url,
        REDIS_URL: redis.url,
        DATABASE_URL: redis.url,
        SHARD_COUNT: '2',
        SHARD_SPAWN_DELAY_MS: '0',
        // The stand-ins run in this test's process, whose event loop is busy with both stand-ins:
        // one late arrival stamp makes the next request look early. As in the harness, a 40 ms start
        // margin keeps that artefact out of the counts; the benchmark measures production's 15 ms
        // with the Mistral stand-in in its own process.
        MISTRAL_START_MARGIN_MS: '40',
        LOG_LEVEL: process.env.SHARDS_LOG ? 'debug' : 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    bot.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const t0 = Date.now();
    while ((output.match(/"msg":"ready"/g) ?? []).length < 2) {
      if (Date.now() - t0 > 60_000 || bot.exitCode !== null) throw new Error(`bot did not start:\n${output}`);
      await sleep(100);
    }
  });

  afterEach(() => clean.assertCleanRun());
  after(async () => {
    if (process.env.SHARDS_LOG) (await import('node:fs')).writeFileSync(process.env.SHARDS_LOG, output);
    if (bot.exitCode === null) {
      bot.kill('SIGTERM');
      await Promise.race([
        new Promise((r) => bot.once('exit', r)),
        sleep(15_000).then(() => bot.kill('SIGKILL')),
      ]);
    }
    await discord.close();
    await mistral.close();
    await redis.close();
  });

  /** The month's total a server's private /usage report states. */
  const reportedUsage = async (g: (typeof guilds)[number]): Promise<number> => {
    const usage = discord.interact({
      guildId: g.guildId,
      channelId: g.channelId,
      command: 'usage',
      permissions: PERMS.member | PERMS.manageGuild,
    });
    await usage.waitFor((x) => x.allMessages().length > 0);
    const used = /Used \*\*([\d,]+)\*\*/.exec(seen(usage))?.[1];
    assert.ok(used, `no total in: ${seen(usage)}`);
    return Number(used.replaceAll(',', ''));
  };

  /** Asks `count` questions in server `g` from distinct members; prompts name the server. */
  const flood = (g: number, count: number, tag: string) =>
    Array.from({ length: count }, (_, i) =>
      discord.interact({
        guildId: guilds[g]!.guildId,
        channelId: guilds[g]!.channelId,
        command: 'ask',
        userId: `44${g}${tag.length}000000000000${String(i).padStart(2, '0')}`.slice(0, 18),
        options: { prompt: `${tag} from #${g}, number ${i}` },
      }),
    );
  const serverOf = (prompt: string) => Number(/from #(\d)/.exec(prompt)?.[1] ?? -1);
  const userText = (r: (typeof mistral.requests)[number]) => {
    const last = r.messages?.at(-1)?.content;
    return typeof last === 'string' ? last : JSON.stringify(last ?? '');
  };

  it('GIVEN 16 /ask spread over both processes THEN all are answered with 0 429s, ≥ 0.9 of the limit used, and each /usage is exact', async () => {
    assert.deepEqual(
      guilds.map((g) => g.shard),
      [0, 1, 0, 1],
    );
    const handles = Array.from({ length: 16 }, (_, i) => {
      const g = guilds[i % 4]!;
      return discord.interact({
        guildId: g.guildId,
        channelId: g.channelId,
        command: 'ask',
        userId: `4100000000000000${String(i).padStart(2, '0')}`,
        options: { prompt: `server ${i % 4} question ${i}` },
      });
    });
    await Promise.all(handles.map((h) => h.waitFor(answered, 90_000)));
    const starts = mistral.startTimes();
    const rate = (starts.length - 1) / (((starts.at(-1) ?? 0) - (starts[0] ?? 0)) / 1000);
    console.log(
      `two processes: ${JSON.stringify({ answered: handles.filter(answered).length, rejected429: mistral.rejected429, startsPerSecond: Number(rate.toFixed(3)), inFlightMax: mistral.inFlightMax })}`,
    );
    assert.equal(mistral.rejected429, 0);
    assert.ok(rate >= 0.9, `rate ${rate}`);
    assert.deepEqual(mistral.violations, []);

    for (const [i, g] of guilds.entries()) {
      const charged = mistral.requests
        .filter(
          (r) =>
            r.status === 200 &&
            r.path.endsWith('/chat/completions') &&
            JSON.stringify(r.messages).includes(`server ${i} question`),
        )
        .reduce((n, r) => n + (r.usage?.total_tokens ?? 0), 0);
      assert.equal(await reportedUsage(g), charged, `server ${i}`);
    }
  });

  it('GIVEN redis-server down for 8 s in the middle of a burst THEN waiting members are told why, every question is answered or clearly refused, usage is intact and the gate works afterwards', async () => {
    mistral.setLatencyMs(500);
    const before = new Map<string, number>();
    for (const g of guilds) before.set(g.guildId, await reportedUsage(g));
    const startedAt = mistral.requests.length;
    const handles = Array.from({ length: 8 }, (_, i) => {
      const g = guilds[i % 4]!;
      return discord.interact({
        guildId: g.guildId,
        channelId: g.channelId,
        command: 'ask',
        userId: `4200000000000000${String(i).padStart(2, '0')}`,
        options: { prompt: `restart burst ${i}` },
      });
    });
    await sleep(2_500);
    await redis.stop();
    await sleep(8_000);
    await redis.start();
    const done = (h: (typeof handles)[number]) =>
      answered(h) || h.allMessages().some((m) => m.ephemeral && m.content.length > 0);
    await Promise.all(handles.map((h) => h.waitFor(done, 120_000)));
    const outcomes = handles.map((h) => (answered(h) ? 'answered' : 'refused'));
    console.log(`redis restart: ${JSON.stringify({ outcomes, rejected429: mistral.rejected429 })}`);
    for (const h of handles.filter((x) => !answered(x)))
      assert.doesNotMatch(seen(h), /undefined|\[object Object\]/);
    assert.deepEqual(mistral.violations, []);
    // While Redis was away long enough, waiting members were told why their question waits.
    assert.ok(
      handles.some((h) => h.edits().some((e) => /shared queue is not answering/.test(e.content))),
      'a waiting reply explained the stall',
    );

    // Usage recorded before the restart is intact (append-only persistence), and it only grew.
    for (const g of guilds) assert.ok((await reportedUsage(g)) >= (before.get(g.guildId) ?? Infinity));
    // The gate works afterwards without restarting the bot.
    const after = discord.interact({
      guildId: guilds[1]!.guildId,
      channelId: guilds[1]!.channelId,
      command: 'ask',
      options: { prompt: 'after the restart' },
    });
    await after.waitFor(answered, 60_000);
    assert.ok(mistral.requests.length > startedAt);
  });
  it('GIVEN three servers flooding, two on one process and one on the other THEN each gets about a third of the send slots', async () => {
    const from = mistral.requests.length;
    const handles = [...flood(0, 6, 'share'), ...flood(2, 6, 'share'), ...flood(1, 6, 'share')];
    await Promise.all(handles.map((h) => h.waitFor(answered, 90_000)));
    const first12 = mistral.requests
      .slice(from)
      .filter((r) => r.path === '/v1/chat/completions' && r.accepted)
      .slice(0, 12)
      .map((r) => serverOf(userText(r)));
    const counts = [0, 1, 2].map((g) => first12.filter((s) => s === g).length);
    console.log(
      `cross-process share of the first 12 slots (A: servers 0 and 2, B: server 1): ${JSON.stringify(counts)}`,
    );
    for (const n of counts) assert.ok(n >= 3 && n <= 5, `slots per server ${JSON.stringify(counts)}`);
    assert.equal(mistral.rejected429, 0);
  });

  for (const [floodOn, loneOn] of [
    [0, 3],
    [1, 2],
  ] as const) {
    it(`GIVEN a 15-question flood on shard ${guilds[floodOn]!.shard}'s process THEN a lone server on the other process is served within its first two slots`, async () => {
      const from = mistral.requests.length;
      const flooding = flood(floodOn, 15, `lone${floodOn}`);
      await sleep(2_500);
      const askedAt = performance.now();
      const [lone] = flood(loneOn, 1, `lone${floodOn}`);
      await lone!.waitFor(answered, 60_000);
      const starts = mistral.requests
        .slice(from)
        .filter((r) => r.path === '/v1/chat/completions' && r.accepted);
      const own = starts.findIndex((r) => serverOf(userText(r)) === loneOn);
      const waited = starts.slice(0, own).filter((r) => r.at > askedAt).length;
      console.log(`lone server ${loneOn} behind a flood on the other process: waited ${waited} slot(s)`);
      assert.ok(waited <= 1, `waited ${waited} slots`);
      await Promise.all(flooding.map((h) => h.waitFor(answered, 90_000)));
    });
  }
});
