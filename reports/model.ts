// What the report is made from. The pipeline assembles one ReportModel per run; everything in
// reports/ is a pure function of it (spec builders, HTML, SVG, exports). Paper text inside it is
// raw and untrusted: renderers escape it.

export interface TermWeight {
  term: string; // display form, e.g. "diffusion models"
  weight: number;
}

export interface PaperRef {
  id: string;
  title: string;
  date: string; // YYYY-MM-DD
  url?: string; // only ever an http(s) URL (checked again by the renderer)
  score?: number; // cosine to the topic centroid
}

export interface TopicQuality {
  npmi?: number; // NPMI coherence of the top-10 terms
  silhouette?: number; // mean silhouette of the topic's sampled members
  [metric: string]: number | undefined;
}

export interface TopicTrend {
  recentShare: number; // share of papers in the recent window
  baselineShare: number; // share in the baseline window
  growth: number; // log2 ratio recent / baseline (smoothed)
  z: number; // significance of the change (signed)
  bursts: { start: string; end: string; weight: number }[]; // period keys
}

export interface TopicSummary {
  id: number; // stable topic id
  label: string; // automatic label, unique across topics
  editorLabel?: string; // a name an editor gave this topic id
  size: number;
  share: number; // size / all papers
  topTerms: TermWeight[]; // top 25, best first
  representative: PaperRef[]; // 3–5, most typical first
  quality: TopicQuality;
  flags?: string[]; // quality warnings: 'tiny', 'giant', 'incoherent', 'not separated'
  trend?: TopicTrend;
  periodTerms?: { period: string; terms: string[] }[]; // vocabulary over time
  color?: string;
  // Optional: this topic id in earlier runs, oldest first (the report shows the last few), so an
  // editor sees how the topic got here. Filled by the pipeline from the archive when it has it.
  history?: TopicHistoryEntry[];
}

export interface TopicHistoryEntry {
  runId: string;
  date?: string; // YYYY-MM-DD of the run
  label: string; // the label shown in that run (editor label when there was one)
  size?: number;
  status?: LineageStatus; // how the id arrived in that run
}

export type LineageStatus = 'continued' | 'born' | 'split' | 'merged';

export interface LineageEntry {
  id: number; // topic id in this run
  status: LineageStatus;
  from: number[]; // previous run's topic ids it came from
  similarity?: number; // cosine of term vectors to its best predecessor
  fromLabels?: string[]; // optional: the previous topics' labels, same order as `from`
}

export interface TrendPeriod {
  key: string; // '2025-W14', '2025-04', '1861', '2025-Q2', '2025-04-01'
  start: string; // first day (YYYY-MM-DD)
  end: string; // last day (inclusive)
  total: number; // papers in the period (all topics)
  partial: boolean; // the data does not cover the whole period (first / last)
}

export interface TrendTable {
  unit: 'day' | 'week' | 'month' | 'quarter' | 'year' | 'decade';
  periods: TrendPeriod[];
  // rows: one per (period, topic) with count and share of that period's papers
  rows: { period: string; topic: number; count: number; share: number; partial: boolean }[];
}

export interface MapPoint {
  x: number;
  y: number;
  topic: number;
  title: string;
  id: string;
}

export interface RunFacts {
  runId: string;
  createdAt: string; // ISO time
  papers: number; // accepted papers in the window
  newPapers?: number; // papers first seen in this run
  inputs: { file: string; read: number; accepted: number; duplicate: number; rejected: number }[];
  k: number;
  seed: number;
  dateRange: [string, string];
  versions: Record<string, string>;
  timings: { stage: string; seconds: number; peakRssMb: number; skipped: boolean }[];
  quality: Record<string, number | undefined>; // corpus-level metrics
  kCurve?: { k: number; score: number; [metric: string]: number }[];
  explainedVariance?: number; // fraction kept by the PCA
  notes: string[]; // warnings a reader should see (e.g. "year taken from file date")
  /** How tonight's topic model came about: a full refit, or tonight's papers folded into the stored model; and why. */
  model?: { mode: 'refit' | 'fold-in'; reason: string };
}

export interface ReportModel {
  title: string;
  facts: RunFacts;
  topics: TopicSummary[]; // ordered by size, largest first
  trends: TrendTable;
  map: MapPoint[]; // sampled, ≤ a few thousand points
  lineage?: LineageEntry[]; // absent on a first run (nothing to compare with)
  died?: { id: number; label: string }[];
}
