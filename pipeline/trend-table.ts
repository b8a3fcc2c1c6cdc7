// The period × topic table for the report and trends.csv.
//
// The hot path (every night's trends stage) builds it from the typed-array counts of
// analysis/trends.ts: periods × k rows, one string per row, no dataframe. danfojs-node is the
// reference: checkTrendTableWithDanfo rebuilds the same table as a DataFrame, checks it with a
// groupby (per-period sums must equal the period totals, count / total must equal our shares)
// and compares danfojs's CSV with ours character for character. The tests run that check; the
// stage does not, because `import('danfojs-node')` alone takes 1.1–2.8 s here (3.2 s under tsx:
// it loads TensorFlow.js) and the check only re-derives numbers the stage already has.
// danfojs labels float columns float32 but keeps the JS doubles; shares are taken from our
// Float64Array, never read back from a frame.

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

/** Period key, cluster id, count, period total and partial flag of every row, period-major. */
function tableColumns(t: TrendCounts, opts: TrendTableOptions) {
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
  return { period, cluster, count, total, partial, share: Array.from(t.shares) };
}

/**
 * Builds the report's TrendTable and the rows and text of trends.csv from computed counts.
 * Throws if a period's counts do not add up to its total (a bug, not bad data).
 */
export function buildTrendTable(t: TrendCounts, opts: TrendTableOptions = {}): TrendTableResult {
  const { k, periods } = t;
  const nP = periods.length;
  const { period, cluster, count, partial, share } = tableColumns(t, opts);
  for (let p = 0; p < nP; p++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += t.counts[p * k + c]!;
    if (sum !== t.totals[p]) throw new Error(`trend table: period ${periods[p]!.key} sums to ${sum} in the counts, ${t.totals[p]} in the totals`);
  }
  const csvRows: TrendCsvRow[] = new Array(nP * k);
  const rows: TrendTable['rows'] = new Array(nP * k);
  // As danfojs's toCSV writes it (checkTrendTableWithDanfo compares the two): String() of each
  // value, no quoting (period keys are ISO dates, week or quarter keys), one '\n' after each row.
  const lines: string[] = new Array(nP * k + 1);
  lines[0] = TREND_CSV_COLUMNS.join(',');
  for (let j = 0; j < nP * k; j++) {
    csvRows[j] = { period: period[j]!, cluster: cluster[j]!, count: count[j]!, share: share[j]!, partial: partial[j]! };
    rows[j] = { period: period[j]!, topic: cluster[j]!, count: count[j]!, share: share[j]!, partial: partial[j]! };
    lines[j + 1] = `${period[j]},${cluster[j]},${count[j]},${share[j]},${partial[j]}`;
  }
  const table: TrendTable = {
    unit: t.unit,
    periods: periods.map((q) => ({ key: q.key, start: q.start, end: q.end, total: q.total, partial: q.partial })),
    rows,
  };
  return { table, csvRows, csv: lines.join('\n') + '\n' };
}

/**
 * The danfojs reference for buildTrendTable: the same table as a DataFrame, checked with a
 * groupby (per-period sums equal the period totals, gaps sum to 0), danfojs's own division
 * (count / total equals our shares) and its CSV writer (equals `result.csv`). Throws on the first
 * disagreement.
 */
export async function checkTrendTableWithDanfo(t: TrendCounts, result: TrendTableResult, opts: TrendTableOptions = {}): Promise<void> {
  const { k, periods } = t;
  const nP = periods.length;
  const { period, cluster, count, total, partial, share } = tableColumns(t, opts);
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

  // Check 3: the CSV text.
  const csv = dfd.toCSV(df) as string;
  if (csv !== result.csv) throw new Error('trend table: trends.csv differs from danfojs toCSV');
  for (let j = 0; j < nP * k; j++) {
    const r = result.csvRows[j]!;
    if (r.period !== period[j] || r.cluster !== cluster[j] || r.count !== count[j] || r.share !== share[j] || r.partial !== partial[j]) {
      throw new Error(`trend table: row ${j} differs from the danfojs frame`);
    }
  }
}
