import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { splitMessage } from '../../src/discord/split-message.ts';
import type { BotEvent } from '../../src/events.ts';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/ask/system-prompt.ts';
import {
  countCompletionTokens,
  countPromptTokens,
  defaultAnswer,
  messageText,
  type RecordedRequest,
} from '../standins/mistral.ts';
import { answered, FOOTER, PERMS, seen, startHarness, type Harness } from './harness.ts';

const n = (x: number) => x.toLocaleString('en-US');
/** ``` lines left open (each toggles, as Discord renders them). */
const openFences = (text: string) => text.split('\n').filter((line) => /^ {0,3}```/.test(line)).length % 2;
/** The messages a request sent, as role/content pairs. */
const sent = (r: RecordedRequest | undefined) =>
  (r?.messages ?? []).map((m) => ({ role: m.role, content: messageText(m.content) }));
/** Polls for something the interaction handles do not signal (e.g. a thread created after the answer). */
async function eventually<T>(find: () => T | undefined, timeoutMs = 5_000): Promise<T | undefined> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(25)) {
    const found = find();
    if (found !== undefined) return found;
  }
  return find();
}
/** What the stand-in (Mistral) counts for a request's prompt plus a completion text. */
const standInTokens = (r: RecordedRequest | undefined, completion: string) =>
  countPromptTokens(r?.messages ?? []) + countCompletionTokens(completion);

describe('end to end: streamed answers, long answers, mentions, conversation memory and system prompts', () => {
  let h: Harness;
  const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const okCompletions = () => completions().filter((r) => r.status === 200 && !r.fault);
  const month = () => new Date().toISOString().slice(0, 7);
  const usedBy = (g: number) => h.bot.store.usage.monthTotal(h.guilds[g]?.guildId as string, month());
  const figures: Record<string, unknown> = {};

  before(async () => {
    h = await startHarness({ guildCount: 3, env: { MISTRAL_TIMEOUT_MS: '3000', MAX_ANSWER_TOKENS: '4000' } });
  });
  afterEach(() => h.assertCleanRun());
  beforeEach(() => {
    h.mistral.reset();
    h.mistral.setAnswer(defaultAnswer);
    h.mistral.setLatencyMs(30);
    h.mistral.setFirstTokenMs(100);
  });
  after(async () => {
    console.log(`answer figures: ${JSON.stringify(figures)}`);
    await h.close();
  });

  describe('streaming', () => {
    it('GIVEN an 8-second streamed answer THEN the first words show within 1.5 s of the upstream start and the reply grows by edits at least 0.8 s apart', async () => {
      const words = Array.from({ length: 80 }, (_, i) => `word${i}`);
      h.mistral.setAnswer(() => words.join(' '));
      h.mistral.setLatencyMs(8_000);
      h.mistral.setFirstTokenMs(300);
      const before = Date.now();
      const handle = h.run(0, { command: 'ask', options: { prompt: 'Stream me a long list' } });
      // Both stand-ins stamp wall-clock time (Date.now()): the Discord one by default, the Mistral one as wallAt.
      assert.ok(Math.abs(handle.dispatchedAt - before) < 1_000, 'the Discord stand-in runs on Date.now()');
      await handle.waitFor(answered, 30_000);
      const req = okCompletions().at(-1);
      assert.ok(req);
      assert.equal(req.stream, true);
      const edits = handle.edits();
      const firstText = edits.find((e) => e.content.startsWith('word0'));
      assert.ok(firstText, 'the first words were shown');
      const firstWordsMs = firstText.at - req.wallAt;
      const lastEditMs = (edits.at(-1)?.at ?? 0) - req.wallAt;
      const textEdits = edits.filter((e) => e.content.startsWith('word0'));
      const gaps = handle
        .messageEdits()
        .map((e, i, all) =>
          i > 0 && all[i - 1]?.messageId === e.messageId ? e.at - (all[i - 1]?.at ?? 0) : Infinity,
        );
      const minGapMs = Math.min(...gaps);
      Object.assign(figures, { firstWordsMs, minEditGapMs: minGapMs, edits: textEdits.length, lastEditMs });
      assert.ok(firstWordsMs <= 1_500, `first words after ${firstWordsMs} ms`);
      assert.ok(minGapMs >= 800, `edits ${minGapMs} ms apart`);
      assert.ok(textEdits.length >= 5, `only ${textEdits.length} edits while streaming`);
      assert.ok(lastEditMs >= 7_500, 'the answer kept growing until the stream ended');
      // It only ever grew: every edit is a beginning of the final text.
      const final = handle.original() ?? '';
      for (const e of textEdits) assert.ok(final.startsWith(e.content), `edit took text back: ${e.content}`);
      assert.equal(
        final,
        `${words.join(' ')}\n-# mistral-small-latest · ${n(req.usage?.total_tokens ?? 0)} tokens`,
      );
      assert.deepEqual(
        h.discord.violations.filter((v) => v.includes(handle.id)),
        [],
      );
    });

    it('GIVEN a 5,200-character streamed answer with a code block THEN it continues in follow-ups while streaming, every message ≤ 2000 characters with balanced fences, nothing lost', async () => {
      const code = Array.from(
        { length: 45 },
        (_, i) => `    total_${i} = compute(${i}, "value ${i}")  # step ${i}`,
      );
      const prose = (k: number) =>
        `Paragraph ${k}: the script above computes each step and keeps a running total for later.`;
      let answer = `Here is the script:\n\n\`\`\`python\n${code.join('\n')}\n\`\`\`\n`;
      for (let k = 0; answer.length < 5_200; k++) answer += `\n${prose(k)}\n`;
      answer = answer.slice(0, 5_200);
      h.mistral.setAnswer(() => answer);
      h.mistral.setLatencyMs(4_000);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'A long script please' } });
      await handle.waitFor(answered, 30_000);
      const req = okCompletions().at(-1);
      const footer = `\n-# mistral-small-latest · ${n(req?.usage?.total_tokens ?? 0)} tokens`;
      const messages = handle.allMessages().map((m) => m.content);
      const sizes = messages.map((m) => m.length);
      figures['longAnswerMessageSizes'] = sizes;
      assert.equal(answer.length, 5_200);
      assert.ok(messages.length >= 3, `${messages.length} messages`);
      assert.deepEqual(
        messages,
        splitMessage(answer + footer),
        'exactly the safe split: nothing lost, reordered or repeated',
      );
      for (const m of messages) {
        assert.ok(m.length <= 2_000);
        assert.equal(openFences(m), 0, `unbalanced fence in: ${m.slice(0, 60)}…`);
      }
      assert.ok(
        (messages[1] ?? '').startsWith('```python\n'),
        'the cut code block reopens with its language',
      );
      for (const e of handle.messageEdits()) assert.ok(e.content.length <= 2_000);
      // The first follow-up was posted while the answer was still streaming.
      const firstFollowUp = h.discord.calls.find(
        (c) => c.method === 'POST' && c.path.endsWith(`/${handle.token}`),
      );
      assert.ok(firstFollowUp && req);
      assert.ok(firstFollowUp.at < req.wallAt + 4_000, 'the follow-up came before the stream ended');
      assert.deepEqual(
        h.discord.violations.filter((v) => v.includes(handle.id)),
        [],
      );
    });

    it('GIVEN model text with @everyone, @here, a role and a user, over several messages THEN every write parses no mentions', async () => {
      const line = 'Hey @everyone and @here, ping <@&123456789012345678> and <@123456789012345678>!';
      h.mistral.setAnswer(() => Array.from({ length: 40 }, () => line).join('\n'));
      h.mistral.setLatencyMs(1_500);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'ping everyone' } });
      await handle.waitFor(answered, 20_000);
      assert.ok(handle.allMessages().length >= 2);
      assert.match(seen(handle), /@everyone/);
      for (const m of handle.allMessages()) assert.deepEqual(m.allowedMentions, { parse: [] });
      const writes = h.discord.calls.filter(
        (c) => c.path.startsWith('/webhooks/') && c.path.includes(`/${handle.token}`) && c.method !== 'GET',
      );
      assert.ok(writes.length >= 3);
      for (const c of writes) {
        assert.deepEqual((c.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [] });
      }
      assert.deepEqual(
        h.discord.violations.filter((v) => v.includes(handle.id)),
        [],
      );
    });
  });

  describe('a stream that breaks or reports nothing', () => {
    it('GIVEN a stream that breaks after text was shown THEN the text stays, it says it was cut off, it is not retried, and the estimate is charged', async () => {
      const words = Array.from({ length: 40 }, (_, i) => `part${i}`);
      h.mistral.setAnswer(() => words.join(' '));
      h.mistral.setLatencyMs(2_000);
      h.mistral.inject({ kind: 'break-stream', afterChunks: 11 }); // the role chunk and ten words
      const before = await usedBy(0);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'break please' } });
      await handle.waitFor(answered, 20_000);
      assert.equal(completions().length, 1, 'no retry once text was shown');
      const text = handle.original() ?? '';
      const shown = `${words.slice(0, 10).join(' ')} `;
      assert.ok(text.startsWith(shown), text);
      assert.match(text, /cut off/);
      // No usage came: the charge is the bot's estimate, which must not be below Mistral's count.
      const charged = (await usedBy(0)) - before;
      const truth = standInTokens(completions()[0], shown);
      assert.ok(charged >= truth && charged <= truth * 4, `charged ${charged}, Mistral counts ${truth}`);
      assert.match(text, new RegExp(`· ~${n(charged)} tokens$`));
      assert.equal(handle.ephemeral, false);
    });

    it('GIVEN a stream that breaks before any text THEN the gate retries it and only the answer is charged', async () => {
      h.mistral.inject({ kind: 'break-stream', afterChunks: 1 });
      const before = await usedBy(0);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'retry me' } });
      await handle.waitFor(answered, 30_000);
      assert.equal(completions().length, 2);
      const ok = okCompletions();
      assert.equal(ok.length, 1);
      assert.doesNotMatch(seen(handle), /cut off/);
      assert.equal((await usedBy(0)) - before, ok[0]?.usage?.total_tokens);
    });

    it('GIVEN a stream without usage THEN the estimate is charged, marked, and reported as estimated', async () => {
      const events: BotEvent[] = [];
      const off = h.bot.events.on((e) => events.push(e));
      h.mistral.inject({ kind: 'no-usage' });
      const before = await usedBy(0);
      const handle = h.run(0, { command: 'ask', options: { prompt: 'no usage please' } });
      await handle.waitFor(answered);
      off();
      const req = completions().at(-1);
      const answer = defaultAnswer({ model: '', messages: req?.messages ?? [] });
      const estimate = (await usedBy(0)) - before;
      const truth = standInTokens(req, answer);
      assert.ok(estimate >= truth && estimate <= truth * 4, `charged ${estimate}, Mistral counts ${truth}`);
      assert.match(
        handle.original() ?? '',
        new RegExp(`^${answer}\\n-# mistral-small-latest · ~${n(estimate)} tokens$`),
      );
      const done = events.find((e) => e.type === 'answered');
      assert.ok(done?.type === 'answered' && done.estimated && done.usage.totalTokens === estimate);
    });
  });

  describe('conversation memory', () => {
    const ask = (g: number, channelId: string, prompt: string) =>
      h.run(g, { command: 'ask', channelId, options: { prompt } });

    it('GIVEN questions in a thread THEN later ones carry the earlier turns, the budget counts them, /forget clears them, and they survive a restart', async () => {
      const thread = h.guilds[1]?.threadId as string;
      h.mistral.setAnswer((req) => `You said: ${messageText(req.messages.at(-1)?.content)}`);
      const first = ask(1, thread, 'My name is Ada.');
      await first.waitFor(answered);
      assert.deepEqual(sent(completions().at(-1)), [
        { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
        { role: 'user', content: 'My name is Ada.' },
      ]);

      // A tight budget shows the context is estimated and reserved like the rest of the prompt.
      const guildId = h.guilds[1]?.guildId as string;
      const used = await usedBy(1);
      const set = h.run(1, {
        command: 'budget',
        subcommand: 'set',
        userId: h.discord.ownerId,
        options: { guild: guildId, tokens: used + 400 },
      });
      await set.waitFor((x) => x.allMessages().length > 0);
      const second = ask(1, thread, 'What is my name?');
      await second.waitFor(answered);
      const req2 = completions().at(-1);
      assert.deepEqual(sent(req2), [
        { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'You said: My name is Ada.' },
        { role: 'user', content: 'What is my name?' },
      ]);
      // The remembered turns are part of the prompt: what is left after them caps the answer.
      const maxTokens = req2?.maxTokens ?? 0;
      assert.ok(
        maxTokens > 0 && maxTokens <= 400 - countPromptTokens(req2?.messages ?? []),
        `max_tokens ${maxTokens}`,
      );
      assert.match(second.original() ?? '', /· 1 earlier turn remembered$/);
      const clear = h.run(1, {
        command: 'budget',
        subcommand: 'clear',
        userId: h.discord.ownerId,
        options: { guild: guildId },
      });
      await clear.waitFor((x) => x.allMessages().length > 0);

      await h.stopBot();
      await h.restartBot();
      const third = ask(1, thread, 'Still there?');
      await third.waitFor(answered);
      assert.deepEqual(
        sent(completions().at(-1)).map((m) => m.content),
        [
          DEFAULT_SYSTEM_PROMPT,
          'My name is Ada.',
          'You said: My name is Ada.',
          'What is my name?',
          'You said: What is my name?',
          'Still there?',
        ],
      );

      const forget = h.run(1, { command: 'forget', channelId: thread });
      await forget.waitFor((x) => x.allMessages().length > 0);
      assert.equal(forget.ephemeral, true);
      assert.match(seen(forget), /Forgotten: 3 earlier questions and answers/);
      const fresh = ask(1, thread, 'Who am I?');
      await fresh.waitFor(answered);
      assert.deepEqual(sent(completions().at(-1)), [
        { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
        { role: 'user', content: 'Who am I?' },
      ]);
      assert.doesNotMatch(fresh.original() ?? '', /remembered/);
    });

    it('GIVEN /ask in a plain channel THEN it starts fresh each time, and /forget there is refused privately', async () => {
      const channel = h.guilds[1]?.channelId as string;
      const one = ask(1, channel, 'First in the channel');
      await one.waitFor(answered);
      const two = ask(1, channel, 'Second in the channel');
      await two.waitFor(answered);
      assert.deepEqual(
        sent(completions().at(-1)).map((m) => m.role),
        ['system', 'user'],
      );
      const forget = h.run(1, { command: 'forget' });
      await forget.waitFor((x) => x.allMessages().length > 0);
      assert.equal(forget.ephemeral, true);
      assert.match(seen(forget), /Only threads remember/);
    });

    it('GIVEN /ask thread:true in a channel THEN a public thread opens from the answer and a question there continues the conversation', async () => {
      const handle = h.run(2, {
        command: 'ask',
        options: { prompt: 'Plan a   trip to\nLisbon', thread: true },
      });
      await handle.waitFor(answered);
      const firstAnswer = (handle.original() ?? '').replace(FOOTER, '');
      // The thread opens from the finished answer, right after its last edit.
      const threadCall = await eventually(() =>
        h.discord.calls.find((c) => c.method === 'POST' && /\/messages\/\d+\/threads$/.test(c.path)),
      );
      assert.ok(threadCall, 'a thread was started from a message');
      assert.equal(threadCall.status, 201);
      assert.equal((threadCall.body as { name?: string }).name, 'Plan a trip to Lisbon');
      const threadId = /\/messages\/(\d+)\/threads$/.exec(threadCall.path)?.[1] as string;
      assert.equal(threadId, handle.allMessages()[0]?.id, 'the thread hangs off the answer');
      const next = h.run(2, { command: 'ask', channelId: threadId, options: { prompt: 'How many days?' } });
      await next.waitFor(answered);
      assert.deepEqual(sent(completions().at(-1)).slice(1), [
        { role: 'user', content: 'Plan a   trip to\nLisbon' },
        { role: 'assistant', content: firstAnswer },
        { role: 'user', content: 'How many days?' },
      ]);
    });
  });

  describe('/system-prompt', () => {
    const sp = (
      g: number,
      subcommand: string,
      extra: { channelId?: string; text?: string; manager?: boolean } = {},
    ) =>
      h.run(g, {
        command: 'system-prompt',
        subcommand,
        ...(extra.channelId ? { channelId: extra.channelId } : {}),
        permissions: extra.manager === false ? PERMS.member : PERMS.member | PERMS.manageChannels,
        ...(extra.text === undefined ? {} : { options: { text: extra.text } }),
      });
    const reply = async (handle: ReturnType<typeof sp>) => {
      await handle.waitFor((x) => x.allMessages().some((m) => m.content !== ''));
      return handle;
    };

    it('GIVEN a member without Manage Channels THEN it is refused privately', async () => {
      const handle = await reply(sp(2, 'set', { text: 'Talk like a pirate.', manager: false }));
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /Manage Channels/);
    });

    it('GIVEN a manager setting a prompt THEN /ask sends it, threads inherit it, show tells where it comes from, and clear restores the default', async () => {
      const g = h.guilds[2];
      assert.ok(g);
      const set = await reply(sp(2, 'set', { text: '  Talk like a pirate.  ' }));
      assert.equal(set.ephemeral, true);
      assert.match(seen(set), /System prompt set for this channel and its threads/);
      const ask = h.run(2, { command: 'ask', options: { prompt: 'Hello' } });
      await ask.waitFor(answered);
      assert.deepEqual(sent(completions().at(-1))[0], { role: 'system', content: 'Talk like a pirate.' });
      const inThread = h.run(2, {
        command: 'ask',
        channelId: g.threadId,
        options: { prompt: 'Hello thread' },
      });
      await inThread.waitFor(answered);
      assert.deepEqual(sent(completions().at(-1))[0], { role: 'system', content: 'Talk like a pirate.' });

      const show = await reply(sp(2, 'show', { channelId: g.threadId }));
      assert.equal(show.ephemeral, true);
      assert.match(seen(show), new RegExp(`follows <#${g.channelId}>`));
      const shown = show.allMessages()[0]?.embeds[0] as { description?: string } | undefined;
      assert.equal(shown?.description, 'Talk like a pirate.');

      const clear = await reply(sp(2, 'clear'));
      assert.match(seen(clear), /cleared.*default prompt/);
      const after = h.run(2, { command: 'ask', options: { prompt: 'Hello again' } });
      await after.waitFor(answered);
      assert.deepEqual(sent(completions().at(-1))[0], { role: 'system', content: DEFAULT_SYSTEM_PROMPT });
    });

    it('GIVEN a prompt over 1,500 characters THEN it is refused privately, naming the limit, and nothing changes', async () => {
      const handle = await reply(sp(2, 'set', { text: 'x'.repeat(1_501) }));
      assert.equal(handle.ephemeral, true);
      assert.match(seen(handle), /1,501 characters; the limit is 1,500/);
      const show = await reply(sp(2, 'show'));
      assert.match(seen(show), /default system prompt/);
    });
  });
});
