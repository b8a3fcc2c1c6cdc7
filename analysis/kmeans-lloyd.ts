// Lloyd's k-means iterations from given initial centroids, with Elkan (2003) or Hamerly (2010) bounds to skip
// points whose assignment provably cannot change. Skipping only ever avoids work: every point
// that is (re)assigned goes through the same full argmin as plain Lloyd, and the bounds carry a
// safety margin far above floating-point error, so `useBounds: true` and `false` return
// identical labels, centroids, inertia and iteration counts.
//
// Conventions shared with the rest of the k-means code:
//  - assignment distance: ‖x‖² − 2x·c + ‖c‖² in float64, argmin with ties to the lowest index;
//  - centroids are float64 means of their members, summed in point order and divided by the count;
//  - inertia is Σ‖x − c_label‖² summed directly (no expansion, so no cancellation);
//  - an empty cluster is re-seeded with the point farthest from its centroid (scikit-learn).

export interface LloydOptions {
  maxIter: number;
  /** Stop when the relative inertia decrease (prev − cur) / prev is ≤ tol. */
  tol: number;
  /**
   * Distance bounds that let points skip distance computations: 'elkan' (one lower bound per
   * point and centre; prunes best in ~100-d), 'hamerly' (one lower bound per point; less memory),
   * 'none' (plain Lloyd, the reference). Default: 'elkan' while n·k ≤ ELKAN_MAX_BOUNDS, else 'hamerly'.
   */
  bounds?: 'elkan' | 'hamerly' | 'none';
}

/** Most n·k lower bounds Elkan's variant keeps (8 bytes each: 80 MB). */
export const ELKAN_MAX_BOUNDS = 10_000_000;

export interface LloydResult {
  labels: Int32Array;
  /** k × d, float64 means of the final partition. */
  centroids: Float64Array;
  inertia: number;
  iterations: number;
  /** True when an iteration changed no label (a fixed point), false when stopped by tol or maxIter. */
  converged: boolean;
  /** Points skipped thanks to the bounds, summed over iterations (diagnostic only). */
  skipped: number;
}

