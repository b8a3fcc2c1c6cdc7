import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PCA } from 'ml-pca';
import { describe, expect, it } from 'vitest';
import { choleskyQr, choleskyQr2, gramMatrix, householderQr, multiplyTallBySmall, orthonormalize } from '../analysis/linalg.ts';
import { EXACT_PCA_AUTO_MAX_CELLS, exactPca, fitPca, projectOntoPca, randomizedPca, type PcaResult } from '../analysis/pca.ts';
import { createRandom, gaussian } from '../analysis/random.ts';
import { csrFromTriplets, csrToDense } from '../analysis/sparse.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { repeatedRows } from './helpers/csr.ts';

// ---------- fixtures ----------

/** Sparse matrix with `rank` planted directions of decreasing strength plus sparse noise. */
function plantedSparse(rows: number, cols: number, rank: number, seed: number): CsrMatrix {
  const rnd = createRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    const group = i % rank;
    for (let j = 0; j < cols; j++) {
      const inBlock = Math.floor((j * rank) / cols) === group;
      const p = inBlock ? 0.5 : 0.04;
      if (rnd() < p) {
        r.push(i);
        c.push(j);
        v.push((inBlock ? 1 + group * 0.7 : 0.3) * (0.5 + rnd()));
      }
    }
  }
  return csrFromTriplets(rows, cols, r, c, v);
}

/** A tiny TF-IDF like scikit-learn's (sublinear tf, smooth idf, l2 rows) of generated topic documents. */
function tinyTfidf(docs: number, seed: number): CsrMatrix {
  const rnd = createRandom(seed);
  const topics = [
    ['neural', 'network', 'training', 'layer', 'gradient', 'deep', 'model', 'loss'],
    ['graph', 'node', 'edge', 'vertex', 'spectral', 'clustering', 'community', 'cut'],
    ['robot', 'control', 'policy', 'motion', 'planning', 'sensor', 'arm', 'grasp'],
    ['language', 'translation', 'token', 'sentence', 'corpus', 'parsing', 'word', 'text'],
    ['privacy', 'attack', 'secure', 'encryption', 'key', 'adversary', 'protocol', 'leak'],
  ];
  const common = ['data', 'results', 'method', 'performance', 'analysis', 'study', 'system', 'new', 'based', 'using'];
  const vocab = [...new Set([...topics.flat(), ...common])];
  const id = new Map(vocab.map((w, i) => [w, i]));
  const counts: Map<number, number>[] = [];
  for (let dIdx = 0; dIdx < docs; dIdx++) {
    const t = dIdx % topics.length;
    const m = new Map<number, number>();
    const len = 20 + Math.floor(rnd() * 30);
    for (let w = 0; w < len; w++) {
      const u = rnd();
      const word = u < 0.55 ? topics[t][Math.floor(rnd() * 8)] : u < 0.65 ? topics[(t + 1) % 5][Math.floor(rnd() * 8)] : common[Math.floor(rnd() * common.length)];
      const j = id.get(word)!;
      m.set(j, (m.get(j) ?? 0) + 1);
    }
    counts.push(m);
  }
  const df = new Float64Array(vocab.length);
  for (const m of counts) for (const j of m.keys()) df[j]++;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  counts.forEach((m, i) => {
    const entries = [...m.entries()].map(([j, tf]) => [j, (1 + Math.log(tf)) * (Math.log((1 + docs) / (1 + df[j])) + 1)] as const);
    const norm = Math.sqrt(entries.reduce((s, [, x]) => s + x * x, 0));
    for (const [j, x] of entries) {
      r.push(i);
      c.push(j);
      v.push(x / norm);
    }
  });
  return csrFromTriplets(docs, vocab.length, r, c, v);
}


function denseRows(X: CsrMatrix): number[][] {
  const d = csrToDense(X).data;
  return Array.from({ length: X.rows }, (_, i) => Array.from(d.subarray(i * X.cols, (i + 1) * X.cols)));
}

