// The two sparse × dense products of randomized PCA, bound to one matrix X so that Xᵀ (in CSR
// form) is built once and reused by every Xᵀ·A. A worker-thread implementation can replace
// `serialSparseProducts` behind the same interface.
//
// Both products are gathers: X·B walks the rows of X, Xᵀ·A the rows of a precomputed Xᵀ, and
// every stored entry adds one row of the dense operand into the output row. Measured on arXiv
// (74,728 × 49,231, 5.9 M stored, 110 dense columns), CPU seconds per product:
//   - scatter Xᵀ·A (no Xᵀ): 2.5; gather through Xᵀ: 1.35.
//   - one stored entry per sweep of the output row: 2.4 (X·B); four: 1.0; eight: 0.9.
//   - the gathered operand as Float32 (half the memory traffic of the random row reads, the
//     66 MB rows × 110 block then fits the 32 MB L3 far better) with eight entries per sweep:
//     X·B 0.73, Xᵀ·A 1.0 (from 1.0 and 1.31 with Float64 and four).
// The operand is rounded to float32 (relative 6e-8, far below what a power iteration or the
// final projection can notice); products and sums stay in float64 in the output row.

import { csrTranspose } from './sparse.ts';
import type { CsrMatrix } from './types.ts';

/**
 * A rank-one term the products subtract from their result, row by row right after computing it
 * (so a pooled implementation does it in the threads): output row i loses u[i]·v, or v itself
 * when u is null; rows with u[i] = 0 are left alone. The centring of randomized PCA
 * (pca-centred.ts), with the arithmetic it had as a separate loop, so the results are the same.
 */
export interface RankOne {
  u: Float64Array | null;
  v: Float64Array;
}

/** Products with a fixed sparse X; dense operands and results are row-major Float64Array. */
export interface SparseProducts {
  readonly rows: number;
  readonly cols: number;
  /**
   * X·B for B of shape cols × k: rows × k. With `transient`, the result may be a buffer the
   * products reuse (valid only until their next product): for callers that consume it at once,
   * so a pooled implementation can skip copying it out of shared memory. `into`: a rows × k array
   * the caller no longer needs, as for transposeMultiply (ignored with `transient`).
   */
  multiply(b: Float64Array, k: number, transient?: boolean, minus?: RankOne, into?: Float64Array): Float64Array;
  /**
   * Xᵀ·A for A of shape rows × k: cols × k (minus the rank-one term when given). `into`: a
   * cols × k array the caller no longer needs, which the result may be written to instead of a
   * new array (an implementation may ignore it; use the returned array). `transient`: as for
   * multiply (then `into` is ignored).
   */
  transposeMultiply(a: Float64Array, k: number, minus?: RankOne, into?: Float64Array, transient?: boolean): Float64Array;
  /** Frees Xᵀ (a later transposeMultiply rebuilds it): for callers done with Xᵀ products. */
  releaseTranspose?(): void;
  /**
   * Frees everything the products hold beyond X itself; they must not be used afterwards.
   * Pooled products collect garbage in every thread to free their shared copies now
   * (WorkerPool.collectGarbage); `caller` says how the calling thread collects.
   */
  release?(caller?: 'full' | 'young'): void;
}

/** Single-threaded products; Xᵀ is built on the first transposeMultiply (O(nnz) time and memory). */
export function serialSparseProducts(X: CsrMatrix): SparseProducts {
  let xt: CsrMatrix | null = null;
  return {
    rows: X.rows,
    cols: X.cols,
    multiply: (b, k, _transient, minus) => subtractRankOne(csrTimesDense(X, b, k), k, minus, 0, X.rows),
    transposeMultiply: (a, k, minus) => {
      xt ??= csrTranspose(X);
      return subtractRankOne(csrTimesDense(xt, a, k), k, minus, 0, X.cols);
    },
    releaseTranspose: () => {
      xt = null;
    },
    release: () => {
      xt = null;
    },
  };
}

/** Rows [rowStart, rowEnd) of out (row-major, k columns) minus the rank-one term (see RankOne); returns out. */
export function subtractRankOne(out: Float64Array, k: number, minus: RankOne | undefined, rowStart: number, rowEnd: number): Float64Array {
  if (!minus) return out;
  const { u, v } = minus;
  if (v.length !== k) throw new RangeError(`subtractRankOne: v has ${v.length} values, expected ${k}`);
  for (let i = rowStart; i < rowEnd; i++) {
    const o = i * k;
    if (u === null) {
      for (let c = 0; c < k; c++) out[o + c] -= v[c];
    } else {
      const ui = u[i];
      if (ui === 0) continue;
      for (let c = 0; c < k; c++) out[o + c] -= ui * v[c];
    }
  }
  return out;
}

