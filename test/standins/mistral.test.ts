import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import {
  ConnectionError,
  HTTPValidationError,
  MistralError,
  RequestTimeoutError,
  ResponseValidationError,
  SDKError,
} from '@mistralai/mistralai/models/errors';

import {
  RATE_LIMIT_BODY,
  countCompletionTokens,
  countPromptTokens,
  defaultAnswer,
  planCompletion,
  startMistralStandIn,
} from './mistral.ts';
import type { ChatRequest, MistralStandIn, MistralStandInOptions } from './mistral.ts';
import { connectMistral } from '../support/mistral-client.ts';

const MODEL = 'mistral-small-latest';
const USER = { role: 'user' as const, content: 'What is the capital of France?' };

/** A stand-in that is closed when the test ends, so the runner can exit. */
async function start(t: TestContext, opts: MistralStandInOptions = {}): Promise<MistralStandIn> {
  const standIn = await startMistralStandIn(opts);
  t.after(() => standIn.close());
  return standIn;
}

const connect = connectMistral;

const ask = { model: MODEL, messages: [USER] };
const wire: ChatRequest = { model: MODEL, messages: [USER] };

function isStatus(status: number) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SDKError, `expected SDKError, got ${String(err)}`);
    assert.ok(err instanceof MistralError);
    assert.equal(err.statusCode, status);
    return true;
  };
}

test('GIVEN a completion THEN the SDK returns the content and the usage of the exported counter', async (t) => {
  const standIn = await start(t);
  const { client, lastHeaders } = connect(standIn);

  const res = await client.chat.complete(ask);
  const total = res.usage.totalTokens;
  assert.ok(total !== undefined);

  const content = defaultAnswer(wire);
  const prompt = countPromptTokens([USER]);
  assert.equal(prompt, Math.ceil(USER.content.length / 4) + 4);
  assert.equal(res.choices[0]?.message?.content, content);
  assert.equal(res.choices[0]?.finishReason, 'stop');
  assert.equal(res.object, 'chat.completion');
  assert.equal(res.model, MODEL);
  assert.deepEqual(
    { ...res.usage },
    {
      promptTokens: prompt,
      completionTokens: countCompletionTokens(content),
      totalTokens: prompt + countCompletionTokens(content),
    },
  );
  assert.equal(lastHeaders().get('x-ratelimit-tokens-query-cost'), String(total));
  assert.equal(lastHeaders().get('x-ratelimit-limit-tokens-minute'), '500000');
  assert.equal(lastHeaders().get('x-ratelimit-remaining-tokens-minute'), String(500_000 - total));
  assert.equal(lastHeaders().get('x-ratelimit-limit-tokens-month'), '1000000000');
  assert.equal(lastHeaders().get('x-ratelimit-limit-req-minute'), '60');
  assert.equal(lastHeaders().get('x-ratelimit-remaining-req-minute'), '59');
  assert.equal(standIn.accepted, 1);
  assert.equal(standIn.requests[0]?.model, MODEL);
  assert.deepEqual(standIn.requests[0]?.usage, planCompletion(wire).usage);
});

test('GIVEN maxTokens below the answer length THEN the answer is cut and finishReason is length', async (t) => {
  const standIn = await start(t, { answer: () => 'x'.repeat(100) });
  const { client } = connect(standIn);

  const res = await client.chat.complete({ ...ask, maxTokens: 5, temperature: 0.2 });

  assert.equal(res.choices[0]?.message?.content, 'x'.repeat(20));
  assert.equal(res.choices[0]?.finishReason, 'length');
  assert.equal(res.usage.completionTokens, 5);
  assert.equal(standIn.requests[0]?.maxTokens, 5);
  assert.equal(standIn.requests[0]?.temperature, 0.2);
});

