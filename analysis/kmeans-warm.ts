// Initial centroids for a warm-started k-means: the means of tonight's points grouped by last
// night's clusters. PCA coordinates change from one fit to the next (the basis moves), but which
// papers were together does not, so the centres are recomputed in tonight's space from the old
// grouping instead of carrying old coordinates over.

/**
 * k × d centroids (float32, as fitKMeans' `initialCentroids` takes them) from a grouping of the
 * rows of X (n × d): `groups[i]` in [0, k) is row i's previous cluster, −1 for a row that has none
 * (a paper new tonight). A group with no row left (all its papers fell out of the window) gets,
 * in ascending group order, the row farthest from its nearest centre so far (ties: lowest row
 * index), the same rule k-means uses to re-seed an empty cluster (with fewer than k distinct
 * points two centres may coincide; Lloyd then re-seeds the one left empty). `missing` lists those
 * groups. Throws RangeError on invalid input.
 */
export function centroidsFromGrouping(
  X: Float32Array,
  n: number,
  d: number,
  groups: Int32Array,
  k: number,
): { centroids: Float32Array; missing: number[] } {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1 || X.length !== n * d) {
    throw new RangeError(`centroidsFromGrouping: array length ${X.length} does not match ${n} × ${d}`);
  }
  if (groups.length !== n) throw new RangeError(`centroidsFromGrouping: ${groups.length} groups for ${n} rows`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`centroidsFromGrouping: k must be an integer in [1, ${n}], got ${k}`);

  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (g === -1) continue;
    if (!Number.isInteger(g) || g < 0 || g >= k) throw new RangeError(`centroidsFromGrouping: group ${g} of row ${i} is not in [0, ${k}) or −1`);
    counts[g]++;
    for (let t = 0; t < d; t++) sums[g * d + t] += X[i * d + t];
  }
  const centroids = new Float32Array(k * d);
  const missing: number[] = [];
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) {
      missing.push(j);
      continue;
    }
    for (let t = 0; t < d; t++) centroids[j * d + t] = sums[j * d + t] / counts[j];
  }
  if (missing.length === 0) return { centroids, missing };

  // Farthest-point seeding of the missing groups against the centres we have. With no centre at
  // all (no surviving paper), start from row 0 like a deterministic k-means++ without sampling.
  const nearest = new Float64Array(n).fill(Infinity);
  const have = (j: number): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[i * d + t] - centroids[j * d + t];
        s += diff * diff;
      }
      if (s < nearest[i]) nearest[i] = s;
    }
  };
  for (let j = 0; j < k; j++) if (counts[j] > 0) have(j);
  for (const j of missing) {
    let pick = 0;
    if (missing.length < k || j !== missing[0]) {
      pick = -1;
      for (let i = 0; i < n; i++) if (pick < 0 || nearest[i] > nearest[pick]) pick = i;
    }
    for (let t = 0; t < d; t++) centroids[j * d + t] = X[pick * d + t];
    have(j);
  }
  return { centroids, missing };
}
