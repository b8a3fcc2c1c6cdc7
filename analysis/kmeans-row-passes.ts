// The passes over all rows of a Lloyd fit (assignment, member sums, inertia), on this thread or
// split over a WorkerPool. Every split gives the serial doubles: a row's label does not depend on
// its chunk (kmeans-assign.ts), the member sums are split by columns so that each (cluster,
// column) sum still adds its rows in row order, and the inertia's per-row terms are added up by
// the caller in row order. So a fit is bit-identical whatever the thread count.
//
// Why split the update step too: with the assignment on two threads, the member sums and the
// inertia (two n·d passes each iteration) were most of what was left on the calling thread
// while the worker waited.

import { type AssignAll, serialAssignAll, type UpdatePasses } from './kmeans-lloyd-dense.ts';
import { ASSIGN_CHUNK_ROWS, type KMeansAssignArgs, type KMeansMemberSumsArgs, type KMeansRowDistancesArgs } from './parallel/kmeans-kernels.ts';
import type { WorkerPool } from './parallel/pool.ts';
import { sharedFloat64, sharedInt32, toSharedFloat32, toSharedFloat64 } from './parallel/shared.ts';

export interface RowPasses {
  assign: AssignAll;
  /** Absent: lloydDense runs the update step's loops on the calling thread. */
  update?: UpdatePasses;
}

/**
 * The row passes for X (n × d, row-major) with row norms xNorm2: serial without a pool of two or
 * more threads or below two chunks of rows, else split over the pool (X should then be in shared
 * memory already: it is copied there otherwise).
 */
export function rowPasses(X: Float32Array, n: number, d: number, k: number, xNorm2: Float64Array, pool: WorkerPool | undefined): RowPasses {
  if (!pool || pool.threads < 2 || n < 2 * ASSIGN_CHUNK_ROWS) return { assign: serialAssignAll(X, n, d, k, xNorm2) };
  const sharedX = toSharedFloat32(X);
  const sharedNorms = toSharedFloat64(xNorm2);
  const sharedLabels = sharedInt32(n);
  let sharedUpper: Float64Array | null = null;
  let sharedLower: Float64Array | null = null;
  let sharedSums: Float64Array | null = null;
  let sharedDist: Float64Array | null = null;
  const assign: AssignAll = (centroids, cNorm2, labels, bounds) => {
    const args: KMeansAssignArgs = { X: sharedX, n, d, k, xNorm2: sharedNorms, centroids, cNorm2, labels: sharedLabels };
    if (bounds) {
      // The bounds and the labels the skipped rows keep travel through shared memory (O(n)
      // copies, against the pass's O(n·k·d)).
      sharedUpper ??= sharedFloat64(n);
      sharedLower ??= sharedFloat64(n);
      sharedUpper.set(bounds.upper);
      sharedLower.set(bounds.lower);
      sharedLabels.set(labels);
      args.upper = sharedUpper;
      args.lower = sharedLower;
      args.margin = bounds.margin;
    }
    pool.run('kmeansAssign', args);
    labels.set(sharedLabels);
    if (bounds) {
      bounds.upper.set(sharedUpper!);
      bounds.lower.set(sharedLower!);
    }
  };
  // The labels are copied in before each pass (O(n)): the update step may have moved a row into
  // an empty cluster since the assignment wrote them.
  const update: UpdatePasses = {
    sumMembers(labels, sums) {
      sharedSums ??= sharedFloat64(k * d);
      sharedLabels.set(labels);
      const args: KMeansMemberSumsArgs = { X: sharedX, n, d, k, labels: sharedLabels, sums: sharedSums };
      pool.run('kmeansMemberSums', args);
      sums.set(sharedSums);
    },
    rowDistances(labels, centroids, out) {
      sharedDist ??= sharedFloat64(n);
      sharedLabels.set(labels);
      const args: KMeansRowDistancesArgs = { X: sharedX, n, d, labels: sharedLabels, centroids, out: sharedDist };
      pool.run('kmeansRowDistances', args);
      out.set(sharedDist);
    },
  };
  return { assign, update };
}
