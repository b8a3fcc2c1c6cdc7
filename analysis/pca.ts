// PCA of a sparse matrix without densifying it: Halko, Martinsson & Tropp (2011) randomized SVD
// of the implicitly centred matrix X̃ = X − 1μᵀ (rows = documents, cols = terms).

import { choleskyQr, choleskyQr2, GRAM_ROW_BLOCK, gramMatrix, multiplyTallBySmall, orthonormalize, symmetricEigen, type TallKernels } from './linalg.ts';
import { poolTallKernels } from './parallel/dense-kernels.ts';
import { collectGarbage } from './parallel/collect.ts';
import { centredMultiply, centredTransposeMultiply } from './pca-centred.ts';
import { EXACT_PCA_MAX_CELLS, exactPca } from './pca-exact.ts';
import { PROJECTION_BLOCK_ROWS, projectRowBlocks } from './pca-row-blocks.ts';
import { assemblePcaResult, type PcaOptions, type PcaResult, projectCentred, resolvePcaOptions } from './pca-result.ts';
import { parallelSparseProducts, wasmScratch } from './parallel/parallel-sparse-products.ts';
import type { WorkerPool } from './parallel/pool.ts';
import { isShared, SharedScratch } from './parallel/shared.ts';
import { createRandom, gaussian, randomSigns } from './random.ts';
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
  if (X.rows * X.cols <= Math.min(EXACT_PCA_AUTO_MAX_CELLS, EXACT_PCA_MAX_CELLS)) {
    const exact = exactPca(X, opts.nComponents); // small: its scores cost nothing worth skipping
    return opts.skipScores ? { ...exact, scores: new Float32Array(0) } : exact;
  }
  if (pool && pool.threads > 1) {
    const { d, oversamples } = resolvePcaOptions(X, opts);
    // A full collection of this thread first: what earlier work left (arXiv: ~80 MB of
    // vectorize's temporaries) would otherwise still be in memory while the fit's shared memory
    // is first touched, and that moment set the run's peak. Measured on arXiv, 3 alternating
    // pairs: peak RSS 924–971 → 875–906 MB; reduce within noise (the collection takes ~60 ms).
    collectGarbage();
    // One set of shared buffers for both kinds of kernel, in WebAssembly memory when it fits.
    const scratch = wasmScratch(X, Math.min(d + oversamples, X.rows, X.cols));
    reservePcaScratch(scratch, X, opts);
    const products = parallelSparseProducts(X, pool, scratch);
    try {
      return randomizedPca(X, opts, products, poolTallKernels(pool, scratch));
    } finally {
      // Nothing here outlives the fit: drop the shared copies of X and Xᵀ and the scratch now,
      // so the next stage does not start with them still referenced.
      scratch.release();
      products.release?.(); // also has the workers collect, after the scratch is dropped too
    }
  }
  return randomizedPca(X, opts, serialSparseProducts(X));
}

/**
 * Sizes each scratch role for the largest block the randomized solver asks of it (a tall block of
 * max(rows, cols) × l; the projection's rows × d is smaller), so every later request is a view of
 * one buffer instead of a new shared buffer per shape.
 */
function reservePcaScratch(scratch: SharedScratch, X: CsrMatrix, opts: PcaOptions): void {
  const { d, oversamples } = resolvePcaOptions(X, opts);
  const l = Math.min(d + oversamples, X.rows, X.cols);
  const tall = Math.max(X.rows, X.cols) * l;
  scratch.reserve('out', tall * 8);
  scratch.reserve('in', tall * 8);
  scratch.reserve('in32', tall * 4);
  scratch.reserve('partials', Math.ceil(Math.max(X.rows, X.cols) / GRAM_ROW_BLOCK) * l * l * 8);
}

/**
 * Scores of new rows in an existing fit: (X − 1μᵀ)·Vᵀ with the fit's mean μ and components V,
 * i.e. exactly the numbers fitPca's `scores` hold for the rows it was fitted on (same kernel,
 * same arithmetic). X must have the fit's columns (same vocabulary, same order). With a `pool`
 * of more than one thread the product runs in parallel (bit-identical).
 */
