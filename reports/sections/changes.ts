// "What changed since last night", from the run's lineage: counts of continued, born, split,
// merged and died topics, then one line per change, naming the previous topics involved.

import { escapeHtml } from '../escape.ts';
import { fmtNum } from '../html-format.ts';
import type { ReportContext } from './context.ts';
import { previousName, topicLink } from './parts.ts';

/** Continued topics whose terms moved this much are listed too: same id, noticeably new content. */
export const LOW_SIMILARITY = 0.8;

export function changesSection(ctx: ReportContext): string {
  const { model } = ctx;
  if (!model.lineage || !ctx.hasPrevious) {
    const n = model.lineage?.length ?? 0;
    return `<section id="changes"><h2>What changed since last night</h2>${modelLine(ctx)}<p class="muted">No previous run to compare with: this is the first run over this archive${n ? ` (all ${n} topics start their history here)` : ', or the lineage was not computed'}.</p></section>`;
  }
  const byStatus = (s: string) => ctx.ranked.filter((t) => ctx.lineage.get(t.id)?.status === s);
  const continued = byStatus('continued');
  const born = byStatus('born');
  const split = byStatus('split');
  const merged = byStatus('merged');
  const died = [...(model.died ?? [])].sort((a, b) => a.id - b.id);
  const from = (id: number, join: string) => {
    const e = ctx.lineage.get(id)!;
    return e.from.map((f, i) => escapeHtml(previousName(ctx, f, e.fromLabels?.[i]))).join(join);
  };
  const sim = (id: number) => {
    const s = ctx.lineage.get(id)?.similarity;
    return s !== undefined ? ` <span class="muted">similarity ${fmtNum(s, 2)}</span>` : '';
  };
  const drifted = continued.filter((t) => (ctx.lineage.get(t.id)?.similarity ?? 1) < LOW_SIMILARITY);
  const lines = [
    ...born.map((t) => `<li><span class="badge badge-born">born</span> ${topicLink(ctx, t.id)}</li>`),
    ...split.map((t) => `<li><span class="badge badge-split">split</span> ${topicLink(ctx, t.id)} from ${from(t.id, ', ')}${sim(t.id)}</li>`),
    ...merged.map((t) => `<li><span class="badge badge-merged">merged</span> ${topicLink(ctx, t.id)} from ${from(t.id, ' + ')}${sim(t.id)}</li>`),
    ...died.map((d) => `<li><span class="badge badge-died">died</span> ${escapeHtml(d.label)} <span class="muted">#${d.id}, no successor</span></li>`),
    ...drifted.map((t) => `<li><span class="badge">drifted</span> ${topicLink(ctx, t.id)} kept its id, but its terms moved${sim(t.id)}</li>`),
  ];
  const count = (n: number, word: string) => `<li><span class="value">${n}</span> ${word}</li>`;
  return `<section id="changes">
<h2>What changed since last night</h2>
${modelLine(ctx)}<ul class="change-counts">${count(continued.length, 'continued')}${count(born.length, 'born')}${count(split.length, 'split')}${count(merged.length, 'merged')}${count(died.length, 'died')}</ul>
${lines.length ? `<ul class="changes">${lines.join('')}</ul>` : '<p class="muted">Every topic continued from the last run with the same id.</p>'}
</section>`;
}

/** Whether tonight refitted the model or folded the new papers into the stored one, and why (incremental nights). */
function modelLine(ctx: ReportContext): string {
  const m = ctx.model.facts.model;
  if (!m) return '';
  const what = m.mode === 'refit' ? 'full refit of vocabulary, PCA and clusters' : 'new papers folded into the stored model (vocabulary, PCA basis and centroids kept)';
  return `<p class="model-night">Tonight: <strong>${what}</strong> <span class="muted">(${escapeHtml(m.reason)})</span></p>`;
}
