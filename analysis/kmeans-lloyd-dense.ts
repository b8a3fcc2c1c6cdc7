// Plain Lloyd iterations (no distance bounds) whose assignment step is a full blocked pass
// (kmeans-assign.ts), optionally split by rows over threads. In ~100-d the bounds of
// kmeans-lloyd.ts skip only ~10 % of the distance work on real text (measured on arXiv
// abstracts: 12 %), so the blocked pass is the faster way to run Lloyd on all rows.
//
// Hamerly-style bounds (one upper and one lower distance bound per row, moved by how far the
// centres moved) let rows that provably keep their label skip the pass; near the end of a fit,
// when the centres barely move, most rows do (arXiv, refinement on all rows: ~60 % of the row
// passes skipped). The rows that are assigned go through the same blocked kernel in the same
// summation order, so skipping never changes a label. `bounds: 'none'` turns them off.
//
// Same conventions and the same result as `lloyd(…, { bounds: 'none' })`: identical labels,
// centroids, inertia and iteration counts (each dot product is summed in the same order, the
// update step sums members in point order, empty clusters are re-seeded by the same rule). The
// assignment may run on several threads: a row's label does not depend on which thread or row
// range computed it. The update step's two passes over all rows may too (UpdatePasses): the
// member sums split by columns, each (cluster, column) sum still added in row order, and the
// inertia's per-row distances split by rows, added up here in row order. So the result is
// bit-identical whatever the thread count.

import { type AssignBounds, assignRange, assignRangeBounded, boundsMargin } from './kmeans-assign.ts';
import { type LloydOptions, type LloydResult, type MemberSums, partitionInertia, rowSquaredNorms, updateCentroids } from './kmeans-lloyd.ts';

/**
 * Assigns every row to its nearest centre: fills labels[0..n) given the centres and their
 * squared norms. With `bounds`, rows the bounds prove keep their label in `labels` and the
 * others are assigned and get fresh bounds (assignRangeBounded). The default runs over all rows
 * on this thread; a pool-backed one splits the rows over threads.
 */
export type AssignAll = (centroids: Float64Array, cNorm2: Float64Array, labels: Int32Array, bounds?: AssignBounds) => void;

/**
 * The update step's passes over all rows, for a caller that splits them over threads. Both must
 * give the doubles of the serial loops: sumMembers those of updateCentroids (see MemberSums),
 * rowDistances out[i] = ‖x_i − c_{label_i}‖² summed over t in order (rowDistancesRange).
 */
export interface UpdatePasses {
  sumMembers: MemberSums;
  rowDistances(labels: Int32Array, centroids: Float64Array, out: Float64Array): void;
}

/** The single-thread AssignAll for X (n × d) with precomputed row norms. */
export function serialAssignAll(X: Float32Array, n: number, d: number, k: number, xNorm2: Float64Array): AssignAll {
  return (centroids, cNorm2, labels, bounds) => {
    if (bounds) assignRangeBounded(X, d, xNorm2, centroids, cNorm2, k, 0, n, labels, bounds);
    else assignRange(X, d, xNorm2, centroids, cNorm2, k, 0, n, labels);
  };
}

/**
 * Lloyd on X (n × d row-major) from `initial` (k × d). `labels` (length n, optional) is where
 * the assignment is written; `assign` defaults to serialAssignAll. `opts.bounds`: 'none' = a
 * full pass every iteration, anything else = bounded passes (same result). `update` (optional)
 * runs the update step's passes over all rows, e.g. over threads (same result).
 */
export function lloydDense(
  X: Float32Array,
  n: number,
  d: number,
  initial: Float64Array,
  k: number,
  opts: LloydOptions,
  assign?: AssignAll,
  labelsOut?: Int32Array,
  update?: UpdatePasses,
): LloydResult {
  const labels = labelsOut ?? new Int32Array(n);
  if (labels.length !== n) throw new RangeError(`lloydDense: labels has length ${labels.length}, expected ${n}`);
  const assignAll = assign ?? serialAssignAll(X, n, d, k, rowSquaredNorms(X, n, d));
  const previous = new Int32Array(n).fill(-1);
  let centroids = Float64Array.from(initial);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let prevInertia = Infinity;
  let inertia = Infinity;
  let iterations = 0;
  let converged = false;
  const bounds = opts.bounds === 'none' ? undefined : newBounds(X, n, d);
  const rowDist = update ? new Float64Array(n) : null;

  while (iterations < opts.maxIter) {
    iterations++;
    assignAll(centroids, rowSquaredNorms(centroids, k, d), labels, bounds);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== previous[i]) changed++;
    }

    // Update step: float64 sums of the members in point order, divided by the count.
    const { next, relocated } = updateCentroids(X, n, d, k, labels, centroids, sums, counts, update?.sumMembers);
    if (bounds) {
      // A relocation moved labels behind the bounds' back: start them afresh.
      if (relocated) bounds.upper.fill(Infinity);
      else moveBounds(bounds, labels, n, centroids, next, k, d);
    }
    centroids = next;
    previous.set(labels);

    if (update && rowDist) {
      update.rowDistances(labels, centroids, rowDist);
      inertia = 0;
      for (let i = 0; i < n; i++) inertia += rowDist[i]; // partitionInertia's order and terms
    } else {
      inertia = partitionInertia(X, n, d, labels, centroids);
    }
    if (changed === 0 && !relocated) {
      converged = true;
      break;
    }
    if (Number.isFinite(prevInertia) && prevInertia - inertia <= opts.tol * prevInertia) break;
    prevInertia = inertia;
  }
  return { labels, centroids, inertia, iterations, converged, skipped: 0 };
}

/** Bounds that make every row's first pass a full one. */
function newBounds(X: Float32Array, n: number, d: number): AssignBounds {
  let maxNorm2 = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0, o = i * d; t < d; t++) s += X[o + t] * X[o + t];
    if (s > maxNorm2) maxNorm2 = s;
  }
  return { upper: new Float64Array(n).fill(Infinity), lower: new Float64Array(n), margin: boundsMargin(maxNorm2) };
}

/**
 * Keeps the bounds valid when the centres move from `from` to `to` (triangle inequality): a
 * row's distance to its own centre grows by at most that centre's shift, to any other centre it
 * shrinks by at most the largest shift of the other centres.
 */
function moveBounds(bounds: AssignBounds, labels: Int32Array, n: number, from: Float64Array, to: Float64Array, k: number, d: number): void {
  const shift = new Float64Array(k);
  let top = -1;
  let first = 0;
  let second = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0, o = j * d; t < d; t++) {
      const e = to[o + t] - from[o + t];
      s += e * e;
    }
    shift[j] = Math.sqrt(s);
    if (shift[j] > first) {
      second = first;
      first = shift[j];
      top = j;
    } else if (shift[j] > second) {
      second = shift[j];
    }
  }
  const { upper, lower } = bounds;
  for (let i = 0; i < n; i++) {
    const a = labels[i];
    upper[i] += shift[a];
    lower[i] -= a === top ? second : first;
  }
}
