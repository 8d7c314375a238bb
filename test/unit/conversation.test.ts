import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConversationMemory,
  recentTurns,
  turnMessages,
  turnTokens,
  type Turn,
} from '../../src/ask/conversation.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';

const turn = (i: number, size = 30): Turn => ({
  user: `q${i} ${'x'.repeat(size)}`,
  assistant: `a${i} ${'y'.repeat(size)}`,
});

describe('recentTurns', () => {
  it('GIVEN more turns than the window holds THEN the newest that fit are kept, oldest dropped first, in order', () => {
    const turns = Array.from({ length: 10 }, (_, i) => turn(i));
    const each = turnTokens(turns[0] as Turn);
    const kept = recentTurns(turns, each * 3 + 1);
    assert.deepEqual(kept, turns.slice(7));
    assert.deepEqual(recentTurns(turns, each * 3 - 1), turns.slice(8));
  });

  it('GIVEN a newest turn bigger than the window THEN no context at all (a turn is never cut)', () => {
    assert.deepEqual(recentTurns([turn(1), turn(2, 5_000)], 500), []);
    assert.deepEqual(recentTurns([turn(1)], 0), []);
  });

  it('GIVEN turns THEN they become alternating user and assistant messages', () => {
    assert.deepEqual(turnMessages([{ user: 'u1', assistant: 'a1' }]), [
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: 'a1' },
    ]);
  });
});

describe('ConversationMemory over the SQLite store', () => {
  let dir: string;
  let store: Store;
  const open = async () => {
    store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`);
    return store;
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conversation-'));
    await open();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN remembered turns THEN the context holds them in order, and they survive reopening the store', async () => {
    const memory = new ConversationMemory(store.keyv('conversation'), { maxTokens: 10_000, idleMs: 60_000 });
    await memory.remember('thread-1', turn(1));
    await memory.remember('thread-1', turn(2));
    assert.deepEqual(await memory.context('thread-1'), [turn(1), turn(2)]);
    assert.deepEqual(await memory.context('thread-2'), []);
    await store.close();
    await open();
    const again = new ConversationMemory(store.keyv('conversation'), { maxTokens: 10_000, idleMs: 60_000 });
    assert.deepEqual(await again.context('thread-1'), [turn(1), turn(2)]);
  });

  it('GIVEN a small window THEN only what fits is kept and sent', async () => {
    const each = turnTokens(turn(0));
    const memory = new ConversationMemory(store.keyv('conversation'), {
      maxTokens: each * 2,
      idleMs: 60_000,
    });
    for (let i = 0; i < 5; i++) await memory.remember('thread-small', turn(i));
    assert.deepEqual(await memory.context('thread-small'), [turn(3), turn(4)]);
  });

  it('GIVEN a conversation idle past its expiry THEN it is forgotten; a new turn renews the expiry', async () => {
    const memory = new ConversationMemory(store.keyv('conversation'), { maxTokens: 10_000, idleMs: 300 });
    await memory.remember('thread-idle', turn(1));
    await sleep(200);
    await memory.remember('thread-idle', turn(2));
    await sleep(200);
    assert.deepEqual(await memory.context('thread-idle'), [turn(1), turn(2)], 'renewed by the second turn');
    await sleep(400);
    assert.deepEqual(await memory.context('thread-idle'), []);
  });

  it('GIVEN /forget THEN the thread starts fresh and the count of forgotten turns is returned', async () => {
    const memory = new ConversationMemory(store.keyv('conversation'), { maxTokens: 10_000, idleMs: 60_000 });
    await memory.remember('thread-f', turn(1));
    await memory.remember('thread-f', turn(2));
    assert.equal(await memory.forget('thread-f'), 2);
    assert.deepEqual(await memory.context('thread-f'), []);
    assert.equal(await memory.forget('thread-f'), 0);
  });

  it('GIVEN many answers finishing at once in one thread THEN no turn is lost', async () => {
    const memory = new ConversationMemory(store.keyv('conversation'), { maxTokens: 100_000, idleMs: 60_000 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => memory.remember('thread-busy', turn(i, 5))));
    assert.equal((await memory.context('thread-busy')).length, 20);
  });

  it('GIVEN memory turned off or a blank answer THEN nothing is stored', async () => {
    const off = new ConversationMemory(store.keyv('conversation'), { maxTokens: 0, idleMs: 60_000 });
    assert.equal(off.enabled, false);
    await off.remember('thread-off', turn(1));
    const on = new ConversationMemory(store.keyv('conversation'), { maxTokens: 10_000, idleMs: 60_000 });
    assert.deepEqual(await on.context('thread-off'), []);
    await on.remember('thread-blank', { user: 'q', assistant: '  ' });
    assert.deepEqual(await on.context('thread-blank'), []);
  });

  it('GIVEN something unexpected stored under a thread THEN it is ignored, not sent', async () => {
    const keyv = store.keyv('conversation');
    await keyv.set('thread-odd', [{ user: 'ok', assistant: 'fine' }, { user: 3 }, 'junk']);
    const memory = new ConversationMemory(keyv, { maxTokens: 10_000, idleMs: 60_000 });
    assert.deepEqual(await memory.context('thread-odd'), [{ user: 'ok', assistant: 'fine' }]);
    await keyv.set('thread-odder', 'not a list');
    assert.deepEqual(await memory.context('thread-odder'), []);
  });
});
