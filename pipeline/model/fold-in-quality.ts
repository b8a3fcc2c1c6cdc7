// The fold-in quality signal: how much of the new papers the stored PCA basis can see.
//
// Why this one: folding in loses exactly the part of a new paper that lies outside the stored
// components; k-means never sees it. A new theme (words the basis has no direction for) shows
// up as a lower captured share for the new papers than the basis captured of its own fit
// window, before anything is refitted, from ~300 sparse rows (milliseconds). Inertia per point
// after the warm k-means would also move, but only after the night's cluster work is spent, and
// it mixes a new theme with ordinary drift of the clusters.
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
  const vMu = new Float64Array(d); // Vμ
  for (let c = 0; c < d; c++) {
    let s = 0;
    const o = c * cols;
    for (let j = 0; j < cols; j++) s += components[o + j]! * mean[j]!;
    vMu[c] = s;
  }
  let captured = 0;
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
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
      let s = 0;
      const o = c * cols;
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! * components[o + X.indices[p]!]!;
      const y = s - vMu[c]!;
      captured += y * y;
    }
    total += xSq - 2 * xMu + muSq;
  }
  return total > 0 ? captured / total : NaN;
}
