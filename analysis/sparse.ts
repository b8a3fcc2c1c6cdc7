// Compressed sparse row (CSR) helpers on typed arrays. TF-IDF of a large corpus is ~99.9 % zeros,
// so nothing here ever materialises a dense rows × cols matrix; the two products with a dense
// block (X·B and Xᵀ·A) are what randomized SVD needs.
//
// Conventions: functions never mutate their inputs; column indices are ascending within a row;
// dense outputs are Float64Array (products accumulate many terms and float32 loses digits).

import type { CsrMatrix, DenseMatrix } from './types.ts';

function assertDims(rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`${what}: rows and cols must be non-negative integers, got ${rows} × ${cols}`);
  }
}

/** An empty rows × cols matrix. */
export function csrEmpty(rows: number, cols: number): CsrMatrix {
  assertDims(rows, cols, 'csrEmpty');
  return { rows, cols, indptr: new Int32Array(rows + 1), indices: new Int32Array(0), data: new Float32Array(0) };
}

/** Number of stored entries. */
export function csrNnz(X: CsrMatrix): number {
  return X.indptr[X.rows];
}

/**
 * Builds a CSR matrix from coordinate triplets (row[k], col[k], value[k]) in any order.
 * Duplicate (row, col) pairs are summed (scipy's coo → csr rule); explicit zeros are kept.
 * Two passes with a counting sort by row, then an insertion/typed sort within each row: no
 * per-row objects.
 */
export function csrFromTriplets(
  rows: number,
  cols: number,
  rowIndex: ArrayLike<number>,
  colIndex: ArrayLike<number>,
  values: ArrayLike<number>,
): CsrMatrix {
  assertDims(rows, cols, 'csrFromTriplets');
  const n = rowIndex.length;
  if (colIndex.length !== n || values.length !== n) {
    throw new RangeError(`csrFromTriplets: rowIndex, colIndex and values must have equal length (${n}, ${colIndex.length}, ${values.length})`);
  }
  // Pass 1: count per row.
  const counts = new Int32Array(rows + 1);
  for (let k = 0; k < n; k++) {
    const r = rowIndex[k];
    const c = colIndex[k];
    if (!(r >= 0 && r < rows && Number.isInteger(r))) throw new RangeError(`csrFromTriplets: row ${r} out of range [0, ${rows})`);
    if (!(c >= 0 && c < cols && Number.isInteger(c))) throw new RangeError(`csrFromTriplets: col ${c} out of range [0, ${cols})`);
    counts[r + 1]++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  // Pass 2: scatter into row slots.
  const next = counts.slice(0, rows);
  const cIdx = new Int32Array(n);
  const vals = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const p = next[rowIndex[k]]++;
    cIdx[p] = colIndex[k];
    vals[p] = values[k];
  }
  // Sort each row by column and sum duplicates, compacting in place.
  const indptr = new Int32Array(rows + 1);
  let out = 0;
  for (let r = 0; r < rows; r++) {
    const start = counts[r];
    const end = counts[r + 1];
    sortRowSegment(cIdx, vals, start, end);
    indptr[r] = out;
    for (let p = start; p < end; p++) {
      if (out > indptr[r] && cIdx[out - 1] === cIdx[p]) {
        vals[out - 1] += vals[p];
      } else {
        cIdx[out] = cIdx[p];
        vals[out] = vals[p];
        out++;
      }
    }
  }
  indptr[rows] = out;
  return { rows, cols, indptr, indices: cIdx.slice(0, out), data: Float32Array.from(vals.subarray(0, out)) };
}

