// k-means work spread over the pool.
//  - kmeansRestart: every participant claims restart indices from the shared task counter until
//    all nInit are taken, so a slow restart does not hold up the others.
//  - kmeansAssign: one assignment pass over all rows, split into fixed row chunks that the
//    participants claim; each writes its rows' labels into the shared label array. A row's label
//    does not depend on its chunk (kmeans-assign.ts), so the pass is bit-identical to a serial one.
//    With bounds (upper, lower, margin), rows they prove keep the label already in `labels`.
//  - kmeansMemberSums: the update step's member sums, one contiguous block of columns per
//    participant; each (cluster, column) sum adds its rows in row order as on one thread.
//  - kmeansRowDistances: each row's squared distance to its centre (the inertia's terms), row
//    chunks claimed as in kmeansAssign; the caller adds them up in row order.

import { assignRange, assignRangeBounded } from '../kmeans-assign.ts';
import { rowDistancesRange, sumMembersColumns } from '../kmeans-lloyd.ts';
import { type RestartOutcome, type RestartProblem, runRestart } from '../kmeans-restart.ts';
import type { TaskCounter } from './kernels.ts';

export interface KMeansRestartArgs {
  /** X and fitX in shared memory. */
  problem: RestartProblem;
  nInit: number;
}

export function kmeansRestartKernel(args: KMeansRestartArgs, _part: number, _parts: number, tasks: TaskCounter): RestartOutcome[] {
  const out: RestartOutcome[] = [];
  for (let r = tasks.next(args.nInit); r >= 0; r = tasks.next(args.nInit)) out.push(runRestart(args.problem, r));
  return out;
}

/** Rows per claimed chunk of an assignment pass (a multiple of 4, the kernel's row block). */
export const ASSIGN_CHUNK_ROWS = 4096;

export interface KMeansAssignArgs {
  /** n × d points, shared memory. */
  X: Float32Array;
  n: number;
  d: number;
  k: number;
  /** ‖x_i‖², shared memory. */
  xNorm2: Float64Array;
  centroids: Float64Array;
  cNorm2: Float64Array;
  /** Output, length n, shared memory (with bounds also input: the labels the skipped rows keep). */
  labels: Int32Array;
  /** Optional distance bounds per row (shared memory, updated for the rows assigned); see AssignBounds. */
  upper?: Float64Array;
  lower?: Float64Array;
  margin?: number;
}

export function kmeansAssignKernel(args: KMeansAssignArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const chunks = Math.ceil(args.n / ASSIGN_CHUNK_ROWS);
  for (let c = tasks.next(chunks); c >= 0; c = tasks.next(chunks)) {
    const start = c * ASSIGN_CHUNK_ROWS;
    const end = Math.min(args.n, start + ASSIGN_CHUNK_ROWS);
    if (args.upper && args.lower) {
      const bounds = { upper: args.upper, lower: args.lower, margin: args.margin ?? 0 };
      assignRangeBounded(args.X, args.d, args.xNorm2, args.centroids, args.cNorm2, args.k, start, end, args.labels, bounds);
    } else {
      assignRange(args.X, args.d, args.xNorm2, args.centroids, args.cNorm2, args.k, start, end, args.labels);
    }
  }
  return null;
}

export interface KMeansMemberSumsArgs {
  /** n × d points, shared memory. */
  X: Float32Array;
  n: number;
  d: number;
  k: number;
  /** Length n, shared memory. */
  labels: Int32Array;
  /** Output, k × d, shared memory (each part zeroes its own columns). */
  sums: Float64Array;
}

export function kmeansMemberSumsKernel(args: KMeansMemberSumsArgs, part: number, parts: number): null {
  const { X, n, d, k, labels, sums } = args;
  const per = Math.ceil(d / parts);
  const t0 = Math.min(d, part * per);
  const t1 = Math.min(d, t0 + per);
  if (t0 < t1) sumMembersColumns(X, n, d, labels, sums, k, t0, t1);
  return null;
}

export interface KMeansRowDistancesArgs {
  /** n × d points, shared memory. */
  X: Float32Array;
  n: number;
  d: number;
  /** Length n, shared memory. */
  labels: Int32Array;
  centroids: Float64Array;
  /** Output, length n, shared memory. */
  out: Float64Array;
}

export function kmeansRowDistancesKernel(args: KMeansRowDistancesArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const chunks = Math.ceil(args.n / ASSIGN_CHUNK_ROWS);
  for (let c = tasks.next(chunks); c >= 0; c = tasks.next(chunks)) {
    const start = c * ASSIGN_CHUNK_ROWS;
    rowDistancesRange(args.X, args.d, args.labels, args.centroids, start, Math.min(args.n, start + ASSIGN_CHUNK_ROWS), args.out);
  }
  return null;
}
