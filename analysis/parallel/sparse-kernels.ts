// Row-block sparse × dense products for the pool: the participants claim blocks of output rows
// (several per thread) and compute each with the same arithmetic as the serial path, so the
// result is bit-identical to it whoever computes which block: in WebAssembly when the arrays live
// in a WasmArena's memory, else in JavaScript.

import { csrTimesDenseRows, subtractRankOne } from '../sparse-products.ts';
import type { CsrMatrix } from '../types.ts';
import { wasmCsrTimesDenseRows } from '../wasm/sparse-rows.ts';
import type { TaskCounter } from './kernels.ts';

/**
 * Blocks of work per thread in the pool's row-block kernels (sparse products, tall × small),
 * claimed as the threads go. With one fixed block each, whichever thread
 * fell behind (a worker's wake-up, the other tenant of its core) held the rest: in a profile of a
 * cold arXiv run the calling thread waited ~0.53 s in reduce for the worker's blocks (~0.08 s after).
 */
export const BLOCKS_PER_THREAD = 8;

export interface SparseRowBlockArgs {
  /** A CSR matrix whose arrays live in shared memory. */
  matrix: CsrMatrix;
  /** Dense operand, matrix.cols × k, row-major, shared, float32 (see sparse-products.ts). */
  b: Float32Array;
  k: number;
  /** Output, matrix.rows × k, row-major, shared; each part zeroes its own rows first (in parallel, not on the caller). */
  out: Float64Array;
  /** Row boundaries: block b is rows [bounds[b], bounds[b + 1]); the threads claim blocks. */
  bounds: Int32Array;
  /** Optional rank-one term subtracted from the rows once computed (sparse-products.ts: RankOne); u in shared memory. */
  minusU?: Float64Array | null;
  minusV?: Float64Array;
  /** The WasmArena memory that matrix, b and out live in: run the WebAssembly kernel. */
  memory?: WebAssembly.Memory;
}

export function sparseRowBlockKernel(args: SparseRowBlockArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const blocks = args.bounds.length - 1;
  for (let b = tasks.next(blocks); b >= 0; b = tasks.next(blocks)) {
    const start = args.bounds[b]!;
    const end = args.bounds[b + 1]!;
    args.out.fill(0, start * args.k, end * args.k);
    if (args.memory) wasmCsrTimesDenseRows(args.memory, args.matrix, args.b, args.k, args.out, start, end);
    else csrTimesDenseRows(args.matrix, args.b, args.k, args.out, start, end);
    if (args.minusV) subtractRankOne(args.out, args.k, { u: args.minusU ?? null, v: args.minusV }, start, end);
  }
  return null;
}

/**
 * Row boundaries that split the work of X·B evenly: a row costs its stored entries (one pass
 * over a B row each) plus `perRow` (1: writing the output row), so a few long documents do not
 * leave one thread with most of the work. With perRow 0 it splits any offsets array (a token
 * stream's document offsets) by entries alone.
 */
export function balancedRowBounds(indptr: Int32Array, rows: number, parts: number, perRow = 1): Int32Array {
  const bounds = new Int32Array(parts + 1);
  const total = indptr[rows] - indptr[0] + perRow * rows;
  let r = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (r < rows && indptr[r] - indptr[0] + perRow * r < target) r++;
    bounds[p] = r;
  }
  bounds[parts] = rows;
  return bounds;
}
