// Products with the implicitly centred matrix X̃ = X − 1μᵀ. TF-IDF is ~99.9 % zeros and X̃ is
// fully dense, so X̃ is never formed: X̃·B = X·B − 1(μᵀB) and X̃ᵀ·A = XᵀA − μ(1ᵀA) cost one sparse
// product plus a rank-one correction.

import type { SparseProducts } from './sparse-products.ts';
import type { CsrMatrix } from './types.ts';

/**
 * (X − 1μᵀ)·B for a row-major B (cols × k): a rows × k Float64Array. `transient`: the caller
 * consumes the result before the next product (see SparseProducts.multiply), which saves a copy.
 */
export function centredMultiply(products: SparseProducts, mean: Float64Array, b: Float64Array, k: number, transient = false, into?: Float64Array): Float64Array {
  // shift = μᵀB (length k), subtracted from every output row by the products as each row is
  // done (in the threads, for pooled products). Summed before the product, so B may be a
  // transient result of the same products.
  return products.multiply(b, k, transient, { u: null, v: meanShift(mean, b, products.cols, k) }, into);
}

/** μᵀB for a row-major B (cols × k): what centredMultiply subtracts from every row of XB. */
export function meanShift(mean: Float64Array, b: Float64Array, cols: number, k: number): Float64Array {
  const shift = new Float64Array(k);
  for (let j = 0; j < cols; j++) {
    const mj = mean[j];
    if (mj === 0) continue;
    const o = j * k;
    for (let c = 0; c < k; c++) shift[c] += mj * b[o + c];
  }
  return shift;
}

/**
 * (X − 1μᵀ)ᵀ·A for a row-major A (rows × k): a cols × k Float64Array (maybe `into`, or with
 * `transient` the products' own buffer: see SparseProducts).
 */
export function centredTransposeMultiply(
  products: SparseProducts,
  mean: Float64Array,
  a: Float64Array,
  k: number,
  into?: Float64Array,
  transient = false,
): Float64Array {
  // colSums = 1ᵀA (length k); output row j loses μ_j · colSums. Summed before the product, so
  // A may be a transient result of the same products (see SparseProducts.multiply).
  const colSums = new Float64Array(k);
  for (let i = 0; i < products.rows; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) colSums[c] += a[o + c];
  }
  return products.transposeMultiply(a, k, { u: mean, v: colSums }, into, transient);
}

/**
 * Σ_i ‖x_i − μ‖² exactly from the sparse data, column by column as
 * Σ_stored (x − μ_j)² + (rows − stored_j)·μ_j², which avoids the cancellation of Σx² − n‖μ‖².
 */
export function centredSumOfSquares(X: CsrMatrix, mean: Float64Array): number {
  const stored = new Float64Array(X.cols);
  const sq = new Float64Array(X.cols);
  const nnz = X.indptr[X.rows];
  for (let p = 0; p < nnz; p++) {
    const j = X.indices[p];
    const dev = X.data[p] - mean[j];
    sq[j] += dev * dev;
    stored[j] += 1;
  }
  let total = 0;
  for (let j = 0; j < X.cols; j++) total += sq[j] + (X.rows - stored[j]) * mean[j] * mean[j];
  return total;
}
