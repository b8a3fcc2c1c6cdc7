// Helpers every chart builder shares: which topics get their own colour, what a topic is called,
// period dates, and the common look. Keeping them in one place is what makes a topic the same
// colour and name in every chart of the report.

import type { ReportModel, TopicSummary, TrendPeriod } from '../model.ts';

export const DEFAULT_TOP_N = 12;
export const OTHER_LABEL = 'other topics';
export const OTHER_COLOR = '#9a9a9a';
export const CHART_WIDTH = 640;

/**
 * Okabe & Ito's colour-blind-safe set (without black; yellow last of them, it is faint on white),
 * then five of Paul Tol's "muted" hues that stay apart from it (wine, green, indigo, olive,
 * brown). No palette keeps 30+ hues apart for every reader, so charts colour at most this many
 * topics and group the rest as "other topics" (grey); names, tooltips and the shared topic
 * highlight carry identity beyond that.
 */
export const TOPIC_PALETTE = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#F0E442', // yellow
  '#882255', // wine (Tol)
  '#117733', // green (Tol)
  '#332288', // indigo (Tol)
  '#999933', // olive (Tol)
  '#661100', // brown (Tol)
];

export const RISING_COLOR = '#0072B2';
export const FALLING_COLOR = '#D55E00';

export interface ChartOptions {
  /**
   * Topics drawn in their own colour; the rest are grouped as "other topics". Default 12; more
   * than the palette holds (12) is capped, since two topics must never share a colour.
   */
  topN?: number;
}

export function resolveTopN(options: ChartOptions | undefined): number {
  const topN = options?.topN ?? DEFAULT_TOP_N;
  if (!Number.isInteger(topN) || topN < 1) {
    throw new Error(`topN must be an integer >= 1, got ${String(topN)}`);
  }
  return Math.min(topN, TOPIC_PALETTE.length);
}

/** Topics largest first, ties by id, whatever order the model lists them in. */
export function rankedTopics(model: ReportModel): TopicSummary[] {
  return [...model.topics].sort((a, b) => b.size - a.size || a.id - b.id);
}

/**
 * The name a reader sees for each topic id: the editor's label when there is one, otherwise the
 * automatic label; made unique (colour scales and facets key on it) by appending the id.
 */
export function topicNames(model: ReportModel): Map<number, string> {
  const names = new Map<number, string>();
  const used = new Set<string>([OTHER_LABEL]);
  for (const topic of rankedTopics(model)) {
    let name = (topic.editorLabel ?? '').trim() || topic.label.trim() || `topic ${topic.id}`;
    if (used.has(name)) name = `${name} (#${topic.id})`;
    used.add(name);
    names.set(topic.id, name);
  }
  return names;
}

/** Colour per topic id: the model's colour when set (plain hex only), else the palette by size rank. */
export function topicColors(model: ReportModel): Map<number, string> {
  const colors = new Map<number, string>();
  rankedTopics(model).forEach((topic, rank) => {
    colors.set(topic.id, topic.color && /^#[0-9a-fA-F]{3,8}$/.test(topic.color) ? topic.color : TOPIC_PALETTE[rank % TOPIC_PALETTE.length]!);
  });
  return colors;
}

/** What a chart needs to colour topics: the top N ids, a name lookup and the scale. */
export interface TopicLegend {
  top: TopicSummary[];
  isTop: Set<number>;
  nameOf: (id: number) => string; // OTHER_LABEL for topics outside the top N
  domain: string[];
  range: string[];
  hasOther: boolean;
}

export function topicLegend(model: ReportModel, topN: number): TopicLegend {
  const ranked = rankedTopics(model);
  const top = ranked.slice(0, topN);
  const names = topicNames(model);
  const colors = topicColors(model);
  const isTop = new Set(top.map((t) => t.id));
  const hasOther = ranked.length > top.length;
  const domain = top.map((t) => names.get(t.id)!);
  const range = top.map((t) => colors.get(t.id)!);
  if (hasOther) {
    domain.push(OTHER_LABEL);
    range.push(OTHER_COLOR);
  }
  return {
    top,
    isTop,
    nameOf: (id) => (isTop.has(id) ? (names.get(id) ?? `topic ${id}`) : OTHER_LABEL),
    domain,
    range,
    hasOther,
  };
}

/** The day after `date` (YYYY-MM-DD), so a period drawn as [start, next(end)) covers its last day. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function periodsByKey(model: ReportModel): Map<string, TrendPeriod> {
  return new Map(model.trends.periods.map((p) => [p.key, p]));
}

/** Periods in time order (the model lists them so, but we do not rely on it). */
export function sortedPeriods(model: ReportModel): TrendPeriod[] {
  return [...model.trends.periods].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export function unitName(model: ReportModel): string {
  return model.trends.unit;
}

/** The look shared by all charts: system fonts only (the report loads nothing remote). */
export const BASE_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  title: { fontSize: 15, anchor: 'start' as const, subtitleFontSize: 12, subtitleColor: '#555' },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 200 },
};

