// What a PCA fit returns, and the finishing steps shared by the exact and randomized solvers:
// deterministic signs, projected scores and variance bookkeeping.

import { transpose } from './linalg.ts';
import { centredMultiply, centredSumOfSquares } from './pca-centred.ts';
import type { SparseProducts } from './sparse-products.ts';
import type { CsrMatrix } from './types.ts';

export interface PcaOptions {
  /** Number of components d; 1 ≤ d < min(rows, cols). */
  nComponents: number;
  /** Extra random directions p beyond d for the range finder (default 10); capped at min(rows, cols) − d. */
  nOversamples?: number;
  /** Power iterations q (default 4); each one is two sparse products plus two orthonormalisations. */
  nPowerIter?: number;
  /** Seed of the random test matrix (pca.ts: testMatrix). */
  seed: number;
  /**
   * Warm start of the randomized solver (ignored by the exact one): w starting directions over
   * the columns, w × cols row-major like PcaResult.components (e.g. the previous fit's components,
   * remapped by the caller to tonight's vocabulary), 1 ≤ w ≤ nComponents + nOversamples. They
   * replace the first w columns of the random test matrix; the rest stay random. Near the
   * answer already, they need fewer power iterations for the same captured variance.
   */
  initialBasis?: Float64Array;
  /**
   * Leave `scores` empty (length 0): for a caller that projects other rows onto the fit itself
   * (a fit on a sample of the rows, then projectOntoPca of all), to whom the fit rows' own scores
   * would be one wasted sparse product.
   */
  skipScores?: boolean;
}

export interface PcaResult {
  /** rows × d, row-major: (X − 1μᵀ)·Vᵀ, the coordinates of each row on the components. */
  scores: Float32Array;
  /** d × cols, row-major, orthonormal rows; each row's largest-|value| entry is positive. */
  components: Float64Array;
  /** Column means μ (length cols). */
  mean: Float64Array;
  /** σ_c² / (rows − 1) per component, as scikit-learn. */
  explainedVariance: Float64Array;
  /** explainedVariance over the total variance Σ‖x_i − μ‖² / (rows − 1), computed exactly from the data. */
  explainedVarianceRatio: Float64Array;
  nComponents: number;
  /** Which solver produced the fit (optional so results restored from older artifacts still type-check). */
  solver?: 'exact' | 'randomized';
}

/**
 * Builds the result from right singular vectors given as columns of a cols × d matrix `v`
 * (row-major) and the singular values of the centred matrix. Signs are fixed as scikit-learn's
 * svd_flip(u_based_decision=False): the largest-|value| loading of each component is positive
 * (ties: the lowest column), so repeated fits give identical output, not just identical subspaces.
 */
export function assemblePcaResult(
  X: CsrMatrix,
  products: SparseProducts,
  mean: Float64Array,
  v: Float64Array,
  singularValues: ArrayLike<number>,
  d: number,
  solver: 'exact' | 'randomized',
  skipScores = false,
): PcaResult {
  const cols = X.cols;
  const components = transpose(v, cols, d); // d × cols
  for (let c = 0; c < d; c++) {
    const o = c * cols;
    let best = 0;
    let bestAbs = -1;
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(components[o + j]);
      if (a > bestAbs) {
        bestAbs = a;
        best = j;
      }
    }
    if (components[o + best] < 0) for (let j = 0; j < cols; j++) components[o + j] = -components[o + j];
  }
  // Scores are the exact projection (X − μ)·Vᵀ (not U·Σ of the sketch), so they equal what a
  // later transform of the same rows gives.
  const scores = skipScores ? new Float32Array(0) : projectCentred(products, mean, components, d);
  const denom = Math.max(1, X.rows - 1);
  const totalVariance = centredSumOfSquares(X, mean) / denom;
  const explainedVariance = new Float64Array(d);
  const explainedVarianceRatio = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    const s = singularValues[c];
    explainedVariance[c] = (s * s) / denom;
    explainedVarianceRatio[c] = totalVariance > 0 ? explainedVariance[c] / totalVariance : 0;
  }
  return {
    scores,
    components,
    mean,
    explainedVariance,
    explainedVarianceRatio,
    nComponents: d,
    solver,
  };
}

/**
 * (X − 1μᵀ)·Cᵀ as float32 for components C (d × cols): the scores of the rows of `products`' X.
 *
 * `columns`: X holds only these columns of the basis (ascending; X's column j is the basis's
 * column columns[j]), as csrSelectColumns(rows, csrUsedColumns(rows)) makes them. A night's few
 * thousand new papers use a fraction of a 200k-word vocabulary, and transposing all of C for
 * them (160 MB at 1M papers, then rounded to float32 and copied to the threads) cost more than
 * their product: only the used columns' rows of Cᵀ are gathered. The scores are the same to the
 * bit: the same operand values and entries, in the same order, and the same shift μᵀCᵀ.
 */
