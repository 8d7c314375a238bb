import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  compact,
  daysInMonth,
  niceScale,
  renderUsageChart,
  type DayUsage,
} from '../../src/budget/chart.ts';

/** Counts pixels of one exact RGBA colour. */
function pixelsOf(png: PNG, rgba: number): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data.readUInt32BE(i) === rgba) n++;
  return n;
}

describe('the /usage chart', () => {
  it('GIVEN two models over a month THEN it is a valid PNG of the chart size with both models stacked in their colours', async () => {
    const byDay: DayUsage[] = [];
    for (let d = 1; d <= 20; d++) {
      const day = `2026-02-${String(d).padStart(2, '0')}`;
      byDay.push({ day, model: 'mistral-small-latest', totalTokens: 10_000 });
      if (d % 2 === 0) byDay.push({ day, model: 'codestral-2508', totalTokens: 2_000 });
    }
    const bytes = await renderUsageChart({
      month: '2026-02',
      byDay,
      title: 'Tokens per day, February 2026 (UTC)',
    });
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(bytes.length < 100_000, `${bytes.length} bytes`);
    const png = PNG.sync.read(bytes);
    assert.equal(png.width, CHART_WIDTH);
    assert.equal(png.height, CHART_HEIGHT);
    const orange = pixelsOf(png, 0xfa520fff);
    const blue = pixelsOf(png, 0x1f77b4ff);
    assert.ok(orange > 5_000, `orange pixels ${orange}`);
    assert.ok(blue > 500 && blue < orange, `blue pixels ${blue}`);
    assert.ok(pixelsOf(png, 0xffffffff) < CHART_WIDTH * CHART_HEIGHT, 'not blank');
  });

  it('GIVEN more models than colours THEN the smallest are stacked as "other" in grey', async () => {
    const byDay = Array.from({ length: 9 }, (_, i) => ({
      day: '2026-03-05',
      model: `m${i}`,
      totalTokens: 1_000 * (i + 1),
    }));
    const png = PNG.sync.read(await renderUsageChart({ month: '2026-03', byDay }));
    assert.ok(pixelsOf(png, 0x8c8c8cff) > 0);
  });

  it('GIVEN axis values THEN the scale is round and labels are short', () => {
    assert.deepEqual(niceScale(0), { max: 5, step: 1 });
    assert.deepEqual(niceScale(23_456), { max: 25_000, step: 5_000 });
    assert.deepEqual(niceScale(900), { max: 1_000, step: 200 });
    assert.equal(compact(0), '0');
    assert.equal(compact(1_500), '1.5k');
    assert.equal(compact(2_000_000), '2M');
    assert.equal(daysInMonth('2026-02'), 28);
    assert.equal(daysInMonth('2028-02'), 29);
    assert.equal(daysInMonth('2026-12'), 31);
  });
});
