// Topic vocabulary over time: the top terms of each topic in each period, by class-based TF-IDF
// computed within the period (BERTopic's c-TF-IDF, W(t, c) = tf(t, c) · log(1 + A / f_t), where
// A is the average number of words per topic in that period and f_t the term's frequency over
// all topics in that period). Terms common to every topic of the period sink, so each cell shows
// what set the topic apart at the time.
//
// Periods are independent of each other, so with a WorkerPool they are shared out between the
// threads (parallel/period-terms-kernels.ts): each thread scores whole periods with the same code,
// so the answer is the one-thread answer exactly. On a 1M-paper night this was the trends stage's
// ~10 s, all of it on the main thread while the second core had nothing to do.

import type { WorkerPool } from './parallel/pool.ts';
import type { PeriodTermsArgs } from './parallel/period-terms-kernels.ts';
import type { CsrMatrix } from './types.ts';

/** Documents grouped by cell (period p, topic c: cell p · k + c), each cell one contiguous run of `order`. */
export interface CellIndex {
  /** nCells + 1 offsets into `order`. */
  cellStart: Int32Array;
  /** Document ids, cell by cell (by id within a cell). */
  order: Int32Array;
}

/** Counting sort of the documents by cell; checks labels and periods. */
export function cellIndex(labels: Int32Array, periodIndex: Int32Array, k: number, nPeriods: number): CellIndex {
  const nDocs = labels.length;
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
  const order = new Int32Array(nDocs);
  const fill = cellStart.slice(0, nCells);
  for (let i = 0; i < nDocs; i++) order[fill[periodIndex[i]! * k + labels[i]!]!++] = i;
  return { cellStart, order };
}

/**
 * Per term, the smallest term id with the same display form: two keys can share a display form
 * ('model' and 'models' shown alike), and a cell shows each form once. Numbers instead of the
 * strings, so a worker thread needs no copy of the vocabulary's display forms.
 */
export function displayIds(display: readonly string[], cols: number): Int32Array {
  const first = new Map<string, number>();
  const ids = new Int32Array(cols);
  for (let t = 0; t < cols; t++) {
    const form = display[t]!;
    let id = first.get(form);
    if (id === undefined) {
      id = t;
      first.set(form, t);
    }
    ids[t] = id;
  }
  return ids;
}

/**
 * A term's display form, or anything equal exactly when the forms are: the form itself on the
 * calling thread, its displayIds entry in a worker (which has no copy of the strings).
 */
export type FormOf = (term: number) => unknown;

/** Work arrays of one thread, sized by the vocabulary and reused from period to period. */
export class PeriodTermsScratch {
  readonly periodFreq: Float64Array; // f_t within the period
  readonly cellFreq: Float64Array; // tf(t, c) within the cell
  readonly periodIdf: Float64Array; // log(1 + A / f_t) for the period's terms
  readonly touchedPeriod: number[] = [];
  readonly touchedCell: number[] = [];
  listTerms = new Int32Array(1024); // the period's cell lists, back to back
  listFreq = new Float64Array(1024);
  readonly listStart: Int32Array;

  constructor(cols: number, k: number) {
    this.periodFreq = new Float64Array(cols);
    this.cellFreq = new Float64Array(cols);
    this.periodIdf = new Float64Array(cols);
    this.listStart = new Int32Array(k + 1);
  }

  /** Room for `size` list entries, keeping the first `used`. */
  reserve(used: number, size: number): void {
    if (size <= this.listTerms.length) return;
    const cap = Math.max(2 * this.listTerms.length, size);
    const terms = new Int32Array(cap);
    terms.set(this.listTerms.subarray(0, used));
    this.listTerms = terms;
    const freq = new Float64Array(cap);
    freq.set(this.listFreq.subarray(0, used));
    this.listFreq = freq;
  }
}

/**
 * The top terms of the k cells of one period: cells firstCell … firstCell + k − 1 of `cellStart`,
 * whose documents are order[cellStart[cell] … cellStart[cell + 1]) (order null: the rows
 * themselves, in sequence). Writes up to topN term ids per cell, best first, into
 * out[outAt + c · topN …], −1 after the last.
 *
 * One pass over the period's documents, cell by cell: a cell's term sums are kept as a short
 * (term, count) list, and the period's f_t is the sum of its cells' lists. Counts are whole
 * numbers, so f_t is exact in any grouping (an earlier version read every entry twice).
 */
