// Explained variance of a PCA measured on rows it was not (all) fitted on. A fit on a sample
// reports its sample's variance; the report must show what the components capture of the whole
// corpus, so these figures come from the projected scores of every row instead.
import { centredSumOfSquares } from './pca-centred.ts';
import { csrColumnMeans } from './sparse.ts';
import type { CsrMatrix } from './types.ts';

/**
 * Per component c: the variance of the scores column c over the rows of X (about the column's
 * own mean, so it does not matter which mean the scores were centred on), and that over X's total
 * variance Σ‖x_i − x̄‖² / (rows − 1). The same definitions as PcaResult (pca-result.ts): for the
 * rows a fit was made on, σ_c²/(rows − 1) is exactly the variance of their scores on component c.
 * `scores` is rows × d row-major (float32 as stored; sums run in float64). `mean`: X's column
 * means (csrColumnMeans(X)) when the caller has them already; computed here otherwise.
 */
export function scoreVariance(
  X: CsrMatrix,
  scores: Float32Array,
  d: number,
  mean?: Float64Array,
): { explainedVariance: Float64Array; explainedVarianceRatio: Float64Array } {
  const n = X.rows;
  if (scores.length !== n * d) throw new RangeError(`scoreVariance: ${scores.length} scores for ${n} rows × ${d} components`);
  // One pass: Σs and Σs² per component, then Σ(s − s̄)² = Σs² − (Σs)²/n. The scores are centred
  // on X's column means, so s̄ ≈ 0 and the subtraction cancels nothing (two passes over 75k × 100
  // float32 scores were ~150 ms of the main thread alone).
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let c = 0; c < d; c++) {
      const v = scores[o + c]!;
      sum[c] += v;
      sq[c] += v * v;
    }
  }
  for (let c = 0; c < d; c++) sq[c] = Math.max(0, sq[c]! - (sum[c]! * sum[c]!) / n);
  const denom = Math.max(1, n - 1);
  if (mean && mean.length !== X.cols) throw new RangeError(`scoreVariance: ${mean.length} column means for ${X.cols} columns`);
  const total = centredSumOfSquares(X, mean ?? csrColumnMeans(X)) / denom;
  const explainedVariance = sq.map((s) => s / denom);
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  return { explainedVariance, explainedVarianceRatio };
}