test('GIVEN a stream THEN the SDK yields the deltas and usage arrives on the last chunk only', async (t) => {
  const standIn = await start(t, { latencyMs: 200, firstTokenMs: 20 });
  const { client, lastHeaders } = connect(standIn);

  const stream = await client.chat.stream(ask);
  assert.equal(lastHeaders().get('content-type'), 'text/event-stream');
  let text = '';
  const events = [];
  for await (const event of stream) {
    text +=
      typeof event.data.choices[0]?.delta.content === 'string' ? event.data.choices[0].delta.content : '';
    events.push(event.data);
  }

  const plan = planCompletion(wire);
  assert.equal(text, plan.content);
  assert.ok(events.length > 3, 'the answer comes in several chunks');
  const last = events.at(-1);
  assert.equal(last?.choices[0]?.finishReason, 'stop');
  assert.deepEqual(
    { ...last?.usage },
    {
      promptTokens: plan.usage.prompt_tokens,
      completionTokens: plan.usage.completion_tokens,
      totalTokens: plan.usage.total_tokens,
    },
  );
  assert.ok(events.slice(0, -1).every((e) => e.usage === undefined && e.choices[0]?.finishReason === null));
  assert.equal(standIn.requests[0]?.stream, true);
});

test('GIVEN 1 request/s THEN a request 500 ms after an accepted one is a 429 without Retry-After and a violation, one 1010 ms after is fine', async (t) => {
  const standIn = await start(t);
  const { client, lastHeaders } = connect(standIn);

  await client.chat.complete(ask);
  const first = standIn.startTimes()[0] ?? assert.fail('first request not accepted');
  await sleep(first + 500 - performance.now());
  await assert.rejects(client.chat.complete(ask), (err: unknown) => {
    assert.ok(isStatus(429)(err) && err instanceof SDKError);
    assert.deepEqual(JSON.parse(err.body), RATE_LIMIT_BODY);
    assert.equal(err.headers.get('retry-after'), null);
    assert.equal(err.headers.get('x-ratelimit-limit-req-minute'), '60');
    return true;
  });
  assert.equal(lastHeaders().get('x-ratelimit-tokens-query-cost'), '0');
  await sleep(first + 1010 - performance.now());
  await client.chat.complete(ask);

  assert.equal(standIn.accepted, 2);
  assert.equal(standIn.rejected429, 1);
  const [a, b] = standIn.startTimes();
  assert.ok(a !== undefined && b !== undefined && b - a >= 1000);
  assert.equal(standIn.violations.length, 1);
  assert.match(
    standIn.violations[0] ?? '',
    /^request too early: completion #2 \(mistral-small-latest\) arrived 5\d\d\.\d ms from the last accepted one \(spacing 1000\.0 ms/,
  );
  assert.deepEqual(standIn.history.violations, standIn.violations);
  assert.equal(standIn.history.rejected429, 1);
});

test('GIVEN an injected 429 with Retry-After THEN the header is sent and a request inside the wait is a violation', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'rate-limit', retryAfterSeconds: 1 });

  await assert.rejects(client.chat.complete(ask), (err: unknown) => {
    assert.ok(isStatus(429)(err) && err instanceof SDKError);
    assert.equal(err.headers.get('retry-after'), '1');
    return true;
  });
  assert.deepEqual(standIn.violations, []);
  await assert.rejects(client.chat.complete(ask), isStatus(429));

  assert.equal(standIn.violations.length, 1);
  assert.match(standIn.violations[0] ?? '', /request inside Retry-After/);
  assert.equal(standIn.accepted, 0);
  assert.equal(standIn.requests[0]?.fault?.kind, 'rate-limit');
});

test('GIVEN an injected 429 without Retry-After THEN no header and no violation for the next request', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'rate-limit' }, 2);

  await assert.rejects(client.chat.complete(ask), (err: unknown) => {
    assert.ok(isStatus(429)(err) && err instanceof SDKError);
    assert.equal(err.headers.get('retry-after'), null);
    return true;
  });
  await assert.rejects(client.chat.complete(ask), isStatus(429));
  await client.chat.complete(ask);

  assert.equal(standIn.pendingFaults(), 0);
  assert.deepEqual(standIn.violations, []);
});