export function projectOntoPca(pca: PcaResult, X: CsrMatrix, pool?: WorkerPool, blockRows = PROJECTION_BLOCK_ROWS): Float32Array {
  const d = pca.nComponents;
  if (pca.mean.length !== X.cols || pca.components.length !== d * X.cols) {
    throw new RangeError(`projectOntoPca: the fit has ${pca.mean.length} columns, X has ${X.cols}`);
  }
  if (X.indptr.length !== X.rows + 1) throw new RangeError(`projectOntoPca: indptr has length ${X.indptr.length}, expected ${X.rows + 1}`);
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new RangeError(`projectOntoPca: blockRows must be a positive integer, got ${blockRows}`);
  if (X.rows === 0) return new Float32Array(0);
  // A large window a block of rows at a time (pca-row-blocks.ts: the same scores, less memory).
  if (X.rows > blockRows) return projectRowBlocks(X, pca.mean, pca.components, d, blockRows, pool);
  const products = pool && pool.threads > 1 ? parallelSparseProducts(X, pool, wasmScratch(X, d)) : serialSparseProducts(X);
  try {
    return projectCentred(products, pca.mean, pca.components, d);
  } finally {
    // The shared copy of X and the scratch go now in the workers; this thread only collects its
    // young generation. Its full collection (~60–100 ms on arXiv, the pipeline's whole heap) was
    // the price of freeing them here at once, which matters before a large allocation (the end
    // of a fit, before this projection) but not after it: measured on arXiv in two sets of
    // alternating runs, reduce median 3.15 → 2.85 s and 3.0 → 2.85 s, the run's peak RSS within
    // noise (the memory goes at the next full collection V8 starts, during cluster, whose own
    // peak is ~250 MB lower).
    products.release?.('young');
  }
}

/**
 * Randomized PCA, sketching the smaller side: the right singular subspace (the term side) when
 * there are at least as many rows as columns, as below, else the left one (leftFit: a fit on a
 * sample of papers is narrower than its vocabulary). With l = d + p (capped at min(rows, cols)):
 *
 *   Q = Ω                        Ω: cols × l random signs from createRandom(seed) (or a warm start)
 *   q times: Q = orth(X̃ᵀ(X̃Q))   power iteration on X̃ᵀX̃
 *   Y = X̃Q;  YᵀY = W Λ Wᵀ;  V = Q·W[:, :d],  σ = √λ   (Rayleigh–Ritz)
 *
 * V then comes from a degree-(2q+1) polynomial in X̃ applied to Ω, the same as scikit-learn's
 * randomized_svd with n_iter = q, for the same 2q + 2 sparse products. (Text spectra are flat,
 * so q matters: on arXiv the top-100 variance ratio is 0.0717 / 0.0985 / 0.1047 / 0.1069 for
 * q = 1 / 2 / 3 / 4.)
 *
 * Orthonormalisation costs as much as a sparse product here (rows·l² against nnz·l, with fewer
 * stored entries per row than l), so it is done only as far as each step needs:
 *  - Ω is used as drawn: a random block is already well conditioned (cond ≈ 1.1 at 49k × 110)
 *    and the power step only needs a basis, not an orthonormal one.
 *  - every second power step, one Cholesky-QR round on the cols × l block; the steps between
 *    only scale the columns to unit length. Two steps from an orthonormal Q give
 *    cond(X̃ᵀX̃X̃ᵀX̃Q) ≤ (σ₁/σ_l)⁴ (arXiv: σ₁²/σ₁₀₀² ≈ 11, so ~150), small enough for one round to
 *    leave Q orthonormal to ~ε·cond², and for the float32-rounded operand of the sparse products
 *    to keep the weak directions to ~1e-5; the span is the same as with a round every step.
 *    Measured on arXiv (q = 4): explained variance 0.106072021 either way, reduce CPU −18 %
 *    (a round costs a Gram matrix and a triangular product over 49k × 110, as much as a sparse
 *    product). Orthonormalising only before Rayleigh–Ritz kept the variance as well but lets the
 *    condition number grow as (σ₁/σ_l)^(4q) on steeper spectra.
 *  - before the Rayleigh–Ritz step, Cholesky-QR2 (orthonormal to machine precision).
 *  - the rows × l block between the two products of a step is not orthonormalised at all.
 * When Cholesky fails (cond beyond ~3e6) that step is redone the textbook way (orth(X̃Q) first,
 * with a Householder fallback), so accuracy never rests on the shortcut.
 *
 * `products` lets a caller swap in parallel sparse products bound to the same X, and `kernels`
 * parallel dense kernels; neither changes the result (see linalg.ts on the Gram matrix order).
 * With opts.skipScores the products are released once the basis is found.
 */
