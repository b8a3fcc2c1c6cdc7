// A fold-in night projects its new papers onto the stored basis with only the columns they use
// (projectCentred's `columns`): the scores must be those of the whole-basis product, bit for bit,
// on one thread and over the pool (the WebAssembly kernel), and the stage must take that path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parallelSparseProducts, wasmScratch } from '../analysis/parallel/parallel-sparse-products.ts';
import { WorkerPool } from '../analysis/parallel/pool.ts';
import { projectCentred } from '../analysis/pca-result.ts';
import { createRandom } from '../analysis/random.ts';
import { csrFromTriplets, csrSelectColumns, csrUsedColumns } from '../analysis/sparse.ts';
import { serialSparseProducts } from '../analysis/sparse-products.ts';
import type { CsrMatrix } from '../analysis/types.ts';
import type { StoredModel } from '../pipeline/model/model-store.ts';
import { projectOntoStoredBasis } from '../pipeline/stages/reduce.ts';

const COLS = 900;
const D = 7;

/** `rows` TF-IDF-like rows over a stretch of the columns (every third one from `from`), some rows empty. */
function newRows(rows: number, from: number, seed: number): CsrMatrix {
  const random = createRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (i % 11 === 5) continue; // a paper with no known word
    const cols = new Set<number>();
    const n = 1 + Math.floor(random() * 30);
    while (cols.size < n) cols.add(from + 3 * Math.floor(random() * 100));
    for (const j of cols) {
      r.push(i);
      c.push(j);
      v.push(Math.fround(0.05 + random()));
    }
  }
  return csrFromTriplets(rows, COLS, r, c, v);
}

/** A stored basis: mean with zeros (columns no paper used), components of mixed signs and sizes. */
function storedModel(): StoredModel<'mean' | 'components'> {
  const random = createRandom(3);
  const mean = Float64Array.from({ length: COLS }, (_, j) => (j % 5 === 0 ? 0 : random() * 0.01));
  const components = Float64Array.from({ length: D * COLS }, () => (random() - 0.5) * (random() < 0.1 ? 1 : 0.01));
  return {
    arrays: { mean, components },
    meta: { d: D, explainedVariance: new Array(D).fill(1), explainedVarianceRatio: new Array(D).fill(0.1) } as unknown as StoredModel['meta'],
  };
}

const model = storedModel();
const { mean, components } = model.arrays;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('fold-in projection with the used columns only', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('csrUsedColumns lists the columns with an entry, ascending; selecting them keeps every entry', () => {
    const X = newRows(40, 2, 8);
    const used = csrUsedColumns(X);
    expect(Array.from(used)).toEqual([...new Set(X.indices)].sort((a, b) => a - b));
    expect(used.length).toBeLessThan(COLS / 2);
    const compact = csrSelectColumns(X, used);
    expect(compact.indices.length).toBe(X.indices.length);
    expect(Array.from(compact.data)).toEqual(Array.from(X.data));
  });

  it('one thread: the same scores as the product with the whole basis', () => {
    const X = newRows(60, 1, 9);
    const whole = projectCentred(serialSparseProducts(X), mean, components, D);
    const used = csrUsedColumns(X);
    const part = projectCentred(serialSparseProducts(csrSelectColumns(X, used)), mean, components, D, used);
    expect(bits(part)).toEqual(bits(whole));
    expect(whole.some((x) => x !== 0)).toBe(true);
  });

  it('over the pool (WebAssembly kernel): the same scores as one thread with the whole basis', () => {
    const X = newRows(1500, 0, 10);
    const whole = projectCentred(serialSparseProducts(X), mean, components, D);
    const used = csrUsedColumns(X);
    const compact = csrSelectColumns(X, used);
    const products = parallelSparseProducts(compact, pool, wasmScratch(compact, D));
    try {
      expect(bits(projectCentred(products, mean, components, D, used))).toEqual(bits(whole));
    } finally {
      products.release?.();
    }
  });

  it('projectOntoStoredBasis takes the used columns when they are at most half, all of them otherwise', () => {
    const seen: number[] = [];
    const few = newRows(80, 0, 11);
    const spy = (rows: CsrMatrix) => (seen.push(rows.cols), serialSparseProducts(rows));
    expect(bits(projectOntoStoredBasis(model, few, spy).scores)).toEqual(bits(projectCentred(serialSparseProducts(few), mean, components, D)));
    expect(seen).toEqual([csrUsedColumns(few).length]);
    // Rows over every column: the whole basis.
    const r = Array.from({ length: COLS }, (_, j) => j % 4);
    const many = csrFromTriplets(4, COLS, r, Array.from({ length: COLS }, (_, j) => j), new Array(COLS).fill(1));
    seen.length = 0;
    expect(bits(projectOntoStoredBasis(model, many, spy).scores)).toEqual(bits(projectCentred(serialSparseProducts(many), mean, components, D)));
    expect(seen).toEqual([COLS]);
  });

  it('columns that are not ascending ids of the basis, or do not match the matrix, are refused', () => {
    const X = newRows(10, 0, 12);
    const used = csrUsedColumns(X);
    const products = serialSparseProducts(csrSelectColumns(X, used));
    const swapped = used.slice();
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    expect(() => projectCentred(products, mean, components, D, swapped)).toThrow(/strictly ascending/);
    const beyond = used.slice();
    beyond[beyond.length - 1] = COLS;
    expect(() => projectCentred(products, mean, components, D, beyond)).toThrow(/strictly ascending/);
    expect(() => projectCentred(products, mean, components, D, used.subarray(1))).toThrow(/columns listed/);
  });
});
