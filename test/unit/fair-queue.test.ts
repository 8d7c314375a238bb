import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FairQueue, turnsBefore } from '../../src/gate/fair-queue.ts';

const drain = <T>(q: FairQueue<T>) => {
  const out: T[] = [];
  for (let item = q.shift(); item !== undefined; item = q.shift()) out.push(item);
  return out;
};

describe('FairQueue', () => {
  it('GIVEN a 15-request flood from one server THEN a lone request from another server is served second', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 15; i++) q.push('flood', 'u1', `f${i}`);
    q.push('lone', 'u2', 'lone');
    assert.equal(q.position('lone'), 1);
    const order = drain(q);
    assert.equal(order.indexOf('lone'), 1);
    assert.equal(order.length, 16);
  });

  it('GIVEN two members of one server THEN they alternate', () => {
    const q = new FairQueue<string>();
    ['a1', 'a2', 'a3'].forEach((x) => q.push('g', 'a', x));
    ['b1', 'b2'].forEach((x) => q.push('g', 'b', x));
    assert.deepEqual(drain(q), ['a1', 'b1', 'a2', 'b2', 'a3']);
  });

  it('GIVEN servers with several members THEN servers alternate first, members within', () => {
    const q = new FairQueue<string>();
    q.push('g1', 'a', 'g1a1');
    q.push('g1', 'a', 'g1a2');
    q.push('g1', 'b', 'g1b1');
    q.push('g2', 'c', 'g2c1');
    assert.deepEqual(drain(q), ['g1a1', 'g2c1', 'g1b1', 'g1a2']);
  });

  it('GIVEN a retry put back at the front THEN it is served before its lane-mates', () => {
    const q = new FairQueue<string>();
    q.push('g', 'u', 'second');
    q.pushFront('g', 'u', 'retry');
    assert.deepEqual(drain(q), ['retry', 'second']);
  });

  it('GIVEN an eligibility filter THEN ineligible items keep their place', () => {
    const q = new FairQueue<string>();
    q.push('g1', 'u', 'big');
    q.push('g2', 'u', 'small');
    assert.equal(
      q.shift((x) => x !== 'big'),
      'small',
    );
    assert.equal(q.shift(), 'big');
    assert.equal(q.size, 0);
  });

  it('GIVEN removal THEN sizes follow', () => {
    const q = new FairQueue<string>();
    q.push('g1', 'u', 'a');
    q.push('g1', 'v', 'b');
    assert.equal(q.sizeOf('g1'), 2);
    assert.ok(q.remove('a'));
    assert.ok(!q.remove('a'));
    assert.equal(q.sizeOf('g1'), 1);
    assert.equal(q.position('a'), -1);
  });

  it('GIVEN any sequence of pushes THEN position() predicts exactly the drain order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), { maxLength: 60 }),
        (pushes) => {
          const q = new FairQueue<number>();
          pushes.forEach(([g, u], i) => q.push(`g${g}`, `u${u}`, i));
          const predicted = pushes.map((_, i) => q.position(i));
          const order = drain(q);
          pushes.forEach((_, i) => assert.equal(order.indexOf(i), predicted[i]));
        },
      ),
      { seed: 20261122, numRuns: 500 },
    );
  });

  it('turnsBefore counts the turns of lanes ahead and behind', () => {
    assert.equal(turnsBefore([15, 1], 1, 1), 1);
    assert.equal(turnsBefore([3, 3, 3], 2, 2), 5);
  });
});

describe('FairQueue.order', () => {
  it('GIVEN any sequence of pushes THEN order() is exactly the drain order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), { maxLength: 80 }),
        (pushes) => {
          const q = new FairQueue<number>();
          pushes.forEach(([g, u], i) => q.push(`g${g}`, `u${u}`, i));
          const order = q.order();
          assert.deepEqual(order, drain(q));
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});
