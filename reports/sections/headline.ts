// The top of the page: what run this is and the numbers an editor checks first (papers in the
// window, new tonight, topics, dates, and the quality figures that say whether to trust it).

import { escapeHtml } from '../escape.ts';
import { fmtInt, fmtNum, fmtPct } from '../html-format.ts';
import type { ReportContext } from './context.ts';

/** Corpus-level metrics shown as headline cards, in this order; the first key present wins. */
export const HEADLINE_METRICS: { keys: string[]; name: string; hint: string }[] = [
  { keys: ['npmi'], name: 'NPMI coherence', hint: 'Mean NPMI of each topic\'s top 10 terms (−1…1; higher reads better)' },
  { keys: ['td10', 'diversity'], name: 'Diversity TD@10', hint: 'Share of distinct words among all topics\' top 10 terms (0…1)' },
  { keys: ['silhouette'], name: 'Silhouette', hint: 'Mean silhouette on a sample (−1…1; near 0 is usual for text)' },
  { keys: ['restartAgreement', 'ari_restarts'], name: 'Restart agreement', hint: 'ARI between k-means restarts, on the papers they were fitted on (1 = the same topics every time)' },
  { keys: ['labelNmi'], name: 'NMI vs labels', hint: 'Agreement with the labels the input carries' },
  { keys: ['labelAri'], name: 'ARI vs labels', hint: 'Agreement with the labels the input carries' },
];

function card(value: string, name: string, hint?: string): string {
  return `<li${hint ? ` title="${escapeHtml(hint)}"` : ''}><span class="value">${value}</span><span class="name">${escapeHtml(name)}</span></li>`;
}

export function headlineSection(ctx: ReportContext): string {
  const { model } = ctx;
  const f = model.facts;
  const cards = [
    card(fmtInt(f.papers), 'Papers in window'),
    ...(f.newPapers !== undefined ? [card(fmtInt(f.newPapers), 'New tonight', 'Papers first seen in this run')] : []),
    card(fmtInt(model.topics.length), 'Topics'),
    card(`<span class="range">${escapeHtml(f.dateRange[0])}<br>${escapeHtml(f.dateRange[1])}</span>`, 'Date range'),
  ];
  for (const metric of HEADLINE_METRICS) {
    const key = metric.keys.find((k) => f.quality[k] !== undefined && Number.isFinite(f.quality[k]));
    if (key) cards.push(card(fmtNum(f.quality[key]), metric.name, metric.hint));
  }
  const notes = f.notes.length > 0 ? `<p class="notes-line"><a href="#run-notes">${f.notes.length} note${f.notes.length === 1 ? '' : 's'} about this run's input</a></p>` : '';
  return `<header>
<h1>${escapeHtml(model.title)}</h1>
<p class="muted">Run <code>${escapeHtml(f.runId)}</code>, created ${escapeHtml(f.createdAt)} · trends by ${escapeHtml(model.trends.unit)}${f.explainedVariance !== undefined ? ` · PCA keeps ${fmtPct(f.explainedVariance)} of the variance` : ''}</p>
<ul class="headline">
${cards.join('\n')}
</ul>
${notes}
<nav class="toc" aria-label="Sections"><a href="#now">Rising &amp; new</a><a href="#share">Share over time</a><a href="#topics">Topic table</a><a href="#topic-details">Topics</a><a href="#changes">Since last night</a><a href="#map">Map</a><a href="#run">Run facts</a></nav>
</header>`;
}
