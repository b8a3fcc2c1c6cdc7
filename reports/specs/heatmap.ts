// Topic × period heatmap of share: every topic (not only the top N), one row each, largest at
// the top. Cells of partial periods are drawn fainter. With weekly periods this is thousands of
// cells, so a cell carries only numbers (period index `i`, topic id `k`, count, share) and the
// period and topic names come from two small lookup tables.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import {
  BASE_CONFIG,
  CHART_WIDTH,
  FOCUS_PARAM,
  SCHEMA,
  dayMs,
  focusTest,
  nextDay,
  rankedTopics,
  round,
  sortedPeriods,
  timeAxis,
  timeScale,
  topicNames,
} from './common.ts';

export function heatmapSpec(model: ReportModel): TopLevelSpec {
  const names = topicNames(model);
  const ranked = rankedTopics(model);
  const rankOf = new Map(ranked.map((t, i) => [t.id, i]));
  const periods = sortedPeriods(model).filter((p) => p.total > 0);
  const indexOf = new Map(periods.map((p, i) => [p.key, i]));
  const counts = new Map<string, { i: number; k: number; c: number }>();
  for (const row of model.trends.rows) {
    const i = indexOf.get(row.period);
    if (!rankOf.has(row.topic) || i === undefined) continue;
    const key = `${i}\u0000${row.topic}`;
    const cell = counts.get(key) ?? { i, k: row.topic, c: 0 };
    cell.c += row.count;
    counts.set(key, cell);
  }
  const values = [...counts.values()]
    .filter((c) => c.c > 0) // an empty cell is the background colour anyway
    .sort((a, b) => a.i - b.i || rankOf.get(a.k)! - rankOf.get(b.k)!)
    .map((c) => ({ ...c, s: round(c.c / periods[c.i]!.total, 4) }));
  const periodTable = periods.map((p, i) => ({
    i,
    period: p.key,
    start: dayMs(p.start),
    end: dayMs(nextDay(p.end)),
    coverage: p.partial ? 'partial period' : 'full period',
  }));
  const topicTable = ranked.map((t, rank) => ({ k: t.id, topic: names.get(t.id)!, rank }));
  const unit = model.trends.unit;
  return {
    $schema: SCHEMA,
    title: { text: 'Topic share by period', subtitle: `Share of all papers per ${unit}; pale cells are partial periods; blank cells have no papers` },
    description: `Heatmap with one row per topic and one column per ${unit}; darker cells mean a larger share of that period's papers.`,
    width: CHART_WIDTH - 160,
    height: Math.max(60, ranked.length * 16),
    config: BASE_CONFIG,
    params: [FOCUS_PARAM],
    data: { values },
    transform: [
      { lookup: 'i', from: { data: { values: periodTable }, key: 'i', fields: ['period', 'start', 'end', 'coverage'] } },
      { lookup: 'k', from: { data: { values: topicTable }, key: 'k', fields: ['topic', 'rank'] } },
    ],
    mark: { type: 'rect', tooltip: true, aria: false }, // per-cell ARIA labels: too many; the description covers it
    encoding: {
      x: { field: 'start', type: 'temporal', scale: timeScale(model), axis: timeAxis(model, `Period (${unit})`) },
      x2: { field: 'end' },
      y: { field: 'topic', type: 'nominal', sort: { field: 'rank', order: 'ascending' }, axis: { title: 'Topic' } },
      color: { field: 's', type: 'quantitative', scale: { scheme: 'viridis', reverse: true }, legend: { title: 'Share', format: '.0%' } },
      // Faded when another topic is picked; pale when the period is partial (first match wins).
      opacity: {
        condition: [
          { test: `!(${focusTest()})`, value: 0.2 },
          { test: 'datum.coverage === "partial period"', value: 0.45 },
        ],
        value: 1,
      },
      tooltip: [
        { field: 'period', type: 'nominal', title: 'Period' },
        { field: 'topic', type: 'nominal', title: 'Topic' },
        { field: 's', type: 'quantitative', title: 'Share', format: '.1%' },
        { field: 'c', type: 'quantitative', title: 'Papers' },
        { field: 'coverage', type: 'nominal', title: 'Coverage' },
      ],
    },
  };
}
