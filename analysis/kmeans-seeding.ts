// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007; the greedy variant of scikit-learn's
// _kmeans_plusplus): each new centre is the best of 2 + ⌊ln k⌋ candidates drawn with probability
// ∝ D(x)², "best" meaning the lowest resulting potential Σ min D². Seeding runs on a sample of at
// most `maxSample` points: its cost is k·(2 + ln k)·sample·d, and the centres only need to be good
// starting points for Lloyd on the full set.

import { dotBlocks, ROW_BLOCK_ROWS } from './wasm/row-blocks.ts';
import { rowSquaredNorms } from './kmeans-lloyd.ts';
import type { Random } from './types.ts';

/** Default cap of the seeding sample. */
export const SEEDING_MAX_SAMPLE = 20_000;

/**
 * Returns k initial centres (k × d, float64 copies of data points) for X (n × d row-major).
 * Deterministic in `random`: the sample, the first centre and every candidate come from it.
 */
export function greedyKMeansPlusPlus(
  X: Float32Array,
  n: number,
  d: number,
  k: number,
  random: Random,
  maxSample: number = SEEDING_MAX_SAMPLE,
): Float64Array {
  if (!(k >= 1 && k <= n)) throw new RangeError(`greedyKMeansPlusPlus: k must be in [1, ${n}], got ${k}`);
  const rows = sampleIndices(n, Math.max(k, maxSample), random);
  const s = rows.length;
  const sample = new Float32Array(s * d);
  for (let r = 0; r < s; r++) sample.set(X.subarray(rows[r] * d, rows[r] * d + d), r * d);
  const norms = rowSquaredNorms(sample, s, d);

  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(s);
  const candidateDist = new Float64Array(trials * s); // row t: squared distances to candidate t
  const best = new Float64Array(s);
  const cumulative = new Float64Array(s);

  // Squared distances from sample point `p` to every sample point (expanded form, clamped at 0).
  const distancesFrom = (p: number, out: Float64Array): void => {
    const po = p * d;
    const pNorm = norms[p];
    for (let i = 0; i < s; i++) {
      const io = i * d;
      let dot = 0;
      for (let t = 0; t < d; t++) dot += sample[io + t] * sample[po + t];
      const v = norms[i] - 2 * dot + pNorm;
      out[i] = v > 0 ? v : 0;
    }
  };

  // Squared distances from each sample point listed in `ids` to every sample point, candidate t
  // in row t of `out`; two candidates per sweep, each dot product summed in the same order as
  // distancesFrom so the values are identical.
  const distancesFromMany = (ids: Int32Array, out: Float64Array): void => {
    // The same dot products in WebAssembly where it runs (wasm/row-blocks.ts): the candidates
    // widened to float64 (exact) are the columns, the sample rows go through in blocks.
    const candidates = new Float64Array(ids.length * d);
    for (let t = 0; t < ids.length; t++) copyRow(sample, ids[t], candidates, t, d);
    const blocks = dotBlocks(candidates, ids.length, d);
    if (blocks) {
      const m = ids.length;
      for (let i0 = 0; i0 < s; i0 += ROW_BLOCK_ROWS) {
        const rows = Math.min(ROW_BLOCK_ROWS, s - i0);
        blocks.rows.set(sample.subarray(i0 * d, (i0 + rows) * d));
        blocks.run(rows);
        const dots = blocks.out;
        for (let r = 0; r < rows; r++) {
          const i = i0 + r;
          for (let t = 0; t < m; t++) {
            const v = norms[i] - 2 * dots[r * m + t] + norms[ids[t]];
            out[t * s + i] = v > 0 ? v : 0;
          }
        }
      }
      return;
    }
    let t = 0;
    for (; t + 2 <= ids.length; t += 2) {
      const p0 = ids[t] * d;
      const p1 = ids[t + 1] * d;
      const n0 = norms[ids[t]];
      const n1 = norms[ids[t + 1]];
      const o0 = t * s;
      const o1 = o0 + s;
      for (let i = 0; i < s; i++) {
        const io = i * d;
        let dot0 = 0;
        let dot1 = 0;
        for (let u = 0; u < d; u++) {
          const x = sample[io + u];
          dot0 += x * sample[p0 + u];
          dot1 += x * sample[p1 + u];
        }
        const v0 = norms[i] - 2 * dot0 + n0;
        const v1 = norms[i] - 2 * dot1 + n1;
        out[o0 + i] = v0 > 0 ? v0 : 0;
        out[o1 + i] = v1 > 0 ? v1 : 0;
      }
    }
    if (t < ids.length) distancesFrom(ids[t], out.subarray(t * s, t * s + s));
  };

  let first = Math.floor(random() * s);
  if (first >= s) first = s - 1;
  copyRow(sample, first, centres, 0, d);
  distancesFrom(first, closest);
  let potential = sum(closest);

  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < s; i++) {
      acc += closest[i];
      cumulative[i] = acc;
    }
    const ids = new Int32Array(trials);
    for (let t = 0; t < trials; t++) ids[t] = searchSorted(cumulative, random() * potential);
    // All candidates in one sweep over the sample: each sample row is loaded once per
    // candidate block instead of once per candidate.
    distancesFromMany(ids, candidateDist);
    let bestPotential = Infinity;
    let bestTrial = -1;
    for (let t = 0; t < trials; t++) {
      const o = t * s;
      let pot = 0;
      for (let i = 0; i < s; i++) {
        const v = candidateDist[o + i] < closest[i] ? candidateDist[o + i] : closest[i];
        candidateDist[o + i] = v;
        pot += v;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestTrial = t;
      }
    }
    const bestId = ids[bestTrial];
    best.set(candidateDist.subarray(bestTrial * s, bestTrial * s + s));
    copyRow(sample, bestId, centres, c, d);
    closest.set(best);
    potential = bestPotential;
  }
  return centres;
}

/**
 * `size` distinct indices of [0, n) in ascending order (all of them when size ≥ n), by a partial
 * Fisher–Yates shuffle driven by `random`.
 */
export function sampleIndices(n: number, size: number, random: Random): Int32Array {
  if (size >= n) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.slice(0, size).sort();
}

/** First index whose cumulative sum is ≥ value (numpy's searchsorted 'left'), clipped to the last index. */
function searchSorted(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function copyRow(src: Float32Array, row: number, dst: Float64Array, dstRow: number, d: number): void {
  for (let t = 0; t < d; t++) dst[dstRow * d + t] = src[row * d + t];
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
