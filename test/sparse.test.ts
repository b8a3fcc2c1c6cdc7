import { csrTimesDense, serialSparseProducts } from '../analysis/sparse-products.ts';
import { describe, expect, it } from 'vitest';
import {
  CsrBuilder,
  csrColumnMeans,
  csrFromTriplets,
  csrRowNormalizeL2,
  csrSelectColumns,
  csrToDense,
  csrTranspose,
} from '../analysis/sparse.ts';
import type { DenseMatrix } from '../analysis/types.ts';

// X = [[1, 0, 2],
//      [0, 0, 0],
//      [0, 3, 4]]
const X = csrFromTriplets(3, 3, [2, 0, 2, 0], [2, 2, 1, 0], [4, 2, 3, 1]);

describe('csrFromTriplets', () => {
  it('sorts columns within rows and keeps the scipy layout', () => {
    expect(Array.from(X.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(X.indices)).toEqual([0, 2, 1, 2]);
    expect(Array.from(X.data)).toEqual([1, 2, 3, 4]);
  });
  it('sums duplicate coordinates', () => {
    const D = csrFromTriplets(1, 2, [0, 0, 0], [1, 0, 1], [1, 5, 2]);
    expect(Array.from(D.indices)).toEqual([0, 1]);
    expect(Array.from(D.data)).toEqual([5, 3]);
  });
  it('rejects out-of-range coordinates', () => {
    expect(() => csrFromTriplets(1, 2, [0], [2], [1])).toThrow(/col 2 out of range/);
    expect(() => csrFromTriplets(1, 2, [1], [0], [1])).toThrow(/row 1 out of range/);
  });
  it('sorts long rows too', () => {
    const cols = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const M = csrFromTriplets(1, 100, new Array(100).fill(0), cols, cols.map((c) => c + 0.5));
    expect(Array.from(M.indices)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(M.data[10]).toBe(10.5);
  });
});

describe('CsrBuilder', () => {
  it('builds the same matrix row by row, growing past its initial capacity', () => {
    const b = new CsrBuilder(3, 1, 1);
    b.addRow([2, 0], [2, 1]);
    b.addRow([], []);
    b.addRow([1, 2, 99], [3, 4, 0], 2);
    const M = b.build();
    expect(M.rows).toBe(3);
    expect(Array.from(M.indptr)).toEqual(Array.from(X.indptr));
    expect(Array.from(M.indices)).toEqual(Array.from(X.indices));
    expect(Array.from(M.data)).toEqual(Array.from(X.data));
  });
  it('rejects duplicate columns in a row', () => {
    const b = new CsrBuilder(3);
    expect(() => b.addRow([1, 1], [1, 1])).toThrow(/duplicate/);
  });
});

describe('row normalisation, transpose, means', () => {
  it('l2-normalises rows and leaves empty rows empty', () => {
    const N = csrRowNormalizeL2(X);
    expect(N.data[0]).toBeCloseTo(1 / Math.sqrt(5), 6);
    expect(N.data[1]).toBeCloseTo(2 / Math.sqrt(5), 6);
    expect(N.data[2]).toBeCloseTo(0.6, 6);
    expect(N.data[3]).toBeCloseTo(0.8, 6);
    expect(X.data[0]).toBe(1); // input untouched
  });
  it('transposes', () => {
    const T = csrTranspose(X);
    expect(Array.from(csrToDense(T).data)).toEqual([1, 0, 0, 0, 0, 3, 2, 0, 4]);
    expect(Array.from(T.indptr)).toEqual([0, 1, 2, 4]);
  });
  it('computes column means including implicit zeros', () => {
    expect(Array.from(csrColumnMeans(X))).toEqual([1 / 3, 1, 2]);
  });
  it('selects and renumbers columns', () => {
    const S = csrSelectColumns(X, [0, 2]);
    expect(S.cols).toBe(2);
    expect(Array.from(csrToDense(S).data)).toEqual([1, 2, 0, 0, 0, 4]);
  });
});

describe('products with dense matrices (the PCA kernels)', () => {
  // B = [[1, 2], [3, 4], [5, 6]]  →  X·B = [[11, 14], [0, 0], [29, 36]]
  const B = new Float64Array([1, 2, 3, 4, 5, 6]);
  it('X·B', () => {
    const P = csrTimesDense(X, B, 2);
    expect(P).toBeInstanceOf(Float64Array);
    expect(Array.from(P)).toEqual([11, 14, 0, 0, 29, 36]);
  });
  it('Xᵀ·A equals the product with the explicit transpose', () => {
    // Xᵀ·B = [[1,0,0],[0,0,3],[2,0,4]]·B = [[1, 2], [15, 18], [22, 28]]
    const P = serialSparseProducts(X).transposeMultiply(B, 2);
    expect(Array.from(P)).toEqual([1, 2, 15, 18, 22, 28]);
    expect(Array.from(csrTimesDense(csrTranspose(X), B, 2))).toEqual(Array.from(P));
  });
  it('rows longer than one 8-entry sweep (8, 4 and single-entry tails) equal the textbook sum', () => {
    // row i has i + 1 stored entries (1 … 21): every mix of the kernel's 8-, 4- and 1-entry paths
    const rows = 21;
    const cols = 30;
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < rows; i++) for (let t = 0; t <= i; t++) (r.push(i), c.push((t * 7 + i) % cols), v.push(0.25 * (t + 1)));
    const M = csrFromTriplets(rows, cols, r, c, v);
    const k = 3;
    const B = Float64Array.from({ length: cols * k }, (_, i) => (i % 5) - 2); // small integers: exact in float32
    const P = csrTimesDense(M, B, k);
    for (let i = 0; i < rows; i++) {
      for (let col = 0; col < k; col++) {
        let ref = 0;
        for (let p = M.indptr[i]; p < M.indptr[i + 1]; p++) ref += M.data[p] * B[M.indices[p] * k + col];
        expect(P[i * k + col]).toBe(ref);
      }
    }
  });
  it('checks shapes', () => {
    expect(() => csrTimesDense(X, new Float64Array(4), 2)).toThrow(/expected 3 × 2/);
  });
});
