// The report's chart list: which charts a model supports, in reading order, each with a file
// name (charts/<name>.vl.json / .svg) and a title. The pipeline's report stage writes these files
// and hands the same list to renderReportHtml.

import type { TopLevelSpec } from 'vega-lite';
import type { ReportModel } from './model.ts';
import { rankedTopics, resolveTopN, type ChartOptions } from './specs/common.ts';
import { growthSpec, hasGrowth } from './specs/growth.ts';
import { heatmapSpec } from './specs/heatmap.ts';
import { hasKCurve, kCurveSpec } from './specs/k-curve.ts';
import { mapSpec } from './specs/map.ts';
import { shareAreaSpec } from './specs/share-area.ts';
import { sizesSpec } from './specs/sizes.ts';
import { topicSmallMultiplesSpec, topicTrendSpec } from './specs/topic-small-multiples.ts';
import { topTermsSpec } from './specs/top-terms.ts';
import { ChartRenderer } from './chart-renderer.ts';

export interface ChartSpec {
  name: string; // file-safe: [a-z0-9-]
  title: string;
  spec: TopLevelSpec;
}

export interface RenderedChart extends ChartSpec {
  svg: string;
  /** The compiled Vega spec (JSON text) the page draws live; undefined when the spec did not compile. */
  compiled?: string;
}

/** Name of the chart drawn in a topic's own section. */
export function topicChartName(topicId: number): string {
  return `topic-${topicId}`;
}

export function buildChartSpecs(model: ReportModel, options?: ChartOptions): ChartSpec[] {
  const opts = { topN: resolveTopN(options) };
  const charts: ChartSpec[] = [];
  // A chart over time needs two periods with papers. With one (an undated corpus puts every paper
  // on the run's day) each would be a single point per topic, and the run's notes say there is no
  // trend: the growth, share, heatmap and per-topic charts are left out (~25 of them).
  const hasPeriods = model.trends.periods.filter((p) => p.total > 0).length >= 2;
  if (hasPeriods && hasGrowth(model)) charts.push({ name: 'growth', title: 'Rising and falling topics', spec: growthSpec(model) });
  if (hasPeriods) charts.push({ name: 'share-area', title: 'Topic share over time', spec: shareAreaSpec(model, opts) });
  charts.push({ name: 'sizes', title: 'Topic sizes', spec: sizesSpec(model, opts) });
  charts.push({ name: 'top-terms', title: 'Top terms per topic', spec: topTermsSpec(model, opts) });
  if (hasPeriods) {
    charts.push({ name: 'topic-small-multiples', title: 'Topic trends', spec: topicSmallMultiplesSpec(model, opts) });
    charts.push({ name: 'heatmap', title: 'Topic share by period', spec: heatmapSpec(model) });
  }
  if (model.map.length > 0) charts.push({ name: 'map', title: 'Map of papers', spec: mapSpec(model, opts) });
  if (hasKCurve(model)) charts.push({ name: 'k-curve', title: 'Choosing the number of topics', spec: kCurveSpec(model) });
  if (hasPeriods) {
    for (const topic of rankedTopics(model)) {
      charts.push({ name: topicChartName(topic.id), title: `Share over time: topic ${topic.id}`, spec: topicTrendSpec(model, topic.id, opts) });
    }
  }
  return charts;
}

/**
 * Specs plus their static SVG and compiled Vega spec, as the report stage writes them
 * (charts/<name>.vl.json, .svg) and hands them to renderReportHtml. A chart that fails to render
 * keeps an empty svg rather than costing the whole report (the live chart may still draw).
 * Drawn by `renderer` (its workers end afterwards); by default in the calling thread.
 */
export async function buildCharts(model: ReportModel, options?: ChartOptions, renderer: ChartRenderer = ChartRenderer.start(0)): Promise<RenderedChart[]> {
  return drawCharts(buildChartSpecs(model, options), renderer);
}

/** The drawings of specs already built (see buildCharts). */
export async function drawCharts(specs: ChartSpec[], renderer: ChartRenderer): Promise<RenderedChart[]> {
  const drawn = await renderer.draw(specs.map((c) => c.spec));
  return specs.map((c, i) => {
    const d = drawn[i]!;
    return { ...c, svg: d.svg, ...(d.compiled !== undefined ? { compiled: d.compiled } : {}) };
  });
}
