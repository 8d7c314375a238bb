import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { INVITE_PERMISSIONS } from '../../src/ops/invite.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.ts';
import { exitOf, freePort, startScript } from '../support/process.ts';
import { startMistralStandIn, type MistralStandIn } from '../standins/mistral.ts';
import { watchCleanRun, type CleanRunWatch } from '../support/clean-run.ts';

/** Runs `npm run doctor` as a process (node scripts/doctor.ts) with exactly this environment. */
async function doctor(env: Record<string, string>, cwd: string, args: string[] = []) {
  const child = startScript('scripts/doctor.ts', env, cwd, args);
  const { code } = await exitOf(child);
  return { code, out: child.output() };
}

/** A loopback port nothing listens on. */
const closedPort = freePort;

describe('npm run doctor', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bot-doctor-'));
  let discord: DiscordStandIn;
  let mistral: MistralStandIn;
  let env: Record<string, string>;
  let clean: CleanRunWatch;
  before(async () => {
    discord = await startDiscordStandIn({ botUsername: 'Gatekeeper' });
    mistral = await startMistralStandIn({
      requestsPerSecond: 2,
      models: {
        'mistral-small-latest': { reqPerMinute: 50, tokensPerMinute: 50_000, tokensPerMonth: 4_000_000 },
        'open-mistral-nemo': { unavailable: true },
      },
    });
    env = {
      DISCORD_TOKEN: discord.token,
      MISTRAL_API_KEY: 'test-key',
      DISCORD_API_URL: discord.apiUrl,
      MISTRAL_SERVER_URL: mistral.url,
      DATABASE_URL: `sqlite://${join(cwd, 'data', 'bot.sqlite')}`,
      MISTRAL_MODELS: 'mistral-small-latest,open-mistral-nemo,mistral-large-latest',
      MISTRAL_REQUESTS_PER_SECOND: '2',
      // The Mistral stand-in stamps arrivals on this test's event loop, which shares two CPUs with
      // the doctor's process and another test file: one late stamp makes the next probe look early
      // (CI saw 496 ms at a 500 ms spacing). As in the e2e harness, a 40 ms start margin keeps that
      // artefact out of the violation count; the benchmark measures production's 15 ms with the
      // stand-in in its own process.
      MISTRAL_START_MARGIN_MS: '40',
    };
    clean = watchCleanRun({ discord, mistral });
  });
  afterEach(() => clean.assertCleanRun());
  after(async () => {
    await discord.close();
    await mistral.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('GIVEN a good setup THEN every line is ✓, the invite URL has the right scopes and permissions, and it exits 0', async () => {
    const { code, out } = await doctor(env, cwd);
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /^✗/m);
    assert.match(out, /^✓ Discord token: logs in as Gatekeeper/m);
    assert.match(out, new RegExp(`^✓ Discord application: .*\\(${discord.applicationId}\\)`, 'm'));
    assert.match(out, /^✓ Mistral key: accepted; it sees \d+ models, 3 of the 3 offered$/m);
    assert.match(out, /^✓ store sqlite:\/\/.*: writable$/m);
    assert.ok(
      out.includes(
        `client_id=${discord.applicationId}&scope=bot+applications.commands&permissions=${INVITE_PERMISSIONS}`,
      ),
      out,
    );
    assert.equal(INVITE_PERMISSIONS, 309_237_763_072n);
    assert.ok(!out.includes(discord.token) && !out.includes('test-key'), 'no secret is printed');
    assert.equal(
      mistral.requests.filter((r) => r.path === '/v1/chat/completions').length,
      0,
      'no probe without --probe',
    );
  });

  it('GIVEN a bad Discord token THEN it says so and exits non-zero', async () => {
    const { code, out } = await doctor({ ...env, DISCORD_TOKEN: 'not.the.token' }, cwd);
    assert.equal(code, 1);
    assert.match(out, /^✗ DISCORD_TOKEN was refused by Discord \(401\)/m);
    assert.match(out, /^✓ Mistral key/m);
    assert.match(out, /^Invite URL: unknown until the Discord token works/m);
  });

  it('GIVEN a bad Mistral key THEN it says so and exits non-zero', async () => {
    const { code, out } = await doctor({ ...env, MISTRAL_API_KEY: 'wrong-key-123' }, cwd);
    assert.equal(code, 1);
    assert.match(out, /^✗ MISTRAL_API_KEY was refused by Mistral \(401\)/m);
    assert.match(out, /^✓ Discord token/m);
  });

  it('GIVEN --probe and a model with a 0 limit THEN each model’s limits are reported, the 0 one as unavailable, at the configured pace', async () => {
    clean.expectInjected({ mistral429: 1 }); // open-mistral-nemo is not on the plan
    const { code, out } = await doctor(env, cwd, ['--probe']);
    assert.equal(code, 0, out);
    assert.match(
      out,
      /^✓ mistral-small-latest: 50 requests\/min · 50,000 tokens\/min · 4,000,000 tokens\/month \(\d[\d,]* left\)$/m,
    );
    assert.match(out, /^⚠ open-mistral-nemo: unavailable on this key's plan \(its limit is 0\)/m);
    assert.match(out, /^✓ mistral-large-latest: .*tokens\/month/m);
    const probes = mistral.requests.filter((r) => r.path === '/v1/chat/completions');
    assert.equal(probes.length, 3);
    assert.ok(probes.every((r) => r.maxTokens === 1));
    assert.deepEqual(mistral.violations, [], 'the probes kept to 2 requests/s');
  });

  it('GIVEN the default model has a 0 limit THEN --probe fails the check', async () => {
    clean.expectInjected({ mistral429: 1 }); // open-mistral-nemo is not on the plan
    const { code, out } = await doctor({ ...env, DEFAULT_MODEL: 'open-mistral-nemo' }, cwd, ['--probe']);
    assert.equal(code, 1);
    assert.match(out, /^✗ open-mistral-nemo: unavailable on this key's plan/m);
  });

  it('GIVEN a malformed variable or an unreachable Redis THEN each is a ✗ line and it exits non-zero', async () => {
    const bad = await doctor({ ...env, MISTRAL_REQUESTS_PER_SECOND: 'fast' }, cwd);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /^✗ MISTRAL_REQUESTS_PER_SECOND must be a positive number$/m);
    const redis = await doctor({ ...env, REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }, cwd);
    assert.equal(redis.code, 1);
    assert.match(redis.out, /^✗ Redis redis:\/\/127\.0\.0\.1:\d+: /m);
  });

  it('GIVEN REDIS_URL and DATABASE_URL with passwords and nothing listening THEN every failure is reported and no password is printed', async () => {
    const port = await closedPort();
    const redisPassword = 'gate-redis-secret-1';
    const storePassword = 'store-redis-secret-2';
    const { code, out } = await doctor(
      {
        ...env,
        REDIS_URL: `redis://:${redisPassword}@127.0.0.1:${port}`,
        DATABASE_URL: `redis://bot:${storePassword}@127.0.0.1:${port}/1`,
      },
      cwd,
    );
    assert.equal(code, 1, out);
    assert.ok(!out.includes(redisPassword) && !out.includes(storePassword), out);
    assert.match(
      out,
      /^✗ store: Cannot reach Redis at redis:\/\/bot:\*\*\*@127\.0\.0\.1:\d+\/1 \(DATABASE_URL\)/m,
    );
    assert.match(out, /^✗ Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: /m);
    assert.match(out, /^✗ Redis redis:\/\/bot:\*\*\*@127\.0\.0\.1:\d+\/1: /m);
  });
});
