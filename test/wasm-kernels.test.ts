// The WebAssembly kernels: the hand-written encoder, the arena they work in, and the sparse ×
// dense kernel, which must give exactly the JavaScript kernel's numbers (csrTimesDenseRows is the
// reference), alone and through the worker pool.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parallelSparseProducts, wasmScratch } from '../analysis/parallel/parallel-sparse-products.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { SharedScratch } from '../analysis/parallel/shared.ts';
import { createRandom, gaussian } from '../analysis/random.ts';
import { csrFromTriplets, csrTranspose } from '../analysis/sparse.ts';
import { csrTimesDenseRows, serialSparseProducts } from '../analysis/sparse-products.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import { gramMatrix, gramRowsInto, multiplyTallBySmall, multiplyTallBySmallRows } from '../analysis/linalg.ts';
import { WasmArena } from '../analysis/wasm/arena.ts';
import { dotBlocks, ROW_BLOCK_ROWS, tallBlocks, useRowBlockKernels } from '../analysis/wasm/row-blocks.ts';
import { assignRange, assignRangeBounded } from '../analysis/kmeans-assign.ts';
import { greedyKMeansPlusPlus } from '../analysis/kmeans-seeding.ts';
import { fitKMeans } from '../analysis/kmeans.ts';
import { sleb, uleb } from '../analysis/wasm/encoder.ts';
import { sparseRowsModuleBytes } from '../analysis/wasm/sparse-rows-module.ts';
import { wasmCsrTimesDenseRows, wasmKernelsAvailable } from '../analysis/wasm/sparse-rows.ts';
import { pairRowOffset, silhouettePairRows, silhouettePairRowsOnBlocks } from '../analysis/quality/silhouette.ts';

/** Rows of every length from 0 to 20 stored entries (all the kernel's 8 / 4 / 1 groupings), seeded. */
function randomCsr(rows: number, cols: number, seed: number): CsrMatrix {
  const random = createRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    const len = i % 21;
    for (let t = 0; t < len; t++) {
      r.push(i);
      c.push(Math.floor(random() * cols));
      v.push((random() - 0.3) * 10 ** Math.floor(random() * 6 - 3));
    }
  }
  return csrFromTriplets(rows, cols, r, c, v);
}

/** X copied into `arena` (the layout the products use). */
function inArena(arena: WasmArena, X: CsrMatrix): CsrMatrix {
  const indptr = arena.int32(X.rows + 1);
  indptr.set(X.indptr);
  const nnz = X.indptr[X.rows];
  const indices = arena.int32(nnz);
  indices.set(X.indices.subarray(0, nnz));
  const data = arena.float32(nnz);
  data.set(X.data.subarray(0, nnz));
  return { rows: X.rows, cols: X.cols, indptr, indices, data };
}

describe('WebAssembly encoder', () => {
  it('writes LEB128 integers as the spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-2)).toEqual([0x7e]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(() => uleb(-1)).toThrow(RangeError);
    expect(() => sleb(2 ** 31)).toThrow(RangeError);
  });

  it('produces a module the engine accepts', () => {
    const bytes = sparseRowsModuleBytes(65536);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(wasmKernelsAvailable()).toBe(true); // Node 20 has SIMD and shared memory
  });
});

