// Topic vocabulary over time (the trends stage's periodTopTerms): the top terms of each topic in
// each period. Periods are independent of one another, so with a pool of threads they are shared
// out one at a time (parallel/topic-term-kernels.ts); each period is worked out by one thread
// exactly as here, so the answer does not depend on the thread count.

import type { WorkerPool } from './parallel/pool.ts';
import { poolFor, sharedInt32 } from './parallel/shared.ts';
import type { CsrMatrix } from './types.ts';

/** What one period's top terms are worked out from (the pool's periodTermIds kernel gets the same). */
export interface PeriodTermsArgs {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
  /** Documents grouped by cell (period p, topic c): cell p·k + c holds order[cellStart[cell], cellStart[cell + 1]). */
  order: Int32Array;
  cellStart: Int32Array;
  k: number;
  /** Terms (columns). */
  V: number;
  /** Each term's display form as a number: equal numbers, equal forms (a form is shown once per cell). */
  displayId: Int32Array;
  topN: number;
}

/**
 * Topic vocabulary over time: the top terms of each topic in each period, by class-based TF-IDF
 * computed within the period (BERTopic's c-TF-IDF, W(t, c) = tf(t, c) · log(1 + A / f_t), where
 * A is the average number of words per topic in that period and f_t the term's frequency over
 * all topics in that period). Terms common to every topic of the period sink, so each cell shows
 * what set the topic apart at the time.
 *
 * `counts` holds term counts per document (docs × terms), `periodIndex` each document's period.
 * Returns [topic][period] → up to topN display forms, best first; [] for an empty cell.
 * Ties break by term id, so the output does not depend on document order. With a `pool` of two
 * or more threads and `counts` in shared memory (as the vectorize stage makes it), periods are
 * worked out in parallel: the same answer.
 */
export function periodTopTerms(
  counts: CsrMatrix,
  labels: Int32Array,
  periodIndex: Int32Array,
  k: number,
  nPeriods: number,
  display: string[],
  topN = 5,
  pool?: WorkerPool,
): string[][][] {
  const nDocs = counts.rows;
  if (labels.length !== nDocs || periodIndex.length !== nDocs) {
    throw new RangeError(`labels (${labels.length}) and periodIndex (${periodIndex.length}) must have one entry per row of counts (${nDocs})`);
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!Number.isInteger(nPeriods) || nPeriods < 0) throw new RangeError(`nPeriods must be an integer >= 0, got ${nPeriods}`);
  if (!Number.isInteger(topN) || topN < 0) throw new RangeError(`topN must be an integer >= 0, got ${topN}`);
  if (display.length < counts.cols) throw new RangeError(`display has ${display.length} terms; counts has ${counts.cols} columns`);
  const threads = nPeriods > 1 ? poolFor(pool, counts) : undefined;

  // Counting sort of documents by cell (period, topic), so each cell is one contiguous run.
  const nCells = nPeriods * k;
  const cellStart = new Int32Array(nCells + 1);
  for (let i = 0; i < nDocs; i++) {
    const p = periodIndex[i]!;
    const c = labels[i]!;
    if (p < 0 || p >= nPeriods) throw new RangeError(`periodIndex of document ${i} is ${p}; expected 0..${nPeriods - 1}`);
    if (c < 0 || c >= k) throw new RangeError(`label of document ${i} is ${c}; expected 0..${k - 1}`);
    cellStart[p * k + c + 1]! += 1;
  }
  for (let j = 0; j < nCells; j++) cellStart[j + 1]! += cellStart[j]!;
  const order = threads ? sharedInt32(nDocs) : new Int32Array(nDocs);
  const fill = cellStart.slice(0, nCells);
  for (let i = 0; i < nDocs; i++) order[fill[periodIndex[i]! * k + labels[i]!]!++] = i;

  const V = counts.cols;
  const formIds = new Map<string, number>();
  const displayId = new Int32Array(V);
  for (let t = 0; t < V; t++) {
    let id = formIds.get(display[t]!);
    if (id === undefined) formIds.set(display[t]!, (id = formIds.size));
    displayId[t] = id;
  }
  const args: PeriodTermsArgs = { indptr: counts.indptr, indices: counts.indices, data: counts.data, order, cellStart, k, V, displayId, topN };
  const byPeriod: Int32Array[][] = new Array(nPeriods);
  if (threads) {
    for (const part of threads.run<PeriodTermIds[]>('periodTermIds', args)) for (const r of part) byPeriod[r.period] = r.cells;
  } else {
    const scratch = new PeriodScratch(V, k);
    for (let p = 0; p < nPeriods; p++) byPeriod[p] = periodTermIds(args, p, scratch);
  }
  const out: string[][][] = Array.from({ length: k }, () => Array.from({ length: nPeriods }, () => [] as string[]));
  for (let p = 0; p < nPeriods; p++) {
    const cells = byPeriod[p]!;
    for (let c = 0; c < cells.length; c++) out[c]![p] = Array.from(cells[c]!, (t) => display[t]!);
  }
  return out;
}

/** One period's answer from a thread: the chosen term ids of each topic (none when the period has no words). */
export interface PeriodTermIds {
  period: number;
  cells: Int32Array[];
}

/** Per-thread working arrays for periodTermIds (four of V entries: allocated once per thread). */
export class PeriodScratch {
  readonly periodFreq: Float64Array; // f_t within the period
  readonly cellFreq: Float64Array; // tf(t, c) within the cell
  readonly periodIdf: Float64Array; // log(1 + A / f_t) for the period's terms
  readonly touchedCell: Int32Array; // the cell's terms, touchedCell[0, nCell)
  readonly touchedPeriod: number[] = [];
  listTerms = new Int32Array(1024); // the period's cell lists, back to back
  listFreq = new Float64Array(1024);
  readonly listStart: Int32Array;
  constructor(V: number, k: number) {
    this.periodFreq = new Float64Array(V);
    this.cellFreq = new Float64Array(V);
    this.periodIdf = new Float64Array(V);
    this.touchedCell = new Int32Array(V);
    this.listStart = new Int32Array(k + 1);
  }
}

