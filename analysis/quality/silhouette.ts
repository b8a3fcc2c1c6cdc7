import type { WorkerPool } from '../parallel/pool.ts';
import { sharedFloat64, sharedInt32 } from '../parallel/shared.ts';
import type { SilhouettePairsArgs, SilhouetteSumsArgs } from '../parallel/silhouette-kernels.ts';
import { createRandom } from '../random.ts';
import { ROW_BLOCK_ROWS, type RowBlocks } from '../wasm/row-blocks.ts';

export interface SilhouetteOptions {
  /** At most this many points are scored, drawn uniformly with `seed` (default 3000). */
  sampleSize?: number;
  seed?: number; // default 0
  /** 'cosine' (1 − cos, default) or 'euclidean'. */
  metric?: 'cosine' | 'euclidean';
}

export interface SilhouetteResult {
  mean: number; // mean silhouette of the sampled points; NaN when fewer than 2 clusters are sampled
  perCluster: number[]; // mean over each cluster's sampled members; NaN for a cluster with none
  sampled: number; // points scored
}

/**
 * Silhouette coefficient (Rousseeuw 1987) as scikit-learn's silhouette_score(sample_size=…)
 * computes it: a seeded uniform sample of rows is drawn and distances are taken within the
 * sample only. For a point i of cluster A, a = mean distance to the other members of A, b = the
 * smallest mean distance to the members of another cluster, s = (b − a) / max(a, b); a point
 * alone in its cluster scores 0. The O(m² d) cost is why the sample is capped.
 *
 * `points` is n × d row-major; `labels[i]` in 0..k-1 (negative = left out).
 *
 * With a `pool` of two or more threads (cosine, a sample of at least PARALLEL_MIN_SAMPLE), the
 * pair distances are computed once each over the threads into a packed triangle, and each row's
 * sums are then added up in the serial order (see silhouettePairRows): the same doubles.
 */
export function silhouette(
  points: Float32Array | Float64Array,
  n: number,
  d: number,
  labels: Int32Array,
  k: number,
  opts: SilhouetteOptions = {},
  pool?: WorkerPool,
): SilhouetteResult {
  const sampleSize = opts.sampleSize ?? 3000;
  const metric = opts.metric ?? 'cosine';
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1) {
    throw new RangeError(`silhouette: n must be ≥ 0 and d ≥ 1 integers, got n = ${n}, d = ${d}`);
  }
  if (points.length !== n * d) throw new RangeError(`silhouette: points has ${points.length} values, expected n × d = ${n * d}`);
  if (labels.length !== n) throw new RangeError(`silhouette: labels has ${labels.length} entries, expected n = ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`silhouette: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(sampleSize) || sampleSize < 2) throw new RangeError(`silhouette: sampleSize must be an integer ≥ 2, got ${sampleSize}`);
  if (metric !== 'cosine' && metric !== 'euclidean') throw new RangeError(`silhouette: unknown metric '${metric}'`);

  // The sample: every labelled row, or a seeded partial Fisher–Yates draw of them.
  const eligible: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i] >= k) throw new RangeError(`silhouette: label ${labels[i]} of row ${i} is not below k = ${k}`);
    if (labels[i] >= 0) eligible.push(i);
  }
  let sample = eligible;
  if (eligible.length > sampleSize) {
    const random = createRandom(opts.seed ?? 0);
    const drawn = eligible.slice();
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(random() * (drawn.length - i));
      [drawn[i], drawn[j]] = [drawn[j], drawn[i]];
    }
    sample = drawn.slice(0, sampleSize).sort((a, b) => a - b);
  }
  const m = sample.length;

  // Sampled rows, unit-normalised for cosine (in shared memory when the pool computes the pairs).
  const threaded = pool !== undefined && pool.threads > 1 && metric === 'cosine' && m >= PARALLEL_MIN_SAMPLE;
  const X = threaded ? sharedFloat64(m * d) : new Float64Array(m * d);
  for (let s = 0; s < m; s++) {
    const row = sample[s] * d;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      X[s * d + j] = points[row + j];
      norm += points[row + j] * points[row + j];
    }
    if (metric === 'cosine' && norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let j = 0; j < d; j++) X[s * d + j] *= inv;
    }
  }
  const lab = threaded ? sharedInt32(m) : new Int32Array(m);
  for (let s = 0; s < m; s++) lab[s] = labels[sample[s]!]!;
  const clusterCount = new Int32Array(k);
  for (const c of lab) clusterCount[c]++;
  const present = clusterCount.reduce((acc, x) => acc + (x > 0 ? 1 : 0), 0);
  const distSum = threaded ? pooledDistanceSums(X, lab, m, d, k, pool) : serialDistanceSums(X, lab, m, d, k, metric === 'cosine');
  return scoreRows(distSum, lab, clusterCount, present, m, k);
}

