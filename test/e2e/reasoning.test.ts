import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createMistralApi, type StreamDelta } from '../../src/mistral/client.ts';
import type { InteractionHandle, StandInMessage } from '../standins/discord.ts';
import {
  countTextTokens,
  defaultAnswer,
  defaultThinking,
  startMistralStandIn,
  type MistralStandIn,
} from '../standins/mistral.ts';
import { PERMS, seen, startHarness, type Harness } from './harness.ts';

const THINKING = 'First I recall that Rayleigh scattering favours short wavelengths, so blue wins.';
const ANSWER = 'Because air scatters blue light more than red light.';

/** The last message ends with the footer (a reasoning answer's says how long it thought). */
const FINISHED =
  /\n-# (\S+) · (~?)([\d,]+) tokens(?: · \d+ earlier turns? remembered)?(?: · thought for (\d+) s)?$/;
const finished = (x: InteractionHandle) => FINISHED.test(x.allMessages().at(-1)?.content ?? '');

/** The custom IDs of a message's buttons. */
function buttonsOf(message: StandInMessage | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((r) => (r.components ?? []).flatMap((c) => (c.custom_id ? [c.custom_id] : [])));
}

describe('reasoning streams through the real SDK adapter: every shape the stand-in sends', () => {
  let standIn: MistralStandIn;
  before(async () => {
    standIn = await startMistralStandIn({
      requestsPerSecond: Infinity,
      answer: () => ANSWER,
      thinking: () => THINKING,
      latencyMs: 300,
      firstTokenMs: 10,
      thinkingMs: 150,
      modelCards: {
        'magistral-small-latest': {},
        'magistral-medium-2506': { thinkingFormat: 'tags' },
      },
    });
  });
  after(() => standIn.close());

  for (const model of ['magistral-small-latest', 'magistral-medium-2506', 'mistral-small-latest']) {
    it(`GIVEN ${model} THEN streamed and complete answers keep the reasoning apart from the text, exactly`, async () => {
      const api = createMistralApi({ serverUrl: standIn.url, apiKey: 'test-key', timeoutMs: 5_000 });
      try {
        const request = {
          model,
          messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }],
          maxTokens: 500,
          ...(model === 'mistral-small-latest' ? { reasoningEffort: 'high' } : {}),
        };
        const deltas: StreamDelta[] = [];
        const streamed = await api.stream(request, (d) => deltas.push(d));
        assert.equal(streamed.content, ANSWER);
        assert.equal(streamed.reasoning, THINKING);
        assert.equal(deltas.map((d) => d.text ?? '').join(''), ANSWER, 'the text deltas are the answer only');
        assert.equal(
          deltas
            .map((d) => d.thinking ?? '')
            .join('')
            .trim(),
          THINKING,
        );
        const firstText = deltas.findIndex((d) => d.text);
        assert.ok(
          deltas.slice(0, firstText).every((d) => d.thinking && !d.text),
          'all reasoning arrives before the first words of the answer',
        );
        const record = standIn.requests.at(-1);
        assert.equal(record?.thinkingTokens, countTextTokens(THINKING));
        assert.deepEqual(streamed.usage, {
          promptTokens: record?.usage?.prompt_tokens,
          completionTokens: record?.usage?.completion_tokens,
          totalTokens: record?.usage?.total_tokens,
        });
        const complete = await api.complete(request);
        assert.equal(complete.content, ANSWER);
        assert.equal(complete.reasoning, THINKING);
      } finally {
        api.close();
      }
    });
  }

  it('GIVEN an answer that merely starts like a think tag THEN none of it is lost', async () => {
    standIn.setAnswer(() => '<th');
    const api = createMistralApi({ serverUrl: standIn.url, apiKey: 'test-key', timeoutMs: 5_000 });
    try {
      const deltas: StreamDelta[] = [];
      const result = await api.stream(
        { model: 'open-mistral-nemo', messages: [{ role: 'user', content: 'Type <th' }], maxTokens: 50 },
        (d) => deltas.push(d),
      );
      assert.equal(result.content, '<th');
      assert.equal(deltas.map((d) => d.text ?? '').join(''), '<th');
    } finally {
      api.close();
      standIn.setAnswer(() => ANSWER);
    }
  });
});

