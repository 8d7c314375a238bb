import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FairQueue } from '../../src/gate/fair-queue.ts';

const drain = <T>(q: FairQueue<T>) => {
  const out: T[] = [];
  for (let turn = q.shift(); turn !== undefined; turn = q.shift()) out.push(turn.item);
  return out;
};

/**
 * Several processes' queues sharing one order the way the gate and the shared pacer do: each
 * offers its fairest server's tag, the smallest effective tag takes the slot (ties to the offer
 * held longest), and every process that offered learns the virtual time the winner reached.
 */
function sharedOrder(queues: ReadonlyArray<FairQueue<string>>) {
  let virtualTime = 0;
  let clock = 0;
  const held = new Map<number, { guildId: string; tag: number; since: number }>();
  return () => {
    clock++;
    let best: { index: number; tag: number; since: number } | undefined;
    const offered: Array<FairQueue<string>> = [];
    queues.forEach((q, index) => {
      const offer = q.peek();
      if (!offer) {
        held.delete(index);
        return;
      }
      offered.push(q);
      const previous = held.get(index);
      const since =
        previous && previous.guildId === offer.guildId && previous.tag === offer.tag ? previous.since : clock;
      held.set(index, { guildId: offer.guildId, tag: offer.tag, since });
      const tag = Math.max(offer.tag, virtualTime);
      if (!best || tag < best.tag || (tag === best.tag && since < best.since)) best = { index, tag, since };
    });
    if (!best) return undefined;
    // Every claim answers with the shared virtual time; only processes that claimed hear it.
    for (const q of offered) q.advance(virtualTime);
    const turn = queues[best.index]!.shift()!;
    held.delete(best.index);
    virtualTime = Math.max(virtualTime, turn.tag);
    return turn.item;
  };
}

describe('FairQueue: servers by virtual time, members round-robin', () => {
  it('GIVEN a 15-request flood from one server THEN a lone request from another server is served second', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 15; i++) q.push('flood', 'u1', `f${i}`);
    q.push('lone', 'u2', 'lone');
    assert.equal(q.position('lone'), 1);
    const order = drain(q);
    assert.equal(order.indexOf('lone'), 1);
    assert.equal(order.length, 16);
  });

  it('GIVEN a flood already being served THEN a server that starts waiting goes next', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 15; i++) q.push('flood', 'u1', `f${i}`);
    for (let i = 0; i < 5; i++) q.shift();
    q.push('lone', 'u2', 'lone');
    assert.equal(q.shift()?.item, 'lone');
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

  it('GIVEN a server that asks again each time it is served THEN it still gets only its share', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 10; i++) q.push('flood', 'u', `f${i}`);
    q.push('eager', 'e', 'e0');
    const order: string[] = [];
    for (let i = 0; i < 10; i++) {
      const turn = q.shift()!;
      order.push(turn.item);
      // The eager server leaves the line when served and rejoins at once: it gains nothing by it.
      if (turn.guildId === 'eager') q.push('eager', 'e', `e${i + 1}`);
    }
    const eager = order.filter((x) => x.startsWith('e')).length;
    assert.ok(eager <= 5 && eager >= 4, `eager got ${eager} of 10: ${order.join(' ')}`);
  });

  it('GIVEN a retry put back at the front THEN it is served before its lane-mates and its server keeps its round', () => {
    const q = new FairQueue<string>();
    q.push('g', 'u', 'first');
    q.push('g', 'u', 'second');
    ['h1', 'h2', 'h3'].forEach((x) => q.push('h', 'v', x));
    const taken = q.shift()!;
    assert.equal(taken.item, 'first');
    assert.equal(q.shift()?.item, 'h1');
    q.pushFront('g', 'u', 'first', taken.tag);
    // g gets back the turn it was taken at, ahead of h's next one; nothing is lost.
    const order = drain(q);
    assert.equal(order[0], 'first');
    assert.ok(order.indexOf('first') < order.indexOf('second'));
    assert.deepEqual([...order].sort(), ['first', 'h2', 'h3', 'second']);
  });

  it('GIVEN an eligibility filter THEN ineligible items keep their place and peek agrees with shift', () => {
    const q = new FairQueue<string>();
    q.push('g1', 'u', 'big');
    q.push('g2', 'u', 'small');
    const eligible = (x: string) => x !== 'big';
    assert.equal(q.peek(eligible)?.item, 'small');
    assert.equal(q.shift(eligible)?.item, 'small');
    assert.equal(q.peek(eligible), undefined);
    assert.equal(q.shift()?.item, 'big');
    assert.equal(q.size, 0);
  });

  it('GIVEN removal THEN sizes follow and the item is gone', () => {
    const q = new FairQueue<string>();
    q.push('g1', 'u', 'a');
    q.push('g1', 'v', 'b');
    assert.equal(q.sizeOf('g1'), 2);
    assert.ok(q.remove('g1', 'u', 'a'));
    assert.ok(!q.remove('g1', 'u', 'a'));
    assert.equal(q.sizeOf('g1'), 1);
    assert.equal(q.position('a'), -1);
    assert.ok(q.remove('g1', 'v', 'b'));
    assert.equal(q.servers, 0);
  });

  it('GIVEN the virtual time advanced elsewhere THEN a server that starts waiting here joins at that time, not before', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 3; i++) q.push('old', 'u', `o${i}`);
    q.advance(100);
    q.push('new', 'v', 'n0');
    q.push('new', 'v', 'n1');
    // Both are clamped to the shared virtual time: they alternate from there.
    assert.deepEqual(drain(q).slice(0, 4), ['o0', 'n0', 'o1', 'n1']);
    assert.ok(q.virtualTime >= 101);
  });
});

