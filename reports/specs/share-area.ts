// Topic share over time: a stacked area of each top topic's share of all papers in the period
// (shares, not counts, because the feed's volume is uneven), the rest as "other topics".
// Partial periods (the data does not cover the whole period) are washed out so that a dip at
// the edge of the window is not read as a trend.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import {
  BASE_CONFIG,
  CHART_WIDTH,
  FOCUS_PARAM,
  OTHER_ID,
  OTHER_LABEL,
  focusOpacity,
  SCHEMA,
  dayMs,
  nextDay,
  periodMidMs,
  timeAxis,
  timeScale,
  periodsByKey,
  resolveTopN,
  round,
  sortedPeriods,
  topicLegend,
  type ChartOptions,
} from './common.ts';

interface ShareRow {
  period: string;
  t: number;
  topic: string;
  k: number; // topic id, OTHER_ID for the group
  rank: number;
  count: number;
  share: number;
  partial: boolean;
}

export function shareAreaSpec(model: ReportModel, options?: ChartOptions): TopLevelSpec {
  const topN = resolveTopN(options);
  const legend = topicLegend(model, topN);
  const rankOf = new Map(legend.domain.map((name, i) => [name, i]));
  const periods = periodsByKey(model);
  const idOf = new Map(legend.top.map((t) => [legend.nameOf(t.id), t.id]));
  const topIds = legend.top.map((t) => t.id);

  // Sum counts per (period, display topic); "other topics" collects everything outside the top N.
  const cells = new Map<string, ShareRow>();
  for (const row of model.trends.rows) {
    const period = periods.get(row.period);
    if (!period || period.total <= 0) continue; // a gap has no shares to draw
    const topic = legend.nameOf(row.topic);
    const key = `${row.period}\u0000${topic}`;
    const cell = cells.get(key) ?? {
      period: period.key,
      t: periodMidMs(period),
      topic,
      k: idOf.get(topic) ?? OTHER_ID,
      rank: rankOf.get(topic) ?? legend.domain.length,
      count: 0,
      share: 0,
      partial: period.partial,
    };
    cell.count += row.count;
    cells.set(key, cell);
  }
  // Every (period, topic) pair gets a value, or the stacked areas would interpolate across holes.
  for (const period of sortedPeriods(model)) {
    if (period.total <= 0) continue;
    for (const topic of legend.domain) {
      const key = `${period.key}\u0000${topic}`;
      if (!cells.has(key)) {
        cells.set(key, {
          period: period.key,
          t: periodMidMs(period),
          topic,
          k: idOf.get(topic) ?? OTHER_ID,
          rank: rankOf.get(topic)!,
          count: 0,
          share: 0,
          partial: period.partial,
        });
      }
    }
  }
  const values = [...cells.values()]
    .map((c) => ({ ...c, share: round(c.count / periods.get(c.period)!.total, 4) }))
    .sort((a, b) => a.t - b.t || a.rank - b.rank);

  const partialBands = sortedPeriods(model)
    .filter((p) => p.partial)
    .map((p) => ({ period: p.key, start: dayMs(p.start), end: dayMs(nextDay(p.end)), note: 'partial period: the data does not cover all of it' }));

  const unit = model.trends.unit;
  return {
    $schema: SCHEMA,
    title: {
      text: 'Topic share over time',
      subtitle: `Share of all papers per ${unit}; top ${legend.top.length} topics${legend.hasOther ? ` and ${OTHER_LABEL}` : ''}; pale bands are partial periods`,
    },
    description: `Stacked area chart of each topic's share of all papers per ${unit}, for the ${legend.top.length} largest topics${legend.hasOther ? ' and the remaining topics grouped' : ''}. Partial periods at the edges are shaded.`,
    width: CHART_WIDTH,
    height: 320,
    config: BASE_CONFIG,
    params: [FOCUS_PARAM],
    layer: [
      {
        data: { values },
        mark: { type: 'area', interpolate: 'monotone', tooltip: true },
        encoding: {
          x: {
            field: 't',
            type: 'temporal',
            scale: timeScale(model),
            axis: timeAxis(model, `Period (${unit}; values at mid-period)`),
          },
          y: {
            field: 'share',
            type: 'quantitative',
            stack: 'zero',
            scale: { domain: [0, 1] },
            axis: { title: 'Share of papers', format: '.0%' },
          },
          color: {
            field: 'topic',
            type: 'nominal',
            scale: { domain: legend.domain, range: legend.range },
            sort: legend.domain,
            legend: { title: 'Topic', symbolType: 'square' },
          },
          order: { field: 'rank', type: 'quantitative', sort: 'ascending' },
          opacity: focusOpacity(1, 0.2, topIds),
          tooltip: [
            { field: 'period', type: 'nominal', title: 'Period' },
            { field: 'topic', type: 'nominal', title: 'Topic' },
            { field: 'share', type: 'quantitative', title: 'Share', format: '.1%' },
            { field: 'count', type: 'quantitative', title: 'Papers' },
            { field: 'partial', type: 'nominal', title: 'Partial period' },
          ],
        },
      },
      // Pale bands over partial periods (left out when there are none: an empty layer makes vega warn).
      ...(partialBands.length === 0 ? [] : [{
        data: { values: partialBands },
        mark: { type: 'rect' as const, color: '#ffffff', opacity: 0.55, tooltip: true },
        encoding: {
          x: { field: 'start', type: 'temporal' as const },
          x2: { field: 'end' },
          tooltip: [
            { field: 'period', type: 'nominal' as const, title: 'Period' },
            { field: 'note', type: 'nominal' as const, title: 'Note' },
          ],
        },
      }]),
    ],
  };
}