export function periodCellTerms(
  counts: CsrMatrix,
  order: Int32Array | null,
  cellStart: Int32Array,
  firstCell: number,
  k: number,
  formOf: FormOf,
  topN: number,
  scratch: PeriodTermsScratch,
  out: Int32Array,
  outAt: number,
): void {
  out.fill(-1, outAt, outAt + k * topN);
  const { indptr, indices, data } = counts;
  const { periodFreq, cellFreq, periodIdf, touchedPeriod, touchedCell, listStart } = scratch;
  let words = 0;
  let topicsPresent = 0;
  let used = 0;
  for (let c = 0; c < k; c++) {
    const cell = firstCell + c;
    if (cellStart[cell + 1]! > cellStart[cell]!) topicsPresent++;
    for (let o = cellStart[cell]!; o < cellStart[cell + 1]!; o++) {
      const doc = order === null ? o : order[o]!;
      for (let e = indptr[doc]!; e < indptr[doc + 1]!; e++) {
        const t = indices[e]!;
        if (cellFreq[t] === 0) touchedCell.push(t);
        cellFreq[t]! += data[e]!;
        words += data[e]!;
      }
    }
    scratch.reserve(used, used + touchedCell.length);
    const { listTerms, listFreq } = scratch;
    listStart[c] = used;
    for (const t of touchedCell) {
      const f = cellFreq[t]!;
      listTerms[used] = t;
      listFreq[used++] = f;
      if (periodFreq[t] === 0) touchedPeriod.push(t);
      periodFreq[t]! += f;
      cellFreq[t] = 0;
    }
    touchedCell.length = 0;
  }
  listStart[k] = used;
  if (words > 0) {
    const A = words / topicsPresent;
    // log(1 + A / f_t) once per term of the period, not once per (topic, term).
    for (const t of touchedPeriod) periodIdf[t] = Math.log(1 + A / periodFreq[t]!);
    for (let c = 0; c < k; c++) {
      const from = listStart[c]!;
      const to = listStart[c + 1]!;
      topCellTerms(scratch.listTerms.subarray(from, to), scratch.listFreq.subarray(from, to), periodIdf, formOf, topN, out, outAt + c * topN);
    }
  }
  for (const t of touchedPeriod) periodFreq[t] = 0;
  touchedPeriod.length = 0;
}

/**
 * Returns [topic][period] → up to topN display forms, best first; [] for an empty cell.
 * `counts` holds term counts per document (docs × terms), `periodIndex` each document's period.
 * Ties break by term id, so the output does not depend on document order. With a pool of two or
 * more threads the periods are shared out (the same answer).
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

  const cells = cellIndex(labels, periodIndex, k, nPeriods);
  const ids = new Int32Array(nPeriods * k * topN);
  if (pool !== undefined && pool.threads > 1 && nPeriods > 1 && topN > 0) pooledPeriodTerms(counts, cells, k, nPeriods, displayIds(display, counts.cols), topN, pool, ids);
  else {
    const scratch = new PeriodTermsScratch(counts.cols, k);
    const formOf: FormOf = (t) => display[t];
    if (topN > 0) for (let p = 0; p < nPeriods; p++) periodCellTerms(counts, cells.order, cells.cellStart, p * k, k, formOf, topN, scratch, ids, p * k * topN);
  }
  const out: string[][][] = Array.from({ length: k }, () => Array.from({ length: nPeriods }, () => [] as string[]));
  for (let p = 0; p < nPeriods; p++) {
    for (let c = 0; c < k; c++) {
      const at = (p * k + c) * topN;
      const forms = out[c]![p]!;
      for (let j = 0; j < topN && ids[at + j]! >= 0; j++) forms.push(display[ids[at + j]!]!);
    }
  }
  return out;
}

/**
 * The periods shared out between the pool's threads, balanced by stored entries (the work): the
 * calling thread scores its periods on `counts` itself, each worker gets its periods' rows copied
 * out in cell order (a compact matrix: no shared copy of the whole count matrix, which at 1M
 * papers is ~0.6 GB) and sends back the term ids.
 */