test('GIVEN injected server errors THEN the SDK throws SDKError with that status', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'server-error' });
  standIn.inject({ kind: 'server-error', status: 502 });
  standIn.inject({ kind: 'server-error', status: 503 });

  await assert.rejects(client.chat.complete(ask), isStatus(500));
  await assert.rejects(client.chat.complete(ask), isStatus(502));
  await assert.rejects(client.chat.stream(ask), isStatus(503));
  const res = await client.chat.complete(ask);

  assert.ok(res.choices[0]?.message?.content);
  assert.equal(standIn.accepted, 4, 'a 5xx came from an accepted request');
});

test('GIVEN garbage bodies THEN non-JSON is a SyntaxError, a wrong shape a ResponseValidationError, HTML an SDKError', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'garbage' });
  standIn.inject({ kind: 'garbage', shape: 'wrong-shape' });
  standIn.inject({ kind: 'garbage', shape: 'html' });

  await assert.rejects(client.chat.complete(ask), SyntaxError);
  await assert.rejects(client.chat.complete(ask), (err: unknown) => {
    assert.ok(err instanceof ResponseValidationError);
    assert.equal(err.statusCode, 200);
    return true;
  });
  await assert.rejects(client.chat.complete(ask), (err: unknown) => {
    assert.ok(isStatus(200)(err) && err instanceof SDKError);
    assert.match(err.message, /Unexpected Status or Content-Type/);
    return true;
  });
});

test('GIVEN a garbage stream THEN iterating it throws a ZodError (not a MistralError)', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'garbage' });

  const stream = await client.chat.stream(ask);
  await assert.rejects(
    (async () => {
      for await (const _event of stream) assert.fail('no event should parse');
    })(),
    (err: unknown) => {
      assert.ok(err instanceof Error && err.name === 'ZodError' && !(err instanceof MistralError));
      return true;
    },
  );
});

test('GIVEN a hang THEN the request stays open until the client-side timer aborts it (RequestTimeoutError)', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn, { timeoutMs: 300 });
  standIn.inject({ kind: 'hang' });

  const started = performance.now();
  await assert.rejects(client.chat.complete(ask), RequestTimeoutError);

  assert.ok(performance.now() - started >= 290);
  await sleep(20);
  const hung = standIn.requests[0];
  assert.equal(hung?.status, null);
  assert.equal(hung?.closedByClient, true);
  assert.equal(standIn.inFlight, 0);
  assert.equal(standIn.accepted, 1);
});

test('GIVEN a hang WHEN the stand-in closes THEN the hanging response ends and close() can be called again', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn, { timeoutMs: 5_000 });
  standIn.inject({ kind: 'hang' });

  const pending = client.chat.complete(ask);
  while (standIn.inFlight === 0) await sleep(5);
  await standIn.close();
  await standIn.close();

  await assert.rejects(pending, ConnectionError);
});

test('GIVEN a broken stream THEN the chunks before the break arrive and iteration throws TypeError terminated', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity, latencyMs: 60, firstTokenMs: 5 });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'break-stream', afterChunks: 3 });

  const stream = await client.chat.stream(ask);
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const _event of stream) seen += 1;
    })(),
    (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.equal(err.message, 'terminated');
      return true;
    },
  );
  assert.equal(seen, 3);
  assert.equal(standIn.requests[0]?.closedByClient, false);
});

test('GIVEN a non-stream break THEN before headers it is a ConnectionError, mid-body a TypeError', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'break-stream', afterChunks: 0 });
  standIn.inject({ kind: 'break-stream', afterChunks: 1 });

  await assert.rejects(client.chat.complete(ask), ConnectionError);
  await assert.rejects(client.chat.complete(ask), TypeError);
});