/** Sorts indices[start..end) ascending, carrying values along. Insertion sort for short rows, else index sort. */
function sortRowSegment(indices: Int32Array, values: Float64Array, start: number, end: number): void {
  const len = end - start;
  if (len < 2) return;
  let sorted = true;
  for (let p = start + 1; p < end; p++) {
    if (indices[p - 1] > indices[p]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  if (len <= 32) {
    for (let p = start + 1; p < end; p++) {
      const c = indices[p];
      const v = values[p];
      let q = p - 1;
      while (q >= start && indices[q] > c) {
        indices[q + 1] = indices[q];
        values[q + 1] = values[q];
        q--;
      }
      indices[q + 1] = c;
      values[q + 1] = v;
    }
    return;
  }
  // Stable order: sort positions by (column, position) so duplicates sum in input order.
  const order = new Int32Array(len);
  for (let i = 0; i < len; i++) order[i] = i;
  const segIdx = indices.slice(start, end);
  const segVal = values.slice(start, end);
  order.sort((a, b) => segIdx[a] - segIdx[b] || a - b);
  for (let i = 0; i < len; i++) {
    indices[start + i] = segIdx[order[i]];
    values[start + i] = segVal[order[i]];
  }
}

/**
 * Appends rows one at a time into growable typed arrays (amortised doubling), for producers that
 * naturally emit a row at a time (TF-IDF, transforms). Columns of each row are sorted on append
 * if needed; duplicate columns within one row are rejected since the caller should aggregate.
 */
export class CsrBuilder {
  readonly cols: number;
  private rowCount = 0;
  private nnz = 0;
  private indptr: Int32Array;
  private indices: Int32Array;
  private data: Float32Array;

  constructor(cols: number, expectedRows = 16, expectedNnz = 256) {
    assertDims(0, cols, 'CsrBuilder');
    this.cols = cols;
    this.indptr = new Int32Array(Math.max(2, expectedRows + 1));
    this.indices = new Int32Array(Math.max(1, expectedNnz));
    this.data = new Float32Array(Math.max(1, expectedNnz));
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Appends one row from the first `length` entries of `indices` / `values`. */
  addRow(indices: ArrayLike<number>, values: ArrayLike<number>, length: number = indices.length): void {
    if (length > indices.length || length > values.length) {
      throw new RangeError(`CsrBuilder.addRow: length ${length} exceeds the given arrays`);
    }
    this.reserve(length);
    const base = this.nnz;
    let sorted = true;
    for (let k = 0; k < length; k++) {
      const c = indices[k];
      if (!(c >= 0 && c < this.cols && Number.isInteger(c))) {
        throw new RangeError(`CsrBuilder.addRow: column ${c} out of range [0, ${this.cols})`);
      }
      this.indices[base + k] = c;
      this.data[base + k] = values[k];
      if (k > 0 && this.indices[base + k - 1] >= c) sorted = false;
    }
    if (!sorted) this.sortLastRow(base, base + length);
    this.nnz += length;
    this.rowCount++;
    if (this.rowCount + 1 > this.indptr.length) {
      const grown = new Int32Array(this.indptr.length * 2);
      grown.set(this.indptr);
      this.indptr = grown;
    }
    this.indptr[this.rowCount] = this.nnz;
  }

  /** Returns the matrix with arrays trimmed to size. The builder must not be used afterwards. */
  build(): CsrMatrix {
    return {
      rows: this.rowCount,
      cols: this.cols,
      indptr: this.indptr.slice(0, this.rowCount + 1),
      indices: this.indices.slice(0, this.nnz),
      data: this.data.slice(0, this.nnz),
    };
  }

  private reserve(extra: number): void {
    const need = this.nnz + extra;
    if (need <= this.indices.length) return;
    let cap = this.indices.length;
    while (cap < need) cap *= 2;
    const ind = new Int32Array(cap);
    ind.set(this.indices.subarray(0, this.nnz));
    const dat = new Float32Array(cap);
    dat.set(this.data.subarray(0, this.nnz));
    this.indices = ind;
    this.data = dat;
  }

  private sortLastRow(start: number, end: number): void {
    const len = end - start;
    const order = new Int32Array(len);
    for (let i = 0; i < len; i++) order[i] = i;
    const segIdx = this.indices.slice(start, end);
    const segVal = this.data.slice(start, end);
    order.sort((a, b) => segIdx[a] - segIdx[b]);
    for (let i = 0; i < len; i++) {
      if (i > 0 && segIdx[order[i]] === segIdx[order[i - 1]]) {
        throw new RangeError(`CsrBuilder.addRow: duplicate column ${segIdx[order[i]]} in one row`);
      }
      this.indices[start + i] = segIdx[order[i]];
      this.data[start + i] = segVal[order[i]];
    }
  }
}

/** Euclidean norm of every row. */
export function csrRowNorms(X: CsrMatrix): Float64Array {
  const norms = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) s += X.data[p] * X.data[p];
    norms[i] = Math.sqrt(s);
  }
  return norms;
}

/**
 * Scales every row to unit Euclidean length (sklearn's normalize(norm='l2')); all-zero rows stay
 * zero. Returns a new matrix that shares indptr/indices with X (they are not modified) and has its
 * own data array.
 */
export function csrRowNormalizeL2(X: CsrMatrix): CsrMatrix {
  const data = new Float32Array(X.data.length);
  for (let i = 0; i < X.rows; i++) {
    const start = X.indptr[i];
    const end = X.indptr[i + 1];
    let s = 0;
    for (let p = start; p < end; p++) s += X.data[p] * X.data[p];
    if (s === 0) continue; // data already zero
    const inv = 1 / Math.sqrt(s);
    for (let p = start; p < end; p++) data[p] = X.data[p] * inv;
  }
  return { rows: X.rows, cols: X.cols, indptr: X.indptr, indices: X.indices, data };
}

/** Where a CSR result's arrays are allocated: private memory, or shared memory for workers. */
export interface CsrAllocator {
  int32(length: number): Int32Array;
  float32(length: number): Float32Array;
}

const privateArrays: CsrAllocator = { int32: (n) => new Int32Array(n), float32: (n) => new Float32Array(n) };

/** Xᵀ as CSR (equivalently X as CSC). Counting sort by column keeps the new rows' columns ascending. */
export function csrTranspose(X: CsrMatrix, allocate: CsrAllocator = privateArrays): CsrMatrix {
  const nnz = X.indptr[X.rows];
  const indptr = allocate.int32(X.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[X.indices[p] + 1]++;
  for (let j = 0; j < X.cols; j++) indptr[j + 1] += indptr[j];
  const next = indptr.slice(0, X.cols);
  const indices = allocate.int32(nnz);
  const data = allocate.float32(nnz);
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) {
      const q = next[X.indices[p]]++;
      indices[q] = i;
      data[q] = X.data[p];
    }
  }
  return { rows: X.cols, cols: X.rows, indptr, indices, data };
}

