import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/ask/system-prompt.ts';
import type { AskOutcome } from '../../src/ask/request.ts';
import { UpstreamError, type ChatMessage } from '../../src/mistral/client.ts';
import { monthKey } from '../../src/store/month.ts';
import {
  askWorld,
  CHANNEL,
  DEFAULT_MODEL,
  eventually,
  GUILD,
  MEMBER,
  type AskWorld,
  type AskWorldOptions,
} from '../support/ask-world.ts';
import { ScriptedMistral, text, textChunk, thinkingChunk } from '../support/fake-mistral.ts';
import { RecordingSink } from '../support/fake-sink.ts';

const PARENT = '200000000000000009';
const THREAD = '200000000000000010';
const OTHER_MEMBER = '300000000000000002';

async function world(t: TestContext, options?: AskWorldOptions): Promise<AskWorld> {
  const w = await askWorld(options);
  t.after(() => w.close());
  return w;
}

function refusedCode(outcome: AskOutcome): string {
  assert.equal(outcome.kind, 'refused', `expected a refusal, got ${JSON.stringify(outcome)}`);
  return outcome.code;
}

function answered(outcome: AskOutcome) {
  assert.equal(outcome.kind, 'answered', `expected an answer, got ${JSON.stringify(outcome)}`);
  return outcome.answer;
}

/** The messages the n-th upstream call carried. */
function sent(w: AskWorld, call = 0): readonly ChatMessage[] {
  const c = w.mistral.calls[call];
  assert.ok(c, `no upstream call #${call}`);
  return c.request.messages;
}

/** Asserts a refusal that cost nothing and went nowhere: no hold, no line, no upstream call, only `refuse`. */
function assertRefusedUntouched(w: AskWorld, sink: RecordingSink): void {
  assert.deepEqual(sink.methods, ['refuse']);
  assert.equal(w.joins.length, 0, 'nothing joined the gate');
  assert.equal(w.mistral.calls.length, 0, 'nothing went upstream');
}

function usage(promptTokens: number, completionTokens: number, userId = OTHER_MEMBER) {
  return { guildId: GUILD, userId, model: DEFAULT_MODEL, promptTokens, completionTokens, at: new Date() };
}

describe('AskService: validation', () => {
  it('GIVEN a blank question THEN it is refused as blank_prompt and nothing is reserved, queued or sent', async (t) => {
    const w = await world(t);
    for (const parts of [[{ kind: 'text' as const, text: '  \n\t ' }], []]) {
      const sink = new RecordingSink();
      assert.equal(refusedCode(await w.ask(w.request({ parts }), sink)), 'blank_prompt');
      assert.equal(sink.refusal.code, 'blank_prompt');
      assertRefusedUntouched(w, sink);
    }
    assert.equal(w.budgetCalls.length, 0, 'nothing was reserved');
  });

  it('GIVEN a question one character over MAX_PROMPT_CHARS THEN prompt_too_long names its length and the limit; at the limit it is answered', async (t) => {
    const w = await world(t, { maxPromptChars: 40 });
    const sink = new RecordingSink();
    // Characters, not UTF-16 units: each emoji is one.
    const long = '🙂'.repeat(41);
    assert.equal(
      refusedCode(await w.ask(w.request({ parts: [{ kind: 'text', text: long }] }), sink)),
      'prompt_too_long',
    );
    assert.deepEqual(sink.refusal.params, { length: 41, limit: 40 });
    assert.match(sink.refusal.message, /41/);
    assert.match(sink.refusal.message, /40/);
    assertRefusedUntouched(w, sink);
    assert.equal(w.budgetCalls.length, 0);

    const atLimit = new RecordingSink();
    answered(await w.ask(w.request({ parts: [{ kind: 'text', text: '🙂'.repeat(40) }] }), atLimit));
  });

  it('GIVEN Summarize on a message, with no words of the member THEN it is answered, the task and the quoted message sent', async (t) => {
    const w = await world(t);
    const sink = new RecordingSink();
    const quote = {
      kind: 'quote' as const,
      author: 'Ann',
      text: 'The meeting moves to Friday at 10.',
      attachments: [],
    };
    answered(await w.ask(w.request({ task: 'summarize', parts: [quote] }), sink));
    const user = sent(w).at(-1);
    assert.equal(user?.role, 'user');
    const content = user?.content;
    assert.ok(typeof content === 'string');
    assert.match(content, /^Summarize the Discord message below/);
    assert.match(
      content,
      /<discord_message author="Ann">\nThe meeting moves to Friday at 10\.\n<\/discord_message>/,
    );
  });
});

