// Light per-topic trend charts written straight as inline SVG (no vega, no script): a topic's
// share per period as a line, burst intervals shaded, partial periods as open circles. They are
// a few hundred bytes each where a vega chart plus its static copy was ~30 KB, they print, and
// they need no fallback. Text in them is escaped; colours are checked hex values.

import { escapeAttr, escapeHtml } from './escape.ts';
import { safeColor } from './html-format.ts';
import type { ReportModel } from './model.ts';
import { sortedPeriods } from './specs/common.ts';

// Bursts are shaded neutral grey-blue: yellow would hide the palette's yellow topic.
export const BURST_FILL = '#c9d3df';

export interface TopicSeries {
  keys: string[]; // period keys in time order
  shares: (number | null)[]; // null: a gap (no papers at all in the period)
  partial: boolean[];
  bursts: { from: number; to: number }[]; // index ranges into keys, inclusive
}

/** A topic's share per period, in time order, with its bursts as index ranges. */
export function topicSeries(model: ReportModel, topicId: number): TopicSeries {
  const periods = sortedPeriods(model);
  const counts = new Map<string, number>();
  for (const row of model.trends.rows) {
    if (row.topic === topicId) counts.set(row.period, (counts.get(row.period) ?? 0) + row.count);
  }
  const index = new Map(periods.map((p, i) => [p.key, i]));
  const topic = model.topics.find((t) => t.id === topicId);
  const bursts = (topic?.trend?.bursts ?? [])
    .map((b) => ({ from: index.get(b.start), to: index.get(b.end) }))
    .filter((b): b is { from: number; to: number } => b.from !== undefined && b.to !== undefined && b.from <= b.to);
  return {
    keys: periods.map((p) => p.key),
    shares: periods.map((p) => (p.total > 0 ? (counts.get(p.key) ?? 0) / p.total : null)),
    partial: periods.map((p) => p.partial),
    bursts,
  };
}

export interface SparklineOptions {
  width: number;
  height: number;
  color: string;
  label: string; // accessible name
  axis?: boolean; // labels: top share, first and last period
  maxShare?: number; // shared scale; default the series' own maximum
}

function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

export function sparklineSvg(series: TopicSeries, options: SparklineOptions): string {
  const { width, height } = options;
  const color = safeColor(options.color);
  const left = options.axis ? 34 : 2;
  const bottom = options.axis ? 16 : 2;
  const top = options.axis ? 6 : 2;
  const right = options.axis ? 6 : 3;
  const w = Math.max(1, width - left - right);
  const h = Math.max(1, height - top - bottom);
  const count = series.keys.length;
  const own = Math.max(0, ...series.shares.map((s) => s ?? 0));
  const max = options.maxShare && options.maxShare > 0 ? options.maxShare : own > 0 ? own : 1;
  const x = (i: number) => left + (count <= 1 ? w / 2 : (i / (count - 1)) * w);
  const y = (s: number) => top + h - (Math.min(s, max) / max) * h;
  const step = count <= 1 ? w : w / (count - 1);
  const parts: string[] = [];
  for (const b of series.bursts) {
    const x0 = Math.max(left, x(b.from) - step / 2);
    const x1 = Math.min(left + w, x(b.to) + step / 2);
    parts.push(`<rect x="${n(x0)}" y="${top}" width="${n(Math.max(1, x1 - x0))}" height="${n(h)}" fill="${BURST_FILL}" opacity="0.7"/>`);
  }
  parts.push(`<path d="M${left},${n(top + h)}h${n(w)}" stroke="#ccc" stroke-width="1"/>`);
  let d = '';
  let pen = false;
  series.shares.forEach((s, i) => {
    if (s === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${n(x(i))},${n(y(s))}`;
    pen = true;
  });
  if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${options.axis ? 2 : 1.5}" stroke-linejoin="round"/>`);
  series.shares.forEach((s, i) => {
    if (s !== null && series.partial[i]) {
      parts.push(`<circle cx="${n(x(i))}" cy="${n(y(s))}" r="2.5" fill="#fff" stroke="${color}" stroke-width="1.2"/>`);
    }
  });
  if (options.axis && count > 0) {
    const text = (tx: number, ty: number, anchor: string, body: string) =>
      `<text x="${n(tx)}" y="${n(ty)}" text-anchor="${anchor}" font-size="10" fill="#555">${escapeHtml(body)}</text>`;
    parts.push(text(left - 4, top + 8, 'end', `${(max * 100).toFixed(max < 0.1 ? 1 : 0)}%`));
    parts.push(text(left - 4, top + h, 'end', '0%'));
    parts.push(text(left, height - 3, 'start', series.keys[0]!));
    if (count > 1) parts.push(text(left + w, height - 3, 'end', series.keys[count - 1]!));
  }
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeAttr(options.label)}">${parts.join('')}</svg>`;
}