export function randomizedPca(
  X: CsrMatrix,
  opts: PcaOptions,
  products: SparseProducts = serialSparseProducts(X),
  kernels?: TallKernels,
): PcaResult {
  const { d, oversamples, powerIter, seed, initialBasis } = resolvePcaOptions(X, opts);
  if (products.rows !== X.rows || products.cols !== X.cols) {
    throw new RangeError(`randomizedPca: products are bound to a ${products.rows} × ${products.cols} matrix, X is ${X.rows} × ${X.cols}`);
  }
  const m = X.rows;
  const n = X.cols;
  const l = Math.min(d + oversamples, m, n);
  const mean = csrColumnMeans(X);

  // Each step is its own function, and Q is passed on without a local, so that the tall blocks
  // (Ω, Q, X̃Q, X̃ᵀX̃Q: 40–70 MB each on arXiv) are garbage once their step returns, not still
  // held by this frame while the scores are built.
  const problem: SketchProblem = { products, mean, m, n, l, d, powerIter, seed, initialBasis, kernels };
  const fit = m < n ? leftFit(problem) : rightFit(problem);
  // Without scores nothing below needs the products: released now, before the components are
  // built. Pooled products collect garbage in every thread when released (collect.ts), which
  // also frees the fit's dead tall blocks; a collection after assembling came too late for
  // the run's peak memory, which was reached right here (arXiv's 50k-paper fit: ~5 dead blocks
  // of 43 MB beside the new components).
  if (opts.skipScores) products.release?.();
  return assemblePcaResult(X, products, mean, fit.v, fit.singular, d, 'randomized', opts.skipScores);
}

/** What either side's fit reads: the products with X, its column means, the sizes and the options. */
interface SketchProblem {
  products: SparseProducts;
  mean: Float64Array;
  m: number;
  n: number;
  l: number;
  d: number;
  powerIter: number;
  seed: number;
  initialBasis: Float64Array | undefined;
  kernels: TallKernels | undefined;
}

/**
 * The sketch of the right singular subspace (the term side, cols × l blocks): see randomizedPca.
 * Dead cols × l blocks are reused for later results (TallBlockSpares).
 */
function rightFit(problem: SketchProblem): { v: Float64Array; singular: Float64Array } {
  const { products, mean, m, n, l, d, powerIter, seed, initialBasis, kernels } = problem;
  const side = rightSide(products, mean);
  const spares = new TallBlockSpares(n * l);
  let q = testMatrix(n, l, seed, initialBasis, kernels); // Ω, replaced step by step (no other reference keeps it alive)
  if (powerIter === 0) q = orthonormalize(q, n, l, kernels).q; // Rayleigh–Ritz below needs it orthonormal
  // Ω in the kernels' reused operand buffer (testMatrix: shared memory) is overwritten by the
  // first orthonormalisation; a first step that is a full powerStep may fall back to the
  // textbook way, which reads its q again, so it gets a private copy.
  else if (powerIter % 2 === 1 && isShared(q)) q = q.slice();
  q = rangeFinder(side, q, l, powerIter, kernels, spares);
  products.releaseTranspose?.(); // the last Xᵀ product of the fit
  const fit = ritzVectors(products, mean, q, m, n, l, d, kernels, spares);
  spares.clear(); // garbage from here on
  return fit;
}

