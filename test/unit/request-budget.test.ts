import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DiscordRequestBudget } from '../../src/discord/request-budget.ts';
import { maxInWindow } from '../standins/discord/limits.ts';
import { seededRandom } from '../support/seeded-random.ts';

/** Lets every promise continuation that is ready run (setImmediate is not mocked). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DiscordRequestBudget', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('GIVEN calls that reach Discord anywhere between their send and their answer THEN no second at Discord holds more than the budget', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const budget = new DiscordRequestBudget(5, () => Date.now());
      const arrivals: number[] = [];
      let answered = 0;
      const calls = 60;
      for (let i = 0; i < calls; i++) {
        void budget.take().then((back) => {
          const sent = Date.now();
          // Some calls answer at once, some take up to 400 ms; Discord counts each one somewhere in
          // between, the worst case being late ones arriving last and quick ones first.
          const latency = random() < 0.3 ? 0 : Math.floor(random() * 400);
          arrivals.push(sent + (random() < 0.5 ? latency : 0));
          setTimeout(() => {
            answered += 1;
            back();
          }, latency);
        });
      }
      for (let t = 0; t < 30_000 && answered < calls; t++) {
        mock.timers.tick(1);
        await settle();
      }
      assert.equal(answered, calls, `seed ${seed}: every call was sent and answered`);
      arrivals.sort((a, b) => a - b);
      const peak = maxInWindow(arrivals, 1_000);
      assert.ok(peak <= 5, `seed ${seed}: ${peak} calls reached Discord within one second`);
      assert.equal(peak, 5, `seed ${seed}: the budget is used, not starved`);
    }
  });

  it('GIVEN the budget full with calls in flight THEN the next waits for an answer plus a second, not for the send plus a second', async () => {
    const budget = new DiscordRequestBudget(2, () => Date.now());
    const first = await budget.take();
    const second = await budget.take();
    let thirdAt: number | undefined;
    void budget.take().then(() => (thirdAt = Date.now()));
    mock.timers.tick(1_500);
    await settle();
    assert.equal(thirdAt, undefined, 'both calls are still in flight');
    first();
    mock.timers.tick(999);
    await settle();
    assert.equal(thirdAt, undefined, 'the first answer is less than a second old');
    mock.timers.tick(1);
    await settle();
    assert.equal(thirdAt, 2_500);
    second();
  });

  it('GIVEN a call aborted while waiting THEN it rejects, is not counted, and the next in line goes', async () => {
    const budget = new DiscordRequestBudget(1, () => Date.now());
    const back = await budget.take();
    const aborted = new AbortController();
    const waiting = budget.take(aborted.signal);
    let nextAt: number | undefined;
    void budget.take().then(() => (nextAt = Date.now()));
    back();
    aborted.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    mock.timers.tick(1_000);
    await settle();
    assert.equal(nextAt, 1_000);
    assert.equal(budget.recent, 1);
  });

  it('GIVEN half the budget used in the last second THEN optional traffic waits, and goes again once it has passed', async () => {
    const budget = new DiscordRequestBudget(4, () => Date.now());
    assert.equal(budget.hasRoomForOptional(), true);
    (await budget.take())();
    assert.equal(budget.hasRoomForOptional(), true);
    await budget.take(); // still in flight
    assert.equal(budget.hasRoomForOptional(), false);
    mock.timers.tick(1_000);
    assert.equal(budget.recent, 1, 'the answered call has left the window; the one in flight still counts');
    assert.equal(budget.hasRoomForOptional(), true);
  });
});