/** X·B (X: r × c CSR, B: c × k row-major, rounded to float32 first) → r × k Float64Array. */
export function csrTimesDense(X: CsrMatrix, b: Float64Array | Float32Array, k: number): Float64Array {
  if (b.length !== X.cols * k) {
    throw new RangeError(`csrTimesDense: dense operand has ${b.length} values, expected ${X.cols} × ${k}`);
  }
  const out = new Float64Array(X.rows * k);
  csrTimesDenseRows(X, b instanceof Float32Array ? b : Float32Array.from(b), k, out, 0, X.rows);
  return out;
}

/** The shape checks of a row-block product X·B → out (rows [rowStart, rowEnd)), naming `kernel`. */
export function checkRowProduct(kernel: string, X: CsrMatrix, b: Float32Array, k: number, out: Float64Array, rowStart: number, rowEnd: number): void {
  if (b.length !== X.cols * k) throw new RangeError(`${kernel}: dense operand has ${b.length} values, expected ${X.cols} × ${k}`);
  if (out.length !== X.rows * k) throw new RangeError(`${kernel}: output has ${out.length} values, expected ${X.rows} × ${k}`);
  if (!(rowStart >= 0 && rowStart <= rowEnd && rowEnd <= X.rows)) {
    throw new RangeError(`${kernel}: row range [${rowStart}, ${rowEnd}) outside [0, ${X.rows}]`);
  }
}

/**
 * Rows [rowStart, rowEnd) of X·B added into `out` (r × k, row-major, normally zero): the kernel
 * of csrTimesDense, exposed so threads can each fill a block of rows with identical arithmetic.
 * Eight stored entries are folded into each sweep over the output row (then four, then one), so
 * the output row is loaded and stored an eighth as often as with a plain loop.
 */
export function csrTimesDenseRows(
  X: CsrMatrix,
  b: Float32Array,
  k: number,
  out: Float64Array,
  rowStart: number,
  rowEnd: number,
): void {
  checkRowProduct('csrTimesDenseRows', X, b, k, out, rowStart, rowEnd);
  const { indptr, indices, data } = X;
  for (let i = rowStart; i < rowEnd; i++) {
    const o = i * k;
    let p = indptr[i];
    const end = indptr[i + 1];
    for (; p + 8 <= end; p += 8) {
      const v0 = data[p];
      const v1 = data[p + 1];
      const v2 = data[p + 2];
      const v3 = data[p + 3];
      const v4 = data[p + 4];
      const v5 = data[p + 5];
      const v6 = data[p + 6];
      const v7 = data[p + 7];
      const r0 = indices[p] * k;
      const r1 = indices[p + 1] * k;
      const r2 = indices[p + 2] * k;
      const r3 = indices[p + 3] * k;
      const r4 = indices[p + 4] * k;
      const r5 = indices[p + 5] * k;
      const r6 = indices[p + 6] * k;
      const r7 = indices[p + 7] * k;
      for (let c = 0; c < k; c++) {
        out[o + c] +=
          v0 * b[r0 + c] + v1 * b[r1 + c] + v2 * b[r2 + c] + v3 * b[r3 + c] + v4 * b[r4 + c] + v5 * b[r5 + c] + v6 * b[r6 + c] + v7 * b[r7 + c];
      }
    }
    for (; p + 4 <= end; p += 4) {
      const v0 = data[p];
      const v1 = data[p + 1];
      const v2 = data[p + 2];
      const v3 = data[p + 3];
      const r0 = indices[p] * k;
      const r1 = indices[p + 1] * k;
      const r2 = indices[p + 2] * k;
      const r3 = indices[p + 3] * k;
      for (let c = 0; c < k; c++) {
        out[o + c] += v0 * b[r0 + c] + v1 * b[r1 + c] + v2 * b[r2 + c] + v3 * b[r3 + c];
      }
    }
    for (; p < end; p++) {
      const v = data[p];
      const r = indices[p] * k;
      for (let c = 0; c < k; c++) out[o + c] += v * b[r + c];
    }
  }
}
