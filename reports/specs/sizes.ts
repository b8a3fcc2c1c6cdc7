// Cluster sizes: one horizontal bar per topic, largest at the top, topic names on the axis.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { BASE_CONFIG, CHART_WIDTH, OTHER_COLOR, SCHEMA, rankedTopics, resolveTopN, round, topicColors, topicNames, type ChartOptions } from './common.ts';

export function sizesSpec(model: ReportModel, options?: ChartOptions): TopLevelSpec {
  const topN = resolveTopN(options);
  const names = topicNames(model);
  const colors = topicColors(model);
  const ranked = rankedTopics(model);
  // Every topic gets its own bar; only the top N keep their colour, so colours agree with the
  // other charts, where the rest are grouped as "other topics".
  const values = ranked.map((t, rank) => ({
    topic: names.get(t.id)!,
    id: t.id,
    rank,
    size: t.size,
    share: round(t.share),
    color: rank < topN ? colors.get(t.id)! : OTHER_COLOR,
  }));
  return {
    $schema: SCHEMA,
    title: { text: 'Topic sizes', subtitle: `Papers per topic (${ranked.length} topics)` },
    description: `Horizontal bar chart of the number of papers in each of the ${ranked.length} topics, largest first.`,
    width: CHART_WIDTH - 220,
    height: { step: 18 },
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: {
        field: 'topic',
        type: 'nominal',
        sort: { field: 'rank', order: 'ascending' },
        axis: { title: 'Topic' },
      },
      x: { field: 'size', type: 'quantitative', axis: { title: 'Papers' } },
      color: { field: 'color', type: 'nominal', scale: null, legend: null },
      tooltip: [
        { field: 'topic', type: 'nominal', title: 'Topic' },
        { field: 'id', type: 'nominal', title: 'Topic id' },
        { field: 'size', type: 'quantitative', title: 'Papers' },
        { field: 'share', type: 'quantitative', title: 'Share', format: '.1%' },
      ],
    },
  };
}
