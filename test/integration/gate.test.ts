import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createGate, GateRefusal, RequestGate } from '../../src/gate/gate.ts';
import { Pacer } from '../../src/gate/pacer.ts';
import { createMistralApi, UpstreamError, type MistralApi } from '../../src/mistral/client.ts';
import { messageText, startMistralStandIn, type MistralStandIn } from '../standins/mistral.ts';

const log = pino({ level: 'silent' });
const MODEL = 'mistral-small-latest';

interface Rig {
  readonly api: MistralApi;
  readonly gate: RequestGate;
}

function rig(standIn: MistralStandIn, overrides: { timeoutMs?: number; maxRetries?: number } = {}): Rig {
  const margin = 15;
  const pacer = new Pacer(1000 + margin);
  const api = createMistralApi({
    serverUrl: standIn.url,
    apiKey: 'test-key',
    timeoutMs: overrides.timeoutMs ?? 5_000,
    onSent: () => pacer.markSent(),
  });
  const gate = createGate({
    pacer,
    log,
    maxRetries: overrides.maxRetries ?? 3,
    backoffBaseMs: 200,
    backoffMaxMs: 1_000,
  });
  return { api, gate };
}

const ask = (r: Rig, guildId = 'g1', userId = 'u1', model = MODEL) =>
  r.gate.run({
    guildId,
    userId,
    model,
    tokens: 100,
    attempt: () => r.api.complete({ model, messages: [{ role: 'user', content: 'hi' }], maxTokens: 50 }),
  });

const accepted = (s: MistralStandIn) =>
  s.requests.filter((r) => r.path.endsWith('/chat/completions') && r.accepted);

