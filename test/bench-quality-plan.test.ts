import { describe, expect, it } from 'vitest';
import { qualityRunPlan, spreadSlices, type ScoredRun } from '../bench/quality-plan.ts';

describe('qualityRunPlan', () => {
  it('runs every variant with every seed, variant-major', () => {
    expect(qualityRunPlan(2, 3)).toEqual([
      { variant: 0, seedIndex: 0 },
      { variant: 0, seedIndex: 1 },
      { variant: 0, seedIndex: 2 },
      { variant: 1, seedIndex: 0 },
      { variant: 1, seedIndex: 1 },
      { variant: 1, seedIndex: 2 },
    ]);
  });
  it('is one run of the corpus with one variant and one seed', () => {
    expect(qualityRunPlan(1, 1)).toEqual([{ variant: 0, seedIndex: 0 }]);
  });
  it('rejects counts below one and fractions', () => {
    expect(() => qualityRunPlan(0, 1)).toThrow(/variants must be a whole number ≥ 1, got 0/);
    expect(() => qualityRunPlan(2, 1.5)).toThrow(/seeds must be/);
  });
});

describe('spreadSlices', () => {
  // value = 10 × variant + seedIndex: the slices can be told apart by their values alone.
  const runs: ScoredRun[] = qualityRunPlan(3, 2).map((r) => ({ ...r, value: 10 * r.variant + r.seedIndex }));

  it('spreads over all runs, over the inputs at the first seed, and over the seeds on the corpus', () => {
    const s = spreadSlices(runs);
    expect(s.all.n).toBe(6);
    expect(s.all.mean).toBeCloseTo(10.5, 12);
    expect(s.inputs).toMatchObject({ n: 3, mean: 10, min: 0, max: 20 });
    expect(s.seeds).toMatchObject({ n: 2, mean: 0.5, min: 0, max: 1 });
  });
  it('leaves out a slice with a single run', () => {
    expect(spreadSlices(runs.filter((r) => r.seedIndex === 0)).seeds).toBeUndefined();
    expect(spreadSlices(runs.filter((r) => r.variant === 0)).inputs).toBeUndefined();
  });
});