test('GIVEN no-usage THEN a stream ends without usage and a plain completion fails validation', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'no-usage' }, 2);

  const stream = await client.chat.stream(ask);
  let text = '';
  let finish: string | null | undefined;
  for await (const event of stream) {
    assert.equal(event.data.usage, undefined);
    const choice = event.data.choices[0];
    text += typeof choice?.delta.content === 'string' ? choice.delta.content : '';
    finish = choice?.finishReason;
  }
  assert.equal(text, defaultAnswer(wire));
  assert.equal(finish, 'stop');
  await assert.rejects(client.chat.complete(ask), ResponseValidationError);
});

test('GIVEN an exhausted monthly quota THEN 429 with month-remaining 0, and it stays spent', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });
  const { client } = connect(standIn);
  standIn.inject({ kind: 'quota-exhausted' });

  for (let i = 0; i < 2; i++) {
    await assert.rejects(client.chat.complete(ask), (err: unknown) => {
      assert.ok(isStatus(429)(err) && err instanceof SDKError);
      assert.equal(err.headers.get('x-ratelimit-remaining-tokens-month'), '0');
      assert.equal(err.headers.get('x-ratelimit-limit-tokens-month'), '1000000000');
      return true;
    });
  }
  await client.chat.complete({ ...ask, model: 'open-mistral-nemo' });
});

test('GIVEN a model not on the plan THEN every call is a 429 with limit headers of 0', async (t) => {
  const standIn = await start(t, {
    requestsPerSecond: Infinity,
    models: { 'mistral-large-latest': { unavailable: true } },
  });
  const { client } = connect(standIn);

  await assert.rejects(client.chat.complete({ ...ask, model: 'mistral-large-latest' }), (err: unknown) => {
    assert.ok(isStatus(429)(err) && err instanceof SDKError);
    assert.equal(err.headers.get('x-ratelimit-limit-tokens-minute'), '0');
    assert.equal(err.headers.get('x-ratelimit-limit-req-minute'), '0');
    assert.deepEqual(JSON.parse(err.body), RATE_LIMIT_BODY);
    return true;
  });
  assert.equal(standIn.accepted, 0);
});

test('GIVEN per-model minute limits THEN requests over the token or request window are 429s', async (t) => {
  const cost = planCompletion(wire).usage.total_tokens;
  const standIn = await start(t, {
    requestsPerSecond: Infinity,
    models: { [MODEL]: { tokensPerMinute: cost * 2 }, 'open-mistral-nemo': { reqPerMinute: 1 } },
  });
  const { client, lastHeaders } = connect(standIn);

  await client.chat.complete(ask);
  await client.chat.complete(ask);
  assert.equal(lastHeaders().get('x-ratelimit-remaining-tokens-minute'), '0');
  await assert.rejects(client.chat.complete(ask), isStatus(429));
  await client.chat.complete({ ...ask, model: 'open-mistral-nemo' });
  await assert.rejects(client.chat.complete({ ...ask, model: 'open-mistral-nemo' }), isStatus(429));

  assert.deepEqual(standIn.usageOf(MODEL), {
    minuteRequests: 2,
    minuteTokens: cost * 2,
    monthTokens: cost * 2,
  });
  assert.equal(standIn.accepted, 3);
  assert.equal(standIn.rejected429, 2);
});

test('GIVEN legacyHeaders THEN responses carry ratelimitbysize-* instead of x-ratelimit-*', async (t) => {
  const standIn = await start(t, { legacyHeaders: true });
  const { client, lastHeaders } = connect(standIn);

  const res = await client.chat.complete(ask);
  const total = res.usage.totalTokens;
  assert.ok(total !== undefined);

  const headers = lastHeaders();
  assert.equal(headers.get('ratelimitbysize-limit'), '500000');
  assert.equal(headers.get('ratelimitbysize-remaining'), String(500_000 - total));
  assert.equal(headers.get('ratelimitbysize-query-cost'), String(total));
  assert.equal(headers.get('ratelimitbysize-reset'), '60');
  assert.equal(headers.get('x-ratelimit-limit-tokens-minute'), null);
});