/** |cos| between component c of a and column c of ml-pca's eigenvector matrix. */
function absCosWithMl(res: PcaResult, ml: PCA, c: number, cols: number): number {
  const ev = ml.getEigenvectors();
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < cols; j++) {
    const a = res.components[c * cols + j];
    const b = ev.get(j, c);
    dot += a * b;
    na += a * a;
    nb += b * b;
  }
  return Math.abs(dot) / Math.sqrt(na * nb);
}

function expectOrthonormalRows(a: Float64Array, rows: number, cols: number, tol: number): void {
  for (let p = 0; p < rows; p++) {
    for (let q = p; q < rows; q++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += a[p * cols + j] * a[q * cols + j];
      expect(Math.abs(s - (p === q ? 1 : 0))).toBeLessThan(tol);
    }
  }
}

// ---------- linalg ----------

describe('orthonormalize (Cholesky-QR2 with Householder fallback)', () => {
  const m = 500;
  const k = 12;
  const rnd = createRandom(3);
  const a = new Float64Array(m * k).map(() => gaussian(rnd));

  function checkQr(a: Float64Array, q: Float64Array, r: Float64Array): void {
    // QᵀQ = I
    for (let p = 0; p < k; p++) {
      for (let s = p; s < k; s++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * k + p] * q[i * k + s];
        expect(Math.abs(dot - (p === s ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    // QR = A
    let maxErr = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t <= j; t++) s += q[i * k + t] * r[t * k + j];
        maxErr = Math.max(maxErr, Math.abs(s - a[i * k + j]));
      }
    }
    expect(maxErr).toBeLessThan(1e-10);
  }

  it('factorises a well-conditioned tall matrix with Cholesky-QR2', () => {
    const res = orthonormalize(a, m, k);
    expect(res.method).toBe('cholesky-qr2');
    checkQr(a, res.q, res.r);
  });

  it('Householder QR gives the same factorisation (R with non-negative diagonal is unique)', () => {
    const h = householderQr(a, m, k);
    const c = choleskyQr2(a, m, k)!;
    checkQr(a, h.q, h.r);
    for (let i = 0; i < k * k; i++) expect(h.r[i]).toBeCloseTo(c.r[i], 9);
  });

  it('falls back to Householder on a rank-deficient matrix and still returns orthonormal columns', () => {
    const b = Float64Array.from(a);
    for (let i = 0; i < m; i++) b[i * k + 5] = 2 * b[i * k + 1]; // column 5 = 2 × column 1
    expect(choleskyQr2(b, m, k)).toBeNull();
    const res = orthonormalize(b, m, k);
    expect(res.method).toBe('householder');
    checkQr(b, res.q, res.r);
  });
});

// ---------- PCA ----------

describe('exactPca', () => {
  const X = plantedSparse(120, 60, 4, 11);
  const ml = new PCA(denseRows(X), { center: true, scale: false });

  it('matches ml-pca: components up to sign, explained variance, ratios over the total variance', () => {
    const res = exactPca(X, 6);
    const mlVar = ml.getEigenvalues();
    const mlRatio = ml.getExplainedVariance(); // full spectrum: its sum is the total variance
    for (let c = 0; c < 6; c++) {
      expect(absCosWithMl(res, ml, c, X.cols)).toBeGreaterThan(1 - 1e-9);
      expect(res.explainedVariance[c]).toBeCloseTo(mlVar[c], 9);
      expect(res.explainedVarianceRatio[c]).toBeCloseTo(mlRatio[c], 9);
    }
    expect(res.solver).toBe('exact');
  });

  it('returns scores equal to (X − μ)·Vᵀ and orthonormal components with the sign convention', () => {
    const res = exactPca(X, 5);
    expectOrthonormalRows(res.components, 5, X.cols, 1e-9);
    const dense = csrToDense(X).data;
    for (let i = 0; i < X.rows; i += 7) {
      for (let c = 0; c < 5; c++) {
        let s = 0;
        for (let j = 0; j < X.cols; j++) s += (dense[i * X.cols + j] - res.mean[j]) * res.components[c * X.cols + j];
        expect(res.scores[i * 5 + c]).toBeCloseTo(s, 4);
      }
    }
    for (let c = 0; c < 5; c++) {
      const row = Array.from(res.components.subarray(c * X.cols, (c + 1) * X.cols));
      const maxAbs = Math.max(...row.map(Math.abs));
      expect(row.find((x) => Math.abs(x) === maxAbs)!).toBeGreaterThan(0);
    }
  });

  it('refuses inputs above the cell limit with a clear error', () => {
    const big: CsrMatrix = { rows: 3000, cols: 2000, indptr: new Int32Array(3001), indices: new Int32Array(0), data: new Float32Array(0) };
    expect(() => exactPca(big, 2)).toThrow(/randomizedPca/);
  });
});

describe('randomizedPca against ml-pca', () => {
  it('agrees on a planted low-rank sparse matrix: variance ratios, subspace, scores', () => {
    const X = plantedSparse(400, 150, 6, 5);
    const ml = new PCA(denseRows(X), { center: true, scale: false });
    const mlRatio = ml.getExplainedVariance();
    const res = randomizedPca(X, { nComponents: 4, seed: 1 });
    expect(res.solver).toBe('randomized');
    // the planted structure gives 4 components well above the rest: check the gap really is there
    expect(mlRatio[3] / mlRatio[4]).toBeGreaterThan(1.5);
    const predicted = ml.predict(denseRows(X), { nComponents: 4 });
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(res.explainedVarianceRatio[c] - mlRatio[c]) / mlRatio[c]).toBeLessThan(1e-3);
      expect(absCosWithMl(res, ml, c, X.cols)).toBeGreaterThan(0.99);
      // scores equal up to the component's sign, to the accuracy of the sketched direction
      let dot = 0;
      for (let i = 0; i < X.rows; i++) dot += res.scores[i * 4 + c] * predicted.get(i, c);
      const sign = Math.sign(dot);
      let diff2 = 0;
      let norm2 = 0;
      for (let i = 0; i < X.rows; i++) {
        diff2 += (res.scores[i * 4 + c] - sign * predicted.get(i, c)) ** 2;
        norm2 += predicted.get(i, c) ** 2;
      }
      expect(Math.sqrt(diff2 / norm2)).toBeLessThan(0.02);
    }
    expectOrthonormalRows(res.components, 4, X.cols, 1e-9);
  });

  it('agrees on a small TF-IDF of topic documents, and with exactPca component by component', () => {
    const X = tinyTfidf(300, 9);
    const exact = exactPca(X, 4);
    const ml = new PCA(denseRows(X), { center: true, scale: false });
    const mlRatio = ml.getExplainedVariance();
    expect(mlRatio[3] / mlRatio[4]).toBeGreaterThan(1.5); // 5 topics → 4 strong centred directions
    const res = randomizedPca(X, { nComponents: 4, seed: 2, nOversamples: 10, nPowerIter: 4 });
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(res.explainedVarianceRatio[c] - mlRatio[c]) / mlRatio[c]).toBeLessThan(1e-3);
      expect(absCosWithMl(res, ml, c, X.cols)).toBeGreaterThan(0.99);
      // same sign convention as the exact solver → same components, not just the same span
      let dot = 0;
      for (let j = 0; j < X.cols; j++) dot += res.components[c * X.cols + j] * exact.components[c * X.cols + j];
      expect(dot).toBeGreaterThan(0.99);
    }
  });

  it('power steps orthonormalised only every second step: the exact components for any q', () => {
    // steep planted spectrum (strengths 1 … 4.5): two unnormalised steps multiply the condition
    // number by (σ₁/σ_l)⁴, which the next Cholesky-QR round must still handle
    const X = plantedSparse(400, 150, 6, 11);
    const exact = exactPca(X, 4);
    // error of the weakest of the 4 components per q (a round every step measured 2e-1, 2e-2,
    // 2e-3, 3e-4, 3e-5, 4e-6 here): every power step must count, scaled or orthonormalised
    const tolerance = [0.3, 5e-2, 5e-3, 1e-3, 1e-4, 1e-5];
    for (const q of [1, 2, 3, 4, 5, 6]) {
      const res = randomizedPca(X, { nComponents: 4, seed: 3, nOversamples: 4, nPowerIter: q });
      expectOrthonormalRows(res.components, 4, X.cols, 1e-9);
      for (let c = 0; c < 4; c++) {
        expect(Math.abs(res.explainedVariance[c] - exact.explainedVariance[c]) / exact.explainedVariance[c]).toBeLessThan(tolerance[q - 1]!);
        let dot = 0;
        for (let j = 0; j < X.cols; j++) dot += res.components[c * X.cols + j] * exact.components[c * X.cols + j];
        expect(1 - dot).toBeLessThan(tolerance[q - 1]!);
      }
    }
  });

  it('is deterministic for a seed, and stable across seeds on the strong components', () => {
    const X = plantedSparse(300, 100, 5, 8);
    const a = randomizedPca(X, { nComponents: 3, seed: 42 });
    const b = randomizedPca(X, { nComponents: 3, seed: 42 });
    expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
    expect(Array.from(a.components)).toEqual(Array.from(b.components));
    const c = randomizedPca(X, { nComponents: 3, seed: 43 });
    for (let p = 0; p < 3; p++) {
      let dot = 0;
      for (let j = 0; j < X.cols; j++) dot += a.components[p * X.cols + j] * c.components[p * X.cols + j];
      expect(dot).toBeGreaterThan(0.99); // signs are fixed, so the components agree, not just |cos|
    }
  });

  it('handles data whose rank is below the sketch size (Householder fallback path)', () => {
    // 40 rows that are copies of 3 distinct rows: centred rank 2, sketch l = min(2 + 10, 40, 30)
    const X = repeatedRows(plantedSparse(3, 30, 3, 4), 40);
    const res = randomizedPca(X, { nComponents: 2, seed: 1 });
    const exact = exactPca(X, 2);
    for (let p = 0; p < 2; p++) expect(res.explainedVarianceRatio[p]).toBeCloseTo(exact.explainedVarianceRatio[p], 6);
    expect(res.explainedVarianceRatio[0] + res.explainedVarianceRatio[1]).toBeCloseTo(1, 6);
    expectOrthonormalRows(res.components, 2, X.cols, 1e-8);
  });

  it('checks its options up front', () => {
    const X = plantedSparse(30, 20, 2, 1);
    expect(() => randomizedPca(X, { nComponents: 20, seed: 1 })).toThrow(/nComponents/);
    expect(() => randomizedPca(X, { nComponents: 0, seed: 1 })).toThrow(/nComponents/);
    expect(() => randomizedPca(X, { nComponents: 2.5, seed: 1 })).toThrow(/nComponents/);
    expect(() => randomizedPca(X, { nComponents: 2, nPowerIter: -1, seed: 1 })).toThrow(/nPowerIter/);
    expect(() => randomizedPca(X, { nComponents: 2, nOversamples: 1.5, seed: 1 })).toThrow(/nOversamples/);
    expect(() => randomizedPca(X, { nComponents: 2, seed: 0.5 })).toThrow(/seed/);
  });
});

