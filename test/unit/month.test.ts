import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dayKey, isMonthKey, monthClock, monthKey, nextMonthStart } from '../../src/store/month.ts';

describe('monthKey', () => {
  it('GIVEN a mid-month instant THEN returns its UTC yyyy-mm', () => {
    assert.equal(monthKey(new Date('2026-11-22T13:45:00Z')), '2026-11');
  });

  it('GIVEN the last millisecond of a month THEN it still belongs to that month', () => {
    assert.equal(monthKey(new Date('2026-11-30T23:59:59.999Z')), '2026-11');
    assert.equal(monthKey(new Date('2026-12-01T00:00:00.000Z')), '2026-12');
  });

  it('GIVEN an instant that is already next month in a later time zone THEN UTC decides', () => {
    // 23:30 UTC on Jan 31 is Feb 1 in Paris; the budget month is still January.
    assert.equal(monthKey(new Date('2027-01-31T23:30:00Z')), '2027-01');
    assert.equal(monthKey(new Date('2027-02-01T00:30:00+01:00')), '2027-01');
  });

  it('GIVEN an invalid Date THEN throws a RangeError', () => {
    assert.throws(() => monthKey(new Date(Number.NaN)), RangeError);
  });
});

describe('dayKey', () => {
  it('GIVEN an instant THEN returns its zero-padded UTC yyyy-mm-dd', () => {
    assert.equal(dayKey(new Date('2026-11-22T13:45:00Z')), '2026-11-22');
    assert.equal(dayKey(new Date('2026-03-05T00:00:00Z')), '2026-03-05');
  });

  it('GIVEN the last millisecond of a year THEN returns Dec 31', () => {
    assert.equal(dayKey(new Date('2026-12-31T23:59:59.999Z')), '2026-12-31');
    assert.equal(dayKey(new Date('2027-01-01T00:00:00.000Z')), '2027-01-01');
  });

  it('GIVEN an invalid Date THEN throws a RangeError', () => {
    assert.throws(() => dayKey(new Date('nope')), RangeError);
  });
});

describe('nextMonthStart', () => {
  it('GIVEN a mid-month instant THEN returns the first UTC instant of the next month', () => {
    assert.equal(nextMonthStart(new Date('2026-11-22T13:45:00Z')).toISOString(), '2026-12-01T00:00:00.000Z');
  });

  it('GIVEN December THEN rolls over to January of the next year', () => {
    assert.equal(nextMonthStart(new Date('2026-12-15T08:00:00Z')).toISOString(), '2027-01-01T00:00:00.000Z');
  });

  it('GIVEN the last millisecond of a month THEN the reset is one millisecond later', () => {
    const last = new Date('2026-12-31T23:59:59.999Z');
    const reset = nextMonthStart(last);
    assert.equal(reset.toISOString(), '2027-01-01T00:00:00.000Z');
    assert.equal(reset.getTime() - last.getTime(), 1);
  });

  it('GIVEN the first instant of a month THEN returns the start of the following month, not itself', () => {
    assert.equal(nextMonthStart(new Date('2026-02-01T00:00:00Z')).toISOString(), '2026-03-01T00:00:00.000Z');
  });

  it('GIVEN January 31 THEN returns February 1, not March (no day-of-month overflow)', () => {
    assert.equal(nextMonthStart(new Date('2028-01-31T12:00:00Z')).toISOString(), '2028-02-01T00:00:00.000Z');
  });

  it('GIVEN an invalid Date THEN throws a RangeError', () => {
    assert.throws(() => nextMonthStart(new Date(Number.NaN)), RangeError);
  });
});

describe('isMonthKey', () => {
  it('GIVEN well-formed keys THEN accepts them', () => {
    assert.equal(isMonthKey('2026-01'), true);
    assert.equal(isMonthKey('2026-12'), true);
  });

  it('GIVEN malformed keys THEN rejects them', () => {
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-01', '2026-01-01', '2026/01', '', ' 2026-01']) {
      assert.equal(isMonthKey(bad), false, bad);
    }
  });
});

describe('monthClock', () => {
  it('GIVEN a clock crossing a month, a year and going back THEN it names the UTC month of each instant', () => {
    let now = Date.parse('2026-11-30T23:59:59.999Z');
    const month = monthClock(() => now);
    assert.equal(month(), '2026-11');
    now += 1;
    assert.equal(month(), '2026-12', 'the first instant of December');
    now = Date.parse('2026-12-31T23:59:59.999Z');
    assert.equal(month(), '2026-12');
    now += 1;
    assert.equal(month(), '2027-01');
    now = Date.parse('2026-11-15T12:00:00Z');
    assert.equal(month(), '2026-11', 'a clock set back');
  });
});
