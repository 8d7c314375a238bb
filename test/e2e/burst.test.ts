import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { answered, startHarness, type Harness } from './harness.ts';

describe('end to end: a burst of 24 /ask from 3 servers against a strict 1-RPS Mistral with 4 s completions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ guildCount: 3, mistral: { requestsPerSecond: 1, latencyMs: 4_000 } });
  });
  afterEach(() => h.assertCleanRun());
  after(() => h.close());

  it('THEN every question is acknowledged within 3 s and answered, with zero 429s and several in flight at once', async () => {
    const t0 = performance.now();
    const handles = Array.from({ length: 24 }, (_, i) =>
      h.run(i % 3, {
        command: 'ask',
        userId: `4000000000000000${String(i).padStart(2, '0')}`,
        options: { prompt: `burst question ${i}` },
      }),
    );
    await Promise.all(handles.map((x) => x.waitForAck(3_000)));
    const ackMax = Math.max(...handles.map((x) => x.ackAt ?? Infinity));
    // Waiting notices and the first streamed words come early: wait for each finished answer.
    await Promise.all(handles.map((x) => x.waitFor(answered, 90_000)));
    const seconds = (performance.now() - t0) / 1000;

    const starts = h.mistral.startTimes();
    const span = ((starts.at(-1) ?? 0) - (starts[0] ?? 0)) / 1000;
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] as number));
    const figures = {
      answered: handles.filter(answered).length,
      rejected429: h.mistral.rejected429,
      inFlightMax: h.mistral.inFlightMax,
      ackMaxMs: Math.round(ackMax),
      minGapMs: Math.round(Math.min(...gaps)),
      startsPerSecond: Number(((starts.length - 1) / span).toFixed(3)),
      totalSeconds: Number(seconds.toFixed(1)),
    };
    console.log(`burst figures: ${JSON.stringify(figures)}`);
    assert.equal(figures.answered, 24);
    assert.equal(figures.rejected429, 0);
    assert.ok(figures.ackMaxMs < 3_000);
    assert.ok(figures.inFlightMax >= 3, `inFlightMax ${figures.inFlightMax}`);
    assert.ok(figures.minGapMs >= 1000, `min gap ${figures.minGapMs}`);
    assert.ok(handles.every((x) => !x.ephemeral));
    assert.deepEqual(h.discord.violations, []);
    assert.deepEqual(h.mistral.violations, []);
    assert.equal(starts.length, 24);
  });
});