/** Runs Lloyd iterations on X (n × d row-major) from `initial` (k × d). */
export function lloyd(
  X: Float32Array,
  n: number,
  d: number,
  initial: Float64Array,
  k: number,
  opts: LloydOptions,
): LloydResult {
  const mode = opts.bounds ?? (n * k <= ELKAN_MAX_BOUNDS ? 'elkan' : 'hamerly');
  const useBounds = mode !== 'none';
  const elkan = mode === 'elkan';
  const lowerAll = new Float64Array(elkan ? n * k : 0); // Elkan: lower bound of ‖x_i − c_j‖ at i·k + j
  const centreGap = new Float64Array(elkan ? k * k : 0); // Elkan: ½‖c_a − c_b‖
  let centroids = Float64Array.from(initial);
  const labels = new Int32Array(n).fill(-1);
  const xNorm2 = rowSquaredNorms(X, n, d);
  let maxNorm2 = 0;
  for (let i = 0; i < n; i++) if (xNorm2[i] > maxNorm2) maxNorm2 = xNorm2[i];
  // Distances are computed to within ~4e-8·max‖x‖ (square root of the expanded form's rounding);
  // a margin 25× larger keeps bound-based skipping exact.
  const margin = 1e-6 * Math.sqrt(maxNorm2) + 1e-300;
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  let boundsValid = false;

  const cNorm2 = new Float64Array(k);
  const halfGap = new Float64Array(k);
  const dists = new Float64Array(k);
  const dists2 = new Float64Array(k);
  const pending = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const movement = new Float64Array(k);

  let prevInertia = Infinity;
  let inertia = Infinity;
  let iterations = 0;
  let converged = false;
  let skipped = 0;

  // Nearest centre from a row of squared distances (ties: lowest index); refreshes the bounds.
  // Returns 1 when the label changed.
  // Elkan's assignment of one point: a centre j is measured only when neither its lower bound
  // nor half its distance to the current best centre shows it to be farther (by 2·margin) than
  // the best. Measured candidates compare by squared distance with ties to the lowest index,
  // which is exactly plain Lloyd's argmin. Returns 1 when the label changed.
  const elkanAssign = (i: number): number => {
    const a = labels[i];
    if (upper[i] + margin < halfGap[a] - margin) {
      skipped++;
      return 0;
    }
    const lo = i * k;
    const xo = i * d;
    let best = a;
    let bestD2 = 0;
    let tight = false;
    for (let j = 0; j < k; j++) {
      if (j === best) continue;
      const z = Math.max(lowerAll[lo + j], centreGap[best * k + j]) - margin;
      if (upper[i] + margin < z) continue;
      if (!tight) {
        bestD2 = xNorm2[i] - 2 * dotAt(X, xo, centroids, a * d, d) + cNorm2[a];
        upper[i] = Math.sqrt(Math.max(0, bestD2));
        lowerAll[lo + a] = upper[i];
        tight = true;
        if (upper[i] + margin < z) continue;
      }
      const dj = xNorm2[i] - 2 * dotAt(X, xo, centroids, j * d, d) + cNorm2[j];
      lowerAll[lo + j] = Math.sqrt(Math.max(0, dj));
      if (dj < bestD2 || (dj === bestD2 && j < best)) {
        best = j;
        bestD2 = dj;
        upper[i] = lowerAll[lo + j];
      }
    }
    if (!tight) skipped++;
    if (best === a) return 0;
    labels[i] = best;
    return 1;
  };

  const settle = (i: number, row: Float64Array): number => {
    let best = 0;
    let bestD = row[0];
    let second = Infinity;
    for (let j = 1; j < k; j++) {
      const dj = row[j];
      if (dj < bestD) {
        second = bestD;
        bestD = dj;
        best = j;
      } else if (dj < second) {
        second = dj;
      }
    }
    upper[i] = Math.sqrt(Math.max(0, bestD));
    lower[i] = Math.sqrt(Math.max(0, second));
    if (elkan) for (let j = 0, o = i * k; j < k; j++) lowerAll[o + j] = Math.sqrt(Math.max(0, row[j]));
    if (best === labels[i]) return 0;
    labels[i] = best;
    return 1;
  };

  while (iterations < opts.maxIter) {
    iterations++;
    for (let j = 0; j < k; j++) cNorm2[j] = squaredNormAt(centroids, j * d, d);
    if (boundsValid) halfMinCentroidGap(centroids, k, d, halfGap, centreGap);

    // Assignment step. Points the bounds cannot settle are queued and then measured two at a
    // time against all centres (each centre value loaded once per pair).
    let changed = 0;
    let queued = 0;
    for (let i = 0; i < n; i++) {
      if (boundsValid && elkan) {
        changed += elkanAssign(i);
        continue;
      }
      if (boundsValid) {
        const a = labels[i];
        const bound = Math.max(halfGap[a], lower[i]) - margin;
        if (upper[i] + margin < bound) {
          skipped++;
          continue;
        }
        upper[i] = Math.sqrt(Math.max(0, xNorm2[i] - 2 * dotAt(X, i * d, centroids, a * d, d) + cNorm2[a]));
        if (upper[i] + margin < bound) {
          skipped++;
          continue;
        }
      }
      pending[queued++] = i;
    }
    let q = 0;
    for (; q + 2 <= queued; q += 2) {
      const i0 = pending[q];
      const i1 = pending[q + 1];
      squaredDistancesToAllPair(X, i0 * d, i1 * d, xNorm2[i0], xNorm2[i1], centroids, cNorm2, k, d, dists, dists2);
      changed += settle(i0, dists);
      changed += settle(i1, dists2);
    }
    if (q < queued) {
      const i = pending[q];
      squaredDistancesToAll(X, i * d, xNorm2[i], centroids, cNorm2, k, d, dists);
      changed += settle(i, dists);
    }

    // Update step.
    const { next, relocated } = updateCentroids(X, n, d, k, labels, centroids, sums, counts);

    if (useBounds && !relocated) {
      let maxMove = 0;
      let maxMoveAt = -1;
      let secondMove = 0;
      for (let j = 0; j < k; j++) {
        movement[j] = Math.sqrt(squaredDistanceBetween(centroids, j * d, next, j * d, d));
        if (movement[j] > maxMove) {
          secondMove = maxMove;
          maxMove = movement[j];
          maxMoveAt = j;
        } else if (movement[j] > secondMove) {
          secondMove = movement[j];
        }
      }
      for (let i = 0; i < n; i++) {
        const a = labels[i];
        upper[i] += movement[a];
        lower[i] -= a === maxMoveAt ? secondMove : maxMove;
      }
      if (elkan) {
        for (let i = 0; i < n; i++) {
          const o = i * k;
          for (let j = 0; j < k; j++) lowerAll[o + j] -= movement[j];
        }
      }
      boundsValid = true;
    } else {
      boundsValid = false; // a relocated centroid jumps arbitrarily: recompute all distances
    }
    centroids = next;

    inertia = partitionInertia(X, n, d, labels, centroids);
    if (changed === 0 && !relocated) {
      converged = true;
      break;
    }
    if (Number.isFinite(prevInertia) && prevInertia - inertia <= opts.tol * prevInertia) break;
    prevInertia = inertia;
  }
  return { labels, centroids, inertia, iterations, converged, skipped };
}

