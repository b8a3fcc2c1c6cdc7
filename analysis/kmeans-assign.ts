// Nearest-centre assignment of a range of rows, the inner loop of every full pass over the data
// (assigning all points to a sample-fitted restart's centres, plain Lloyd iterations on all rows).
//
// Why no bounds here: on L2-normalised 100-d PCA rows the centres are closer to each other than
// to the points, so Elkan / Hamerly bounds rarely prune before the last iterations, and their
// bookkeeping costs more than it saves. What pays is raw multiply–add throughput: the dot
// products x·c run as a 4-row × 2-centre register block (each centre value loaded once serves
// four rows, each row value serves two centres), the fastest shape measured in V8 here
// (≈ 2 G multiply–adds/s per core, against ≈ 1.3 G for one row × four centres).
//
// Each dot product is summed over t = 0..d−1 in order, whichever block or tail computes it, so a
// row's distances (and hence its label) do not depend on the row range it was assigned in: a
// split over threads gives bit-identical labels.
//
// Distance: ‖x‖² − 2x·c + ‖c‖² in float64, argmin with ties to the lowest centre index (the
// convention of kmeans-lloyd.ts).
//
// Where WebAssembly SIMD runs (wasm/row-blocks.ts), the dot products of blocks of rows are computed
// there, with the same sums (two centres per f64x2 instruction; on arXiv the dot products' CPU
// went from ~3.7 s to ~0.9 s per cold run, measured under the same load); the
// JavaScript blocks below are the fallback and define the arithmetic.

import { dotBlocks, ROW_BLOCK_ROWS } from './wasm/row-blocks.ts';

/**
 * Labels (and squared distances, clamped at 0) of rows [start, end) of X (n × d row-major) to
 * the nearest of the k centres (k × d, float64). `xNorm2` / `cNorm2` are the rows' and centres'
 * squared norms. Writes labels[i] and, when given, dist2[i] for i in the range.
 */
export function assignRange(
  X: Float32Array,
  d: number,
  xNorm2: Float64Array,
  centroids: Float64Array,
  cNorm2: Float64Array,
  k: number,
  start: number,
  end: number,
  labels: Int32Array,
  dist2?: Float64Array,
): void {
  const blocks = dotBlocks(centroids, k, d);
  if (blocks) {
    for (let i = start; i < end; i += ROW_BLOCK_ROWS) {
      const n = Math.min(ROW_BLOCK_ROWS, end - i);
      blocks.rows.set(X.subarray(i * d, (i + n) * d));
      blocks.run(n);
      for (let r = 0; r < n; r++) settleRow(i + r, blocks.out, r * k, xNorm2, cNorm2, k, labels, dist2);
    }
    return;
  }
  const dots = new Float64Array(4 * k);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = i * d;
    dots4(X, o, o + d, o + 2 * d, o + 3 * d, centroids, k, d, dots);
    for (let r = 0; r < 4; r++) settleRow(i + r, dots, r * k, xNorm2, cNorm2, k, labels, dist2);
  }
  for (; i < end; i++) {
    dots1(X, i * d, centroids, k, d, dots);
    settleRow(i, dots, 0, xNorm2, cNorm2, k, labels, dist2);
  }
}

/**
 * Hamerly-style bounds for a pass over rows whose centres moved little since the last one:
 * upper[i] ≥ ‖x_i − c_label‖ and lower[i] ≤ ‖x_i − c_j‖ for every other centre j (Euclidean,
 * not squared). A row with upper + margin < lower provably keeps its label, so it is skipped.
 */
export interface AssignBounds {
  upper: Float64Array;
  lower: Float64Array;
  /**
   * Safety margin above the rounding error of the expanded distance (its square root:
   * ~4e-8·max‖x‖), so that a skipped row gets exactly the label a full pass would give it.
   */
  margin: number;
}

/** The margin for rows with largest squared norm maxNorm2 (25× the distance rounding error). */
export function boundsMargin(maxNorm2: number): number {
  return 1e-6 * Math.sqrt(maxNorm2) + 1e-300;
}

/**
 * assignRange with bounds: rows [start, end) whose bounds prove their label are left as they
 * are; every other row is assigned exactly as assignRange does (the same dot products, so the
 * same label), and its bounds become the distances to its nearest and second-nearest centre.
 * Returns the number of rows skipped. Bounds of a row never seen must be upper = Infinity.
 */
