// k-means for topic clustering of (L2-normalised) PCA scores: seeded greedy k-means++ restarts,
// Lloyd with Elkan / Hamerly bounds (ml-kmeans for small problems), lowest inertia wins, then a
// guaranteed non-empty, canonically numbered partition.
//
// Large inputs (n > sampleSize, default 10,000 or 250·k): the restarts fit on one seeded sample of
// sampleSize rows (seeding and Lloyd cost ∝ rows, and restarts only have to find the right
// basin) and are compared there: the choice of restart by inertia, and the restart-agreement
// metric (restartLabels, restartRows), both on the sample they share. Only the chosen restart's
// centres then label all n points in one blocked pass (kmeans-assign.ts), and it is refined by
// plain Lloyd on all rows (kmeans-lloyd-dense.ts; its passes over all rows split over the pool's
// threads, kmeans-row-passes.ts). The sample fits stop at a relative decrease of max(tol, 1e-3)
// (kmeans-restart.ts: SAMPLE_FIT_TOL), the refinement at tol. On 74,728 arXiv abstracts
// (d = 100, k = 30) this costs ~¼ of fitting every restart on all rows, with the same inertia
// within a few tenths of a percent (the restarts themselves differ by ~1 %). Labelling all points with every restart, as an earlier
// version did, cost four more passes over all rows for a metric the sample estimates as well
// (restart agreement on all rows / on the sample: arXiv 0.509 / 0.502, 20 Newsgroups 0.564 /
// 0.552; the same restart chosen on both, so the same clusters).
//
// Warm-only (nightly fold-in): `warmOnly: true` with `initialCentroids` runs just the warm
// restart, Lloyd on all rows from those centres, no seeding and no sample: the cheap path for a
// night that adds a few hundred papers to a large archive (last night's centres are already
// near a fixed point, so a handful of passes converge). restartInertias / restartLabels then
// hold that single restart.
//
// Warm start (nightly runs): with `initialCentroids`, restart 0 runs Lloyd from those centres
// (last night's clusters recomputed in tonight's space) and the others are seeded as usual.
// The warm restart wins unless another restart's inertia is lower by more than `warmTolerance`
// (relative). Why not plain lowest inertia: restarts of a refit land within a percent or so of
// each other on real text, and picking among near-equals by a hair of inertia is what reshuffles
// one or two topics into a split + merge from one night to the next; a clearly better partition
// (a stale grouping) still wins.
//
// Determinism: the same rows in the same order with the same options and seed give bit-identical
// output. The input order does matter (sampling and seeding pick rows by index), so callers sort
// rows canonically (e.g. by paper id) before calling. Cluster numbers are canonical for a given
// partition: by size descending, ties by the smallest member index.

import { rowSquaredNorms } from './kmeans-lloyd.ts';
import { lloydDense } from './kmeans-lloyd-dense.ts';
import { canonicalOrder, fillEmptyClusters, relabel } from './kmeans-partition.ts';
import { completeSampledRestart, type RestartOutcome, type RestartProblem, runRestart } from './kmeans-restart.ts';
import { sampleIndices } from './kmeans-seeding.ts';
import { rowPasses } from './kmeans-row-passes.ts';
import type { KMeansRestartArgs } from './parallel/kmeans-kernels.ts';
import type { WorkerPool } from './parallel/pool.ts';
import { sharedFloat32, toSharedFloat32 } from './parallel/shared.ts';
import { createRandom, deriveSeed } from './random.ts';

export interface KMeansOptions {
  k: number;
  /** Seeded restarts; the lowest inertia wins (default 5). */
  nInit?: number;
  /** Lloyd iterations per restart (default 100). */
  maxIter?: number;
  /** Stop a restart when the relative inertia decrease of an iteration is ≤ tol (default 1e-4). */
  tol?: number;
  seed: number;
  /**
   * Above this many points, the restarts fit on a seeded sample of this size and are compared
   * on it, and the chosen one labels all points and is refined by Lloyd on all points (default
   * defaultSampleSize(k): max(10000, 250·k)).
   */
  sampleSize?: number;
  /** k × d centres restart 0 starts from (a warm start, e.g. last night's clusters); finite values. */
  initialCentroids?: Float32Array;
  /**
   * With initialCentroids: the warm restart is kept unless the best other restart's inertia is
   * lower by more than this fraction of the warm one's (default 0.01; 0 = plain lowest inertia,
   * 1 = always the warm restart). Ignored without initialCentroids.
   */
  warmTolerance?: number;
  /**
   * With initialCentroids: run only the warm restart (Lloyd on all rows from those centres; nInit
   * and sampleSize are not used). The cheap nightly path (default false). Needs initialCentroids.
   */
  warmOnly?: boolean;
}

