// Per-topic and per-period term sums, NPMI's document counts and the column totals over the pool
// (ctfidf.ts, period-terms.ts, quality/npmi.ts, column-totals.ts): over a large window each is a
// pass over every stored count, ~4, ~6, ~2 and ~0.6 s on one thread at 1M papers. Each task (a
// topic, a period, a block of rows) is done by one thread exactly as the serial loop does it, and
// NPMI's counts and the column totals are whole numbers added up per thread (column-totals.ts
// checks that they are), so the results are the serial ones whatever the thread count. Tasks are
// claimed from a shared counter, so a pool that lost a worker still covers them all. The count
// matrix is read where it is, in shared memory.

import { type ColumnTotalsArgs, type PartialColumnTotals } from '../column-totals.ts';
import { addColumnSums } from '../sparse.ts';
import { sumTopicRow, type TopicSumsArgs } from '../ctfidf.ts';
import { countNpmiRows, emptyNpmiCounts, type NpmiBlocksArgs, type NpmiRowCounts } from '../quality/npmi.ts';
import { PeriodScratch, type PeriodTermIds, periodTermIds, type PeriodTermsArgs } from '../period-terms.ts';
import type { TaskCounter } from './kernels.ts';

/** classTfidf's step 1: topics claimed one at a time, each row written in place (shared memory). */
export function ctfidfTopicSumsKernel(args: TopicSumsArgs, _part: number, _parts: number, tasks: TaskCounter): null {
  const k = args.start.length - 1;
  for (let c = tasks.next(k); c >= 0; c = tasks.next(k)) sumTopicRow(args, c);
  return null;
}

/** periodTopTerms: periods claimed one at a time, each worked out with this thread's scratch arrays. */
export function periodTermIdsKernel(args: PeriodTermsArgs, _part: number, _parts: number, tasks: TaskCounter): PeriodTermIds[] {
  const nPeriods = (args.cellStart.length - 1) / args.k;
  const out: PeriodTermIds[] = [];
  let scratch: PeriodScratch | undefined;
  for (let p = tasks.next(nPeriods); p >= 0; p = tasks.next(nPeriods)) {
    scratch ??= new PeriodScratch(args.V, args.k);
    out.push({ period: p, cells: periodTermIds(args, p, scratch) });
  }
  return out;
}

/** npmiCoherence's counts: blocks of rows (args.bounds) claimed by the threads, each into its own counts; the caller adds them up. */
export function npmiRowsKernel(args: NpmiBlocksArgs, _part: number, _parts: number, tasks: TaskCounter): NpmiRowCounts {
  const counts = emptyNpmiCounts(args);
  const blocks = args.bounds.length - 1;
  for (let b = tasks.next(blocks); b >= 0; b = tasks.next(blocks)) countNpmiRows(args, args.bounds[b]!, args.bounds[b + 1]!, counts);
  return counts;
}

/** columnTotals: blocks of rows claimed by the threads, each into its own totals; the caller adds them up. */
export function columnTotalsKernel(args: ColumnTotalsArgs, _part: number, _parts: number, tasks: TaskCounter): PartialColumnTotals {
  const totals = new Float64Array(args.cols);
  let whole = true;
  const blocks = args.bounds.length - 1;
  for (let b = tasks.next(blocks); b >= 0; b = tasks.next(blocks)) {
    if (!addColumnSums(args, args.bounds[b]!, args.bounds[b + 1]!, totals)) whole = false;
  }
  return { totals, whole };
}