/** Below this sample size the pairs are computed on the calling thread (too little work to share). */
export const PARALLEL_MIN_SAMPLE = 256;

/** Each sampled row's silhouette and their means, from the per-row distance sums (m × k). */
function scoreRows(distSum: Float64Array, lab: Int32Array, clusterCount: Int32Array, present: number, m: number, k: number): SilhouetteResult {
  const clusterSum = new Float64Array(k);
  let total = 0;
  for (let s = 0; s < m; s++) {
    const own = lab[s];
    let value = 0;
    if (clusterCount[own] > 1 && present > 1) {
      const a = distSum[s * k + own] / (clusterCount[own] - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) {
        if (c !== own && clusterCount[c] > 0) b = Math.min(b, distSum[s * k + c] / clusterCount[c]);
      }
      const denom = Math.max(a, b);
      value = denom > 0 ? (b - a) / denom : 0;
    }
    clusterSum[own] += value;
    total += value;
  }
  const perCluster = Array.from(clusterSum, (sum, c) => (clusterCount[c] > 0 ? sum / clusterCount[c] : NaN));
  return { mean: present > 1 ? total / m : NaN, perCluster, sampled: m };
}

/** Offset in the packed upper triangle of m × m pairs (s < t) of row s's first pair (s, s + 1). */
export function pairRowOffset(s: number, m: number): number {
  return s * m - (s * (s + 1)) / 2;
}

/**
 * silhouettePairRows on this thread's WebAssembly row blocks (`blocks`: tallBlocks(X, m, d, false),
 * the rows of X as its columns): each block of rows against the rows from its first one on (the
 * even one at or before it), ~2× faster. The kernel sums each dot product over j in order in
 * float64, as the JavaScript tile does: every distance is the same double.
 */
export function silhouettePairRowsOnBlocks(blocks: RowBlocks<Float64Array>, X: Float64Array, m: number, d: number, s0: number, s1: number, D: Float64Array): void {
  for (let b0 = s0; b0 < s1; b0 += ROW_BLOCK_ROWS) {
    const b1 = Math.min(s1, b0 + ROW_BLOCK_ROWS);
    const first = b0 & ~1;
    blocks.rows.set(X.subarray(b0 * d, b1 * d));
    blocks.run(b1 - b0, first);
    const out = blocks.out;
    const width = m - first;
    for (let s = b0; s < b1; s++) {
      const o = (s - b0) * width - first; // out[o + t]: x_s·x_t
      const base = pairRowOffset(s, m) - s - 1;
      for (let t = s + 1; t < m; t++) D[base + t] = Math.max(0, 1 - out[o + t]!);
    }
  }
}

/**
 * Cosine distances max(0, 1 − x_s·x_t) of rows s in [s0, s1) to every later row t, into the packed
 * triangle D at pairRowOffset(s, m) + (t − s − 1); X holds unit rows (m × d). Each dot product is
 * summed over j in order, as in the serial kernel, so every distance is the same double.
 */
