// Dense kernels for the tall-skinny matrices of randomized PCA (m × k with m up to millions and
// k ≈ 100): Gram matrix, Cholesky, Cholesky-QR2 with a Householder fallback, and products of a
// tall matrix with a small one. Everything is row-major Float64Array; inner loops run over
// contiguous rows so V8 keeps them as tight typed-array loops (no per-element calls).

import { gramPanels, ROW_BLOCK_ROWS, tallBlocks } from './wasm/row-blocks.ts';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Relative pivot size below which Cholesky reports failure: a column is (nearly) in the span of the previous ones. */
const CHOLESKY_RELATIVE_PIVOT = 1e-13;

/** Rows per block of gramMatrix: the unit of work of the parallel path and of the fixed summation order. */
export const GRAM_ROW_BLOCK = 4096;

/** Row-block parallelism for the tall-matrix kernels (implemented by a WorkerPool; see parallel/dense-kernels.ts). */
export interface TallKernels {
  readonly threads: number;
  /**
   * Upper triangles of the partial Gram matrices of the row blocks of A, block b at b·k² (the
   * array may be reused by the next call: read it before calling again).
   */
  gramBlocks(a: Float64Array, m: number, k: number): Float64Array;
  /** multiplyTallBySmall with its rows split over threads: a new m × l array, or `into` (see multiplyTallBySmall). */
  tallBySmall(a: Float64Array, m: number, k: number, b: Float64Array, l: number, upperTriangularB: boolean, into?: Float64Array): Float64Array;
  /**
   * Optional: a buffer of `length` values (contents undefined) that the kernels reuse for their
   * tall operands, to build an operand in without new memory: valid until the next gramBlocks or
   * tallBySmall call.
   */
  operandBuffer?(length: number): Float64Array;
}

/**
 * Gram matrix AᵀA (k × k, full symmetric) of a row-major m × k matrix, accumulated in float64.
 * Rows are summed in blocks of GRAM_ROW_BLOCK and the block sums added in block order, whether
 * the blocks run on one thread or on `kernels`' threads: the result does not depend on the
 * number of threads.
 */
export function gramMatrix(a: Float64Array, m: number, k: number, kernels?: TallKernels): Float64Array {
  checkShape(a, m, k, 'gramMatrix');
  const blocks = Math.ceil(m / GRAM_ROW_BLOCK);
  const g = new Float64Array(k * k);
  if (kernels && kernels.threads > 1 && blocks > 1) {
    const partials = kernels.gramBlocks(a, m, k);
    for (let bl = 0; bl < blocks; bl++) addUpper(g, partials, bl * k * k, k);
  } else {
    const partial = new Float64Array(k * k);
    for (let bl = 0; bl < blocks; bl++) {
      partial.fill(0);
      gramRowsInto(a, k, bl * GRAM_ROW_BLOCK, Math.min(m, (bl + 1) * GRAM_ROW_BLOCK), partial, 0);
      addUpper(g, partial, 0, k);
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i];
  return g;
}

function addUpper(g: Float64Array, src: Float64Array, offset: number, k: number): void {
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) g[i * k + j] += src[offset + i * k + j];
}

/** Rows per transposed panel of gramRowsInto (k × 64 doubles: 56 KB at k = 110, cache-resident). */
const GRAM_PANEL_ROWS = 64;

/**
 * Adds the upper triangle of Σ_{r in [r0, r1)} a_r a_rᵀ into g (k × k at `go`).
 *
 * Panels of 64 rows are transposed so that each column of A is contiguous, then every entry is
 * a dot product of two such columns, computed in 4 × 2 blocks of register accumulators (six
 * loads per eight products; the earlier row-sweep kernel loaded and stored an entry of g for
 * every four). Measured 49k × 110: 0.2 s against 0.32 s CPU. k is padded to a multiple of 4
 * with zero columns in the panel, so the blocks need no edge cases. The arithmetic depends only
 * on [r0, r1), which gramMatrix fixes (GRAM_ROW_BLOCK), not on threads.
 */
