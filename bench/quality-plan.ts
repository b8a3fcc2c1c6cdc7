// The runs of a quality-spread measurement and the slices of their scores. Two things move a
// score without the pipeline changing: the input (a few papers more or less) and the seed (the
// random projection and the k-means start). quality-spread.ts runs every input variant with every
// seed, so each can be read alone: the spread over inputs at one seed, the spread over seeds on
// one input, and both together. Pure functions.
import { type Spread, spread } from './corpus-variants.ts';

export interface QualityRun {
  variant: number; // 0: the corpus itself; v > 0: the corpus less some papers (dropRecords seed v)
  seedIndex: number; // 0 … seeds − 1
}

/** Every variant with every seed index, variant-major (a variant's file is written once). */
export function qualityRunPlan(variants: number, seeds: number): QualityRun[] {
  for (const [name, n] of [['variants', variants], ['seeds', seeds]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${n}`);
  }
  const plan: QualityRun[] = [];
  for (let variant = 0; variant < variants; variant++) {
    for (let seedIndex = 0; seedIndex < seeds; seedIndex++) plan.push({ variant, seedIndex });
  }
  return plan;
}

export interface ScoredRun extends QualityRun {
  value: number;
}

export interface SpreadSlices {
  all: Spread;
  /** Over the input variants, at the first seed (undefined with one variant). */
  inputs?: Spread;
  /** Over the seeds, on the corpus itself (undefined with one seed). */
  seeds?: Spread;
}

/** The spread of a metric over all runs, and over each source of variation alone. */
export function spreadSlices(runs: readonly ScoredRun[]): SpreadSlices {
  const out: SpreadSlices = { all: spread(runs.map((r) => r.value)) };
  const atFirstSeed = runs.filter((r) => r.seedIndex === 0);
  const onCorpus = runs.filter((r) => r.variant === 0);
  if (atFirstSeed.length > 1) out.inputs = spread(atFirstSeed.map((r) => r.value));
  if (onCorpus.length > 1) out.seeds = spread(onCorpus.map((r) => r.value));
  return out;
}