describe('end to end: reasoning models in Discord', () => {
  let h: Harness;
  const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const month = () => new Date().toISOString().slice(0, 7);
  const usedBy = (g: number) => h.bot.store.usage.monthTotal(h.guilds[g]?.guildId ?? '', month());
  const figures: Record<string, unknown> = {};

  async function modelSet(g: number, options: Record<string, string>): Promise<InteractionHandle> {
    const set = h.run(g, {
      command: 'model',
      subcommand: 'set',
      permissions: PERMS.member | PERMS.manageChannels,
      options,
    });
    await set.waitFor((x) => x.allMessages().some((m) => m.content !== ''), 10_000);
    return set;
  }

  before(async () => {
    h = await startHarness({
      guildCount: 3,
      env: {
        MISTRAL_MODELS: 'mistral-small-latest,mistral-medium-latest,open-mistral-nemo,custom-reasoner',
        MAX_ANSWER_TOKENS: '2000',
      },
      mistral: {
        // A reasoning model outside the families whose efforts the bot knows: it takes low and high only.
        modelCards: {
          'custom-reasoner': { capabilities: { reasoning: true }, reasoningEfforts: ['low', 'high'] },
        },
      },
    });
  });
  afterEach(() => h.assertCleanRun());
  beforeEach(() => {
    h.mistral.setAnswer(() => ANSWER);
    h.mistral.setThinking(() => THINKING);
    h.mistral.setThinkingMs(undefined);
    h.mistral.setLatencyMs(300);
    h.mistral.setFirstTokenMs(50);
  });
  after(async () => {
    console.log(`reasoning figures: ${JSON.stringify(figures)}`);
    await h.close();
  });

  it('GIVEN /model set with reasoning THEN only the efforts the model takes are offered and accepted, others refused privately naming them', async () => {
    const g = h.guilds[0];
    assert.ok(g);
    const offered = h.discord.autocomplete({
      guildId: g.guildId,
      channelId: g.channelId,
      command: 'model',
      subcommand: 'set',
      options: { model: 'mistral-small-latest', reasoning: '' },
      focused: 'reasoning',
    });
    await offered.waitFor(() => offered.choices() !== undefined);
    assert.deepEqual(
      offered.choices()?.map((c) => c.value),
      ['default', ...h.mistral.card('mistral-small-latest').reasoningEfforts],
    );
    const medium = await modelSet(0, { model: 'mistral-small-latest', reasoning: 'medium' });
    assert.ok(medium.allMessages().every((m) => m.ephemeral));
    assert.match(
      seen(medium),
      /`mistral-small-latest` takes the reasoning efforts `none`, `high` \(or `default`, its own\), not `medium`/,
    );
    const nemo = await modelSet(0, { model: 'open-mistral-nemo', reasoning: 'high' });
    assert.match(
      seen(nemo),
      /`open-mistral-nemo` does not reason.*Models that reason: `mistral-small-latest`, `mistral-medium-latest`, `custom-reasoner`/,
    );
    const high = await modelSet(0, { model: 'mistral-small-latest', reasoning: 'high' });
    assert.equal(high.ephemeral, false);
    assert.match(seen(high), /now uses `mistral-small-latest` with reasoning effort `high`/);
    const show = h.run(0, { command: 'model', subcommand: 'show' });
    await show.waitFor((x) => /Reasoning effort/.test(seen(x)));
    assert.match(seen(show), /Reasoning effort: `high`/);
    assert.equal(completions().length, 0, 'nothing went to Mistral');
  });

  it('GIVEN a channel reasoning at high THEN the reply shows it is thinking and for how long, posts only the answer, charges the thinking tokens, and Show reasoning returns the reasoning privately', async () => {
    h.mistral.setLatencyMs(4_500);
    h.mistral.setThinkingMs(3_200);
    const before = completions().length;
    const usedBefore = await usedBy(0);
    const handle = h.run(0, { command: 'ask', options: { prompt: 'Why is the sky blue?' } });
    await handle.waitFor(finished, 20_000);
    const req = completions()[before];
    assert.equal(req?.reasoningEffort, 'high');
    assert.equal(req?.thinkingTokens, countTextTokens(THINKING));
    const thinkingShown = handle
      .edits()
      .map((e) => /^💭 Thinking… \((\d+) s\)$/.exec(e.content)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number);
    figures['thinkingStates'] = thinkingShown;
    assert.ok(new Set(thinkingShown).size >= 2, `thinking shown as ${JSON.stringify(thinkingShown)}`);
    assert.deepEqual(
      thinkingShown,
      [...thinkingShown].sort((a, b) => a - b),
      'the seconds only go up',
    );
    const messages = handle.allMessages();
    assert.equal(messages.length, 1);
    const footer = FINISHED.exec(messages[0]?.content ?? '');
    assert.equal(messages[0]?.content.replace(FINISHED, ''), ANSWER);
    for (const edit of handle.edits())
      assert.ok(!edit.content.includes('Rayleigh'), 'the reasoning is never posted');
    const total = req?.usage?.total_tokens ?? 0;
    assert.equal(footer?.[3], total.toLocaleString('en-US'));
    assert.ok(Number(footer?.[4]) >= 3, `thought for ${footer?.[4]} s`);
    assert.equal(req?.usage?.completion_tokens, countTextTokens(THINKING) + countTextTokens(ANSWER));
    assert.equal((await usedBy(0)) - usedBefore, total, 'charged what Mistral counted, thinking included');
    figures['charge'] = { total, thinkingTokens: req?.thinkingTokens };

    const reasoning = buttonsOf(messages[0]).find((id) => id === 'answer:reasoning');
    assert.ok(reasoning, `buttons: ${JSON.stringify(messages[0]?.components)}`);
    const click = h.discord.click({
      messageId: messages[0]?.id ?? '',
      customId: reasoning,
      userId: '700000000000000099',
    });
    await click.waitFor((x) => /reasoned/.test(seen(x)), 10_000);
    const shown = click.allMessages().filter((m) => /reasoned/.test(m.content));
    assert.ok(
      shown.every((m) => m.ephemeral),
      'the reasoning is private',
    );
    assert.match(
      seen(click),
      new RegExp(`How \`mistral-small-latest\` reasoned before answering:\\n>>> ${THINKING}`),
    );
  });

  it('GIVEN long reasoning THEN Show reasoning sends it privately as a file', async () => {
    const long = Array.from(
      { length: 60 },
      (_, i) => `Step ${i}: weigh the evidence once more before answering.`,
    ).join(' ');
    h.mistral.setThinking(() => long);
    const handle = h.run(0, { command: 'ask', options: { prompt: 'Think hard' } });
    await handle.waitFor(finished, 20_000);
    const last = handle.allMessages().at(-1);
    assert.ok(!seen(handle).includes('Step 0'), 'the reasoning is not in the answer');
    const click = h.discord.click({ messageId: last?.id ?? '', customId: 'answer:reasoning' });
    await click.waitFor((x) => x.allMessages().some((m) => m.attachments.length > 0), 10_000);
    const withFile = click.allMessages().find((m) => m.attachments.length > 0);
    assert.equal(withFile?.ephemeral, true);
    assert.equal(withFile?.attachments[0]?.filename, 'reasoning.md');
    assert.equal(withFile?.attachments[0]?.bytes.toString('utf8'), long);
  });

  it('GIVEN a channel switched to a model that does not reason THEN its effort is cleared and no reasoning_effort is sent', async () => {
    await modelSet(1, { model: 'mistral-small-latest', reasoning: 'high' });
    const switched = await modelSet(1, { model: 'open-mistral-nemo' });
    assert.match(seen(switched), /reasoning effort `high` does not apply to this model, so it was cleared/);
    h.mistral.setAnswer(defaultAnswer);
    const before = completions().length;
    const handle = h.run(1, { command: 'ask', options: { prompt: 'Plain question' } });
    await handle.waitFor(finished, 20_000);
    assert.equal(completions()[before]?.model, 'open-mistral-nemo');
    assert.equal(completions()[before]?.reasoningEffort, undefined);
    assert.equal(
      buttonsOf(handle.allMessages().at(-1)).includes('answer:reasoning'),
      false,
      'no reasoning, no button',
    );
  });

  it('GIVEN an effort Mistral refuses for a model the bot knew no efforts of THEN the member is told privately which it takes, nothing is charged, and /model set then refuses it', async () => {
    const set = await modelSet(2, { model: 'custom-reasoner', reasoning: 'medium' });
    assert.match(seen(set), /with reasoning effort `medium`/);
    const before = completions().length;
    const usedBefore = await usedBy(2);
    const refused = h.run(2, { command: 'ask', options: { prompt: 'Why?' } });
    await refused.waitFor((x) => /Mistral refused/.test(seen(x)), 15_000);
    assert.ok(refused.allMessages().every((m) => m.ephemeral));
    assert.match(
      seen(refused),
      /reasoning effort `medium` that this channel uses with `custom-reasoner`; it takes `low`, `high`/,
    );
    assert.equal(completions()[before]?.status, 400);
    assert.equal(await usedBy(2), usedBefore, 'nothing charged');
    const again = await modelSet(2, { model: 'custom-reasoner', reasoning: 'medium' });
    assert.match(seen(again), /takes the reasoning efforts `low`, `high`/);
    await modelSet(2, { model: 'custom-reasoner', reasoning: 'low' });
    h.mistral.setThinking(defaultThinking);
    const ok = h.run(2, { command: 'ask', options: { prompt: 'Why now?' } });
    await ok.waitFor(finished, 20_000);
    const req = completions().at(-1);
    assert.equal(req?.reasoningEffort, 'low');
    assert.ok((req?.thinkingTokens ?? 0) > 0);
  });
});
