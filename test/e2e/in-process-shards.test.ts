import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { answered, startHarness, type Harness } from './harness.ts';

describe('SHARD_COUNT without Redis: every shard inside one process', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ guildCount: 2, env: { SHARD_COUNT: '2' } });
  });
  afterEach(() => h.assertCleanRun());
  after(() => h.close());

  it('GIVEN SHARD_COUNT=2 THEN one process opens two gateway sessions and answers in every server', async () => {
    await h.discord.waitForReady(2, 10_000);
    assert.deepEqual(h.bot.client.ws.shards.map((s) => s.id).sort(), [0, 1]);
    const handles = [0, 1].map((g) =>
      h.run(g, { command: 'ask', options: { prompt: `hello from server ${g}` } }),
    );
    await Promise.all(handles.map((x) => x.waitFor(answered, 30_000)));
    assert.equal(h.mistral.rejected429, 0);
  });
});
