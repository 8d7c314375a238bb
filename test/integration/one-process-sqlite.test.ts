import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { shardPlan } from '../../src/sharding.ts';
import { openStore } from '../../src/store/open-store.ts';

describe('SQLite is for one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bot-lock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const url = `sqlite://${join(dir, 'bot.sqlite')}`;

  it('GIVEN another live process holding the file THEN opening it is refused clearly; once that process is killed THEN it opens', async () => {
    const holder = spawn(
      process.execPath,
      [new URL('../fixtures/hold-store.ts', import.meta.url).pathname, url],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: holder.stdout })[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'open');
    await assert.rejects(openStore(url), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, new RegExp(`already used by another bot process \\(pid ${holder.pid}\\)`));
      assert.match(e.message, /SQLite is for one process/);
      return true;
    });
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const store = await openStore(url); // the lock the killed process left is stale
    await store.close();
  });

  it('GIVEN several shard processes with REDIS_URL but a SQLite DATABASE_URL THEN the plan is refused with one clear line', () => {
    const base = { DISCORD_TOKEN: 't', MISTRAL_API_KEY: 'k', REDIS_URL: 'redis://127.0.0.1:6379' };
    const sqlite = shardPlan(loadConfig({ ...base, SHARD_COUNT: '2' }), 2);
    assert.equal(sqlite.mode, 'processes');
    assert.match(sqlite.problem ?? '', /cannot share a SQLite file: set DATABASE_URL to redis:\/\//);
    assert.deepEqual(shardPlan(loadConfig({ ...base, DATABASE_URL: 'redis://127.0.0.1:6379' }), 2), {
      mode: 'processes',
    });
    assert.deepEqual(shardPlan(loadConfig({ DISCORD_TOKEN: 't', MISTRAL_API_KEY: 'k' }), 4), {
      mode: 'in-process',
    });
  });
});
