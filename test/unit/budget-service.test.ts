import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  BudgetService,
  type BudgetServiceOptions,
  type Charge,
  type MemberShare,
} from '../../src/budget/budget-service.ts';
import { UserError } from '../../src/errors.ts';
import { monthKey } from '../../src/store/month.ts';
import { openSqliteDatabase } from '../../src/store/open-sqlite.ts';
import { createSettingsStore, type SettingsStore } from '../../src/store/settings.ts';
import { SqliteUsageLedger } from '../../src/store/sqlite-usage-ledger.ts';
import { captureLog, eventually, sqliteKeyv } from '../support/ask-world.ts';
import { FaultyLedger, type LedgerFaults } from '../support/faulty-ledger.ts';

const G = '100000000000000001';
const M = '300000000000000001';
const OTHER = '300000000000000002';
const MODEL = 'mistral-small-latest';

interface Setup {
  readonly budget: BudgetService;
  readonly ledger: FaultyLedger;
  readonly real: SqliteUsageLedger;
  readonly settings: SettingsStore;
  readonly lines: Array<Record<string, unknown>>;
  /** Settled tokens of the server this month, read from the real ledger. */
  used(guildId?: string): Promise<number>;
  held(guildId?: string): Promise<number>;
}

function setup(
  t: TestContext,
  options: {
    faults?: LedgerFaults;
    guildMonthlyTokens?: number;
    memberShare?: MemberShare;
  } & Partial<Pick<BudgetServiceOptions, 'storeTimeoutMs' | 'retryMs' | 'settings'>> = {},
): Setup {
  const db = openSqliteDatabase('sqlite://:memory:');
  const real = new SqliteUsageLedger(db);
  const ledger = new FaultyLedger(real, options.faults);
  const settings = createSettingsStore(sqliteKeyv(db));
  const { log, lines } = captureLog('info');
  const budget = new BudgetService({
    ledger,
    settings: options.settings ?? settings,
    guildMonthlyTokens: options.guildMonthlyTokens ?? 10_000,
    memberShare: options.memberShare ?? { kind: 'percent', percent: 100 },
    log,
    retryMs: options.retryMs ?? { first: 5, max: 20 },
    ...(options.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: options.storeTimeoutMs }),
  });
  t.after(async () => {
    await budget.close();
    db.close();
  });
  const month = monthKey(new Date());
  return {
    budget,
    ledger,
    real,
    settings,
    lines,
    used: (guildId = G) => real.monthTotal(guildId, month),
    held: async (guildId = G) => (await real.held(guildId)).total,
  };
}