describe('AskService: the channel profile', () => {
  const inThread = { channelId: THREAD, parentId: PARENT, inThread: true };

  it('GIVEN a thread without its own model THEN it asks with its parent channel’s model', async (t) => {
    const w = await world(t);
    await w.settings.setChannelModel(PARENT, 'mistral-large-latest');
    const sink = new RecordingSink();
    const answer = answered(await w.ask(w.request(inThread), sink));
    assert.equal(w.mistral.calls[0]?.request.model, 'mistral-large-latest');
    assert.equal(answer.model, 'mistral-large-latest');
  });

  it('GIVEN a thread with its own model and a parent with another THEN the thread’s own is used', async (t) => {
    const w = await world(t);
    await w.settings.setChannelModel(PARENT, 'mistral-large-latest');
    await w.settings.setChannelModel(THREAD, 'codestral-2508');
    answered(await w.ask(w.request(inThread), new RecordingSink()));
    assert.equal(w.mistral.calls[0]?.request.model, 'codestral-2508');
  });

  it('GIVEN no model on the channel or its parent THEN the default model is used', async (t) => {
    const w = await world(t);
    answered(await w.ask(w.request(inThread), new RecordingSink()));
    assert.equal(w.mistral.calls[0]?.request.model, DEFAULT_MODEL);
  });

  it('GIVEN system prompts THEN a thread sends its own, else its parent’s, else the default', async (t) => {
    const w = await world(t);
    answered(await w.ask(w.request(inThread), new RecordingSink()));
    await w.settings.setChannelSystemPrompt(PARENT, 'Answer like a pirate.');
    answered(await w.ask(w.request({ ...inThread, userId: '300000000000000003' }), new RecordingSink()));
    await w.settings.setChannelSystemPrompt(THREAD, 'Answer in haiku.');
    answered(await w.ask(w.request({ ...inThread, userId: '300000000000000004' }), new RecordingSink()));
    assert.deepEqual(
      [0, 1, 2].map((i) => sent(w, i)[0]),
      [
        { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
        { role: 'system', content: 'Answer like a pirate.' },
        { role: 'system', content: 'Answer in haiku.' },
      ],
    );
  });

  it('GIVEN a channel set to a model the bot does not offer THEN model_unavailable lists the usable models, and nothing is reserved or sent', async (t) => {
    const w = await world(t);
    await w.settings.setChannelModel(CHANNEL, 'gpt-4o');
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'model_unavailable');
    assert.equal(sink.refusal.params['model'], 'gpt-4o');
    assert.equal(
      sink.refusal.params['models'],
      '`mistral-small-latest`, `mistral-large-latest`, `codestral-2508`',
    );
    assertRefusedUntouched(w, sink);
    assert.equal(w.budgetCalls.length, 0);
  });

  it('GIVEN a channel whose model this key cannot use THEN it is refused, and the usable list leaves that model out', async (t) => {
    const w = await world(t);
    w.models.markUnavailable('mistral-large-latest');
    await w.settings.setChannelModel(CHANNEL, 'mistral-large-latest');
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'model_unavailable');
    assert.equal(sink.refusal.params['models'], '`mistral-small-latest`, `codestral-2508`');
    assertRefusedUntouched(w, sink);
  });

  it('GIVEN Mistral says the model is not on this key’s plan THEN the member is told so, nothing is charged, and the next question there is refused before any hold', async (t) => {
    const w = await world(t);
    w.mistral.script({
      fail: { error: new UpstreamError('model_unavailable', 'not on plan', { status: 429 }) },
    });
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'upstream_model_unavailable');
    assert.equal(await w.used(), 0);
    assert.equal(await w.held(), 0);
    const next = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request({ userId: OTHER_MEMBER }), next)), 'model_unavailable');
    assert.deepEqual(next.methods, ['refuse']);
    assert.equal(w.joins.length, 1, 'only the first question joined the gate');
    assert.equal(w.mistral.calls.length, 1, 'only the first question went upstream');
  });
});

