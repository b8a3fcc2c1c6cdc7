// Variants of a corpus for measuring how much a quality score moves with the input: the corpus
// less a few random records. score.py's figures on one run are one draw: on arXiv (k = 30)
// removing 10 random papers of 74,728 moved NPMI between 0.265 and 0.280, as much as most
// changes being judged by it. Pure functions; quality-spread.ts runs the pipeline on them.
import { createRandom } from '../analysis/random.ts';

/**
 * The lines of a JSONL text less `drop` of them chosen at random (seeded), in their order. Empty
 * lines are not records and are left out; `drop` must leave at least one record.
 */
export function dropRecords(text: string, drop: number, seed: number): string[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (!Number.isInteger(drop) || drop < 0) throw new RangeError(`drop must be a whole number ≥ 0, got ${drop}`);
  if (drop >= lines.length) throw new RangeError(`cannot drop ${drop} of ${lines.length} records`);
  // A partial Fisher–Yates shuffle of the indexes: its first `drop` entries are a uniform sample.
  const index = Int32Array.from(lines, (_, i) => i);
  const random = createRandom(seed);
  for (let i = 0; i < drop; i++) {
    const j = i + Math.floor(random() * (index.length - i));
    const t = index[i]!;
    index[i] = index[j]!;
    index[j] = t;
  }
  const dropped = new Set(index.subarray(0, drop));
  return lines.filter((_, i) => !dropped.has(i));
}

export interface Spread {
  n: number;
  mean: number;
  sd: number; // sample standard deviation (n − 1); 0 for one value
  min: number;
  max: number;
}

/** Mean, sample standard deviation and range of the finite values (NaN fields when there are none). */
export function spread(values: readonly number[]): Spread {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}
