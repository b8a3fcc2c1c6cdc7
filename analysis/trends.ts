// Period × topic counts and shares: the data behind every trend chart.
//
// Shares, not counts, are the default view: a feed's volume swings (weekends, conference
// deadlines, a scraper outage), and a topic that keeps its share of a growing feed is not rising.

import { assignPeriods, type CalendarPeriod, type DateResolution, type PeriodUnit } from './periods.ts';
import { detectBursts, type BurstOptions } from './bursts.ts';
import { topicGrowth, type GrowthOptions, type TopicGrowth } from './growth.ts';

// Topic vocabulary over time lives in its own module; exported here too, beside the other trends.
export { periodTopTerms } from './period-terms.ts';

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