export function gramRowsInto(a: Float64Array, k: number, r0: number, r1: number, g: Float64Array, go: number): void {
  const R = GRAM_PANEL_ROWS;
  // The same sums in WebAssembly (wasm/row-blocks.ts) where it runs.
  const wasm = gramPanels(k, R);
  if (wasm) {
    const { panel: p2, acc: sums, kp: kpw } = wasm;
    for (let s = r0; s < r1; s += R) {
      const n = Math.min(R, r1 - s);
      for (let r = 0; r < n; r++) {
        const o = (s + r) * k;
        for (let i = 0; i < k; i++) p2[(i >> 1) * 2 * R + 2 * r + (i & 1)] = a[o + i];
      }
      wasm.run(n);
    }
    for (let i = 0; i < k; i++) for (let j = i; j < k; j++) g[go + i * k + j] += sums[i * kpw + j];
    return;
  }
  const kp = (k + 3) & ~3;
  const panel = new Float64Array(kp * R); // column i of the panel at i·R; columns ≥ k stay zero
  const acc = new Float64Array(kp * kp);
  for (let s = r0; s < r1; s += R) {
    const n = Math.min(R, r1 - s);
    for (let r = 0; r < n; r++) {
      const o = (s + r) * k;
      for (let i = 0; i < k; i++) panel[i * R + r] = a[o + i];
    }
    for (let i = 0; i < kp; i += 4) {
      const p0 = i * R;
      const p1 = p0 + R;
      const p2 = p1 + R;
      const p3 = p2 + R;
      for (let j = i; j < kp; j += 2) {
        const q0 = j * R;
        const q1 = q0 + R;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        let s20 = 0;
        let s21 = 0;
        let s30 = 0;
        let s31 = 0;
        for (let r = 0; r < n; r++) {
          const x0 = panel[p0 + r];
          const x1 = panel[p1 + r];
          const x2 = panel[p2 + r];
          const x3 = panel[p3 + r];
          const y0 = panel[q0 + r];
          const y1 = panel[q1 + r];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s20 += x2 * y0;
          s21 += x2 * y1;
          s30 += x3 * y0;
          s31 += x3 * y1;
        }
        const o = i * kp + j;
        acc[o] += s00;
        acc[o + 1] += s01;
        acc[o + kp] += s10;
        acc[o + kp + 1] += s11;
        acc[o + 2 * kp] += s20;
        acc[o + 2 * kp + 1] += s21;
        acc[o + 3 * kp] += s30;
        acc[o + 3 * kp + 1] += s31;
      }
    }
  }
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) g[go + i * k + j] += acc[i * kp + j];
}

/**
 * Cholesky factor L (lower triangular, row-major k × k) with G = L Lᵀ, or null when G is not
 * numerically positive definite (a pivot below 1e-13 of its diagonal entry): the caller then
 * falls back to Householder QR instead of producing a non-orthonormal basis.
 */
export function cholesky(g: Float64Array, k: number): Float64Array | null {
  checkShape(g, k, k, 'cholesky');
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    const lj = j * k;
    let diag = g[lj + j];
    for (let t = 0; t < j; t++) diag -= l[lj + t] * l[lj + t];
    if (!(diag > CHOLESKY_RELATIVE_PIVOT * g[lj + j])) return null; // also catches NaN
    const ljj = Math.sqrt(diag);
    l[lj + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      const li = i * k;
      let s = g[li + j];
      for (let t = 0; t < j; t++) s -= l[li + t] * l[lj + t];
      l[li + j] = s / ljj;
    }
  }
  return l;
}

/** Inverse of an upper triangular k × k matrix R (row-major), by back substitution column by column. */
export function invertUpperTriangular(r: Float64Array, k: number): Float64Array {
  checkShape(r, k, k, 'invertUpperTriangular');
  const inv = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    // Solve R x = e_j; x is column j of the inverse and is zero below row j.
    inv[j * k + j] = 1 / r[j * k + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let t = i + 1; t <= j; t++) s += r[i * k + t] * inv[t * k + j];
      inv[i * k + j] = -s / r[i * k + i];
    }
  }
  return inv;
}

/** Transpose of a row-major rows × cols matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  checkShape(a, rows, cols, 'transpose');
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/**
 * A · B for a tall m × k matrix A and a small k × l matrix B (row-major). With
 * `upperTriangularB`, entries of B below the diagonal are taken as zero and skipped (for
 * A·R⁻¹ in Cholesky-QR). Every output row is computed the same way wherever the row blocks
 * fall, so `kernels` (threads) give bit-identical results. `into`: an m × l array the caller no
 * longer needs (not A), overwritten with the result and returned, instead of a new array.
 */