/** Mean of every column over all rows (implicit zeros included): the μ of implicit centring. */
export function csrColumnMeans(X: CsrMatrix): Float64Array {
  const means = new Float64Array(X.cols);
  addColumnSums(X, 0, X.rows, means);
  if (X.rows > 0) for (let j = 0; j < X.cols; j++) means[j] /= X.rows;
  return means;
}

/**
 * Adds the stored entries of rows [r0, r1) into `sums` by column, in entry order; false when one
 * of them is not a whole number (column-totals.ts then keeps the sum on one thread).
 */
export function addColumnSums(X: Pick<CsrMatrix, 'indptr' | 'indices' | 'data'>, r0: number, r1: number, sums: Float64Array): boolean {
  const { indptr, indices, data } = X;
  let whole = true;
  for (let p = indptr[r0]!, end = indptr[r1]!; p < end; p++) {
    const x = data[p]!;
    if (x !== Math.floor(x)) whole = false;
    sums[indices[p]!]! += x;
  }
  return whole;
}

/** Rows [r0, r1) of X: its entries as views (no copy), the row offsets rebased to 0. */
export function csrRowRange(X: CsrMatrix, r0: number, r1: number): CsrMatrix {
  const base = X.indptr[r0]!;
  const end = X.indptr[r1]!;
  const indptr = new Int32Array(r1 - r0 + 1);
  for (let i = r0; i <= r1; i++) indptr[i - r0] = X.indptr[i]! - base;
  return { rows: r1 - r0, cols: X.cols, indptr, indices: X.indices.subarray(base, end), data: X.data.subarray(base, end) };
}

/** The columns that hold a stored entry in some row, ascending (what csrSelectColumns keeps to drop only empty columns). */
export function csrUsedColumns(X: CsrMatrix): Int32Array {
  const seen = new Uint8Array(X.cols);
  let count = 0;
  for (let p = X.indptr[0]!; p < X.indptr[X.rows]!; p++) {
    const j = X.indices[p]!;
    if (seen[j] === 0) {
      seen[j] = 1;
      count++;
    }
  }
  const used = new Int32Array(count);
  for (let j = 0, at = 0; j < X.cols; j++) if (seen[j] === 1) used[at++] = j;
  return used;
}

/**
 * Keeps the listed columns (strictly ascending old column ids) and renumbers them 0..keep.length-1,
 * preserving order so rows stay sorted. Used to prune a vocabulary after counting.
 */
export function csrSelectColumns(X: CsrMatrix, keep: ArrayLike<number>): CsrMatrix {
  const map = new Int32Array(X.cols).fill(-1);
  for (let j = 0; j < keep.length; j++) {
    const c = keep[j];
    if (!(c >= 0 && c < X.cols) || (j > 0 && keep[j - 1] >= c)) {
      throw new RangeError('csrSelectColumns: keep must be strictly ascending column ids within range');
    }
    map[c] = j;
  }
  const indptr = new Int32Array(X.rows + 1);
  let nnz = 0;
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) if (map[X.indices[p]] >= 0) nnz++;
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let q = 0;
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) {
      const m = map[X.indices[p]];
      if (m >= 0) {
        indices[q] = m;
        data[q] = X.data[p];
        q++;
      }
    }
  }
  return { rows: X.rows, cols: keep.length, indptr, indices, data };
}

/** Dense copy, for tests and tiny matrices only. */
export function csrToDense(X: CsrMatrix): DenseMatrix {
  const out = new Float64Array(X.rows * X.cols);
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.indptr[i]; p < X.indptr[i + 1]; p++) out[i * X.cols + X.indices[p]] += X.data[p];
  }
  return { rows: X.rows, cols: X.cols, data: out };
}