/**
 * The sketch of the left singular subspace (the document side, rows × l blocks), for a matrix
 * with fewer rows than columns, as scikit-learn's randomized_svd does (transpose='auto'): a fit
 * on a sample of 20,000 papers against a vocabulary of 49k terms (arXiv) or 200k (a million
 * papers) orthonormalises blocks 2.5–10× smaller. Same sparse products, one more: Y = X̃Ω, then q
 * steps Y ← orth(X̃(X̃ᵀY)) on the schedule of the right side, then B = X̃ᵀQ (cols × l), whose
 * Gram matrix BᵀB = W Λ Wᵀ gives V = B·W·Λ^(-1/2) (its top d columns) and σ = √λ. V spans
 * X̃ᵀ(X̃X̃ᵀ)^q X̃Ω = (X̃ᵀX̃)^(q+1) Ω: one power more than the right side's for the extra product.
 * Its columns are orthonormal to ~ε·(σ₁/σ_d)²; when a kept σ is too small for that (a matrix of
 * rank below d), the right side is fitted instead.
 */
function leftFit(problem: SketchProblem): { v: Float64Array; singular: Float64Array } {
  const { products, mean, m, n, l, d, powerIter, seed, initialBasis, kernels } = problem;
  const spares = new TallBlockSpares(m * l);
  // Y = X̃Ω copied out of the products' buffer (Ω may be in the kernels' reused operand buffer).
  let y = centredMultiply(products, mean, testMatrix(n, l, seed, initialBasis, kernels), l);
  if (powerIter === 0) y = orthonormalize(y, m, l, kernels).q;
  const q = rangeFinder(leftSide(products, mean), y, l, powerIter, kernels, spares);
  spares.clear();
  const b = centredTransposeMultiply(products, mean, q, l); // cols × l, read twice below
  products.releaseTranspose?.(); // the last Xᵀ product of the fit
  const { values, vectors } = symmetricEigen(gramMatrix(b, n, l, kernels), l);
  const singular = new Float64Array(d);
  for (let c = 0; c < d; c++) singular[c] = Math.sqrt(Math.max(0, values[c]));
  if (!(singular[d - 1] > singular[0] * LEFT_MIN_SINGULAR_RATIO)) {
    return rightFit(problem);
  }
  const wScaled = new Float64Array(l * d);
  for (let i = 0; i < l; i++) for (let c = 0; c < d; c++) wScaled[i * d + c] = vectors[i * l + c] / singular[c];
  return { v: multiplyTallBySmall(b, n, l, wScaled, d, false, kernels), singular };
}

/**
 * Below this σ_d / σ₁ the left side's V = B·W·Λ^(-1/2) is not orthonormal to working precision
 * (its error grows as ε·(σ₁/σ_d)²: ~1e-8 here), and the fit falls back to the right side.
 */
const LEFT_MIN_SINGULAR_RATIO = 1e-4;

/**
 * The centred operator a range finder iterates: `apply` maps a size × l block of the sketched
 * side to other × l, `applyBack` maps it back (X̃ and X̃ᵀ, in the order of the side).
 */
interface SketchSide {
  size: number;
  other: number;
  /** With `transient` the result may be the products' buffer (consumed before the next product). */
  apply(q: Float64Array, l: number, transient: boolean): Float64Array;
  applyBack(a: Float64Array, l: number, into?: Float64Array): Float64Array;
}

/** The term side: blocks are cols × l, apply = X̃·, applyBack = X̃ᵀ·. */
function rightSide(products: SparseProducts, mean: Float64Array): SketchSide {
  return {
    size: products.cols,
    other: products.rows,
    apply: (q, l, transient) => centredMultiply(products, mean, q, l, transient),
    applyBack: (a, l, into) => centredTransposeMultiply(products, mean, a, l, into),
  };
}

