// Topic vocabulary per period (period-terms.ts) over a WorkerPool: each thread scores the periods
// it was given with the one-thread code, so the term ids are the serial ones. The calling thread
// reads the whole count matrix through the cell order; a worker gets a compact matrix of its
// periods' rows, already in cell order (order null), copied by structured clone.

import { type CellIndex, PeriodTermsScratch, periodCellTerms } from '../period-terms.ts';
import type { CsrMatrix } from '../types.ts';

export interface PeriodTermsArgs {
  counts: CsrMatrix;
  /** Documents cell by cell, or null when the rows of `counts` are already in cell order. */
  order: CellIndex['order'] | null;
  /** Cell offsets: cell q · k + c of this part is period periods[q], topic c (the calling thread: q is the period itself). */
  cellStart: Int32Array;
  /** The periods this part scores, ascending. */
  periods: Int32Array;
  k: number;
  displayId: Int32Array;
  topN: number;
}

/** Term ids of this part's periods: periods.length × k × topN, period by period, −1 padded. */
export function periodTermsKernel(args: PeriodTermsArgs): Int32Array {
  const { counts, order, cellStart, periods, k, displayId, topN } = args;
  const out = new Int32Array(periods.length * k * topN);
  const scratch = new PeriodTermsScratch(counts.cols, k);
  const formOf = (t: number): number => displayId[t]!;
  // A compact matrix numbers its periods 0, 1, …; the full one (the calling thread) by period.
  periods.forEach((p, q) => periodCellTerms(counts, order, cellStart, (order === null ? q : p) * k, k, formOf, topN, scratch, out, q * k * topN));
  return out;
}
