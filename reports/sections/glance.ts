// "What moved": the topics rising and falling (significant changes only, strongest evidence
// first), the topics that are new (born or split off since the last run) and those bursting
// now (a burst that reaches the latest period), with the growth chart folded below.

import { escapeHtml } from '../escape.ts';
import { figure } from '../html-figure.ts';
import { fmtNum, fmtPct, fmtSigned } from '../html-format.ts';
import type { TopicSummary } from '../model.ts';
import { SIGNIFICANT_Z } from '../specs/growth.ts';
import type { ReportContext } from './context.ts';
import { lineageText, topicLink } from './parts.ts';

export const GLANCE_ITEMS = 6;

export interface Glance {
  rising: TopicSummary[];
  falling: TopicSummary[];
  fresh: TopicSummary[]; // lineage born or split
  burstingNow: { topic: TopicSummary; start: string; end: string; weight: number }[];
}

/**
 * The lists, as data (tested directly). Rising / falling: |z| ≥ SIGNIFICANT_Z, ranked by |z| so
 * 2 → 4 papers does not outrank 200 → 300. Bursting now: a burst whose end is the latest period
 * with papers, or the one before it when the latest is partial (a burst rarely survives a half
 * period of data).
 */
export function glance(ctx: ReportContext): Glance {
  const withTrend = ctx.ranked.filter((t) => t.trend && Number.isFinite(t.trend.z) && Number.isFinite(t.trend.growth));
  const significant = withTrend.filter((t) => Math.abs(t.trend!.z) >= SIGNIFICANT_Z);
  const rising = significant.filter((t) => t.trend!.growth > 0).sort((a, b) => b.trend!.z - a.trend!.z || a.id - b.id);
  const falling = significant.filter((t) => t.trend!.growth < 0).sort((a, b) => a.trend!.z - b.trend!.z || a.id - b.id);
  const fresh = !ctx.hasPrevious ? [] : ctx.ranked.filter((t) => {
    const status = ctx.lineage.get(t.id)?.status;
    return status === 'born' || status === 'split';
  });
  const nowKeys = new Set<string>();
  const periods = ctx.model.trends.periods.filter((p) => p.total > 0).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const last = periods[periods.length - 1];
  if (last) {
    nowKeys.add(last.key);
    if (last.partial && periods.length > 1) nowKeys.add(periods[periods.length - 2]!.key);
  }
  const burstingNow = ctx.ranked
    .flatMap((t) => (t.trend?.bursts ?? []).filter((b) => nowKeys.has(b.end)).map((b) => ({ topic: t, ...b })))
    .sort((a, b) => b.weight - a.weight || a.topic.id - b.topic.id);
  return { rising, falling, fresh, burstingNow };
}

function list(title: string, items: string[], empty: string, more: number): string {
  const body = items.length ? `<ul>${items.join('')}</ul>` : `<p class="muted">${empty}</p>`;
  const tail = more > 0 ? `<p class="more"><a href="#topics">and ${more} more in the topic table</a></p>` : '';
  return `<div class="glance-box"><h3>${title}</h3>${body}${tail}</div>`;
}

export function glanceSection(ctx: ReportContext): string {
  const g = glance(ctx);
  const hasTrends = ctx.ranked.some((t) => t.trend);
  if (!hasTrends && !ctx.model.lineage) return '';
  const change = (t: TopicSummary) =>
    `<li>${topicLink(ctx, t.id)}<span class="fig">${fmtPct(t.trend!.baselineShare)} → ${fmtPct(t.trend!.recentShare)} · z ${fmtSigned(t.trend!.z, 1)}</span></li>`;
  const shown = <T>(items: T[]) => items.slice(0, GLANCE_ITEMS);
  const rising = list('Rising', shown(g.rising).map(change), `No topic rose with |z| ≥ ${SIGNIFICANT_Z}.`, g.rising.length - GLANCE_ITEMS);
  const falling = list('Falling', shown(g.falling).map(change), `No topic fell with |z| ≥ ${SIGNIFICANT_Z}.`, g.falling.length - GLANCE_ITEMS);
  const fresh = list(
    'New since last run',
    shown(g.fresh).map((t) => `<li>${topicLink(ctx, t.id)}<span class="fig">${escapeHtml(lineageText(ctx, t.id) ?? '')}</span></li>`),
    ctx.hasPrevious ? 'No new topics.' : 'No previous run to compare with (first run).',
    g.fresh.length - GLANCE_ITEMS,
  );
  const bursting = list(
    'Bursting now',
    shown(g.burstingNow).map(
      (b) => `<li>${topicLink(ctx, b.topic.id)}<span class="fig">since ${escapeHtml(b.start)} · weight ${fmtNum(b.weight, 1)}</span></li>`,
    ),
    ctx.lastPeriod ? `No burst reaches ${escapeHtml(ctx.lastPeriod.key)}.` : 'No periods.',
    g.burstingNow.length - GLANCE_ITEMS,
  );
  const chart = ctx.charts.get('growth');
  return `<section id="now">
<h2>What is rising, falling, new and bursting</h2>
<p class="muted">Recent window against the baseline; share of all papers, so an uneven feed does not read as a trend. Click a topic in the table below to highlight it in every chart.</p>
<div class="glance">${rising}${falling}${fresh}${bursting}</div>
${chart ? `<details class="chart-details"><summary>Growth of every topic (chart)</summary>${figure(chart)}</details>` : ''}
</section>`;
}
