// Period × topic counts and shares: the data behind every trend chart.
//
// Shares, not counts, are the default view: a feed's volume swings (weekends, conference
// deadlines, a scraper outage), and a topic that keeps its share of a growing feed is not rising.

import type { CsrMatrix } from './types.ts';
import { assignPeriods, type CalendarPeriod, type DateResolution, type PeriodUnit } from './periods.ts';
import { detectBursts, type BurstOptions } from './bursts.ts';
import { topicGrowth, type GrowthOptions, type TopicGrowth } from './growth.ts';

export interface TrendPeriodTotals extends CalendarPeriod {
  total: number; // papers in the period (all topics); 0 for a gap
}

/** Counts and shares as typed arrays, periods × k row-major: cell (p, c) is [p * k + c]. */
export interface TrendCounts {
  unit: PeriodUnit;
  k: number;
  periods: TrendPeriodTotals[];
  periodIndex: Int32Array; // period of each document (input order)
  counts: Int32Array; // papers of topic c in period p
  totals: Int32Array; // papers in period p
  shares: Float64Array; // counts / totals; 0 for an empty period
}

export interface TrendTableOptions {
  unit?: PeriodUnit; // default: chosen from the span (choosePeriodUnit)
  dateResolution?: DateResolution; // default 'day'
}

/**
 * Counts papers per (period, topic). Every period between the first and last date is kept,
 * empty ones included (a gap, total 0, share 0), so a chart's x axis is the calendar.
 */
export function computeTrendTable(
  dates: readonly string[],
  labels: Int32Array,
  k: number,
  opts: TrendTableOptions = {},
): TrendCounts {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (dates.length !== labels.length) {
    throw new RangeError(`dates (${dates.length}) and labels (${labels.length}) must have the same length`);
  }
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= k) throw new RangeError(`label of document ${i} is ${c}; expected 0..${k - 1}`);
  }
  const a = assignPeriods(dates, opts);
  const nP = a.periods.length;
  const counts = new Int32Array(nP * k);
  const totals = new Int32Array(nP);
  for (let i = 0; i < labels.length; i++) {
    const p = a.periodIndex[i]!;
    counts[p * k + labels[i]!]! += 1;
    totals[p]! += 1;
  }
  const shares = new Float64Array(nP * k);
  for (let p = 0; p < nP; p++) {
    const t = totals[p]!;
    if (t === 0) continue;
    for (let c = 0; c < k; c++) shares[p * k + c] = counts[p * k + c]! / t;
  }
  const periods = a.periods.map((q, p) => ({ ...q, total: totals[p]! }));
  return { unit: a.unit, k, periods, periodIndex: a.periodIndex, counts, totals, shares };
}

/** The count series of one topic (length = periods). */
export function topicCounts(t: TrendCounts, topic: number): Int32Array {
  const out = new Int32Array(t.periods.length);
  for (let p = 0; p < out.length; p++) out[p] = t.counts[p * t.k + topic]!;
  return out;
}

/** Growth, significance and bursts of one topic; burst ends are period keys. */
export interface TopicTrendStats extends TopicGrowth {
  bursts: { start: string; end: string; weight: number }[];
  burstingNow: boolean; // a burst runs through the last period with papers ("emerging")
}

export interface TopicTrendOptions {
  growth?: GrowthOptions;
  bursts?: BurstOptions;
}

/**
 * Per-topic trend statistics in the shape of reports/model.ts TopicTrend (plus `burstingNow`).
 * Bursts are detected on each topic's r_t of d_t over all periods, gaps included (they cost
 * nothing in either state).
 */
