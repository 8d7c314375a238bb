import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageText, startMistralStandIn, type MistralStandIn } from '../standins/mistral.ts';
import { exitOf, waitUntil } from '../support/process.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';

interface Message {
  readonly id?: string;
  readonly ready?: boolean;
  readonly joined?: number;
  readonly refused?: string;
  readonly started?: number;
  readonly done?: string;
  readonly ms?: number;
  readonly wait?: { readonly position: number; readonly stalled: boolean };
}

const WORKER = new URL('./gate-worker.ts', import.meta.url).pathname;

/** One bot-like process with its own gate, sharing the order through Redis (see gate-worker.ts). */
class GateProcess {
  readonly messages: Message[] = [];
  readonly #child: ChildProcess;
  #stderr = '';

  constructor(options: object) {
    this.#child = spawn(process.execPath, [WORKER, JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const child = this.#child;
    if (!child.stdout || !child.stderr) throw new Error('no pipes');
    createInterface({ input: child.stdout }).on('line', (line) =>
      this.messages.push(JSON.parse(line) as Message),
    );
    child.stderr.on('data', (d: Buffer) => (this.#stderr += d.toString()));
  }

  ready(): Promise<void> {
    return this.until(() => this.messages.some((m) => m.ready), 'the gate process to start', 15_000);
  }

  join(
    id: string,
    guildId: string,
    userId = `${id}-member`,
    more: { model?: string; tokens?: number } = {},
  ): void {
    this.#child.stdin?.write(`${JSON.stringify({ op: 'join', id, guildId, userId, ...more })}\n`);
  }

  pause(ms: number): void {
    this.#child.stdin?.write(`${JSON.stringify({ op: 'pause', ms })}\n`);
  }

  of(id: string): Message[] {
    return this.messages.filter((m) => m.id === id);
  }

  outcome(id: string): string | undefined {
    const m = this.of(id).find((x) => x.done !== undefined || x.refused !== undefined);
    return m?.done ?? (m?.refused === undefined ? undefined : `refused:${m.refused}`);
  }

  until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    return waitUntil(check, what, timeoutMs, () => this.#stderr.slice(-2_000));
  }

  kill(): Promise<unknown> {
    this.#child.kill('SIGKILL');
    return exitOf(this.#child);
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.stdin?.write(`${JSON.stringify({ op: 'close' })}\n`);
    const exited = exitOf(this.#child);
    await Promise.race([exited, sleep(8_000).then(() => this.#child.kill('SIGKILL'))]);
  }
}

/** The ids of the requests the stand-in accepted, in the order it accepted them. */
function acceptedOrder(standIn: MistralStandIn): string[] {
  return standIn.requests
    .filter((r) => r.path.endsWith('/chat/completions') && r.accepted)
    .sort((a, b) => a.at - b.at)
    .map((r) => messageText(r.messages?.[0]?.content));
}

describe('one fair order across two gate processes sharing Redis, against the strict 1-RPS stand-in', () => {
  let redis: RedisServer;
  let standIn: MistralStandIn;
  const running: GateProcess[] = [];
  const start = async (options: object = {}) => {
    const p = new GateProcess({ standInUrl: standIn.url, redisUrl: redis.url, ...options });
    running.push(p);
    await p.ready();
    return p;
  };

  before(async () => {
    redis = await startRedisServer();
    standIn = await startMistralStandIn({ requestsPerSecond: 1 });
  });
  beforeEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.close()));
    spawnSync('redis-cli', ['-p', String(redis.port), 'flushall']);
    standIn.reset();
  });
  after(async () => {
    await Promise.all(running.splice(0).map((p) => p.close()));
    await standIn.close();
    await redis.close();
  });

  it('GIVEN a 15-question flood from a server on process A THEN a lone server on process B gets one of the first two slots', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    for (let i = 0; i < 15; i++) a.join(`flood-${i}`, 'A-flood', `m${i}`);
    await a.until(() => a.of('flood-14').some((m) => m.joined !== undefined), 'the flood to be in line');
    await sleep(200);
    b.join('lone', 'B-lone');
    await b.until(() => b.outcome('lone') === 'ok', 'the lone question to be answered');
    const order = acceptedOrder(standIn);
    assert.ok(order.indexOf('lone') >= 0 && order.indexOf('lone') < 2, order.join(' '));
    assert.equal(standIn.rejected429, 0);
    assert.deepEqual(standIn.violations, []);
  });

  it('GIVEN two servers flooding on process A and one on process B THEN each gets about a third of the slots', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    for (let i = 0; i < 8; i++) {
      a.join(`A1-${i}`, 'A1', `m${i}`);
      a.join(`A2-${i}`, 'A2', `m${i}`);
      b.join(`B1-${i}`, 'B1', `m${i}`);
    }
    await waitUntil(() => acceptedOrder(standIn).length >= 12, '12 accepted requests', 30_000);
    const first = acceptedOrder(standIn).slice(0, 12);
    for (const server of ['A1', 'A2', 'B1']) {
      const n = first.filter((id) => id.startsWith(`${server}-`)).length;
      assert.ok(n >= 3 && n <= 5, `${server} got ${n} of the first 12: ${first.join(' ')}`);
    }
    assert.equal(standIn.rejected429, 0);
    assert.deepEqual(standIn.violations, []);
  });

  it('GIVEN the fairest question waits for its model’s minute window in process A THEN process B’s questions are not held up', async () => {
    const limits = { modelLimits: 'mistral-large-latest=1000/-' };
    const [a, b] = await Promise.all([start(limits), start(limits)]);
    a.join('large-0', 'A-first', 'm0', { model: 'mistral-large-latest', tokens: 800 });
    await a.until(() => a.outcome('large-0') === 'ok', 'the first large question answered');
    for (let i = 0; i < 4; i++) b.join(`b-${i}`, 'B', `m${i}`);
    await b.until(() => b.outcome('b-0') === 'ok', 'b-0 answered');
    // A server that has not been served yet: the smallest virtual tag of all, so it would win every
    // slot, but its model's window holds 800 of 1000 tokens for a minute, so it must not be offered.
    a.join('large-1', 'A-second', 'm1', { model: 'mistral-large-latest', tokens: 800 });
    await a.until(() => a.of('large-1').some((m) => m.joined !== undefined), 'large-1 in line');
    const t0 = performance.now();
    await b.until(() => [1, 2, 3].every((i) => b.outcome(`b-${i}`) === 'ok'), 'B answered', 15_000);
    assert.ok(performance.now() - t0 < 6_000, `B took ${Math.round(performance.now() - t0)} ms for 3 slots`);
    assert.equal(a.outcome('large-1'), undefined, 'the large question still waits for its window');
    assert.ok(!acceptedOrder(standIn).includes('large-1'));
    assert.equal(standIn.rejected429, 0);
    assert.deepEqual(standIn.violations, []);
  });

  it('GIVEN a global MAX_QUEUED of 4 THEN it holds across both processes, and closing tells every waiting question', async () => {
    const [a, b] = await Promise.all([start({ maxWaiting: 4 }), start({ maxWaiting: 4 })]);
    a.pause(20_000); // shared: nothing starts, so the queues fill deterministically
    await sleep(200);
    for (let i = 0; i < 3; i++) a.join(`a-${i}`, 'A', `m${i}`);
    await a.until(() => a.of('a-2').some((m) => m.joined !== undefined), 'three in line on A');
    b.join('b-0', 'B');
    await b.until(
      () => b.outcome('b-0') !== undefined || b.of('b-0').some((m) => m.joined !== undefined),
      'b-0',
    );
    b.join('b-1', 'B', 'other');
    a.join('a-3', 'A', 'm3');
    await b.until(() => b.outcome('b-1') !== undefined, 'b-1 refused');
    await a.until(() => a.outcome('a-3') !== undefined, 'a-3 refused');
    assert.ok(
      b.of('b-0').some((m) => m.joined !== undefined),
      'the fourth question is admitted',
    );
    assert.equal(b.outcome('b-1'), 'refused:queue_full');
    assert.equal(a.outcome('a-3'), 'refused:queue_full');
    await Promise.all([a.close(), b.close()]);
    for (const id of ['a-0', 'a-1', 'a-2']) assert.equal(a.outcome(id), 'closed');
    assert.equal(b.outcome('b-0'), 'closed');
    assert.equal(standIn.requests.length, 0);
  });

  it('GIVEN process A is killed with questions in line THEN its offer and count expire and process B goes on', async () => {
    const [a, b] = await Promise.all([start({ maxWaiting: 6 }), start({ maxWaiting: 6 })]);
    a.pause(3_000);
    await sleep(200);
    for (let i = 0; i < 5; i++) a.join(`a-${i}`, 'A', `m${i}`);
    await a.until(() => a.of('a-4').some((m) => m.joined !== undefined), 'five in line on A');
    b.join('b-0', 'B');
    b.join('b-1', 'B', 'other');
    await b.until(() => b.outcome('b-1') !== undefined, 'b-1 refused while A counts 5');
    assert.equal(b.outcome('b-1'), 'refused:queue_full');
    await a.kill();
    const killedAt = performance.now();
    // Within A's count's lifetime B is admitted again, and its questions are answered.
    let admitted = false;
    for (let i = 0; !admitted && performance.now() - killedAt < 15_000; i++) {
      b.join(`b-retry-${i}`, 'B', `retry-${i}`);
      await b.until(
        () => b.of(`b-retry-${i}`).some((m) => m.joined !== undefined || m.refused),
        `retry ${i}`,
      );
      admitted = b.of(`b-retry-${i}`).some((m) => m.joined !== undefined);
      if (!admitted) await sleep(500);
    }
    assert.ok(admitted, 'B admitted a question after A died');
    await b.until(() => b.outcome('b-0') === 'ok', 'b-0 answered', 20_000);
    assert.ok(performance.now() - killedAt < 20_000);
    assert.ok(
      acceptedOrder(standIn).every((id) => !id.startsWith('a-')),
      'nothing of the dead process went out',
    );
    assert.equal(standIn.rejected429, 0);
    assert.deepEqual(standIn.violations, []);
  });

  it('GIVEN Redis is flushed in the middle of a burst THEN every question is answered with no 429 and no violation', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    for (let i = 0; i < 4; i++) {
      a.join(`a-${i}`, 'A', `m${i}`);
      b.join(`b-${i}`, 'B', `m${i}`);
    }
    await waitUntil(() => acceptedOrder(standIn).length >= 3, 'three accepted', 20_000);
    spawnSync('redis-cli', ['-p', String(redis.port), 'flushall']);
    await a.until(() => [0, 1, 2, 3].every((i) => a.outcome(`a-${i}`) === 'ok'), 'A answered', 30_000);
    await b.until(() => [0, 1, 2, 3].every((i) => b.outcome(`b-${i}`) === 'ok'), 'B answered', 30_000);
    assert.equal(acceptedOrder(standIn).length, 8);
    assert.equal(standIn.rejected429, 0);
    assert.deepEqual(standIn.violations, []);
  });

  it('GIVEN Redis is down THEN a join still answers within 2 s, the member is told the queue stalled, and it is answered once Redis is back', async () => {
    const [a, b] = await Promise.all([start({ maxWaiting: 50 }), start({ maxWaiting: 50 })]);
    for (let i = 0; i < 3; i++) a.join(`a-${i}`, 'A', `m${i}`);
    await a.until(() => a.outcome('a-0') === 'ok', 'a-0 answered');
    await redis.stop();
    try {
      b.join('b-0', 'B');
      await b.until(() => b.of('b-0').some((m) => m.joined !== undefined || m.refused), 'b-0 joined', 5_000);
      const joined = b.of('b-0').find((m) => m.joined !== undefined);
      assert.ok(joined?.joined !== undefined && joined.joined <= 2_000, `join took ${joined?.joined} ms`);
      await b.until(() => b.of('b-0').some((m) => m.wait?.stalled === true), 'a stalled notice', 10_000);
    } finally {
      await redis.start();
    }
    await b.until(() => b.outcome('b-0') === 'ok', 'b-0 answered after Redis is back', 30_000);
    await a.until(() => [1, 2].every((i) => a.outcome(`a-${i}`) === 'ok'), 'A answered', 30_000);
    assert.equal(standIn.rejected429, 0);
    assert.deepEqual(standIn.violations, []);
  });
});
