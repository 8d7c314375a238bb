import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { decideHold, type HoldOutcome, type HoldRequest } from '../../src/budget/hold.ts';
import { monthKey } from '../../src/store/month.ts';
import { openSqliteDatabase } from '../../src/store/open-sqlite.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { SqliteUsageLedger } from '../../src/store/sqlite-usage-ledger.ts';
import type { UsageLedger } from '../../src/store/usage-ledger.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';

const month = monthKey(new Date());
let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

function hold(guildId: string, over: Partial<HoldRequest> = {}): HoldRequest {
  return {
    holdId: unique('hold'),
    guildId,
    userId: 'member-a',
    month,
    guildLimit: 1_500,
    memberLimit: Infinity,
    promptTokens: 20,
    maxAnswerTokens: 1_024,
    ttlMs: 60_000,
    ...over,
  };
}

const usage = (guildId: string, userId: string, promptTokens: number, completionTokens: number) => ({
  guildId,
  userId,
  model: 'mistral-small-latest',
  promptTokens,
  completionTokens,
  at: new Date(),
});

const granted = (outcomes: readonly HoldOutcome[]) =>
  outcomes.reduce((sum, o) => sum + (o.ok ? o.tokens : 0), 0);

/** The contract every ledger keeps; run against a SQLite file and a real redis-server. */
function holdContract(
  name: string,
  open: () => Promise<{ ledger: UsageLedger; close: () => Promise<void> }>,
) {
  describe(`budget holds on ${name}`, () => {
    let ledger: UsageLedger;
    let close: () => Promise<void>;
    before(async () => {
      ({ ledger, close } = await open());
    });
    after(async () => close());

    it('GIVEN 1,500 tokens left and 8 questions at the same moment THEN the holds add up to at most 1,500 and every other one is refused as spent or too small', async () => {
      const guildId = unique('g-burst');
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ledger.reserve(hold(guildId, { userId: `m${i}` }))),
      );
      assert.ok(granted(outcomes) <= 1_500, `granted ${granted(outcomes)}`);
      assert.ok(outcomes.filter((o) => o.ok).length >= 1);
      for (const o of outcomes.filter((x) => !x.ok)) {
        assert.ok(!o.ok && (o.reason === 'guild_spent' || o.reason === 'guild_too_small'), JSON.stringify(o));
      }
      const held = await ledger.held(guildId);
      assert.equal(held.total, granted(outcomes));
    });

    it('GIVEN a hold THEN settling replaces it by the usage, and settling it again records nothing', async () => {
      const guildId = unique('g-settle');
      const h = hold(guildId);
      const outcome = await ledger.reserve(h);
      assert.ok(outcome.ok);
      assert.equal((await ledger.held(guildId)).total, outcome.tokens);
      assert.equal(await ledger.settle(h.holdId, usage(guildId, 'member-a', 30, 70)), true);
      assert.equal(await ledger.settle(h.holdId, usage(guildId, 'member-a', 30, 70)), false);
      assert.equal((await ledger.held(guildId)).total, 0);
      assert.equal(await ledger.monthTotal(guildId, month), 100);
      assert.equal(await ledger.memberMonthTotal(guildId, 'member-a', month), 100);
      assert.equal(await ledger.memberMonthTotal(guildId, 'member-b', month), 0);
    });

    it('GIVEN a released hold THEN its tokens are free again and nothing is charged', async () => {
      const guildId = unique('g-release');
      const first = hold(guildId, { guildLimit: 500 });
      assert.ok((await ledger.reserve(first)).ok);
      const blocked = await ledger.reserve(hold(guildId, { guildLimit: 500 }));
      assert.equal(blocked.ok, false);
      await ledger.release(first.holdId, guildId);
      assert.ok((await ledger.reserve(hold(guildId, { guildLimit: 500 }))).ok);
      assert.equal(await ledger.monthTotal(guildId, month), 0);
    });

    it('GIVEN a member cap THEN that member is refused at it while another member goes on', async () => {
      const guildId = unique('g-member');
      const capped = { memberLimit: 300, guildLimit: 10_000 };
      const a = hold(guildId, { ...capped, userId: 'flooder' });
      const first = await ledger.reserve(a);
      assert.ok(first.ok);
      assert.equal(first.tokens, 300);
      const second = await ledger.reserve(hold(guildId, { ...capped, userId: 'flooder' }));
      assert.deepEqual(second.ok ? 'ok' : second.reason, 'member_spent');
      await ledger.settle(a.holdId, usage(guildId, 'flooder', 100, 170));
      const third = await ledger.reserve(hold(guildId, { ...capped, userId: 'flooder' }));
      assert.deepEqual(
        third.ok ? 'ok' : third.reason,
        'member_too_small',
        '30 left: a 20-token prompt leaves less than the smallest answer',
      );
      const other = await ledger.reserve(hold(guildId, { ...capped, userId: 'someone-else' }));
      assert.ok(other.ok);
      assert.equal(other.numbers.guildUsed, 270);
      assert.equal(other.numbers.memberUsed, 0);
    });

    it('GIVEN a hold whose process died THEN it stops counting once it expires', async () => {
      const guildId = unique('g-expiry');
      assert.ok((await ledger.reserve(hold(guildId, { guildLimit: 500, ttlMs: 40 }))).ok);
      assert.equal((await ledger.reserve(hold(guildId, { guildLimit: 500 }))).ok, false);
      await sleep(120);
      assert.equal((await ledger.held(guildId)).total, 0);
      assert.ok((await ledger.reserve(hold(guildId, { guildLimit: 500 }))).ok);
    });

    it('GIVEN random holds, settles and releases THEN every decision matches the pure arithmetic on the ledger’s own numbers', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              op: fc.constantFrom('reserve', 'reserve', 'settle', 'release'),
              user: fc.constantFrom('u1', 'u2', 'u3'),
              prompt: fc.integer({ min: 0, max: 400 }),
              answer: fc.integer({ min: 16, max: 1_024 }),
              used: fc.integer({ min: 0, max: 600 }),
            }),
            { minLength: 1, maxLength: 25 },
          ),
          fc.integer({ min: 0, max: 3_000 }),
          fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: undefined }),
          async (ops, guildLimit, memberCap) => {
            const guildId = unique('g-prop');
            const open: Array<{ id: string; user: string; tokens: number }> = [];
            let used = 0;
            const usedBy = new Map<string, number>();
            const heldBy = new Map<string, number>();
            for (const op of ops) {
              if (op.op === 'reserve') {
                const r = hold(guildId, {
                  userId: op.user,
                  guildLimit,
                  memberLimit: memberCap ?? Infinity,
                  promptTokens: op.prompt,
                  maxAnswerTokens: op.answer,
                });
                const outcome = await ledger.reserve(r);
                const heldTotal = [...heldBy.values()].reduce((a, b) => a + b, 0);
                const expectedNumbers = {
                  guildUsed: used,
                  guildHeld: heldTotal,
                  memberUsed: usedBy.get(op.user) ?? 0,
                  memberHeld: heldBy.get(op.user) ?? 0,
                };
                assert.deepEqual(outcome.numbers, expectedNumbers);
                const { numbers: _numbers, ...decision } = outcome;
                assert.deepEqual(decision, decideHold(expectedNumbers, r));
                if (outcome.ok) {
                  open.push({ id: r.holdId, user: op.user, tokens: outcome.tokens });
                  heldBy.set(op.user, (heldBy.get(op.user) ?? 0) + outcome.tokens);
                }
              } else {
                const target = open.shift();
                if (!target) continue;
                if (op.op === 'settle') {
                  await ledger.settle(target.id, usage(guildId, target.user, op.used, 0));
                  used += op.used;
                  usedBy.set(target.user, (usedBy.get(target.user) ?? 0) + op.used);
                } else {
                  await ledger.release(target.id, guildId);
                }
                heldBy.set(target.user, (heldBy.get(target.user) ?? 0) - target.tokens);
                assert.equal(
                  (await ledger.held(guildId)).byUser.get(target.user) ?? 0,
                  heldBy.get(target.user),
                );
              }
            }
          },
        ),
        { numRuns: 40, seed: 20261201 },
      );
    });
  });
}