describe('gate against the strict 1-RPS stand-in', () => {
  let standIn: MistralStandIn;
  before(async () => {
    standIn = await startMistralStandIn({ requestsPerSecond: 1 });
  });
  beforeEach(() => standIn.reset());
  after(() => standIn.close());

  it('GIVEN 6 requests at once with 2.5 s completions THEN all succeed with no 429 and several overlap', async () => {
    standIn.setLatencyMs(2_500);
    const r = rig(standIn);
    try {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(r, `g${i % 3}`, `u${i}`)));
      assert.equal(results.length, 6);
      for (const res of results) assert.ok(res.content.length > 0 && res.usage);
      assert.equal(standIn.rejected429, 0);
      assert.ok(standIn.inFlightMax >= 2, `inFlightMax ${standIn.inFlightMax}`);
      const starts = standIn.startTimes();
      for (let i = 1; i < starts.length; i++) {
        assert.ok((starts[i] as number) - (starts[i - 1] as number) >= 1000, 'starts at least 1 s apart');
      }
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN a 429 with Retry-After THEN nothing is sent inside the wait and the request then succeeds', async () => {
    standIn.setLatencyMs(20);
    standIn.inject({ kind: 'rate-limit', retryAfterSeconds: 2 });
    const r = rig(standIn);
    try {
      const [a, b] = await Promise.all([ask(r), ask(r, 'g2', 'u2')]);
      assert.ok(a.content && b.content);
      assert.deepEqual(standIn.violations, []);
      const completions = standIn.requests.filter((q) => q.path.endsWith('/chat/completions'));
      const limited = completions.find((q) => q.status === 429);
      assert.ok(limited, 'the stand-in answered 429 once');
      const later = completions.filter((q) => q.at > limited.at);
      for (const q of later)
        assert.ok(q.at - limited.at >= 2_000, `sent ${q.at - limited.at} ms after the 429`);
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN a 429 without Retry-After THEN the gate backs off and succeeds', async () => {
    standIn.inject({ kind: 'rate-limit' });
    const r = rig(standIn);
    try {
      const res = await ask(r);
      assert.ok(res.content);
      assert.equal(standIn.rejected429, 1);
      assert.equal(accepted(standIn).length, 1);
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN two 500s THEN the third attempt answers', async () => {
    standIn.inject({ kind: 'server-error' }, 2);
    const r = rig(standIn);
    try {
      const res = await ask(r);
      assert.ok(res.content);
      assert.equal(standIn.requests.filter((q) => q.status === 500).length, 2);
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN 500s forever THEN it gives up after the retries with a server_error', async () => {
    standIn.inject({ kind: 'server-error', status: 503 }, 10);
    const r = rig(standIn, { maxRetries: 2 });
    try {
      await assert.rejects(ask(r), (e: unknown) => e instanceof UpstreamError && e.kind === 'server_error');
      assert.equal(standIn.requests.filter((q) => q.status === 503).length, 3);
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN a hang THEN the attempt times out and the retry answers', async () => {
    standIn.inject({ kind: 'hang' });
    const r = rig(standIn, { timeoutMs: 1_000 });
    try {
      const res = await ask(r);
      assert.ok(res.content);
      assert.ok(standIn.requests.some((q) => q.fault?.kind === 'hang' && q.closedByClient));
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN garbage bodies of every shape THEN each is retried and the request answers', async () => {
    standIn.inject({ kind: 'garbage', shape: 'not-json' });
    standIn.inject({ kind: 'garbage', shape: 'wrong-shape' });
    standIn.inject({ kind: 'garbage', shape: 'html' });
    const r = rig(standIn, { maxRetries: 3 });
    try {
      const res = await ask(r);
      assert.ok(res.content);
      assert.equal(standIn.requests.filter((q) => q.fault?.kind === 'garbage').length, 3);
    } finally {
      await r.gate.close();
    }
  });

  it('GIVEN a model whose limit is 0 THEN it fails at once as model_unavailable, without retries', async () => {
    standIn.setModelLimits('mistral-large-latest', { unavailable: true });
    const r = rig(standIn);
    try {
      await assert.rejects(
        ask(r, 'g1', 'u1', 'mistral-large-latest'),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'model_unavailable',
      );
      assert.equal(standIn.requests.filter((q) => q.model === 'mistral-large-latest').length, 1);
    } finally {
      standIn.setModelLimits('mistral-large-latest', undefined);
      await r.gate.close();
    }
  });

  it('GIVEN a bad key THEN it fails as unauthorized without retries', async () => {
    const pacer = new Pacer(1015);
    const api = createMistralApi({
      serverUrl: standIn.url,
      apiKey: 'wrong',
      timeoutMs: 2_000,
    });
    const gate = createGate({ pacer, log, maxRetries: 3 });
    try {
      await assert.rejects(
        ask({ api, gate }),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'unauthorized',
      );
      assert.equal(standIn.requests.length, 1);
    } finally {
      await gate.close();
    }
  });

  it('GIVEN a full queue THEN new requests are refused before anything is sent', async () => {
    standIn.setLatencyMs(20);
    const pacer = new Pacer(1015);
    const api = createMistralApi({
      serverUrl: standIn.url,
      apiKey: 'test-key',
      timeoutMs: 2_000,
      onSent: () => pacer.markSent(),
    });
    const gate = createGate({
      pacer,
      log,
      maxRetries: 0,
      maxWaiting: 3,
      maxWaitingPerGuild: 1,
    });
    const r = { api, gate };
    pacer.pauseFor(1_500); // hold every start so the queue fills deterministically
    try {
      const queued = [ask(r, 'g1'), ask(r, 'g2')];
      await assert.rejects(
        ask(r, 'g1'),
        (e: unknown) => e instanceof GateRefusal && e.reason === 'guild_queue_full',
      );
      queued.push(ask(r, 'g3'));
      await assert.rejects(
        ask(r, 'g4'),
        (e: unknown) => e instanceof GateRefusal && e.reason === 'queue_full',
      );
      await Promise.all(queued);
      assert.equal(standIn.requests.length, 3);
    } finally {
      await gate.close();
    }
  });

  it('GIVEN a long 429 pause THEN closing the gate is immediate and the waiting request is told it was not sent', async () => {
    const r = rig(standIn);
    const pacer = new Pacer(1015);
    const gate = createGate({ pacer, log, maxRetries: 0 });
    pacer.pauseFor(60_000);
    const waiting = ask({ api: r.api, gate }).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = performance.now();
    await gate.close();
    await r.gate.close();
    assert.ok(performance.now() - t0 < 1_000, `close took ${Math.round(performance.now() - t0)} ms`);
    const outcome = await waiting;
    assert.ok(outcome instanceof GateRefusal && outcome.reason === 'closed');
    assert.equal(standIn.requests.length, 0);
  });
});

describe('gate: joining, cancelling, closing, members (the strict 1-RPS stand-in)', () => {
  let standIn: MistralStandIn;
  before(async () => {
    standIn = await startMistralStandIn({ requestsPerSecond: 1 });
  });
  beforeEach(() => standIn.reset());
  after(() => standIn.close());

  const setup = (options: Partial<ConstructorParameters<typeof RequestGate>[0]> = {}) => {
    const pacer = new Pacer(1015);
    const api = createMistralApi({
      serverUrl: standIn.url,
      apiKey: 'test-key',
      timeoutMs: 5_000,
      onSent: () => pacer.markSent(),
    });
    const gate = new RequestGate({ pacer, log, maxRetries: 3, ...options });
    const request = (id: string, guildId: string, userId: string, signal?: AbortSignal) => ({
      guildId,
      userId,
      model: MODEL,
      tokens: 100,
      ...(signal ? { signal } : {}),
      attempt: () => api.complete({ model: MODEL, messages: [{ role: 'user', content: id }], maxTokens: 20 }),
    });
    return { pacer, api, gate, request };
  };
  const sentIds = () =>
    standIn.requests
      .filter((r) => r.path.endsWith('/chat/completions'))
      .map((r) => messageText(r.messages?.[0]?.content));
  const refusedWith = (reason: string) => (e: unknown) => e instanceof GateRefusal && e.reason === reason;

  it('GIVEN one question per member allowed THEN a second one of that member is refused at join, another member is admitted, and the member may ask again once theirs started', async () => {
    const { gate, request, pacer } = setup({ maxWaitingPerMember: 1 });
    pacer.pauseFor(1_500);
    try {
      const first = await gate.join(request('first', 'g', 'ann'));
      await assert.rejects(gate.join(request('again', 'g', 'ann')), refusedWith('member_queue_full'));
      const other = await gate.join(request('bob', 'g', 'bob'));
      const elsewhere = await gate.join(request('ann-elsewhere', 'h', 'ann'));
      await first.result;
      const later = await gate.join(request('later', 'g', 'ann'));
      await Promise.all([other.result, elsewhere.result, later.result]);
      assert.deepEqual(sentIds().sort(), ['ann-elsewhere', 'bob', 'first', 'later']);
      assert.equal(standIn.rejected429, 0);
      assert.deepEqual(standIn.violations, []);
    } finally {
      await gate.close();
    }
  });

  it('GIVEN one member flooding a server THEN another member of that server is served in the second slot', async () => {
    const { gate, request } = setup();
    try {
      const flood = await Promise.all(
        Array.from({ length: 6 }, (_, i) => gate.join(request(`flood-${i}`, 'g', 'ann'))),
      );
      const bob = await gate.join(request('bob', 'g', 'bob'));
      await bob.result;
      assert.equal(sentIds().indexOf('bob'), 1, sentIds().join(' '));
      await Promise.all(flood.map((t) => t.result));
      assert.equal(standIn.rejected429, 0);
      assert.deepEqual(standIn.violations, []);
    } finally {
      await gate.close();
    }
  });

  it('GIVEN a waiting question whose signal aborts THEN it leaves the line at once as cancelled and is never sent', async () => {
    const { gate, request, pacer } = setup();
    pacer.pauseFor(1_000);
    try {
      const stop = new AbortController();
      const keep = await gate.join(request('keep', 'g1', 'a'));
      const stopped = await gate.join(request('stopped', 'g2', 'b', stop.signal));
      assert.equal(gate.waiting, 2);
      const t0 = performance.now();
      stop.abort();
      await assert.rejects(stopped.result, refusedWith('cancelled'));
      assert.ok(performance.now() - t0 < 100);
      assert.equal(gate.waiting, 1);
      await keep.result;
      await assert.rejects(
        gate.join(request('late', 'g3', 'c', AbortSignal.abort())),
        refusedWith('cancelled'),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      assert.deepEqual(sentIds(), ['keep']);
    } finally {
      await gate.close();
    }
  });

  it('GIVEN questions in line and one in a retry backoff THEN close rejects all of them with closed at once', async () => {
    const { gate, request } = setup({ backoffBaseMs: 20_000, backoffMaxMs: 20_000 });
    standIn.inject({ kind: 'server-error' });
    const first = await gate.join(request('retried', 'g1', 'a'));
    await waitUntilSent(1);
    // The 500 has come back: the first question now sits in its backoff, the others in line.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = await Promise.all([
      gate.join(request('w1', 'g2', 'b')),
      gate.join(request('w2', 'g3', 'c')),
    ]);
    assert.equal(gate.waiting, 3);
    const t0 = performance.now();
    await gate.close();
    assert.ok(performance.now() - t0 < 1_000, `close took ${Math.round(performance.now() - t0)} ms`);
    for (const ticket of [first, ...waiting]) await assert.rejects(ticket.result, refusedWith('closed'));
    await assert.rejects(gate.join(request('after', 'g4', 'd')), refusedWith('closed'));
    assert.ok(sentIds().length <= 2, sentIds().join(' '));
  });

  it('GIVEN members waiting THEN the places they are told match the order the stand-in then sees', async () => {
    const { gate, request, pacer } = setup();
    pacer.pauseFor(1_000);
    const told = new Map<string, number>();
    try {
      const tickets = await Promise.all(
        ['a1', 'a2', 'b1', 'c1', 'a3', 'b2'].map((id) =>
          gate.join({
            ...request(id, `g-${id[0]}`, `m-${id}`),
            onWait: (position) => {
              if (!told.has(id)) told.set(id, position);
            },
          }),
        ),
      );
      await Promise.all(tickets.map((t) => t.result));
      const byPlace = [...told.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id);
      assert.deepEqual(byPlace, sentIds());
      assert.deepEqual(standIn.violations, []);
    } finally {
      await gate.close();
    }
  });

  async function waitUntilSent(n: number): Promise<void> {
    const t0 = Date.now();
    while (standIn.requests.filter((r) => r.status !== null).length < n) {
      if (Date.now() - t0 > 10_000) throw new Error(`fewer than ${n} requests answered`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
