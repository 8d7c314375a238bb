import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelLimits, parseModelLimits } from '../../src/gate/model-limits.ts';

function clock() {
  let now = 1_000_000;
  let month = '2026-11';
  return {
    now: () => now,
    month: () => month,
    advance: (ms: number) => (now += ms),
    setMonth: (m: string) => (month = m),
  };
}

describe('parseModelLimits', () => {
  it('GIVEN pools, dashes and separators THEN each entry is read', () => {
    assert.deepEqual(
      parseModelLimits('mistral-small-latest+mistral-small-2503=50_000/4000000/50, codestral-2508=-/1000'),
      [
        {
          models: ['mistral-small-latest', 'mistral-small-2503'],
          limit: { tokensPerMinute: 50_000, tokensPerMonth: 4_000_000, requestsPerMinute: 50 },
        },
        { models: ['codestral-2508'], limit: { tokensPerMonth: 1000 } },
      ],
    );
  });
  it('GIVEN a malformed entry THEN the message names it', () => {
    assert.match(parseModelLimits('small=lots') as string, /entry "small=lots"/);
  });
});

describe('ModelLimits', () => {
  it('GIVEN a token-per-minute window THEN a request that would overflow waits until the oldest use ages out', () => {
    const c = clock();
    const l = new ModelLimits([{ models: ['m'], limit: { tokensPerMinute: 1000 } }], c);
    l.reserve('m', 800);
    assert.ok(!l.canStart('m', 300));
    c.advance(20_000);
    assert.equal(l.waitFor('m', 300), 40_000);
    c.advance(40_001);
    assert.ok(l.canStart('m', 300));
  });

  it('GIVEN a reservation settled lower or released THEN the difference is freed at once', () => {
    const c = clock();
    const l = new ModelLimits([{ models: ['m'], limit: { tokensPerMinute: 1000 } }], c);
    const a = l.reserve('m', 800);
    a.settle(200);
    assert.ok(l.canStart('m', 800));
    const b = l.reserve('m', 800);
    assert.ok(!l.canStart('m', 100));
    b.release();
    assert.ok(l.canStart('m', 700));
  });

  it('GIVEN models in one pool THEN they share its windows; other models are unaffected', () => {
    const c = clock();
    const l = new ModelLimits([{ models: ['a', 'b'], limit: { tokensPerMinute: 1000 } }], c);
    l.reserve('a', 900);
    assert.ok(!l.canStart('b', 200));
    assert.ok(l.canStart('other', 200));
  });

  it('GIVEN a requests-per-minute limit THEN the next request waits for the oldest start', () => {
    const c = clock();
    const l = new ModelLimits([{ models: ['m'], limit: { requestsPerMinute: 2 } }], c);
    l.reserve('m', 1);
    c.advance(10_000);
    l.reserve('m', 1);
    assert.equal(l.waitFor('m', 1), 50_000);
  });

  it('GIVEN headers THEN stated limits replace configured ones and remaining figures raise our count', () => {
    const c = clock();
    const l = new ModelLimits([], c);
    assert.equal(l.limitOf('m').tokensPerMinute, 500_000);
    l.learn('m', {
      tokensPerMinute: { limit: 50_000, remaining: 10_000 },
      tokensPerMonth: { limit: 4_000_000, remaining: 3_000_000 },
    });
    assert.equal(l.limitOf('m').tokensPerMinute, 50_000);
    assert.equal(l.limitOf('m').tokensPerMonth, 4_000_000);
    // Mistral has seen 40k this minute that we did not start: only 10k fit now.
    assert.ok(l.canStart('m', 10_000));
    assert.ok(!l.canStart('m', 10_001));
    assert.equal(l.snapshot().find((p) => p.pool === 'm')?.monthUsed, 1_000_000);
  });

  it('GIVEN a request larger than the minute window THEN it can never fit', () => {
    const l = new ModelLimits([{ models: ['m'], limit: { tokensPerMinute: 100 } }], clock());
    assert.equal(l.neverFits('m', 101), 'too_large');
    assert.equal(l.neverFits('m', 100), undefined);
  });

  it('GIVEN the month spent upstream THEN the model is refused until the month turns', () => {
    const c = clock();
    const l = new ModelLimits([], c);
    l.learn('m', { tokensPerMonth: { limit: 4_000_000, remaining: 0 } });
    assert.equal(l.neverFits('m', 1), 'month_spent');
    assert.equal(l.neverFits('other', 1), undefined);
    c.setMonth('2026-12');
    assert.equal(l.neverFits('m', 1), undefined);
  });

  it('GIVEN seeded month usage near the configured month limit THEN a larger request is refused', () => {
    const l = new ModelLimits([{ models: ['m'], limit: { tokensPerMonth: 1000 } }], clock());
    l.seedMonthUsage('m', 950);
    assert.equal(l.neverFits('m', 100), 'month_spent');
    assert.equal(l.neverFits('m', 50), undefined);
  });
});
