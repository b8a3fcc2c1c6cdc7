// The period × topic table for the report and trends.csv, built with danfojs-node.
//
// All danfojs use is kept in this file so it can be swapped out. Counts and shares are computed
// in typed arrays (analysis/trends.ts); danfojs gets the already aggregated cells (periods × k
// rows, not one row per paper: a million-row groupby takes seconds), checks them with a groupby
// (per-period sums must equal the period totals, count / total must equal our shares) and writes
// the CSV. danfojs labels float columns float32 but keeps the JS doubles; shares are still taken
// from our Float64Array, never read back from the frame.
//
// `import('danfojs-node')` takes 1.1–2.8 s here (3.2 s under tsx; it loads TensorFlow.js), so it is imported
// lazily, once, on first use: runs that skip the trends stage never pay for it.

import type { TrendTable } from '../reports/model.ts';
import type { TrendCounts } from '../analysis/trends.ts';

/** One line of trends.csv. `cluster` is the column name ../shared/eval tools read. */
export interface TrendCsvRow {
  period: string;
  cluster: number;
  count: number;
  share: number;
  partial: boolean;
}

export const TREND_CSV_COLUMNS = ['period', 'cluster', 'count', 'share', 'partial'] as const;

export interface TrendTableResult {
  table: TrendTable; // for reports/model.ts ReportModel.trends
  csvRows: TrendCsvRow[]; // period-major, topics ascending within a period
  csv: string; // trends.csv text, header first
}

export interface TrendTableOptions {
  topicIds?: ArrayLike<number>; // stable topic id of each cluster index (default: the index itself)
}

type Danfo = typeof import('danfojs-node');
let danfo: Promise<Danfo> | undefined;

/** Loads danfojs-node once and silences TensorFlow's development-mode banner. */
export function loadDanfo(): Promise<Danfo> {
  danfo ??= import('danfojs-node').then((dfd) => {
    const tf = (dfd as { tensorflow?: { enableProdMode?: () => void } }).tensorflow;
    if (typeof tf?.enableProdMode === 'function') tf.enableProdMode();
    return dfd;
  });
  return danfo;
}

/** Differences below this are float noise in a share (we compare doubles computed two ways). */
const SHARE_TOLERANCE = 1e-9;

/**
 * Builds the report's TrendTable and the rows and text of trends.csv from computed counts.
 * Throws if danfojs's aggregation disagrees with the typed-array counts (a bug, not bad data).
 */
export async function buildTrendTable(t: TrendCounts, opts: TrendTableOptions = {}): Promise<TrendTableResult> {
  const { k, periods } = t;
  const ids = opts.topicIds;
  if (ids !== undefined && ids.length !== k) throw new RangeError(`topicIds has ${ids.length} entries; expected k = ${k}`);
  const nP = periods.length;
  if (t.counts.length !== nP * k || t.totals.length !== nP || t.shares.length !== nP * k) {
    throw new RangeError('buildTrendTable: counts/totals/shares do not match periods × k');
  }
  const idOf = (c: number): number => (ids === undefined ? c : ids[c]!);

  const period: string[] = new Array(nP * k);
  const cluster: number[] = new Array(nP * k);
  const count: number[] = new Array(nP * k);
  const total: number[] = new Array(nP * k);
  const partial: boolean[] = new Array(nP * k);
  for (let p = 0; p < nP; p++) {
    for (let c = 0; c < k; c++) {
      const j = p * k + c;
      period[j] = periods[p]!.key;
      cluster[j] = idOf(c);
      count[j] = t.counts[j]!;
      total[j] = t.totals[p]!;
      partial[j] = periods[p]!.partial;
    }
  }

  const share = Array.from(t.shares);
  const dfd = await loadDanfo();
  // Columns in trends.csv order from the start: df.loc / addColumn cost seconds on 50k rows.
  const df = new dfd.DataFrame({ period, cluster, count, share, partial });

  // Check 1: per-period sums from a groupby equal the period totals (gaps sum to 0).
  const sums = df.groupby(['period']).col(['count']).sum();
  const sumOf = new Map<string, number>();
  const keys = sums.column('period').values as string[];
  const vals = sums.column('count_sum').values as number[];
  for (let i = 0; i < keys.length; i++) sumOf.set(keys[i]!, vals[i]!);
  for (let p = 0; p < nP; p++) {
    const got = sumOf.get(periods[p]!.key) ?? 0;
    if (got !== t.totals[p]) throw new Error(`trend table: period ${periods[p]!.key} sums to ${got} in danfojs, ${t.totals[p]} in the counts`);
  }

  // Check 2: share = count / period total, 0 for an empty period, computed by danfojs.
  const safeTotal = new dfd.Series(total.map((v) => (v === 0 ? 1 : v)));
  const dfShares = df.column('count').div(safeTotal).values as number[];
  for (let j = 0; j < nP * k; j++) {
    if (Math.abs(dfShares[j]! - t.shares[j]!) > SHARE_TOLERANCE) {
      throw new Error(`trend table: share of cluster ${cluster[j]} in ${period[j]} is ${dfShares[j]} in danfojs, ${t.shares[j]} in the counts`);
    }
  }

  const csv = dfd.toCSV(df) as string;

  const csvRows: TrendCsvRow[] = new Array(nP * k);
  const rows: TrendTable['rows'] = new Array(nP * k);
  for (let j = 0; j < nP * k; j++) {
    csvRows[j] = { period: period[j]!, cluster: cluster[j]!, count: count[j]!, share: share[j]!, partial: partial[j]! };
    rows[j] = { period: period[j]!, topic: cluster[j]!, count: count[j]!, share: share[j]!, partial: partial[j]! };
  }
  const table: TrendTable = {
    unit: t.unit,
    periods: periods.map((q) => ({ key: q.key, start: q.start, end: q.end, total: q.total, partial: q.partial })),
    rows,
  };
  return { table, csvRows, csv };
}
