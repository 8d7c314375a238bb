import assert from 'node:assert/strict';
import { countPromptTokens } from '../standins/mistral.ts';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { answered, PERMS, seen, startHarness, type Harness } from './harness.ts';

const completions = (h: Harness) => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
const okCompletions = (h: Harness, guildFilter?: (r: { status: number | null }) => boolean) =>
  completions(h).filter((r) => r.status === 200 && !r.fault && (guildFilter?.(r) ?? true));

describe('end to end: every command through the real discord.js client and the Mistral SDK', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ guildCount: 3, env: { MISTRAL_TIMEOUT_MS: '1500', MAX_ANSWER_TOKENS: '4000' } });
  });
  afterEach(() => h.assertCleanRun());
  beforeEach(() => {
    h.mistral.reset();
    h.mistral.setLatencyMs(30);
  });
  after(() => h.close());

  it('GIVEN start-up THEN every command is registered globally with one bulk overwrite', () => {
    const names = h.discord.commands().map((c) => c.name);
    assert.deepEqual(names.sort(), [
      'Ask Mistral',
      'Explain',
      'Summarize',
      'Translate to my language',
      'ask',
      'budget',
      'forget',
      'model',
      'system-prompt',
      'usage',
    ]);
    const menus = h.discord.commands().filter((c) => c.type === 3);
    assert.equal(menus.length, 4, 'four message commands');
    assert.equal(h.discord.calls.filter((c) => c.method === 'PUT' && /\/commands$/.test(c.path)).length, 1);
    const usage = h.discord.commands().find((c) => c.name === 'usage');
    assert.equal(usage?.default_member_permissions, String(PERMS.manageGuild));
    // Managers see /budget for `member`; the operator subcommands are checked at run time.
    assert.equal(
      h.discord.commands().find((c) => c.name === 'budget')?.default_member_permissions,
      String(PERMS.manageGuild),
    );
    assert.equal(
      h.discord.commands().find((c) => c.name === 'system-prompt')?.default_member_permissions,
      String(PERMS.manageChannels),
    );
  });

  it('GIVEN a question THEN it is acknowledged publicly within 3 s and answered with the model text', async () => {
    const handle = h.run(0, { command: 'ask', options: { prompt: 'What is the capital of France?' } });
    await handle.waitForAck(3_000);
    assert.ok((handle.ackAt ?? Infinity) < 3_000);
    assert.equal(handle.ephemeral, false);
    await handle.waitFor(answered);
    const [req] = okCompletions(h);
    assert.ok(req, 'one completion went upstream');
    assert.equal(req.model, 'mistral-small-latest');
    const body = req.body as { choices?: unknown };
    assert.ok(body);
    assert.ok(seen(handle).length > 0);
    for (const m of handle.allMessages()) assert.deepEqual(m.allowedMentions, { parse: [] });
  });

  it('GIVEN a blank prompt THEN it is refused privately and nothing goes upstream', async () => {
    const handle = h.run(0, { command: 'ask', options: { prompt: '   ' } });
    await handle.waitFor((x) => x.allMessages().length > 0);
    assert.equal(handle.ephemeral, true);
    assert.match(seen(handle), /empty/i);
    assert.equal(completions(h).length, 0);
  });

  it('GIVEN a 6000-character prompt THEN it is answered; GIVEN 6001 THEN refused privately', async () => {
    const long = h.run(0, { command: 'ask', options: { prompt: 'x'.repeat(6000) } });
    await long.waitFor(answered);
    assert.equal(long.ephemeral, false);
    assert.equal(okCompletions(h).length, 1);
    const tooLong = h.run(0, { command: 'ask', options: { prompt: 'x'.repeat(6001) } });
    await tooLong.waitFor((x) => x.allMessages().length > 0);
    assert.equal(tooLong.ephemeral, true);
    assert.match(seen(tooLong), /6,001 characters; the limit is 6,000/);
    assert.equal(completions(h).length, 1);
  });

  it('GIVEN model text with @everyone, @here, roles and users THEN no message allows a mention', async () => {
    h.mistral.setAnswer(() => 'Hello @everyone and @here, <@&123456789012345678> and <@123456789012345678>!');
    const handle = h.run(0, { command: 'ask', options: { prompt: 'ping everyone' } });
    await handle.waitFor((x) => (x.original() ?? '').includes('@everyone'));
    for (const m of handle.allMessages()) assert.deepEqual(m.allowedMentions, { parse: [] });
    assert.deepEqual(
      h.discord.violations.filter((v) => v.includes(handle.id)),
      [],
    );
  });

  it('GIVEN a 5,200-character answer THEN it arrives whole in messages of at most 2000 characters', async () => {
    const answer = Array.from({ length: 80 }, (_, i) => `Line ${i}: ${'lorem ipsum '.repeat(5)}`).join('\n');
    h.mistral.setAnswer(() => answer);
    const handle = h.run(0, { command: 'ask', options: { prompt: 'long please' } });
    await handle.waitFor(answered);
    const parts = handle.allMessages().map((m) => m.content);
    assert.ok(parts.length >= 3);
    for (const p of parts) assert.ok([...p].length <= 2000);
    const charged = okCompletions(h).at(-1)?.usage?.total_tokens ?? 0;
    // Nothing lost or repeated; the footer (model and tokens charged) ends the last message.
    assert.equal(
      parts.join(''),
      `${answer}\n-# mistral-small-latest · ${charged.toLocaleString('en-US')} tokens`,
    );
  });

  describe('/model', () => {
    it('GIVEN no choice THEN /model show names the default, privately', async () => {
      const handle = h.run(1, { command: 'model', subcommand: 'show' });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /mistral-small-latest/);
    });

    it('GIVEN a member without Manage Channels THEN /model set is refused privately', async () => {
      const handle = h.run(1, {
        command: 'model',
        subcommand: 'set',
        options: { model: 'open-mistral-nemo' },
      });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /Manage Channels/);
    });

    it('GIVEN an unknown model THEN it is refused privately with the usable list', async () => {
      const handle = h.run(1, {
        command: 'model',
        subcommand: 'set',
        permissions: PERMS.member | PERMS.manageChannels,
        options: { model: 'gpt-5' },
      });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /`gpt-5` is not a model you can use here/);
      assert.match(seen(handle), /open-mistral-nemo/);
    });

    it('GIVEN a manager choosing a model THEN the channel uses it for /ask, and /model show says so', async () => {
      const set = h.run(1, {
        command: 'model',
        subcommand: 'set',
        permissions: PERMS.member | PERMS.manageChannels,
        options: { model: 'open-mistral-nemo' },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      assert.equal(set.ephemeral, false);
      assert.match(seen(set), /now uses `open-mistral-nemo`/);
      const show = h.run(1, { command: 'model', subcommand: 'show' });
      await show.waitFor((x) => x.allMessages().length > 0);
      assert.match(seen(show), /open-mistral-nemo/);
      const ask = h.run(1, { command: 'ask', options: { prompt: 'hello' } });
      await ask.waitFor(answered);
      assert.equal(okCompletions(h).at(-1)?.model, 'open-mistral-nemo');
      // A thread without its own choice follows its parent channel.
      const inThread = h.run(1, {
        command: 'ask',
        channelId: h.guilds[1]?.threadId,
        options: { prompt: 'in a thread' },
      });
      await inThread.waitFor(answered);
      assert.equal(okCompletions(h).at(-1)?.model, 'open-mistral-nemo');
    });

    it('GIVEN typing in the model option THEN autocomplete offers matching usable models (≤ 25)', async () => {
      const handle = h.discord.autocomplete({
        guildId: h.guilds[0]?.guildId as string,
        channelId: h.guilds[0]?.channelId as string,
        command: 'model',
        subcommand: 'set',
        options: { model: 'codestral' },
        focused: 'model',
      });
      await handle.waitFor(() => handle.choices() !== undefined);
      const choices = handle.choices() ?? [];
      assert.ok(choices.length > 0 && choices.length <= 25);
      for (const c of choices) assert.match(c.name, /codestral/);
      const all = h.discord.autocomplete({
        guildId: h.guilds[0]?.guildId as string,
        channelId: h.guilds[0]?.channelId as string,
        command: 'model',
        subcommand: 'set',
        options: { model: '' },
        focused: 'model',
      });
      await all.waitFor(() => all.choices() !== undefined);
      assert.equal(all.choices()?.length, 25);
    });

    it('GIVEN /model list THEN the usable models are listed privately', async () => {
      const handle = h.run(0, { command: 'model', subcommand: 'list' });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /mistral-large-latest/);
    });
  });

  describe('/usage and /budget', () => {
    it('GIVEN a member without Manage Server THEN /usage is refused privately', async () => {
      const handle = h.run(0, { command: 'usage' });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /Manage Server/);
    });

    it('GIVEN answered questions THEN /usage reports exactly the tokens Mistral reported, privately', async () => {
      // Server 3 is used by this test only, and the stand-in was reset before it.
      const members = ['300000000000000001', '300000000000000002', '300000000000000001'];
      for (const [i, userId] of members.entries()) {
        const a = h.run(2, {
          command: 'ask',
          userId,
          options: { prompt: `question number ${i} ${'?'.repeat(i * 40)}` },
        });
        await a.waitFor(answered);
      }
      const reported = okCompletions(h).map((r) => r.usage);
      assert.equal(reported.length, 3);
      const sum = (k: 'prompt_tokens' | 'completion_tokens' | 'total_tokens') =>
        reported.reduce((n, u) => n + (u?.[k] ?? 0), 0);
      const handle = h.run(2, { command: 'usage', permissions: PERMS.member | PERMS.manageGuild });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      const report = seen(handle);
      const n = (x: number) => x.toLocaleString('en-US');
      assert.match(report, new RegExp(`Used \\*\\*${n(sum('total_tokens'))}\\*\\* of 500,000 tokens`));
      assert.match(
        report,
        new RegExp(
          `Prompt ${n(sum('prompt_tokens'))} · completion ${n(sum('completion_tokens'))} · 3 requests`,
        ),
      );
      assert.match(report, new RegExp(`\`mistral-small-latest\`: ${n(sum('total_tokens'))} `));
      const first = (reported[0]?.total_tokens ?? 0) + (reported[2]?.total_tokens ?? 0);
      assert.match(report, new RegExp(`<@300000000000000001>: ${n(first)} · 2 req`));
      assert.match(report, new RegExp(`<@300000000000000002>: ${n(reported[1]?.total_tokens ?? 0)} · 1 req`));
      assert.match(report, new RegExp(`${n(500_000 - sum('total_tokens'))}\\*\\* left`));
      assert.match(report, /Resets <t:\d+:F>/);
    });

    it('GIVEN a non-operator THEN /budget is refused privately', async () => {
      const handle = h.run(0, {
        command: 'budget',
        subcommand: 'show',
        userId: '300000000000000002',
        permissions: PERMS.member | PERMS.manageGuild,
      });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /operators only/);
    });

    it('GIVEN a spent budget THEN /ask is refused privately with used, limit and reset, and nothing goes upstream', async () => {
      const guildId = h.guilds[0]?.guildId as string;
      const set = h.run(0, {
        command: 'budget',
        subcommand: 'set',
        userId: h.discord.ownerId,
        options: { guild: guildId, tokens: 10 },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      assert.equal(set.ephemeral, true);
      assert.match(seen(set), /Budget set\. .*\*\*10 tokens\/month\*\*/);
      const before = completions(h).length;
      const ask = h.run(0, { command: 'ask', options: { prompt: 'one more?' } });
      await ask.waitFor((x) => x.allMessages().length > 0);
      assert.equal(ask.ephemeral, true);
      assert.match(seen(ask), /used its monthly token budget: \*\*[\d,]+ of 10 tokens\*\*/);
      assert.match(seen(ask), /resets <t:\d+:F>/);
      assert.equal(completions(h).length, before);
      // The other server is unaffected; clearing the override restores this one.
      const other = h.run(1, { command: 'ask', options: { prompt: 'still fine?' } });
      await other.waitFor(answered);
      const clear = h.run(0, {
        command: 'budget',
        subcommand: 'clear',
        userId: h.discord.ownerId,
        options: { guild: guildId },
      });
      await clear.waitFor((x) => x.allMessages().length > 0);
      assert.match(seen(clear), /Override cleared/);
      const again = h.run(0, { command: 'ask', options: { prompt: 'and now?' } });
      await again.waitFor(answered);
      assert.equal(again.ephemeral, false);
    });

    it('GIVEN a budget nearly spent THEN max_tokens is clamped to what is left', async () => {
      const guildId = h.guilds[1]?.guildId as string;
      const used = await h.bot.store.usage.monthTotal(guildId, new Date().toISOString().slice(0, 7));
      const set = h.run(1, {
        command: 'budget',
        subcommand: 'set',
        userId: h.discord.ownerId,
        options: { guild: guildId, tokens: used + 200 },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      const ask = h.run(1, { command: 'ask', options: { prompt: 'short' } });
      await ask.waitFor(answered);
      const req = okCompletions(h).at(-1);
      // What is left after the prompt (system prompt included) caps the answer, and the answer fits.
      const maxTokens = req?.maxTokens ?? 0;
      assert.ok(
        maxTokens > 0 && maxTokens <= 200 - countPromptTokens(req?.messages ?? []),
        `max_tokens ${maxTokens}`,
      );
      const charged =
        (await h.bot.store.usage.monthTotal(guildId, new Date().toISOString().slice(0, 7))) - used;
      assert.equal(charged, req?.usage?.total_tokens);
      assert.ok(charged <= 200, `charged ${charged} of the 200 left`);
      const clear = h.run(1, {
        command: 'budget',
        subcommand: 'clear',
        userId: h.discord.ownerId,
        options: { guild: guildId },
      });
      await clear.waitFor((x) => x.allMessages().length > 0);
    });
  });

  describe('upstream failures', () => {
    const usageNow = (g: number) =>
      h.bot.store.usage.monthTotal(h.guilds[g]?.guildId as string, new Date().toISOString().slice(0, 7));

    it('GIVEN a 429 with Retry-After, a 429 without, a 500, a hang and a garbage body THEN the question is still answered and only the success is charged', async () => {
      h.mistral.inject({ kind: 'rate-limit', retryAfterSeconds: 1 });
      h.mistral.inject({ kind: 'rate-limit' });
      h.expectInjected({ mistral429: 2 });
      h.mistral.inject({ kind: 'server-error' });
      h.mistral.inject({ kind: 'hang' });
      h.mistral.inject({ kind: 'garbage' });
      const before = await usageNow(0);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'resilient?' } });
      await handle.waitFor(answered, 60_000);
      assert.equal(handle.ephemeral, false);
      assert.deepEqual(h.mistral.violations, []);
      const ok = okCompletions(h);
      assert.equal(ok.length, 1);
      const charged = (await usageNow(0)) - before;
      assert.equal(charged, ok[0]?.usage?.total_tokens);
    });

    it('GIVEN 500s on every attempt THEN the member gets a clear private message and nothing is charged', async () => {
      h.mistral.inject({ kind: 'server-error' }, 10);
      const before = await usageNow(0);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'doomed' } });
      await handle.waitFor(
        (x) => x.followUps().length > 0 || (x.ephemeral && x.allMessages().length > 0),
        60_000,
      );
      const text = seen(handle);
      assert.match(text, /Mistral is having trouble/);
      assert.match(text, /Nothing was charged/);
      assert.doesNotMatch(text, /undefined|\[object Object\]|Error:|at /);
      assert.ok(handle.allMessages().every((m) => m.ephemeral));
      assert.equal(await usageNow(0), before);
    });

    it('GIVEN hangs on every attempt THEN the member is told it timed out and nothing is charged', async () => {
      h.mistral.inject({ kind: 'hang' }, 10);
      const before = await usageNow(1);
      const handle = h.run(1, { command: 'ask', options: { prompt: 'slow' } });
      await handle.waitFor(
        (x) => x.allMessages().some((m) => /did not answer in time/.test(m.content)),
        60_000,
      );
      assert.ok(handle.allMessages().every((m) => m.ephemeral));
      assert.equal(await usageNow(1), before);
    });
  });

  it('GIVEN everything above THEN Discord saw no protocol violation and every interaction was acknowledged in time', () => {
    assert.deepEqual(h.discord.violations, []);
  });
});
