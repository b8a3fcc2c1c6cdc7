// The 2-D map of papers (model.map, already sampled by the pipeline), coloured by topic. The
// axes are projection coordinates with no unit of their own, so only their titles are shown.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { BASE_CONFIG, CHART_WIDTH, OTHER_LABEL, SCHEMA, resolveTopN, round, topicLegend, type ChartOptions } from './common.ts';

export function mapSpec(model: ReportModel, options?: ChartOptions): TopLevelSpec {
  const legend = topicLegend(model, resolveTopN(options));
  const rankOf = new Map(legend.domain.map((name, i) => [name, i]));
  // Sorted by id so the drawing order (which point lies on top) does not depend on input order;
  // "other topics" first so the named topics are drawn over the grey.
  const values = [...model.map]
    .map((p) => ({ x: round(p.x), y: round(p.y), topic: legend.nameOf(p.topic), title: p.title, id: p.id }))
    .sort((a, b) => {
      const ra = a.topic === OTHER_LABEL ? -1 : rankOf.get(a.topic)!;
      const rb = b.topic === OTHER_LABEL ? -1 : rankOf.get(b.topic)!;
      return ra - rb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  return {
    $schema: SCHEMA,
    title: { text: 'Map of papers', subtitle: `${values.length} sampled papers placed by text similarity, coloured by topic` },
    description: `Scatter plot of ${values.length} sampled papers in two dimensions; nearby papers have similar text. Colour shows the topic.`,
    width: CHART_WIDTH - 120,
    height: 420,
    config: BASE_CONFIG,
    data: { values },
    // aria: false: thousands of per-point ARIA labels would bloat the SVG and drown a screen
    // reader; the chart's description speaks for it.
    mark: { type: 'circle', size: 18, opacity: 0.75, tooltip: true, aria: false },
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { zero: false }, axis: { title: 'Map dimension 1', labels: false, ticks: false, grid: false } },
      y: { field: 'y', type: 'quantitative', scale: { zero: false }, axis: { title: 'Map dimension 2', labels: false, ticks: false, grid: false } },
      color: {
        field: 'topic',
        type: 'nominal',
        scale: { domain: legend.domain, range: legend.range },
        legend: { title: 'Topic' },
      },
      tooltip: [
        { field: 'title', type: 'nominal', title: 'Paper' },
        { field: 'topic', type: 'nominal', title: 'Topic' },
      ],
    },
  };
}
