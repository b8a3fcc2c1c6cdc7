// Each topic's share over time as small multiples (one panel per topic, shared share axis so
// panels compare), with the topic's burst intervals shaded and partial periods marked by open
// circles. topicTrendSpec draws the same for one topic, for the topic's own section.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel, TopicSummary } from '../model.ts';
import {
  BASE_CONFIG,
  FOCUS_PARAM,
  FOCUS_SIGNAL,
  SCHEMA,
  dayMs,
  nextDay,
  periodMidMs,
  periodsByKey,
  resolveTopN,
  round,
  sortedPeriods,
  timeAxis,
  timeScale,
  topicLegend,
  type ChartOptions,
} from './common.ts';

// Neutral grey-blue bands: yellow would hide the palette's yellow topic.
const BURST_COLOR = '#c9d3df';

/** Rows of one combined data set: 'share' rows (one per period) and 'burst' rows (intervals). */
function trendRows(model: ReportModel, topic: TopicSummary, name: string): Record<string, unknown>[] {
  const k = topic.id;
  const counts = new Map<string, number>();
  for (const row of model.trends.rows) {
    if (row.topic === topic.id) counts.set(row.period, (counts.get(row.period) ?? 0) + row.count);
  }
  const rows: Record<string, unknown>[] = [];
  for (const period of sortedPeriods(model)) {
    if (period.total <= 0) continue; // gaps have no share
    const count = counts.get(period.key) ?? 0;
    rows.push({
      kind: 'share',
      topic: name,
      k,
      period: period.key,
      t: periodMidMs(period),
      count,
      share: round(count / period.total, 4),
      partial: period.partial,
    });
  }
  const periods = periodsByKey(model);
  for (const burst of topic.trend?.bursts ?? []) {
    const first = periods.get(burst.start);
    const last = periods.get(burst.end);
    if (!first || !last) continue; // a burst outside the window cannot be placed
    rows.push({
      kind: 'burst',
      topic: name,
      k,
      period: burst.start === burst.end ? burst.start : `${burst.start} – ${burst.end}`,
      start: dayMs(first.start),
      end: dayMs(nextDay(last.end)),
      weight: round(burst.weight),
    });
  }
  return rows;
}

/** The layers of one trend panel: burst bands under the share line, partial periods as open circles. */
function trendLayers(model: ReportModel, domain: string[], range: string[], withBursts: boolean, topIds?: number[]) {
  // Panels of topics other than the picked one fade (nothing fades when the pick is not drawn here).
  const opacity = topIds ? { condition: { test: `${FOCUS_SIGNAL} === null || indexof([${topIds.join(',')}], ${FOCUS_SIGNAL}) < 0 || datum.k === ${FOCUS_SIGNAL}`, value: 1 }, value: 0.15 } : undefined;
  const unit = model.trends.unit;
  const x = { field: 't', type: 'temporal' as const, scale: timeScale(model), axis: timeAxis(model, `Period (${unit})`) };
  const color = { field: 'topic', type: 'nominal' as const, scale: { domain, range }, legend: null };
  const shareTooltip = [
    { field: 'period', type: 'nominal' as const, title: 'Period' },
    { field: 'share', type: 'quantitative' as const, title: 'Share', format: '.1%' },
    { field: 'count', type: 'quantitative' as const, title: 'Papers' },
    { field: 'partial', type: 'nominal' as const, title: 'Partial period' },
  ];
  // The burst layer only when there are bursts: an empty layer makes vega warn about its extent.
  const burstLayer = {
      transform: [{ filter: { field: 'kind', equal: 'burst' } }],
      mark: { type: 'rect' as const, color: BURST_COLOR, opacity: 0.7, tooltip: true },
      encoding: {
        x: { field: 'start', type: 'temporal' as const, scale: timeScale(model), axis: timeAxis(model, `Period (${unit})`) },
        x2: { field: 'end' },
        ...(opacity ? { opacity: { condition: { ...opacity.condition, value: 0.7 }, value: 0.15 } } : {}),
        tooltip: [
          { field: 'period', type: 'nominal' as const, title: 'Burst' },
          { field: 'weight', type: 'quantitative' as const, title: 'Burst weight', format: '.2f' },
        ],
      },
    };
  return [
    ...(withBursts ? [burstLayer] : []),
    {
      transform: [{ filter: { field: 'kind', equal: 'share' } }],
      mark: { type: 'line' as const, interpolate: 'monotone' as const, strokeWidth: 2 },
      encoding: {
        x,
        y: { field: 'share', type: 'quantitative' as const, axis: { title: 'Share of papers', format: '.0%' } },
        color,
        ...(opacity ? { opacity } : {}),
      },
    },
    // Filled dots (merged into one path per panel in the static SVG), then hollow rings over the
    // partial periods: their share rests on part of a period only.
    {
      transform: [{ filter: { field: 'kind', equal: 'share' } }],
      // aria: false: a label per point (hundreds with weekly periods) would bloat the SVG; the
      // chart's description speaks for it and the table carries the numbers.
      mark: { type: 'circle' as const, size: 24, tooltip: true, aria: false },
      encoding: {
        x,
        y: { field: 'share', type: 'quantitative' as const },
        color,
        ...(opacity ? { opacity } : {}),
        tooltip: shareTooltip,
      },
    },
    {
      transform: [{ filter: { field: 'kind', equal: 'share' } }, { filter: { field: 'partial', equal: true } }],
      mark: { type: 'point' as const, size: 36, filled: true, fill: 'white', strokeWidth: 1.5, tooltip: true, aria: false },
      encoding: {
        x,
        y: { field: 'share', type: 'quantitative' as const },
        stroke: { field: 'topic', type: 'nominal' as const, scale: { domain, range }, legend: null },
        ...(opacity ? { opacity } : {}),
        tooltip: shareTooltip,
      },
    },
  ];
}

