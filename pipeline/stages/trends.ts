// Stage 7: assignments + dates → share of all papers per topic per calendar period, growth of
// each topic against a baseline, bursts, and each topic's vocabulary per period.
import type { DateResolution } from '../../analysis/periods.ts';
import { computeTrendTable, periodTopTerms, summarizeTopicTrends, type TopicTrendStats } from '../../analysis/trends.ts';
import type { TrendTable } from '../../reports/model.ts';
import type { Config } from '../config.ts';
import type { Stage } from '../stage.ts';
import { sharedWorkerPool } from '../workers/shared-pool.ts';
import { poolableMatrix } from '../../analysis/parallel/shared.ts';
import { buildTrendTable } from '../trend-table.ts';
import type { ClusterOutput } from './cluster.ts';
import type { IngestOutput } from './ingest.ts';
import type { VectorizeOutput } from './vectorize.ts';

export interface TrendsOutput {
  table: TrendTable;
  csv: string; // trends.csv, by cluster index (the report stage rewrites ids once topics are tracked)
  topics: TopicTrendStats[]; // per cluster index
  periodTerms: string[][][]; // [cluster][period] → top terms
  notes: string[]; // what a reader should know about the trends (shown in the report)
}

export const trendsStage: Stage<TrendsOutput> = {
  name: 'trends',
  deps: ['ingest', 'vectorize', 'cluster'],
  version: '2',
  configKey: (c: Config) => c.trends,
  async run(ctx) {
    const { papers } = ctx.input<IngestOutput>('ingest');
    const tfidf = ctx.input<VectorizeOutput>('vectorize');
    const { labels, k } = ctx.input<ClusterOutput>('cluster');
    const cfg = ctx.config.trends;
    const dates = papers.map((p) => p.date);
    // Year-dated sources (the State of the Union corpus) cover the whole year: a year period
    // holding them is complete, not partial.
    const dateResolution: DateResolution = papers.every((p) => p.extra?.dateResolution === 'year') ? 'year' : 'day';
    const counts = computeTrendTable(dates, labels, k, { unit: cfg.unit === 'auto' ? undefined : cfg.unit, dateResolution });
    const notes: string[] = [];
    const withPapers = counts.totals.reduce((n, t) => n + (t > 0 ? 1 : 0), 0);
    if (withPapers < 2) {
      notes.push(`All papers fall in one ${counts.unit} (${counts.periods[0]?.key ?? 'none'}): there is no trend to show, growth and bursts need at least two periods with papers.`);
      ctx.log.warn(notes[notes.length - 1]!);
    }
    const topics = summarizeTopicTrends(counts, { growth: { recentPeriods: cfg.recentPeriods } });
    const { table, csv } = buildTrendTable(counts);
    // Periods over the pool when the counts are large and in shared memory (the same answer).
    const pool = poolableMatrix(tfidf.counts) ? await sharedWorkerPool(ctx.config.workers) : undefined;
    const periodTerms = periodTopTerms(tfidf.counts, labels, counts.periodIndex, k, counts.periods.length, tfidf.display, 5, pool);
    ctx.log.info(`trends: ${counts.periods.length} ${counts.unit} periods, ${topics.reduce((s, t) => s + t.bursts.length, 0)} bursts`);
    return { table, csv, topics, periodTerms, notes };
  },
};