export function summarizeTopicTrends(t: TrendCounts, opts: TopicTrendOptions = {}): TopicTrendStats[] {
  const growth = topicGrowth(t.counts, t.totals, t.k, {
    ...opts.growth,
    partialLast: opts.growth?.partialLast ?? (t.periods.length > 0 && t.periods[t.periods.length - 1]!.partial),
  });
  let lastWithPapers = -1;
  for (let p = t.periods.length - 1; p >= 0; p--) {
    if (t.totals[p]! > 0) {
      lastWithPapers = p;
      break;
    }
  }
  const out: TopicTrendStats[] = [];
  for (let c = 0; c < t.k; c++) {
    const runs = detectBursts(topicCounts(t, c), t.totals, opts.bursts);
    out.push({
      ...growth.topics[c]!,
      bursts: runs.map((b) => ({ start: t.periods[b.start]!.key, end: t.periods[b.end]!.key, weight: b.weight })),
      burstingNow: runs.some((b) => b.end >= lastWithPapers),
    });
  }
  return out;
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
 * Ties break by term id, so the output does not depend on document order.
 */
export function periodTopTerms(
  counts: CsrMatrix,
  labels: Int32Array,
  periodIndex: Int32Array,
  k: number,
  nPeriods: number,
  display: string[],
  topN = 5,
): string[][][] {
  const nDocs = counts.rows;
  if (labels.length !== nDocs || periodIndex.length !== nDocs) {
    throw new RangeError(`labels (${labels.length}) and periodIndex (${periodIndex.length}) must have one entry per row of counts (${nDocs})`);
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!Number.isInteger(nPeriods) || nPeriods < 0) throw new RangeError(`nPeriods must be an integer >= 0, got ${nPeriods}`);
  if (!Number.isInteger(topN) || topN < 0) throw new RangeError(`topN must be an integer >= 0, got ${topN}`);
  if (display.length < counts.cols) throw new RangeError(`display has ${display.length} terms; counts has ${counts.cols} columns`);

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
  const order = new Int32Array(nDocs);
  const fill = cellStart.slice(0, nCells);
  for (let i = 0; i < nDocs; i++) order[fill[periodIndex[i]! * k + labels[i]!]!++] = i;

  // One pass over each period's documents, cell by cell: a cell's term sums are kept as a short
  // (term, count) list, and the period's f_t is the sum of its cells' lists. Counts are whole
  // numbers, so f_t is exact in any grouping (an earlier version read every entry twice).
  const V = counts.cols;
  const { indptr, indices, data } = counts; // locals: the loop below runs once per stored entry
  const periodFreq = new Float64Array(V); // f_t within the period
  const cellFreq = new Float64Array(V); // tf(t, c) within the cell
  const periodIdf = new Float64Array(V); // log(1 + A / f_t) for the period's terms
  const touchedPeriod: number[] = [];
  const touchedCell = new Int32Array(V); // the cell's terms, touchedCell[0, nCell)
  let listTerms = new Int32Array(1024); // the period's cell lists, back to back
  let listFreq = new Float64Array(1024);
  const listStart = new Int32Array(k + 1);
  const out: string[][][] = Array.from({ length: k }, () => Array.from({ length: nPeriods }, () => [] as string[]));

  for (let p = 0; p < nPeriods; p++) {
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
      if (used + nCell > listTerms.length) {
        const cap = Math.max(2 * listTerms.length, used + nCell);
        const t2 = new Int32Array(cap);
        t2.set(listTerms.subarray(0, used));
        listTerms = t2;
        const f2 = new Float64Array(cap);
        f2.set(listFreq.subarray(0, used));
        listFreq = f2;
      }
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
    if (words > 0) {
      const A = words / topicsPresent;
      // log(1 + A / f_t) once per term of the period, not once per (topic, term).
      for (const t of touchedPeriod) periodIdf[t] = Math.log(1 + A / periodFreq[t]!);
      for (let c = 0; c < k; c++) {
        const from = listStart[c]!;
        const to = listStart[c + 1]!;
        out[c]![p] = topCellTerms(listTerms.subarray(from, to), listFreq.subarray(from, to), periodIdf, display, topN);
      }
    }
    for (const t of touchedPeriod) periodFreq[t] = 0;
    touchedPeriod.length = 0;
  }
  return out;
}

/**
 * The first `topN` distinct display forms of a cell's terms (tf[i] is the count of terms[i]) ranked by w = tf · idf (descending,
 * ties by term id). A cell has thousands of terms and needs five: the best `4 · topN` are kept
 * by insertion into a short sorted list, and only when duplicate display forms use them all up
 * is the whole cell sorted. Either way the result is that of a full sort.
 */
function topCellTerms(terms: Int32Array, tf: Float64Array, idf: Float64Array, display: string[], topN: number): string[] {
  if (topN === 0) return [];
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
  const pick = (ranked: ArrayLike<number>, count: number): string[] => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count && out.length < topN; i++) {
      const form = display[ranked[i]!]!;
      if (seen.has(form)) continue; // two keys can share a display form; show it once
      seen.add(form);
      out.push(form);
    }
    return out;
  };
  const terms1 = pick(bestT, size);
  if (terms1.length >= topN || positive <= size) return terms1;
  const scored: { t: number; w: number }[] = [];
  for (let i = 0; i < terms.length; i++) if (tf[i]! > 0) scored.push({ t: terms[i]!, w: tf[i]! * idf[terms[i]!]! });
  scored.sort((a, b) => b.w - a.w || a.t - b.t);
  return pick(scored.map((x) => x.t), scored.length);
}
