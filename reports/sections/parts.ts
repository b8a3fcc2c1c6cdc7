// Small pieces of markup several sections share: a topic's swatch and link, its lineage badge.
// All text is escaped here.

import { escapeAttr, escapeHtml } from '../escape.ts';
import type { ReportContext } from './context.ts';

export function swatch(ctx: ReportContext, id: number): string {
  return `<span class="swatch" style="background:${escapeAttr(ctx.swatch.get(id) ?? '#9a9a9a')}" aria-hidden="true"></span>`;
}

/** Swatch plus a link to the topic's section; data-topic lets the page script highlight it. */
export function topicLink(ctx: ReportContext, id: number): string {
  const name = ctx.names.get(id) ?? `topic ${id}`;
  return `${swatch(ctx, id)}<a href="#topic-${id}" data-topic="${id}">${escapeHtml(name)}</a>`;
}

/** The name of a previous run's topic: from the lineage's labels, a current topic with that id, or died. */
export function previousName(ctx: ReportContext, id: number, label?: string): string {
  if (label && label.trim()) return `${label.trim()} (#${id})`;
  const current = ctx.names.get(id);
  if (current) return `${current} (#${id})`;
  const died = ctx.model.died?.find((d) => d.id === id);
  return died ? `${died.label} (#${id})` : `#${id}`;
}

/** "born", "split from …", "merged from … + …"; nothing for a continued topic. */
export function lineageText(ctx: ReportContext, id: number): string | undefined {
  const entry = ctx.lineage.get(id);
  if (!entry || entry.status === 'continued' || !ctx.hasPrevious) return undefined;
  if (entry.status === 'born' || entry.from.length === 0) return 'new';
  const from = entry.from.map((f, i) => previousName(ctx, f, entry.fromLabels?.[i]));
  return entry.status === 'split' ? `split from ${from.join(', ')}` : `merged from ${from.join(' + ')}`;
}

export function lineageBadge(ctx: ReportContext, id: number): string {
  const text = lineageText(ctx, id);
  if (!text) return '';
  const status = ctx.lineage.get(id)!.status;
  return ` <span class="badge badge-${escapeAttr(status)}">${escapeHtml(text)}</span>`;
}