/** The document side: blocks are rows × l, apply = X̃ᵀ·, applyBack = X̃·. */
function leftSide(products: SparseProducts, mean: Float64Array): SketchSide {
  return {
    size: products.rows,
    other: products.cols,
    apply: (q, l, transient) => centredTransposeMultiply(products, mean, q, l, undefined, transient),
    applyBack: (a, l, into) => centredMultiply(products, mean, a, l, false, into),
  };
}

/** The power iterations: an orthonormal size × l basis Q of the side's dominant subspace, from the start block q. */
function rangeFinder(
  side: SketchSide,
  q: Float64Array, // replaced step by step (no other reference keeps the start block alive)
  l: number,
  powerIter: number,
  kernels: TallKernels | undefined,
  spares: TallBlockSpares,
): Float64Array {
  for (let it = 0; it < powerIter; it++) {
    // Orthonormalised on the last step and every second one before it (see the header).
    const stepsLeft = powerIter - 1 - it;
    const previous = q;
    q = stepsLeft % 2 === 0 ? powerStep(side, q, l, stepsLeft === 0, kernels, spares) : scaledPowerStep(side, q, l, spares.take());
    spares.give(previous); // read by its step only
  }
  return q;
}

/**
 * Dead cols × l blocks (an earlier Q, X̃ᵀX̃Q) that later steps write their results into. Each
 * step used to leave one or two new blocks behind (43 MB each on arXiv), freed only by the next
 * full collection, which V8 starts by how much memory was allocated outside its heap since the
 * last: at the end of the fit, the run's peak memory, five of them were garbage. Reusing them
 * allocates 5 blocks instead of 8 and put off most of those collections (arXiv: the fit's peak
 * RSS ~950 → ~930 MB). Only ordinary arrays are kept, never a view of shared scratch (Ω can be one).
 */
class TallBlockSpares {
  private readonly blocks: Float64Array[] = [];
  constructor(private readonly length: number) {}
  /** Lets go of every block. */
  clear(): void {
    this.blocks.length = 0;
  }
  /** A block to overwrite, if one is spare. */
  take(): Float64Array | undefined {
    return this.blocks.pop();
  }
  /** Gives back a block nobody reads any more; kept only if it is an ordinary array of its own. */
  give(a: Float64Array): void {
    if (a.length === this.length && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.buffer.byteLength === a.byteLength && this.blocks.length < 2) this.blocks.push(a);
  }
}

/**
 * One power step, Q ← orth(A(ÃQ)) with A the side's applyBack and Ã its apply (X̃ᵀ(X̃Q) on the
 * right side; Cholesky-QR2 on the `last` one), in its own function so that the product is garbage
 * when it returns (a loop body's locals can stay reachable from the frame until they are
 * overwritten).
 */
function powerStep(side: SketchSide, q: Float64Array, l: number, last: boolean, kernels: TallKernels | undefined, spares: TallBlockSpares): Float64Array {
  const n = side.size;
  // ÃQ is consumed by the next product alone, so it may stay in the products' buffer (transient).
  const z = side.applyBack(side.apply(q, l, true), l, spares.take());
  const into = spares.take(); // never z: a block is taken once
  // The last step's two Cholesky-QR rounds write into `into` and then into z, which nothing
  // reads after the first round: no temporary block at what was the fit's peak memory.
  const fast = last ? choleskyQr2(z, n, l, kernels, into, true) : choleskyQr(z, n, l, kernels, into);
  // Whichever of z and `into` does not hold Q is dead now (both, when Cholesky failed).
  if (into && fast?.q !== into) spares.give(into);
  if (fast?.q !== z) spares.give(z);
  if (fast) return fast.q;
  // The textbook way needs ÃQ itself: recomputed (the same numbers), not kept on the fast path.
  const qm = orthonormalize(side.apply(q, l, false), side.other, l, kernels).q;
  return orthonormalize(side.applyBack(qm, l), n, l, kernels).q;
}

