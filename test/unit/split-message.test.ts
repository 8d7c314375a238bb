import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MESSAGE_LIMIT, splitMessage, splitMessageParts } from '../../src/discord/split-message.ts';
import { markdown } from '../fixtures/markdown.ts';

/** Fences left open at the end of a text (``` lines toggle). */
const openFences = (text: string) => text.split('\n').filter((line) => /^ {0,3}```/.test(line)).length % 2;

describe('splitMessage', () => {
  it('GIVEN a short answer THEN it is one message, unchanged', () => {
    assert.deepEqual(splitMessage('Hello **world**'), ['Hello **world**']);
  });

  it('GIVEN a long answer with a code block THEN the cut block is closed and reopened with its language', () => {
    const code = Array.from({ length: 150 }, (_, i) => `print(${i})  # a line of python code`).join('\n');
    const text = `Here you go:\n\n\`\`\`python\n${code}\n\`\`\`\nDone.`;
    const parts = splitMessage(text);
    assert.ok(parts.length >= 3);
    for (const p of parts) assert.ok(p.length <= MESSAGE_LIMIT);
    assert.ok((parts[0] as string).endsWith('```'));
    assert.ok((parts[1] as string).startsWith('```python\n'));
    for (const p of parts) assert.equal(openFences(p), 0, `unbalanced: ${p.slice(0, 40)}…`);
  });

  it('GIVEN paragraphs THEN splits fall on a paragraph break', () => {
    const para = 'word '.repeat(300).trim();
    const parts = splitMessage(`${para}\n\n${para}\n\n${para}`);
    assert.equal(parts.length, 3);
    assert.ok((parts[0] as string).endsWith('\n\n'));
  });

  it('GIVEN random markdown THEN nothing is lost, reordered or repeated, every part fits and fences balance', () => {
    fc.assert(
      fc.property(markdown, (text) => {
        const parts = splitMessageParts(text);
        assert.equal(parts.map((p) => p.body).join(''), text);
        for (const [i, p] of parts.entries()) {
          const content = p.reopen + p.body + p.close;
          assert.ok(content.length <= MESSAGE_LIMIT, `part ${i} has ${content.length} chars`);
          assert.ok(p.body.length > 0, 'no empty parts');
          assert.match(p.reopen, /^(```([\w+#.-]*\n)?)?$/);
          assert.match(p.close, /^(\n?```)?$/);
          if (i < parts.length - 1 || openFences(text) === 0) assert.equal(openFences(content), 0);
        }
      }),
      { seed: 20261122, numRuns: 500 },
    );
  });
});
