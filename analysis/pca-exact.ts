// Exact PCA through ml-pca (dense SVD). For small inputs, for 2-D maps, and as the test oracle
// of the randomized solver.

import { PCA } from 'ml-pca';
import { assemblePcaResult, type PcaResult, resolvePcaOptions } from './pca-result.ts';
import { csrColumnMeans } from './sparse.ts';
import { serialSparseProducts } from './sparse-products.ts';
import type { CsrMatrix } from './types.ts';

/** Largest rows × cols that exactPca densifies (≈ 40 MB as number[][]; the SVD is O(rows·cols·min)). */
export const EXACT_PCA_MAX_CELLS = 5_000_000;

/** PCA of X by dense SVD via ml-pca. Throws on inputs above EXACT_PCA_MAX_CELLS cells. */
export function exactPca(X: CsrMatrix, nComponents: number): PcaResult {
  const { d } = resolvePcaOptions(X, { nComponents, seed: 0 });
  const cells = X.rows * X.cols;
  if (cells > EXACT_PCA_MAX_CELLS) {
    throw new RangeError(
      `exactPca: ${X.rows} × ${X.cols} = ${cells} cells exceeds ${EXACT_PCA_MAX_CELLS}; use randomizedPca for inputs this large`,
    );
  }
  const dense: number[][] = [];
  for (let i = 0; i < X.rows; i++) {
    const row = new Array<number>(X.cols).fill(0);
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) row[X.indices[p]] += X.data[p];
    dense.push(row);
  }
  const pca = new PCA(dense, { center: true, scale: false });
  const eigenvectors = pca.getEigenvectors(); // cols × r, one component per column
  const eigenvalues = pca.getEigenvalues(); // σ² / (rows − 1), descending
  const v = new Float64Array(X.cols * d);
  for (let j = 0; j < X.cols; j++) for (let c = 0; c < d; c++) v[j * d + c] = eigenvectors.get(j, c);
  const denom = Math.max(1, X.rows - 1);
  const singular = new Float64Array(d);
  for (let c = 0; c < d; c++) singular[c] = Math.sqrt(Math.max(0, eigenvalues[c] * denom));
  // Means from the sparse data (same arithmetic as the randomized path), not ml-pca's.
  return assemblePcaResult(X, serialSparseProducts(X), csrColumnMeans(X), v, singular, d, 'exact');
}
