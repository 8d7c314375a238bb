import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { monthKey } from '../../src/store/month.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';

const month = monthKey(new Date());

function writer(url: string, guildId: string, count: number) {
  const child = spawn(
    process.execPath,
    [new URL('../fixtures/redis-usage-writer.ts', import.meta.url).pathname, url, guildId, String(count)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    ready: async () => assert.equal((await lines.next()).value, 'ready'),
    go: () => child.stdin.write('go\n'),
    done: async () => {
      assert.equal((await lines.next()).value, 'done');
      await once(child, 'exit');
    },
  };
}

describe('the Redis store (a real redis-server with append-only persistence)', () => {
  let redis: RedisServer;
  let store: Store;
  before(async () => {
    redis = await startRedisServer();
    store = await openStore(redis.url);
  });
  after(async () => {
    await store.close();
    await redis.close();
  });

  it('GIVEN 100 concurrent records for one server THEN they add up exactly', async () => {
    const at = new Date();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.usage.record({
          guildId: 'g-concurrent',
          userId: `u${i % 3}`,
          model: 'm',
          promptTokens: 10,
          completionTokens: 5,
          at,
        }),
      ),
    );
    assert.equal(await store.usage.monthTotal('g-concurrent', month), 1500);
    const report = await store.usage.monthReport('g-concurrent', month);
    assert.deepEqual(report.total, {
      promptTokens: 1000,
      completionTokens: 500,
      totalTokens: 1500,
      requests: 100,
    });
  });

  it('GIVEN two processes recording 100 each at the same moment THEN the sum is exact', async () => {
    const a = writer(redis.url, 'g-two-procs', 100);
    const b = writer(redis.url, 'g-two-procs', 100);
    await Promise.all([a.ready(), b.ready()]);
    a.go();
    b.go();
    await Promise.all([a.done(), b.done()]);
    assert.equal(await store.usage.monthTotal('g-two-procs', month), 200 * 15);
    const report = await store.usage.monthReport('g-two-procs', month);
    assert.equal(report.total.requests, 200);
  });

  it('GIVEN the same records in SQLite and Redis THEN both ledgers report the same breakdowns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bot-ledgers-'));
    const sqlite = await openStore(`sqlite://${join(dir, 'x.sqlite')}`);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              model: fc.constantFrom('small', 'large', 'codestral'),
              userId: fc.constantFrom('111', '222', '333'),
              day: fc.integer({ min: 1, max: 28 }),
              p: fc.integer({ min: 0, max: 5000 }),
              c: fc.integer({ min: 0, max: 5000 }),
            }),
            { maxLength: 30 },
          ),
          async (records) => {
            const guildId = `g-cross-${Math.random().toString(36).slice(2)}`;
            for (const r of records) {
              const at = new Date(`2026-02-${String(r.day).padStart(2, '0')}T12:00:00Z`);
              const record = {
                guildId,
                userId: r.userId,
                model: r.model,
                promptTokens: r.p,
                completionTokens: r.c,
                at,
              };
              await Promise.all([sqlite.usage.record(record), store.usage.record(record)]);
            }
            assert.deepEqual(
              await store.usage.monthReport(guildId, '2026-02'),
              await sqlite.usage.monthReport(guildId, '2026-02'),
            );
            assert.equal(
              await store.usage.monthTotal(guildId, '2026-02'),
              await sqlite.usage.monthTotal(guildId, '2026-02'),
            );
          },
        ),
        { seed: 5, numRuns: 40 },
      );
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('GIVEN settings and usage THEN they survive a redis-server restart, and a record made while it is down lands when it is back', async () => {
    const models = store.keyv('channel-model');
    await models.set('123456789012345678', 'open-mistral-nemo');
    await store.usage.record({
      guildId: 'g-restart',
      userId: 'u',
      model: 'm',
      promptTokens: 7,
      completionTokens: 3,
      at: new Date(),
    });
    await redis.stop();
    const pending = store.usage.record({
      guildId: 'g-restart',
      userId: 'u',
      model: 'm',
      promptTokens: 1,
      completionTokens: 1,
      at: new Date(),
    });
    await new Promise((r) => setTimeout(r, 300));
    await redis.start();
    await pending;
    assert.equal(await store.usage.monthTotal('g-restart', month), 12);
    assert.equal(await models.get('123456789012345678'), 'open-mistral-nemo');
  });

  it('GIVEN an unreachable Redis THEN opening the store fails with a clear message naming DATABASE_URL', async () => {
    await assert.rejects(
      openStore('redis://127.0.0.1:1'),
      /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(DATABASE_URL\)/,
    );
  });
});