describe('WasmArena', () => {
  it('hands out zeroed, 16-byte aligned views that stay valid when the memory grows', () => {
    const arena = new WasmArena();
    const a = arena.float64(3);
    a.set([1, 2, 3]);
    const b = arena.int32(5);
    expect(b.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 24);
    const big = arena.float32(200_000); // grows the memory by several pages
    expect(Array.from(big.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    a[1] = 7;
    expect(Array.from(a)).toEqual([1, 7, 3]);
    expect(Array.from(new Float64Array(arena.memory.buffer, a.byteOffset, 3))).toEqual([1, 7, 3]);
    expect(arena.usedBytes).toBeGreaterThanOrEqual(800_000);
    expect(() => arena.float64(2 ** 29 + 1)).toThrow(/4 GiB/);
  });

  it('backs a SharedScratch, whose roles then live in the arena memory', () => {
    const arena = new WasmArena();
    const scratch = new SharedScratch(arena);
    scratch.reserve('out', 80);
    const out = scratch.float64('out', 10, true);
    expect(out.buffer).toBeInstanceOf(SharedArrayBuffer);
    const f = scratch.float32From('in32', Float64Array.of(1.5, -2.25));
    expect(Array.from(f)).toEqual([1.5, -2.25]);
    expect(Array.from(new Float32Array(arena.memory.buffer, f.byteOffset, 2))).toEqual([1.5, -2.25]);
    expect(scratch.float64('out', 10, false).byteOffset).toBe(out.byteOffset); // reused, not reallocated
  });
});

describe('WebAssembly sparse × dense kernel', () => {
  it('equals csrTimesDenseRows bit for bit, for even and odd widths and any row range', () => {
    for (const [k, seed] of [
      [1, 1],
      [2, 2],
      [7, 3],
      [13, 4],
      [110, 5],
    ] as const) {
      const X = randomCsr(400, 90, seed);
      const random = createRandom(seed + 100);
      const arena = new WasmArena();
      const A = inArena(arena, X);
      const b = arena.float32(X.cols * k);
      for (let i = 0; i < b.length; i++) b[i] = gaussian(random);
      const out = arena.float64(X.rows * k);
      const ref = new Float64Array(X.rows * k);
      // an accumulated start value, not zero: the kernels add into out
      for (let i = 0; i < out.length; i++) out[i] = ref[i] = i % 3 === 0 ? gaussian(random) : 0;
      csrTimesDenseRows(X, b, k, ref, 37, 391);
      wasmCsrTimesDenseRows(arena.memory, A, b, k, out, 37, 391);
      expect(Array.from(out)).toEqual(Array.from(ref));
      let nonzero = 0;
      for (let i = 37 * k; i < 391 * k; i++) if (out[i] !== 0) nonzero++;
      expect(nonzero).toBeGreaterThan(100 * k);
    }
  });

  it('checks its operands', () => {
    const X = randomCsr(10, 5, 9);
    const arena = new WasmArena();
    const A = inArena(arena, X);
    const b = arena.float32(5 * 3);
    const out = arena.float64(10 * 3);
    expect(() => wasmCsrTimesDenseRows(arena.memory, A, b, 4, out, 0, 10)).toThrow(/dense operand/);
    expect(() => wasmCsrTimesDenseRows(arena.memory, A, b, 3, out, 0, 11)).toThrow(/row range/);
    expect(() => wasmCsrTimesDenseRows(new WasmArena().memory, A, b, 3, out, 0, 10)).toThrow(/outside the kernel memory/);
  });
});

describe('WebAssembly k-means dot products', () => {
  it('equal the sequential float64 sums of the JavaScript loops, for any block size and odd or even k', () => {
    for (const [k, d, seed] of [
      [1, 3, 1],
      [2, 5, 2],
      [7, 100, 3],
      [30, 100, 4],
      [31, 17, 5],
    ] as const) {
      const random = createRandom(seed);
      const C = Float64Array.from({ length: k * d }, () => gaussian(random) * 10 ** Math.floor(random() * 4 - 2));
      const X = Float32Array.from({ length: ROW_BLOCK_ROWS * d }, () => gaussian(random));
      for (const n of [ROW_BLOCK_ROWS, 1, 3, 4, 5, 63]) {
        const blocks = dotBlocks(C, k, d)!;
        blocks.rows.set(X.subarray(0, n * d));
        blocks.run(n);
        for (let r = 0; r < n; r++) {
          for (let j = 0; j < k; j++) {
            let s = 0;
            for (let t = 0; t < d; t++) s += X[r * d + t] * C[j * d + t];
            expect(blocks.out[r * k + j]).toBe(s);
          }
        }
      }
    }
  });

  it('a later set of centres replaces an earlier one, and bad shapes are refused', () => {
    const a = dotBlocks(Float64Array.of(1, 2, 3, 4), 2, 2)!;
    a.rows.set([1, 1]);
    a.run(1);
    expect(Array.from(a.out.subarray(0, 2))).toEqual([3, 7]);
    const b = dotBlocks(Float64Array.of(10, 0, 0, 10, 1, 1), 3, 2)!;
    b.rows.set([2, 3]);
    b.run(1);
    expect(Array.from(b.out.subarray(0, 3))).toEqual([20, 30, 5]);
    expect(() => dotBlocks(Float64Array.of(1, 2, 3), 2, 2)).toThrow(/centre values/);
    expect(() => b.run(ROW_BLOCK_ROWS + 1)).toThrow(/at most/);
  });
});

describe('WebAssembly tall × small sums', () => {
  it('equal the sequential prefix sums of multiplyTallBySmallRows, full or upper triangular', () => {
    for (const [m, k, l, upper, seed] of [
      [67, 9, 5, true, 1],
      [67, 9, 5, false, 2],
      [130, 110, 110, true, 3],
      [9, 4, 7, false, 4],
      [5, 7, 4, true, 5],
    ] as const) {
      const random = createRandom(seed);
      const a = Float64Array.from({ length: m * k }, () => gaussian(random));
      const b = Float64Array.from({ length: k * l }, (_, x) => (upper && x % l < Math.floor(x / l) ? 0 : gaussian(random)));
      const start = Float64Array.from({ length: m * l }, (_, x) => (x % 3 === 0 ? gaussian(random) : 0));
      const sums = new Float64Array(m * l);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < l; j++) {
          let t = 0;
          for (let i = 0; i < (upper ? Math.min(k, j + 2) : k); i++) t += a[r * k + i] * b[i * l + j];
          sums[r * l + j] = t;
        }
      }
      const expected = start.map((x, i) => x + sums[i]);
      expect(Array.from(multiplyTallBySmall(a, m, k, b, l, upper))).toEqual(Array.from(sums));
      const out = start.slice();
      multiplyTallBySmallRows(a, k, b, l, upper, out, 0, m);
      expect(Array.from(out)).toEqual(Array.from(expected));
    }
    const bt = new Float64Array(6);
    expect(() => tallBlocks(bt, 2, 4, false)).toThrow(/values/);
  });
});

