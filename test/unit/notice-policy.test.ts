import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_NOTICE_POLICY,
  EVERY_CHANGE,
  noticeDue,
  planNotices,
  type GivenNotice,
} from '../../src/gate/notice-policy.ts';

const told = (
  position: number,
  at: number,
  etaMs = (position + 1) * 1_000,
  stalled = false,
): GivenNotice => ({
  position,
  etaMs,
  stalled,
  at,
});
const view = (position: number, etaMs = (position + 1) * 1_000, stalled = false) => ({
  position,
  etaMs,
  stalled,
});

describe('noticeDue', () => {
  it('GIVEN a member never told THEN the first notice is due, wherever they stand', () => {
    assert.ok(noticeDue(undefined, view(0), 0));
    assert.ok(noticeDue(undefined, view(400), 0));
  });

  it('GIVEN positions #1–#5 THEN every change is due at once, and no change is not', () => {
    for (let p = 0; p < 5; p++) {
      assert.ok(noticeDue(told(p + 1, 0), view(p), 1), `#${p + 1} moved`);
      assert.ok(!noticeDue(told(p, 0), view(p), 100_000), `#${p + 1} unchanged`);
    }
    assert.ok(noticeDue(told(2, 0), view(2, 3_000, true), 1), 'a stall began');
    assert.ok(noticeDue(told(2, 0, 3_000), view(2, 33_000), 1), 'a 30 s pause began');
  });

  it('GIVEN a member further back THEN a move is due only after the gap and only if it is a real step', () => {
    const last = told(100, 0);
    assert.ok(!noticeDue(last, view(80), 5_000), 'within the gap');
    assert.ok(noticeDue(last, view(80), 12_000), 'after the gap, moved 20');
    assert.ok(!noticeDue(last, view(95, 96_000), 12_000), 'after the gap, moved only 5 of 100');
    assert.ok(noticeDue(last, view(100, 101_000, true), 12_000), 'after the gap, a stall began');
  });

  it('GIVEN the EVERY_CHANGE policy THEN any change is due at once (the comparison baseline)', () => {
    assert.ok(noticeDue(told(400, 0), view(399), 1, EVERY_CHANGE));
    assert.ok(!noticeDue(told(400, 0), view(400), 1, EVERY_CHANGE));
  });

  it('GIVEN any notices given so far THEN one at or before the gap from a member further back is never due', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 2_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 11_999 }),
        fc.boolean(),
        (last, next, elapsed, stalled) => {
          assert.ok(!noticeDue(told(last, 0), view(Math.max(5, next), 1, stalled), elapsed));
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });

  it('GIVEN members further back all due at once THEN the allowance goes to the never told, then the most misinformed, and the front always hears', () => {
    const candidates = [
      { last: told(1, 0), next: view(0) },
      { last: told(11, 5_000), next: view(6) },
      { last: undefined, next: view(7) },
      { last: told(13, 1_000), next: view(8) },
      { last: told(14, 1_000), next: view(9) },
    ];
    assert.deepEqual(planNotices(candidates, 30_000, 2), [0, 1, 2]);
    assert.deepEqual(planNotices(candidates, 30_000, 0), [0]);
    assert.deepEqual(planNotices(candidates, 30_000, Infinity), [0, 1, 2, 3, 4]);
  });

  it('GIVEN 500 members who asked at once and the line moving one place a second THEN notices stay well under 45 per second', () => {
    // A pure simulation of the gate's use: one request starts a second, then everyone is looked at.
    const policy = DEFAULT_NOTICE_POLICY;
    const waiting = 500;
    const last: Array<GivenNotice | undefined> = Array.from({ length: waiting }, () => undefined);
    const perSecond: number[] = [];
    let allowance = 0;
    for (let second = 0; second < 180; second++) {
      const now = second * 1_000;
      allowance = Math.min(policy.farPerSecond, allowance + policy.farPerSecond);
      const candidates = last
        .slice(second)
        .map((told, i) => ({ last: told, next: view(i, (i + 1) * 1_015) }));
      const due = planNotices(candidates, now, allowance, policy);
      for (const i of due) {
        if (candidates[i]!.next.position >= policy.frontPositions) allowance--;
        last[second + i] = { ...candidates[i]!.next, at: now };
      }
      perSecond.push(due.length);
    }
    const peak = Math.max(...perSecond);
    const mean = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
    assert.ok(peak <= policy.frontPositions + policy.farPerSecond, `peak ${peak} per second`);
    assert.ok(mean < 30, `mean ${mean.toFixed(1)} per second`);
    // Nobody is forgotten: each was told a place off by at most one gap of movement (12 s) or 15 %.
    last.slice(180).forEach((x, position) => {
      assert.ok(x !== undefined, `#${position + 1} never told`);
      assert.ok(
        Math.abs(x.position - position) <= Math.max(14, position * 0.15),
        `#${position + 1} last told #${x.position + 1}`,
      );
    });
  });
});