describe('AskService: budget refusals (before the gate)', () => {
  it('GIVEN a server that used its whole month THEN budget_spent, and nothing reaches the gate or Mistral', async (t) => {
    const w = await world(t, { guildMonthlyTokens: 1_000 });
    await w.ledger.record(usage(600, 400));
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'budget_spent');
    assert.equal(sink.refusal.params['used'], 1_000);
    assert.equal(sink.refusal.params['limit'], 1_000);
    assertRefusedUntouched(w, sink);
  });

  it('GIVEN the rest of the month held by another question in flight THEN budget_held, and nothing reaches the gate', async (t) => {
    const w = await world(t, { guildMonthlyTokens: 1_000 });
    await w.ledger.record(usage(200, 100));
    const other = await w.budget.reserve({
      guildId: GUILD,
      userId: OTHER_MEMBER,
      promptTokens: 100,
      maxAnswerTokens: 5_000,
    });
    assert.equal(other.tokens, 700, 'the other question holds all that is left');
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'budget_held');
    assert.equal(sink.refusal.params['left'], 700);
    assertRefusedUntouched(w, sink);
    assert.equal(await w.held(), 700, 'only the other question’s hold remains');
  });

  it('GIVEN too few tokens left for the question THEN budget_too_small; in a thread with history it says the context counts', async (t) => {
    const w = await world(t, { guildMonthlyTokens: 1_000 });
    await w.ledger.record(usage(900, 60));
    const plain = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), plain)), 'budget_too_small');
    assert.equal(plain.refusal.params['context'], 'no');
    assert.equal(plain.refusal.params['left'], 40);
    assertRefusedUntouched(w, plain);

    await w.conversations.remember(THREAD, { user: 'Earlier question', assistant: 'Earlier answer' });
    const withHistory = new RecordingSink();
    const request = w.request({ channelId: THREAD, parentId: PARENT, inThread: true });
    assert.equal(refusedCode(await w.ask(request, withHistory)), 'budget_too_small');
    assert.equal(withHistory.refusal.params['context'], 'yes');
    assert.match(withHistory.refusal.message, /earlier turns/);
    assertRefusedUntouched(w, withHistory);
  });

  it('GIVEN a member who used their MEMBER_MONTHLY_TOKEN_SHARE THEN member_budget_spent for them, while another member is answered', async (t) => {
    const w = await world(t, { guildMonthlyTokens: 10_000, memberShare: { kind: 'percent', percent: 10 } });
    await w.ledger.record(usage(700, 300, MEMBER));
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'member_budget_spent');
    assert.equal(sink.refusal.params['used'], 1_000);
    assert.equal(sink.refusal.params['limit'], 1_000);
    assertRefusedUntouched(w, sink);
    answered(await w.ask(w.request({ userId: OTHER_MEMBER }), new RecordingSink()));
  });
});

describe('AskService: gate refusals release the hold', () => {
  it('GIVEN the member already has a question waiting THEN member_busy, and only the waiting question holds tokens', async (t) => {
    const w = await world(t, { gate: { maxWaitingPerMember: 1 } });
    w.pacer.pauseFor(60_000);
    const first = w.ask(w.request(), new RecordingSink());
    assert.ok(await eventually(() => w.gate.waiting === 1));
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'member_busy');
    assert.deepEqual(sink.methods, ['refuse']);
    const firstHold = w.budgetCalls.find((c) => c.kind === 'reserve')?.hold;
    assert.ok(firstHold);
    assert.equal(await w.held(), firstHold.tokens, 'the refused question’s hold was released');
    await w.gate.close();
    assert.equal(refusedCode(await first), 'not_sent_restarting');
    assert.equal(await w.held(), 0);
    assert.equal(w.mistral.calls.length, 0);
  });

  it('GIVEN this server has its most questions waiting THEN guild_busy with the count, hold released', async (t) => {
    const w = await world(t, { gate: { maxWaitingPerGuild: 1 } });
    w.pacer.pauseFor(60_000);
    const first = w.ask(w.request(), new RecordingSink());
    assert.ok(await eventually(() => w.gate.waiting === 1));
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request({ userId: OTHER_MEMBER }), sink)), 'guild_busy');
    assert.equal(sink.refusal.params['waiting'], 1);
    assert.deepEqual(sink.methods, ['refuse']);
    await w.gate.close();
    await first;
    assert.equal(await w.held(), 0);
  });

  it('GIVEN the whole line is full THEN busy, hold released', async (t) => {
    const w = await world(t, { gate: { maxWaiting: 1 } });
    w.pacer.pauseFor(60_000);
    const first = w.ask(w.request(), new RecordingSink());
    assert.ok(await eventually(() => w.gate.waiting === 1));
    const sink = new RecordingSink();
    const otherServer = '100000000000000002';
    assert.equal(refusedCode(await w.ask(w.request({ guildId: otherServer }), sink)), 'busy');
    assert.equal(await w.held(otherServer), 0);
    await w.gate.close();
    await first;
  });

  it('GIVEN the gate is closed (restarting) THEN not_sent_restarting, the hold placed is released and nothing is charged', async (t) => {
    const w = await world(t);
    await w.gate.close();
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'not_sent_restarting');
    assert.deepEqual(sink.methods, ['refuse']);
    assert.deepEqual(
      w.budgetCalls.map((c) => c.kind),
      ['reserve', 'release'],
    );
    assert.equal(await w.held(), 0);
    assert.equal(await w.used(), 0);
  });

  it('GIVEN Stop pressed while the question waits in line THEN stopped_before_start, nothing sent, hold released', async (t) => {
    const w = await world(t);
    w.pacer.pauseFor(60_000);
    const stop = new AbortController();
    const sink = new RecordingSink();
    const outcome = w.ask(w.request({ signal: stop.signal }), sink);
    assert.ok(await eventually(() => w.gate.waiting === 1 && sink.methods.includes('accepted')));
    assert.ok((await w.held()) > 0);
    stop.abort();
    assert.equal(refusedCode(await outcome), 'stopped_before_start');
    assert.deepEqual(
      sink.sequence.filter((m) => m !== 'waiting'),
      ['accepted', 'refuse'],
    );
    assert.equal(w.mistral.calls.length, 0);
    assert.equal(await w.held(), 0);
    assert.equal(await w.used(), 0);
  });
});

