// WorkerPool and the parallel kernels: workers start under vitest (forks pool) and under tsx, a
// worker that cannot start leaves a working single-thread pool, errors in kernels surface, and
// every parallel path gives bit-identical results to the serial one.

import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitKMeans, type KMeansOptions } from '../analysis/kmeans.ts';
import { parallelSparseProducts, sharedCsr, sharedTranspose } from '../analysis/parallel/parallel-sparse-products.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { isShared, SharedScratch } from '../analysis/parallel/shared.ts';
import { collectGarbage } from '../analysis/parallel/collect.ts';
import { centredMultiply, centredTransposeMultiply } from '../analysis/pca-centred.ts';
import { csrColumnMeans } from '../analysis/sparse.ts';
import { balancedRowBounds } from '../analysis/parallel/sparse-kernels.ts';
import { choleskyQr, choleskyQr2, GRAM_ROW_BLOCK, gramMatrix, multiplyTallBySmall } from '../analysis/linalg.ts';
import { poolTallKernels } from '../analysis/parallel/dense-kernels.ts';
import { fitPca, projectOntoPca, randomizedPca } from '../analysis/pca.ts';
import { sliceByLength, tokenizeCorpusParallel } from '../analysis/parallel/tokenize-kernels.ts';
import { tokenizeCorpus } from '../analysis/text/tokenizer.ts';
import { makeCorpus } from './helpers/corpus.ts';
import { createRandom, gaussian } from '../analysis/random.ts';
import { csrFromTriplets, csrTranspose } from '../analysis/sparse.ts';
import { serialSparseProducts } from '../analysis/sparse-products.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { repeatedRows } from './helpers/csr.ts';

/** A seeded sparse matrix with uneven row lengths (some empty rows, a few long ones). */
function randomCsr(rows: number, cols: number, seed: number): CsrMatrix {
  const random = createRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    const len = i % 17 === 0 ? 0 : i % 23 === 0 ? 60 : 1 + Math.floor(random() * 12);
    for (let t = 0; t < len; t++) {
      r.push(i);
      c.push(Math.floor(random() * cols));
      v.push(random() + 0.01);
    }
  }
  return csrFromTriplets(rows, cols, r, c, v);
}

/** Points around `k` well separated centres (n × d), seeded. */
function blobs(n: number, d: number, k: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const centres = Array.from({ length: k * d }, () => gaussian(random) * 4);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let t = 0; t < d; t++) out[i * d + t] = centres[c * d + t] + gaussian(random);
  }
  return out;
}

describe('WorkerPool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 3 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('warm: workers load what they are told ahead of their first job, and only that', async () => {
    const cold = await WorkerPool.start({ threads: 2 });
    const warmed = await WorkerPool.start({ threads: 2, warm: ['tokenizer'] });
    try {
      expect(cold.run<{ wink: boolean }>('loaded', null)[1]).toEqual({ wink: false });
      // The warmer runs in the worker's first turn after 'ready', before any job it is sent.
      expect(warmed.run<{ wink: boolean }>('loaded', null)[1]).toEqual({ wink: true });
    } finally {
      await cold.close();
      await warmed.close();
    }
    await expect(WorkerPool.start({ threads: 2, warm: ['nope' as 'tokenizer'] })).rejects.toThrow(/unknown warmer 'nope'/);
  });

  it('starts its workers under vitest (tsx hooks registered inside the worker)', () => {
    expect(pool.startErrors).toEqual([]);
    expect(pool.threads).toBe(3);
  });

  it('runs one part per thread, part 0 on the caller, results in part order', () => {
    expect(pool.run('echo', { value: 7 })).toEqual([
      { value: 7, part: 0, parts: 3 },
      { value: 7, part: 1, parts: 3 },
      { value: 7, part: 2, parts: 3 },
    ]);
  });

  it('reports a kernel error and stays usable', () => {
    expect(() => pool.run('fail', { message: 'planted failure' })).toThrow(/planted failure/);
    expect(pool.run('echo', { value: 1 })).toHaveLength(3);
  });

  it('runEach runs `meanwhile` once on the calling thread before it returns; its error comes after the workers finish, a kernel error first', () => {
    let calls = 0;
    const parts = [{ value: 0 }, { value: 1 }, { value: 2 }];
    expect(pool.runEach('echo', parts, () => calls++)).toEqual(parts.map((p, part) => ({ ...p, part, parts: 3 })));
    expect(calls).toBe(1);
    expect(() =>
      pool.runEach('echo', parts, () => {
        throw new Error('planted meanwhile failure');
      }),
    ).toThrow('planted meanwhile failure');
    expect(() =>
      pool.runEach('fail', [{ message: 'planted kernel failure' }, { message: 'planted kernel failure' }, { message: 'planted kernel failure' }], () => {
        throw new Error('planted meanwhile failure');
      }),
    ).toThrow(/planted kernel failure/);
    expect(pool.run('echo', { value: 1 })).toHaveLength(3);
  });

  it('rejects unknown kernels and bad options up front', async () => {
    expect(() => pool.run('no-such-kernel' as 'echo', {})).toThrow(/unknown kernel/);
    await expect(WorkerPool.start({ threads: 0 })).rejects.toThrow(/threads/);
  });
});

