// The two sparse × dense products of randomized PCA, bound to one matrix X so that Xᵀ (in CSR
// form) is built once and reused by every Xᵀ·A. A worker-thread implementation can replace
// `serialSparseProducts` behind the same interface.
//
// Measured on 75k × 20k with 60 nnz/row and 110 dense columns: folding four stored entries into
// each sweep over the output row (so the output row is loaded and stored a quarter as often)
// takes X·B from 2.4 s to 0.75 s CPU against a plain loop, and gathering through a precomputed Xᵀ
// instead of scattering takes Xᵀ·A from 2.5 s to 1.35 s.

import { csrTranspose } from './sparse.ts';
import type { CsrMatrix } from './types.ts';

/** Products with a fixed sparse X; dense operands and results are row-major Float64Array. */
export interface SparseProducts {
  readonly rows: number;
  readonly cols: number;
  /** X·B for B of shape cols × k: rows × k. */
  multiply(b: Float64Array, k: number): Float64Array;
  /** Xᵀ·A for A of shape rows × k: cols × k. */
  transposeMultiply(a: Float64Array, k: number): Float64Array;
}

/** Single-threaded products; Xᵀ is built on the first transposeMultiply (O(nnz) time and memory). */
export function serialSparseProducts(X: CsrMatrix): SparseProducts {
  let xt: CsrMatrix | null = null;
  return {
    rows: X.rows,
    cols: X.cols,
    multiply: (b, k) => csrTimesDense(X, b, k),
    transposeMultiply: (a, k) => {
      xt ??= csrTranspose(X);
      return csrTimesDense(xt, a, k);
    },
  };
}

/** X·B (X: r × c CSR, B: c × k row-major) → r × k, four stored entries per sweep of the output row. */
export function csrTimesDense(X: CsrMatrix, b: Float64Array, k: number): Float64Array {
  if (b.length !== X.cols * k) {
    throw new RangeError(`csrTimesDense: dense operand has ${b.length} values, expected ${X.cols} × ${k}`);
  }
  const out = new Float64Array(X.rows * k);
  csrTimesDenseRows(X, b, k, out, 0, X.rows);
  return out;
}

/**
 * Rows [rowStart, rowEnd) of X·B added into `out` (r × k, row-major, normally zero): the kernel
 * of csrTimesDense, exposed so threads can each fill a block of rows with identical arithmetic.
 */
export function csrTimesDenseRows(
  X: CsrMatrix,
  b: Float64Array,
  k: number,
  out: Float64Array,
  rowStart: number,
  rowEnd: number,
): void {
  if (b.length !== X.cols * k) {
    throw new RangeError(`csrTimesDenseRows: dense operand has ${b.length} values, expected ${X.cols} × ${k}`);
  }
  if (out.length !== X.rows * k) throw new RangeError(`csrTimesDenseRows: output has ${out.length} values, expected ${X.rows} × ${k}`);
  if (!(rowStart >= 0 && rowStart <= rowEnd && rowEnd <= X.rows)) {
    throw new RangeError(`csrTimesDenseRows: row range [${rowStart}, ${rowEnd}) outside [0, ${X.rows}]`);
  }
  const { indptr, indices, data } = X;
  for (let i = rowStart; i < rowEnd; i++) {
    const o = i * k;
    let p = indptr[i];
    const end = indptr[i + 1];
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
