// One seeded k-means restart, the unit of work that fitKMeans runs in order on one thread or
// spreads over a WorkerPool. A restart depends only on its index (its generator is
// createRandom(deriveSeed(seed, restart))), so which thread runs it never changes its result.
// Restart 0 of a warm start runs Lloyd from the given centres and uses no random numbers.

import { lloydWithMlKMeans } from './kmeans-ml.ts';
import { type LloydResult, lloyd } from './kmeans-lloyd.ts';
import { lloydDense } from './kmeans-lloyd-dense.ts';
import { meansOf } from './kmeans-partition.ts';
import { greedyKMeansPlusPlus, SEEDING_MAX_SAMPLE } from './kmeans-seeding.ts';
import { createRandom, deriveSeed } from './random.ts';

/** Relative-decrease tolerance at least this loose for restarts fitted on a sample (see runRestart). */
export const SAMPLE_FIT_TOL = 1e-3;

export interface RestartProblem {
  /** All points, n × d row-major. */
  X: Float32Array;
  n: number;
  d: number;
  /** The rows Lloyd fits on: X itself, or a sample of m rows (then the caller assigns every point to the chosen restart). */
  fitX: Float32Array;
  m: number;
  sampled: boolean;
  k: number;
  seed: number;
  maxIter: number;
  tol: number;
  /** Lloyd through ml-kmeans (small problems) instead of our kernel. */
  useMl: boolean;
  /** Rows the k-means++ seeding samples from fitX (default SEEDING_MAX_SAMPLE). */
  seedingSample?: number;
  /** k × d centres restart 0 starts from instead of its seeding (a warm start); absent: all restarts seeded. */
  warmStart?: Float64Array;
}

export interface RestartOutcome {
  restart: number;
  /** Labels of the rows fitted on (fitX: all n points, or the sample), not yet canonically numbered. */
  labels: Int32Array;
  centroids: Float64Array;
  /** Inertia over the rows fitted on (all points or the sample; one sample for every restart, so they compare). */
  inertia: number;
  iterations: number;
}

export function runRestart(p: RestartProblem, restart: number): RestartOutcome {
  const initial =
    restart === 0 && p.warmStart
      ? p.warmStart
      : greedyKMeansPlusPlus(p.fitX, p.m, p.d, p.k, createRandom(deriveSeed(p.seed, restart)), p.seedingSample ?? SEEDING_MAX_SAMPLE);
  // On a sample, a restart only has to find its basin: the chosen one is refined on all rows
  // with the caller's tol, so the sample fits stop at a looser tolerance (measured on arXiv:
  // −21 % CPU, same final inertia; the other restarts' inertias 0.1–0.5 % less converged).
  const lloydOpts = { maxIter: p.maxIter, tol: p.sampled ? Math.max(p.tol, SAMPLE_FIT_TOL) : p.tol };
  const fit: LloydResult = p.useMl
    ? lloydWithMlKMeans(p.fitX, p.m, p.d, initial, p.k, lloydOpts)
    : p.sampled
      ? lloydDense(p.fitX, p.m, p.d, initial, p.k, lloydOpts) // same result as lloyd(), faster on a ~10k sample in 100-d
      : lloyd(p.fitX, p.m, p.d, initial, p.k, lloydOpts);
  return { restart, labels: fit.labels, centroids: fit.centroids, inertia: fit.inertia, iterations: fit.iterations };
}

/**
 * A sample-fitted restart over all points, given every point's nearest sample-fitted centre:
 * the centres become the means of the full clusters (the start of the refinement on all rows).
 */
export function completeSampledRestart(p: RestartProblem, fit: RestartOutcome, labels: Int32Array): RestartOutcome {
  const { centroids, inertia } = meansOf(p.X, p.n, p.d, labels, p.k, fit.centroids);
  return { restart: fit.restart, labels, centroids, inertia, iterations: fit.iterations };
}