export function assignRangeBounded(
  X: Float32Array,
  d: number,
  xNorm2: Float64Array,
  centroids: Float64Array,
  cNorm2: Float64Array,
  k: number,
  start: number,
  end: number,
  labels: Int32Array,
  bounds: AssignBounds,
): number {
  const { upper, lower, margin } = bounds;
  const blocks = dotBlocks(centroids, k, d);
  const blockSize = blocks ? ROW_BLOCK_ROWS : 4;
  const dots = new Float64Array(4 * k);
  const rows = new Int32Array(blockSize);
  let pending = 0;
  let skipped = 0;
  // The dot products of the pending rows (a full block, or the last few) and their labels and bounds.
  const settlePending = (): void => {
    if (blocks) {
      blocks.run(pending);
      for (let r = 0; r < pending; r++) settleRowBounded(rows[r], blocks.out, r * k, xNorm2, cNorm2, k, labels, upper, lower);
    } else if (pending === 4) {
      dots4(X, rows[0] * d, rows[1] * d, rows[2] * d, rows[3] * d, centroids, k, d, dots);
      for (let r = 0; r < 4; r++) settleRowBounded(rows[r], dots, r * k, xNorm2, cNorm2, k, labels, upper, lower);
    } else {
      for (let r = 0; r < pending; r++) {
        dots1(X, rows[r] * d, centroids, k, d, dots);
        settleRowBounded(rows[r], dots, 0, xNorm2, cNorm2, k, labels, upper, lower);
      }
    }
  };
  for (let i = start; i < end; i++) {
    if (upper[i] + margin < lower[i]) {
      skipped++;
      continue;
    }
    // Tighten the upper bound to the distance to the row's own centre (one dot product, k
    // times cheaper than the full row) before giving up on skipping it.
    const a = labels[i];
    const own = xNorm2[i] - 2 * dot(X, i * d, centroids, a * d, d) + cNorm2[a];
    upper[i] = Math.sqrt(own > 0 ? own : 0);
    if (upper[i] + margin < lower[i]) {
      skipped++;
      continue;
    }
    if (blocks) {
      const buf = blocks.rows; // copied by hand: a subarray per row would be garbage per row
      const bo = pending * d;
      const xo = i * d;
      for (let t = 0; t < d; t++) buf[bo + t] = X[xo + t];
    }
    rows[pending++] = i;
    if (pending === blockSize) {
      settlePending();
      pending = 0;
    }
  }
  settlePending();
  return skipped;
}

/** settleRow that also records the distances to the nearest and second-nearest centre as the row's bounds. */
function settleRowBounded(
  i: number,
  dots: Float64Array,
  o: number,
  xNorm2: Float64Array,
  cNorm2: Float64Array,
  k: number,
  labels: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
): void {
  const xn = xNorm2[i];
  let best = 0;
  let bestD = xn - 2 * dots[o] + cNorm2[0];
  let secondD = Infinity;
  for (let j = 1; j < k; j++) {
    const dj = xn - 2 * dots[o + j] + cNorm2[j];
    if (dj < bestD) {
      secondD = bestD;
      bestD = dj;
      best = j;
    } else if (dj < secondD) {
      secondD = dj;
    }
  }
  labels[i] = best;
  upper[i] = Math.sqrt(bestD > 0 ? bestD : 0);
  lower[i] = Math.sqrt(secondD > 0 ? secondD : 0);
}

function settleRow(
  i: number,
  dots: Float64Array,
  o: number,
  xNorm2: Float64Array,
  cNorm2: Float64Array,
  k: number,
  labels: Int32Array,
  dist2: Float64Array | undefined,
): void {
  const xn = xNorm2[i];
  let best = 0;
  let bestD = xn - 2 * dots[o] + cNorm2[0];
  for (let j = 1; j < k; j++) {
    const dj = xn - 2 * dots[o + j] + cNorm2[j];
    if (dj < bestD) {
      bestD = dj;
      best = j;
    }
  }
  labels[i] = best;
  if (dist2) dist2[i] = bestD > 0 ? bestD : 0;
}

/** x·c for the 4 rows at offsets x0..x3 and all k centres: out[r·k + j]. */
function dots4(X: Float32Array, x0: number, x1: number, x2: number, x3: number, C: Float64Array, k: number, d: number, out: Float64Array): void {
  let j = 0;
  for (; j + 2 <= k; j += 2) {
    const c0 = j * d;
    const c1 = c0 + d;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    let e0 = 0;
    let e1 = 0;
    let f0 = 0;
    let f1 = 0;
    for (let t = 0; t < d; t++) {
      const w0 = C[c0 + t];
      const w1 = C[c1 + t];
      const p = X[x0 + t];
      const q = X[x1 + t];
      const r = X[x2 + t];
      const s = X[x3 + t];
      a0 += p * w0;
      a1 += p * w1;
      b0 += q * w0;
      b1 += q * w1;
      e0 += r * w0;
      e1 += r * w1;
      f0 += s * w0;
      f1 += s * w1;
    }
    out[j] = a0;
    out[j + 1] = a1;
    out[k + j] = b0;
    out[k + j + 1] = b1;
    out[2 * k + j] = e0;
    out[2 * k + j + 1] = e1;
    out[3 * k + j] = f0;
    out[3 * k + j + 1] = f1;
  }
  if (j < k) {
    const c0 = j * d;
    let a0 = 0;
    let b0 = 0;
    let e0 = 0;
    let f0 = 0;
    for (let t = 0; t < d; t++) {
      const w0 = C[c0 + t];
      a0 += X[x0 + t] * w0;
      b0 += X[x1 + t] * w0;
      e0 += X[x2 + t] * w0;
      f0 += X[x3 + t] * w0;
    }
    out[j] = a0;
    out[k + j] = b0;
    out[2 * k + j] = e0;
    out[3 * k + j] = f0;
  }
}

/** x·c for the row at offset xo and the centre at offset co, summed in the order of dots4. */
function dot(X: Float32Array, xo: number, C: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += X[xo + t] * C[co + t];
  return s;
}

/** x·c for one row at offset xo and all k centres: out[j]. Same summation order as dots4. */
function dots1(X: Float32Array, xo: number, C: Float64Array, k: number, d: number, out: Float64Array): void {
  for (let j = 0; j < k; j++) {
    const co = j * d;
    let s = 0;
    for (let t = 0; t < d; t++) s += X[xo + t] * C[co + t];
    out[j] = s;
  }
}
