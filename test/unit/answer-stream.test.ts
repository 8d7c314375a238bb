import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import {
  AnswerStream,
  type AnswerTarget,
  type ButtonRow,
  type MessageBody,
} from '../../src/discord/answer-stream.ts';
import { MESSAGE_LIMIT, splitMessage, splitMessageParts } from '../../src/discord/split-message.ts';
import { StreamLayout } from '../../src/discord/stream-layout.ts';
import { markdown } from '../fixtures/markdown.ts';

/** Fences left open at the end of a text (``` lines toggle). */
const openFences = (text: string) => text.split('\n').filter((line) => /^ {0,3}```/.test(line)).length % 2;

/** Cuts `text` into pieces at the given fractions (the stream's deltas), never inside a surrogate pair. */
const piecesOf = (text: string, cuts: readonly number[]): string[] => {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))]
    .filter((p) => p > 0 && p < text.length && !/[\udc00-\udfff]/.test(text[p] ?? ''))
    .sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces.filter((p) => p !== '');
};

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 });

describe('StreamLayout', () => {
  it('GIVEN any answer streamed in any pieces THEN the screen always shows exactly the text received, and the messages end as splitMessage(answer)', () => {
    fc.assert(
      fc.property(markdown, cuts, (text, at) => {
        const parts = splitMessageParts(text);
        const layout = new StreamLayout();
        const messages: string[] = [];
        let received = '';
        for (const piece of piecesOf(text, at)) {
          layout.append(piece);
          received += piece;
          messages.push(...layout.takeCompleted());
          const shown = layout.current();
          assert.ok(shown.length <= MESSAGE_LIMIT, `showing ${shown.length} chars`);
          // Completed messages plus the open one hold the text received so far: nothing is
          // missing from view or shown twice (words may move from a message's end to the next).
          const reopen = parts[messages.length]?.reopen ?? '';
          assert.ok(shown.startsWith(reopen));
          const bodies = parts.slice(0, messages.length).map((p) => p.body);
          const open = shown.slice(reopen.length);
          const visible = [...bodies, open].join('');
          assert.ok(
            // …or that plus a temporary fence closing a code block still being written.
            [received, `${received}\`\`\``, `${received}\n\`\`\``].includes(visible),
            `message ${messages.length} shows text that was not received`,
          );
        }
        if (text !== '') messages.push(layout.current(true));
        assert.deepEqual(messages, splitMessage(text));
        for (const [i, m] of messages.entries()) {
          assert.ok(m.length <= MESSAGE_LIMIT);
          if (i < messages.length - 1 || openFences(text) === 0) assert.equal(openFences(m), 0);
        }
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('GIVEN a code block still being written THEN it is shown closed, and the final form has no extra fence', () => {
    const layout = new StreamLayout();
    layout.append('Here:\n```python\nprint(1)');
    assert.equal(layout.current(), 'Here:\n```python\nprint(1)\n```');
    layout.append('\n');
    assert.equal(layout.current(), 'Here:\n```python\nprint(1)\n```');
    layout.append('``');
    assert.equal(layout.current(), 'Here:\n```python\nprint(1)\n``\n```');
    layout.append('`');
    assert.equal(
      layout.current(),
      'Here:\n```python\nprint(1)\n```',
      'a closing fence being written is left alone',
    );
    assert.equal(layout.current(true), 'Here:\n```python\nprint(1)\n```');
  });
});

interface FakeMessage {
  readonly id: string;
  readonly writes: Array<{ at: number; content: string; buttons: number }>;
}

/** A Discord stand-in in memory: records every write of every message, with a little latency. */
function fakeTarget(latencyMs = () => 0): { target: AnswerTarget; messages: FakeMessage[]; log: string[] } {
  const messages: FakeMessage[] = [{ id: 'original', writes: [] }];
  const log: string[] = [];
  const write = async (id: string, body: MessageBody) => {
    const content = body.content;
    const message = messages.find((m) => m.id === id);
    assert.ok(message, `unknown message ${id}`);
    assert.ok(content.length <= MESSAGE_LIMIT, `${content.length} chars`);
    assert.ok(content.trim() !== '', 'empty message');
    message.writes.push({ at: performance.now(), content, buttons: body.components.length });
    log.push(`${id}:${content.slice(0, 20)}`);
    await sleep(latencyMs());
    return id;
  };
  return {
    messages,
    log,
    target: {
      editFirst: (body) => write('original', body),
      async createFollowUp(body) {
        const id = `followup-${messages.length}`;
        messages.push({ id, writes: [] });
        return write(id, body);
      },
      editFollowUp: (id, body) => write(id, body),
    },
  };
}

const last = (m: FakeMessage | undefined) => m?.writes.at(-1)?.content;