describe('randomizedPca on wide matrices (fewer rows than columns: the document-side sketch)', () => {
  it('agrees with ml-pca on a planted wide matrix: variance ratios, subspace, scores, orthonormal components', () => {
    const X = plantedSparse(150, 400, 6, 5);
    const ml = new PCA(denseRows(X), { center: true, scale: false });
    const mlRatio = ml.getExplainedVariance();
    expect(mlRatio[3] / mlRatio[4]).toBeGreaterThan(1.5);
    const res = randomizedPca(X, { nComponents: 4, seed: 1 });
    const predicted = ml.predict(denseRows(X), { nComponents: 4 });
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(res.explainedVarianceRatio[c] - mlRatio[c]) / mlRatio[c]).toBeLessThan(1e-3);
      expect(absCosWithMl(res, ml, c, X.cols)).toBeGreaterThan(0.99);
      let diff2 = 0;
      let norm2 = 0;
      let dot = 0;
      for (let i = 0; i < X.rows; i++) dot += res.scores[i * 4 + c] * predicted.get(i, c);
      for (let i = 0; i < X.rows; i++) {
        diff2 += (res.scores[i * 4 + c] - Math.sign(dot) * predicted.get(i, c)) ** 2;
        norm2 += predicted.get(i, c) ** 2;
      }
      expect(Math.sqrt(diff2 / norm2)).toBeLessThan(0.02);
    }
    expectOrthonormalRows(res.components, 4, X.cols, 1e-9);
  });

  it('every power step counts: the exact components for any q', () => {
    const X = plantedSparse(150, 400, 6, 11);
    const exact = exactPca(X, 4);
    // worst error of the 4 components per q = 0 … 6, measured: 6e-1, 6e-2, 7e-3, 8e-4, 9e-5, 1e-5,
    // 1.5e-6 (the 400 × 150 transpose fitted on the term side: 1.1, 2e-1, 2e-2, 2e-3, 3e-4, 3e-5,
    // 4e-6; V spans (X̃ᵀX̃)^(q+1)Ω here, one power more for the one more product)
    const tolerance = [1, 0.15, 1.5e-2, 2e-3, 2e-4, 3e-5, 4e-6];
    for (const q of [0, 1, 2, 3, 4, 5, 6]) {
      const res = randomizedPca(X, { nComponents: 4, seed: 3, nOversamples: 4, nPowerIter: q });
      expectOrthonormalRows(res.components, 4, X.cols, 1e-9);
      const tol = tolerance[q]!;
      for (let c = 0; c < 4; c++) {
        expect(Math.abs(res.explainedVariance[c] - exact.explainedVariance[c]) / exact.explainedVariance[c]).toBeLessThan(tol);
        let dot = 0;
        for (let j = 0; j < X.cols; j++) dot += res.components[c * X.cols + j] * exact.components[c * X.cols + j];
        expect(1 - dot).toBeLessThan(tol);
      }
    }
  });

  it('falls back to the term-side sketch when a kept component has no variance (rank below nComponents)', () => {
    // 12 rows that are copies of 3 distinct rows over 40 columns: centred rank 2, 3 components asked
    const X = repeatedRows(plantedSparse(3, 40, 3, 4), 12);
    const res = randomizedPca(X, { nComponents: 3, seed: 1 });
    const exact = exactPca(X, 2);
    for (let p = 0; p < 2; p++) expect(res.explainedVarianceRatio[p]).toBeCloseTo(exact.explainedVarianceRatio[p], 6);
    expect(res.explainedVarianceRatio[2]).toBeLessThan(1e-9);
    for (const x of res.components) expect(Number.isFinite(x)).toBe(true);
    expectOrthonormalRows(res.components, 3, X.cols, 1e-8);
  });
});