describe('FairQueue: properties', () => {
  const pushes = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), {
    maxLength: 80,
  });

  it('GIVEN any sequence of pushes and a few turns THEN lineup() is exactly the drain order, with its virtual times', () => {
    fc.assert(
      fc.property(pushes, fc.integer({ min: 0, max: 10 }), (list, served) => {
        const q = new FairQueue<number>();
        list.forEach(([g, u], i) => q.push(`g${g}`, `u${u}`, i));
        for (let i = 0; i < served; i++) q.shift();
        // More arrivals after some turns: new servers join at the virtual time.
        list.slice(0, 5).forEach(([g, u], i) => q.push(`g${(g + 2) % 7}`, `u${u}`, 1_000 + i));
        const lineup = q.lineup();
        const turns: Array<{ item: number; tag: number }> = [];
        for (let turn = q.shift(); turn; turn = q.shift()) turns.push({ item: turn.item, tag: turn.tag });
        assert.deepEqual(
          lineup.map((x) => [x.item, x.virtualTime]),
          turns.map((x) => [x.item, x.tag]),
        );
      }),
      { seed: 20261122, numRuns: 400 },
    );
  });

  it('GIVEN servers all waiting from the start THEN at every point their turns differ by at most one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 6 }), (sizes) => {
        const q = new FairQueue<string>();
        sizes.forEach((n, g) => {
          for (let i = 0; i < n; i++) q.push(`g${g}`, `u${i % 3}`, `g${g}-${i}`);
        });
        const served = sizes.map(() => 0);
        for (let turn = q.shift(); turn; turn = q.shift()) {
          served[Number(turn.guildId.slice(1))]!++;
          const backlogged = sizes.map((n, g) => (served[g]! < n ? served[g]! : Infinity));
          const active = backlogged.filter(Number.isFinite);
          if (active.length > 1) assert.ok(Math.max(...active) - Math.min(...active) <= 1);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('FairQueue: one order across processes (tags offered to a shared arbiter)', () => {
  it('GIVEN a 15-request flood in process A THEN a lone server in process B is served within its first two slots', () => {
    const a = new FairQueue<string>();
    const b = new FairQueue<string>();
    const next = sharedOrder([a, b]);
    for (let i = 0; i < 15; i++) a.push('flood', 'u', `f${i}`);
    const first = next();
    b.push('lone', 'v', 'lone');
    const order = [first, ...Array.from({ length: 15 }, next)];
    assert.ok(order.indexOf('lone') <= 1, order.join(' '));
  });

  it('GIVEN two servers flooding in process A and one in process B THEN each gets a third of the slots', () => {
    const a = new FairQueue<string>();
    const b = new FairQueue<string>();
    const next = sharedOrder([a, b]);
    for (let i = 0; i < 30; i++) {
      a.push('a1', 'u', 'a1');
      a.push('a2', 'u', 'a2');
      b.push('b1', 'u', 'b1');
    }
    const first = Array.from({ length: 30 }, next);
    for (const server of ['a1', 'a2', 'b1']) {
      assert.equal(first.filter((x) => x === server).length, 10, `${server}: ${first.join(' ')}`);
    }
  });

  it('GIVEN process B idle for a long time THEN its new flood joins at the shared virtual time and cannot take a run of slots', () => {
    const a = new FairQueue<string>();
    const b = new FairQueue<string>();
    const next = sharedOrder([a, b]);
    for (let i = 0; i < 60; i++) a.push('a1', 'u', 'a1');
    for (let i = 0; i < 40; i++) next();
    for (let i = 0; i < 20; i++) b.push('b1', 'u', 'b1');
    const after = Array.from({ length: 10 }, next);
    assert.equal(after.filter((x) => x === 'b1').length, 5, after.join(' '));
  });
});
