import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import * as PImage from 'pureimage';
import type { Context } from 'pureimage';

/** One day's usage of one model, as the usage ledger reports it (`day` is `yyyy-mm-dd`, UTC). */
export interface DayUsage {
  readonly day: string;
  readonly model: string;
  readonly totalTokens: number;
}

export interface UsageChartInput {
  /** `yyyy-mm`, UTC. */
  readonly month: string;
  readonly byDay: readonly DayUsage[];
  /** The heading, in the reader's language (e.g. "Tokens per day, November 2026 (UTC)"). */
  readonly title?: string;
  /** What an empty month says, in the reader's language. */
  readonly empty?: string;
}

/** Chart size in pixels: wide enough for 31 bars, small enough to stay a few kilobytes. */
export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;

/** At most this many models get their own colour; the rest are stacked together as "other". */
const MAX_SERIES = 7;
const PALETTE = ['#fa520f', '#1f77b4', '#2ca02c', '#9467bd', '#e0a800', '#17becf', '#d62728'] as const;
const OTHER_COLOUR = '#8c8c8c';
const TEXT = '#222222';
const MUTED = '#666666';
const GRID = '#e3e3e3';
const FAMILY = 'DejaVu Sans';

/**
 * Renders this month's tokens per day as a PNG bar chart, stacked by model, with a legend naming
 * the models (largest first) and a token axis. Pure JavaScript (pureimage, DejaVu Sans), in-process;
 * about 100–200 ms and a few tens of kilobytes. Days run 1 to the month's last day; days without
 * usage have no bar.
 */
export async function renderUsageChart(input: UsageChartInput): Promise<Buffer> {
  loadFont();
  const { month } = input;
  const days = daysInMonth(month);
  const series = seriesOf(input.byDay);
  const perDay = Array.from({ length: days }, () => new Map<string, number>());
  for (const row of input.byDay) {
    const day = Number(row.day.slice(8, 10));
    const bucket = perDay[day - 1];
    if (!bucket || row.totalTokens <= 0) continue;
    const name = series.names.includes(row.model) ? row.model : 'other';
    bucket.set(name, (bucket.get(name) ?? 0) + row.totalTokens);
  }
  const dayTotals = perDay.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const { max, step } = niceScale(Math.max(0, ...dayTotals));

  const image = PImage.make(CHART_WIDTH, CHART_HEIGHT);
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);

  ctx.fillStyle = TEXT;
  ctx.font = `15px '${FAMILY}'`;
  ctx.fillText(input.title ?? month, 16, 24);

  const legendBottom = drawLegend(ctx, series.entries, 16, 46, CHART_WIDTH - 16);
  const plot = { left: 64, right: CHART_WIDTH - 16, top: legendBottom + 14, bottom: CHART_HEIGHT - 30 };
  const height = plot.bottom - plot.top;
  const y = (tokens: number) => plot.bottom - (tokens / max) * height;

  ctx.font = `11px '${FAMILY}'`;
  for (let v = 0; v <= max; v += step) {
    ctx.fillStyle = GRID;
    ctx.fillRect(plot.left, Math.round(y(v)), plot.right - plot.left, 1);
    const label = compact(v);
    ctx.fillStyle = MUTED;
    ctx.fillText(label, plot.left - 6 - ctx.measureText(label).width, Math.round(y(v)) + 4);
  }

  const slot = (plot.right - plot.left) / days;
  const barWidth = Math.max(2, Math.floor(slot * 0.7));
  for (let d = 0; d < days; d++) {
    const x = Math.round(plot.left + d * slot + (slot - barWidth) / 2);
    let base = 0;
    for (const entry of series.entries) {
      const tokens = perDay[d]?.get(entry.name) ?? 0;
      if (tokens <= 0) continue;
      const top = y(base + tokens);
      const bottom = y(base);
      ctx.fillStyle = entry.colour;
      // At least one pixel, so a small share never disappears.
      ctx.fillRect(x, Math.round(top), barWidth, Math.max(1, Math.round(bottom) - Math.round(top)));
      base += tokens;
    }
    const dayNumber = d + 1;
    if (slot >= 20 || dayNumber === 1 || dayNumber % 5 === 0) {
      const label = String(dayNumber);
      ctx.fillStyle = MUTED;
      ctx.fillText(
        label,
        Math.round(plot.left + d * slot + slot / 2 - ctx.measureText(label).width / 2),
        plot.bottom + 16,
      );
    }
  }
  ctx.fillStyle = '#999999';
  ctx.fillRect(plot.left, plot.bottom, plot.right - plot.left, 1);
  if (series.entries.length === 0) {
    ctx.fillStyle = MUTED;
    ctx.font = `14px '${FAMILY}'`;
    ctx.fillText(input.empty ?? '—', plot.left + 20, plot.top + height / 2);
  }
  return encode(image);
}

