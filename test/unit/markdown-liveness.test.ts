import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import {
  cutPart,
  MIN_MESSAGE_LIMIT,
  splitMessage,
  splitMessageParts,
  type MessagePart,
} from '../../src/discord/split-message.ts';
import { StreamLayout } from '../../src/discord/stream-layout.ts';
import { hostileMarkdown, hugeHostileMarkdown, messageLimit } from '../fixtures/markdown.ts';

/**
 * Wall-clock bound on one call over a 100,000-character answer. Linear splitting takes a few
 * milliseconds; the bound is generous so a loaded 2-core machine does not flake, yet far below what
 * a quadratic splitter needs at small limits (about half a second) or a stuck one (forever).
 */
const CALL_BOUND_MS = 250;

/** Fences left open at the end of a text (``` lines toggle). */
const openFences = (text: string) => text.split('\n').filter((line) => /^ {0,3}```/.test(line)).length % 2;

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The milliseconds `run` takes, and its result. */
function timed<T>(run: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = run();
  return { ms: performance.now() - t0, value };
}

/** Every guarantee of a split, checked against the text alone (not against the splitter's own helpers). */
function assertSplit(text: string, limit: number, parts: readonly MessagePart[]): void {
  assert.equal(parts.map((p) => p.body).join(''), text, 'the bodies, joined, are the text');
  assert.ok(parts.length <= text.length, 'every part advances');
  for (const [i, p] of parts.entries()) {
    const content = p.reopen + p.body + p.close;
    assert.ok(content.length <= limit, `part ${i} has ${content.length} chars, over ${limit}`);
    assert.ok(p.body.length > 0, `part ${i} is empty`);
    assert.match(p.reopen, /^(```([\w+#.-]{0,32}\n)?)?$/, `part ${i} reopens with a short fence`);
    assert.match(p.close, /^(\n?```)?$/);
    const next = parts[i + 1];
    if (next) {
      assert.ok(
        !(isHigh(p.body.charCodeAt(p.body.length - 1)) && isLow(next.body.charCodeAt(0))),
        `a surrogate pair is split between parts ${i} and ${i + 1}`,
      );
    }
    if (i < parts.length - 1 || openFences(text) === 0) {
      assert.equal(openFences(content), 0, `part ${i} leaves a fence open`);
    }
  }
}

/** Cuts `text` into pieces at the given fractions of its length (a stream's deltas, halves of pairs too). */
const piecesOf = (text: string, at: readonly number[]): string[] => {
  const points = [...new Set(at.map((f) => Math.floor(f * text.length)))]
    .filter((p) => p > 0 && p < text.length)
    .sort((a, b) => a - b);
  return [0, ...points].map((from, i) => text.slice(from, points[i] ?? text.length));
};

const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 });

/** Streams `text` through a StreamLayout in `pieces`, checking each step; returns the final messages. */
function stream(text: string, pieces: readonly string[], limit: number): string[] {
  const layout = new StreamLayout(limit);
  const messages: string[] = [];
  for (const piece of pieces) {
    const { ms } = timed(() => layout.append(piece));
    assert.ok(ms < CALL_BOUND_MS, `append took ${ms.toFixed(0)} ms`);
    messages.push(...layout.takeCompleted());
    const shown = layout.current();
    assert.ok(shown.length <= limit, `showing ${shown.length} chars, over ${limit}`);
  }
  assert.equal(layout.text, text);
  if (text !== '') messages.push(layout.current(true));
  return messages;
}

describe('the splitter and the stream layout on hostile markdown', () => {
  it('GIVEN a fence line whose language word is longer than a message THEN splitting finishes (it used to loop forever and freeze the process)', async () => {
    const text = `Here is the word:\n\`\`\`${'a'.repeat(2_000)}\n${'more text '.repeat(300)}\n\`\`\`\nDone.`;
    const worker = new Worker(new URL('../fixtures/split-in-worker.ts', import.meta.url), {
      workerData: { text, limit: 2_000, piece: 7 },
    });
    const answered = once(worker, 'message') as Promise<[{ split: string[]; streamed: string[] }]>;
    let timer: NodeJS.Timeout | undefined;
    const froze = new Promise<'froze'>((resolve) => (timer = setTimeout(() => resolve('froze'), 10_000)));
    const outcome = await Promise.race([answered, froze]);
    clearTimeout(timer);
    await worker.terminate();
    assert.notEqual(outcome, 'froze', 'splitting did not finish within 10 s');
    const [{ split, streamed }] = outcome as [{ split: string[]; streamed: string[] }];
    assert.deepEqual(streamed, split);
    assertSplit(text, 2_000, splitMessageParts(text));
    assert.ok(split.every((m) => m.length <= 2_000));
  });

  it('GIVEN language words of every length around the limit THEN every cut advances and reopens with at most a short fence', () => {
    for (const limit of [MIN_MESSAGE_LIMIT, 20, 100, 2_000]) {
      for (const length of [1, 32, 33, limit - 10, limit - 4, limit, limit + 1, 2 * limit, 10_000]) {
        for (const unit of ['a', '😀', '`']) {
          const text = `\`\`\`${unit.repeat(Math.max(1, length))}\ncode line\n`.repeat(3) + 'end';
          assertSplit(text, limit, splitMessageParts(text, limit));
        }
      }
    }
  });

  it('GIVEN any hostile markdown and any limit THEN the split keeps every guarantee, in bounded time', () => {
    fc.assert(
      fc.property(hostileMarkdown, messageLimit, (text, limit) => {
        const { ms, value: parts } = timed(() => splitMessageParts(text, limit));
        assert.ok(ms < CALL_BOUND_MS, `${text.length} chars split in ${ms.toFixed(0)} ms`);
        assertSplit(text, limit, parts);
      }),
      { seed: 20261201, numRuns: 400 },
    );
  });

  it('GIVEN hostile answers of 100,000 characters and more THEN each split finishes within the bound and keeps every guarantee', () => {
    fc.assert(
      fc.property(hugeHostileMarkdown, messageLimit, (text, limit) => {
        const { ms, value: parts } = timed(() => splitMessageParts(text, limit));
        assert.ok(ms < CALL_BOUND_MS, `${text.length} chars at limit ${limit} split in ${ms.toFixed(0)} ms`);
        assertSplit(text, limit, parts);
      }),
      { seed: 20261202, numRuns: 40 },
    );
  });

  it('GIVEN hostile markdown appended in random pieces (halves of surrogate pairs too) THEN the streamed messages are exactly the split of the whole', () => {
    fc.assert(
      fc.property(hostileMarkdown, messageLimit, fractions, (text, limit, at) => {
        assert.deepEqual(stream(text, piecesOf(text, at), limit), splitMessage(text, limit));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('GIVEN a 100,000-character hostile answer streamed in pieces THEN every append finishes within the bound and the result is the split', () => {
    fc.assert(
      fc.property(hugeHostileMarkdown, messageLimit, fractions, (text, limit, at) => {
        assert.deepEqual(stream(text, piecesOf(text, at), limit), splitMessage(text, limit));
      }),
      { seed: 20261204, numRuns: 20 },
    );
  });

  it('GIVEN a limit below the minimum, or a cut outside the text THEN a RangeError, never a loop', () => {
    assert.throws(() => splitMessage('x'.repeat(100), MIN_MESSAGE_LIMIT - 1), RangeError);
    assert.throws(() => new StreamLayout(0), RangeError);
    assert.throws(() => cutPart('abc', 3, ''), RangeError);
    assert.throws(() => cutPart('x'.repeat(5_000), 0, `\`\`\`${'a'.repeat(2_000)}\n`), RangeError);
  });
});
