// What every section of the page needs, computed once per report: topics in rank order, the
// name a reader sees for each, its swatch colour (the top N in the chart palette, the rest grey,
// as in the charts), the charts by name and the lineage by topic id.

import type { ReportChart } from '../html-figure.ts';
import { safeColor } from '../html-format.ts';
import type { LineageEntry, ReportModel, TopicSummary, TrendPeriod } from '../model.ts';
import { OTHER_COLOR, rankedTopics, sortedPeriods, topicColors, topicNames } from '../specs/common.ts';

export interface ReportContext {
  model: ReportModel;
  ranked: TopicSummary[];
  names: Map<number, string>;
  swatch: Map<number, string>;
  charts: Map<string, ReportChart>;
  lineage: Map<number, LineageEntry>;
  topN: number;
  /** The latest period with papers (what "now" means for bursts), undefined without periods. */
  lastPeriod?: TrendPeriod;
  /**
   * False on a first run: no lineage, or every topic "born" and none died (nothing to compare
   * with). Then lineage badges and "new" lists stay quiet instead of calling all topics new.
   */
  hasPrevious: boolean;
}

export function hasPreviousRun(model: ReportModel): boolean {
  if (!model.lineage || model.lineage.length === 0) return (model.died?.length ?? 0) > 0;
  return model.lineage.some((l) => l.status !== 'born') || (model.died?.length ?? 0) > 0;
}

export function reportContext(model: ReportModel, charts: ReportChart[], topN: number): ReportContext {
  const ranked = rankedTopics(model);
  const colors = topicColors(model);
  const withPapers = sortedPeriods(model).filter((p) => p.total > 0);
  return {
    model,
    ranked,
    names: topicNames(model),
    swatch: new Map(ranked.map((t, rank) => [t.id, rank < topN ? safeColor(colors.get(t.id)) : OTHER_COLOR])),
    charts: new Map(charts.map((c) => [c.name, c])),
    lineage: new Map((model.lineage ?? []).map((l) => [l.id, l])),
    topN,
    lastPeriod: withPapers[withPapers.length - 1],
    hasPrevious: hasPreviousRun(model),
  };
}
