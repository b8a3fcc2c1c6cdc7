// Assembles the ReportModel (reports/model.ts) from the stage outputs: the one place where
// cluster indexes become topic ids and documents become paper references.
import type { PcaResult } from '../analysis/pca.ts';
import { createRandom } from '../analysis/random.ts';
import type { MapPoint, ReportModel, RunFacts, TopicSummary, TrendTable } from '../reports/model.ts';
import type { Config } from './config.ts';
import { libraryVersions } from './manifest.ts';
import type { Paper } from './paper.ts';
import type { StageTiming } from './stage.ts';
import type { ClusterOutput } from './stages/cluster.ts';
import type { DescribeOutput } from './stages/describe.ts';
import type { IngestOutput } from './stages/ingest.ts';
import type { TrendsOutput } from './stages/trends.ts';

export interface ReportInputs {
  config: Config;
  runId: string;
  createdAt: string;
  timings: StageTiming[];
  ingest: IngestOutput;
  pca: PcaResult;
  cluster: ClusterOutput;
  describe: DescribeOutput;
  trends: TrendsOutput;
  /** Stable topic id of each cluster index (default: the index). */
  topicIds?: ArrayLike<number>;
  editorLabels?: Map<number, string>;
  newPapers?: number;
  notes?: string[];
  /** What happened to each topic since the last published run (track stage), by cluster index. */
  lineage?: readonly { id: number; status: 'continued' | 'born' | 'split' | 'merged'; from: readonly number[]; similarity: number }[];
  died?: readonly { id: number; label: string }[];
}

export function buildReportModel(inp: ReportInputs): ReportModel {
  const { ingest, cluster, describe, trends, config } = inp;
  const papers = ingest.papers;
  const idOf = (c: number) => (inp.topicIds ? inp.topicIds[c]! : c);
  const total = papers.length;

  const topics: TopicSummary[] = describe.topics.map((t) => {
    const trend = trends.topics[t.cluster];
    const id = idOf(t.cluster);
    return {
      id,
      label: t.label,
      editorLabel: inp.editorLabels?.get(id),
      size: t.size,
      share: t.size / total,
      topTerms: t.topTerms.map((x) => ({ term: x.term, weight: x.weight })),
      representative: t.representative.map((r) => paperRef(papers[r.doc]!, r.score)),
      quality: { ...t.quality },
      flags: t.flags?.length ? [...t.flags] : undefined,
      trend: trend && {
        recentShare: trend.recentShare,
        baselineShare: trend.baselineShare,
        growth: trend.growth,
        z: trend.z,
        bursts: trend.bursts,
      },
      periodTerms: trends.table.periods
        .map((p, i) => ({ period: p.key, terms: trends.periodTerms[t.cluster]?.[i] ?? [] }))
        .filter((x) => x.terms.length > 0),
    };
  });
  topics.sort((a, b) => b.size - a.size || a.id - b.id);

  const table: TrendTable = {
    ...trends.table,
    rows: trends.table.rows.map((r) => ({ ...r, topic: idOf(r.topic) })),
  };

  let minDate = papers[0]!.date;
  let maxDate = minDate;
  for (const p of papers) {
    if (p.date < minDate) minDate = p.date;
    if (p.date > maxDate) maxDate = p.date;
  }

  const facts: RunFacts = {
    runId: inp.runId,
    createdAt: inp.createdAt,
    papers: total,
    newPapers: inp.newPapers,
    inputs: ingest.perFile.map((f) => ({ file: f.file, read: f.read, accepted: f.accepted, duplicate: f.duplicate, rejected: f.rejected })),
    k: cluster.k,
    seed: config.seed,
    dateRange: [minDate, maxDate],
    versions: libraryVersions(),
    timings: inp.timings.map((t) => ({ stage: t.stage, seconds: t.seconds, peakRssMb: t.peakRssMb, skipped: t.skipped })),
    quality: describe.quality,
    kCurve: cluster.kCurve.length ? cluster.kCurve.map((p) => ({ ...p })) : undefined,
    explainedVariance: inp.pca.explainedVarianceRatio.reduce((s, v) => s + v, 0),
    notes: [...ingest.notes, ...(trends.notes ?? []), ...(describe.qualityNotes ?? []), ...(inp.notes ?? [])],
  };
  if (cluster.night) facts.model = { mode: cluster.night.mode, reason: cluster.night.reason };

  const model: ReportModel = {
    title: config.title,
    facts,
    topics,
    trends: table,
    map: mapPoints(inp.pca, cluster, papers, config.report.mapPoints, config.seed, idOf),
  };
  if (inp.lineage) {
    model.lineage = [...inp.lineage]
      .map((e) => ({ id: e.id, status: e.status, from: [...e.from], similarity: round4(e.similarity) }))
      .sort((a, b) => a.id - b.id);
  }
  if (inp.died) model.died = [...inp.died].map((d) => ({ id: d.id, label: d.label })).sort((a, b) => a.id - b.id);
  return model;
}

function paperRef(p: Paper, score?: number) {
  return { id: p.id, title: p.title || p.text.slice(0, 120), date: p.date, url: p.url, score };
}

/**
 * The first two principal components of a seeded sample of papers: a map of 75k points would
 * make the report tens of MB, and a few thousand show the structure as well.
 */
function mapPoints(pca: PcaResult, cluster: ClusterOutput, papers: Paper[], max: number, seed: number, idOf: (c: number) => number): MapPoint[] {
  const n = papers.length;
  const d = pca.nComponents;
  const chosen: number[] = [];
  if (n <= max) {
    for (let i = 0; i < n; i++) chosen.push(i);
  } else {
    const random = createRandom(seed ^ 0x5eed);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < max; i++) {
      const j = i + Math.floor(random() * (n - i));
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    chosen.push(...Array.from(idx.subarray(0, max)).sort((a, b) => a - b));
  }
  return chosen.map((i) => ({
    x: round4(pca.scores[i * d]!),
    y: round4(pca.scores[i * d + 1]!),
    topic: idOf(cluster.labels[i]!),
    title: papers[i]!.title || papers[i]!.text.slice(0, 100),
    id: papers[i]!.id,
  }));
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
