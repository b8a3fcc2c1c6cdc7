// One section per topic: what it is about (terms with weights), how it moves (a trend chart with
// bursts shaded), what to read (representative papers, linked when their URL is http(s)), how
// its vocabulary drifts over time, and where it came from (lineage and history).

import { escapeAttr, escapeHtml, safeHttpUrl } from '../escape.ts';
import { fmtInt, fmtNum, fmtPct, fmtSigned } from '../html-format.ts';
import type { PaperRef, TopicSummary } from '../model.ts';
import { sparklineSvg, topicSeries } from '../sparkline.ts';
import type { ReportContext } from './context.ts';
import { lineageBadge, previousName, swatch } from './parts.ts';

export const TERMS_IN_SECTION = 15;
export const TERMS_PER_PERIOD = 6;
export const PERIODS_SHOWN = 6; // latest periods in the vocabulary table; more fold away
export const PERIODS_KEPT = 12; // at most this many latest periods at all (weekly data has 50+)
export const HISTORY_SHOWN = 8;

function paperItem(paper: PaperRef): string {
  const url = safeHttpUrl(paper.url);
  const title = escapeHtml(paper.title.trim() || paper.id);
  const link = url ? `<a href="${escapeAttr(url)}" rel="noopener noreferrer">${title}</a>` : title;
  const score = paper.score !== undefined ? ` · similarity ${fmtNum(paper.score, 2)}` : '';
  return `<li>${link} <span class="muted">${escapeHtml(paper.date)} · ${escapeHtml(paper.id)}${score}</span></li>`;
}

function termList(topic: TopicSummary, color: string): string {
  const terms = topic.topTerms.slice(0, TERMS_IN_SECTION);
  const max = Math.max(...terms.map((t) => t.weight), 0);
  const items = terms.map((t) => {
    const w = max > 0 && Number.isFinite(t.weight) ? Math.max(2, Math.round((t.weight / max) * 100)) : 0;
    return `<li><span class="term">${escapeHtml(t.term)}</span><span class="bar" aria-hidden="true"><span style="width:${w}%;background:${escapeAttr(color)}"></span></span><span class="w">${fmtNum(t.weight)}</span></li>`;
  });
  return `<ol class="term-bars">${items.join('')}</ol>`;
}

/** Period → top terms; terms not among the previous period's are bold, so drift stands out. */
function vocabulary(topic: TopicSummary): string {
  const all = topic.periodTerms?.filter((p) => p.terms.length > 0) ?? [];
  if (all.length === 0) return '';
  // One period before the kept ones, so the first kept row still shows what is new in it.
  const periods = all.slice(-(PERIODS_KEPT + 1));
  const dropped = all.length - Math.min(all.length, PERIODS_KEPT);
  const rows = periods.map((p, i) => {
    if (i === 0 && periods.length > PERIODS_KEPT) return '';
    const before = new Set(i > 0 ? periods[i - 1]!.terms.slice(0, TERMS_PER_PERIOD) : []);
    const terms = p.terms
      .slice(0, TERMS_PER_PERIOD)
      .map((t) => (i > 0 && !before.has(t) ? `<b>${escapeHtml(t)}</b>` : escapeHtml(t)))
      .join(', ');
    return `<tr><th scope="row">${escapeHtml(p.period)}</th><td>${terms}</td></tr>`;
  });
  const kept = rows.filter(Boolean);
  const recent = kept.slice(-PERIODS_SHOWN);
  const earlier = kept.slice(0, -PERIODS_SHOWN);
  const table = (body: string[]) => `<table class="vocab"><tbody>${body.join('')}</tbody></table>`;
  const note = dropped > 0 ? `; latest ${PERIODS_KEPT} of ${all.length} periods` : '';
  return `<h4>Vocabulary over time <span class="muted">(bold: new against the period before${note})</span></h4>
${earlier.length ? `<details><summary>${earlier.length} earlier period${earlier.length === 1 ? '' : 's'}</summary>${table(earlier)}</details>` : ''}${table(recent)}`;
}

