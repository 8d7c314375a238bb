import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InteractionHandle, StandInMessage } from '../standins/discord.ts';
import { defaultAnswer, messageText, type RecordedRequest } from '../standins/mistral.ts';
import { answered, FOOTER, PERMS, seen, startHarness, type Harness } from './harness.ts';

/** Polls for something no handle signals (a channel message, a stand-in record). */
async function eventually<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(25)) {
    const found = find();
    if (found !== undefined) return found;
  }
  const found = find();
  if (found === undefined) throw new Error(`timed out waiting for ${what}`);
  return found;
}

/** The custom IDs of a message's buttons. */
function buttonsOf(message: StandInMessage | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((r) => (r.components ?? []).flatMap((c) => (c.custom_id ? [c.custom_id] : [])));
}

const member = (n: number) => `7000000000000000${String(n).padStart(2, '0')}`;

describe('end to end: every door to the ask core (context menus, buttons, @mention chat, uncached threads)', () => {
  let h: Harness;
  const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const okCompletions = () => completions().filter((r) => r.status === 200 && !r.fault);
  const month = () => new Date().toISOString().slice(0, 7);
  const usedBy = (g: number) => h.bot.store.usage.monthTotal(h.guilds[g]?.guildId as string, month());
  const userText = (r: RecordedRequest | undefined) => messageText(r?.messages?.at(-1)?.content);

  before(async () => {
    h = await startHarness({ guildCount: 3, env: { CHAT_ON_MENTION: 'true' } });
  });
  afterEach(() => h.assertCleanRun());
  beforeEach(() => {
    h.mistral.setAnswer(defaultAnswer);
    h.mistral.setLatencyMs(30);
    h.mistral.setFirstTokenMs(100);
  });
  after(() => h.close());

  describe('message context menus', () => {
    it('GIVEN "Summarize" on a member’s message THEN the message goes to Mistral as a quoted message with the task, and the answer is public', async () => {
      const g = h.guilds[0]!;
      const target = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(1),
        authorName: 'Ada',
        content: 'The meeting moved to Thursday at 10, room 4B, bring the slides.',
      });
      const before = okCompletions().length;
      const handle = h.discord.messageCommand({
        guildId: g.guildId,
        channelId: g.channelId,
        command: 'Summarize',
        messageId: target.id,
        userId: member(2),
      });
      await handle.waitFor(answered);
      assert.equal(handle.ephemeral, false);
      const req = okCompletions()[before];
      assert.match(userText(req), /^Summarize the Discord message below/);
      assert.match(
        userText(req),
        /<discord_message author="Ada">\nThe meeting moved to Thursday at 10, room 4B/,
      );
    });

    it('GIVEN "Translate to my language" from a member whose client is in French THEN it asks for French and only they see the answer', async () => {
      const g = h.guilds[0]!;
      const target = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(3),
        content: 'Good morning everyone',
      });
      const before = okCompletions().length;
      const handle = h.discord.messageCommand({
        guildId: g.guildId,
        channelId: g.channelId,
        command: 'Translate to my language',
        messageId: target.id,
        userId: member(4),
        locale: 'fr',
      });
      await handle.waitFor(answered);
      assert.equal(handle.ephemeral, true);
      assert.match(userText(okCompletions()[before]), /into French\. Reply with the translation only\./);
    });

    it('GIVEN "Ask Mistral" THEN a modal asks for the question, and the answer is about the message, privately when the member picks "only me"', async () => {
      const g = h.guilds[1]!;
      const target = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(5),
        content: 'const x = [1, 2, 3].map((n) => n * 2);',
      });
      const open = h.discord.messageCommand({
        guildId: g.guildId,
        channelId: g.channelId,
        command: 'Ask Mistral',
        messageId: target.id,
        userId: member(6),
      });
      await open.waitForAck(3_000);
      assert.equal(open.responseType, 9, 'a modal is the first response');
      const modal = open.modal();
      assert.ok(modal);
      const before = okCompletions().length;
      const submitted = h.discord.submitModal(open, {
        question: 'What does this print?',
        visibility: 'private',
      });
      await submitted.waitFor(answered);
      assert.equal(submitted.ephemeral, true);
      const text = userText(okCompletions()[before]);
      assert.match(text, /^What does this print\?/);
      assert.match(text, /const x = \[1, 2, 3\]\.map/);
      // The kept message is used once: submitting again is not possible (the stand-in refuses a
      // second submit), and no message is left behind in the store's stash.
      assert.equal(okCompletions().length, before + 1);
    });
  });

  describe('answer buttons', () => {
    it('GIVEN Stop pressed during an 8 s stream THEN the upstream request is closed within 1 s, the text so far stays marked stopped, and at least what was generated is charged', async () => {
      const words = Array.from({ length: 120 }, (_, i) => `token${i}`);
      h.mistral.setAnswer(() => words.join(' '));
      h.mistral.setLatencyMs(8_000);
      const before = await usedBy(2);
      const handle = h.run(2, {
        command: 'ask',
        userId: member(7),
        options: { prompt: 'a long story please' },
      });
      await handle.waitFor((x) => /token1\b/.test(x.original() ?? ''), 10_000);
      const stop = buttonsOf(handle.originalMessage()).find((id) => id.startsWith('answer:stop:'));
      assert.ok(stop, `buttons: ${JSON.stringify(handle.originalMessage()?.components)}`);
      const clickedAt = performance.now();
      h.discord.click({ messageId: handle.originalMessage()!.id, customId: stop, userId: member(7) });
      await handle.waitFor(answered, 10_000);
      const req = completions().at(-1)!;
      assert.ok(req.closedByClient, 'the bot closed the stream');
      const partial = req.partial;
      assert.ok(partial, 'the stand-in recorded what was generated');
      const closedAt = req.at + partial.closedAfterMs;
      assert.ok(
        closedAt - clickedAt < 1_000,
        `closed ${Math.round(closedAt - clickedAt)} ms after the click`,
      );
      assert.ok(partial.closedAfterMs < 7_000, 'well before the stream would have ended');
      const shown = seen(handle);
      assert.match(shown, /⏹️ Stopped\./);
      assert.doesNotMatch(shown, /token119/);
      const charged = (await usedBy(2)) - before;
      assert.ok(
        charged >= partial.usage.total_tokens,
        `charged ${charged}, Mistral generated ${partial.usage.total_tokens}`,
      );
      assert.match(shown, new RegExp(`· ~${charged.toLocaleString('en-US')} tokens$`));
      assert.ok(
        !buttonsOf(handle.originalMessage()).some((id) => id.startsWith('answer:stop:')),
        'Stop is gone',
      );
      console.log(
        `stop figures: ${JSON.stringify({ closedMsAfterClick: Math.round(closedAt - clickedAt), charged, generated: partial.usage.total_tokens })}`,
      );
    });

    it('GIVEN Regenerate THEN another member is refused privately, the asker gets a second gated and charged answer, and it still works after a restart', async () => {
      const handle = h.run(1, { command: 'ask', userId: member(8), options: { prompt: 'name a colour' } });
      await handle.waitFor(answered);
      const last = handle.allMessages().at(-1);
      const regen = buttonsOf(last).find((id) => id.startsWith('answer:regen:'));
      assert.ok(last && regen, `buttons: ${JSON.stringify(last?.components)}`);

      const foreign = h.discord.click({ messageId: last.id, customId: regen, userId: member(9) });
      await foreign.waitFor((x) => x.followUps().length > 0 || (x.original() ?? '') !== '');
      assert.match(seen(foreign), /Only the member who asked/);
      assert.ok(foreign.allMessages().every((m) => m.ephemeral));

      const asked = okCompletions().length;
      const before = await usedBy(1);
      const again = h.discord.click({ messageId: last.id, customId: regen, userId: member(8) });
      await again.waitFor((x) => FOOTER.test(x.followUps().at(-1)?.content ?? ''), 15_000);
      assert.equal(okCompletions().length, asked + 1);
      assert.equal(userText(okCompletions().at(-1)), 'name a colour');
      assert.equal((await usedBy(1)) - before, okCompletions().at(-1)?.usage?.total_tokens);
      assert.match(again.followUps()[0]?.content ?? '', /Asked again by <@\d+>/);

      await h.stopBot();
      await h.restartBot();
      await h.discord.waitForReady();
      const afterRestart = h.discord.click({ messageId: last.id, customId: regen, userId: member(8) });
      await afterRestart.waitFor((x) => FOOTER.test(x.followUps().at(-1)?.content ?? ''), 15_000);
      assert.equal(okCompletions().length, asked + 2);
    });
  });

  describe('@mention chat (CHAT_ON_MENTION=true)', () => {
    it('GIVEN a message that mentions the bot THEN it answers as a reply, shows typing, and a reply to the answer continues the conversation', async () => {
      const g = h.guilds[2]!;
      const before = okCompletions().length;
      const question = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(10),
        content: 'what is the tallest mountain?',
        mentionsBot: true,
      });
      const answer = await eventually(
        () =>
          h.discord
            .channelMessages(g.channelId)
            .find(
              (m) =>
                m.authorId === h.discord.botUserId && m.replyTo === question.id && FOOTER.test(m.content),
            ),
        'the answer to the mention',
      );
      assert.ok(h.discord.typing(g.channelId).length >= 1, 'typing was shown');
      assert.equal(userText(okCompletions()[before]), 'what is the tallest mountain?');
      assert.deepEqual(answer.allowedMentions, { parse: [], replied_user: false });

      const followUp = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(10),
        content: 'and the second tallest?',
        replyTo: answer.id,
      });
      await eventually(
        () =>
          h.discord
            .channelMessages(g.channelId)
            .find(
              (m) =>
                m.authorId === h.discord.botUserId && m.replyTo === followUp.id && FOOTER.test(m.content),
            ),
        'the answer to the reply',
      );
      const sent = okCompletions()
        .at(-1)
        ?.messages?.map((m) => ({ role: m.role, text: messageText(m.content) }));
      assert.deepEqual(sent?.slice(1), [
        { role: 'user', text: 'what is the tallest mountain?' },
        { role: 'assistant', text: answer.content.replace(/\n-# .*$/s, '').trim() },
        { role: 'user', text: 'and the second tallest?' },
      ]);
    });

    it('GIVEN a message that does not mention the bot THEN nothing happens', async () => {
      const g = h.guilds[2]!;
      const before = completions().length;
      const plain = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(11),
        content: 'just chatting',
      });
      await sleep(500);
      assert.equal(completions().length, before);
      assert.ok(!h.discord.channelMessages(g.channelId).some((m) => m.replyTo === plain.id));
    });

    it('GIVEN a spent budget THEN a mention gets the refusal as a reply and nothing goes upstream', async () => {
      const g = h.guilds[2]!;
      const set = h.run(2, {
        command: 'budget',
        subcommand: 'set',
        userId: h.discord.ownerId,
        options: { guild: g.guildId, tokens: 0 },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      const before = completions().length;
      const question = h.discord.postMessage({
        guildId: g.guildId,
        channelId: g.channelId,
        authorId: member(12),
        content: 'are you there?',
        mentionsBot: true,
      });
      const refusal = await eventually(
        () =>
          h.discord.channelMessages(g.channelId).find((m) => m.replyTo === question.id && m.content !== ''),
        'the refusal',
      );
      assert.match(refusal.content, /used its monthly token budget/);
      assert.equal(completions().length, before);
      const clear = h.run(2, {
        command: 'budget',
        subcommand: 'clear',
        userId: h.discord.ownerId,
        options: { guild: g.guildId },
      });
      await clear.waitFor((x) => x.allMessages().length > 0);
    });
  });

  describe('threads the client never cached', () => {
    it('GIVEN a private thread the bot was never told about THEN /ask there follows the parent’s model and remembers the thread’s conversation', async () => {
      const g = h.guilds[0]!;
      const set = h.run(0, {
        command: 'model',
        subcommand: 'set',
        permissions: PERMS.member | PERMS.manageChannels,
        options: { model: 'mistral-large-latest' },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      const thread = h.discord.addThread({ guildId: g.guildId, parentId: g.channelId, type: 12 });
      const first = h.run(0, {
        channelId: thread,
        command: 'ask',
        userId: member(13),
        options: { prompt: 'My name is Grace.' },
      });
      await first.waitFor(answered);
      assert.equal(okCompletions().at(-1)?.model, 'mistral-large-latest');
      const second = h.run(0, {
        channelId: thread,
        command: 'ask',
        userId: member(13),
        options: { prompt: 'What is my name?' },
      });
      await second.waitFor(answered);
      const sent = okCompletions()
        .at(-1)
        ?.messages?.map((m) => messageText(m.content));
      assert.deepEqual(sent?.slice(1), [
        'My name is Grace.',
        first
          .original()
          ?.replace(/\n-# .*$/s, '')
          .trim(),
        'What is my name?',
      ]);
      assert.match(second.original() ?? '', /· 1 earlier turn remembered$/);
      const reset = h.run(0, {
        command: 'model',
        subcommand: 'set',
        permissions: PERMS.member | PERMS.manageChannels,
        options: { model: 'mistral-small-latest' },
      });
      await reset.waitFor((x) => x.allMessages().length > 0);
    });
  });

  describe('the budget under concurrency', () => {
    /**
     * 8 members of one server ask at the same moment with 1,500 tokens left, and every answer would
     * run to its max_tokens. Returns what was spent (from the ledger, equal to what Mistral
     * reported) and the biggest single answer.
     */
    async function burst(g: number, firstMember: number) {
      const guildId = h.guilds[g]!.guildId;
      h.mistral.setLatencyMs(1_000);
      h.mistral.setAnswer(() => 'word '.repeat(3_000));
      const used = await usedBy(g);
      const set = h.run(g, {
        command: 'budget',
        subcommand: 'set',
        userId: h.discord.ownerId,
        options: { guild: guildId, tokens: used + 1_500 },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      const asked = okCompletions().length;
      const handles: InteractionHandle[] = Array.from({ length: 8 }, (_, i) =>
        h.run(g, {
          command: 'ask',
          userId: member(firstMember + i),
          options: { prompt: `question number ${i}` },
        }),
      );
      await Promise.all(
        handles.map((x) =>
          x.waitFor(
            (y) => answered(y) || (y.allMessages().length > 0 && y.allMessages().every((m) => m.ephemeral)),
            30_000,
          ),
        ),
      );
      const served = handles.filter(answered);
      const refused = handles.filter((x) => !answered(x));
      const answers = okCompletions().slice(asked);
      const spent = (await usedBy(g)) - used;
      assert.equal(
        spent,
        answers.reduce((n, r) => n + (r.usage?.total_tokens ?? 0), 0),
        'charged exactly what Mistral reported',
      );
      assert.ok(served.length >= 1 && refused.length >= 1, `served ${served.length}`);
      assert.equal(answers.length, served.length, 'nothing refused went upstream');
      for (const x of refused) {
        assert.ok(x.allMessages().every((m) => m.ephemeral));
        assert.match(seen(x), /held by questions being answered right now|monthly token budget|tokens left/);
      }
      const clear = h.run(g, {
        command: 'budget',
        subcommand: 'clear',
        userId: h.discord.ownerId,
        options: { guild: guildId },
      });
      await clear.waitFor((x) => x.allMessages().length > 0);
      const biggest = Math.max(...answers.map((r) => r.usage?.total_tokens ?? 0));
      return {
        served: served.length,
        refused: refused.length,
        spent,
        biggest,
        cutAtLimit: answers.filter(
          (r) => r.maxTokens !== undefined && (r.usage?.completion_tokens ?? 0) >= r.maxTokens,
        ).length,
      };
    }

    it('GIVEN 1,500 tokens left and 8 members asking at the same moment THEN at most 1,500 are spent and everyone not served is told privately why', async () => {
      const figures = await burst(1, 20);
      console.log(`budget burst figures: ${JSON.stringify(figures)}`);
      assert.ok(figures.spent <= 1_500, `spent ${figures.spent}`);
      assert.ok(figures.spent >= 1_200, `the answers used the room they were given (${figures.spent})`);
    });

    it('GIVEN Mistral counting twice the tokens the bot estimates THEN the overspend stays within one answer', async () => {
      h.mistral.setCharsPerToken(1.5);
      try {
        const figures = await burst(0, 40);
        console.log(`budget burst figures (undercounted estimate): ${JSON.stringify(figures)}`);
        assert.ok(figures.spent <= 1_500 + figures.biggest, `spent ${figures.spent}`);
      } finally {
        h.mistral.setCharsPerToken(4);
      }
    });
  });

  describe('/usage alerts-channel', () => {
    it('GIVEN a channel of another server THEN it is refused privately and nothing changes', async () => {
      const other = h.guilds[2]!;
      const handle = h.run(0, {
        command: 'usage',
        permissions: PERMS.member | PERMS.manageGuild,
        options: { 'alerts-channel': other.channelId },
      });
      await handle.waitFor((x) => x.allMessages().length > 0);
      assert.match(seen(handle), /not in this server/);
      assert.ok(handle.allMessages().every((m) => m.ephemeral));
      assert.equal(await h.bot.alerts.channel(h.guilds[0]!.guildId), undefined);
    });
  });
});