/**
 * Fills sums (k × d) with each cluster's member sums, sums[j·d + t] = Σ X[i·d + t] over the rows
 * i with labels[i] = j, added in row order: the sums of updateCentroids' own loop, bit for bit.
 * Lets a caller split the work by columns over threads (sumMembersColumns).
 */
export type MemberSums = (labels: Int32Array, sums: Float64Array) => void;

/**
 * Columns [t0, t1) of the member sums (zeroed first): every (cluster, column) sum sees its rows
 * in row order, exactly as updateCentroids' loop adds them, so any split of the columns over
 * threads gives the same doubles.
 */
export function sumMembersColumns(X: Float32Array, n: number, d: number, labels: Int32Array, sums: Float64Array, k: number, t0: number, t1: number): void {
  for (let j = 0; j < k; j++) sums.fill(0, j * d + t0, j * d + t1);
  for (let i = 0; i < n; i++) {
    const so = labels[i] * d;
    const xo = i * d;
    for (let t = t0; t < t1; t++) sums[so + t] += X[xo + t];
  }
}

/**
 * ‖x_i − c_{label_i}‖² of rows [start, end) into out[i], each summed over t in order: the terms
 * partitionInertia adds, so Σ out[i] in row order is its total bit for bit.
 */
export function rowDistancesRange(X: Float32Array, d: number, labels: Int32Array, centroids: Float64Array, start: number, end: number, out: Float64Array): void {
  for (let i = start; i < end; i++) out[i] = squaredDistanceMixed(X, i * d, centroids, labels[i] * d, d);
}

/**
 * The Lloyd update step: float64 sums of each cluster's members in point order, divided by the
 * count; an empty cluster is re-seeded by relocateEmptyClusters (or, if it finds no point, keeps
 * its centre). `sums` (k·d) and `counts` (k) are scratch; `sumMembers`, when given, fills the
 * sums instead of the loop here (the same doubles, e.g. split over threads). Returns the new centres.
 */
export function updateCentroids(
  X: Float32Array,
  n: number,
  d: number,
  k: number,
  labels: Int32Array,
  centroids: Float64Array,
  sums: Float64Array,
  counts: Int32Array,
  sumMembers?: MemberSums,
): { next: Float64Array<ArrayBuffer>; relocated: boolean } {
  counts.fill(0);
  if (sumMembers) {
    sumMembers(labels, sums);
    for (let i = 0; i < n; i++) counts[labels[i]]++;
  } else {
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      counts[a]++;
      const so = a * d;
      const xo = i * d;
      for (let t = 0; t < d; t++) sums[so + t] += X[xo + t];
    }
  }
  const relocated = relocateEmptyClusters(X, n, d, k, labels, centroids, sums, counts);
  const next = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    const c = counts[j];
    const o = j * d;
    if (c === 0) {
      for (let t = 0; t < d; t++) next[o + t] = centroids[o + t]; // only if relocation found no point
    } else {
      for (let t = 0; t < d; t++) next[o + t] = sums[o + t] / c;
    }
  }
  return { next, relocated };
}

/**
 * Re-seeds every empty cluster (ascending index) with the point farthest from its current
 * centroid (ties: lowest point index), moving that point's contribution between the sums.
 * Points whose cluster has a single member are not taken, so no new cluster empties.
 * Returns whether anything moved.
 */
export function relocateEmptyClusters(
  X: Float32Array,
  n: number,
  d: number,
  k: number,
  labels: Int32Array,
  centroids: Float64Array,
  sums: Float64Array,
  counts: Int32Array,
): boolean {
  let empty = 0;
  for (let j = 0; j < k; j++) if (counts[j] === 0) empty++;
  if (empty === 0) return false;
  const far = new Float64Array(n);
  for (let i = 0; i < n; i++) far[i] = squaredDistanceMixed(X, i * d, centroids, labels[i] * d, d);
  const taken = new Uint8Array(n);
  let moved = false;
  for (let j = 0; j < k; j++) {
    if (counts[j] !== 0) continue;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (taken[i] || counts[labels[i]] < 2) continue;
      if (pick < 0 || far[i] > far[pick]) pick = i;
    }
    if (pick < 0) break; // fewer movable points than empty clusters
    taken[pick] = 1;
    const from = labels[pick];
    const xo = pick * d;
    for (let t = 0; t < d; t++) {
      sums[from * d + t] -= X[xo + t];
      sums[j * d + t] += X[xo + t];
    }
    counts[from]--;
    counts[j]++;
    labels[pick] = j;
    moved = true;
  }
  return moved;
}

/** Σ_i ‖x_i − c_{label_i}‖², summed directly in float64. */
export function partitionInertia(
  X: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  centroids: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += squaredDistanceMixed(X, i * d, centroids, labels[i] * d, d);
  return total;
}

/** ‖x_i‖² per row, float64 (rows of points or of centres). */
export function rowSquaredNorms(X: Float32Array | Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let t = 0; t < d; t++) s += X[o + t] * X[o + t];
    out[i] = s;
  }
  return out;
}