export function multiplyTallBySmall(
  a: Float64Array,
  m: number,
  k: number,
  b: Float64Array,
  l: number,
  upperTriangularB = false,
  kernels?: TallKernels,
  into?: Float64Array,
): Float64Array {
  checkShape(a, m, k, 'multiplyTallBySmall (A)');
  checkShape(b, k, l, 'multiplyTallBySmall (B)');
  if (into !== undefined && (into.length !== m * l || into.buffer === a.buffer)) throw new RangeError('multiplyTallBySmall: into must be a separate m × l array');
  if (kernels && kernels.threads > 1 && m >= 1024) return kernels.tallBySmall(a, m, k, b, l, upperTriangularB, into);
  const out = into ? into.fill(0) : new Float64Array(m * l); // the rows are added into it
  multiplyTallBySmallRows(a, k, b, l, upperTriangularB, out, 0, m);
  return out;
}

/**
 * Rows [r0, r1) of A·B (see multiplyTallBySmall) added into `out` (m × l).
 *
 * Each output entry is one dot product of a row of A with a column of B (read from Bᵀ, so both
 * are contiguous), summed in order of i; four rows × two columns are computed together in eight
 * register accumulators, so each loaded value serves two or four products (measured 0.36 s
 * against 0.66 s CPU for 49k × 110 × 110 with the earlier row-sweep kernel, which loaded and
 * stored the output row for every product). An entry's arithmetic does not depend on which
 * block or group its row falls in, so any row split gives bit-identical output.
 */
export function multiplyTallBySmallRows(
  a: Float64Array,
  k: number,
  b: Float64Array,
  l: number,
  upperTriangularB: boolean,
  out: Float64Array,
  r0: number,
  r1: number,
): void {
  // Bᵀ (l × k); with upperTriangularB the entries below B's diagonal are zeroed, so the loops
  // below can run over the nonzero prefix i ≤ j of a column and add exact zeros at most once.
  const bt = new Float64Array(l * k);
  for (let i = 0; i < k; i++) for (let j = upperTriangularB ? i : 0; j < l; j++) bt[j * k + i] = b[i * l + j];
  // The same sums in WebAssembly (wasm/row-blocks.ts) where it runs, then added here in JS.
  const blocks = tallBlocks(bt, l, k, upperTriangularB);
  if (blocks) {
    for (let r = r0; r < r1; r += ROW_BLOCK_ROWS) {
      const n = Math.min(ROW_BLOCK_ROWS, r1 - r);
      blocks.rows.set(a.subarray(r * k, (r + n) * k));
      blocks.run(n);
      const sums = blocks.out;
      const o = r * l;
      for (let q = 0; q < n * l; q++) out[o + q] += sums[q];
    }
    return;
  }
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const a0 = r * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    const o0 = r * l;
    const o1 = o0 + l;
    const o2 = o1 + l;
    const o3 = o2 + l;
    let j = 0;
    for (; j + 2 <= l; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      // column j has nonzeros in rows i ≤ j, column j + 1 in i ≤ j + 1 (upper case)
      const n = upperTriangularB ? Math.min(k, j + 2) : k;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let i = 0; i < n; i++) {
        const x0 = a[a0 + i];
        const x1 = a[a1 + i];
        const x2 = a[a2 + i];
        const x3 = a[a3 + i];
        const y0 = bt[b0 + i];
        const y1 = bt[b1 + i];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      out[o0 + j] += s00;
      out[o0 + j + 1] += s01;
      out[o1 + j] += s10;
      out[o1 + j + 1] += s11;
      out[o2 + j] += s20;
      out[o2 + j + 1] += s21;
      out[o3 + j] += s30;
      out[o3 + j + 1] += s31;
    }
    for (; j < l; j++) {
      const n = upperTriangularB ? Math.min(k, j + 2) : k;
      for (let t = 0; t < 4; t++) out[o0 + t * l + j] += dotPrefix(a, a0 + t * k, bt, j * k, n);
    }
  }
  for (; r < r1; r++) {
    const ar = r * k;
    const o = r * l;
    for (let j = 0; j < l; j++) out[o + j] += dotPrefix(a, ar, bt, j * k, upperTriangularB ? Math.min(k, j + 2) : k);
  }
}