export function projectCentred(products: SparseProducts, mean: Float64Array, components: Float64Array, d: number, columns?: Int32Array): Float32Array {
  // transient: the float64 product is only rounded into the result, so it need not be copied first
  if (columns === undefined) return Float32Array.from(centredMultiply(products, mean, transpose(components, d, products.cols), d, true));
  const cols = mean.length;
  if (components.length !== d * cols) throw new RangeError(`projectCentred: components has ${components.length} values, expected ${d} × ${cols}`);
  if (columns.length !== products.cols) throw new RangeError(`projectCentred: ${columns.length} columns listed for a matrix of ${products.cols}`);
  for (let j = 0; j < columns.length; j++) {
    if (!(columns[j]! >= 0 && columns[j]! < cols && (j === 0 || columns[j]! > columns[j - 1]!))) {
      throw new RangeError('projectCentred: columns must be strictly ascending column ids of the basis');
    }
  }
  // centredMultiply's shift μᵀCᵀ (meanScores: the same terms in the same order).
  const shift = meanScores(mean, components, d);
  const gathered = new Float64Array(columns.length * d);
  for (let c = 0; c < d; c++) {
    const o = c * cols;
    for (let j = 0; j < columns.length; j++) gathered[j * d + c] = components[o + columns[j]!]!;
  }
  return Float32Array.from(products.multiply(gathered, d, true, { u: null, v: shift }));
}

/**
 * μᵀCᵀ for components C (d × cols): the score of the mean itself in each component. Component by
 * component, columns ascending, zero means skipped: each entry adds the same terms in the same
 * order as centredMultiply's shift over Cᵀ, reading C row by row (at 1M papers C is 160 MB, and
 * its transpose is what the fold-in projection no longer makes).
 */
export function meanScores(mean: Float64Array, components: Float64Array, d: number): Float64Array {
  const cols = mean.length;
  if (components.length !== d * cols) throw new RangeError(`meanScores: components has ${components.length} values, expected ${d} × ${cols}`);
  const scores = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    const o = c * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const mj = mean[j]!;
      if (mj !== 0) s += mj * components[o + j]!;
    }
    scores[c] = s;
  }
  return scores;
}

/**
 * Checks options up front (scikit-learn style) and fills defaults. nComponents outside
 * [1, min(rows, cols)) is an error, not silently clamped: a caller asking for 100 components of a
 * 50-row corpus has a configuration problem it should hear about.
 */
export function resolvePcaOptions(
  X: CsrMatrix,
  opts: PcaOptions,
): { d: number; oversamples: number; powerIter: number; seed: number; initialBasis?: Float64Array } {
  checkCsr(X);
  const limit = Math.min(X.rows, X.cols);
  const d = opts.nComponents;
  if (!Number.isInteger(d) || d < 1 || d >= limit) {
    throw new RangeError(
      `PCA: nComponents must be an integer in [1, min(rows, cols) - 1] = [1, ${limit - 1}] for a ${X.rows} × ${X.cols} matrix, got ${d}`,
    );
  }
  const oversamples = opts.nOversamples ?? 10;
  if (!Number.isInteger(oversamples) || oversamples < 0) {
    throw new RangeError(`PCA: nOversamples must be a non-negative integer, got ${oversamples}`);
  }
  const powerIter = opts.nPowerIter ?? 4;
  if (!Number.isInteger(powerIter) || powerIter < 0) {
    throw new RangeError(`PCA: nPowerIter must be a non-negative integer, got ${powerIter}`);
  }
  if (!Number.isInteger(opts.seed)) throw new RangeError(`PCA: seed must be an integer, got ${opts.seed}`);
  const basis = opts.initialBasis;
  if (basis !== undefined) {
    const l = Math.min(d + oversamples, limit);
    const w = basis.length / X.cols;
    if (!(basis instanceof Float64Array) || !Number.isInteger(w) || w < 1 || w > l) {
      throw new RangeError(
        `PCA: initialBasis must be a Float64Array of w × cols = w × ${X.cols} values with 1 ≤ w ≤ ${l} (nComponents + nOversamples), got ${basis.length} values`,
      );
    }
    for (let i = 0; i < basis.length; i++) {
      if (!Number.isFinite(basis[i])) throw new RangeError(`PCA: initialBasis has a non-finite value at ${i}`);
    }
  }
  return { d, oversamples, powerIter, seed: opts.seed, initialBasis: basis };
}

function checkCsr(X: CsrMatrix): void {
  if (X.indptr.length !== X.rows + 1) {
    throw new RangeError(`PCA: indptr has length ${X.indptr.length}, expected rows + 1 = ${X.rows + 1}`);
  }
  const nnz = X.indptr[X.rows];
  if (X.indices.length < nnz || X.data.length < nnz) throw new RangeError('PCA: indices/data shorter than indptr says');
  for (let p = 0; p < nnz; p++) {
    if (!Number.isFinite(X.data[p])) throw new RangeError(`PCA: non-finite value at stored entry ${p}`);
  }
}
