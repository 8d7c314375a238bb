import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { answered, seen, startHarness, type Harness } from './harness.ts';

/** A small tmpfs for the SQLite file, so the disk can really fill up; undefined where mounting is not allowed. */
function mountSmallDisk(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bot-small-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status === 0) return dir;
  rmdirSync(dir);
  return undefined;
}

/** Fills the rest of the disk with a file; returns its path (delete it to free the space). */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  // The last bytes too, so not even a page is left.
  try {
    for (;;) writeSync(fd, Buffer.alloc(512, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

const disk = mountSmallDisk();

describe(
  'end to end: the disk that holds the SQLite file fills up mid-run',
  { skip: disk ? false : 'needs permission to mount a tmpfs (root)' },
  () => {
    let h: Harness;
    const month = () => new Date().toISOString().slice(0, 7);
    const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
    const health = async () => (await fetch(`${h.bot.opsUrl}/healthz`)).status;
    const member = (n: number) => `7100000000000000${String(n).padStart(2, '0')}`;

    before(async () => {
      h = await startHarness({ guildCount: 1, dataDir: disk as string, env: { METRICS_PORT: '0' } });
    });
    afterEach(() => h.assertCleanRun());
    after(async () => {
      await h.close();
      spawnSync('umount', [disk as string]);
      rmSync(disk as string, { recursive: true, force: true });
    });

    it('GIVEN the disk fills while an answer streams THEN the answer stays, nothing is free, new questions are refused and /healthz is 503 until space returns, then the usage lands and the bot goes on without a restart', async () => {
      const guildId = h.guilds[0]!.guildId;
      const usedBefore = await h.bot.store.usage.monthTotal(guildId, month());
      assert.equal(await health(), 200);
      h.mistral.setLatencyMs(3_000);
      const first = h.run(0, { command: 'ask', userId: member(1), options: { prompt: 'tell me something' } });
      await first.waitFor((x) => /stand-in answer/.test(x.original() ?? ''), 10_000);
      const filler = fillDisk(disk as string);
      try {
        await first.waitFor(answered, 10_000);
        assert.match(first.original() ?? '', /This is the stand-in answer/, 'the answer stays');
        await sleep(300);
        assert.equal(await health(), 503, 'health says usage is not recorded');
        assert.equal(h.bot.budget.pending, 1, 'the usage is kept to retry');

        const before = completions().length;
        const refused = h.run(0, { command: 'ask', userId: member(2), options: { prompt: 'and another?' } });
        await refused.waitFor((x) => x.allMessages().length > 0);
        assert.ok(refused.allMessages().every((m) => m.ephemeral));
        assert.match(seen(refused), /could not record the usage of recent answers/);
        assert.equal(completions().length, before, 'nothing went upstream');
      } finally {
        rmSync(filler, { force: true });
      }
      // Space is back: the retry lands (backoff from 1 s), exactly once.
      for (let i = 0; i < 100 && h.bot.budget.pending > 0; i++) await sleep(100);
      assert.equal(h.bot.budget.pending, 0);
      const charged = (await h.bot.store.usage.monthTotal(guildId, month())) - usedBefore;
      assert.equal(
        charged,
        completions()[0]?.usage?.total_tokens,
        'charged exactly what Mistral reported, once',
      );
      assert.equal(await health(), 200);
      h.mistral.setLatencyMs(30);
      const again = h.run(0, { command: 'ask', userId: member(3), options: { prompt: 'working again?' } });
      await again.waitFor(answered);
      assert.equal(again.ephemeral, false);
    });
  },
);