const question = (userId = M, promptTokens = 100, maxAnswerTokens = 500) => ({
  guildId: G,
  userId,
  promptTokens,
  maxAnswerTokens,
});
const charge: Charge = { model: MODEL, promptTokens: 123, completionTokens: 77 };

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('BudgetService: fails closed when usage cannot be recorded', () => {
  it('GIVEN a store that refuses an answer’s usage 3 times THEN settle resolves, health fails, new questions get usage_unrecorded, and the usage lands exactly once when the store works again', async (t) => {
    const s = setup(t, { faults: { refuseSettles: 3 }, retryMs: { first: 10, max: 40 } });
    const hold = await s.budget.reserve(question());
    await s.budget.settle(hold, charge);
    assert.equal(s.budget.health().ok, false);
    assert.match(s.budget.health().reason ?? '', /1 answer/);
    assert.equal(s.budget.pending, 1);
    assert.equal((await refusal(s.budget.reserve(question(OTHER)))).code, 'usage_unrecorded');
    assert.ok(
      s.lines.some((l) => l['level'] === 50 && l['promptTokens'] === 123 && l['completionTokens'] === 77),
      'the failure is logged at error with the charge',
    );

    assert.ok(await eventually(() => s.budget.health().ok, 3_000), 'recovers by itself');
    assert.equal(s.budget.pending, 0);
    assert.equal(await s.used(), 200);
    const report = await s.real.monthReport(G, monthKey(new Date()));
    assert.equal(report.total.requests, 1);
    assert.deepEqual(
      s.ledger.settleAttempts.map((a) => a.outcome),
      ['refused', 'refused', 'refused', 'settled'],
    );
    assert.equal(await s.held(), 0);
    const next = await s.budget.reserve(question(OTHER));
    assert.ok(next.tokens > 0, 'questions are taken again');
  });

  it('GIVEN a store that keeps refusing THEN the retries back off as configured (first, doubling, capped at max)', async (t) => {
    const s = setup(t, { faults: { refuseSettles: 4 }, retryMs: { first: 15, max: 40 } });
    await s.budget.settle(await s.budget.reserve(question()), charge);
    assert.ok(await eventually(() => s.budget.health().ok, 3_000));
    const at = s.ledger.settleAttempts.map((a) => a.at);
    assert.equal(at.length, 5);
    const gaps = at.slice(1).map((v, i) => v - (at[i] as number));
    const planned = [15, 30, 40, 40];
    gaps.forEach((gap, i) => assert.ok(gap >= (planned[i] as number) - 2, `gap ${i}: ${gap} ms`));
    assert.equal(await s.used(), 200);
  });

  it('GIVEN a settle whose write lands but whose answer is lost THEN the retry does not count it twice', async (t) => {
    const s = setup(t, { faults: { landThenThrowSettles: 1 } });
    await s.budget.settle(await s.budget.reserve(question()), charge);
    assert.equal(s.budget.health().ok, false);
    assert.ok(await eventually(() => s.budget.health().ok));
    assert.deepEqual(
      s.ledger.settleAttempts.map((a) => a.outcome),
      ['landed-then-threw', 'duplicate'],
    );
    assert.equal(await s.used(), 200);
  });

  it('GIVEN a settle that lands after the store timeout THEN the retry does not count it twice', async (t) => {
    const s = setup(t, { faults: { settleDelayMs: 80, laterSettleDelayMs: 0 }, storeTimeoutMs: 20 });
    await s.budget.settle(await s.budget.reserve(question()), charge);
    assert.equal(s.budget.health().ok, false, 'a settle that did not answer in time is kept to retry');
    assert.ok(await eventually(() => s.budget.health().ok));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the late first write has landed by now
    assert.equal(await s.used(), 200);
    assert.equal(s.ledger.settleAttempts.filter((a) => a.outcome === 'settled').length, 1);
  });

  it('GIVEN a charge the ledger rejects as invalid (a fractional count from a malformed response) THEN it does not stop every server’s questions until a restart', async (t) => {
    const s = setup(t);
    await s.budget.settle(await s.budget.reserve(question()), {
      model: MODEL,
      promptTokens: 12.5,
      completionTokens: 3,
    });
    await eventually(() => s.budget.health().ok, 500);
    const elsewhere = s.budget.reserve({ ...question(OTHER), guildId: '100000000000000002' });
    const hold = await elsewhere;
    assert.ok(hold.tokens > 0);
    assert.ok((await s.used()) >= 16, 'the answer is still charged (rounded up), not free');
  });

  it('GIVEN usage still unrecorded at shutdown THEN close tries once more and logs at error, with everything needed, what is lost', async (t) => {
    const s = setup(t, { faults: { refuseSettles: 100 }, retryMs: { first: 60_000, max: 60_000 } });
    await s.budget.settle(await s.budget.reserve(question(M)), charge);
    const before = s.ledger.settleAttempts.length;
    await s.budget.close();
    assert.ok(s.ledger.settleAttempts.length > before, 'one more try at close');
    const lost = s.lines.filter((l) => /usage lost at shutdown/.test(String(l['msg'])));
    assert.equal(lost.length, 1);
    assert.equal(lost[0]?.['level'], 50);
    assert.equal(lost[0]?.['guild'], G);
    assert.equal(lost[0]?.['user'], M);
    assert.equal(lost[0]?.['model'], MODEL);
    assert.equal(lost[0]?.['promptTokens'], 123);
    assert.equal(lost[0]?.['completionTokens'], 77);
    assert.match(String(lost[0]?.['at']), /^\d{4}-\d\d-\d\dT/);
    assert.equal(s.budget.pending, 0);
    assert.equal(await s.used(), 0);
  });

  it('GIVEN two records unrecorded at shutdown THEN both are logged as lost', async (t) => {
    const s = setup(t, { faults: { refuseSettles: 100 }, retryMs: { first: 60_000, max: 60_000 } });
    const first = await s.budget.reserve(question(M));
    const second = await s.budget.reserve(question(OTHER));
    await s.budget.settle(first, charge);
    await s.budget.settle(second, { model: MODEL, promptTokens: 5, completionTokens: 6 });
    assert.equal(s.budget.pending, 2);
    await s.budget.close();
    const lost = s.lines.filter((l) => /usage lost at shutdown/.test(String(l['msg'])));
    assert.deepEqual(
      lost.map((l) => [l['user'], l['promptTokens'], l['completionTokens']]),
      [
        [M, 123, 77],
        [OTHER, 5, 6],
      ],
    );
  });

  it('GIVEN the store works again by shutdown THEN close records what was waiting and logs nothing lost', async (t) => {
    const s = setup(t, { faults: { refuseSettles: 1 }, retryMs: { first: 60_000, max: 60_000 } });
    await s.budget.settle(await s.budget.reserve(question()), charge);
    assert.equal(s.budget.pending, 1);
    await s.budget.close();
    assert.equal(await s.used(), 200);
    assert.ok(!s.lines.some((l) => /usage lost/.test(String(l['msg']))));
  });
});

