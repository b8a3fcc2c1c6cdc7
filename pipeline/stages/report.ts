// Stage 8: everything → the run folder: index.html, chart specs and static SVGs, the exports.
// It always runs: each run publishes its own folder.
//
// Most of its time is vega drawing ~40 charts. This thread compiles them (vega-lite); with 4+
// threads, worker threads draw them (vega; see renderWorkers: started first, so they load vega
// while the model is built) while this thread writes the exports; the page is assembled once
// every chart is in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PcaResult } from '../../analysis/pca.ts';
import { buildChartSpecs, drawCharts } from '../../reports/charts.ts';
import { ChartRenderer } from '../../reports/chart-renderer.ts';
import { clustersCsv, clustersJson, trendsCsv } from '../../reports/exports.ts';
import { renderReportHtml } from '../../reports/html.ts';
import { writeDuplicates, writeRejects } from '../ingest/rejects.ts';
import { buildReportModel } from '../report-model.ts';
import { topicHistories, withFromLabels } from '../topic-history.ts';
import { writeAssignmentsBehind } from '../assignments-behind.ts';
import type { Stage, StageContext } from '../stage.ts';
import { workerThreads } from '../workers/shared-pool.ts';
import type { ClusterOutput } from './cluster.ts';
import type { DescribeOutput } from './describe.ts';
import type { IngestOutput } from './ingest.ts';
import type { TrackOutput } from './track.ts';
import type { TrendsOutput } from './trends.ts';

export interface ReportOutput {
  files: string[];
}

export const reportStage: Stage<ReportOutput> = {
  name: 'report',
  deps: ['ingest', 'reduce', 'cluster', 'describe', 'track', 'trends'],
  version: '2',
  alwaysRun: true,
  configKey: (c) => ({ report: c.report, title: c.title }),
  async run(ctx) {
    const renderer = ChartRenderer.start(renderWorkers(workerThreads(process.env, ctx.config.workers)));
    try {
      return await writeReport(ctx, renderer);
    } finally {
      await renderer.close();
    }
  },
};

/**
 * Render workers for a run with `threads` threads (the calling thread included): none below 4
 * threads (charts are drawn in this thread), else one fewer than the threads, at most 3.
 * Measured on arXiv k=30 with 2 threads (shared 2-core machine), one render worker against
 * drawing here: report stage ~0.5 s more CPU (the worker imports vega and warms up again), peak
 * RSS of the run +140 MB (945 → 1087 MB: the worker's own heap, beside the idle pool workers),
 * wall no better. With 4+ cores the drawing (~1.2 s of CPU) splits over several workers while this
 * thread writes the exports; not measured here.
 */
export function renderWorkers(threads: number): number {
  return threads < 4 ? 0 : Math.min(threads - 1, 3);
}

async function writeReport(ctx: StageContext, renderer: ChartRenderer): Promise<ReportOutput> {
  const ingest = ctx.input<IngestOutput>('ingest');
  const cluster = ctx.input<ClusterOutput>('cluster');
  const describe = ctx.input<DescribeOutput>('describe');
  const track = ctx.input<TrackOutput>('track');
  // Stable ids everywhere (trends.csv, clusters.json, assignments.csv, charts), and the
  // editors' names where they gave one.
  const topicIds = track.ids;
  const model = buildReportModel({
    topicIds,
    editorLabels: new Map(track.editorLabels.map((l) => [l.id, l.label])),
    newPapers: ingest.archive?.inserted,
    lineage: track.lineage,
    died: track.died,
    config: ctx.config,
    runId: ctx.runId,
    createdAt: ctx.createdAt,
    timings: ctx.timings,
    ingest,
    pca: ctx.input<PcaResult>('reduce'),
    cluster,
    describe,
    trends: ctx.input<TrendsOutput>('trends'),
  });
  // History and the names of the topics tonight's came from live in the archive, not in the
  // stage artifacts: they decorate the page only (clusters.json stays a function of the data).
  const editorNames = new Map(track.editorLabels.map((l) => [l.id, l.label]));
  if (model.lineage) model.lineage = withFromLabels(model.lineage, ctx.store, track.previousRun ?? undefined, editorNames);
  const histories = topicHistories(ctx.store, model.topics.map((t) => t.id));
  for (const topic of model.topics) {
    const history = histories.get(topic.id);
    if (history?.length) topic.history = history;
  }
  const dir = ctx.runDir;
  // assignments.csv goes to a helper thread first, so that it is written while this one draws.
  mkdirSync(join(dir, 'charts'), { recursive: true });
  const labelOf = new Map(model.topics.map((t) => [t.id, t.editorLabel ?? t.label]));
  const papers = ingest.papers;
  const assignments = writeAssignmentsBehind(join(dir, 'assignments.csv'), {
    ids: papers.map((p) => p.id),
    clusters: Int32Array.from(cluster.labels, (label) => topicIds[label]!),
    labels: [...labelOf],
    scores: Float64Array.from(describe.docScores, round4),
    dates: papers.map((p) => p.date),
    titles: papers.map((p) => p.title),
  });
  assignments.catch(() => {}); // awaited below, once the charts are drawn
  const specs = buildChartSpecs(model, { topN: ctx.config.report.topTopics });
  // vega-lite loads here (the workers load vega meanwhile); drawCharts then compiles every chart
  // and hands it to a worker before it returns, and everything up to the await below runs
  // beside the drawing.
  await renderer.prepare();
  const drawing = drawCharts(specs, renderer);
  for (const chart of specs) writeFileSync(join(dir, 'charts', `${chart.name}.vl.json`), JSON.stringify(chart.spec, null, 2) + '\n');
  writeFileSync(join(dir, 'clusters.json'), clustersJson(model));
  writeFileSync(join(dir, 'clusters.csv'), clustersCsv(model));
  writeFileSync(join(dir, 'trends.csv'), trendsCsv(model.trends));
  writeFileSync(join(dir, 'lineage.json'), lineageJson(ctx.runId, track, labelOf));
  writeRejects(join(dir, 'rejects.jsonl'), ingest.rejects);
  writeDuplicates(join(dir, 'duplicates.jsonl'), ingest.duplicates);
  const charts = await drawing;
  for (const chart of charts) writeFileSync(join(dir, 'charts', `${chart.name}.svg`), chart.svg);
  writeFileSync(join(dir, 'index.html'), renderReportHtml(model, charts, { topN: ctx.config.report.topTopics }));
  await assignments;
  return { files: ['index.html', 'clusters.json', 'clusters.csv', 'trends.csv', 'assignments.csv', 'lineage.json', 'rejects.jsonl', 'duplicates.jsonl'] };
}

/**
 * lineage.json: {run, previous_run, lineage: [{id, label, status, from, similarity}], died:
 * [{id, label}]}, by id. Every id change is accounted for: a topic either continued (from = [its
 * own id]), merged (its id plus the absorbed ids), split off a parent or was born (a new id);
 * every previous id missing tonight is in `died` or in a merged topic's `from`.
 */
export function lineageJson(runId: string, track: TrackOutput, labels: Map<number, string>): string {
  const lineage = [...track.lineage]
    .sort((a, b) => a.id - b.id)
    .map((e) => ({ id: e.id, label: labels.get(e.id) ?? '', status: e.status, from: e.from, similarity: round4(e.similarity) }));
  return JSON.stringify({ run: runId, previous_run: track.previousRun, lineage, died: track.died }, null, 2) + '\n';
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