describe('WorkerPool fallback', () => {
  it('a worker that cannot start leaves a one-thread pool that still runs kernels', async () => {
    const pool = await WorkerPool.start({ threads: 2, workerUrl: new URL('./fixtures/no-such-worker.ts', import.meta.url) });
    expect(pool.threads).toBe(1);
    expect(pool.startErrors).toHaveLength(1);
    expect(pool.run('echo', { value: 3 })).toEqual([{ value: 3, part: 0, parts: 1 }]);
    await pool.close();
  });

  it('a serial pool runs everything inline', () => {
    const pool = WorkerPool.serial();
    expect(pool.threads).toBe(1);
    expect(pool.run('echo', { value: 5 })).toEqual([{ value: 5, part: 0, parts: 1 }]);
  });
});

describe('parallel sparse products', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('balancedRowBounds covers all rows in order and balances stored entries', () => {
    const X = randomCsr(1000, 50, 1);
    const b = balancedRowBounds(X.indptr, X.rows, 4);
    expect(b[0]).toBe(0);
    expect(b[4]).toBe(1000);
    for (let p = 0; p < 4; p++) expect(b[p + 1]).toBeGreaterThanOrEqual(b[p]);
    const cost = (p: number) => X.indptr[b[p + 1]] - X.indptr[b[p]] + b[p + 1] - b[p];
    const total = X.indptr[X.rows] + X.rows;
    for (let p = 0; p < 4; p++) expect(Math.abs(cost(p) - total / 4)).toBeLessThan(100);
    // more parts than rows: empty blocks, still a valid partition
    const tiny = balancedRowBounds(new Int32Array([0, 1, 2]), 2, 5);
    expect(tiny).toHaveLength(6);
    expect(tiny[0]).toBe(0);
    expect(tiny[5]).toBe(2);
    for (let p = 0; p < 5; p++) expect(tiny[p + 1]).toBeGreaterThanOrEqual(tiny[p]);
  });

  it('shared copies equal the originals', () => {
    const X = randomCsr(300, 40, 2);
    const S = sharedCsr(X);
    expect(isShared(S.data)).toBe(true);
    expect(Array.from(S.indices)).toEqual(Array.from(X.indices));
    const T = sharedTranspose(S);
    const ref = csrTranspose(X);
    expect(Array.from(T.indptr)).toEqual(Array.from(ref.indptr));
    expect(Array.from(T.indices)).toEqual(Array.from(ref.indices));
    expect(Array.from(T.data)).toEqual(Array.from(ref.data));
  });

  it('a transient X·B (left in the shared buffer) equals the copied one, also as the operand of the next product', () => {
    const X = randomCsr(2000, 300, 5);
    const random = createRandom(6);
    const k = 11;
    const b = Float64Array.from({ length: X.cols * k }, () => gaussian(random));
    const mean = csrColumnMeans(X);
    const ser = serialSparseProducts(X);
    const par = parallelSparseProducts(X, pool);
    const y = centredMultiply(ser, mean, b, k);
    const yt = centredMultiply(par, mean, b, k, true);
    expect(isShared(yt)).toBe(true);
    expect(Array.from(yt)).toEqual(Array.from(y));
    // X̃ᵀ(X̃B) straight from the transient result: the operand and its column sums must be read
    // before the output buffer (which holds it) is cleared.
    expect(Array.from(centredTransposeMultiply(par, mean, yt, k))).toEqual(Array.from(centredTransposeMultiply(ser, mean, y, k)));
    // not transient: an array of its own, untouched by later products
    const kept = par.multiply(b, k);
    const copy = Array.from(kept);
    par.multiply(new Float64Array(X.cols * k).fill(1), k);
    expect(Array.from(kept)).toEqual(copy);
  });

  it('releaseTranspose rebuilds Xᵀ on demand; release makes the products unusable', () => {
    const X = randomCsr(500, 80, 7);
    const random = createRandom(8);
    const k = 5;
    const a = Float64Array.from({ length: X.rows * k }, () => gaussian(random));
    const par = parallelSparseProducts(X, pool);
    const first = Array.from(par.transposeMultiply(a, k));
    par.releaseTranspose?.();
    expect(Array.from(par.transposeMultiply(a, k))).toEqual(first);
    par.release?.();
    expect(() => par.multiply(new Float64Array(X.cols * k), k)).toThrow(/after release/);
  });

  it('SharedScratch keeps one buffer per role: views of any length, replaced only when too small', () => {
    const scratch = new SharedScratch();
    scratch.reserve('out', 100 * 8);
    const a = scratch.float64('out', 100, true);
    const b = scratch.float64('out', 40, false);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(40);
    a[3] = 7;
    expect(scratch.float64('out', 60, false)[3]).toBe(7); // same memory, not zeroed
    expect(scratch.float64('out', 60, true)[3]).toBe(0);
    const c = scratch.float64('out', 101, false); // larger than reserved: a new buffer
    expect(c.buffer).not.toBe(a.buffer);
    const f = scratch.float32From('in32', Float64Array.of(1.5, 2.5));
    expect(isShared(f)).toBe(true);
    expect(Array.from(f)).toEqual([1.5, 2.5]);
    scratch.release();
    expect(scratch.float64('out', 10, false).buffer).not.toBe(c.buffer);
  });

  it('collects garbage on every thread on request', () => {
    expect(collectGarbage()).toBe(true);
    expect(() => pool.collectGarbage()).not.toThrow();
    expect(pool.run('collectGarbage', null)).toEqual([true, true]);
  });

  it("collects only the calling thread's young generation when asked ('young'), everything otherwise", async () => {
    // The kinds of collection this thread ran while `f` ran, as node's performance timeline reports them.
    const kinds = async (f: () => void): Promise<number[]> => {
      const seen: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) seen.push((e as unknown as { detail: { kind: number } }).detail.kind);
      });
      observer.observe({ entryTypes: ['gc'] });
      f();
      await new Promise((resolve) => setTimeout(resolve, 50)); // entries arrive asynchronously
      observer.disconnect();
      return seen;
    };
    const { NODE_PERFORMANCE_GC_MAJOR: major, NODE_PERFORMANCE_GC_MINOR: minor } = perfConstants;
    const young = await kinds(() => collectGarbage('young'));
    expect(young).toContain(minor);
    expect(young).not.toContain(major);
    expect(await kinds(() => collectGarbage())).toContain(major);
    const pooledYoung = await kinds(() => pool.collectGarbage('young'));
    expect(pooledYoung).toContain(minor);
    expect(pooledYoung).not.toContain(major);
    expect(await kinds(() => pool.collectGarbage())).toContain(major);
  });

  it('X·B and Xᵀ·A are bit-identical to the serial products', () => {
    const X = randomCsr(2000, 300, 3);
    const random = createRandom(4);
    const k = 13;
    const b = Float64Array.from({ length: X.cols * k }, () => gaussian(random));
    const a = Float64Array.from({ length: X.rows * k }, () => gaussian(random));
    const ser = serialSparseProducts(X);
    const par = parallelSparseProducts(X, pool);
    expect(Array.from(par.multiply(b, k))).toEqual(Array.from(ser.multiply(b, k)));
    expect(Array.from(par.transposeMultiply(a, k))).toEqual(Array.from(ser.transposeMultiply(a, k)));
    expect(() => par.multiply(b.subarray(1), k)).toThrow(/dense operand/);
  });

  it('the rank-one term is subtracted in the threads exactly as after a serial product', () => {
    const X = randomCsr(2000, 300, 5);
    const random = createRandom(6);
    const k = 7;
    const b = Float64Array.from({ length: X.cols * k }, () => gaussian(random));
    const a = Float64Array.from({ length: X.rows * k }, () => gaussian(random));
    const v = Float64Array.from({ length: k }, () => gaussian(random));
    const u = Float64Array.from({ length: X.cols }, (_, j) => (j % 5 === 0 ? 0 : gaussian(random))); // zeros: rows left alone
    const ser = serialSparseProducts(X);
    const par = parallelSparseProducts(X, pool);
    // by hand: the loops centredMultiply / centredTransposeMultiply ran after the product
    const xb = ser.multiply(b, k);
    for (let i = 0; i < X.rows; i++) for (let c = 0; c < k; c++) xb[i * k + c] -= v[c];
    const xta = ser.transposeMultiply(a, k);
    for (let j = 0; j < X.cols; j++) if (u[j] !== 0) for (let c = 0; c < k; c++) xta[j * k + c] -= u[j] * v[c];
    expect(Array.from(par.multiply(b, k, false, { u: null, v }))).toEqual(Array.from(xb));
    expect(Array.from(ser.multiply(b, k, false, { u: null, v }))).toEqual(Array.from(xb));
    expect(Array.from(par.transposeMultiply(a, k, { u, v }))).toEqual(Array.from(xta));
    expect(Array.from(ser.transposeMultiply(a, k, { u, v }))).toEqual(Array.from(xta));
    expect(() => par.transposeMultiply(a, k, { u: u.subarray(1), v })).toThrow(/rank-one u/);
  });

  it('Gram matrix and tall × small product through the pool are bit-identical to one thread', () => {
    const m = 3 * GRAM_ROW_BLOCK + 77; // several blocks and a ragged tail
    const k = 9;
    const random = createRandom(8);
    const a = Float64Array.from({ length: m * k }, () => gaussian(random));
    const small = Float64Array.from({ length: k * 5 }, () => gaussian(random));
    const kernels = poolTallKernels(pool);
    expect(Array.from(gramMatrix(a, m, k, kernels))).toEqual(Array.from(gramMatrix(a, m, k)));
    expect(Array.from(multiplyTallBySmall(a, m, k, small, 5, false, kernels))).toEqual(Array.from(multiplyTallBySmall(a, m, k, small, 5)));
    const upper = Float64Array.from({ length: k * k }, (_, i) => (i % k >= Math.floor(i / k) ? gaussian(random) : 0));
    expect(Array.from(multiplyTallBySmall(a, m, k, upper, k, true, kernels))).toEqual(Array.from(multiplyTallBySmall(a, m, k, upper, k, true)));
    // and the blocked Gram matrix is AᵀA
    const g = gramMatrix(a, m, k, kernels);
    let ref = 0;
    for (let r = 0; r < m; r++) ref += a[r * k + 2] * a[r * k + 7];
    expect(g[2 * k + 7]).toBeCloseTo(ref, 8);
    expect(g[7 * k + 2]).toBe(g[2 * k + 7]);
  });

  it('randomized PCA through the pool equals the serial fit exactly', () => {
    const X = randomCsr(1500, 400, 5);
    const opts = { nComponents: 8, seed: 11 };
    const serial = randomizedPca(X, opts);
    const parallel = randomizedPca(X, opts, parallelSparseProducts(X, pool));
    expect(Array.from(parallel.scores)).toEqual(Array.from(serial.scores));
    expect(Array.from(parallel.components)).toEqual(Array.from(serial.components));
    expect(Array.from(parallel.explainedVariance)).toEqual(Array.from(serial.explainedVariance));
    const tall = randomCsr(9000, 300, 6); // tall enough for parallel Gram blocks
    const tallSerial = randomizedPca(tall, opts);
    const tallParallel = fitPca(tall, opts, pool);
    expect(Array.from(tallParallel.scores)).toEqual(Array.from(tallSerial.scores));
    expect(Array.from(tallParallel.explainedVarianceRatio)).toEqual(Array.from(tallSerial.explainedVarianceRatio));
    const viaFit = fitPca(X, opts, pool);
    expect(viaFit.solver).toBe('randomized');
    expect(Array.from(viaFit.scores)).toEqual(Array.from(serial.scores));
    // every parity of power steps
    for (const nPowerIter of [0, 1, 3]) {
      const o = { ...opts, nPowerIter };
      expect(Array.from(fitPca(X, o, pool).components)).toEqual(Array.from(randomizedPca(X, o).components));
    }
  });

  it('randomized PCA of a wide matrix (the document-side sketch) through the pool equals the serial fit exactly', () => {
    // fewer rows than columns: the fit sketches the rows' side (rows × l blocks) and reads
    // transient Xᵀ products; wide enough for the pooled Gram and tall × small kernels on B = X̃ᵀQ
    const X = randomCsr(400, 9000, 12);
    for (const nPowerIter of [0, 1, 2, 4]) {
      const o = { nComponents: 8, seed: 5, nPowerIter };
      const serial = randomizedPca(X, o);
      const pooled = fitPca(X, o, pool);
      expect(pooled.solver).toBe('randomized');
      expect(Array.from(pooled.components)).toEqual(Array.from(serial.components));
      expect(Array.from(pooled.scores)).toEqual(Array.from(serial.scores));
      expect(Array.from(pooled.explainedVariance)).toEqual(Array.from(serial.explainedVariance));
    }
  });

  it('randomized PCA on the term side with the random-sign test matrix (in the reused operand buffer of the pool) equals the serial fit, every parity of power steps', () => {
    const X = randomCsr(4400, 4200, 13); // ≥ 4,096 columns: signs; rows ≥ cols: the term side
    for (const nPowerIter of [0, 1, 2, 3]) {
      const o = { nComponents: 8, seed: 5, nPowerIter };
      const serial = randomizedPca(X, o);
      const pooled = fitPca(X, o, pool);
      expect(pooled.solver).toBe('randomized');
      expect(Array.from(pooled.components), `q = ${nPowerIter}`).toEqual(Array.from(serial.components));
      expect(Array.from(pooled.scores)).toEqual(Array.from(serial.scores));
    }
    // rank 5 < l = 14: the first full step's Cholesky-QR fails and is redone the textbook way,
    // which reads Ω again after the failed round overwrote the operand buffer (rightFit's copy)
    const lowRank = repeatedRows(randomCsr(6, 4200, 14), 4400);
    for (const nPowerIter of [1, 3]) {
      const o = { nComponents: 4, seed: 5, nPowerIter };
      expect(Array.from(fitPca(lowRank, o, pool).components), `low rank, q = ${nPowerIter}`).toEqual(Array.from(randomizedPca(lowRank, o).components));
    }
  });

  it('projectOntoPca through the pool equals the serial projection and the scores of the fit', () => {
    const X = randomCsr(9000, 300, 7);
    const fit = fitPca(X, { nComponents: 6, seed: 3 }, pool);
    const viaPool = projectOntoPca(fit, X, pool);
    expect(Array.from(viaPool)).toEqual(Array.from(projectOntoPca(fit, X)));
    expect(Array.from(viaPool)).toEqual(Array.from(fit.scores));
    // A block of rows at a time (a large window): the same scores, blocks of uneven size too.
    for (const blockRows of [1000, 2333]) expect(Array.from(projectOntoPca(fit, X, pool, blockRows))).toEqual(Array.from(fit.scores));
  });

  it('results written into a spare array (`into`) equal new ones, and the spare is what comes back', () => {
    const random = createRandom(21);
    const m = 2500; // ≥ 1024 rows: the pooled tall × small kernel
    const k = 12;
    const a = Float64Array.from({ length: m * k }, () => gaussian(random));
    const b = Float64Array.from({ length: k * 7 }, () => gaussian(random));
    const kernels = poolTallKernels(pool);
    for (const ks of [undefined, kernels]) {
      const into = new Float64Array(m * 7).fill(99); // old values must not leak into the sums
      const got = multiplyTallBySmall(a, m, k, b, 7, false, ks, into);
      expect(got).toBe(into);
      expect(Array.from(got)).toEqual(Array.from(multiplyTallBySmall(a, m, k, b, 7)));
      const qInto = new Float64Array(m * k).fill(-1);
      const qr = choleskyQr(a, m, k, ks, qInto)!;
      expect(qr.q).toBe(qInto);
      expect(Array.from(qr.q)).toEqual(Array.from(choleskyQr(a, m, k)!.q));
      const qr2Into = new Float64Array(m * k);
      expect(choleskyQr2(a, m, k, ks, qr2Into)!.q).toBe(qr2Into);
      expect(Array.from(qr2Into)).toEqual(Array.from(choleskyQr2(a, m, k)!.q));
      // overwriteA: Q comes back in A's own array, the first round's in `into`
      const own = a.slice();
      expect(choleskyQr2(own, m, k, ks, new Float64Array(m * k), true)!.q).toBe(own);
      expect(Array.from(own)).toEqual(Array.from(qr2Into));
      // a Gram matrix that is not positive definite (two equal columns): null, A untouched
      const singular = a.slice();
      for (let r = 0; r < m; r++) singular[r * k + 1] = singular[r * k]!;
      const before = Array.from(singular);
      expect(choleskyQr2(singular, m, k, ks, new Float64Array(m * k), true)).toBeNull();
      expect(Array.from(singular)).toEqual(before);
    }
    expect(() => multiplyTallBySmall(a, m, k, b, 7, false, undefined, new Float64Array(m * 6))).toThrow(/separate m × l array/);
    expect(() => multiplyTallBySmall(a, m, k, b, 7, false, undefined, new Float64Array(a.buffer, 0, m * 7))).toThrow(/separate m × l array/);

    const X = randomCsr(3000, 500, 8);
    const A = Float64Array.from({ length: X.rows * 4 }, () => gaussian(random));
    const products = parallelSparseProducts(X, pool);
    const into = new Float64Array(X.cols * 4).fill(5);
    const viaInto = products.transposeMultiply(A, 4, undefined, into);
    expect(viaInto).toBe(into);
    expect(Array.from(viaInto)).toEqual(Array.from(serialSparseProducts(X).transposeMultiply(A, 4)));
    const wrongSize = new Float64Array(7);
    expect(products.transposeMultiply(A, 4, undefined, wrongSize)).not.toBe(wrongSize); // ignored, a new array
    products.release?.();
  });

  it('randomized PCA reusing its dead blocks (wide enough for the pooled kernels) equals the serial fit; without scores it releases the products', () => {
    const X = randomCsr(2500, 1400, 9); // cols ≥ 1024: the cols × l blocks go through the pooled kernels
    for (const nPowerIter of [1, 2, 4, 5]) {
      const opts = { nComponents: 10, seed: 5, nPowerIter };
      const serial = randomizedPca(X, opts);
      expect(Array.from(fitPca(X, opts, pool).components), `q = ${nPowerIter}`).toEqual(Array.from(serial.components));
      const products = parallelSparseProducts(X, pool);
      const bare = randomizedPca(X, { ...opts, skipScores: true }, products, poolTallKernels(pool));
      expect(Array.from(bare.components)).toEqual(Array.from(serial.components));
      expect(bare.scores.length).toBe(0);
      expect(() => products.multiply(new Float64Array(X.cols), 1)).toThrow(/after release/);
    }
  });

  it('releasing pooled products twice collects garbage once', () => {
    const products = parallelSparseProducts(randomCsr(200, 50, 10), pool);
    let collections = 0;
    const collect = pool.collectGarbage.bind(pool);
    pool.collectGarbage = () => {
      collections++;
      collect();
    };
    try {
      products.release?.();
      products.release?.();
    } finally {
      pool.collectGarbage = collect;
    }
    expect(collections).toBe(1);
  });
});