describe('BudgetService: a store that does not answer', () => {
  it('GIVEN a ledger that never answers (a stuck Redis) THEN reserve is refused with store_unavailable within storeTimeoutMs', async (t) => {
    const s = setup(t, { faults: { reserveHangs: true }, storeTimeoutMs: 50 });
    const t0 = performance.now();
    assert.equal((await refusal(s.budget.reserve(question()))).code, 'store_unavailable');
    const ms = performance.now() - t0;
    assert.ok(ms >= 45 && ms < 1_000, `${ms} ms`);
  });

  it('GIVEN settings that never answer THEN reserve is refused with store_unavailable too', async (t) => {
    const hanging = new Promise<never>(() => undefined);
    const settings = {
      budgetOverride: () => hanging,
      memberBudget: () => hanging,
    } as Pick<SettingsStore, 'budgetOverride' | 'memberBudget'> as SettingsStore;
    const s = setup(t, { settings, storeTimeoutMs: 30 });
    assert.equal((await refusal(s.budget.reserve(question()))).code, 'store_unavailable');
  });

  it('GIVEN a synchronous store, so no time bound (Infinity), whose reads fail THEN reserve is still refused with store_unavailable, keeping the cause', async (t) => {
    const failure = new Error('SQLITE_IOERR: disk I/O error');
    const settings = {
      budgetOverride: () => Promise.reject(failure),
      memberBudget: () => Promise.resolve(undefined),
    } as Pick<SettingsStore, 'budgetOverride' | 'memberBudget'> as SettingsStore;
    const s = setup(t, { settings, storeTimeoutMs: Infinity });
    const error = await refusal(s.budget.reserve(question()));
    assert.equal(error.code, 'store_unavailable');
    assert.equal(error.cause, failure);
    assert.equal(await s.held(), 0);
  });

  it('GIVEN a hold that lands after the timeout THEN it is released, and the held total returns to 0', async (t) => {
    const s = setup(t, { faults: { reserveDelayMs: 80 }, storeTimeoutMs: 20 });
    assert.equal((await refusal(s.budget.reserve(question()))).code, 'store_unavailable');
    assert.ok(await eventually(() => s.ledger.landedReserves.length === 1));
    assert.equal(s.ledger.landedReserves[0]?.ok, true, 'the late hold was placed');
    assert.ok(await eventually(async () => (await s.held()) === 0), 'and then released');
    assert.equal(await s.used(), 0);
  });
});