/**
 * Period p's top term ids per topic. One pass over the period's documents, cell by cell: a cell's
 * term sums are kept as a short (term, count) list, and the period's f_t is the sum of its cells'
 * lists. Counts are whole numbers, so f_t is exact in any grouping (an earlier version read every
 * entry twice). Returns [] when the period has no words (every cell then shows nothing).
 */
export function periodTermIds(args: PeriodTermsArgs, p: number, s: PeriodScratch): Int32Array[] {
  const { indptr, indices, data, order, cellStart, k } = args; // locals: the loop below runs once per stored entry
  const { periodFreq, cellFreq, periodIdf, touchedCell, touchedPeriod, listStart } = s;
  let words = 0;
  let topicsPresent = 0;
  let used = 0;
  for (let c = 0; c < k; c++) {
    const cell = p * k + c;
    if (cellStart[cell + 1]! > cellStart[cell]!) topicsPresent++;
    let nCell = 0;
    for (let o = cellStart[cell]!, oEnd = cellStart[cell + 1]!; o < oEnd; o++) {
      const doc = order[o]!;
      for (let e = indptr[doc]!, end = indptr[doc + 1]!; e < end; e++) {
        const t = indices[e]!;
        const x = data[e]!;
        if (x === 0) continue; // a stored zero: each would take a slot of touchedCell (V of them)
        if (cellFreq[t] === 0) touchedCell[nCell++] = t;
        cellFreq[t]! += x;
        words += x;
      }
    }
    if (used + nCell > s.listTerms.length) {
      const cap = Math.max(2 * s.listTerms.length, used + nCell);
      const t2 = new Int32Array(cap);
      t2.set(s.listTerms.subarray(0, used));
      s.listTerms = t2;
      const f2 = new Float64Array(cap);
      f2.set(s.listFreq.subarray(0, used));
      s.listFreq = f2;
    }
    const listTerms = s.listTerms;
    const listFreq = s.listFreq;
    listStart[c] = used;
    for (let u = 0; u < nCell; u++) {
      const t = touchedCell[u]!;
      const f = cellFreq[t]!;
      listTerms[used] = t;
      listFreq[used++] = f;
      if (periodFreq[t] === 0) touchedPeriod.push(t);
      periodFreq[t]! += f;
      cellFreq[t] = 0;
    }
  }
  listStart[k] = used;
  const cells: Int32Array[] = [];
  if (words > 0) {
    const A = words / topicsPresent;
    // log(1 + A / f_t) once per term of the period, not once per (topic, term).
    for (const t of touchedPeriod) periodIdf[t] = Math.log(1 + A / periodFreq[t]!);
    for (let c = 0; c < k; c++) {
      const from = listStart[c]!;
      const to = listStart[c + 1]!;
      cells.push(topCellTerms(s.listTerms.subarray(from, to), s.listFreq.subarray(from, to), periodIdf, args.displayId, args.topN));
    }
  }
  for (const t of touchedPeriod) periodFreq[t] = 0;
  touchedPeriod.length = 0;
  return cells;
}

/**
 * The first `topN` terms with distinct display forms of a cell's terms (tf[i] is the count of
 * terms[i]) ranked by w = tf · idf (descending, ties by term id). A cell has thousands of terms
 * and needs five: the best `4 · topN` are kept by insertion into a short sorted list, and only
 * when duplicate display forms use them all up is the whole cell sorted. Either way the result
 * is that of a full sort.
 */
function topCellTerms(terms: Int32Array, tf: Float64Array, idf: Float64Array, displayId: Int32Array, topN: number): Int32Array {
  if (topN === 0) return new Int32Array(0);
  const cap = 4 * topN;
  const bestT = new Int32Array(cap);
  const bestW = new Float64Array(cap);
  let size = 0;
  let positive = 0;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    const f = tf[i]!;
    if (!(f > 0)) continue;
    positive++;
    const w = f * idf[t]!;
    if (size === cap && !(w > bestW[cap - 1]! || (w === bestW[cap - 1]! && t < bestT[cap - 1]!))) continue;
    let j = size < cap ? size++ : cap - 1;
    while (j > 0 && (w > bestW[j - 1]! || (w === bestW[j - 1]! && t < bestT[j - 1]!))) {
      bestT[j] = bestT[j - 1]!;
      bestW[j] = bestW[j - 1]!;
      j--;
    }
    bestT[j] = t;
    bestW[j] = w;
  }
  const pick = (ranked: ArrayLike<number>, count: number): Int32Array => {
    const out: number[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < count && out.length < topN; i++) {
      const form = displayId[ranked[i]!]!;
      if (seen.has(form)) continue; // two keys can share a display form; show it once
      seen.add(form);
      out.push(ranked[i]!);
    }
    return Int32Array.from(out);
  };
  const terms1 = pick(bestT, size);
  if (terms1.length >= topN || positive <= size) return terms1;
  const scored: { t: number; w: number }[] = [];
  for (let i = 0; i < terms.length; i++) if (tf[i]! > 0) scored.push({ t: terms[i]!, w: tf[i]! * idf[terms[i]!]! });
  scored.sort((a, b) => b.w - a.w || a.t - b.t);
  return pick(
    scored.map((x) => x.t),
    scored.length,
  );
}