describe('tokenizing in threads', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 3 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('gives exactly the one-thread corpus', () => {
    const docs = makeCorpus(240, 7).map((r) => ({ title: r.title, text: r.abstract }));
    docs.push({ title: 'Edge case', text: '' }, { title: '', text: 'Only text, with a LaTeX $\\alpha$ formula and a URL https://example.org/x.' });
    const opts = { titleRepeat: 2 };
    const serial = tokenizeCorpus(docs, opts);
    const parallel = tokenizeCorpusParallel(docs, opts, pool);
    expect(parallel.terms).toEqual(serial.terms);
    expect(parallel.display).toEqual(serial.display);
    expect(Array.from(parallel.docOffsets)).toEqual(Array.from(serial.docOffsets));
    expect(Array.from(parallel.tokenIds)).toEqual(Array.from(serial.tokenIds));
    expect(serial.tokenIds.length).toBeGreaterThan(1000);
  });

  it('slices by characters into contiguous ranges', () => {
    const docs = [{ title: 'a', text: 'x'.repeat(1000) }, ...Array.from({ length: 10 }, () => ({ title: 'b', text: 'y'.repeat(98) }))];
    expect(sliceByLength(docs, 2)).toEqual([0, 1, 11]);
    expect(sliceByLength([], 3)).toEqual([0, 0, 0, 0]);
  });
});

