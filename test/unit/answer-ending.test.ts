import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.ts';
import type { FinishedAnswer } from '../../src/ask/request.ts';
import { checkSystemPrompt, SYSTEM_PROMPT_MAX_CHARS } from '../../src/ask/system-prompt.ts';
import { closingLines as closingLinesIn, threadName as threadNameIn } from '../../src/discord/answer-text.ts';

const ending = (over: Partial<FinishedAnswer> = {}): FinishedAnswer => ({
  content: 'Paris.',
  reasoning: '',
  end: 'stop',
  model: 'mistral-small-latest',
  usage: { promptTokens: 1_000, completionTokens: 234, totalTokens: 1_234 },
  estimated: false,
  contextTurns: 0,
  thoughtMs: undefined,
  ...over,
});
const closingLines = (end: FinishedAnswer) => closingLinesIn('en-US', end);
const threadName = (prompt: string) => threadNameIn('en-US', prompt);

describe('closingLines', () => {
  it('GIVEN a normal answer THEN one subtext footer names the model and the tokens charged', () => {
    assert.equal(closingLines(ending()), '\n-# mistral-small-latest · 1,234 tokens');
  });

  it('GIVEN an estimate and remembered turns THEN the footer says so', () => {
    assert.equal(
      closingLines(ending({ estimated: true, contextTurns: 2 })),
      '\n-# mistral-small-latest · ~1,234 tokens · 2 earlier turns remembered',
    );
  });

  it('GIVEN the length limit THEN the existing note stays, above the footer', () => {
    assert.equal(
      closingLines(ending({ end: 'length' })),
      '\n-# (Cut short: the answer reached its length limit.)\n-# mistral-small-latest · 1,234 tokens',
    );
  });

  it('GIVEN an answer stopped inside a code block THEN the block is closed before the notes', () => {
    assert.match(
      closingLines(ending({ content: 'Code:\n```ts\nconst a = 1;', end: 'length' })),
      /^\n```\n-# \(Cut short/,
    );
    assert.match(closingLines(ending({ content: 'Code:\n```ts\nconst a = 1;\n' })), /^```\n-# mistral/);
    assert.match(closingLines(ending({ content: 'Code:\n```ts\nx\n```' })), /^\n-# mistral/);
  });

  it('GIVEN a stream cut off THEN it says so; a timeout says Mistral stopped sending', () => {
    assert.match(
      closingLines(ending({ end: 'cut_off', cutOffBy: 'network' })),
      /^\n-# ⚠️ The answer was cut off: the connection to Mistral broke/,
    );
    assert.match(
      closingLines(ending({ end: 'cut_off', cutOffBy: 'timed_out' })),
      /cut off: Mistral stopped sending\./,
    );
  });

  it('GIVEN a stopped answer or one that thought THEN the notes say so', () => {
    assert.match(closingLines(ending({ end: 'stopped' })), /^\n-# ⏹️ Stopped\.\n-# mistral/);
    assert.match(closingLines(ending({ thoughtMs: 12_400 })), / · thought for 12 s$/);
  });

  it('GIVEN an empty answer THEN it says so instead of sending nothing', () => {
    assert.match(closingLines(ending({ content: '' })), /^\(The model returned an empty answer\.\)\n-# /);
  });
});

describe('threadName', () => {
  it('GIVEN a question THEN the name is one line of at most 100 characters', () => {
    assert.equal(threadName('  Plan a\n\ntrip   to Lisbon '), 'Plan a trip to Lisbon');
    const long = threadName('word '.repeat(60));
    assert.ok([...long].length <= 100);
    assert.ok(long.endsWith('…'));
    assert.ok([...threadName('字'.repeat(300))].length <= 100);
  });
});

describe('checkSystemPrompt', () => {
  it('GIVEN a prompt THEN it is trimmed; blank or too long ones are refused, naming the limit', () => {
    assert.equal(checkSystemPrompt('  Be brief.  '), 'Be brief.');
    assert.throws(
      () => checkSystemPrompt('   '),
      (e: unknown) => e instanceof UserError && /clear/.test(e.message),
    );
    assert.equal(checkSystemPrompt('x'.repeat(SYSTEM_PROMPT_MAX_CHARS)).length, SYSTEM_PROMPT_MAX_CHARS);
    assert.throws(
      () => checkSystemPrompt('x'.repeat(SYSTEM_PROMPT_MAX_CHARS + 1)),
      (e: unknown) => e instanceof UserError && /1,501 characters; the limit is 1,500/.test(e.message),
    );
  });
});
