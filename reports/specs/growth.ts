// Rising and falling topics: growth (log2 of recent share over baseline share) per topic, with
// the significance z in the tooltip and faded bars where |z| < 2 (a change that may be noise).

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from '../model.ts';
import { BASE_CONFIG, CHART_WIDTH, FALLING_COLOR, FOCUS_PARAM, RISING_COLOR, SCHEMA, focusTest, rankedTopics, round, topicNames } from './common.ts';

export const SIGNIFICANT_Z = 2;

export function hasGrowth(model: ReportModel): boolean {
  return model.topics.some((t) => t.trend !== undefined);
}

export function growthSpec(model: ReportModel): TopLevelSpec {
  if (!hasGrowth(model)) throw new Error('growthSpec: no topic has trend statistics (topics[].trend)');
  const names = topicNames(model);
  const values = rankedTopics(model)
    .filter((t) => t.trend !== undefined)
    .map((t) => ({
      topic: names.get(t.id)!,
      k: t.id,
      growth: round(t.trend!.growth),
      z: round(t.trend!.z, 3),
      recent: round(t.trend!.recentShare),
      baseline: round(t.trend!.baselineShare),
      direction: t.trend!.growth >= 0 ? 'rising' : 'falling',
      significant: Math.abs(t.trend!.z) >= SIGNIFICANT_Z ? 'yes' : 'no',
    }))
    .sort((a, b) => b.growth - a.growth || (a.topic < b.topic ? -1 : 1));
  return {
    $schema: SCHEMA,
    title: { text: 'Rising and falling topics', subtitle: `Change of share, recent window against baseline (log2); faded bars: |z| < ${SIGNIFICANT_Z}` },
    description: 'Bar chart of each topic\'s change in share of papers between the baseline and the recent window, on a log2 scale; bars to the right are rising topics, to the left falling ones.',
    width: CHART_WIDTH - 220,
    height: { step: 18 },
    config: BASE_CONFIG,
    params: [FOCUS_PARAM],
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'topic', type: 'nominal', sort: { field: 'growth', order: 'descending' }, axis: { title: 'Topic' } },
      x: { field: 'growth', type: 'quantitative', axis: { title: 'Growth (log2 recent share / baseline share)' } },
      color: {
        field: 'direction',
        type: 'nominal',
        scale: { domain: ['rising', 'falling'], range: [RISING_COLOR, FALLING_COLOR] },
        legend: { title: 'Direction' },
      },
      // Faint when |z| < SIGNIFICANT_Z (may be noise), fainter still when another topic is picked.
      opacity: {
        condition: [
          { test: `!(${focusTest()})`, value: 0.15 },
          { test: 'datum.significant === "no"', value: 0.35 },
        ],
        value: 1,
      },
      tooltip: [
        { field: 'topic', type: 'nominal', title: 'Topic' },
        { field: 'growth', type: 'quantitative', title: 'Growth (log2)', format: '+.2f' },
        { field: 'z', type: 'quantitative', title: 'z', format: '+.2f' },
        { field: 'baseline', type: 'quantitative', title: 'Baseline share', format: '.1%' },
        { field: 'recent', type: 'quantitative', title: 'Recent share', format: '.1%' },
      ],
    },
  };
}