export function silhouettePairRows(X: Float64Array, m: number, d: number, s0: number, s1: number, D: Float64Array): void {
  let s = s0;
  // Two rows at a time against four later rows (a 2 × 4 tile, as the serial kernel).
  for (; s + 1 < s1; s += 2) {
    const r = s + 1;
    const so = s * d;
    const ro = r * d;
    const bs = pairRowOffset(s, m) - s - 1;
    const br = pairRowOffset(r, m) - r - 1;
    let a = 0;
    for (let j = 0; j < d; j++) a += X[so + j] * X[ro + j];
    D[bs + r] = Math.max(0, 1 - a);
    let t = r + 1;
    for (; t + 3 < m; t += 4) {
      const t0 = t * d;
      const t1 = t0 + d;
      const t2 = t1 + d;
      const t3 = t2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j < d; j++) {
        const x = X[so + j];
        const y = X[ro + j];
        const u0 = X[t0 + j];
        const u1 = X[t1 + j];
        const u2 = X[t2 + j];
        const u3 = X[t3 + j];
        a0 += x * u0;
        a1 += x * u1;
        a2 += x * u2;
        a3 += x * u3;
        b0 += y * u0;
        b1 += y * u1;
        b2 += y * u2;
        b3 += y * u3;
      }
      D[bs + t] = Math.max(0, 1 - a0);
      D[bs + t + 1] = Math.max(0, 1 - a1);
      D[bs + t + 2] = Math.max(0, 1 - a2);
      D[bs + t + 3] = Math.max(0, 1 - a3);
      D[br + t] = Math.max(0, 1 - b0);
      D[br + t + 1] = Math.max(0, 1 - b1);
      D[br + t + 2] = Math.max(0, 1 - b2);
      D[br + t + 3] = Math.max(0, 1 - b3);
    }
    for (; t < m; t++) {
      const to = t * d;
      let e = 0;
      let f = 0;
      for (let j = 0; j < d; j++) {
        e += X[so + j] * X[to + j];
        f += X[ro + j] * X[to + j];
      }
      D[bs + t] = Math.max(0, 1 - e);
      D[br + t] = Math.max(0, 1 - f);
    }
  }
  for (; s < s1; s++) {
    const so = s * d;
    const base = pairRowOffset(s, m) - s - 1;
    let t = s + 1;
    for (; t + 3 < m; t += 4) {
      const t0 = t * d;
      const t1 = t0 + d;
      const t2 = t1 + d;
      const t3 = t2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < d; j++) {
        const x = X[so + j];
        a0 += x * X[t0 + j];
        a1 += x * X[t1 + j];
        a2 += x * X[t2 + j];
        a3 += x * X[t3 + j];
      }
      D[base + t] = Math.max(0, 1 - a0);
      D[base + t + 1] = Math.max(0, 1 - a1);
      D[base + t + 2] = Math.max(0, 1 - a2);
      D[base + t + 3] = Math.max(0, 1 - a3);
    }
    for (; t < m; t++) {
      const to = t * d;
      let a = 0;
      for (let j = 0; j < d; j++) a += X[so + j] * X[to + j];
      D[base + t] = Math.max(0, 1 - a);
    }
  }
}

/**
 * distSum rows [t0, t1) (m × k) from the packed distances: row t adds d(t, u) for every u ≠ t in
 * increasing u, which is the order the serial kernel's running sums see them in (rows before t
 * hand theirs over in row order, then row t adds its own later pairs).
 */
export function silhouetteRowSums(D: Float64Array, lab: Int32Array, m: number, k: number, t0: number, t1: number, distSum: Float64Array): void {
  distSum.fill(0, t0 * k, t1 * k);
  // Earlier partners first, u outermost: pairs (u, t0..t1) lie side by side in row u of the
  // triangle, and each row t still receives its u < t in increasing u.
  for (let u = 0; u + 1 < t1; u++) {
    const lu = lab[u];
    const base = pairRowOffset(u, m) - u - 1;
    for (let t = Math.max(t0, u + 1); t < t1; t++) distSum[t * k + lu] += D[base + t];
  }
  for (let t = t0; t < t1; t++) {
    const o = t * k;
    const base = pairRowOffset(t, m) - t - 1;
    for (let u = t + 1; u < m; u++) distSum[o + lab[u]] += D[base + u];
  }
}

/** The per-row distance sums over the pool: the pairs once each, then the rows' sums. */
function pooledDistanceSums(X: Float64Array, lab: Int32Array, m: number, d: number, k: number, pool: WorkerPool): Float64Array {
  const D = sharedFloat64((m * (m - 1)) / 2);
  const pairs: SilhouettePairsArgs = { X, m, d, D };
  pool.run('silhouettePairs', pairs);
  const distSum = sharedFloat64(m * k);
  const sums: SilhouetteSumsArgs = { D, lab, m, k, distSum };
  pool.run('silhouetteSums', sums);
  return distSum.slice();
}