describe('AskService: upstream failures', () => {
  it('GIVEN a server error before any text THEN the gate retries, the sink is told, and the answer is charged exactly what Mistral reported', async (t) => {
    const w = await world(t);
    w.mistral.script(
      { fail: { error: new UpstreamError('server_error', 'Mistral answered 503', { status: 503 }) } },
      { steps: [text('Paris'), text(' is the capital.', 5)] },
    );
    const sink = new RecordingSink();
    const answer = answered(await w.ask(w.request(), sink));
    assert.deepEqual(
      sink.sequence.filter((m) => m !== 'waiting'),
      ['accepted', 'started', 'retrying', 'started', 'append', 'finish'],
    );
    assert.equal(w.mistral.calls.length, 2);
    const reported = w.mistral.calls[1]?.reported;
    assert.ok(reported);
    assert.deepEqual(answer.usage, reported);
    assert.equal(answer.estimated, false);
    assert.equal(await w.used(), reported.totalTokens);
    const report = await w.ledger.monthReport(GUILD, monthKey(new Date()));
    assert.equal(report.total.requests, 1, 'the failed attempt recorded nothing');
    assert.equal(report.total.promptTokens, reported.promptTokens);
    assert.equal(await w.held(), 0);
    assert.equal(sink.shownText, 'Paris is the capital.');
  });

  it('GIVEN a 429 with a stated wait THEN the question is retried after it and answered', async (t) => {
    const w = await world(t);
    w.mistral.script({
      fail: {
        error: new UpstreamError('rate_limited', 'Rate limit exceeded', { status: 429, retryAfterMs: 30 }),
      },
    });
    const answer = answered(await w.ask(w.request(), new RecordingSink()));
    assert.equal(w.mistral.calls.length, 2);
    assert.equal(await w.used(), w.mistral.calls[1]?.reported?.totalTokens);
    assert.equal(answer.end, 'stop');
  });

  it('GIVEN a server error on every attempt THEN the member gets upstream_server_error, nothing is charged and the hold is released', async (t) => {
    const w = await world(t, { gate: { maxRetries: 2 } });
    const fail = () => ({
      fail: { error: new UpstreamError('server_error', 'Mistral answered 500', { status: 500 }) },
    });
    w.mistral.script(fail(), fail(), fail());
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'upstream_server_error');
    assert.equal(w.mistral.calls.length, 3, 'the first try and two retries');
    assert.equal(sink.calls.at(-1)?.method, 'refuse');
    assert.ok(!sink.methods.includes('finish'));
    assert.equal(await w.used(), 0);
    assert.equal(await w.held(), 0);
    assert.deepEqual(
      w.budgetCalls.map((c) => c.kind),
      ['reserve', 'release'],
    );
  });

  it('GIVEN a failure that is never retried (Mistral rejects the key) THEN the sink is not told the question is back in line', async (t) => {
    const w = await world(t);
    w.mistral.script({
      fail: { error: new UpstreamError('unauthorized', 'Mistral rejected the API key', { status: 401 }) },
    });
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'upstream_unauthorized');
    assert.equal(w.mistral.calls.length, 1);
    assert.ok(!sink.methods.includes('retrying'), sink.methods.join(','));
  });

  it('GIVEN the stream breaks after text, usage reported THEN the answer is kept as cut_off, charged what Mistral reported, and not retried', async (t) => {
    const w = await world(t);
    w.mistral.script({
      steps: [text('Paris is'), text(' the capital', 5)],
      fail: {
        error: new UpstreamError('network', 'Could not reach Mistral'),
        afterSteps: 2,
        withUsage: true,
      },
    });
    const sink = new RecordingSink();
    const answer = answered(await w.ask(w.request(), sink));
    assert.equal(answer.end, 'cut_off');
    assert.equal(answer.cutOffBy, 'network');
    assert.equal(answer.content, 'Paris is the capital');
    assert.equal(sink.shownText, 'Paris is the capital');
    assert.equal(w.mistral.calls.length, 1, 'not retried');
    assert.ok(!sink.methods.includes('retrying'));
    const reported = w.mistral.calls[0]?.reported;
    assert.ok(reported);
    assert.deepEqual(answer.usage, reported);
    assert.equal(answer.estimated, false);
    assert.equal(await w.used(), reported.totalTokens);
    assert.equal(await w.held(), 0);
  });

  it('GIVEN a stream that breaks after text THEN no log line above debug holds the question or the answer', async (t) => {
    const w = await world(t);
    w.mistral.script({
      steps: [text('The secret answer is '), text('forty-two', 5)],
      fail: { error: new UpstreamError('network', 'Could not reach Mistral'), afterSteps: 2 },
    });
    const answer = answered(
      await w.ask(w.request({ parts: [{ kind: 'text', text: 'my private question' }] }), new RecordingSink()),
    );
    assert.equal(answer.end, 'cut_off');
    const above = w.logLines.filter((l) => Number(l.level) > 20);
    assert.ok(
      above.some((l) => /stream broke/.test(String(l.msg))),
      'the cut-off is logged (at warn), with sizes',
    );
    for (const line of above) {
      const text = JSON.stringify(line);
      assert.doesNotMatch(text, /forty-two|secret answer|my private question/, text);
    }
  });

  it('GIVEN the stream times out after text, with no usage THEN cut_off by timed_out, charged an estimate at least what Mistral would count', async (t) => {
    const w = await world(t);
    const words = 'The capital of France is Paris, on the Seine; population 2,102,650 (2023). ';
    w.mistral.script({
      steps: [text(words), text(words.toUpperCase(), 5)],
      fail: { error: new UpstreamError('timed_out', 'Mistral did not answer in time'), afterSteps: 2 },
    });
    const answer = answered(await w.ask(w.request(), new RecordingSink()));
    assert.equal(answer.end, 'cut_off');
    assert.equal(answer.cutOffBy, 'timed_out');
    assert.equal(answer.estimated, true);
    const call = w.mistral.calls[0];
    assert.ok(call);
    assert.equal(call.reported, undefined);
    assert.ok(
      answer.usage.completionTokens >= w.mistral.tokensOf(call.content),
      JSON.stringify(answer.usage),
    );
    assert.ok(answer.usage.promptTokens >= w.mistral.promptTokensOf(call.request));
    assert.equal(await w.used(), answer.usage.totalTokens);
    assert.equal(w.mistral.calls.length, 1);
  });

  it('GIVEN a stream that ends normally without usage THEN the answer is charged an estimate and marked estimated', async (t) => {
    const w = await world(t);
    w.mistral.script({ steps: [text('Paris.')], usage: 'missing' });
    const answer = answered(await w.ask(w.request(), new RecordingSink()));
    assert.equal(answer.end, 'stop');
    assert.equal(answer.estimated, true);
    assert.ok(answer.usage.completionTokens >= w.mistral.tokensOf('Paris.'));
    assert.equal(await w.used(), answer.usage.totalTokens);
    assert.ok(w.logLines.some((l) => l['level'] === 40 && /charged an estimate/.test(String(l['msg']))));
  });
});

