import { seededRandom } from '../test/support/seeded-random.ts';

/** The `p`th percentile of `values` (nearest rank, 0–100); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * A 95% interval for the median of `values` (percentile bootstrap: the median of 2,000 resamples
 * drawn with replacement, their 2.5th and 97.5th percentiles). Seeded, so the same figures always
 * give the same interval. It says how far one run's median may sit from the median this machine
 * would give over many runs, given the spread of these rounds. [NaN, NaN] for none.
 */
export function medianInterval(values: readonly number[], resamples = 2_000): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  const random = seededRandom(0x9e3779b9);
  const medians: number[] = [];
  const sample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++)
      sample[i] = values[Math.floor(random() * values.length)] as number;
    medians.push(percentile(sample, 50));
  }
  return [percentile(medians, 2.5), percentile(medians, 97.5)];
}
