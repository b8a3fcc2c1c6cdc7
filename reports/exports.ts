// The export files other tools and editors read (DESIGN.md §4): clusters.json, clusters.csv,
// assignments.csv, trends.csv. Byte-stable: rows in a fixed order whatever order the model or the
// input listed them in, numbers rounded to 6 significant digits, fixed key order.
// ../shared/eval/score.py reads `id` (and `top_terms[].term`, `cluster`): keep those names.

import { type AssignmentRow, assignmentsCsvBlocks, byCodepoint, round6, toCsv } from './csv.ts';
import type { ReportModel, TopicSummary, TrendTable } from './model.ts';

// assignments.csv's rows are built in csv.ts (a helper thread runs that code: pipeline/assignments-behind.ts).
export { type AssignmentRow, assignmentsCsvBlocks, round6 } from './csv.ts';

/** Largest first, ties by id: the same order in every export and chart. */
function orderedTopics(model: ReportModel): TopicSummary[] {
  return [...model.topics].sort((a, b) => b.size - a.size || a.id - b.id);
}

function qualityObject(topic: TopicSummary): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const key of Object.keys(topic.quality).sort(byCodepoint)) {
    const value = topic.quality[key];
    if (value !== undefined) out[key] = round6(value);
  }
  return out;
}

function trendObject(topic: TopicSummary): Record<string, unknown> | null {
  const trend = topic.trend;
  if (!trend) return null;
  return {
    recent_share: round6(trend.recentShare),
    baseline_share: round6(trend.baselineShare),
    growth: round6(trend.growth),
    z: round6(trend.z),
    bursts: trend.bursts.map((b) => ({ start: b.start, end: b.end, weight: round6(b.weight) })),
  };
}

/** clusters.json: {"clusters":[{id, label, editor_label?, size, share, top_terms, representative, trend, quality}]} */
export function clustersJson(model: ReportModel): string {
  const clusters = orderedTopics(model).map((topic) => ({
    id: topic.id,
    label: topic.label,
    ...(topic.editorLabel !== undefined ? { editor_label: topic.editorLabel } : {}),
    size: topic.size,
    share: round6(topic.share),
    top_terms: topic.topTerms.map((t) => ({ term: t.term, weight: round6(t.weight) })),
    representative: topic.representative.map((p) => p.id),
    trend: trendObject(topic),
    quality: qualityObject(topic),
  }));
  return JSON.stringify({ clusters }, null, 2) + '\n';
}

/** clusters.csv: one row per topic, the terms and representative ids joined in one cell each. */
export function clustersCsv(model: ReportModel): string {
  const header = ['id', 'label', 'editor_label', 'size', 'share', 'growth', 'z', 'npmi', 'top_terms', 'representative'];
  const rows = orderedTopics(model).map((t) => [
    t.id,
    t.label,
    t.editorLabel ?? '',
    t.size,
    round6(t.share),
    t.trend ? round6(t.trend.growth) : '',
    t.trend ? round6(t.trend.z) : '',
    t.quality.npmi !== undefined ? round6(t.quality.npmi) : '',
    t.topTerms.slice(0, 10).map((w) => w.term).join('; '),
    t.representative.map((p) => p.id).join(' '),
  ]);
  return toCsv(header, rows);
}

/** assignments.csv: `id,cluster,label,score,date,title`, one row per paper, sorted by id. */
export function assignmentsCsv(rows: readonly AssignmentRow[]): string {
  return [...assignmentsCsvBlocks(rows)].join('');
}

/** trends.csv: `period,cluster,count,share,partial`, periods in time order, then cluster id. */
export function trendsCsv(trends: TrendTable): string {
  const start = new Map(trends.periods.map((p) => [p.key, p.start]));
  const sorted = [...trends.rows].sort(
    (a, b) => byCodepoint(start.get(a.period) ?? a.period, start.get(b.period) ?? b.period) || byCodepoint(a.period, b.period) || a.topic - b.topic,
  );
  return toCsv(
    ['period', 'cluster', 'count', 'share', 'partial'],
    sorted.map((r) => [r.period, r.topic, r.count, round6(r.share), r.partial]),
  );
}