describe('BudgetService: limits', () => {
  it('GIVEN an operator override of 0 THEN questions are refused as budget_spent (not given the default budget)', async (t) => {
    const s = setup(t, { guildMonthlyTokens: 10_000 });
    await s.settings.setBudgetOverride(G, 0);
    const standing = await s.budget.standing(G);
    assert.equal(standing.limit, 0);
    assert.equal(standing.source, 'override');
    assert.equal(standing.left, 0);
    const refused = await refusal(s.budget.reserve(question()));
    assert.equal(refused.code, 'budget_spent');
    assert.equal(refused.params['limit'], 0);
    const elsewhere = await s.budget.standing('100000000000000002');
    assert.equal(elsewhere.limit, 10_000);
    assert.equal(elsewhere.source, 'default');
  });

  it('GIVEN MEMBER_MONTHLY_TOKEN_SHARE 25% THEN each member’s cap is a quarter of the server’s, with used, held and left', async (t) => {
    const s = setup(t, { guildMonthlyTokens: 10_000, memberShare: { kind: 'percent', percent: 25 } });
    await s.real.record({
      guildId: G,
      userId: M,
      model: MODEL,
      promptTokens: 600,
      completionTokens: 400,
      at: new Date(),
    });
    const hold = await s.budget.reserve(question(M, 100, 5_000));
    assert.equal(hold.maxTokens, 1_400, 'clamped to what is left of the member’s share');
    assert.equal(hold.tokens, 1_500);
    assert.deepEqual(await s.budget.memberStanding(G, M), {
      limit: 2_500,
      source: 'share',
      used: 1_000,
      reserved: 1_500,
      left: 0,
    });
    assert.equal((await refusal(s.budget.reserve(question(M)))).code, 'member_budget_held');
    const other = await s.budget.memberStanding(G, OTHER);
    assert.deepEqual(other, { limit: 2_500, source: 'share', used: 0, reserved: 0, left: 2_500 });
    assert.equal(s.budget.defaultMemberCap(10_000), 2_500);
  });

  it('GIVEN MEMBER_MONTHLY_TOKEN_SHARE in tokens THEN that is the cap, never more than the server’s budget', async (t) => {
    const s = setup(t, { guildMonthlyTokens: 10_000, memberShare: { kind: 'tokens', tokens: 3_000 } });
    assert.equal((await s.budget.memberStanding(G, M)).limit, 3_000);
    await s.settings.setBudgetOverride(G, 2_000);
    assert.equal((await s.budget.memberStanding(G, M)).limit, 2_000);
  });

  it('GIVEN a manager’s cap for one member THEN it replaces the share for them only, and at it they get member_budget_spent', async (t) => {
    const s = setup(t, { guildMonthlyTokens: 10_000, memberShare: { kind: 'percent', percent: 50 } });
    await s.settings.setMemberBudget(G, M, 500);
    const standing = await s.budget.memberStanding(G, M);
    assert.equal(standing.limit, 500);
    assert.equal(standing.source, 'override');
    const hold = await s.budget.reserve(question(M, 100, 5_000));
    assert.equal(hold.maxTokens, 400);
    await s.budget.settle(hold, { model: MODEL, promptTokens: 300, completionTokens: 200 });
    const refused = await refusal(s.budget.reserve(question(M)));
    assert.equal(refused.code, 'member_budget_spent');
    assert.equal(refused.params['used'], 500);
    assert.equal(refused.params['limit'], 500);
    assert.equal((await s.budget.memberStanding(G, OTHER)).limit, 5_000);
    const other = await s.budget.reserve(question(OTHER));
    assert.ok(other.tokens > 0);
  });

  it('GIVEN a little more left than the prompt needs, but not enough for an answer THEN budget_too_small says it needs more than is left', async (t) => {
    const s = setup(t, { guildMonthlyTokens: 1_000 });
    await s.real.record({
      guildId: G,
      userId: OTHER,
      model: MODEL,
      promptTokens: 800,
      completionTokens: 90,
      at: new Date(),
    });
    const refused = await refusal(s.budget.reserve(question(M, 100, 500)));
    assert.equal(refused.code, 'budget_too_small');
    assert.equal(refused.params['left'], 110);
    assert.ok(Number(refused.params['needed']) > 110, `needs ${String(refused.params['needed'])}, 110 left`);
  });

  it('GIVEN settled and held usage THEN standing reports used, reserved and left of the month', async (t) => {
    const s = setup(t, { guildMonthlyTokens: 10_000 });
    await s.budget.settle(await s.budget.reserve(question(M)), charge);
    const hold = await s.budget.reserve(question(OTHER, 100, 500));
    const standing = await s.budget.standing(G);
    assert.equal(standing.used, 200);
    assert.equal(standing.reserved, hold.tokens);
    assert.equal(standing.left, 10_000 - 200 - 600);
    assert.equal(standing.month, monthKey(new Date()));
    assert.ok(standing.resetsAt.getTime() > Date.now());
    await s.budget.release(hold);
    assert.equal((await s.budget.standing(G)).reserved, 0);
  });
});