/** A(ÃQ) with unit-length columns: same span as powerStep's, without the orthonormalisation. */
function scaledPowerStep(side: SketchSide, q: Float64Array, l: number, into?: Float64Array): Float64Array {
  const n = side.size;
  const z = side.applyBack(side.apply(q, l, true), l, into);
  const norm2 = new Float64Array(l);
  for (let j = 0; j < n; j++) for (let c = 0, o = j * l; c < l; c++) norm2[c] += z[o + c] * z[o + c];
  const inv = norm2.map((v) => (v > 0 ? 1 / Math.sqrt(v) : 0));
  for (let j = 0; j < n; j++) for (let c = 0, o = j * l; c < l; c++) z[o + c] *= inv[c];
  return z;
}

/**
 * Rayleigh–Ritz: the SVD of X̃Q from the eigendecomposition of its l × l Gram matrix, giving the
 * top d right singular vectors (cols × d) and singular values. Squaring costs accuracy only in σ
 * below √ε·σ₁, far under any component worth keeping.
 */
function ritzVectors(
  products: SparseProducts,
  mean: Float64Array,
  q: Float64Array,
  m: number,
  n: number,
  l: number,
  d: number,
  kernels: TallKernels | undefined,
  spares: TallBlockSpares,
): { v: Float64Array; singular: Float64Array } {
  const { values, vectors } = symmetricEigen(gramMatrix(centredMultiply(products, mean, q, l, true), m, l, kernels), l); // X̃Q: consumed by the Gram matrix alone
  const wTop = new Float64Array(l * d);
  for (let i = 0; i < l; i++) for (let c = 0; c < d; c++) wTop[i * d + c] = vectors[i * l + c];
  const spare = spares.take(); // d ≤ l: the first cols × d values of a dead block
  const v = multiplyTallBySmall(q, n, l, wTop, d, false, kernels, spare && new Float64Array(spare.buffer, 0, n * d)); // cols × d, right singular vectors
  const singular = new Float64Array(d);
  for (let c = 0; c < d; c++) singular[c] = Math.sqrt(Math.max(0, values[c]));
  return { v, singular };
}

/**
 * From this many columns on the test matrix is random signs. Two sign columns of length n are
 * equal (or opposite) with probability 2^(1-n), which would cost the sketch a direction for good
 * when l is all the columns there are; Gaussian columns never are, and below this size they cost
 * little (4,096 × 110 entries: ~35 ms).
 */
const SIGN_MIN_COLS = 4096;

/**
 * The cols × l starting block, scaled by 1/√cols (unit length in expectation, like the columns of
 * a warm start): random signs from createRandom(seed) (random.ts: randomSigns), or Gaussian
 * entries below SIGN_MIN_COLS columns. The first w columns are replaced by the w directions of
 * `initialBasis` (w × cols) when given; the random block is drawn in full either way, so the
 * padding columns do not depend on w. With `kernels` that lend a buffer, the signs are written
 * into it (see rightFit): a new cols × l array cost page faults and a collection (~0.1 s of the
 * main thread on arXiv, profiled).
 */
function testMatrix(n: number, l: number, seed: number, initialBasis?: Float64Array, kernels?: TallKernels): Float64Array {
  const scale = 1 / Math.sqrt(n);
  let omega: Float64Array;
  if (n >= SIGN_MIN_COLS) omega = randomSigns(seed, kernels?.operandBuffer?.(n * l) ?? new Float64Array(n * l), scale);
  else {
    const random = createRandom(seed);
    omega = new Float64Array(n * l);
    for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random) * scale;
  }
  if (initialBasis) {
    const w = initialBasis.length / n;
    for (let c = 0; c < w; c++) for (let j = 0; j < n; j++) omega[j * l + c] = initialBasis[c * n + j];
  }
  return omega;
}