test('GIVEN stream_options (an OpenAI field) THEN Mistral-style 422 surfaces as HTTPValidationError', async (t) => {
  const standIn = await start(t);
  const { client, httpClient } = connect(standIn);
  // The SDK drops unknown fields itself, so add one on the wire as a hand-rolled client would.
  httpClient.addHook('beforeRequest', async (req) => {
    const body = (await req.clone().json()) as Record<string, unknown>;
    return new Request(req, { body: JSON.stringify({ ...body, stream_options: { include_usage: true } }) });
  });

  await assert.rejects(client.chat.stream(ask), (err: unknown) => {
    assert.ok(err instanceof HTTPValidationError);
    assert.equal(err.statusCode, 422);
    assert.deepEqual(err.detail?.[0]?.loc, ['body', 'stream_options']);
    assert.equal(err.detail?.[0]?.type, 'extra_forbidden');
    return true;
  });
  assert.equal(standIn.accepted, 0);
});

test('GIVEN a blank message THEN 422 HTTPValidationError pointing at its content', async (t) => {
  const standIn = await start(t);
  const { client } = connect(standIn);

  await assert.rejects(
    client.chat.complete({ model: MODEL, messages: [{ role: 'user', content: '   ' }] }),
    (err: unknown) => {
      assert.ok(err instanceof HTTPValidationError);
      assert.deepEqual(err.detail?.[0]?.loc, ['body', 'messages', 0, 'content']);
      return true;
    },
  );
  await assert.rejects(client.chat.complete({ model: MODEL, messages: [] }), HTTPValidationError);
});

test('GIVEN a wrong key THEN 401 SDKError; GIVEN an unknown model THEN 400 invalid_model', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity });

  await assert.rejects(connect(standIn, { apiKey: 'wrong' }).client.chat.complete(ask), (err: unknown) => {
    assert.ok(isStatus(401)(err) && err instanceof SDKError);
    assert.equal((JSON.parse(err.body) as { message: string }).message, 'Unauthorized');
    return true;
  });
  await assert.rejects(connect(standIn, { apiKey: 'wrong' }).client.models.list(), isStatus(401));
  await assert.rejects(connect(standIn).client.chat.complete({ ...ask, model: 'gpt-4o' }), (err: unknown) => {
    assert.ok(isStatus(400)(err) && err instanceof SDKError);
    assert.deepEqual(JSON.parse(err.body), {
      object: 'error',
      message: 'Invalid model: gpt-4o',
      type: 'invalid_model',
      code: '1500',
    });
    return true;
  });
});

test('GIVEN GET /v1/models THEN client.models.list() sees the known models', async (t) => {
  const standIn = await start(t, { knownModels: ['mistral-small-latest', 'open-mistral-nemo'] });
  const { client } = connect(standIn);

  const list = await client.models.list();
  const cards = (list.data ?? []).flatMap((m) => (m.type === 'base' ? [m] : []));

  assert.deepEqual(
    cards.map((m) => m.id),
    ['mistral-small-latest', 'open-mistral-nemo'],
  );
  assert.equal(cards[0]?.capabilities.completionChat, true);
  assert.equal(standIn.accepted, 0, 'listing models is not a completion');
});

test('GIVEN concurrent completions THEN inFlightMax and startTimes show the overlap', async (t) => {
  const standIn = await start(t, { requestsPerSecond: Infinity, latencyMs: 150 });
  const { client } = connect(standIn);

  await Promise.all([
    client.chat.complete(ask),
    client.chat.stream(ask).then(async (s) => {
      for await (const _e of s);
    }),
  ]);

  assert.equal(standIn.inFlightMax, 2);
  assert.equal(standIn.startTimes().length, 2);
  assert.equal(standIn.inFlight, 0);
  standIn.reset();
  assert.equal(standIn.requests.length, 0);
  assert.equal(standIn.accepted, 0);
});