describe('randomizedPca with the random-sign test matrix (4,096 columns or more)', () => {
  // Below 4,096 columns the test matrix is Gaussian (the blocks above); from there on it is random
  // signs, on either side. Both checked against the exact solver for q = 1 … 4.
  const check = (res: PcaResult, exact: PcaResult, cols: number, tol: number) => {
    expectOrthonormalRows(res.components, 4, cols, 1e-9);
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(res.explainedVarianceRatio[c] - exact.explainedVarianceRatio[c]) / exact.explainedVarianceRatio[c]).toBeLessThan(tol);
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += res.components[c * cols + j] * exact.components[c * cols + j];
      expect(1 - dot).toBeLessThan(tol);
    }
  };
  // Worst error of the 4 components per q = 1 … 4, measured: wide 1.2e-1, 7.2e-3, 4.3e-4, 2.8e-5;
  // tall 2.5e-1, 1.5e-2, 8.2e-4, 4.5e-5 (the same fits with the Gaussian test matrix: wide 2.2e-1,
  // 1.3e-2, 7.5e-4, 4.6e-5; tall 4.4e-1, 3.2e-2, 1.6e-3, 8.7e-5). Tolerances ~3× the signs' errors.
  it('the document side (150 × 4,200): the exact components', () => {
    const X = plantedSparse(150, 4200, 6, 12);
    const exact = exactPca(X, 4);
    const tolerance = [0.4, 2e-2, 1.5e-3, 1e-4];
    for (const q of [1, 2, 3, 4]) check(randomizedPca(X, { nComponents: 4, seed: 5, nOversamples: 4, nPowerIter: q }), exact, X.cols, tolerance[q - 1]!);
  });

  it('the term side (4,200 × 4,200, every row 28 times: the components of its 150 distinct rows)', () => {
    const base = plantedSparse(150, 4200, 6, 13);
    const X = repeatedRows(base, 4200); // centred covariance = the base's, up to the count
    const exact = exactPca(base, 4);
    const tolerance = [0.8, 5e-2, 2.5e-3, 1.5e-4];
    for (const q of [1, 2, 3, 4]) check(randomizedPca(X, { nComponents: 4, seed: 5, nOversamples: 4, nPowerIter: q }), exact, X.cols, tolerance[q - 1]!);
  });
});

