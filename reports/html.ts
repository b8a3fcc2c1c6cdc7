// index.html: ONE self-contained file that opens offline and makes no request. Live charts are
// compiled Vega specs drawn by the inlined vega runtime with the CSP-safe expression interpreter;
// each has a static SVG (a data: image) shown until the live chart draws, without script, and in
// print. A Content-Security-Policy admits exactly the inline scripts by hash, so even a planted
// <script> could not run. Every piece of model text is escaped; the only external URLs are the
// representative papers' links, and only when they are http(s).

import { createHash } from 'node:crypto';
import type { TopLevelSpec } from 'vega-lite';
import { topicChartName } from './charts.ts';
import { compileSpec } from './compile.ts';
import { escapeAttr, escapeHtml, jsonForScript, safeHttpUrl } from './escape.ts';
import { CLIENT_SCRIPT, REPORT_CSS } from './html-client.ts';
import { vegaRuntimeScripts } from './html-runtime.ts';
import type { PaperRef, ReportModel, TopicSummary } from './model.ts';
import { SIGNIFICANT_Z } from './specs/growth.ts';
import { OTHER_COLOR, rankedTopics, resolveTopN, topicColors, topicNames, type ChartOptions } from './specs/common.ts';

export interface ReportChart {
  name: string;
  title: string;
  spec: TopLevelSpec;
  svg: string;
}

const TERMS_IN_SECTION = 15;
const TERMS_IN_TABLE = 6;

// ---------- small formatting helpers (all return escaped HTML) ----------

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

function fmtNum(n: number | undefined, digits = 3): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

function fmtPct(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${(n * 100).toFixed(digits)}%`;
}

function fmtSigned(n: number | undefined, digits = 2): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)}`;
}

