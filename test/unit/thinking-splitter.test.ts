import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { createMistralApi, ThinkingSplitter, type StreamDelta } from '../../src/mistral/client.ts';
import { startMistralStandIn, type MistralStandInOptions } from '../standins/mistral.ts';
import { textChunk, thinkingChunk } from '../support/fake-mistral.ts';

type Content = Parameters<ThinkingSplitter['push']>[0];

/** Feeds every piece in order; returns the splitter's totals and each push's delta. */
function split(pieces: readonly Content[]): { text: string; thinking: string; deltas: StreamDelta[] } {
  const splitter = new ThinkingSplitter();
  const deltas = pieces.map((p) => splitter.push(p));
  return { text: splitter.text, thinking: splitter.thinking, deltas };
}

/** `value` cut at the given positions (sorted, deduplicated), empty pieces included. */
function cutAt(value: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, value.length)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(value.slice(from, p));
    from = p;
  }
  pieces.push(value.slice(from));
  return pieces;
}

describe('ThinkingSplitter: the shapes Mistral sends', () => {
  it('GIVEN plain string deltas THEN all of it is text, each push returning what it added', () => {
    const out = split(['Blue', ' light', '', null, undefined, ' scatters.']);
    assert.equal(out.text, 'Blue light scatters.');
    assert.equal(out.thinking, '');
    assert.deepEqual(out.deltas, [{ text: 'Blue' }, { text: ' light' }, {}, {}, {}, { text: ' scatters.' }]);
  });

  it('GIVEN a streamed reasoning answer (thinking lists, one list closing the trace with the first text, then strings) THEN the trace is reasoning and the rest text', () => {
    const out = split([
      [thinkingChunk('First I recall')],
      [thinkingChunk(' Rayleigh scattering.')],
      [thinkingChunk(' Done.', true), textChunk('Because')],
      ' air scatters blue',
      ' light more.',
    ]);
    assert.equal(out.thinking, 'First I recall Rayleigh scattering. Done.');
    assert.equal(out.text, 'Because air scatters blue light more.');
    assert.deepEqual(out.deltas, [
      { thinking: 'First I recall' },
      { thinking: ' Rayleigh scattering.' },
      { text: 'Because', thinking: ' Done.' },
      { text: ' air scatters blue' },
      { text: ' light more.' },
    ]);
  });

  it('GIVEN a non-streamed [thinking, text] content THEN reasoning and text are apart', () => {
    const out = split([
      [thinkingChunk('Short wavelengths scatter most.'), textChunk('Because of Rayleigh scattering.')],
    ]);
    assert.equal(out.thinking, 'Short wavelengths scatter most.');
    assert.equal(out.text, 'Because of Rayleigh scattering.');
  });

  it('GIVEN a literal <think> block, whole THEN the block is reasoning and the whitespace after it is dropped', () => {
    const out = split(['  <think>Rayleigh < Mie? </thin no.</think>\n\nBlue light scatters more.']);
    assert.equal(out.thinking, 'Rayleigh < Mie? </thin no.');
    assert.equal(out.text, 'Blue light scatters more.');
  });

  it('GIVEN a literal <think> block cut into 2 or 3 deltas at every position THEN the same text and reasoning come out', () => {
    const whole = '<think>Rayleigh < Mie? </thin no.</think>Blue <b>light</b> scatters.';
    const expected = { text: 'Blue <b>light</b> scatters.', thinking: 'Rayleigh < Mie? </thin no.' };
    for (let i = 0; i <= whole.length; i++) {
      for (let j = i; j <= whole.length; j++) {
        const out = split(cutAt(whole, [i, j]));
        assert.deepEqual({ text: out.text, thinking: out.thinking }, expected, `cut at ${i}, ${j}`);
      }
    }
  });

  // Characters that build and break partial tags.
  const tagChars = fc.constantFrom('<', '>', '/', 't', 'h', 'i', 'n', 'k', 'a', ' ', '\n', 'é', '🙂');
  const tagText = (maxLength: number) => fc.array(tagChars, { maxLength }).map((cs) => cs.join(''));
  const cuts = fc.array(fc.nat({ max: 200 }), { maxLength: 12 });

  it('GIVEN any tagged text whose answer starts with a non-space, cut anywhere THEN the same text and reasoning come out (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', ' ', '\n', ' \n '),
        tagText(40).filter((s) => !s.includes('</think>')),
        fc.tuple(fc.constantFrom('P', '<', 'é', '🙂', 'k'), tagText(30)).map(([first, rest]) => first + rest),
        cuts,
        (lead, thought, answer, at) => {
          const out = split(cutAt(`${lead}<think>${thought}</think>${answer}`, at));
          assert.equal(out.thinking, thought);
          assert.equal(out.text, answer);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('GIVEN a tagged text with whitespace after </think>, cut anywhere THEN the same text comes out as when whole (property)', () => {
    fc.assert(
      fc.property(
        tagText(20).filter((s) => !s.includes('</think>')),
        cuts,
        (thought, at) => {
          const whole = `<think>${thought}</think>\n\nBlue light.`;
          const once = split([whole]);
          const out = split(cutAt(whole, at));
          assert.equal(out.text, once.text);
          assert.equal(out.thinking, once.thinking);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('GIVEN any text that does not open with <think>, cut anywhere THEN all of it is text, unchanged (property)', () => {
    fc.assert(
      fc.property(
        tagText(40).filter(
          (s) => !s.trimStart().startsWith('<think>') && !'<think>'.startsWith(s.trimStart()),
        ),
        cuts,
        (whole, at) => {
          const out = split(cutAt(whole, at));
          assert.equal(out.text, whole);
          assert.equal(out.thinking, '');
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('GIVEN text that merely starts with < THEN it is not swallowed, whole or cut after the <', () => {
    for (const answer of [
      '<b>bold</b> text',
      '<3 thanks',
      '<thinking> is a tag I do not use',
      '<think about it>',
    ]) {
      assert.equal(split([answer]).text, answer);
      assert.equal(split([answer.slice(0, 1), answer.slice(1)]).text, answer);
      assert.equal(split([answer.slice(0, 4), answer.slice(4)]).text, answer);
    }
    assert.equal(
      split(['Use <think>x</think> tags']).text,
      'Use <think>x</think> tags',
      'tags mid-answer are text',
    );
  });

  it('GIVEN literal tags inside a text chunk of a list THEN they are split like plain strings', () => {
    const out = split([[textChunk('<think>plan')], [textChunk('ning</think>Answer.')]]);
    assert.equal(out.thinking, 'planning');
    assert.equal(out.text, 'Answer.');
  });
});

describe('ThinkingSplitter through the Mistral adapter and the Mistral stand-in', () => {
  const THINKING = 'First I recall that Rayleigh scattering favours short wavelengths.';
  const ANSWER = 'Because air scatters blue light more than red light.';

  async function adapter(t: TestContext, opts: MistralStandInOptions) {
    const standIn = await startMistralStandIn({
      requestsPerSecond: Infinity,
      latencyMs: 40,
      firstTokenMs: 5,
      answer: () => ANSWER,
      thinking: () => THINKING,
      ...opts,
    });
    const api = createMistralApi({ serverUrl: standIn.url, apiKey: 'test-key', timeoutMs: 5_000 });
    t.after(async () => {
      api.close();
      await standIn.close();
    });
    return api;
  }

  const request = (model: string) => ({
    model,
    messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }],
    maxTokens: 200,
  });

  for (const format of ['chunks', 'tags'] as const) {
    it(`GIVEN a reasoning model sending its trace as ${format} THEN streamed and non-streamed answers keep reasoning apart from text`, async (t) => {
      const model = 'magistral-small-latest';
      const api = await adapter(t, { modelCards: { [model]: { thinkingFormat: format } } });
      const deltas: StreamDelta[] = [];
      const streamed = await api.stream(request(model), (d) => deltas.push(d));
      assert.equal(streamed.content, ANSWER);
      assert.equal(streamed.reasoning.trim(), THINKING);
      assert.equal(deltas.map((d) => d.text ?? '').join(''), ANSWER);
      assert.equal(
        deltas
          .map((d) => d.thinking ?? '')
          .join('')
          .trim(),
        streamed.reasoning.trim(),
      );
      const whole = await api.complete(request(model));
      assert.equal(whole.content, ANSWER);
      assert.equal(whole.reasoning.trim(), THINKING);
    });
  }

  it('GIVEN an answer that is only a beginning of "<think>" ("<", "<th") THEN it is not lost, streamed or not', async (t) => {
    let answer = '<';
    const api = await adapter(t, { answer: () => answer });
    for (answer of ['<', ' <th']) {
      assert.equal((await api.complete(request('mistral-small-latest'))).content, answer);
      const deltas: StreamDelta[] = [];
      const streamed = await api.stream(request('mistral-small-latest'), (d) => deltas.push(d));
      assert.equal(streamed.content, answer);
      assert.equal(deltas.map((d) => d.text ?? '').join(''), answer, 'the sink is given it too');
    }
  });
});