describe('parallel k-means restarts', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  const same = (opts: KMeansOptions, n: number, d: number, seed: number) => {
    const X = blobs(n, d, opts.k, seed);
    const serial = fitKMeans(X, n, d, opts);
    const parallel = fitKMeans(X, n, d, opts, pool);
    expect(Array.from(parallel.labels)).toEqual(Array.from(serial.labels));
    expect(Array.from(parallel.centroids)).toEqual(Array.from(serial.centroids));
    expect(parallel.inertia).toBe(serial.inertia);
    expect(parallel.restartInertias).toEqual(serial.restartInertias);
    expect(parallel.restartLabels.map((l) => Array.from(l))).toEqual(serial.restartLabels.map((l) => Array.from(l)));
    expect(parallel.iterations).toBe(serial.iterations);
    return parallel;
  };

  it('our Lloyd kernel: identical to the serial run, restart by restart', () => {
    const r = same({ k: 12, nInit: 5, seed: 3 }, 6000, 40, 21); // n·k·d above the ml-kmeans threshold
    expect(r.restartInertias).toHaveLength(5);
  });

  it('the ml-kmeans path and the fit-on-sample path: identical too', () => {
    same({ k: 4, nInit: 3, seed: 5 }, 400, 5, 22);
    same({ k: 6, nInit: 4, seed: 6, sampleSize: 900 }, 3000, 8, 23);
  });

  it('the refinement on all rows, split by row chunks over the threads: identical too', () => {
    // n above 2 chunks of rows, so the refinement's assignment passes really run split
    const r = same({ k: 10, nInit: 3, seed: 7, sampleSize: 2000 }, 9001, 16, 24);
    expect(r.iterations).toBeGreaterThan(1);
  });

  it('warmOnly over the pool: identical to the serial run', () => {
    const n = 9001;
    const d = 16;
    const X = blobs(n, d, 10, 25);
    const start = X.slice(0, 10 * d); // the first 10 points as the warm centres
    const serial = fitKMeans(X, n, d, { k: 10, seed: 1, initialCentroids: start, warmOnly: true });
    const parallel = fitKMeans(X, n, d, { k: 10, seed: 1, initialCentroids: start, warmOnly: true }, pool);
    expect(serial.iterations).toBeGreaterThan(1);
    expect(Array.from(parallel.labels)).toEqual(Array.from(serial.labels));
    expect(Array.from(parallel.centroids)).toEqual(Array.from(serial.centroids));
    expect(parallel.inertia).toBe(serial.inertia);
    expect(parallel.iterations).toBe(serial.iterations);
  });
});