let sqliteDir: string;
holdContract('a SQLite file', async () => {
  sqliteDir = mkdtempSync(join(tmpdir(), 'bot-holds-'));
  const db = openSqliteDatabase(`sqlite://${join(sqliteDir, 'bot.sqlite')}`);
  return {
    ledger: new SqliteUsageLedger(db),
    async close() {
      db.close();
      rmSync(sqliteDir, { recursive: true, force: true });
    },
  };
});

let redis: RedisServer;
let redisStore: Store;
holdContract('a real redis-server', async () => {
  redis = await startRedisServer();
  redisStore = await openStore(redis.url);
  return {
    ledger: redisStore.usage,
    async close() {
      await redisStore.close();
      await redis.close();
    },
  };
});

describe('budget holds across two processes on one Redis', () => {
  let server: RedisServer;
  let store: Store;
  before(async () => {
    server = await startRedisServer();
    store = await openStore(server.url);
  });
  after(async () => {
    await store.close();
    await server.close();
  });

  function reserver(guildId: string, count: number, limit: number) {
    const child = spawn(
      process.execPath,
      [
        new URL('../fixtures/budget-reserver.ts', import.meta.url).pathname,
        server.url,
        guildId,
        String(count),
        String(limit),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    return {
      ready: async () => assert.equal((await lines.next()).value, 'ready'),
      go: () => child.stdin.end('go\n'),
      outcomes: async () => {
        const exited = child.exitCode !== null ? Promise.resolve() : once(child, 'exit');
        const line = (await lines.next()).value as string;
        await exited;
        return JSON.parse(line) as HoldOutcome[];
      },
    };
  }

  it('GIVEN 1,500 tokens left and 4 questions in each of two processes at the same moment THEN the holds add up to at most 1,500', async () => {
    const guildId = unique('g-two-procs');
    const a = reserver(guildId, 4, 1_500);
    const b = reserver(guildId, 4, 1_500);
    await Promise.all([a.ready(), b.ready()]);
    a.go();
    b.go();
    const outcomes = [...(await a.outcomes()), ...(await b.outcomes())];
    assert.equal(outcomes.length, 8);
    assert.ok(granted(outcomes) <= 1_500, `granted ${granted(outcomes)}`);
    assert.equal((await store.usage.held(guildId)).total, granted(outcomes));
    assert.ok(
      outcomes.some((o) => !o.ok),
      'some questions were refused',
    );
  });
});