describe('AskService: Stop and reasoning', () => {
  it('GIVEN Stop pressed while the answer streams THEN it ends stopped, keeps the text so far, is charged an estimate, and the stream’s signal is aborted', async (t) => {
    const w = await world(t);
    w.mistral.script({ steps: [text('One'), text(' two', 40), text(' three', 40)] });
    const stop = new AbortController();
    const sink = new RecordingSink({ onAppend: () => stop.abort() });
    const answer = answered(await w.ask(w.request({ signal: stop.signal }), sink));
    assert.equal(answer.end, 'stopped');
    assert.equal(answer.content, 'One');
    assert.equal(sink.shownText, 'One');
    const call = w.mistral.calls[0];
    assert.ok(call?.signal?.aborted, 'the stream was closed');
    assert.equal(answer.estimated, true);
    assert.ok(answer.usage.completionTokens >= Math.ceil('One'.length / 4));
    assert.ok(answer.usage.promptTokens >= w.mistral.promptTokensOf(call.request));
    assert.equal(await w.used(), answer.usage.totalTokens);
    assert.equal(await w.held(), 0);
    assert.equal(w.mistral.calls.length, 1, 'never retried');
    assert.equal(sink.calls.at(-1)?.method, 'finish');
  });

  it('GIVEN a reasoning model THEN thinking goes to sink.thinking not append, the answer keeps it as reasoning, thoughtMs is set and the thinking tokens are charged', async (t) => {
    const w = await world(t);
    w.mistral.script({
      steps: [
        { content: [thinkingChunk('Paris has been the capital')] },
        { content: [thinkingChunk(' since 987.')], delayMs: 5 },
        { content: [thinkingChunk('', true), textChunk('Paris')], delayMs: 50 },
        text(' is the capital of France.', 5),
      ],
    });
    const sink = new RecordingSink();
    const answer = answered(await w.ask(w.request(), sink));
    assert.equal(sink.shownThinking, 'Paris has been the capital since 987.');
    assert.equal(sink.shownText, 'Paris is the capital of France.');
    assert.equal(answer.reasoning, 'Paris has been the capital since 987.');
    assert.equal(answer.content, 'Paris is the capital of France.');
    assert.ok(answer.thoughtMs !== undefined && answer.thoughtMs >= 40, `thoughtMs ${answer.thoughtMs}`);
    const reported = w.mistral.calls[0]?.reported;
    assert.ok(reported);
    assert.equal(
      reported.completionTokens,
      w.mistral.tokensOf(answer.reasoning) + w.mistral.tokensOf(answer.content),
      'the fake counts reasoning as completion, as Mistral does',
    );
    assert.equal(await w.used(), reported.totalTokens);
    assert.equal(sink.sequence.indexOf('thinking') < sink.sequence.indexOf('append'), true);
  });

  it('GIVEN a reasoning answer without usage THEN the estimate charges the thinking too', async (t) => {
    const w = await world(t);
    const thought = 'Let me recall European capitals one by one, then pick the one for France. '.repeat(4);
    w.mistral.script({
      steps: [
        { content: [thinkingChunk(thought)] },
        { content: [thinkingChunk('', true), textChunk('Paris.')] },
      ],
      usage: 'missing',
    });
    const answer = answered(await w.ask(w.request(), new RecordingSink()));
    assert.equal(answer.estimated, true);
    assert.ok(
      answer.usage.completionTokens >= w.mistral.tokensOf(thought) + w.mistral.tokensOf('Paris.'),
      JSON.stringify(answer.usage),
    );
    assert.equal(await w.used(), answer.usage.totalTokens);
  });
});