export interface KMeansResult {
  /** Cluster of each point, 0..k-1, canonical numbering (size descending, ties by smallest member index). */
  labels: Int32Array;
  /** k × d, the mean of each cluster's members. */
  centroids: Float32Array;
  /** Σ over ALL points of ‖x − centroid(label)‖². */
  inertia: number;
  /** Lloyd iterations of the winning restart (on the sample plus the refinement on all points, when sampled). */
  iterations: number;
  /** Index of the winning restart, chosen on the fit rows (0 with a warm start: the warm restart was kept). */
  bestRestart: number;
  /**
   * Inertia of each restart, in restart order, over the rows it was fitted on (restartRows): all
   * points, or the fit sample (then smaller than `inertia`, which is over all points).
   */
  restartInertias: number[];
  /** Labels of each restart (canonically numbered) on the rows it was fitted on, for the agreement metric. */
  restartLabels: Int32Array[];
  /** Which rows restartLabels / restartInertias cover: null = all n points, else the fit sample's row indices (ascending). */
  restartRows: Int32Array | null;
  /** Members per cluster; every entry ≥ 1. */
  sizes: Int32Array;
}

/** Default relative inertia margin by which a cold restart must beat the warm one to be chosen. */
export const DEFAULT_WARM_TOLERANCE = 0.01;

/** Below this n·k·d the restarts run through ml-kmeans (same results as our kernel, see kmeans-ml.ts). */
export const ML_KMEANS_MAX_WORK = 2_000_000;

/**
 * Default number of rows the restarts fit on (see sampleSize): 10,000, or 250 per cluster when
 * k > 40, so that every cluster has a few hundred sample members to settle on.
 */
export function defaultSampleSize(k: number): number {
  return Math.max(10_000, 250 * k);
}

/**
 * Rows scaled to unit Euclidean length (a new array); all-zero rows stay zero. The array is in
 * shared memory, where a threaded fitKMeans reads it in place: a copy there cost the main thread
 * ~0.1 s on arXiv (75k × 100), with the second core idle.
 */
export function normalizeRowsL2(data: Float32Array, n: number, d: number): Float32Array {
  checkMatrix(data, n, d, 'normalizeRowsL2');
  const out = sharedFloat32(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let t = 0; t < d; t++) s += data[o + t] * data[o + t];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let t = 0; t < d; t++) out[o + t] = data[o + t] * inv;
  }
  return out;
}

/**
 * Fits k-means to X (n × d, row-major). Throws RangeError on invalid input or options. With a
 * `pool` of more than one thread the restarts run in parallel (each restart on one thread) and
 * the passes over all rows are split by rows; the result is bit-identical to the serial run.
 */
