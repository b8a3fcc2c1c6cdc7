// PCA of a sparse matrix without densifying it: Halko, Martinsson & Tropp (2011) randomized SVD
// of the implicitly centred matrix X̃ = X − 1μᵀ (rows = documents, cols = terms).

import { choleskyQr2, gramMatrix, multiplyTallBySmall, orthonormalize, symmetricEigen, type TallKernels } from './linalg.ts';
import { poolTallKernels } from './parallel/dense-kernels.ts';
import { centredMultiply, centredTransposeMultiply } from './pca-centred.ts';
import { EXACT_PCA_MAX_CELLS, exactPca } from './pca-exact.ts';
import { assemblePcaResult, type PcaOptions, type PcaResult, resolvePcaOptions } from './pca-result.ts';
import { parallelSparseProducts } from './parallel/parallel-sparse-products.ts';
import type { WorkerPool } from './parallel/pool.ts';
import { SharedScratch } from './parallel/shared.ts';
import { createRandom, gaussian } from './random.ts';
import { csrColumnMeans } from './sparse.ts';
import { type SparseProducts, serialSparseProducts } from './sparse-products.ts';
import type { CsrMatrix } from './types.ts';

export type { PcaOptions, PcaResult } from './pca-result.ts';
export type { SparseProducts } from './sparse-products.ts';
export { exactPca, EXACT_PCA_MAX_CELLS } from './pca-exact.ts';

/**
 * fitPca uses the exact solver up to this many cells: there the dense SVD is quick
 * (≈ 0.1 s at 300 × 600) and exact; above it the randomized solver wins by orders of magnitude.
 */
export const EXACT_PCA_AUTO_MAX_CELLS = 200_000;

/**
 * Picks exactPca for small inputs (rows·cols ≤ EXACT_PCA_AUTO_MAX_CELLS) and randomizedPca
 * otherwise. With a `pool` of more than one thread the sparse products of the randomized solver
 * run in parallel (bit-identical results: every output row is computed by the same kernel).
 */
export function fitPca(X: CsrMatrix, opts: PcaOptions, pool?: WorkerPool): PcaResult {
  resolvePcaOptions(X, opts);
  if (X.rows * X.cols <= Math.min(EXACT_PCA_AUTO_MAX_CELLS, EXACT_PCA_MAX_CELLS)) return exactPca(X, opts.nComponents);
  if (pool && pool.threads > 1) {
    const scratch = new SharedScratch(); // one set of shared buffers for both kinds of kernel
    return randomizedPca(X, opts, parallelSparseProducts(X, pool, scratch), poolTallKernels(pool, scratch));
  }
  return randomizedPca(X, opts, serialSparseProducts(X));
}

/**
 * Randomized PCA, sketching the right singular subspace (the term side, which stays ~10⁴–10⁵
 * wide while the document side grows to millions). With l = d + p (capped at min(rows, cols)):
 *
 *   Q = orth(Ω)                  Ω: cols × l Gaussian from createRandom(seed)
 *   q times: Q = orth(X̃ᵀ(X̃Q))   power iteration on X̃ᵀX̃
 *   Y = X̃Q;  YᵀY = W Λ Wᵀ;  V = Q·W[:, :d],  σ = √λ   (Rayleigh–Ritz)
 *
 * V then comes from a degree-(2q+1) polynomial in X̃ applied to Ω, the same as scikit-learn's
 * randomized_svd with n_iter = q, for the same 2q + 2 sparse products.
 *
 * Orthonormalisation is Cholesky-QR2 on the cols × l block after every X̃ᵀ product. The rows × l
 * block between the two products of a power step is not orthonormalised: that would cost four
 * passes of rows·l² work per step (more than the sparse products at 60 nnz/row, and growing
 * with the archive), and it only matters when cond(X̃ᵀX̃Q) ≤ (σ₁/σ_l)² exceeds what Cholesky-QR2
 * accepts (~3e6). Exactly then Cholesky fails and that step is redone the textbook way
 * (orth(X̃Q) first, with a Householder fallback), so accuracy never rests on the shortcut.
 *
 * `products` lets a caller swap in parallel sparse products bound to the same X, and `kernels`
 * parallel dense kernels; neither changes the result (see linalg.ts on the Gram matrix order).
 */
export function randomizedPca(
  X: CsrMatrix,
  opts: PcaOptions,
  products: SparseProducts = serialSparseProducts(X),
  kernels?: TallKernels,
): PcaResult {
  const { d, oversamples, powerIter, seed } = resolvePcaOptions(X, opts);
  if (products.rows !== X.rows || products.cols !== X.cols) {
    throw new RangeError(`randomizedPca: products are bound to a ${products.rows} × ${products.cols} matrix, X is ${X.rows} × ${X.cols}`);
  }
  const m = X.rows;
  const n = X.cols;
  const l = Math.min(d + oversamples, m, n);
  const mean = csrColumnMeans(X);

  const random = createRandom(seed);
  const omega = new Float64Array(n * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random);

  let q = orthonormalize(omega, n, l, kernels).q;
  for (let it = 0; it < powerIter; it++) {
    const y = centredMultiply(products, mean, q, l);
    const fast = choleskyQr2(centredTransposeMultiply(products, mean, y, l), n, l, kernels);
    if (fast) {
      q = fast.q;
    } else {
      const qm = orthonormalize(y, m, l, kernels).q;
      q = orthonormalize(centredTransposeMultiply(products, mean, qm, l), n, l, kernels).q;
    }
  }
  // The SVD of X̃Q from the eigendecomposition of its l × l Gram matrix. Squaring costs accuracy
  // only in σ below √ε·σ₁, far under any component worth keeping.
  const y = centredMultiply(products, mean, q, l);
  const { values, vectors } = symmetricEigen(gramMatrix(y, m, l, kernels), l);
  const wTop = new Float64Array(l * d);
  for (let i = 0; i < l; i++) for (let c = 0; c < d; c++) wTop[i * d + c] = vectors[i * l + c];
  const v = multiplyTallBySmall(q, n, l, wTop, d, false, kernels); // cols × d, right singular vectors
  const singular = new Float64Array(d);
  for (let c = 0; c < d; c++) singular[c] = Math.sqrt(Math.max(0, values[c]));
  return assemblePcaResult(X, products, mean, v, singular, d, 'randomized');
}