describe('AskService: conversation memory', () => {
  const inThread = { channelId: THREAD, parentId: PARENT, inThread: true };
  const q = (words: string) => ({ parts: [{ kind: 'text' as const, text: words }] });

  it('GIVEN a thread THEN earlier turns are sent with the question and the new turn is remembered', async (t) => {
    const w = await world(t);
    w.mistral.script({ steps: [text('Paris.')] }, { steps: [text('About 2.1 million.')] });
    answered(await w.ask(w.request({ ...inThread, ...q('Capital of France?') }), new RecordingSink()));
    const second = answered(
      await w.ask(w.request({ ...inThread, ...q('How many people live there?') }), new RecordingSink()),
    );
    assert.deepEqual(sent(w, 1).slice(1), [
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'How many people live there?' },
    ]);
    assert.equal(second.contextTurns, 1);
    assert.deepEqual(await w.conversations.context(THREAD), [
      { user: 'Capital of France?', assistant: 'Paris.' },
      { user: 'How many people live there?', assistant: 'About 2.1 million.' },
    ]);
  });

  it('GIVEN history from the door (a reply chain) THEN it is sent instead of the thread’s memory, which is left as it was', async (t) => {
    const w = await world(t);
    const stored = { user: 'Stored question', assistant: 'Stored answer' };
    await w.conversations.remember(THREAD, stored);
    const history = [{ user: 'Chain question', assistant: 'Chain answer' }];
    const answer = answered(
      await w.ask(w.request({ ...inThread, ...q('And then?'), history }), new RecordingSink()),
    );
    assert.deepEqual(sent(w).slice(1), [
      { role: 'user', content: 'Chain question' },
      { role: 'assistant', content: 'Chain answer' },
      { role: 'user', content: 'And then?' },
    ]);
    assert.equal(answer.contextTurns, 1);
    assert.deepEqual(await w.conversations.context(THREAD), [stored]);
  });

  it('GIVEN a regenerated question THEN it does not see the answer it replaces, and replaces it in memory', async (t) => {
    const w = await world(t);
    const first = { user: 'Capital of France?', assistant: 'Paris.' };
    await w.conversations.remember(THREAD, first);
    await w.conversations.remember(THREAD, { user: 'And of Italy?', assistant: 'Milan.' });
    w.mistral.script({ steps: [text('Rome.')] });
    answered(
      await w.ask(w.request({ ...inThread, ...q('And of Italy?'), regenerated: true }), new RecordingSink()),
    );
    assert.deepEqual(sent(w).slice(1), [
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'And of Italy?' },
    ]);
    assert.deepEqual(await w.conversations.context(THREAD), [
      first,
      { user: 'And of Italy?', assistant: 'Rome.' },
    ]);
  });

  it('GIVEN the door opens a thread for the answer (finish returns its id) THEN the turn is remembered in that thread', async (t) => {
    const w = await world(t);
    const opened = '200000000000000042';
    w.mistral.script({ steps: [text('Paris.')] });
    const sink = new RecordingSink({ finish: async () => ({ threadId: opened }) });
    answered(await w.ask(w.request(q('Capital of France?')), sink));
    assert.deepEqual(await w.conversations.context(opened), [
      { user: 'Capital of France?', assistant: 'Paris.' },
    ]);
    assert.deepEqual(await w.conversations.context(CHANNEL), [], 'a plain channel remembers nothing');
  });
});

