// The fold-in quality signal: how much of the new papers the stored PCA basis can see.
//
// Why this one: folding in loses exactly the part of a new paper that lies outside the stored
// components; k-means never sees it. A new theme (words the basis has no direction for) shows
// up as a lower captured share for the new papers than the basis captured of its own fit
// window, before anything is refitted, from ~300 sparse rows (milliseconds). Inertia per point
// after the warm k-means would also move, but only after the night's cluster work is spent, and
// it mixes a new theme with ordinary drift of the clusters.
import { meanScores } from '../../analysis/pca-result.ts';
import type { CsrMatrix } from '../../analysis/types.ts';

/**
 * Σ‖V(x_i − μ)‖² / Σ‖x_i − μ‖² over the given rows of X: the share of their centred squared
 * norm the components V (d × cols, orthonormal rows) capture. NaN for no rows or zero norm.
 */
export function capturedShare(X: CsrMatrix, rows: ArrayLike<number>, mean: Float64Array, components: Float64Array, d: number): number {
  const cols = X.cols;
  if (mean.length !== cols || components.length !== d * cols) {
    throw new RangeError(`capturedShare: mean (${mean.length}) and components (${components.length}) do not fit ${cols} columns × ${d} components`);
  }
  let muSq = 0;
  for (let j = 0; j < cols; j++) muSq += mean[j]! * mean[j]!;
  const vMu = meanScores(mean, components, d); // Vμ
  let captured = 0;
  let total = 0;
  // V·x for a block of rows at a time, one component after the other: the rows' words then read
  // one component's row of V (cols doubles, in cache) instead of d rows of V a word apart (at 1M
  // papers V is 160 MB, and 2,904 new rows took 3.8 s of cache misses that way). Each product
  // and the sums are taken in the same order as row by row, so the share is the same to the bit.
  const block = Math.max(1, Math.min(rows.length, CAPTURED_BLOCK_ROWS));
  const y = new Float64Array(block * d);
  for (let r0 = 0; r0 < rows.length; r0 += block) {
    const r1 = Math.min(rows.length, r0 + block);
    for (let c = 0; c < d; c++) {
      const o = c * cols;
      for (let r = r0; r < r1; r++) {
        const i = rows[r]!;
        let s = 0;
        for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! * components[o + X.indices[p]!]!;
        y[(r - r0) * d + c] = s - vMu[c]!;
      }
    }
    for (let r = r0; r < r1; r++) {
      const i = rows[r]!;
      let xSq = 0;
      let xMu = 0;
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
        const j = X.indices[p]!;
        const v = X.data[p]!;
        xSq += v * v;
        xMu += v * mean[j]!;
      }
      for (let c = 0; c < d; c++) {
        const v = y[(r - r0) * d + c]!;
        captured += v * v;
      }
      total += xSq - 2 * xMu + muSq;
    }
  }
  return total > 0 ? captured / total : NaN;
}

/** Rows whose projections capturedShare holds at once (4,096 × 100 components: 3.3 MB). */
const CAPTURED_BLOCK_ROWS = 4096;
