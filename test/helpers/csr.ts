import { csrFromTriplets } from '../../analysis/sparse.ts';
import type { CsrMatrix } from '../../analysis/types.ts';

/** CSR from dense rows written out in a test (zeros dropped). */
export function csr(rows: number[][]): CsrMatrix {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        data.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return { rows: rows.length, cols: rows[0]!.length, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), data: Float32Array.from(data) };
}

/** `rows` rows cycling through the rows of `base` (row i is base's row i mod base.rows): a matrix of low rank. */
export function repeatedRows(base: CsrMatrix, rows: number): CsrMatrix {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    const src = i % base.rows;
    for (let p = base.indptr[src]; p < base.indptr[src + 1]; p++) {
      r.push(i);
      c.push(base.indices[p]);
      v.push(base.data[p]);
    }
  }
  return csrFromTriplets(rows, base.cols, r, c, v);
}
