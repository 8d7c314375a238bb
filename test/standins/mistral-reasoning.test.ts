import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { HTTPValidationError, SDKError } from '@mistralai/mistralai/models/errors';
import { startMistralStandIn } from './mistral.ts';
import type { MistralStandIn, MistralStandInOptions } from './mistral.ts';
import { connectMistral } from '../support/mistral-client.ts';

const THINKING = 'First I recall that Rayleigh scattering favours short wavelengths.';
const ANSWER = 'Because air scatters blue light more than red light.';
const ask = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }],
  ...extra,
});

async function start(t: TestContext, opts: MistralStandInOptions = {}): Promise<MistralStandIn> {
  const standIn = await startMistralStandIn({
    requestsPerSecond: Infinity,
    answer: () => ANSWER,
    thinking: () => THINKING,
    modelCards: { 'magistral-small-latest': {} },
    ...opts,
  });
  t.after(() => standIn.close());
  return standIn;
}

test('GIVEN a reasoning model THEN a non-streamed answer is [thinking, text] and the trace’s tokens count as completion tokens', async (t) => {
  const standIn = await start(t);
  const { client } = connectMistral(standIn);
  const res = await client.chat.complete(ask('magistral-small-latest'));
  const content = res.choices[0]?.message?.content;
  assert.ok(Array.isArray(content));
  assert.deepEqual(JSON.parse(JSON.stringify(content)), [
    { type: 'thinking', thinking: [{ type: 'text', text: THINKING }] },
    { type: 'text', text: ANSWER },
  ]);
  const thinkingTokens = Math.ceil(THINKING.length / 4);
  assert.equal(res.usage.completionTokens, thinkingTokens + Math.ceil(ANSWER.length / 4));
  assert.equal(standIn.requests[0]?.thinkingTokens, thinkingTokens);
  const plain = await client.chat.complete(ask('mistral-small-latest'));
  assert.equal(plain.choices[0]?.message?.content, ANSWER, 'Small 4 thinks only when asked');
});

test('GIVEN a streamed reasoning answer THEN thinking deltas come first, then one list closing the trace with the first text, then plain strings, usage on the last', async (t) => {
  const standIn = await start(t, { latencyMs: 300, firstTokenMs: 10, thinkingMs: 150 });
  const { client } = connectMistral(standIn);
  const stream = await client.chat.stream(ask('mistral-small-latest', { reasoningEffort: 'high' }));
  const deltas: unknown[] = [];
  let usage: unknown;
  for await (const event of stream) {
    deltas.push(JSON.parse(JSON.stringify(event.data.choices[0]?.delta.content ?? null)));
    if (event.data.usage) usage = { ...event.data.usage };
  }
  const lists = deltas.filter(Array.isArray) as Array<Array<Record<string, unknown>>>;
  const closing = lists.findIndex((l) => l.some((c) => c.closed === true));
  assert.ok(closing > 1, 'several thinking deltas before the closing one');
  const trace = lists
    .slice(0, closing)
    .map((l) => {
      assert.deepEqual(
        l.map((c) => c.type),
        ['thinking'],
      );
      return (l[0]?.thinking as Array<{ text: string }>).map((p) => p.text).join('');
    })
    .join('');
  assert.equal(trace, THINKING);
  const closer = lists[closing];
  assert.deepEqual(
    closer?.map((c) => c.type),
    ['thinking', 'text'],
  );
  assert.equal(closing, lists.length - 1, 'after the closing list only strings');
  const afterClose = deltas.slice(deltas.indexOf(closer) + 1);
  assert.ok(afterClose.every((d) => typeof d === 'string'));
  assert.equal(`${String(closer?.[1]?.text)}${afterClose.join('')}`, ANSWER);
  assert.deepEqual(usage, {
    promptTokens: Math.ceil('Why is the sky blue?'.length / 4) + 4,
    completionTokens: Math.ceil(THINKING.length / 4) + Math.ceil(ANSWER.length / 4),
    totalTokens:
      Math.ceil('Why is the sky blue?'.length / 4) +
      4 +
      Math.ceil(THINKING.length / 4) +
      Math.ceil(ANSWER.length / 4),
  });
  assert.equal(standIn.requests[0]?.reasoningEffort, 'high');
});

