// Operations on a finished partition: recomputing means,
// guaranteeing that no cluster is empty, and numbering clusters canonically.

import { partitionInertia } from './kmeans-lloyd.ts';

/** Means of the clusters (an empty cluster keeps its `fallback` centre) and the partition's inertia. */
export function meansOf(
  X: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  k: number,
  fallback: Float64Array,
): { centroids: Float64Array; inertia: number } {
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const so = labels[i] * d;
    counts[labels[i]]++;
    for (let t = 0; t < d; t++) sums[so + t] += X[i * d + t];
  }
  const centroids = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < d; t++) centroids[j * d + t] = counts[j] > 0 ? sums[j * d + t] / counts[j] : fallback[j * d + t];
  }
  return { centroids, inertia: partitionInertia(X, n, d, labels, centroids) };
}

/**
 * Makes every one of the k clusters non-empty (needs n ≥ k): each empty cluster, in ascending
 * order, takes the point farthest from its own centre among clusters with at least two members
 * (ties: lowest point index), and both centres become the means again. With duplicate points this
 * is the only way to get k clusters at all; otherwise it is the scikit-learn relocation rule.
 * Returns the inputs unchanged when nothing is empty.
 */
export function fillEmptyClusters(
  X: Float32Array,
  n: number,
  d: number,
  labelsIn: Int32Array,
  centroidsIn: Float64Array,
  k: number,
): { labels: Int32Array; centroids: Float64Array; inertia: number } {
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[labelsIn[i]]++;
  if (counts.every((c) => c > 0)) {
    return { labels: labelsIn, centroids: centroidsIn, inertia: partitionInertia(X, n, d, labelsIn, centroidsIn) };
  }
  if (n < k) throw new RangeError(`fillEmptyClusters: cannot fill ${k} clusters from ${n} points`);
  const labels = Int32Array.from(labelsIn);
  let centroids = centroidsIn;
  for (let j = 0; j < k; j++) {
    if (counts[j] > 0) continue;
    let pick = -1;
    let pickDist = -1;
    for (let i = 0; i < n; i++) {
      if (counts[labels[i]] < 2) continue;
      let s = 0;
      const co = labels[i] * d;
      for (let t = 0; t < d; t++) {
        const diff = X[i * d + t] - centroids[co + t];
        s += diff * diff;
      }
      if (s > pickDist) {
        pickDist = s;
        pick = i;
      }
    }
    counts[labels[pick]]--;
    counts[j]++;
    labels[pick] = j;
    centroids = meansOf(X, n, d, labels, k, centroids).centroids;
  }
  return { labels, centroids, inertia: partitionInertia(X, n, d, labels, centroids) };
}

/**
 * order[newId] = oldId: clusters by size descending, ties by smallest member index (clusters
 * without members last, by old id). Depends only on the partition, not on the old numbers.
 */
export function canonicalOrder(labels: Int32Array, k: number): Int32Array {
  const sizes = new Int32Array(k);
  const first = new Float64Array(k).fill(Infinity);
  for (let i = 0; i < labels.length; i++) {
    const a = labels[i];
    sizes[a]++;
    if (first[a] === Infinity) first[a] = i;
  }
  const ids = Array.from({ length: k }, (_, j) => j);
  ids.sort((a, b) => sizes[b] - sizes[a] || first[a] - first[b] || a - b);
  return Int32Array.from(ids);
}

/** New labels under `order` (order[newId] = oldId). */
export function relabel(labels: Int32Array, order: Int32Array): Int32Array {
  const inverse = new Int32Array(order.length);
  for (let newId = 0; newId < order.length; newId++) inverse[order[newId]] = newId;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = inverse[labels[i]];
  return out;
}
