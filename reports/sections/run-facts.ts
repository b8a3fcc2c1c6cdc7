// The end of the page, for whoever checks the run: inputs with their record counts, the notes a
// reader should know (input warnings, partial periods), stage timings, every quality metric,
// versions, and the k-selection curve.

import { escapeHtml } from '../escape.ts';
import { fmtInt, fmtNum } from '../html-format.ts';
import type { ReportContext } from './context.ts';

export function runFactsSection(ctx: ReportContext): string {
  const { model } = ctx;
  const f = model.facts;
  const inputs = f.inputs
    .map(
      (i) =>
        `<tr><td>${escapeHtml(i.file)}</td><td class="num">${fmtInt(i.read)}</td><td class="num">${fmtInt(i.accepted)}</td><td class="num">${fmtInt(i.duplicate)}</td><td class="num">${fmtInt(i.rejected)}</td></tr>`,
    )
    .join('\n');
  const timings = f.timings
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.stage)}</td><td class="num">${t.skipped ? 'cached' : `${fmtNum(t.seconds, 2)} s`}</td><td class="num">${fmtInt(t.peakRssMb)} MB</td></tr>`,
    )
    .join('\n');
  const total = f.timings.filter((t) => !t.skipped).reduce((s, t) => s + t.seconds, 0);
  const notes = [...f.notes];
  const partial = model.trends.periods.filter((p) => p.partial).map((p) => p.key);
  if (partial.length > 0) notes.push(`Partial periods (the data does not cover all of them; read their shares with care): ${partial.join(', ')}`);
  const gaps = model.trends.periods.filter((p) => p.total === 0).map((p) => p.key);
  if (gaps.length > 0) notes.push(`Periods with no papers at all (gaps in the feed): ${gaps.length} (${gaps.slice(0, 12).join(', ')}${gaps.length > 12 ? ', …' : ''})`);
  const metrics = Object.keys(f.quality)
    .sort()
    .filter((k) => f.quality[k] !== undefined)
    .map((k) => `<dt>${escapeHtml(k)}</dt><dd>${fmtNum(f.quality[k], 4)}</dd>`)
    .join('');
  const versions = Object.keys(f.versions)
    .sort()
    .map((k) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(f.versions[k])}</dd>`)
    .join('');
  return `<section id="run">
<h2>Run facts</h2>
<dl class="facts"><dt>Run id</dt><dd>${escapeHtml(f.runId)}</dd><dt>Created</dt><dd>${escapeHtml(f.createdAt)}</dd><dt>Topics (k)</dt><dd>${fmtInt(f.k)}</dd><dt>Seed</dt><dd>${escapeHtml(String(f.seed))}</dd><dt>Map</dt><dd>${fmtInt(model.map.length)} sampled papers</dd></dl>
<h3>Inputs</h3>
<div class="table-wrap"><table class="narrow"><thead><tr><th>File</th><th class="num">Read</th><th class="num">Accepted</th><th class="num">Duplicate</th><th class="num">Rejected</th></tr></thead><tbody>
${inputs}
</tbody></table></div>
<h3 id="run-notes">Notes</h3>
${notes.length ? `<ul class="notes">${notes.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '<p class="muted">None.</p>'}
<h3>Stages</h3>
<div class="table-wrap"><table class="narrow"><thead><tr><th>Stage</th><th class="num">Time</th><th class="num">Peak memory</th></tr></thead><tbody>
${timings}
<tr class="total"><td>total (stages run)</td><td class="num">${fmtNum(total, 2)} s</td><td></td></tr>
</tbody></table></div>
<div class="facts-grid">
${metrics ? `<div><h3>Quality metrics</h3><dl class="facts">${metrics}</dl></div>` : ''}
<div><h3>Versions</h3><dl class="facts">${versions}</dl></div>
</div>
</section>`;
}
