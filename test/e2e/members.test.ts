import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InteractionHandle } from '../standins/discord.ts';
import { messageText } from '../standins/mistral.ts';
import { answered, PERMS, seen, startHarness, type Harness } from './harness.ts';

const FLOODER = '720000000000000001';
const OTHERS = ['720000000000000002', '720000000000000003', '720000000000000004'];
const CAP = 1_500;

describe('end to end: members inside a server (MEMBER_MONTHLY_TOKEN_SHARE, one member flooding)', () => {
  let h: Harness;
  const month = () => new Date().toISOString().slice(0, 7);
  const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const okCompletions = () => completions().filter((r) => r.status === 200 && !r.fault);

  before(async () => {
    h = await startHarness({
      guildCount: 1,
      env: { MEMBER_MONTHLY_TOKEN_SHARE: '25%', MAX_QUEUED_PER_MEMBER: '20', MAX_ANSWER_TOKENS: '60' },
    });
    // Every answer runs to its max_tokens.
    h.mistral.setAnswer(() => 'word '.repeat(400));
    const set = h.run(0, {
      command: 'budget',
      subcommand: 'set',
      userId: h.discord.ownerId,
      options: { guild: h.guilds[0]!.guildId, tokens: CAP * 4 },
    });
    await set.waitFor((x) => x.allMessages().length > 0);
  });
  afterEach(() => h.assertCleanRun());
  after(() => h.close());

  it('GIVEN a member flooding 20 questions THEN they get at most their share, and three other members are each served within two slots of asking', async () => {
    const flood: InteractionHandle[] = Array.from({ length: 20 }, (_, i) =>
      h.run(0, { command: 'ask', userId: FLOODER, options: { prompt: `flood question ${i}` } }),
    );
    await Promise.all(flood.map((x) => x.waitForAck(3_000)));
    const asked: Array<{ at: number; handle: InteractionHandle; prompt: string }> = [];
    // Each asks after the one before was answered: they do not wait behind each other, only the flood.
    for (const [i, userId] of OTHERS.entries()) {
      await sleep(4_000);
      const prompt = `other member ${i}`;
      asked.push({
        at: performance.now(),
        prompt,
        handle: h.run(0, { command: 'ask', userId, options: { prompt } }),
      });
    }
    await Promise.all(
      [...flood, ...asked.map((a) => a.handle)].map((x) =>
        x.waitFor((y) => answered(y) || y.allMessages().some((m) => m.ephemeral && m.content !== ''), 60_000),
      ),
    );

    const starts = okCompletions().map((r) => ({
      at: r.at,
      prompt: messageText(r.messages?.at(-1)?.content),
    }));
    const slotsWaited = asked.map((a) => {
      const own = starts.findIndex((s) => s.prompt === a.prompt);
      assert.ok(own >= 0, `${a.prompt} was sent`);
      // Starts that went between this member asking and their own start.
      return starts.slice(0, own).filter((s) => s.at > a.at).length;
    });
    const flooderUsed = await h.bot.store.usage.memberMonthTotal(h.guilds[0]!.guildId, FLOODER, month());
    const served = flood.filter(answered).length;
    const refused = flood.filter((x) => !answered(x));
    console.log(
      `member figures: ${JSON.stringify({ flooderServed: served, flooderRefused: refused.length, flooderUsed, cap: CAP, othersSlotsWaited: slotsWaited })}`,
    );
    for (const waited of slotsWaited) assert.ok(waited <= 1, `another member waited ${waited} slots`);
    for (const a of asked) assert.ok(answered(a.handle));
    assert.ok(flooderUsed <= CAP, `the flooder used ${flooderUsed} of a ${CAP} share`);
    assert.ok(served >= 1 && refused.length >= 1);
    for (const x of refused) {
      assert.ok(x.allMessages().every((m) => m.ephemeral));
      assert.match(seen(x), /your share|Your previous question|your question being answered/i);
    }
  });

  it('GIVEN a member at their cap THEN /usage lists them as near or over their share', async () => {
    const guildId = h.guilds[0]!.guildId;
    const used = await h.bot.store.usage.memberMonthTotal(guildId, FLOODER, month());
    // A manager sets the flooder's cap to what they used: they are at 100% of their share.
    const cap = h.run(0, {
      command: 'budget',
      subcommand: 'member',
      permissions: PERMS.member | PERMS.manageGuild,
      options: { user: FLOODER, tokens: used },
    });
    await cap.waitFor((x) => x.allMessages().length > 0);
    const usage = h.run(0, { command: 'usage', permissions: PERMS.member | PERMS.manageGuild });
    await usage.waitFor((x) => x.allMessages().length > 0);
    assert.match(
      seen(usage),
      new RegExp(`Members near or over their share: <@${FLOODER}> \\(100% of their share\\)`),
    );
    assert.match(
      seen(usage),
      new RegExp(
        `<@${FLOODER}>: ${used.toLocaleString('en-US')} · \\d+ req · 100% of ${used.toLocaleString('en-US')}`,
      ),
    );
    for (const other of OTHERS)
      assert.doesNotMatch(seen(usage), new RegExp(`<@${other}> \\(`), 'others are far from theirs');
  });

  it('GIVEN a manager’s cap for one member THEN /budget member shows it and that member is held to it', async () => {
    const member = OTHERS[0] as string;
    const set = h.run(0, {
      command: 'budget',
      subcommand: 'member',
      permissions: PERMS.member | PERMS.manageGuild,
      options: { user: member, tokens: 0 },
    });
    await set.waitFor((x) => x.allMessages().length > 0);
    assert.match(seen(set), /Member cap set\. <@\d+> may use \*\*0 tokens\/month\*\*/);
    const before = completions().length;
    const ask = h.run(0, { command: 'ask', userId: member, options: { prompt: 'may I?' } });
    await ask.waitFor((x) => x.allMessages().length > 0);
    assert.match(seen(ask), /You have used your share of this server’s monthly token budget/);
    assert.equal(completions().length, before, 'nothing went upstream');
    const notManager = h.run(0, {
      command: 'budget',
      subcommand: 'member',
      options: { user: member, clear: true },
    });
    await notManager.waitFor((x) => x.allMessages().length > 0);
    assert.match(seen(notManager), /Manage Server/);
  });
});