describe('WebAssembly silhouette pair distances', () => {
  it('equal the JavaScript tile bit for bit, for any row range, odd or even widths and counts', () => {
    for (const [m, d, seed] of [
      [131, 100, 1],
      [70, 37, 2],
      [5, 3, 3],
      [64, 2, 4],
    ] as const) {
      const random = createRandom(seed);
      const X = Float64Array.from({ length: m * d }, () => gaussian(random));
      for (let s = 0; s < m; s++) {
        let norm = 0;
        for (let j = 0; j < d; j++) norm += X[s * d + j]! ** 2;
        for (let j = 0; j < d; j++) X[s * d + j]! /= Math.sqrt(norm);
      }
      const blocks = tallBlocks(X, m, d, false)!;
      expect(blocks).not.toBeNull();
      for (const [s0, s1] of [
        [0, m],
        [Math.min(33, m - 1), Math.min(97, m)],
        [m - 1, m],
        [1, Math.min(2 + ROW_BLOCK_ROWS, m)],
      ]) {
        const want = new Float64Array(pairRowOffset(m, m)).fill(-1);
        const got = want.slice();
        silhouettePairRows(X, m, d, s0, s1, want);
        silhouettePairRowsOnBlocks(blocks, X, m, d, s0, s1, got);
        expect(Array.from(got), `${m} × ${d}, rows ${s0}-${s1}`).toEqual(Array.from(want));
      }
    }
  });

  it('refuse a first column that does not start a full pair', () => {
    const blocks = tallBlocks(new Float64Array(12), 4, 3, false)!;
    expect(() => blocks.run(1, 1)).toThrow(/even column/);
    expect(() => blocks.run(1, 6)).toThrow(/even column/);
    expect(() => tallBlocks(new Float64Array(12), 4, 3, true)!.run(1, 2)).toThrow(/full columns/);
  });
});

describe('WebAssembly Gram panels', () => {
  it('give gramRowsInto the sums of its JavaScript panels: per panel of 64 rows in order, then added up', () => {
    for (const [k, r0, r1, seed] of [
      [9, 0, 200, 1],
      [110, 13, 300, 2],
      [4, 5, 6, 3],
      [1, 0, 130, 4],
      [7, 64, 128, 5],
    ] as const) {
      const random = createRandom(seed);
      const a = Float64Array.from({ length: r1 * k }, () => gaussian(random) * 10 ** Math.floor(random() * 4 - 2));
      const start = Float64Array.from({ length: k * k }, () => gaussian(random));
      const expected = start.slice();
      for (let i = 0; i < k; i++) {
        for (let j = i; j < k; j++) {
          let acc = 0;
          for (let p = r0; p < r1; p += 64) {
            let sum = 0;
            for (let r = p; r < Math.min(r1, p + 64); r++) sum += a[r * k + i] * a[r * k + j];
            acc += sum;
          }
          expected[i * k + j] += acc;
        }
      }
      const g = start.slice();
      gramRowsInto(a, k, r0, r1, g, 0);
      expect(Array.from(g)).toEqual(Array.from(expected));
    }
  });
});