/** Deterministic rounding for numbers put into chart data (keeps specs byte-stable). */
export function round(value: number, digits = 6): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  return Number(value.toPrecision(digits));
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Milliseconds since the epoch (UTC midnight) of a YYYY-MM-DD date: chart data uses numbers, not strings to parse. */
export function dayMs(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return ms;
}

/** Where a period's value is drawn on a time axis: the middle of [start, end + 1 day). */
export function periodMidMs(period: TrendPeriod): number {
  return (dayMs(period.start) + dayMs(nextDay(period.end))) / 2;
}

/** The time axis covers the whole first and last period, so partial-period bands fit. */
export function timeDomain(model: ReportModel): [number, number] | undefined {
  const periods = sortedPeriods(model);
  if (periods.length === 0) return undefined;
  return [dayMs(periods[0]!.start), dayMs(nextDay(periods[periods.length - 1]!.end))];
}

const UNIT_FORMAT: Record<string, string> = {
  day: '%d %b %Y',
  week: '%d %b %Y',
  month: '%b %Y',
  quarter: '%b %Y',
  year: '%Y',
  decade: '%Y',
};

/** A time axis whose labels match the trend unit (months read "Mar 2025", years "1861"). */
export function timeAxis(model: ReportModel, title: string): Record<string, unknown> {
  // Ticks on period boundaries, about eight of them, so labels never repeat ("Mar 2025" twice).
  const periods = model.trends.periods.length;
  const unit = model.trends.unit;
  const [interval, size] = TICK_INTERVAL[unit] ?? ['day', 1];
  const step = size * Math.max(1, Math.ceil(periods / 8));
  return { title, format: UNIT_FORMAT[unit] ?? '%Y-%m-%d', labelOverlap: true, tickCount: { interval, step } };
}

const TICK_INTERVAL: Record<string, ['day' | 'week' | 'month' | 'year', number]> = {
  day: ['day', 1],
  week: ['week', 1],
  month: ['month', 1],
  quarter: ['month', 3],
  year: ['year', 1],
  decade: ['year', 10],
};

export function timeScale(model: ReportModel): Record<string, unknown> {
  const domain = timeDomain(model);
  // domainMin/Max rather than domain: vega-lite 6.4 warns about an explicit domain with x2.
  // Given as expressions holding plain millisecond numbers: vega-lite turns numbers into
  // datetime(ms) calls, which vega-interpreter (used by the report page) reads as a year.
  return domain
    ? { type: 'utc', domainMin: { expr: String(domain[0]) }, domainMax: { expr: String(domain[1]) }, nice: false }
    : { type: 'utc' };
}

/**
 * The shared topic highlight. Every live chart that shows topics declares a `focus` signal (a
 * topic id, or null for none); the page script sets it in every chart when a reader picks a topic
 * in the table or a legend, and marks of other topics fade. Rows carry the topic id as `k`
 * (-1 for the "other topics" group). Tests are plain expressions: the page evaluates them with
 * the CSP-safe vega-interpreter.
 */
export const FOCUS_SIGNAL = 'focus';
export const FOCUS_PARAM = { name: FOCUS_SIGNAL, value: null } as const;
export const OTHER_ID = -1;

/** True for marks to draw at full strength: nothing picked, or this datum's topic is the one picked. */
export function focusTest(topIds?: number[]): string {
  const base = `${FOCUS_SIGNAL} === null || datum.k === ${FOCUS_SIGNAL}`;
  // A chart that groups topics outside the top N: picking one of those lights up the group.
  return topIds ? `${base} || (datum.k === ${OTHER_ID} && indexof([${topIds.join(',')}], ${FOCUS_SIGNAL}) < 0)` : base;
}

/** Opacity encoding that fades everything but the picked topic. */
export function focusOpacity(on: number, off: number, topIds?: number[]): Record<string, unknown> {
  return { condition: { test: focusTest(topIds), value: on }, value: off };
}

/**
 * Rounds coordinates to a grid of about 1/4000 of their range: a map needs no more, and chart
 * data shrinks by half (0.123456789 → 0.1235).
 */
export function coordinateRounder(values: number[]): (v: number) => number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const range = max - min;
  if (!Number.isFinite(range) || range <= 0) return (v) => round(v, 4);
  const decimals = Math.max(0, Math.min(12, Math.ceil(-Math.log10(range / 4000))));
  const scale = 10 ** decimals;
  return (v) => (Number.isFinite(v) ? Math.round(v * scale) / scale || 0 : 0);
}

/** A paper title cut to at most `max` characters at a word boundary, with an ellipsis. */
export function shortTitle(title: string, max = 100): string {
  const t = title.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