/** Σ_{i < n} x[xo + i]·y[yo + i], summed in order of i (as each accumulator of the 4 × 2 block). */
function dotPrefix(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
  return s;
}

/** A thin QR factorisation: Q (m × k, orthonormal columns) and R (k × k, upper triangular) with A = Q R. */
export interface ThinQr {
  q: Float64Array;
  r: Float64Array;
  /** Which algorithm produced it: Cholesky-QR2 normally, Householder when A is (nearly) rank deficient. */
  method: 'cholesky-qr' | 'cholesky-qr2' | 'householder';
}

/**
 * Orthonormalises the columns of a tall m × k matrix (m ≥ k). Cholesky-QR2 (Fukaya et al. 2014):
 * two rounds of Q = A·(chol(AᵀA)ᵀ)⁻¹ cost two Gram matrices and two triangular products, all
 * cache-friendly row sweeps, and the second round restores orthogonality to machine precision
 * as long as cond(A) ≲ 1e7. When Cholesky fails (rank deficiency, cond too large) Householder QR
 * takes over: slower (≈ 2× the flops, strided) but unconditionally stable.
 */
export function orthonormalize(a: Float64Array, m: number, k: number, kernels?: TallKernels): ThinQr {
  return choleskyQr2(a, m, k, kernels) ?? householderQr(a, m, k);
}

/** Cholesky-QR2 alone: null when a Gram matrix is not numerically positive definite (cond(A) ≳ 3e6). */
export function choleskyQr2(a: Float64Array, m: number, k: number, kernels?: TallKernels, into?: Float64Array, overwriteA = false): ThinQr | null {
  checkShape(a, m, k, 'choleskyQr2');
  if (m < k) throw new RangeError(`choleskyQr2: needs at least as many rows as columns, got ${m} × ${k}`);
  // overwriteA: the first round's Q goes into `into`, the second's into A (read by the first
  // round only), so the two rounds need no new array. Either round failing leaves A as it was.
  const first = choleskyQrStep(a, m, k, kernels, overwriteA ? into : undefined);
  if (!first) return null;
  const second = choleskyQrStep(first.q, m, k, kernels, overwriteA ? a : into);
  if (!second) return null;
  return { q: second.q, r: multiplyUpper(second.r, first.r, k), method: 'cholesky-qr2' };
}

/**
 * One Cholesky-QR round alone (Q = A·R⁻¹, R = chol(AᵀA)ᵀ): half the cost of choleskyQr2, with Q
 * orthonormal only to ~ε·cond(A)². For the intermediate steps of a power iteration, where Q only
 * has to be a well-conditioned basis. Null when the Gram matrix is not positive definite.
 * Both: `into` (an m × k array the caller no longer needs, not A) receives Q instead of a new array;
 * choleskyQr2 with `overwriteA` returns Q in A's array instead (see there).
 */
export function choleskyQr(a: Float64Array, m: number, k: number, kernels?: TallKernels, into?: Float64Array): ThinQr | null {
  checkShape(a, m, k, 'choleskyQr');
  if (m < k) throw new RangeError(`choleskyQr: needs at least as many rows as columns, got ${m} × ${k}`);
  const step = choleskyQrStep(a, m, k, kernels, into);
  return step ? { q: step.q, r: step.r, method: 'cholesky-qr' } : null;
}

/**
 * Eigendecomposition of a small symmetric k × k matrix (ml-matrix's tridiagonal QL), eigenvalues
 * sorted descending (ties keep ml-matrix's order) and eigenvectors as the matching columns of a
 * row-major k × k matrix.
 */
export function symmetricEigen(g: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  checkShape(g, k, k, 'symmetricEigen');
  const evd = new EigenvalueDecomposition(new Matrix(toRows(g, k, k)), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => raw[y] - raw[x] || x - y);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    values[c] = raw[order[c]];
    for (let i = 0; i < k; i++) vectors[i * k + c] = vecs.get(i, order[c]);
  }
  return { values, vectors };
}