describe('AnswerStream', () => {
  it('GIVEN any answer arriving in bursts THEN the messages end as splitMessage(answer + tail), each edited at most once per gap and never after the next one starts', async () => {
    await fc.assert(
      fc.asyncProperty(markdown, cuts, fc.integer({ min: 0, max: 3 }), async (text, at, latency) => {
        const gap = 4;
        const { target, messages } = fakeTarget(() => latency);
        const stream = new AnswerStream(target, { minGapMs: gap });
        stream.attemptStarted();
        for (const [i, piece] of piecesOf(text, at).entries()) {
          stream.append(piece);
          if (i % 3 === 0) await tick();
        }
        const tail = '\n-# model · 12 tokens';
        await stream.finish(tail);
        const expected = splitMessage(text + tail);
        assert.deepEqual(
          messages.map((m) => last(m)),
          expected,
        );
        assert.equal(stream.messageCount, expected.length);
        for (const [i, m] of messages.entries()) {
          for (let w = 1; w < m.writes.length; w++) {
            const dt = (m.writes[w]?.at ?? 0) - (m.writes[w - 1]?.at ?? 0);
            assert.ok(dt >= gap - 1, `message ${i}: writes ${dt.toFixed(1)} ms apart`);
          }
          const next = messages[i + 1];
          if (next) {
            const lastWrite = m.writes.at(-1)?.at ?? Infinity;
            assert.ok(
              lastWrite <= (next.writes[0]?.at ?? -Infinity),
              `message ${i} edited after ${i + 1} began`,
            );
          }
        }
      }),
      { seed: 20261124, numRuns: 150 },
    );
  });

  it('GIVEN waiting notices THEN they show until the attempt starts, a late one is dropped, and model text lands last', async () => {
    const { target, messages } = fakeTarget();
    const stream = new AnswerStream(target, { minGapMs: 30 });
    stream.notice('⏳ #3 in line');
    stream.notice('⏳ #2 in line'); // paced: replaces #3 unless #3 is already out
    stream.attemptStarted();
    stream.notice('⏳ #1 in line'); // too late: the request has started
    stream.append('Hello');
    stream.append(' world');
    await stream.finish('\n-# m · 3 tokens');
    const writes = messages[0]?.writes.map((w) => w.content) ?? [];
    assert.ok(!writes.includes('⏳ #1 in line'), JSON.stringify(writes));
    assert.equal(writes[0], '⏳ #3 in line');
    assert.equal(writes.at(-1), 'Hello world\n-# m · 3 tokens');
    const firstText = writes.findIndex((w) => w.startsWith('Hello'));
    assert.ok(
      writes.slice(firstText).every((w) => w.startsWith('Hello')),
      'no notice after model text',
    );
    const times = messages[0]?.writes.map((w) => w.at) ?? [];
    for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 29);
  });

  it('GIVEN first words that gather THEN an answer complete by then is one edit, and a longer one shows its first words once they gathered', async () => {
    const short = fakeTarget();
    const quick = new AnswerStream(short.target, { minGapMs: 1_000, firstWordsMs: 200 });
    const t0 = performance.now();
    quick.append('Hello');
    quick.append(' world');
    await quick.finish('\n-# m · 3 tokens');
    assert.deepEqual(
      short.messages[0]?.writes.map((w) => w.content),
      ['Hello world\n-# m · 3 tokens'],
    );
    assert.ok(performance.now() - t0 < 150, 'the complete answer did not wait for the gathering');

    const long = fakeTarget();
    const slow = new AnswerStream(long.target, { minGapMs: 0, firstWordsMs: 100 });
    slow.append('First');
    await sleep(30);
    assert.equal(long.messages[0]?.writes.length ?? 0, 0, 'nothing shown while the first words gather');
    slow.append(' words');
    await sleep(150);
    assert.deepEqual(
      long.messages[0]?.writes.map((w) => w.content),
      ['First words'],
    );
    await slow.finish('');
  });

  it('GIVEN an attempt that failed before any text THEN notices resume; after text they never do', async () => {
    const { target, messages } = fakeTarget();
    const stream = new AnswerStream(target, { minGapMs: 0 });
    stream.attemptStarted();
    stream.attemptFailed();
    stream.notice('⏳ retrying soon');
    stream.attemptStarted();
    stream.append('Text');
    stream.attemptFailed();
    stream.notice('⏳ should not show');
    await stream.finish('');
    assert.deepEqual(
      messages[0]?.writes.map((w) => w.content),
      ['⏳ retrying soon', 'Text'],
    );
  });

  it('GIVEN live and final buttons THEN only the message being written shows Stop, and only the last message ends with the final buttons', async () => {
    const { target, messages } = fakeTarget();
    const live: ButtonRow = {
      type: 1,
      components: [{ type: 2, style: 2, custom_id: 'stop', label: 'Stop' }],
    };
    const final: ButtonRow = {
      type: 1,
      components: [{ type: 2, style: 2, custom_id: 'again', label: 'Again' }],
    };
    const stream = new AnswerStream(target, { minGapMs: 0, limit: 100, liveComponents: [live] });
    stream.append('first words ');
    await sleep(5);
    assert.equal(messages[0]?.writes.at(-1)?.buttons, 1, 'Stop while it is written');
    stream.append('x'.repeat(150));
    const delivered = await stream.finish('\n-# footer', [final]);
    assert.ok(messages.length >= 2);
    assert.equal(messages[0]?.writes.at(-1)?.buttons, 0, 'a completed message loses Stop');
    for (const m of messages.slice(1, -1)) assert.equal(m.writes.at(-1)?.buttons, 0);
    assert.equal(messages.at(-1)?.writes.at(-1)?.buttons, 1, 'the last message carries the final row');
    assert.equal(delivered.lastMessageId, messages.at(-1)?.id);
    assert.equal(delivered.firstMessageId, 'original');
  });

  it('GIVEN Discord refusing an edit THEN finish() rejects with it', async () => {
    const stream = new AnswerStream(
      {
        editFirst: () => Promise.reject(new Error('Unknown Message')),
        createFollowUp: () => Promise.resolve('x'),
        editFollowUp: () => Promise.resolve('x'),
      },
      { minGapMs: 0 },
    );
    stream.append('Hello');
    await assert.rejects(stream.finish('\n-# m'), /Unknown Message/);
  });
});