/**
 * Squared distances of row x (at xo) to all k centroids in the expanded form, four centroids per
 * sweep over x so each x value is loaded once per four dot products.
 */
export function squaredDistancesToAll(
  X: Float32Array,
  xo: number,
  xNorm2: number,
  centroids: Float64Array,
  cNorm2: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): void {
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const c0 = j * d;
    const c1 = c0 + d;
    const c2 = c1 + d;
    const c3 = c2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const x = X[xo + t];
      s0 += x * centroids[c0 + t];
      s1 += x * centroids[c1 + t];
      s2 += x * centroids[c2 + t];
      s3 += x * centroids[c3 + t];
    }
    out[j] = xNorm2 - 2 * s0 + cNorm2[j];
    out[j + 1] = xNorm2 - 2 * s1 + cNorm2[j + 1];
    out[j + 2] = xNorm2 - 2 * s2 + cNorm2[j + 2];
    out[j + 3] = xNorm2 - 2 * s3 + cNorm2[j + 3];
  }
  for (; j < k; j++) out[j] = xNorm2 - 2 * dotAt(X, xo, centroids, j * d, d) + cNorm2[j];
}

/**
 * squaredDistancesToAll for two rows at once: a 2 × 4 register block, so every centre value
 * loaded serves two rows (≈ 1.5× faster than one row at a time). Each dot product is summed in
 * the same order as the one-row kernel, so both give bit-identical distances.
 */
export function squaredDistancesToAllPair(
  X: Float32Array,
  xo0: number,
  xo1: number,
  xNorm0: number,
  xNorm1: number,
  centroids: Float64Array,
  cNorm2: Float64Array,
  k: number,
  d: number,
  out0: Float64Array,
  out1: Float64Array,
): void {
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const c0 = j * d;
    const c1 = c0 + d;
    const c2 = c1 + d;
    const c3 = c2 + d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let t = 0; t < d; t++) {
      const p = X[xo0 + t];
      const q = X[xo1 + t];
      const w0 = centroids[c0 + t];
      const w1 = centroids[c1 + t];
      const w2 = centroids[c2 + t];
      const w3 = centroids[c3 + t];
      a0 += p * w0;
      a1 += p * w1;
      a2 += p * w2;
      a3 += p * w3;
      b0 += q * w0;
      b1 += q * w1;
      b2 += q * w2;
      b3 += q * w3;
    }
    out0[j] = xNorm0 - 2 * a0 + cNorm2[j];
    out0[j + 1] = xNorm0 - 2 * a1 + cNorm2[j + 1];
    out0[j + 2] = xNorm0 - 2 * a2 + cNorm2[j + 2];
    out0[j + 3] = xNorm0 - 2 * a3 + cNorm2[j + 3];
    out1[j] = xNorm1 - 2 * b0 + cNorm2[j];
    out1[j + 1] = xNorm1 - 2 * b1 + cNorm2[j + 1];
    out1[j + 2] = xNorm1 - 2 * b2 + cNorm2[j + 2];
    out1[j + 3] = xNorm1 - 2 * b3 + cNorm2[j + 3];
  }
  for (; j < k; j++) {
    out0[j] = xNorm0 - 2 * dotAt(X, xo0, centroids, j * d, d) + cNorm2[j];
    out1[j] = xNorm1 - 2 * dotAt(X, xo1, centroids, j * d, d) + cNorm2[j];
  }
}

function dotAt(X: Float32Array, xo: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += X[xo + t] * c[co + t];
  return s;
}

function squaredNormAt(c: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += c[o + t] * c[o + t];
  return s;
}

function squaredDistanceMixed(X: Float32Array, xo: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = X[xo + t] - c[co + t];
    s += diff * diff;
  }
  return s;
}

function squaredDistanceBetween(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = a[ao + t] - b[bo + t];
    s += diff * diff;
  }
  return s;
}

/**
 * halfGap[j] = ½ min_{j' ≠ j} ‖c_j − c_j'‖ (Hamerly's s(j)); +∞ when k = 1. Fills the full
 * matrix of half distances too when `pairs` has room for it (Elkan).
 */
function halfMinCentroidGap(centroids: Float64Array, k: number, d: number, halfGap: Float64Array, pairs: Float64Array): void {
  halfGap.fill(Infinity);
  const full = pairs.length === k * k;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const g = 0.5 * Math.sqrt(squaredDistanceBetween(centroids, a * d, centroids, b * d, d));
      if (full) {
        pairs[a * k + b] = g;
        pairs[b * k + a] = g;
      }
      if (g < halfGap[a]) halfGap[a] = g;
      if (g < halfGap[b]) halfGap[b] = g;
    }
  }
}