function toRows(a: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from(a.subarray(i * cols, (i + 1) * cols)));
  return out;
}

/** One Cholesky-QR round: R = chol(AᵀA)ᵀ, Q = A R⁻¹; null when the Gram matrix is not positive definite. */
function choleskyQrStep(a: Float64Array, m: number, k: number, kernels?: TallKernels, into?: Float64Array): { q: Float64Array; r: Float64Array } | null {
  const l = cholesky(gramMatrix(a, m, k, kernels), k);
  if (!l) return null;
  const r = transpose(l, k, k);
  const q = multiplyTallBySmall(a, m, k, invertUpperTriangular(r, k), k, true, kernels, into);
  return { q, r };
}

/** Product of two upper triangular k × k matrices (stays upper triangular). */
function multiplyUpper(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let t = i; t < k; t++) {
      const ait = a[i * k + t];
      for (let j = t; j < k; j++) out[i * k + j] += ait * b[t * k + j];
    }
  }
  return out;
}

/**
 * Householder thin QR of a row-major m × k matrix. Column operations are written as row sweeps
 * (w = vᵀW accumulated over rows, then W −= v wᵀ) so they stay contiguous in row-major storage.
 * A zero column (rank deficiency) gets the identity reflector, and Q still has orthonormal columns.
 */
export function householderQr(a: Float64Array, m: number, k: number): ThinQr {
  checkShape(a, m, k, 'householderQr');
  if (m < k) throw new RangeError(`householderQr: needs at least as many rows as columns, got ${m} × ${k}`);
  const w = Float64Array.from(a);
  const vs = new Float64Array(m * k); // reflector j lives in column j, rows j..m-1 (unit 2-norm)
  const active = new Uint8Array(k);
  const r = new Float64Array(k * k);
  const row = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += w[i * k + j] * w[i * k + j];
    const norm = Math.sqrt(norm2);
    if (norm === 0) continue; // R[j][j] stays 0; reflector is the identity
    const x0 = w[j * k + j];
    const alpha = x0 >= 0 ? -norm : norm; // sign chosen to avoid cancellation in v0
    // v = x - alpha e1, normalised
    let vnorm2 = 0;
    for (let i = j; i < m; i++) {
      const vi = i === j ? x0 - alpha : w[i * k + j];
      vs[i * k + j] = vi;
      vnorm2 += vi * vi;
    }
    const vnorm = Math.sqrt(vnorm2);
    for (let i = j; i < m; i++) vs[i * k + j] /= vnorm;
    active[j] = 1;
    applyReflector(w, vs, m, k, j, j, row);
  }
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) r[i * k + j] = w[i * k + j];
  // Q = H_0 H_1 … H_{k-1} [I_k; 0], applied from the last reflector back.
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) if (active[j]) applyReflector(q, vs, m, k, j, 0, row);
  // Make R's diagonal non-negative (flip the matching Q column) so the factorisation is unique.
  for (let j = 0; j < k; j++) {
    if (r[j * k + j] < 0) {
      for (let t = j; t < k; t++) r[j * k + t] = -r[j * k + t];
      for (let i = 0; i < m; i++) q[i * k + j] = -q[i * k + j];
    }
  }
  return { q, r, method: 'householder' };
}

/** W[j.., from..] -= 2 v (vᵀ W[j.., from..]) for the unit reflector v stored in column j of vs. */
function applyReflector(
  w: Float64Array,
  vs: Float64Array,
  m: number,
  k: number,
  j: number,
  from: number,
  row: Float64Array,
): void {
  row.fill(0);
  for (let i = j; i < m; i++) {
    const vi = vs[i * k + j];
    if (vi === 0) continue;
    const o = i * k;
    for (let c = from; c < k; c++) row[c] += vi * w[o + c];
  }
  for (let i = j; i < m; i++) {
    const vi2 = 2 * vs[i * k + j];
    if (vi2 === 0) continue;
    const o = i * k;
    for (let c = from; c < k; c++) w[o + c] -= vi2 * row[c];
  }
}

function checkShape(a: Float64Array, rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`${what}: invalid shape ${rows} × ${cols}`);
  }
  if (a.length !== rows * cols) {
    throw new RangeError(`${what}: array length ${a.length} does not match ${rows} × ${cols}`);
  }
}
