// Topic × period heatmap of share: every topic (not only the top N), one row each, largest at
// the top. Cells of partial periods are drawn fainter.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { BASE_CONFIG, CHART_WIDTH, SCHEMA, dayMs, nextDay, periodsByKey, rankedTopics, round, timeAxis, timeScale, topicNames } from './common.ts';

export function heatmapSpec(model: ReportModel): TopLevelSpec {
  const names = topicNames(model);
  const rankOf = new Map(rankedTopics(model).map((t, i) => [t.id, i]));
  const periods = periodsByKey(model);
  const counts = new Map<string, { period: string; topic: number; count: number }>();
  for (const row of model.trends.rows) {
    if (!rankOf.has(row.topic) || !periods.has(row.period)) continue;
    const key = `${row.period}\u0000${row.topic}`;
    const cell = counts.get(key) ?? { period: row.period, topic: row.topic, count: 0 };
    cell.count += row.count;
    counts.set(key, cell);
  }
  const values = [...counts.values()]
    .filter((c) => periods.get(c.period)!.total > 0)
    .map((c) => {
      const p = periods.get(c.period)!;
      return {
        period: p.key,
        start: dayMs(p.start),
        end: dayMs(nextDay(p.end)),
        topic: names.get(c.topic)!,
        rank: rankOf.get(c.topic)!,
        count: c.count,
        share: round(c.count / p.total),
        coverage: p.partial ? 'partial period' : 'full period',
      };
    })
    .sort((a, b) => a.start - b.start || a.rank - b.rank);
  const topicCount = rankOf.size;
  return {
    $schema: SCHEMA,
    title: { text: 'Topic share by period', subtitle: `Share of all papers per ${model.trends.unit}; faint cells are partial periods` },
    description: `Heatmap with one row per topic and one column per ${model.trends.unit}; darker cells mean a larger share of that period's papers.`,
    width: CHART_WIDTH - 160,
    height: Math.max(60, topicCount * 16),
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'rect', tooltip: true, aria: false }, // per-cell ARIA labels: too many; the description covers it
    encoding: {
      x: { field: 'start', type: 'temporal', scale: timeScale(model), axis: timeAxis(model, `Period (${model.trends.unit})`) },
      x2: { field: 'end' },
      y: { field: 'topic', type: 'nominal', sort: { field: 'rank', order: 'ascending' }, axis: { title: 'Topic' } },
      color: { field: 'share', type: 'quantitative', scale: { scheme: 'viridis', reverse: true }, legend: { title: 'Share', format: '.0%' } },
      opacity: {
        field: 'coverage',
        type: 'ordinal',
        sort: ['full period', 'partial period'],
        scale: { domain: ['full period', 'partial period'], range: [1, 0.45] },
        legend: { title: 'Coverage' },
      },
      tooltip: [
        { field: 'period', type: 'nominal', title: 'Period' },
        { field: 'topic', type: 'nominal', title: 'Topic' },
        { field: 'share', type: 'quantitative', title: 'Share', format: '.1%' },
        { field: 'count', type: 'quantitative', title: 'Papers' },
        { field: 'coverage', type: 'nominal', title: 'Coverage' },
      ],
    },
  };
}
