// The sampled silhouette's O(m² d) part over the pool (quality/silhouette.ts): first every pair's
// distance once, rows claimed in small blocks (early rows have more later partners), into a
// packed triangle in shared memory; then each row's per-cluster sums, rows claimed in blocks,
// adding its distances in the serial kernel's order. Both steps give the serial doubles.

import { silhouettePairRows, silhouettePairRowsOnBlocks, silhouetteRowSums } from '../quality/silhouette.ts';
import { tallBlocks } from '../wasm/row-blocks.ts';
import type { TaskCounter } from './kernels.ts';

/** Rows per claimed task. */
const ROWS_PER_TASK = 32;

export interface SilhouettePairsArgs {
  /** m × d unit rows, shared memory. */
  X: Float64Array;
  m: number;
  d: number;
  /** Output: m(m − 1)/2 packed pair distances, shared memory. */
  D: Float64Array;
}

export function silhouettePairsKernel(args: SilhouettePairsArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const { X, m, d, D } = args;
  const blocks = Math.ceil(m / ROWS_PER_TASK);
  // The WebAssembly kernel when there is one (the rows copied into this thread's memory once).
  const wasm = tallBlocks(X, m, d, false);
  for (let b = tasks.next(blocks); b >= 0; b = tasks.next(blocks)) {
    const s0 = b * ROWS_PER_TASK;
    const s1 = Math.min(m, s0 + ROWS_PER_TASK);
    if (wasm) silhouettePairRowsOnBlocks(wasm, X, m, d, s0, s1, D);
    else silhouettePairRows(X, m, d, s0, s1, D);
  }
  return null;
}

export interface SilhouetteSumsArgs {
  /** The packed pair distances, shared memory. */
  D: Float64Array;
  /** Cluster of each sampled row, shared memory. */
  lab: Int32Array;
  m: number;
  k: number;
  /** Output: m × k distance sums, shared memory. */
  distSum: Float64Array;
}

export function silhouetteSumsKernel(args: SilhouetteSumsArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const { D, lab, m, k, distSum } = args;
  const blocks = Math.ceil(m / ROWS_PER_TASK);
  for (let b = tasks.next(blocks); b >= 0; b = tasks.next(blocks)) {
    silhouetteRowSums(D, lab, m, k, b * ROWS_PER_TASK, Math.min(m, (b + 1) * ROWS_PER_TASK), distSum);
  }
  return null;
}
