import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacedEditor } from '../../src/discord/paced-editor.ts';

describe('PacedEditor', () => {
  it('GIVEN many updates THEN edits are at least the gap apart, coalesce, and end on the latest', async () => {
    const edits: Array<{ at: number; content: string }> = [];
    const editor = new PacedEditor(async (content) => {
      edits.push({ at: performance.now(), content });
    }, 100);
    for (let i = 1; i <= 30; i++) {
      editor.set(`v${i}`);
      await sleep(10);
    }
    await editor.flush();
    assert.equal(edits.at(-1)?.content, 'v30');
    assert.ok(edits.length >= 3 && edits.length <= 6, `${edits.length} edits`);
    for (let i = 1; i < edits.length; i++) {
      const gap = (edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0);
      assert.ok(gap >= 99, `gap ${gap.toFixed(1)} ms`);
    }
  });

  it('GIVEN a set() right as the last edit finishes THEN it is still shown and flush() waits for it', async () => {
    // Walk a set() across the microtasks around the end of an edit, where an update used to be lost.
    for (let ticks = 0; ticks < 12; ticks++) {
      const shown: string[] = [];
      let release: () => void = () => undefined;
      const editor = new PacedEditor((content) => {
        shown.push(content);
        if (content === 'a') return new Promise<void>((resolve) => (release = resolve));
        return Promise.resolve();
      }, 0);
      editor.set('a');
      release();
      let p = Promise.resolve();
      for (let i = 0; i < ticks; i++) p = p.then(() => undefined);
      await p.then(() => editor.set('b'));
      await editor.flush();
      assert.equal(shown.at(-1), 'b', `after ${ticks} microtasks: ${JSON.stringify(shown)}`);
    }
  });

  it('GIVEN an edit that fails THEN flush() rejects with an Error and a later set() tries again', async () => {
    let fail = true;
    const shown: string[] = [];
    const editor = new PacedEditor(async (content) => {
      if (fail) throw new Error('boom');
      shown.push(content);
    }, 0);
    editor.set('x');
    await assert.rejects(editor.flush(), /boom/);
    fail = false;
    editor.set('y');
    await editor.flush();
    assert.deepEqual(shown, ['y']);
  });
});
