import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, type Harness } from './harness.ts';

describe('end to end: Discord’s request budget with 500 members waiting', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      guildCount: 100,
      mistral: { requestsPerSecond: 1, latencyMs: 200 },
      // 500 interactions arriving at once keep this process (bot and in-process stand-ins alike)
      // busy for a few hundred ms, so the stand-in stamps one arrival late and the next looks early.
      // A wider start margin keeps that artefact of sharing one event loop out of the 429 counts;
      // the benchmark measures pacing with the Mistral stand-in in its own process.
      env: { MISTRAL_START_MARGIN_MS: '250' },
    });
  });
  afterEach(() => h.assertCleanRun());
  after(() => h.close());

  it('GIVEN 500 questions waiting at 1 request/s THEN the bot’s Discord request rate stays under 45/s over any second and Discord never answers 429', async () => {
    const t0 = Date.now();
    // 500 members arriving over about five seconds (100 a second): a crowd, not one instant.
    const handles = [];
    for (let i = 0; i < 500; i++) {
      handles.push(
        h.run(i % 100, {
          command: 'ask',
          userId: `8000000000000${String(i).padStart(5, '0')}`,
          options: { prompt: `waiting question ${i}` },
        }),
      );
      if (i % 10 === 9) await sleep(100);
    }
    await Promise.all(handles.map((x) => x.waitForAck(3_000)));
    // Long enough for the notices of everyone far back and a stream of answers at the front.
    await sleep(20_000);
    const times = h.discord.requestTimes().filter((at) => at >= t0);
    const peak = h.discord.maxRequestsPerSecond();
    const noticed = handles.filter((x) => /in line/.test(x.original() ?? '')).length;
    console.log(
      `discord budget figures: ${JSON.stringify({ requests: times.length, peakPerSecond: peak, membersShownTheirPlace: noticed, discord429: h.discord.rejected429 })}`,
    );
    assert.ok(peak < 45, `peak ${peak} requests in one second`);
    assert.equal(h.discord.rejected429, 0);
    assert.ok(noticed >= 100, `${noticed} members were shown their place in line`);
    assert.ok(
      handles.every((x) => (x.ackAt ?? Infinity) < 3_000),
      'every question acknowledged in time',
    );
  });
});
