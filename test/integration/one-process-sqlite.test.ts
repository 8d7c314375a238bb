import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { shardPlan } from '../../src/ops/sharding.ts';
import { openStore } from '../../src/store/open-store.ts';
import { exitOf } from '../support/process.ts';

const HOLD_STORE = new URL('../fixtures/hold-store.ts', import.meta.url).pathname;

/** A process holding the store open (test/fixtures/hold-store.ts), optionally under a command prefix. */
interface Holder {
  readonly child: ChildProcess;
  /** Resolves 'open' once the store is open, or the process's output if it exits first. */
  readonly opened: Promise<string>;
}

function hold(url: string, prefix: readonly string[] = []): Holder {
  const [command = process.execPath, ...args] = [...prefix, process.execPath, HOLD_STORE, url];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const opened = new Promise<string>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line === 'open') resolve('open');
      else output += `${line}\n`;
    });
    child.once('exit', () => resolve(output));
  });
  return { child, opened };
}

/** Whether this machine can run a process in its own PID namespace (as PID 1, like node in Docker). */
function pidNamespacesWork(): boolean {
  const probe = spawnSync(
    'unshare',
    ['--user', '--map-root-user', '--pid', '--fork', 'sh', '-c', 'echo $$'],
    {
      encoding: 'utf8',
    },
  );
  return probe.status === 0 && probe.stdout.trim() === '1';
}

const refusal = (e: unknown) => {
  assert.ok(e instanceof Error);
  assert.match(e.message, /^DATABASE_URL sqlite:\/\/\S+ is already used by another bot process/);
  assert.match(
    e.message,
    /SQLite is for one process; to run several, set DATABASE_URL and REDIS_URL to a Redis server/,
  );
  return true;
};

describe('SQLite is for one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bot-lock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const freshUrl = () => `sqlite://${join(dir, `bot-${++n}.sqlite`)}`;

  it('GIVEN another live process holding the file THEN opening it is refused at once and clearly; once that process is killed with SIGKILL THEN it opens', async () => {
    const url = freshUrl();
    const holder = hold(url);
    assert.equal(await holder.opened, 'open');
    const t0 = performance.now();
    await assert.rejects(openStore(url), refusal);
    assert.ok(performance.now() - t0 < 2_000, 'no waiting by default');
    holder.child.kill('SIGKILL');
    await once(holder.child, 'exit');
    const store = await openStore(url); // the kernel dropped the dead process's lock
    await store.close();
  });

  it('GIVEN this process holding the file THEN a second process is refused, and it opens once this one closes the store', async () => {
    const url = freshUrl();
    const store = await openStore(url);
    const second = hold(url);
    const output = await second.opened;
    assert.match(output, /already used by another bot process/);
    assert.notEqual((await exitOf(second.child)).code, 0);
    await store.close();
    const third = hold(url);
    assert.equal(await third.opened, 'open');
    third.child.stdin?.end();
    assert.equal((await exitOf(third.child)).code, 0);
  });

  it('GIVEN the holder still shutting down and a lock wait THEN the new process waits and opens as soon as the old one lets go', async () => {
    const url = freshUrl();
    const holder = hold(url);
    assert.equal(await holder.opened, 'open');
    const t0 = performance.now();
    const opening = openStore(url, { lockWaitMs: 20_000 });
    setTimeout(() => holder.child.stdin?.end(), 1_500); // the old process finishes its shutdown
    const store = await opening;
    const waited = performance.now() - t0;
    assert.ok(waited >= 1_400, `waited ${waited.toFixed(0)} ms`);
    assert.ok(waited < 10_000, `waited ${waited.toFixed(0)} ms`);
    assert.equal((await exitOf(holder.child)).code, 0, 'the old process shut down normally');
    await store.close();
  });

  it('GIVEN a holder that does not go away within the lock wait THEN opening is refused after the wait, saying it waited', async () => {
    const url = freshUrl();
    const holder = hold(url);
    assert.equal(await holder.opened, 'open');
    const t0 = performance.now();
    await assert.rejects(openStore(url, { lockWaitMs: 1_000 }), (e: unknown) => {
      refusal(e);
      assert.match((e as Error).message, /waited 1 s/);
      return true;
    });
    assert.ok(performance.now() - t0 >= 950);
    holder.child.kill('SIGKILL');
    await once(holder.child, 'exit');
  });

  it('GIVEN two processes that both have PID 1 (each in its own PID namespace, as node in two containers on one volume) THEN only the first opens the file', async (t) => {
    if (!pidNamespacesWork()) {
      t.skip('this machine cannot create PID namespaces (unshare)');
      return;
    }
    const url = freshUrl();
    const asPid1 = ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--kill-child'];
    const first = hold(url, asPid1);
    assert.equal(await first.opened, 'open');
    const second = hold(url, asPid1);
    const output = await second.opened;
    assert.match(output, /already used by another bot process/);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
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