export function fitKMeans(Xin: Float32Array, n: number, d: number, opts: KMeansOptions, pool?: WorkerPool): KMeansResult {
  const { k, nInit, maxIter, tol, seed, sampleSize, warmStart, warmTolerance, warmOnly } = resolveOptions(Xin, n, d, opts);
  const threaded = pool !== undefined && pool.threads > 1;
  // One shared-memory copy of the points serves every threaded job (restarts and row passes).
  const X = threaded ? toSharedFloat32(Xin) : Xin;
  if (warmOnly && warmStart) return finish(X, n, d, k, warmOnlyFit(X, n, d, k, warmStart, { maxIter, tol }, threaded ? pool : undefined));

  // Fit set: everything, or a seeded sample (shared by all restarts so their inertias compare).
  const parallel = threaded && nInit > 1;
  const sampled = n > sampleSize;
  const fitRows = sampled ? sampleIndices(n, sampleSize, createRandom(deriveSeed(seed, 0x5a3f))) : null;
  const m = fitRows ? fitRows.length : n;
  const fitX = fitRows ? gatherRows(X, fitRows, d, parallel) : X;
  const problem: RestartProblem = { X, n, d, fitX, m, sampled, k, seed, maxIter, tol, useMl: m * k * d <= ML_KMEANS_MAX_WORK };
  // Seeds only need to fall in the right basins: half the fit sample is plenty, and seeding
  // costs k·(2 + ln k)·rows·d, as much as several Lloyd iterations on the sample.
  if (sampled) problem.seedingSample = Math.max(k, Math.floor(m / 2));
  if (warmStart) problem.warmStart = warmStart;
  // Sampled or not, the restarts are compared on the rows they were fitted on (one sample for
  // all of them), so labelling all points costs one pass for the chosen restart only.
  const outcomes = runRestarts(problem, nInit, pool);

  let best: RestartOutcome | null = null;
  for (const o of outcomes) {
    if (warmStart && o.restart === 0) continue;
    // Strictly lower wins: ties keep the earlier restart.
    if (!best || o.inertia < best.inertia) best = o;
  }
  if (warmStart) {
    const warm = outcomes[0]!;
    if (!best || !(best.inertia < warm.inertia * (1 - warmTolerance))) best = warm;
  }
  if (!best) throw new Error('fitKMeans: no restart ran'); // unreachable: nInit ≥ 1

  let chosen = best;
  if (sampled) {
    // Label all points with the chosen restart's centres, recentre on the full clusters, then
    // refine by Lloyd on all rows; the result stands for the chosen restart's fit from here on.
    const passes = rowPasses(X, n, d, k, rowSquaredNorms(X, n, d), threaded ? pool : undefined);
    const labels = new Int32Array(n);
    passes.assign(best.centroids, rowSquaredNorms(best.centroids, k, d), labels);
    chosen = completeSampledRestart(problem, best, labels);
    const refined = lloydDense(X, n, d, chosen.centroids, k, { maxIter, tol }, passes.assign, undefined, passes.update);
    if (refined.inertia <= chosen.inertia) {
      chosen = { restart: best.restart, labels: refined.labels, centroids: refined.centroids, inertia: refined.inertia, iterations: best.iterations + refined.iterations };
    }
  }
  return finish(X, n, d, k, { outcomes, best: chosen }, fitRows);
}

/** The canonical, non-empty result from the restarts' outcomes (in restart order) and the chosen one. */
function finish(
  X: Float32Array,
  n: number,
  d: number,
  k: number,
  fit: { outcomes: RestartOutcome[]; best: RestartOutcome },
  restartRows: Int32Array | null = null,
): KMeansResult {
  const { outcomes, best } = fit;
  const restartInertias = outcomes.map((o) => o.inertia);
  const restartLabels = outcomes.map((o) => relabel(o.labels, canonicalOrder(o.labels, k)));

  // Guarantee k non-empty clusters (an empty one can survive only when there are fewer distinct
  // points than k, or a sampled fit leaves a centre without any point of the full set).
  const repaired = fillEmptyClusters(X, n, d, best.labels, best.centroids, k);
  const order = canonicalOrder(repaired.labels, k);
  const labels = relabel(repaired.labels, order);
  const centroids = new Float32Array(k * d);
  const sizes = new Int32Array(k);
  for (let newId = 0; newId < k; newId++) {
    const old = order[newId];
    for (let t = 0; t < d; t++) centroids[newId * d + t] = repaired.centroids[old * d + t];
  }
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  return {
    labels,
    centroids,
    inertia: repaired.inertia,
    iterations: best.iterations,
    bestRestart: best.restart,
    restartInertias,
    restartLabels,
    restartRows,
    sizes,
  };
}

/** The warm restart alone: Lloyd on all rows from the given centres. */
function warmOnlyFit(
  X: Float32Array,
  n: number,
  d: number,
  k: number,
  warmStart: Float64Array,
  lloydOpts: { maxIter: number; tol: number },
  pool: WorkerPool | undefined,
): { outcomes: RestartOutcome[]; best: RestartOutcome } {
  const passes = rowPasses(X, n, d, k, rowSquaredNorms(X, n, d), pool);
  const fit = lloydDense(X, n, d, warmStart, k, lloydOpts, passes.assign, undefined, passes.update);
  const best: RestartOutcome = { restart: 0, labels: fit.labels, centroids: fit.centroids, inertia: fit.inertia, iterations: fit.iterations };
  return { outcomes: [best], best };
}

