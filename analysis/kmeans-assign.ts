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
  const dots = new Float64Array(4 * k);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    dots4(X, i * d, centroids, k, d, dots);
    for (let r = 0; r < 4; r++) settleRow(i + r, dots, r * k, xNorm2, cNorm2, k, labels, dist2);
  }
  for (; i < end; i++) {
    dots1(X, i * d, centroids, k, d, dots);
    settleRow(i, dots, 0, xNorm2, cNorm2, k, labels, dist2);
  }
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

/** x·c for 4 consecutive rows starting at offset xo and all k centres: out[r·k + j]. */
function dots4(X: Float32Array, xo: number, C: Float64Array, k: number, d: number, out: Float64Array): void {
  const x0 = xo;
  const x1 = x0 + d;
  const x2 = x1 + d;
  const x3 = x2 + d;
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

/** x·c for one row at offset xo and all k centres: out[j]. Same summation order as dots4. */
function dots1(X: Float32Array, xo: number, C: Float64Array, k: number, d: number, out: Float64Array): void {
  for (let j = 0; j < k; j++) {
    const co = j * d;
    let s = 0;
    for (let t = 0; t < d; t++) s += X[xo + t] * C[co + t];
    out[j] = s;
  }
}