describe('AskService: a door that fails', () => {
  it('GIVEN a sink whose finish throws THEN the answer is still charged what Mistral reported, the outcome is answered, and nothing is thrown', async (t) => {
    const w = await world(t);
    const sink = new RecordingSink({
      finish: async () => {
        throw new Error('Unknown Webhook');
      },
    });
    const answer = answered(await w.ask(w.request(), sink));
    const reported = w.mistral.calls[0]?.reported;
    assert.ok(reported);
    assert.deepEqual(answer.usage, reported);
    assert.equal(await w.used(), reported.totalTokens);
    assert.equal(await w.held(), 0);
    assert.ok(w.logLines.some((l) => /could not deliver the end of an answer/.test(String(l['msg']))));
  });

  it('GIVEN a sink whose accepted throws while the question waits THEN it is stopped before it starts and its hold released', async (t) => {
    const w = await world(t);
    w.pacer.pauseFor(60_000);
    const sink = new RecordingSink({
      accepted: async () => {
        throw new Error('Unknown interaction');
      },
    });
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'stopped_before_start');
    assert.equal(w.mistral.calls.length, 0);
    assert.equal(await w.held(), 0);
    assert.equal(await w.used(), 0);
  });

  it('GIVEN a sink whose accepted throws once the answer streams THEN the stream is stopped and what it cost is charged, nothing left held', async (t) => {
    const w = await world(t);
    w.mistral.script({ steps: [text('One'), text(' two', 30), text(' three', 30), text(' four', 30)] });
    const sink: RecordingSink = new RecordingSink({
      accepted: async () => {
        await eventually(() => sink.methods.includes('append'));
        throw new Error('Unknown interaction');
      },
    });
    const answer = answered(await w.ask(w.request(), sink));
    assert.equal(answer.end, 'stopped');
    assert.ok(w.mistral.calls[0]?.signal?.aborted);
    assert.notEqual(answer.content, 'One two three four');
    assert.equal(await w.used(), answer.usage.totalTokens);
    assert.equal(await w.held(), 0);
  });
  it('GIVEN a sink whose refuse throws THEN the refusal is logged and answer() still resolves refused', async (t) => {
    const w = await world(t);
    const sink = new RecordingSink({
      refuse: async () => {
        throw new Error('Unknown interaction');
      },
    });
    const outcome = await w.ask(w.request({ parts: [] }), sink);
    assert.equal(refusedCode(outcome), 'blank_prompt');
    assert.ok(w.logLines.some((l) => /Unknown interaction/.test(JSON.stringify(l))));
  });
});

