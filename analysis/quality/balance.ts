export interface SizeBalance {
  min: number; // smallest cluster size
  max: number; // largest cluster size
  ratio: number; // min / max: 1 = equal sizes, 0 = an empty cluster
  entropy: number; // entropy of the size distribution / log k: 1 = equal sizes
  gini: number; // Gini coefficient of the sizes: 0 = equal, → 1 = everything in one cluster
}

/** Documents per cluster (labels outside 0..k-1 are ignored). */
export function clusterSizes(labels: Int32Array | ArrayLike<number>, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`clusterSizes: k must be a positive integer, got ${k}`);
  const sizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c >= 0 && c < k) sizes[c]++;
  }
  return sizes;
}

/**
 * How evenly documents spread over clusters: k-means can collapse into one giant cluster and
 * a few tiny ones (sklearn's docs show sizes [1, 1, 1, 3384]), which these figures expose.
 * Empty clusters count (they are part of k). With k = 1 the entropy is defined as 1.
 */
export function sizeBalance(sizes: ArrayLike<number>): SizeBalance {
  const k = sizes.length;
  if (k === 0) throw new RangeError('sizeBalance: no clusters');
  const sorted = Array.from(sizes).sort((a, b) => a - b);
  if (sorted[0] < 0) throw new RangeError('sizeBalance: sizes must be ≥ 0');
  const total = sorted.reduce((a, b) => a + b, 0);
  const min = sorted[0];
  const max = sorted[k - 1];
  let h = 0;
  for (const s of sorted) if (s > 0) h -= (s / total) * Math.log(s / total);
  // Gini from the sorted sizes: G = Σ (2i − k − 1) x_i / (k Σ x), i = 1..k.
  let weighted = 0;
  sorted.forEach((x, i) => (weighted += (2 * (i + 1) - k - 1) * x));
  return {
    min,
    max,
    ratio: max > 0 ? min / max : 0,
    entropy: total === 0 ? 0 : k === 1 ? 1 : h / Math.log(k),
    gini: total > 0 ? weighted / (k * total) : 0,
  };
}