describe('fitPca', () => {
  it('uses the exact solver for small inputs and the randomized one above the threshold', () => {
    const small = plantedSparse(50, 40, 3, 2);
    expect(fitPca(small, { nComponents: 3, seed: 1 }).solver).toBe('exact');
    const rows = Math.ceil(EXACT_PCA_AUTO_MAX_CELLS / 60) + 10;
    const large = plantedSparse(rows, 60, 3, 2);
    const res = fitPca(large, { nComponents: 3, seed: 1 });
    expect(res.solver).toBe('randomized');
    expect(res.scores.length).toBe(rows * 3);
  });
});

describe('dense kernels against the textbook sums', () => {
  // odd sizes: rows not a multiple of 4, k not a multiple of 4 or 2, l odd
  const m = 4 * 1100 + 3;
  const k = 13;
  const rnd = createRandom(21);
  const a = Float64Array.from({ length: m * k }, () => gaussian(rnd));
  it('gramMatrix is AᵀA', () => {
    const g = gramMatrix(a, m, k);
    for (const [i, j] of [[0, 0], [0, 12], [5, 7], [12, 12], [11, 3]]) {
      let ref = 0;
      for (let r = 0; r < m; r++) ref += a[r * k + i] * a[r * k + j];
      expect(g[i * k + j]).toBeCloseTo(ref, 9);
    }
  });
  it('multiplyTallBySmall is A·B, and A·triu(B) with upperTriangularB', () => {
    const l = 7;
    const b = Float64Array.from({ length: k * l }, () => gaussian(rnd));
    const full = multiplyTallBySmall(a, m, k, b, l);
    const upper = multiplyTallBySmall(a, m, k, b, l, true);
    for (const r of [0, 1, 4, m - 3, m - 1]) {
      for (let j = 0; j < l; j++) {
        let ref = 0;
        let refUpper = 0;
        for (let i = 0; i < k; i++) {
          ref += a[r * k + i] * b[i * l + j];
          if (i <= j) refUpper += a[r * k + i] * b[i * l + j];
        }
        expect(full[r * l + j]).toBeCloseTo(ref, 12);
        expect(upper[r * l + j]).toBeCloseTo(refUpper, 12);
      }
    }
  });
  it('one Cholesky-QR round gives orthonormal columns on a well-conditioned matrix', () => {
    const res = choleskyQr(a, m, k)!;
    expect(res.method).toBe('cholesky-qr');
    const g = gramMatrix(res.q, m, k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(Math.abs(g[i * k + j] - (i === j ? 1 : 0))).toBeLessThan(1e-12);
  });
});

describe('projectOntoPca', () => {
  it('gives exactly the scores fitPca gave the rows it was fitted on, for all rows and for a subset', () => {
    const X = plantedSparse(Math.ceil(EXACT_PCA_AUTO_MAX_CELLS / 80) + 50, 80, 5, 12);
    const fit = fitPca(X, { nComponents: 4, seed: 7 });
    expect(fit.solver).toBe('randomized');
    expect(Array.from(projectOntoPca(fit, X))).toEqual(Array.from(fit.scores));
    // rows 10..19 alone (a new batch with the same vocabulary)
    const rows = 10;
    const start = X.indptr[10];
    const sub = {
      rows,
      cols: X.cols,
      indptr: Int32Array.from(X.indptr.subarray(10, 21), (p) => p - start),
      indices: X.indices.slice(start, X.indptr[20]),
      data: X.data.slice(start, X.indptr[20]),
    };
    expect(Array.from(projectOntoPca(fit, sub))).toEqual(Array.from(fit.scores.subarray(10 * 4, 20 * 4)));
    // the exact solver's scores too
    const small = plantedSparse(60, 40, 3, 3);
    const exact = fitPca(small, { nComponents: 3, seed: 1 });
    expect(exact.solver).toBe('exact');
    expect(Array.from(projectOntoPca(exact, small))).toEqual(Array.from(exact.scores));
  });
  it('refuses a matrix over other columns', () => {
    const X = plantedSparse(60, 40, 3, 3);
    const fit = fitPca(X, { nComponents: 3, seed: 1 });
    expect(() => projectOntoPca(fit, plantedSparse(10, 41, 3, 3))).toThrow(/columns/);
  });
  it('gives the same scores to the bit a block of rows at a time, whatever the block size', () => {
    const X = plantedSparse(Math.ceil(EXACT_PCA_AUTO_MAX_CELLS / 80) + 50, 80, 5, 12);
    const fit = fitPca(X, { nComponents: 4, seed: 7 });
    const whole = Array.from(projectOntoPca(fit, X, undefined, X.rows));
    expect(whole).toEqual(Array.from(fit.scores));
    for (const blockRows of [1, 7, 500, X.rows - 1]) expect(Array.from(projectOntoPca(fit, X, undefined, blockRows))).toEqual(whole);
    for (const bad of [0, -3, 2.5, Number.NaN]) expect(() => projectOntoPca(fit, X, undefined, bad)).toThrow(/blockRows/);
  });
});

describe('skipScores', () => {
  it('leaves the scores empty and everything else as the full result, on both solvers', () => {
    for (const X of [plantedSparse(60, 40, 3, 3), tinyTfidf(600, 31)]) {
      const full = fitPca(X, { nComponents: 3, seed: 1 });
      const bare = fitPca(X, { nComponents: 3, seed: 1, skipScores: true });
      expect(full.scores).toHaveLength(X.rows * 3);
      expect(bare.scores).toHaveLength(0);
      expect(Array.from(bare.components)).toEqual(Array.from(full.components));
      expect(Array.from(bare.explainedVarianceRatio)).toEqual(Array.from(full.explainedVarianceRatio));
      expect(Array.from(projectOntoPca(bare, X))).toEqual(Array.from(full.scores));
    }
    const X = tinyTfidf(600, 31);
    const full = randomizedPca(X, { nComponents: 3, seed: 1 });
    const bare = randomizedPca(X, { nComponents: 3, seed: 1, skipScores: true });
    expect(bare.solver).toBe('randomized');
    expect(bare.scores).toHaveLength(0);
    expect(Array.from(bare.components)).toEqual(Array.from(full.components));
    expect(Array.from(projectOntoPca(bare, X))).toEqual(Array.from(full.scores));
  });
});

describe('randomizedPca warm start (initialBasis)', () => {
  const X = tinyTfidf(600, 31);
  const exact = exactPca(X, 4);
  const sum = (r: PcaResult) => r.explainedVarianceRatio.reduce((s, v) => s + v, 0);
  const exactSum = sum(exact);
  it('started from the answer, needs no power iteration; a cold start with none falls short', () => {
    const cold = randomizedPca(X, { nComponents: 4, nOversamples: 2, nPowerIter: 0, seed: 5 });
    const warm = randomizedPca(X, { nComponents: 4, nOversamples: 2, nPowerIter: 0, seed: 5, initialBasis: exact.components });
    expect((exactSum - sum(cold)) / exactSum).toBeGreaterThan(1e-3);
    expect(Math.abs(sum(warm) - exactSum) / exactSum).toBeLessThan(1e-9);
    for (let c = 0; c < 4; c++) {
      let dot = 0;
      for (let j = 0; j < X.cols; j++) dot += warm.components[c * X.cols + j] * exact.components[c * X.cols + j];
      expect(dot).toBeGreaterThan(1 - 1e-9);
    }
  });
  it('accepts a full-width basis, is deterministic, and checks the basis up front', () => {
    const wide = randomizedPca(X, { nComponents: 3, nOversamples: 1, nPowerIter: 1, seed: 5, initialBasis: exact.components });
    const again = randomizedPca(X, { nComponents: 3, nOversamples: 1, nPowerIter: 1, seed: 5, initialBasis: exact.components });
    expect(Array.from(wide.scores)).toEqual(Array.from(again.scores));
    expect(() => randomizedPca(X, { nComponents: 2, nOversamples: 1, seed: 5, initialBasis: exact.components })).toThrow(/initialBasis/);
    expect(() => randomizedPca(X, { nComponents: 2, seed: 5, initialBasis: new Float64Array(X.cols + 1) })).toThrow(/initialBasis/);
    const bad = exact.components.slice(0, X.cols);
    bad[3] = Number.NaN;
    expect(() => randomizedPca(X, { nComponents: 2, seed: 5, initialBasis: bad })).toThrow(/non-finite/);
  });
});

// ---------- real corpus (skipped when ../shared is absent) ----------

const arxiv = '/work/shared/data/arxiv-cs-daily.jsonl.gz';
describe.skipIf(!existsSync(arxiv))('randomizedPca on real arXiv abstracts', () => {
  it('matches ml-pca on a crude TF-IDF of 600 abstracts', () => {
    const lines = gunzipSync(readFileSync(arxiv)).toString('utf8').split('\n', 600).filter((l) => l.trim());
    const docs = lines.map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      const text = `${String(o.title ?? '')} ${String(o.abstract ?? o.summary ?? '')}`.toLowerCase();
      return text.match(/[a-z]{3,}/g) ?? [];
    });
    const df = new Map<string, number>();
    for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
    const vocab = [...df.entries()].filter(([, n]) => n >= 5 && n <= docs.length / 2).map(([w]) => w).sort();
    const id = new Map(vocab.map((w, i) => [w, i]));
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    docs.forEach((d, i) => {
      const tf = new Map<number, number>();
      for (const w of d) {
        const j = id.get(w);
        if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
      }
      const entries = [...tf.entries()].map(([j, n]) => [j, (1 + Math.log(n)) * (Math.log((1 + docs.length) / (1 + df.get(vocab[j])!)) + 1)] as const);
      const norm = Math.sqrt(entries.reduce((s, [, x]) => s + x * x, 0)) || 1;
      for (const [j, x] of entries) {
        r.push(i);
        c.push(j);
        v.push(x / norm);
      }
    });
    const X = csrFromTriplets(docs.length, vocab.length, r, c, v);
    const ml = new PCA(denseRows(X), { center: true, scale: false });
    const mlRatio = ml.getExplainedVariance();
    const res = randomizedPca(X, { nComponents: 10, seed: 3 });
    // The spectrum of text is flat after the first component (ratios ≈ .026 .019 .018 .017 …):
    // only the first component has a clear gap; for the rest, check the captured variance.
    expect(mlRatio[0] / mlRatio[1]).toBeGreaterThan(1.2);
    expect(Math.abs(res.explainedVarianceRatio[0] - mlRatio[0]) / mlRatio[0]).toBeLessThan(1e-3);
    expect(absCosWithMl(res, ml, 0, X.cols)).toBeGreaterThan(0.99);
    const total = res.explainedVarianceRatio.reduce((s, x) => s + x, 0);
    const mlTotal = mlRatio.slice(0, 10).reduce((s, x) => s + x, 0);
    expect(total).toBeLessThanOrEqual(mlTotal * (1 + 1e-9)); // a sketch cannot beat the optimum
    expect(Math.abs(total - mlTotal) / mlTotal).toBeLessThan(3e-2);
  });
});