test('GIVEN reasoning_effort THEN a value outside the API’s enum is a 422, a non-reasoning model or an effort the model lacks a 400, and none turns thinking off', async (t) => {
  const standIn = await start(t);
  const { client } = connectMistral(standIn);
  await assert.rejects(
    client.chat.complete(ask('magistral-small-latest', { reasoningEffort: 'extreme' })),
    (err: unknown) => {
      assert.ok(err instanceof HTTPValidationError);
      assert.deepEqual(err.detail?.[0]?.loc, ['body', 'reasoning_effort']);
      return true;
    },
  );
  const refused = (pattern: RegExp) => (err: unknown) => {
    assert.ok(err instanceof SDKError && err.statusCode === 400);
    const body = JSON.parse(err.body) as { type: string; code: string; message: string };
    assert.equal(body.type, 'invalid_request_invalid_args');
    assert.equal(body.code, '3051');
    assert.match(body.message, pattern);
    return true;
  };
  await assert.rejects(
    client.chat.complete(ask('open-mistral-nemo', { reasoningEffort: 'high' })),
    refused(/reasoning_effort is not supported for model open-mistral-nemo/),
  );
  await assert.rejects(
    client.chat.complete(ask('mistral-small-latest', { reasoningEffort: 'medium' })),
    refused(/reasoning_effort='medium' is not supported for this model\. Must be one of \(none, high\)/),
  );
  const off = await client.chat.complete(ask('magistral-small-latest', { reasoningEffort: 'none' }));
  assert.equal(off.choices[0]?.message?.content, ANSWER);
  standIn.setModelCard('custom-reasoner', { capabilities: { reasoning: true } });
  const minimal = await client.chat.complete(ask('custom-reasoner', { reasoningEffort: 'minimal' }));
  assert.ok(
    Array.isArray(minimal.choices[0]?.message?.content),
    'a card with reasoning takes all six efforts',
  );
  assert.equal(standIn.accepted, 2);
});

test('GIVEN an older magistral card in tags mode THEN the trace travels inside literal <think> tags, streamed as strings', async (t) => {
  const standIn = await start(t, {
    modelCards: { 'magistral-medium-2506': { thinkingFormat: 'tags' } },
    latencyMs: 100,
    firstTokenMs: 5,
  });
  const { client } = connectMistral(standIn);
  const res = await client.chat.complete(ask('magistral-medium-2506'));
  assert.equal(res.choices[0]?.message?.content, `<think>\n${THINKING}\n</think>\n\n${ANSWER}`);
  const stream = await client.chat.stream(ask('magistral-medium-2506'));
  let text = '';
  for await (const event of stream) {
    const delta = event.data.choices[0]?.delta.content;
    assert.ok(delta === undefined || delta === null || typeof delta === 'string');
    text += delta ?? '';
  }
  assert.equal(text, `<think>\n${THINKING}\n</think>\n\n${ANSWER}`);
});

test('GIVEN a 2-second stream the client stops halfway THEN the record shows what was sent and generated, and the model is billed that partial', async (t) => {
  const words = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, '0')}`).join(' ');
  const standIn = await start(t, { answer: () => words, latencyMs: 2_000, firstTokenMs: 20 });
  const { client } = connectMistral(standIn, { timeoutMs: 10_000 });
  const started = performance.now();
  const stream = await client.chat.stream(ask('mistral-small-latest'));
  let received = '';
  for await (const event of stream) {
    const delta = event.data.choices[0]?.delta.content;
    received += typeof delta === 'string' ? delta : '';
    if (performance.now() - started > 1_000) break;
  }
  const record = standIn.requests[0];
  for (let i = 0; i < 100 && record?.partial === undefined; i += 1)
    await new Promise((r) => setTimeout(r, 10));
  const partial = record?.partial;
  assert.ok(partial, 'the close was recorded');
  assert.equal(record?.closedByClient, true);
  assert.ok(partial.sentText.startsWith(received), 'the client got a prefix of what was sent');
  assert.ok(words.startsWith(partial.sentText));
  assert.ok(partial.sentText.length > 0 && partial.sentText.length < words.length);
  assert.ok(partial.closedAfterMs >= 1_000 && partial.closedAfterMs < 2_000);
  assert.ok(partial.generatedTokens >= Math.ceil(partial.sentText.length / 4));
  assert.ok(partial.generatedTokens < Math.ceil(words.length / 4));
  const prompt = Math.ceil('Why is the sky blue?'.length / 4) + 4;
  assert.deepEqual(partial.usage, {
    prompt_tokens: prompt,
    completion_tokens: partial.generatedTokens,
    total_tokens: prompt + partial.generatedTokens,
  });
  assert.deepEqual(record?.usage, partial.usage, 'billed the partial, not the planned answer');
  assert.equal(standIn.usageOf('mistral-small-latest').monthTokens, partial.usage.total_tokens);
});
