// Minimum-cost assignment (Kuhn–Munkres in the shortest-augmenting-path form of Jonker &
// Volgenant, with row/column potentials): O(n³) for an n × n matrix. Used to pair last night's
// topics with tonight's so that the total similarity of the pairs is as large as possible,
// which a greedy "best pair first" pass does not guarantee.

/**
 * Solves min Σ cost[i, assignment[i]] over one-to-one assignments of rows to columns.
 *
 * `cost` is row-major, rows × cols. A rectangular matrix is padded with zero-cost dummy rows or
 * columns (a zero constant does not change which real pairs are optimal), so every row gets a
 * column when rows ≤ cols and every column gets a row when rows ≥ cols.
 *
 * Returns result[i] = the column assigned to row i, or −1 when row i was left over (rows > cols).
 * Deterministic: ties between equal-cost assignments are broken by scanning columns in index
 * order, so the same matrix always gives the same answer.
 */
export function hungarian(cost: Float64Array, rows: number, cols: number): Int32Array {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`hungarian: rows and cols must be non-negative integers, got ${rows} × ${cols}`);
  }
  if (cost.length !== rows * cols) {
    throw new RangeError(`hungarian: cost has ${cost.length} entries, expected rows × cols = ${rows * cols}`);
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i])) {
      throw new RangeError(`hungarian: cost[${i}] is ${cost[i]}; all costs must be finite (use a large value to forbid a pair)`);
    }
  }
  const result = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return result;

  const n = Math.max(rows, cols);
  // Entry (i, j) of the padded square matrix, 1-based as in the classic formulation.
  const at = (i: number, j: number): number => (i <= rows && j <= cols ? cost[(i - 1) * cols + (j - 1)] : 0);

  const u = new Float64Array(n + 1); // row potentials
  const v = new Float64Array(n + 1); // column potentials
  const rowOfCol = new Int32Array(n + 1); // rowOfCol[j] = row matched to column j (0 = none)
  const way = new Int32Array(n + 1); // previous column on the augmenting path
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);

  for (let i = 1; i <= n; i++) {
    // Grow a shortest augmenting path from row i (Dijkstra on reduced costs).
    rowOfCol[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOfCol[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = at(i0, j) - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOfCol[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    // Flip the path.
    do {
      const j1 = way[j0];
      rowOfCol[j0] = rowOfCol[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  for (let j = 1; j <= cols; j++) {
    const i = rowOfCol[j];
    if (i >= 1 && i <= rows) result[i - 1] = j - 1;
  }
  return result;
}