export function topicSmallMultiplesSpec(model: ReportModel, options?: ChartOptions): TopLevelSpec {
  const legend = topicLegend(model, resolveTopN(options));
  const values = legend.top.flatMap((topic) => trendRows(model, topic, legend.nameOf(topic.id)));
  return {
    $schema: SCHEMA,
    title: {
      text: 'Topic trends',
      subtitle: `Share of all papers per ${model.trends.unit} for the ${legend.top.length} largest topics; shaded bands are bursts, open circles partial periods`,
    },
    description: `Small line charts, one per topic, of the topic's share of all papers per ${model.trends.unit}. Shaded bands mark bursts of unusual activity.`,
    config: BASE_CONFIG,
    data: { values },
    facet: {
      field: 'topic',
      type: 'nominal',
      sort: legend.domain,
      header: { title: null, labelFontWeight: 'bold', labelAnchor: 'start' },
    },
    columns: 3,
    params: [FOCUS_PARAM],
    spec: { width: 190, height: 110, layer: trendLayers(model, legend.domain, legend.range, values.some((v) => v.kind === 'burst'), legend.top.map((t) => t.id)) },
  };
}

/** One topic's trend, for the topic's own section of the report. */
export function topicTrendSpec(model: ReportModel, topicId: number, options?: ChartOptions): TopLevelSpec {
  const legend = topicLegend(model, resolveTopN(options));
  const topic = model.topics.find((t) => t.id === topicId);
  if (!topic) throw new Error(`topicTrendSpec: no topic with id ${topicId}`);
  const name = legend.isTop.has(topicId) ? legend.nameOf(topicId) : (topic.editorLabel ?? topic.label);
  const domain = legend.isTop.has(topicId) ? legend.domain : [name];
  const range = legend.isTop.has(topicId) ? legend.range : [legend.range[legend.range.length - 1]!];
  const values = trendRows(model, topic, name);
  return {
    $schema: SCHEMA,
    title: { text: `Share over time: ${name}` },
    description: `Line chart of the share of all papers per ${model.trends.unit} in the topic "${name}"; shaded bands mark bursts.`,
    width: 420,
    height: 120,
    config: BASE_CONFIG,
    data: { values },
    layer: trendLayers(model, domain, range, values.some((v) => v.kind === 'burst')),
  };
}
