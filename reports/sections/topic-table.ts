// The topic table: one row per topic with its name (editor label first, automatic label
// beneath), size, share, a trend sparkline, growth and z, top terms and coherence. The page
// script adds search, sorting and selection (rows are focusable; Enter or a click picks the
// topic and highlights it in every chart).

import { escapeAttr, escapeHtml } from '../escape.ts';
import { dataValue, fmtInt, fmtNum, fmtPct, fmtSigned } from '../html-format.ts';
import { sparklineSvg, topicSeries } from '../sparkline.ts';
import type { ReportContext } from './context.ts';
import { lineageBadge, topicLink } from './parts.ts';

export const TERMS_IN_TABLE = 6;

export function topicTableSection(ctx: ReportContext): string {
  const hasPeriods = ctx.model.trends.periods.some((p) => p.total > 0);
  const rows = ctx.ranked.map((t) => {
    const name = ctx.names.get(t.id)!;
    const editor = t.editorLabel?.trim();
    const auto = editor ? `<div class="sub">auto: ${escapeHtml(t.label)}</div>` : '';
    const terms = t.topTerms.slice(0, TERMS_IN_TABLE).map((w) => w.term).join(', ');
    const spark = hasPeriods
      ? sparklineSvg(topicSeries(ctx.model, t.id), { width: 96, height: 24, color: ctx.swatch.get(t.id) ?? '#9a9a9a', label: `Share over time of ${name}` })
      : '';
    return `<tr tabindex="0" data-topic="${t.id}" data-name="${escapeAttr(name)}" aria-selected="false">
<td data-value="${escapeAttr(name.toLowerCase())}">${topicLink(ctx, t.id)}${lineageBadge(ctx, t.id)}${auto}</td>
<td class="num" data-value="${t.size}">${fmtInt(t.size)}</td>
<td class="num" data-value="${dataValue(t.share)}">${fmtPct(t.share)}</td>
${hasPeriods ? `<td class="spark-cell">${spark}</td>` : ''}
<td class="num" data-value="${dataValue(t.trend?.growth)}">${fmtSigned(t.trend?.growth)}</td>
<td class="num" data-value="${dataValue(t.trend?.z)}">${fmtSigned(t.trend?.z, 1)}</td>
<td class="terms-cell">${escapeHtml(terms)}</td>
<td class="num" data-value="${dataValue(t.quality.npmi)}">${fmtNum(t.quality.npmi)}</td>
</tr>`;
  });
  const th = (label: string, type: 'text' | 'number', title: string) =>
    `<th scope="col" data-type="${type}"${type === 'number' ? ' class="num"' : ''} title="${escapeAttr(title)}"><button type="button">${escapeHtml(label)}</button></th>`;
  const unit = ctx.model.trends.unit;
  return `<section id="topics">
<h2>Topics</h2>
<div class="table-tools"><label for="topic-search">Search</label><input id="topic-search" type="search" placeholder="label or term" autocomplete="off"><span id="topic-count" class="muted" aria-live="polite">${ctx.ranked.length} topics</span><span class="muted hint">Click a row or press Enter on it to highlight the topic in the charts; Esc clears.</span></div>
<div class="table-wrap"><table id="topic-table">
<caption class="visually-hidden">Topics, largest first; columns sort on click</caption>
<thead><tr>${th('Topic', 'text', 'Topic label (editor label when set)')}${th('Papers', 'number', 'Papers in the topic')}${th('Share', 'number', 'Share of all papers')}${hasPeriods ? `<th scope="col" title="Share per ${escapeAttr(unit)}; shaded: bursts; open circles: partial periods">Trend</th>` : ''}${th('Growth', 'number', 'log2 of recent share over baseline share')}${th('z', 'number', 'Significance of the change (|z| ≥ 2: unlikely to be noise)')}<th scope="col">Top terms</th>${th('NPMI', 'number', 'NPMI coherence of the top 10 terms')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}
