// index.html: ONE self-contained file that opens offline and makes no request. Live charts are
// compiled Vega specs drawn by the inlined vega runtime with the CSP-safe expression interpreter;
// each has a static SVG (a data: image) shown until the live chart draws, without script, and in
// print when it did not draw. Per-topic trend charts are inline SVG sparklines (no script). A
// Content-Security-Policy admits exactly the inline scripts by hash, so even a planted <script>
// could not run. Every piece of model text is escaped; the only external URLs are the
// representative papers' links, and only when they are http(s).
//
// Reading order follows an editor's morning: headline numbers → what is rising / falling / new /
// bursting → share over time → topic table → one section per topic → what changed since the last
// run → map → k-curve → run facts.

import { createHash } from 'node:crypto';
import { escapeAttr, escapeHtml } from './escape.ts';
import { CLIENT_SCRIPT } from './html-client.ts';
import { figure, type ReportChart } from './html-figure.ts';
import { REPORT_CSS } from './html-style.ts';
import { vegaRuntimeScripts } from './html-runtime.ts';
import type { ReportModel } from './model.ts';
import { changesSection } from './sections/changes.ts';
import { reportContext, type ReportContext } from './sections/context.ts';
import { glanceSection } from './sections/glance.ts';
import { headlineSection } from './sections/headline.ts';
import { runFactsSection } from './sections/run-facts.ts';
import { topicSection } from './sections/topic-section.ts';
import { topicTableSection } from './sections/topic-table.ts';
import { resolveTopN, type ChartOptions } from './specs/common.ts';

export type { ReportChart } from './html-figure.ts';

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function shareSection(ctx: ReportContext): string {
  const share = ctx.charts.get('share-area');
  const multiples = ctx.charts.get('topic-small-multiples');
  const heatmap = ctx.charts.get('heatmap');
  if (!share && !multiples && !heatmap) return '';
  return `<section id="share">
<h2>Topic share over time</h2>
${figure(share)}
${figure(multiples)}
${heatmap ? `<details class="chart-details"><summary>Every topic by period (heatmap)</summary>${figure(heatmap)}</details>` : ''}
</section>`;
}

function mapSection(ctx: ReportContext): string {
  const map = ctx.charts.get('map');
  if (!map) return '';
  return `<section id="map"><h2>Map of papers</h2>${figure(map)}</section>`;
}

function kCurveSection(ctx: ReportContext): string {
  const chart = ctx.charts.get('k-curve');
  if (!chart) return '';
  return `<section id="k-curve"><h2>Choosing the number of topics</h2>${figure(chart)}</section>`;
}

/** The whole report as one HTML string (a pure function of its arguments). */
export function renderReportHtml(model: ReportModel, charts: ReportChart[], options?: ChartOptions): string {
  const ctx = reportContext(model, charts, resolveTopN(options));
  const runtime = vegaRuntimeScripts();
  const scripts = [runtime.vega, runtime.interpreter, CLIENT_SCRIPT];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const body = [
    headlineSection(ctx),
    glanceSection(ctx),
    shareSection(ctx),
    topicTableSection(ctx),
    `<section id="topic-details"><h2>Topic by topic</h2>${ctx.ranked.map((t) => topicSection(ctx, t)).join('\n')}</section>`,
    changesSection(ctx),
    mapSection(ctx),
    kCurveSection(ctx),
    runFactsSection(ctx),
  ]
    .filter(Boolean)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(model.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body}
</main>
<div id="focus-bar" role="status" hidden><span>Highlighted: <strong id="focus-name"></strong></span><button type="button" id="focus-clear">Clear (Esc)</button></div>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