/** The per-row distance sums on this thread (each pair computed once, added to both ends in order). */
function serialDistanceSums(X: Float64Array, lab: Int32Array, m: number, d: number, k: number, cosine: boolean): Float64Array {

  // distSum[s * k + c] = Σ distance from sampled point s to the sampled members of cluster c.
  // Each pair is computed once (the distance is symmetric bit for bit) and added to both ends.
  // Every sum must see its terms in sample order (floating-point addition is not associative):
  // row s adds d(s, t) for t > s in t order, and point t receives d(s, t) from rows s < t in s
  // order. For cosine the rows go two at a time against four later rows at a time (a 2 × 4 tile:
  // six loads feed eight products), each dot product still summed over j in order: the same
  // doubles as one pair at a time, ~2-3x faster.
  const distSum = new Float64Array(m * k);
  const dist = (dot: number): number => Math.max(0, 1 - dot);
  const dotRows = (a: number, b: number): number => {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += X[a + j]! * X[b + j]!;
    return dot;
  };
  /** Row s against rows from..m-1, one pair at a time. */
  const rowTail = (s: number, from: number): void => {
    const so = s * d;
    const ls = lab[s]!;
    for (let t = from; t < m; t++) {
      const to = t * d;
      let e: number;
      if (cosine) e = dist(dotRows(so, to));
      else {
        let sq = 0;
        for (let j = 0; j < d; j++) {
          const diff = X[so + j]! - X[to + j]!;
          sq += diff * diff;
        }
        e = Math.sqrt(sq);
      }
      distSum[s * k + lab[t]!] += e;
      distSum[t * k + ls] += e;
    }
  };
  let s = 0;
  for (; cosine && s + 1 < m; s += 2) {
    const r = s + 1;
    const so = s * d;
    const ro = r * d;
    const ls = lab[s]!;
    const lr = lab[r]!;
    // The pair (s, r) first: it precedes every t > r in both rows' order.
    const esr = dist(dotRows(so, ro));
    distSum[s * k + lr] += esr;
    distSum[r * k + ls] += esr;
    let t = r + 1;
    for (; t + 3 < m; t += 4) {
      const t0 = t * d;
      const t1 = t0 + d;
      const t2 = t1 + d;
      const t3 = t2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j < d; j++) {
        const x = X[so + j]!;
        const y = X[ro + j]!;
        const u0 = X[t0 + j]!;
        const u1 = X[t1 + j]!;
        const u2 = X[t2 + j]!;
        const u3 = X[t3 + j]!;
        a0 += x * u0;
        a1 += x * u1;
        a2 += x * u2;
        a3 += x * u3;
        b0 += y * u0;
        b1 += y * u1;
        b2 += y * u2;
        b3 += y * u3;
      }
      const sa = s * k;
      const rb = r * k;
      let e = dist(a0);
      let f = dist(b0);
      distSum[sa + lab[t]!] += e;
      distSum[rb + lab[t]!] += f;
      distSum[t * k + ls] += e;
      distSum[t * k + lr] += f;
      e = dist(a1);
      f = dist(b1);
      distSum[sa + lab[t + 1]!] += e;
      distSum[rb + lab[t + 1]!] += f;
      distSum[(t + 1) * k + ls] += e;
      distSum[(t + 1) * k + lr] += f;
      e = dist(a2);
      f = dist(b2);
      distSum[sa + lab[t + 2]!] += e;
      distSum[rb + lab[t + 2]!] += f;
      distSum[(t + 2) * k + ls] += e;
      distSum[(t + 2) * k + lr] += f;
      e = dist(a3);
      f = dist(b3);
      distSum[sa + lab[t + 3]!] += e;
      distSum[rb + lab[t + 3]!] += f;
      distSum[(t + 3) * k + ls] += e;
      distSum[(t + 3) * k + lr] += f;
    }
    // The last few columns: row s then row r for each t (point t's order is s before r).
    for (; t < m; t++) {
      const to = t * d;
      const e = dist(dotRows(so, to));
      const f = dist(dotRows(ro, to));
      distSum[s * k + lab[t]!] += e;
      distSum[r * k + lab[t]!] += f;
      distSum[t * k + ls] += e;
      distSum[t * k + lr] += f;
    }
  }
  for (; s < m; s++) rowTail(s, s + 1);
  return distSum;
}
