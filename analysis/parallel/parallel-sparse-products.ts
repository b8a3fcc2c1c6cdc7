// SparseProducts over a WorkerPool: X and Xᵀ are copied once into shared memory, and every
// product splits its output rows into blocks the threads claim (Xᵀ·A as row blocks of the
// precomputed Xᵀ, so no thread scatters into another's rows). Each row is computed by the same
// arithmetic as serialSparseProducts, so results are bit-identical to the serial path.
// When the scratch has a WasmArena (wasmScratch), X, Xᵀ and the operands live in its memory and
// the threads run the WebAssembly kernel (about twice as fast; same results, see
// wasm/sparse-rows-module.ts); otherwise the JavaScript one.

import { csrRowRange, csrTranspose } from '../sparse.ts';
import type { RankOne, SparseProducts } from '../sparse-products.ts';
import type { CsrMatrix } from '../types.ts';
import type { WorkerPool } from './pool.ts';
import { copyOut, SharedScratch, sharedFloat32, sharedInt32, toSharedFloat64 } from './shared.ts';
import type { CsrAllocator } from '../sparse.ts';
import { WasmArena } from '../wasm/arena.ts';
import { wasmKernelsAvailable } from '../wasm/sparse-rows.ts';
import { balancedRowBounds, BLOCKS_PER_THREAD, type SparseRowBlockArgs } from './sparse-kernels.ts';

/**
 * Products with X on `pool`. Memory: a shared copy of X now and a shared Xᵀ on the first
 * transposeMultiply (8 bytes per stored entry each), until releaseTranspose() / release(). With a one-thread pool it still works
 * (everything runs inline), but serialSparseProducts avoids the copies.
 * `inScratch`: X's arrays are already where the threads read them (the scratch's arena, or
 * shared memory when it has none; csrRowsInScratch), so no copy is made.
 */
export function parallelSparseProducts(X: CsrMatrix, pool: WorkerPool, scratch: SharedScratch = new SharedScratch(), inScratch = false): SparseProducts {
  let allocate = scratch.arena ?? SHARED_ARRAYS;
  let shared: CsrMatrix | null = inScratch ? X : sharedCsr(X, allocate);
  let transposed: CsrMatrix | null = null;
  let released = false;
  const live = (): CsrMatrix => {
    if (!shared) throw new Error('parallelSparseProducts: used after release()');
    return shared;
  };
  // The rank-one terms' u is the PCA mean, the same array every product: one shared copy.
  let lastU: Float64Array | null = null;
  let sharedU: Float64Array | null = null;
  const shareU = (u: Float64Array): Float64Array => {
    if (u !== lastU) {
      lastU = u;
      sharedU = toSharedFloat64(u);
    }
    return sharedU!;
  };
  const product = (M: CsrMatrix, dense: Float64Array, k: number, transient = false, minus?: RankOne, into?: Float64Array): Float64Array => {
    if (dense.length !== M.cols * k) {
      throw new RangeError(`parallelSparseProducts: dense operand has ${dense.length} values, expected ${M.cols} × ${k}`);
    }
    // Reused shared buffers in, an ordinary array out (see SharedScratch on why).
    // The operand is rounded into its buffer before the output buffer is cleared: it may be the
    // previous product's transient result, which lives in that output buffer.
    const b = scratch.float32From('in32', dense);
    const out = scratch.float64('out', M.rows * k, false); // each part zeroes its rows (sparseRowBlockKernel)
    const args: SparseRowBlockArgs = {
      matrix: M,
      b,
      k,
      out,
      bounds: balancedRowBounds(M.indptr, M.rows, Math.max(1, Math.min(M.rows, pool.threads * BLOCKS_PER_THREAD))),
    };
    // The WebAssembly kernel when everything it reads is in the arena (the scratch may have
    // been released, and later operands then live in plain shared memory).
    if (scratch.arena && allocate === scratch.arena) args.memory = scratch.arena.memory;
    if (minus) {
      if (minus.v.length !== k) throw new RangeError(`parallelSparseProducts: rank-one v has ${minus.v.length} values, expected ${k}`);
      if (minus.u && minus.u.length !== M.rows) throw new RangeError(`parallelSparseProducts: rank-one u has ${minus.u.length} values, expected ${M.rows}`);
      args.minusU = minus.u ? shareU(minus.u) : null;
      args.minusV = minus.v;
    }
    pool.run('sparseRowBlock', args);
    return transient ? out : copyOut(out, into);
  };
  return {
    rows: X.rows,
    cols: X.cols,
    multiply: (b, k, transient, minus, into) => product(live(), b, k, transient, minus, into),
    transposeMultiply: (a, k, minus, into, transient) => {
      transposed ??= sharedTranspose(live(), allocate);
      return product(transposed, a, k, transient, minus, into);
    },
    releaseTranspose: () => {
      if (!transposed) return;
      transposed = null;
      // The threads' views would keep it alive (see collect.ts). In an arena it stays until the
      // arena goes (release()), so a collection now would free nothing.
      if (allocate === SHARED_ARRAYS) pool.collectGarbage();
    },
    release: (caller = 'full') => {
      if (released) return; // a second release would collect garbage in every thread again
      released = true;
      shared = null;
      transposed = null;
      allocate = SHARED_ARRAYS; // lets the arena go (with the scratch's, if released too)
      scratch.release();
      lastU = null;
      sharedU = null;
      pool.collectGarbage(caller);
    },
  };
}