function pooledPeriodTerms(counts: CsrMatrix, cells: CellIndex, k: number, nPeriods: number, displayId: Int32Array, topN: number, pool: WorkerPool, ids: Int32Array): void {
  const { cellStart, order } = cells;
  const { indptr } = counts;
  const entries = new Float64Array(nPeriods);
  for (let p = 0; p < nPeriods; p++) {
    for (let o = cellStart[p * k]!; o < cellStart[(p + 1) * k]!; o++) entries[p]! += indptr[order[o]! + 1]! - indptr[order[o]!]!;
  }
  const parts = pool.threads;
  const periodsOf = sharePeriods(entries, parts);
  const partArgs: PeriodTermsArgs[] = periodsOf.map((periods, part) => (part === 0 ? { counts, order, cellStart, periods: Int32Array.from(periods), k, displayId, topN } : compactPeriods(counts, cells, periods, k, displayId, topN)));
  const results = pool.runEach<Int32Array>('periodTopTerms', partArgs);
  results.forEach((got, part) => {
    periodsOf[part]!.forEach((p, q) => ids.set(got.subarray(q * k * topN, (q + 1) * k * topN), p * k * topN));
  });
}

/** Periods per part: largest first to the part with the least work so far (ties: the lower part, then the lower period). */
export function sharePeriods(entries: Float64Array, parts: number): number[][] {
  const byWork = Array.from(entries.keys()).sort((a, b) => entries[b]! - entries[a]! || a - b);
  const load = new Float64Array(parts);
  const out: number[][] = Array.from({ length: parts }, () => []);
  for (const p of byWork) {
    let best = 0;
    for (let q = 1; q < parts; q++) if (load[q]! < load[best]!) best = q;
    out[best]!.push(p);
    load[best]! += entries[p]!;
  }
  for (const list of out) list.sort((a, b) => a - b);
  return out;
}

/** The rows of `periods`' documents in cell order, as their own matrix, with its cell offsets. */
function compactPeriods(counts: CsrMatrix, cells: CellIndex, periods: readonly number[], k: number, displayId: Int32Array, topN: number): PeriodTermsArgs {
  const { cellStart, order } = cells;
  let rows = 0;
  let nnz = 0;
  for (const p of periods) {
    for (let o = cellStart[p * k]!; o < cellStart[(p + 1) * k]!; o++) nnz += counts.indptr[order[o]! + 1]! - counts.indptr[order[o]!]!;
    rows += cellStart[(p + 1) * k]! - cellStart[p * k]!;
  }
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  const starts = new Int32Array(periods.length * k + 1);
  let r = 0;
  let at = 0;
  periods.forEach((p, q) => {
    for (let c = 0; c < k; c++) {
      starts[q * k + c] = r;
      for (let o = cellStart[p * k + c]!; o < cellStart[p * k + c + 1]!; o++) {
        const doc = order[o]!;
        const from = counts.indptr[doc]!;
        const to = counts.indptr[doc + 1]!;
        indices.set(counts.indices.subarray(from, to), at);
        data.set(counts.data.subarray(from, to), at);
        at += to - from;
        indptr[++r] = at;
      }
    }
  });
  starts[periods.length * k] = r;
  return { counts: { rows, cols: counts.cols, indptr, indices, data }, order: null, cellStart: starts, periods: Int32Array.from(periods), k, displayId, topN };
}

/**
 * The first `topN` distinct display forms of a cell's terms (tf[i] is the count of terms[i]) ranked
 * by w = tf · idf (descending, ties by term id), as term ids into out[at …]. A cell has thousands
 * of terms and needs five: the best `4 · topN` are kept by insertion into a short sorted list, and
 * only when duplicate display forms use them all up is the whole cell sorted. Either way the
 * result is that of a full sort.
 */
function topCellTerms(terms: Int32Array, tf: Float64Array, idf: Float64Array, formOf: FormOf, topN: number, out: Int32Array, at: number): void {
  if (topN === 0) return;
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
  // Writes the first topN distinct forms of `ranked` (two keys can share a display form; it is shown once).
  const pick = (ranked: ArrayLike<number>, count: number): number => {
    const seen = new Set<unknown>();
    let n = 0;
    for (let i = 0; i < count && n < topN; i++) {
      const form = formOf(ranked[i]!);
      if (seen.has(form)) continue;
      seen.add(form);
      out[at + n++] = ranked[i]!;
    }
    return n;
  };
  if (pick(bestT, size) >= topN || positive <= size) return;
  const scored: { t: number; w: number }[] = [];
  for (let i = 0; i < terms.length; i++) if (tf[i]! > 0) scored.push({ t: terms[i]!, w: tf[i]! * idf[terms[i]!]! });
  scored.sort((a, b) => b.w - a.w || a.t - b.t);
  pick(
    scored.map((x) => x.t),
    scored.length,
  );
}