function dataValue(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '' : String(n);
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

// ---------- charts ----------

/**
 * A data: URI for an SVG, percent-encoding only what URLs and HTML attributes need (a third
 * smaller than base64; large maps and heatmaps make this matter). ':' too, so the SVG namespace
 * URI does not read as a link in the page source.
 */
function svgDataUri(svg: string): string {
  return `data:image/svg+xml,${svg.replace(/[%#"'<>&:\r\n\t]/g, (c) => (c === "'" ? '%27' : encodeURIComponent(c)))}`;
}

/**
 * A chart figure: the static SVG as a data: image (an <img> never runs script, whatever the SVG
 * holds) plus, when `live`, the compiled Vega spec in a JSON block for the page script to draw.
 */
function figure(chart: ReportChart | undefined, live: boolean): string {
  if (!chart) return '';
  const description = typeof chart.spec.description === 'string' ? chart.spec.description : chart.title;
  const img = chart.svg
    ? `<img src="${escapeAttr(svgDataUri(chart.svg))}" alt="${escapeAttr(description)}">`
    : `<p class="muted">(${escapeHtml(chart.title)}: no static rendering)</p>`;
  let spec = '';
  if (live) {
    const compiled = compileSpec(chart.spec).vega as Record<string, unknown>;
    delete compiled.$schema; // the only URL a spec carries; the page must not mention any
    spec = `<script type="application/json">${jsonForScript(compiled)}</script>`;
  }
  return `<figure${live ? ` data-chart="${escapeAttr(chart.name)}"` : ''} aria-label="${escapeAttr(chart.title)}">
${live ? '<div class="live"></div>' : ''}<div class="static">${img}</div>${spec}
<figcaption>${escapeHtml(description)}</figcaption>
</figure>`;
}

// ---------- sections ----------

function displayName(topic: TopicSummary): string {
  return topic.editorLabel?.trim() || topic.label;
}

function header(model: ReportModel): string {
  const f = model.facts;
  const items: [string, string][] = [
    ['Papers', fmtInt(f.papers)],
    ...(f.newPapers !== undefined ? [['New this run', fmtInt(f.newPapers)] as [string, string]] : []),
    ['Topics', fmtInt(model.topics.length)],
    ['Date range', `${escapeHtml(f.dateRange[0])} – ${escapeHtml(f.dateRange[1])}`],
  ];
  for (const key of Object.keys(f.quality).sort()) {
    const value = f.quality[key];
    if (value !== undefined) items.push([escapeHtml(key), fmtNum(value)]);
  }
  if (f.explainedVariance !== undefined) items.push(['Variance kept (PCA)', fmtPct(f.explainedVariance)]);
  return `<header>
<h1>${escapeHtml(model.title)}</h1>
<p class="muted">Run <code>${escapeHtml(f.runId)}</code>, created ${escapeHtml(f.createdAt)}; trends by ${escapeHtml(model.trends.unit)}.</p>
<ul class="headline">
${items.map(([name, value]) => `<li><span class="value">${value}</span><span class="name">${name}</span></li>`).join('\n')}
</ul>
</header>`;
}

function notes(model: ReportModel): string {
  const lines = [...model.facts.notes];
  const partial = model.trends.periods.filter((p) => p.partial).map((p) => p.key);
  if (partial.length > 0) lines.push(`Partial periods (not fully covered by the data; read their shares with care): ${partial.join(', ')}`);
  if (model.died && model.died.length > 0) {
    lines.push(`Topics of the previous run with no successor: ${model.died.map((d) => `${d.label} (#${d.id})`).join('; ')}`);
  }
  if (lines.length === 0) return '';
  return `<section class="notes" aria-label="Notes">
<strong>Notes</strong>
<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
</section>`;
}

function topicLink(topic: TopicSummary, name: string): string {
  return `<a href="#topic-${topic.id}">${escapeHtml(name)}</a>`;
}

function trendsSection(model: ReportModel, charts: Map<string, ReportChart>): string {
  const names = topicNames(model);
  const withTrend = rankedTopics(model).filter((t) => t.trend);
  if (withTrend.length === 0) return '';
  const significant = withTrend.filter((t) => Math.abs(t.trend!.z) >= SIGNIFICANT_Z);
  const rising = significant.filter((t) => t.trend!.growth > 0).sort((a, b) => b.trend!.growth - a.trend!.growth);
  const falling = significant.filter((t) => t.trend!.growth < 0).sort((a, b) => a.trend!.growth - b.trend!.growth);
  const item = (t: TopicSummary) =>
    `<li>${topicLink(t, names.get(t.id)!)}: ${fmtPct(t.trend!.baselineShare)} → ${fmtPct(t.trend!.recentShare)} <span class="muted">(log2 ${fmtSigned(t.trend!.growth)}, z ${fmtSigned(t.trend!.z, 1)})</span></li>`;
  const list = (title: string, topics: TopicSummary[]) =>
    `<div><h3>${title}</h3>${topics.length ? `<ul>${topics.map(item).join('')}</ul>` : '<p class="muted">None with |z| ≥ ' + SIGNIFICANT_Z + '.</p>'}</div>`;
  const bursts = withTrend.flatMap((t) =>
    t.trend!.bursts.map((b) => `<li>${topicLink(t, names.get(t.id)!)}: ${escapeHtml(b.start === b.end ? b.start : `${b.start} – ${b.end}`)} <span class="muted">(weight ${fmtNum(b.weight, 1)})</span></li>`),
  );
  return `<section id="trends">
<h2>Rising and falling topics</h2>
<div class="trend-lists">${list('Rising', rising)}${list('Falling', falling)}
<div><h3>Bursts</h3>${bursts.length ? `<ul>${bursts.join('')}</ul>` : '<p class="muted">No bursts detected.</p>'}</div></div>
${figure(charts.get('growth'), true)}
</section>`;
}

function lineageBadge(model: ReportModel, id: number): string {
  const entry = model.lineage?.find((l) => l.id === id);
  if (!entry || entry.status === 'continued') return '';
  const from = entry.from.length ? ` from #${entry.from.join(', #')}` : '';
  return `<span class="badge">${escapeHtml(entry.status + from)}</span>`;
}

function topicTable(model: ReportModel, swatch: Map<number, string>): string {
  const names = topicNames(model);
  const rows = rankedTopics(model).map((t) => {
    const name = names.get(t.id)!;
    const terms = t.topTerms.slice(0, TERMS_IN_TABLE).map((w) => w.term).join(', ');
    return `<tr>
<td data-value="${escapeAttr(name.toLowerCase())}"><span class="swatch" style="background:${escapeAttr(swatch.get(t.id) ?? OTHER_COLOR)}"></span>${topicLink(t, name)}${lineageBadge(model, t.id)}</td>
<td class="num" data-value="${t.size}">${fmtInt(t.size)}</td>
<td class="num" data-value="${dataValue(t.share)}">${fmtPct(t.share)}</td>
<td class="num" data-value="${dataValue(t.trend?.growth)}">${fmtSigned(t.trend?.growth)}</td>
<td class="num" data-value="${dataValue(t.trend?.z)}">${fmtSigned(t.trend?.z, 1)}</td>
<td>${escapeHtml(terms)}</td>
<td class="num" data-value="${dataValue(t.quality.npmi)}">${fmtNum(t.quality.npmi)}</td>
</tr>`;
  });
  const th = (label: string, type: 'text' | 'number', title: string) =>
    `<th scope="col" data-type="${type}"${type === 'number' ? ' class="num"' : ''} title="${escapeAttr(title)}"><button type="button">${escapeHtml(label)}</button></th>`;
  return `<section id="topics">
<h2>Topics</h2>
<div class="table-tools"><label for="topic-search">Search</label><input id="topic-search" type="search" placeholder="label or term" autocomplete="off"><span id="topic-count" class="muted" aria-live="polite">${model.topics.length} topics</span></div>
<table id="topic-table">
<thead><tr>${th('Topic', 'text', 'Topic label (editor label when set)')}${th('Papers', 'number', 'Papers in the topic')}${th('Share', 'number', 'Share of all papers')}${th('Growth', 'number', 'log2 of recent share over baseline share')}${th('z', 'number', 'Significance of the change')}<th scope="col">Top terms</th>${th('NPMI', 'number', 'NPMI coherence of the top 10 terms')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

/** Only plain hex colours reach a style attribute. */
function safeColor(color: string | undefined): string {
  return color && /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : '#9a9a9a';
}

function paperItem(paper: PaperRef): string {
  const url = safeHttpUrl(paper.url);
  const title = escapeHtml(paper.title.trim() || paper.id);
  const link = url ? `<a href="${escapeAttr(url)}" rel="noopener noreferrer">${title}</a>` : title;
  const score = paper.score !== undefined ? `, similarity ${fmtNum(paper.score, 2)}` : '';
  return `<li>${link} <span class="muted">(${escapeHtml(paper.date)}${score}; ${escapeHtml(paper.id)})</span></li>`;
}

function topicSection(model: ReportModel, topic: TopicSummary, name: string, charts: Map<string, ReportChart>, swatch: string): string {
  const terms = topic.topTerms
    .slice(0, TERMS_IN_SECTION)
    .map((t) => `<li>${escapeHtml(t.term)} <span class="w">${fmtNum(t.weight)}</span></li>`)
    .join('');
  const quality = Object.keys(topic.quality)
    .sort()
    .filter((k) => topic.quality[k] !== undefined)
    .map((k) => `${escapeHtml(k)} ${fmtNum(topic.quality[k])}`)
    .join(', ');
  const editor = topic.editorLabel?.trim()
    ? `<p class="muted">Editor label; automatic label: ${escapeHtml(topic.label)}</p>`
    : '';
  const trend = topic.trend
    ? `<p>Share ${fmtPct(topic.trend.baselineShare)} (baseline) → ${fmtPct(topic.trend.recentShare)} (recent): growth ${fmtSigned(topic.trend.growth)} (log2), z ${fmtSigned(topic.trend.z, 1)}.</p>`
    : '';
  const periodTerms = topic.periodTerms?.length
    ? `<details><summary>Vocabulary over time</summary><ul>${topic.periodTerms
        .map((p) => `<li><strong>${escapeHtml(p.period)}</strong>: ${escapeHtml(p.terms.join(', '))}</li>`)
        .join('')}</ul></details>`
    : '';
  return `<section class="topic" id="topic-${topic.id}">
<h3><span class="swatch" style="background:${escapeAttr(swatch)}"></span>${escapeHtml(name)} <span class="badge">#${topic.id}</span>${lineageBadge(model, topic.id)}</h3>
${editor}
<p>${fmtInt(topic.size)} papers (${fmtPct(topic.share)} of all)${quality ? `; quality: ${quality}` : ''}.</p>
${trend}
<h4>Top terms</h4>
<ul class="terms">${terms}</ul>
<h4>Representative papers</h4>
<ol class="papers">${topic.representative.map(paperItem).join('')}</ol>
${figure(charts.get(topicChartName(topic.id)), false)}
${periodTerms}
</section>`;
}

function runFacts(model: ReportModel, charts: Map<string, ReportChart>): string {
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
  const versions = Object.keys(f.versions)
    .sort()
    .map((k) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(f.versions[k])}</dd>`)
    .join('');
  return `<section id="run">
<h2>Run facts</h2>
<dl class="facts"><dt>Run id</dt><dd>${escapeHtml(f.runId)}</dd><dt>Created</dt><dd>${escapeHtml(f.createdAt)}</dd><dt>Topics (k)</dt><dd>${fmtInt(f.k)}</dd><dt>Seed</dt><dd>${escapeHtml(String(f.seed))}</dd>${versions}</dl>
<h3>Inputs</h3>
<table><thead><tr><th>File</th><th class="num">Read</th><th class="num">Accepted</th><th class="num">Duplicate</th><th class="num">Rejected</th></tr></thead><tbody>
${inputs}
</tbody></table>
<h3>Stages</h3>
<table><thead><tr><th>Stage</th><th class="num">Time</th><th class="num">Peak memory</th></tr></thead><tbody>
${timings}
</tbody></table>
${figure(charts.get('k-curve'), true)}
</section>`;
}

// ---------- the page ----------

/** The whole report as one HTML string (a pure function of its arguments). */
export function renderReportHtml(model: ReportModel, charts: ReportChart[], options?: ChartOptions): string {
  // Swatches only for the topics the charts colour (the top N); the rest are grey there too.
  const topN = resolveTopN(options);
  const colors = topicColors(model);
  const swatch = new Map(rankedTopics(model).map((t, rank) => [t.id, rank < topN ? safeColor(colors.get(t.id)) : OTHER_COLOR]));
  const byName = new Map(charts.map((c) => [c.name, c]));
  const names = topicNames(model);
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
  const moreCharts = ['topic-small-multiples', 'heatmap', 'sizes', 'top-terms', 'map']
    .map((name) => figure(byName.get(name), true))
    .filter(Boolean)
    .join('\n');
  const body = [
    header(model),
    notes(model),
    trendsSection(model, byName),
    byName.has('share-area') ? `<section id="share"><h2>Topic share over time</h2>${figure(byName.get('share-area'), true)}</section>` : '',
    topicTable(model, swatch),
    moreCharts ? `<section id="charts"><h2>More charts</h2>${moreCharts}</section>` : '',
    `<section id="topic-details"><h2>Topic details</h2>${rankedTopics(model)
      .map((t) => topicSection(model, t, names.get(t.id) ?? displayName(t), byName, swatch.get(t.id) ?? OTHER_COLOR))
      .join('\n')}</section>`,
    runFacts(model, byName),
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
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