const SHARED_ARRAYS: CsrAllocator = { int32: sharedInt32, float32: sharedFloat32 };

/**
 * Largest arena (bytes) wasmScratch plans for: below the 4 GiB a WebAssembly memory addresses,
 * with room for a replaced scratch buffer. Larger problems use plain shared memory and the
 * JavaScript kernel.
 */
const MAX_ARENA_BYTES = 3 * 2 ** 30;

/**
 * Scratch for the products of X with up to `maxK` dense columns: in a WasmArena when the
 * WebAssembly kernel runs here and X, Xᵀ and the largest operand and output blocks fit in one,
 * else in plain shared memory.
 */
export function wasmScratch(X: CsrMatrix, maxK: number): SharedScratch {
  return wasmScratchFor(X.indptr[X.rows] - X.indptr[0], X.rows, X.cols, maxK);
}

/** wasmScratch for a matrix of `rows` × `cols` with `nnz` stored entries. */
export function wasmScratchFor(nnz: number, rows: number, cols: number, maxK: number): SharedScratch {
  const tall = Math.max(rows, cols) * maxK;
  const bytes = 2 * (nnz * 8 + (rows + cols + 2) * 4) + tall * 12;
  if (bytes > MAX_ARENA_BYTES || !wasmKernelsAvailable()) return new SharedScratch();
  try {
    return new SharedScratch(new WasmArena());
  } catch {
    return new SharedScratch(); // no address space for a 4 GiB reservation (e.g. ulimit -v)
  }
}

/** X with its arrays in shared memory (trimmed to nnz). */
export function sharedCsr(X: CsrMatrix, allocate: CsrAllocator = SHARED_ARRAYS): CsrMatrix {
  const nnz = X.indptr[X.rows];
  const indptr = allocate.int32(X.rows + 1);
  indptr.set(X.indptr.subarray(0, X.rows + 1));
  const indices = allocate.int32(nnz);
  indices.set(X.indices.subarray(0, nnz));
  const data = allocate.float32(nnz);
  data.set(X.data.subarray(0, nnz));
  return { rows: X.rows, cols: X.cols, indptr, indices, data };
}

/**
 * Rows [r0, r1) of X copied into the scratch's buffers for the roles 'rowsIndptr', 'rowsIndices'
 * and 'rowsData' (reused from one block of rows to the next): a matrix parallelSparseProducts can
 * take with `inScratch`. Valid until the next call with the same scratch.
 */
export function csrRowsInScratch(X: CsrMatrix, r0: number, r1: number, scratch: SharedScratch): CsrMatrix {
  const rows = csrRowRange(X, r0, r1);
  const indptr = scratch.int32('rowsIndptr', rows.indptr.length);
  indptr.set(rows.indptr);
  const indices = scratch.int32('rowsIndices', rows.indices.length);
  indices.set(rows.indices);
  const data = scratch.float32('rowsData', rows.data.length);
  data.set(rows.data);
  return { rows: rows.rows, cols: X.cols, indptr, indices, data };
}

/** Xᵀ in CSR written straight into shared memory (no private copy first). */
export function sharedTranspose(X: CsrMatrix, allocate: CsrAllocator = SHARED_ARRAYS): CsrMatrix {
  return csrTranspose(X, allocate);
}
