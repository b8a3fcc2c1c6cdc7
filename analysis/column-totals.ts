// Occurrences of each column over every row of a count matrix: describe's term counts (how often
// a label's words occur in the window). One pass over every stored count: at 1M papers (97M
// entries) 0.55–0.75 s on one thread, which the describe stage spent on the calling thread while
// the pool's worker sat idle. Blocks of rows are claimed by the pool's threads, each adding into
// its own totals; the caller adds those up. Counts are whole numbers, and a sum of whole numbers
// below 2^53 is exact in any grouping, so the pooled totals are the serial ones to the bit. A block
// that meets a count that is not a whole number says so, and the caller then counts on one thread,
// so the answer never depends on the thread count.

import type { WorkerPool } from './parallel/pool.ts';
import { poolFor } from './parallel/shared.ts';
import { balancedRowBounds } from './parallel/sparse-kernels.ts';
import { addColumnSums } from './sparse.ts';
import type { CsrMatrix } from './types.ts';

/** What the pool's columnTotals kernel reads: the matrix, and blocks of rows (block b: rows [bounds[b], bounds[b + 1])). */
export interface ColumnTotalsArgs {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
  cols: number;
  bounds: Int32Array;
}

/** One thread's share: its totals, and whether every count it added was a whole number. */
export interface PartialColumnTotals {
  totals: Float64Array;
  whole: boolean;
}

/** Blocks of rows the pool's threads claim: enough that a thread slowed by the other work on the machine hands the rest over. */
const ROW_BLOCKS = 64;

/**
 * Σ over the rows of each column's stored counts (a Float64Array of counts.cols). With a `pool`
 * of two or more threads and the matrix in shared memory (as the vectorize stage makes it), the
 * rows are shared out: the same figures (see the file comment).
 */
export function columnTotals(counts: CsrMatrix, pool?: WorkerPool): Float64Array {
  const threads = poolFor(pool, counts);
  if (threads) {
    const args: ColumnTotalsArgs = {
      indptr: counts.indptr,
      indices: counts.indices,
      data: counts.data,
      cols: counts.cols,
      bounds: balancedRowBounds(counts.indptr, counts.rows, ROW_BLOCKS, 0),
    };
    const parts = threads.run<PartialColumnTotals>('columnTotals', args);
    if (parts.every((p) => p.whole)) {
      const totals = parts[0]!.totals;
      for (const p of parts.slice(1)) for (let j = 0; j < totals.length; j++) totals[j]! += p.totals[j]!;
      return totals;
    }
  }
  const totals = new Float64Array(counts.cols);
  addColumnSums(counts, 0, counts.rows, totals);
  return totals;
}
