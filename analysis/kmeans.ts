// k-means for topic clustering of (L2-normalised) PCA scores: seeded greedy k-means++ restarts,
// Lloyd with Elkan / Hamerly bounds (ml-kmeans for small problems), lowest inertia wins, then a
// guaranteed non-empty, canonically numbered partition.
//
// Determinism: the same rows in the same order with the same options and seed give bit-identical
// output. The input order does matter (sampling and seeding pick rows by index), so callers sort
// rows canonically (e.g. by paper id) before calling. Cluster numbers are canonical for a given
// partition: by size descending, ties by the smallest member index.

import { lloydWithMlKMeans } from './kmeans-ml.ts';
import { type LloydResult, lloyd } from './kmeans-lloyd.ts';
import { assignNearest, canonicalOrder, fillEmptyClusters, meansOf, relabel } from './kmeans-partition.ts';
import { greedyKMeansPlusPlus, sampleIndices } from './kmeans-seeding.ts';
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
  /** Above this many points, fit on a seeded sample of this size and assign all points (default 200000). */
  sampleSize?: number;
}

export interface KMeansResult {
  /** Cluster of each point, 0..k-1, canonical numbering (size descending, ties by smallest member index). */
  labels: Int32Array;
  /** k × d, the mean of each cluster's members. */
  centroids: Float32Array;
  /** Σ over ALL points of ‖x − centroid(label)‖². */
  inertia: number;
  /** Lloyd iterations of the winning restart. */
  iterations: number;
  /** Inertia of each restart over all points, in restart order. */
  restartInertias: number[];
  /** Labels of each restart over all points (canonically numbered), for the agreement metric. */
  restartLabels: Int32Array[];
  /** Members per cluster; every entry ≥ 1. */
  sizes: Int32Array;
}

/** Below this n·k·d the restarts run through ml-kmeans (same results as our kernel, see kmeans-ml.ts). */
export const ML_KMEANS_MAX_WORK = 2_000_000;

/** Rows scaled to unit Euclidean length (a new array); all-zero rows stay zero. */
export function normalizeRowsL2(data: Float32Array, n: number, d: number): Float32Array {
  checkMatrix(data, n, d, 'normalizeRowsL2');
  const out = new Float32Array(n * d);
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

/** Fits k-means to X (n × d, row-major). Throws RangeError on invalid input or options. */
export function fitKMeans(X: Float32Array, n: number, d: number, opts: KMeansOptions): KMeansResult {
  const { k, nInit, maxIter, tol, seed, sampleSize } = resolveOptions(X, n, d, opts);

  // Fit set: everything, or a seeded sample (shared by all restarts so their inertias compare).
  const sampled = n > sampleSize;
  const fitRows = sampled ? sampleIndices(n, sampleSize, createRandom(deriveSeed(seed, 0x5a3f))) : null;
  const m = fitRows ? fitRows.length : n;
  const fitX = fitRows ? gatherRows(X, fitRows, d) : X;
  const useMl = m * k * d <= ML_KMEANS_MAX_WORK;

  const restartInertias: number[] = [];
  const restartLabels: Int32Array[] = [];
  let best: { labels: Int32Array; centroids: Float64Array; inertia: number; iterations: number } | null = null;
  for (let r = 0; r < nInit; r++) {
    const random = createRandom(deriveSeed(seed, r));
    const initial = greedyKMeansPlusPlus(fitX, m, d, k, random);
    const lloydOpts = { maxIter, tol };
    const fit: LloydResult = useMl
      ? lloydWithMlKMeans(fitX, m, d, initial, k, lloydOpts)
      : lloyd(fitX, m, d, initial, k, lloydOpts);
    let labels = fit.labels;
    let centroids = fit.centroids;
    let inertia = fit.inertia;
    if (sampled) {
      // Assign every point to the sample-fitted centres, then make the centres the means of the
      // full clusters (so centroids and inertia mean the same thing with and without sampling).
      labels = assignNearest(X, n, d, fit.centroids, k);
      ({ centroids, inertia } = meansOf(X, n, d, labels, k, fit.centroids));
    }
    restartInertias.push(inertia);
    restartLabels.push(relabel(labels, canonicalOrder(labels, k)));
    // Strictly lower wins: ties keep the earlier restart.
    if (!best || inertia < best.inertia) best = { labels, centroids, inertia, iterations: fit.iterations };
  }
  if (!best) throw new Error('fitKMeans: no restart ran'); // unreachable: nInit ≥ 1

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
    restartInertias,
    restartLabels,
    sizes,
  };
}

function resolveOptions(
  X: Float32Array,
  n: number,
  d: number,
  opts: KMeansOptions,
): { k: number; nInit: number; maxIter: number; tol: number; seed: number; sampleSize: number } {
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
  const sampleSize = opts.sampleSize ?? 200_000;
  if (!Number.isInteger(sampleSize) || sampleSize < k) {
    throw new RangeError(`fitKMeans: sampleSize must be an integer ≥ k (${k}), got ${sampleSize}`);
  }
  return { k, nInit, maxIter, tol, seed, sampleSize };
}

function checkMatrix(X: Float32Array, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 0) throw new RangeError(`${what}: invalid shape ${n} × ${d}`);
  if (X.length !== n * d) throw new RangeError(`${what}: array length ${X.length} does not match ${n} × ${d}`);
}

function gatherRows(X: Float32Array, rows: Int32Array, d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(X.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return out;
}