describe('AskService: cooldown', () => {
  it('GIVEN MEMBER_COOLDOWN_SECONDS THEN a second question inside it is refused with the seconds left, before any hold; after it, answered', async (t) => {
    let now = 1_000_000;
    const w = await world(t, { cooldown: { ms: 30_000, now: () => now } });
    answered(await w.ask(w.request(), new RecordingSink()));
    now += 10_000;
    const sink = new RecordingSink();
    assert.equal(refusedCode(await w.ask(w.request(), sink)), 'cooldown');
    assert.equal(sink.refusal.params['seconds'], 20);
    assert.deepEqual(sink.methods, ['refuse']);
    assert.equal(
      w.budgetCalls.filter((c) => c.kind === 'reserve').length,
      1,
      'the second was never reserved',
    );
    answered(await w.ask(w.request({ userId: OTHER_MEMBER }), new RecordingSink()));
    now += 20_000;
    answered(await w.ask(w.request(), new RecordingSink()));
  });
});

describe('AskService: concurrency', () => {
  it('GIVEN 8 questions at once for one server with 1,500 tokens left THEN holds never exceed what is left, the charge exceeds 1,500 by at most the prompt estimates’ error, and every one not served is refused with a budget code', async (t) => {
    // Mistral counts twice as many tokens per character as the fake's default, so the bot's prompt
    // estimate is low and the charged total may pass the budget, by at most that error.
    const mistral = new ScriptedMistral({
      charsPerToken: 2,
      fallback: { steps: [text('word '.repeat(600), 20)] },
    });
    const w = await world(t, { guildMonthlyTokens: 1_500, maxAnswerTokens: 400, mistral });
    const members = Array.from({ length: 8 }, (_, i) => `3000000000000001${String(i).padStart(2, '0')}`);
    const sinks = members.map(() => new RecordingSink());
    const outcomes = await Promise.all(
      members.map((userId, i) => w.ask(w.request({ userId }), sinks[i] as RecordingSink)),
    );

    const served = outcomes.filter((o) => o.kind === 'answered');
    const refused = outcomes.flatMap((o) => (o.kind === 'refused' ? [o.code] : []));
    assert.ok(served.length >= 1);
    assert.equal(served.length + refused.length, 8);
    for (const code of refused)
      assert.ok(['budget_spent', 'budget_held', 'budget_too_small'].includes(code), code);
    sinks.forEach((sink, i) => {
      if (outcomes[i]?.kind === 'refused') assert.deepEqual(sink.methods, ['refuse']);
    });

    const reserves = w.budgetCalls.filter((c) => c.kind === 'reserve');
    const settles = w.budgetCalls.flatMap((c) => (c.kind === 'settle' ? [c] : []));
    assert.equal(reserves.length, 8);
    assert.ok(
      w.budgetCalls.findIndex((c) => c.kind === 'settle') >
        w.budgetCalls.findLastIndex((c) => c.kind === 'reserve'),
      'all eight were reserved at once, before any answer settled',
    );
    for (const r of reserves)
      if (r.heldAfter !== undefined) assert.ok(r.heldAfter <= 1_500, `held ${r.heldAfter}`);
    const holds = reserves.flatMap((r) => (r.hold ? [r.hold] : []));
    assert.equal(holds.length, served.length);
    assert.ok(holds.reduce((s, h) => s + h.tokens, 0) <= 1_500);

    const charged = await w.used();
    assert.equal(charged, w.mistral.reportedTotal, 'the ledger holds exactly what Mistral reported');
    let estimateError = 0;
    for (const { hold, charge } of settles) {
      assert.ok(charge.completionTokens <= hold.maxTokens);
      estimateError += Math.max(0, charge.promptTokens - (hold.tokens - hold.maxTokens));
    }
    assert.ok(charged <= 1_500 + estimateError, `charged ${charged}, error ${estimateError}`);
    assert.equal(await w.held(), 0);
  });
});