interface SeriesEntry {
  readonly name: string;
  readonly colour: string;
}

/** Models by total, largest first; past {@link MAX_SERIES} they merge into "other". */
function seriesOf(rows: readonly DayUsage[]): { names: string[]; entries: SeriesEntry[] } {
  const totals = new Map<string, number>();
  for (const r of rows)
    if (r.totalTokens > 0) totals.set(r.model, (totals.get(r.model) ?? 0) + r.totalTokens);
  const ranked = [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([m]) => m);
  const overflow = ranked.length > MAX_SERIES;
  const names = overflow ? ranked.slice(0, MAX_SERIES - 1) : ranked;
  const entries = names.map((name, i) => ({ name, colour: PALETTE[i % PALETTE.length] ?? OTHER_COLOUR }));
  if (overflow) entries.push({ name: 'other', colour: OTHER_COLOUR });
  return { names, entries };
}

/** Draws swatches and names left to right, wrapping; returns the y below the last row. */
function drawLegend(
  ctx: Context,
  entries: readonly SeriesEntry[],
  left: number,
  top: number,
  right: number,
): number {
  ctx.font = `12px '${FAMILY}'`;
  let x = left;
  let y = top;
  for (const entry of entries) {
    const label = entry.name.length > 40 ? `${entry.name.slice(0, 39)}…` : entry.name;
    const width = 14 + ctx.measureText(label).width + 18;
    if (x > left && x + width > right) {
      x = left;
      y += 18;
    }
    ctx.fillStyle = entry.colour;
    ctx.fillRect(x, y - 10, 10, 10);
    ctx.fillStyle = TEXT;
    ctx.fillText(label, x + 14, y);
    x += width;
  }
  return entries.length === 0 ? top - 10 : y + 4;
}

/** A round axis maximum and gridline step (1, 2 or 5 × 10ⁿ) for values up to `value`. */
export function niceScale(value: number, lines = 5): { max: number; step: number } {
  if (value <= 0) return { max: lines, step: 1 };
  const raw = value / lines;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  return { max: Math.ceil(value / step) * step, step };
}

/** 1234 → "1.2k", 2_000_000 → "2M": axis labels that stay short. */
export function compact(n: number): string {
  const units: Array<[number, string]> = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (n >= size) return `${Number((n / size).toFixed(n % size === 0 ? 0 : 1))}${suffix}`;
  }
  return String(n);
}

/** Days in a `yyyy-mm` month (UTC). */
export function daysInMonth(month: string): number {
  const [year, mm] = month.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, mm ?? 1, 0)).getUTCDate();
}

let fontLoaded = false;

/**
 * pureimage keeps its fonts in a registry of its own (module state we cannot avoid); the font file
 * is read once per process, on the first chart.
 */
function loadFont(): void {
  if (fontLoaded) return;
  const file = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  PImage.registerFont(file, FAMILY).loadSync();
  fontLoaded = true;
}

async function encode(image: PImage.Bitmap): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await PImage.encodePNGToStream(image, sink);
  return Buffer.concat(chunks);
}