function history(ctx: ReportContext, topic: TopicSummary): string {
  const entry = ctx.lineage.get(topic.id);
  const lines: string[] = [];
  if (entry) {
    const sim = entry.similarity !== undefined ? ` (term similarity ${fmtNum(entry.similarity, 2)})` : '';
    const from = entry.from.map((f, i) => previousName(ctx, f, entry.fromLabels?.[i]));
    const text =
      entry.status === 'continued'
        ? `Continued from last run${sim}.`
        : entry.status === 'born'
          ? 'New in this run: no topic of the last run matches it.'
          : entry.status === 'split'
            ? `Split from ${from.join(', ')}${sim}.`
            : `Merged from ${from.join(' + ')}${sim}.`;
    lines.push(`<p>${escapeHtml(text)}</p>`);
  }
  const past = (topic.history ?? []).slice(-HISTORY_SHOWN);
  if (past.length) {
    lines.push(
      `<ol class="history">${past
        .map((h) => `<li><span class="muted">${escapeHtml(h.date ?? h.runId)}</span> ${escapeHtml(h.label)}${h.size !== undefined ? ` <span class="muted">(${fmtInt(h.size)} papers${h.status && h.status !== 'continued' ? `, ${escapeHtml(h.status)}` : ''})</span>` : ''}</li>`)
        .join('')}</ol>`,
    );
  }
  return lines.length ? `<h4>History</h4>${lines.join('')}` : '';
}

export function topicSection(ctx: ReportContext, topic: TopicSummary): string {
  const name = ctx.names.get(topic.id)!;
  const color = ctx.swatch.get(topic.id) ?? '#9a9a9a';
  const editor = topic.editorLabel?.trim() ? `<p class="muted">Editor label; automatic label: ${escapeHtml(topic.label)}</p>` : '';
  const quality = Object.keys(topic.quality)
    .sort()
    .filter((k) => topic.quality[k] !== undefined && Number.isFinite(topic.quality[k]))
    .map((k) => `${escapeHtml(k)} ${fmtNum(topic.quality[k])}`)
    .join(', ');
  const t = topic.trend;
  const trendText = t
    ? `<p>Share ${fmtPct(t.baselineShare)} (baseline) → ${fmtPct(t.recentShare)} (recent): growth ${fmtSigned(t.growth)} (log2), z ${fmtSigned(t.z, 1)}.</p>`
    : '';
  const bursts = t?.bursts.length
    ? `<p class="bursts">Bursts: ${t.bursts.map((b) => `${escapeHtml(b.start === b.end ? b.start : `${b.start} – ${b.end}`)} <span class="muted">(${fmtNum(b.weight, 1)})</span>`).join(', ')}</p>`
    : '';
  const hasPeriods = ctx.model.trends.periods.some((p) => p.total > 0);
  const chart = hasPeriods
    ? sparklineSvg(topicSeries(ctx.model, topic.id), {
        width: 440,
        height: 110,
        color,
        axis: true,
        label: `Share of all papers per ${ctx.model.trends.unit} in ${name}; shaded: bursts; open circles: partial periods`,
      })
    : '';
  return `<section class="topic" id="topic-${topic.id}" data-topic="${topic.id}">
<h3>${swatch(ctx, topic.id)}${escapeHtml(name)} <span class="badge">#${topic.id}</span>${lineageBadge(ctx, topic.id)}</h3>
${editor}
<p>${fmtInt(topic.size)} papers (${fmtPct(topic.share)} of all)${quality ? `; quality: ${quality}` : ''}.${flagText(topic.flags)}</p>
<div class="topic-grid">
<div><h4>Top terms</h4>${termList(topic, color)}</div>
<div>${chart ? `<h4>Share over time</h4>${chart}` : ''}${trendText}${bursts}</div>
</div>
<h4>Representative papers</h4>
<ol class="papers">${topic.representative.map(paperItem).join('')}</ol>
${vocabulary(topic)}
${history(ctx, topic)}
<p class="back"><a href="#topics">Back to the table</a></p>
</section>`;
}

/** Quality warnings a reader should weigh before quoting the topic ('tiny', 'incoherent', …). */
function flagText(flags: readonly string[] | undefined): string {
  if (!flags?.length) return '';
  return ` <span class="badge warn" title="quality warnings">${flags.map((f) => escapeHtml(f)).join(', ')}</span>`;
}