function resolveOptions(
  X: Float32Array,
  n: number,
  d: number,
  opts: KMeansOptions,
): {
  k: number;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
  sampleSize: number;
  warmStart: Float64Array | undefined;
  warmTolerance: number;
  warmOnly: boolean;
} {
  checkMatrix(X, n, d, 'fitKMeans');
  if (n < 1 || d < 1) throw new RangeError(`fitKMeans: need at least one point and one dimension, got ${n} × ${d}`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) throw new RangeError(`fitKMeans: non-finite value at row ${Math.floor(i / d)}`);
  }
  const { k, seed } = opts;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`fitKMeans: k must be an integer in [1, ${n}], got ${k}`);
  const nInit = opts.nInit ?? 5;
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`fitKMeans: nInit must be a positive integer, got ${nInit}`);
  const maxIter = opts.maxIter ?? 100;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`fitKMeans: maxIter must be a positive integer, got ${maxIter}`);
  const tol = opts.tol ?? 1e-4;
  if (!(tol >= 0 && Number.isFinite(tol))) throw new RangeError(`fitKMeans: tol must be a finite number ≥ 0, got ${tol}`);
  if (!Number.isInteger(seed)) throw new RangeError(`fitKMeans: seed must be an integer, got ${seed}`);
  const sampleSize = opts.sampleSize ?? defaultSampleSize(k);
  if (!Number.isInteger(sampleSize) || sampleSize < k) {
    throw new RangeError(`fitKMeans: sampleSize must be an integer ≥ k (${k}), got ${sampleSize}`);
  }
  let warmStart: Float64Array | undefined;
  if (opts.initialCentroids !== undefined) {
    const c = opts.initialCentroids;
    if (!(c instanceof Float32Array) || c.length !== k * d) {
      throw new RangeError(`fitKMeans: initialCentroids must be a Float32Array of k × d = ${k} × ${d} values, got ${c instanceof Float32Array ? c.length : typeof c}`);
    }
    for (let i = 0; i < c.length; i++) {
      if (!Number.isFinite(c[i])) throw new RangeError(`fitKMeans: non-finite initial centroid value in row ${Math.floor(i / d)}`);
    }
    warmStart = Float64Array.from(c);
  }
  const warmTolerance = opts.warmTolerance ?? DEFAULT_WARM_TOLERANCE;
  if (!(warmTolerance >= 0 && warmTolerance <= 1)) throw new RangeError(`fitKMeans: warmTolerance must be in [0, 1], got ${warmTolerance}`);
  const warmOnly = opts.warmOnly ?? false;
  if (typeof warmOnly !== 'boolean') throw new RangeError(`fitKMeans: warmOnly must be a boolean, got ${String(warmOnly)}`);
  if (warmOnly && !warmStart) throw new RangeError('fitKMeans: warmOnly needs initialCentroids (the warm start to refine)');
  return { k, nInit, maxIter, tol, seed, sampleSize, warmStart, warmTolerance, warmOnly };
}

function checkMatrix(X: Float32Array, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 0) throw new RangeError(`${what}: invalid shape ${n} × ${d}`);
  if (X.length !== n * d) throw new RangeError(`${what}: array length ${X.length} does not match ${n} × ${d}`);
}

/**
 * The restarts' outcomes in restart order: in order on this thread, or claimed dynamically by the
 * pool's threads (X copied once into shared memory) and put back in order.
 */
function runRestarts(problem: RestartProblem, nInit: number, pool: WorkerPool | undefined): RestartOutcome[] {
  if (!pool || pool.threads < 2 || nInit < 2) return Array.from({ length: nInit }, (_, r) => runRestart(problem, r));
  const X = toSharedFloat32(problem.X);
  const shared: RestartProblem = { ...problem, X, fitX: problem.sampled ? toSharedFloat32(problem.fitX) : X };
  const args: KMeansRestartArgs = { problem: shared, nInit };
  const outcomes = pool.run<RestartOutcome[]>('kmeansRestart', args).flat();
  outcomes.sort((a, b) => a.restart - b.restart);
  return outcomes;
}

function gatherRows(X: Float32Array, rows: Int32Array, d: number, shared: boolean): Float32Array {
  const out = shared ? sharedFloat32(rows.length * d) : new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(X.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return out;
}