describe('the JavaScript fallbacks of the row-block kernels', () => {
  /** f's result with the WebAssembly kernels, and with them off (the JavaScript loops). */
  function bothWays<T>(f: () => T): [T, T] {
    const wasm = f();
    useRowBlockKernels(false);
    try {
      expect(dotBlocks(Float64Array.of(1), 1, 1)).toBeNull();
      return [wasm, f()];
    } finally {
      useRowBlockKernels(true);
    }
  }

  it('give the same numbers as the kernels: assignment, bounded assignment, seeding, Gram, tall × small', () => {
    const random = createRandom(21);
    const n = 301;
    const d = 17;
    const k = 7;
    const X = Float32Array.from({ length: n * d }, () => gaussian(random));
    const xNorm2 = Float64Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += X[i * d + t] * X[i * d + t];
      return s;
    });
    const C = Float64Array.from({ length: k * d }, () => gaussian(random));
    const cNorm2 = Float64Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += C[j * d + t] * C[j * d + t];
      return s;
    });
    const [wasmLabels, jsLabels] = bothWays(() => {
      const labels = new Int32Array(n);
      const dist2 = new Float64Array(n);
      assignRange(X, d, xNorm2, C, cNorm2, k, 0, n, labels, dist2);
      return [Array.from(labels), Array.from(dist2)];
    });
    expect(jsLabels).toEqual(wasmLabels);
    const [wasmBounded, jsBounded] = bothWays(() => {
      const labels = new Int32Array(n);
      const upper = new Float64Array(n).fill(Infinity);
      const lower = new Float64Array(n);
      assignRangeBounded(X, d, xNorm2, C, cNorm2, k, 3, n, labels, { upper, lower, margin: 1e-9 });
      return [Array.from(labels), Array.from(upper), Array.from(lower)];
    });
    expect(jsBounded).toEqual(wasmBounded);
    const [wasmSeeds, jsSeeds] = bothWays(() => Array.from(greedyKMeansPlusPlus(X, n, d, k, createRandom(5))));
    expect(jsSeeds).toEqual(wasmSeeds);
    const [wasmFit, jsFit] = bothWays(() => {
      const fit = fitKMeans(X, n, d, { k, seed: 3, nInit: 2 });
      return [Array.from(fit.labels), fit.inertia];
    });
    expect(jsFit).toEqual(wasmFit);
    const A = Float64Array.from({ length: 5000 * 9 }, () => gaussian(random));
    const [wasmGram, jsGram] = bothWays(() => Array.from(gramMatrix(A, 5000, 9)));
    expect(jsGram).toEqual(wasmGram);
    const B = Float64Array.from({ length: 9 * 9 }, (_, x) => (x % 9 >= Math.floor(x / 9) ? gaussian(random) : 0));
    const [wasmTall, jsTall] = bothWays(() => Array.from(multiplyTallBySmall(A, 5000, 9, B, 9, true)));
    expect(jsTall).toEqual(wasmTall);
  });
});

describe('sparse products on WebAssembly through the pool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('X·B and Xᵀ·A (with the rank-one term) equal the serial JavaScript products', () => {
    const X = randomCsr(3000, 250, 11);
    const random = createRandom(12);
    const k = 11;
    const b = Float64Array.from({ length: X.cols * k }, () => gaussian(random));
    const a = Float64Array.from({ length: X.rows * k }, () => gaussian(random));
    const v = Float64Array.from({ length: k }, () => gaussian(random));
    const u = Float64Array.from({ length: X.cols }, (_, j) => (j % 4 === 0 ? 0 : gaussian(random)));
    const scratch = wasmScratch(X, k);
    expect(scratch.arena).toBeDefined();
    const par = parallelSparseProducts(X, pool, scratch);
    const ser = serialSparseProducts(X);
    expect(Array.from(par.multiply(b, k))).toEqual(Array.from(ser.multiply(b, k)));
    expect(Array.from(par.transposeMultiply(a, k, { u, v }))).toEqual(Array.from(ser.transposeMultiply(a, k, { u, v })));
    expect(Array.from(par.multiply(b, k, true, { u: null, v }))).toEqual(Array.from(ser.multiply(b, k, false, { u: null, v })));
    // Xᵀ went into the arena too, and equals the private transpose
    expect(Array.from(par.transposeMultiply(a, k))).toEqual(Array.from(serialSparseProducts(csrTranspose(X)).multiply(a, k)));
    par.release?.();
  });

  it('plans plain shared memory (and the JavaScript kernel) for problems an arena cannot hold', () => {
    const X = randomCsr(50, 20, 13);
    expect(wasmScratch(X, 10).arena).toBeDefined();
    expect(wasmScratch(X, 10_000_000).arena).toBeUndefined(); // 50 × 10⁷ columns × 12 bytes > 3 GiB
  });
});
