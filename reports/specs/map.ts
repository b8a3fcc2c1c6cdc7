// The 2-D map of papers (model.map, already sampled by the pipeline), coloured by topic. The
// axes are projection coordinates with no unit of their own, so only their titles are shown.
// The data is the bulk of the report, so it is kept lean: coordinates on a grid of ~1/4000 of
// their range, titles cut to 100 characters, and the topic as a number `k` whose display name
// comes from a small lookup table instead of being repeated on every point.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import {
  BASE_CONFIG,
  CHART_WIDTH,
  FOCUS_PARAM,
  FOCUS_SIGNAL,
  OTHER_LABEL,
  SCHEMA,
  coordinateRounder,
  focusOpacity,
  rankedTopics,
  resolveTopN,
  shortTitle,
  topicLegend,
  type ChartOptions,
} from './common.ts';

export const MAP_TITLE_CHARS = 100;

export function mapSpec(model: ReportModel, options?: ChartOptions): TopLevelSpec {
  const legend = topicLegend(model, resolveTopN(options));
  const rankOf = new Map(legend.domain.map((name, i) => [name, i]));
  const known = new Set(model.topics.map((t) => t.id));
  const rx = coordinateRounder(model.map.map((p) => p.x));
  const ry = coordinateRounder(model.map.map((p) => p.y));
  // Drawing order (which point lies on top) must not depend on input order: "other topics"
  // first so the named topics are drawn over the grey, then by rank, then by paper id.
  const rank = (topic: number) => {
    const name = legend.nameOf(topic);
    return name === OTHER_LABEL ? -1 : rankOf.get(name)!;
  };
  const values = model.map
    .filter((p) => known.has(p.topic))
    .sort((a, b) => rank(a.topic) - rank(b.topic) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((p) => ({ x: rx(p.x), y: ry(p.y), k: p.topic, p: shortTitle(p.title || p.id, MAP_TITLE_CHARS) }));
  const topics = rankedTopics(model).map((t) => ({ k: t.id, topic: legend.nameOf(t.id) }));
  return {
    $schema: SCHEMA,
    title: { text: 'Map of papers', subtitle: `${values.length.toLocaleString('en-US')} sampled papers placed by text similarity, coloured by topic; hover for titles` },
    description: `Scatter plot of ${values.length} sampled papers in two dimensions; nearby papers have similar text. Colour shows the topic.`,
    width: CHART_WIDTH - 120,
    height: 420,
    config: BASE_CONFIG,
    params: [FOCUS_PARAM],
    data: { values },
    transform: [{ lookup: 'k', from: { data: { values: topics }, key: 'k', fields: ['topic'] } }],
    // aria: false: thousands of per-point ARIA labels would bloat the SVG and drown a screen
    // reader; the chart's description speaks for it.
    mark: { type: 'circle', tooltip: true, aria: false },
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { zero: false }, axis: { title: 'Map dimension 1', labels: false, ticks: false, grid: false } },
      y: { field: 'y', type: 'quantitative', scale: { zero: false }, axis: { title: 'Map dimension 2', labels: false, ticks: false, grid: false } },
      color: {
        field: 'topic',
        type: 'nominal',
        scale: { domain: legend.domain, range: legend.range },
        legend: { title: 'Topic', symbolOpacity: 1 },
      },
      opacity: focusOpacity(0.75, 0.06),
      // The picked topic's points grow, so even the pale palette colours stand out.
      size: { condition: { test: `${FOCUS_SIGNAL} !== null && datum.k === ${FOCUS_SIGNAL}`, value: 40 }, value: 16 },
      tooltip: [
        { field: 'p', type: 'nominal', title: 'Paper' },
        { field: 'topic', type: 'nominal', title: 'Topic' },
      ],
    },
  };
}
